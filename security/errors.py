"""Every error answer in French, with the right status, and never a trace.

- Any HTTP error (400 … 505, Werkzeug's or `abort`'s) becomes a French page, or French JSON
  `{"erreur": …}` for the addresses scripts call (Dash endpoints, exports).
- An address that is no page of the app is a 404 (Dash would otherwise answer any path with its
  shell, 200); the page patterns (`/etablissement/<finess>`) stay pages, matched as Dash's router
  matches them.
- A callback that cannot use what it receives (a malformed body, a value of the wrong type or
  shape: whatever its code raises while running) answers 400 `{"erreur": "Requête invalide."}`;
  the exception is logged with its trace on the server. A database that cannot be reached answers
  503 instead. `PreventUpdate` / `no_update` keep Dash's 204.
- A missing Dash bundle (`/_dash-component-suites/…`) is a 404, not a 500.

Everything is wired around Dash's own views in `init_errors`, so no callback module needs a
try/except of its own.
"""
from __future__ import annotations

import functools
import inspect
import logging
from html import escape

from dash import _pages
from dash.exceptions import DependencyException, InvalidResourceError, PreventUpdate
from flask import Response, jsonify, request
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, NotFound

log = logging.getLogger("atlas.errors")

# Addresses called by scripts (the Dash renderer, downloads, the maps' geometry): errors answer JSON there.
JSON_PREFIXES = ("/_dash-", "/_reload-hash", "/export/", "/geo/")

INVALID_REQUEST = "Requête invalide."
DATABASE_UNAVAILABLE = ("Base de données injoignable, nouvel essai dans quelques secondes.")

# status -> (title of the page, sentence shown on the page and in the JSON answer)
MESSAGES: dict[int, tuple[str, str]] = {
    400: ("Requête invalide", "La requête n'est pas valide (formulaire expiré ou données incorrectes) : "
                              "rechargez la page et réessayez."),
    401: ("Connexion requise", "Connexion requise."),
    403: ("Accès refusé", "Accès refusé : votre rôle ne permet pas d'ouvrir cette ressource."),
    404: ("Page introuvable", "Cette adresse ne correspond à aucune page ni ressource d'Atlas GDR."),
    405: ("Méthode non autorisée", "Méthode non autorisée pour cette adresse."),
    406: ("Format non disponible", "Le format demandé n'est pas disponible."),
    408: ("Délai dépassé", "La requête a mis trop de temps à arriver : réessayez."),
    409: ("Conflit", "La requête entre en conflit avec l'état actuel des données : rechargez la page."),
    410: ("Page supprimée", "Cette ressource n'existe plus."),
    411: ("Requête invalide", "La longueur de la requête est requise."),
    412: ("Requête invalide", "Une condition préalable de la requête n'est pas remplie."),
    413: ("Requête trop volumineuse", "La requête est trop volumineuse."),
    414: ("Adresse trop longue", "L'adresse demandée est trop longue."),
    415: ("Format non pris en charge", "Le type de contenu envoyé n'est pas pris en charge."),
    416: ("Requête invalide", "La plage demandée n'est pas disponible."),
    422: ("Requête invalide", "Les données envoyées ne peuvent pas être traitées."),
    428: ("Requête invalide", "La requête doit être conditionnelle."),
    429: ("Trop de requêtes", "Trop de requêtes : réessayez dans une minute."),
    431: ("En-têtes trop volumineux", "Les en-têtes de la requête sont trop volumineux."),
    500: ("Erreur", "Erreur interne : l'incident est enregistré dans le journal du serveur."),
    501: ("Non pris en charge", "Cette opération n'est pas prise en charge."),
    502: ("Service indisponible", "Le service est momentanément indisponible : réessayez dans quelques secondes."),
    503: ("Service indisponible", "Service momentanément indisponible : réessayez dans quelques secondes."),
    504: ("Service indisponible", "Le service a mis trop de temps à répondre : réessayez dans quelques secondes."),
}

PAGE = """<!DOCTYPE html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} — Atlas GDR</title>
  <link rel="stylesheet" href="/assets/atlas.css">
</head>
<body class="login-body">
  <header class="app-header">
    <span class="brand"><span class="brand-name">Atlas GDR</span>
      <span class="brand-sub">Gestion du risque — établissements de santé</span></span>
  </header>
  <main class="login-main">
    <h1>{title}</h1>
    <p role="alert">{message}</p>
    <p><a href="/">Retour à l'accueil</a></p>
  </main>
</body>
</html>"""


JSON_MESSAGES = {400: INVALID_REQUEST, 404: "Ressource introuvable."}  # shorter, for scripts


def message_for(status: int) -> tuple[str, str]:
    return MESSAGES.get(status) or ("Erreur", f"La requête n'a pas abouti (erreur {status}).")


def wants_json(path: str) -> bool:
    return path.startswith(JSON_PREFIXES)


def error_response(status: int, message: str | None = None) -> Response:
    """The French answer for `status`: JSON `{"erreur": …}` on script addresses, else a page."""
    title, default = message_for(status)
    if wants_json(request.path):
        response = jsonify(erreur=message or JSON_MESSAGES.get(status, default))
        response.status_code = status
        return response
    return Response(PAGE.format(title=escape(title), message=escape(message or default)), status=status,
                    mimetype="text/html")


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:  # routing redirects (308) are HTTPExceptions too
        return error
    response = error_response(error.code)
    for name, value in error.get_headers():  # keep Allow (405), Retry-After (429, 503), …
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _server_error(_error):
    return error_response(500)  # Flask has already logged the exception with its trace


def _not_found(_error):
    return error_response(404)


# --- callbacks ------------------------------------------------------------------

def database_unavailable(error: BaseException | None) -> bool:
    """Whether `error` (or what caused it) says the database cannot be reached right now."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
                              sa_exc.TimeoutError)):
            return True
        if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _callback_name() -> str:
    body = request.get_json(silent=True)
    output = body.get("output") if isinstance(body, dict) else None
    return output[:200] if isinstance(output, str) else "?"


def refuse_callback(error: Exception) -> Response:
    """The answer to a callback that raised: 503 when the database is away, else 400 (the input
    could not be used). Logged with its trace; the client sees a French sentence only."""
    if database_unavailable(error):
        log.warning("callback %s: database unavailable: %s", _callback_name(), error)
        return error_response(503, DATABASE_UNAVAILABLE)
    log.warning("callback %s refused with 400: %s: %s", _callback_name(), type(error).__name__, error,
                exc_info=error)
    return error_response(400, INVALID_REQUEST)


_PASS_THROUGH = (PreventUpdate, HTTPException)  # Dash's 204, and errors that already have a status


def guard_callbacks(view):
    """Wrap Dash's `/_dash-update-component` view (sync or async): an exception raised while
    reading the body or running the callback becomes `refuse_callback`'s answer."""
    if inspect.iscoroutinefunction(view):
        @functools.wraps(view)
        async def guarded_async(*args, **kwargs):
            try:
                return await view(*args, **kwargs)
            except _PASS_THROUGH:
                raise
            except Exception as error:
                return refuse_callback(error)
        return guarded_async

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except _PASS_THROUGH:
            raise
        except Exception as error:
            return refuse_callback(error)
    return guarded


# --- unknown addresses ----------------------------------------------------------

NOT_FOUND_MODULE = "not_found_404"  # Dash's name for the page its router shows for an unknown path


def is_page(app, path: str) -> bool:
    """Whether Dash's router has a page for `path` (the same matcher, so status and content agree)."""
    page, _variables = _pages._path_to_page(app.strip_relative_path(path))
    return bool(page) and page["module"].split(".")[-1] != NOT_FOUND_MODULE


def pages_only(app, view):
    """Wrap Dash's catch-all view: an address that is no page is a 404, not the app shell."""
    @functools.wraps(view)
    def catchall(*args, **kwargs):
        if not is_page(app, request.path):
            raise NotFound()
        return view(*args, **kwargs)
    return catchall


def missing_bundle_is_404(view):
    """Wrap Dash's component-suites view: an unknown package or file is a 404, not a 500."""
    @functools.wraps(view)
    def serve(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except (DependencyException, InvalidResourceError, OSError, KeyError, ValueError) as error:
            log.info("component suite not found: %s (%s)", request.path[:200], type(error).__name__)
            raise NotFound() from None
    return serve


def init_errors(app) -> None:
    """`app` is the Dash app (its routes exist once it is built)."""
    server = app.server
    prefix = app.config.routes_pathname_prefix
    views = server.view_functions
    views[prefix + "_dash-update-component"] = guard_callbacks(views[prefix + "_dash-update-component"])
    views[prefix + "<path:path>"] = pages_only(app, views[prefix + "<path:path>"])
    suites = prefix + "_dash-component-suites/<string:package_name>/<path:fingerprinted_path>"
    views[suites] = missing_bundle_is_404(views[suites])
    server.register_error_handler(HTTPException, _http_error)
    server.register_error_handler(500, _server_error)
    server.register_error_handler(InvalidResourceError, _not_found)  # Dash's own handler answers in English
