"""The app factory: builds the Dash app, its shell and its plain HTTP routes.

Callbacks are registered with `dash.callback` when the callbacks/ modules are
first imported, and Dash hands them to the first app that serves a request:
build one app per process (app.py does; tests run the app in a subprocess or
build it once per session).
"""
from __future__ import annotations

import importlib
import pkgutil

import dash
from dash import Dash, dcc, html

import callbacks
import routes
from components import labels
from config import ROOT, Settings, get_settings
from data_access.cache import init_cache

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


def nav_pages() -> list[dict]:
    """Registered pages that declare a place in the navigation, in order."""
    pages = [p for p in dash.page_registry.values() if p.get("nav_order") is not None]
    return sorted(pages, key=lambda p: p["nav_order"])


def shell() -> html.Div:
    """The page frame: header with navigation and data version, then the current page."""
    return html.Div(
        [
            dcc.Location(id="shell-url", refresh="callback-nav"),
            html.Header(
                [
                    html.A([html.Span(labels.APP_TITLE, className="brand-name"),
                            html.Span(labels.APP_SUBTITLE, className="brand-sub")],
                           href="/", className="brand"),
                    html.Nav(
                        [dcc.Link(p["name"], href=p["relative_path"], className="nav-link",
                                  id={"type": "shell-nav", "path": p["relative_path"]})
                         for p in nav_pages()],
                        className="nav", **{"aria-label": "Navigation principale"},
                    ),
                    html.Div(id="shell-data-version", className="data-version", **{"aria-live": "polite"}),
                ],
                className="app-header",
            ),
            html.Main(dash.page_container, className="app-main", id="shell-main"),
        ],
        className="app",
    )


def _import_callbacks() -> None:
    for module in pkgutil.iter_modules(callbacks.__path__):
        importlib.import_module(f"callbacks.{module.name}")


def create_app(settings: Settings | None = None) -> Dash:
    settings = settings or get_settings()
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        title=labels.APP_TITLE,
        update_title=None,
        serve_locally=True,
        compress=True,  # gzip/brotli: callback responses (grids, figures) shrink several-fold
        suppress_callback_exceptions=True,
        index_string=INDEX,
    )
    app.server.config["ATLAS_SETTINGS"] = settings
    app.server.config["SECRET_KEY"] = settings.secret_key
    init_cache(app.server, settings)
    app.layout = shell
    app.server.register_blueprint(routes.bp)
    _import_callbacks()
    return app
