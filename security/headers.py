"""Security headers on every response (the French error answers are in security.errors)."""
from __future__ import annotations

from flask import Response, request


def content_security_policy(script_hashes: list[str]) -> str:
    """Scripts only from this origin plus Dash's own inline scripts (by hash); no eval, no framing.
    Styles allow inline attributes: Dash, Plotly and AG Grid set style attributes on elements."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],  # the map library decodes tiles/geometry in a blob worker
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{k} {' '.join(v)}" for k, v in directives.items())


def init_headers(app) -> None:
    """`app` is the Dash app: the CSP hashes its inline scripts (renderer, clientside callbacks)."""
    server = app.server
    policy: list[str] = []

    @server.after_request
    def _headers(response: Response) -> Response:
        if not policy:  # computed once, after every callback module has registered its scripts
            policy.append(content_security_policy(list(app.csp_hashes())))
        response.headers["Content-Security-Policy"] = policy[0]
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if _is_data(request.path):
            response.headers.setdefault("Cache-Control", "no-store")
        elif request.path.startswith("/assets/") and "m" in request.args and response.status_code in (200, 304):
            # Dash links assets as /assets/x.css?m=<mtime>: a changed file gets a new address, so the
            # browser may keep this one for a year (the Dash bundles are fingerprinted the same way).
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = 31536000
        return response


def _is_data(path: str) -> bool:
    """Responses carrying data (callbacks, exports, pages): never stored by a shared cache or the browser."""
    return not path.startswith(("/assets/", "/_dash-component-suites/"))
