"""The database unreachable or its pool saturated: a French 503 instead of a trace, a blank page or a hang.

- endpoints (Dash callbacks and layout, exports, JSON posts): JSON `{"erreur": "..."}`, which
  assets/db-banner.js shows as a banner above the page (then reloads the view once /health answers);
- pages and forms: a French HTML page with the banner that reloads itself every few seconds;
- every 503 carries Retry-After. A connection error also drops the pooled connections, so the next
  request reconnects and the app recovers by itself when the database is back.
"""
from __future__ import annotations

import logging
from html import escape

from flask import Response, jsonify, request
from sqlalchemy import exc

from config import current_settings
from data_access import db
from security.auth import API_PREFIXES
from text import unavailable as t

log = logging.getLogger(__name__)

UNREACHABLE_ERRORS = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError)

PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{retry}"><title>{title}</title>
<style>.db-banner{{background:#8a1c1c;color:#fff;padding:.8rem 1rem;font:600 1.05rem system-ui,sans-serif;
text-align:center}}</style></head>
<body><div class="db-banner" role="alert">{message}</div><p><a href="/">{home}</a></p></body></html>"""


def _is_endpoint() -> bool:
    """Dash endpoints, exports and JSON posts get JSON; pages and forms (sign-in) the HTML page."""
    return request.path.startswith(API_PREFIXES) or request.is_json


def unavailable_response(message: str) -> Response:
    """A 503 in French: JSON for endpoints and exports, the banner page for pages."""
    if _is_endpoint():
        response = jsonify(erreur=message)
    else:
        response = Response(PAGE.format(retry=t.RETRY_AFTER_S, title=escape(t.PAGE_TITLE), message=escape(message),
                                        home=t.HOME), mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = str(t.RETRY_AFTER_S)
    return response


def database_unreachable(error):
    log.error("database unreachable on %s %s: %s", request.method, request.path, error.__class__.__name__,
              exc_info=error)
    db.reset_pools(current_settings().database_url)
    return unavailable_response(t.DATABASE_UNREACHABLE)


def pool_saturated(error):
    log.warning("no database connection free within the pool timeout on %s %s", request.method, request.path)
    return unavailable_response(t.SERVER_SATURATED)


def init_database_errors(server) -> None:
    for error in UNREACHABLE_ERRORS:
        server.register_error_handler(error, database_unreachable)
    server.register_error_handler(exc.TimeoutError, pool_saturated)
