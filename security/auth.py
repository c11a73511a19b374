"""Sign-in and the request gate: every request except the sign-in page, /health and static files
needs a signed-in user, and the role must allow the path (security.roles).

Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure over HTTPS), holding the user id,
the user's `auth_version` (a password reset or a disabled account ends older sessions) and the time
of the last request (inactivity limit, checked on the server).
"""
from __future__ import annotations

import secrets
import time
from datetime import timedelta
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, g, jsonify, redirect, render_template, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Settings, current_settings
from data_access import users
from security import accounts, audit, roles
from security.presentation import SESSION_ANONYMISED, SESSION_PRESENTATION, SESSION_SALT

bp = Blueprint("atlas_auth", __name__, template_folder="templates")
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)

SESSION_USER = "uid"
SESSION_VERSION = "av"
SESSION_SEEN = "seen"
SEEN_REFRESH_S = 60  # rewrite the cookie's last-seen time at most once a minute
API_PREFIXES = ("/_dash-", "/_reload-hash", "/export/")


class _SessionInterface(SecureCookieSessionInterface):
    """The cookie is Secure whenever the request came over HTTPS (directly or through a trusted proxy)."""

    def get_cookie_secure(self, app) -> bool:
        return request.is_secure or super().get_cookie_secure(app)


def init_auth(server, settings: Settings) -> None:
    server.config.update(
        SESSION_COOKIE_NAME="atlas_session", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_idle_hours),
        SESSION_REFRESH_EACH_REQUEST=True, WTF_CSRF_TIME_LIMIT=3600,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://", RATELIMIT_KEY_PREFIX="atlas-login",
        # Redis down: count attempts in the worker's memory rather than refuse every sign-in
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True, RATELIMIT_SWALLOW_ERRORS=True,
    )
    server.session_interface = _SessionInterface()
    if settings.atlas_proxy_fix:
        n = settings.atlas_proxy_fix
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n, x_host=n)
    limiter.init_app(server)
    server.register_blueprint(bp)
    server.before_request(gate)


# --- the gate -----------------------------------------------------------------

def _is_api(path: str) -> bool:
    return path.startswith(API_PREFIXES) or request.method != "GET"


def current_user() -> users.UserRow | None:
    """The signed-in user of this request, checked against the store (active, same auth_version)
    and the inactivity limit; clears the session when it is no longer valid."""
    uid = session.get(SESSION_USER)
    if uid is None:
        return None
    settings = current_settings()
    now = time.time()
    seen = session.get(SESSION_SEEN, 0)
    user = users.by_id(settings.database_url, uid)
    if (user is None or not user.active or user.auth_version != session.get(SESSION_VERSION)
            or now - seen > settings.session_idle_hours * 3600):
        session.clear()
        g.atlas_session_ended = True
        return None
    if now - seen > SEEN_REFRESH_S:
        session[SESSION_SEEN] = now
    return user


def gate():
    """before_request: sign-in, role and presentation-mode parameters for every request."""
    path = request.path
    if roles.is_public(path):
        return None
    user = current_user()
    if user is None:
        if _is_api(path):
            return jsonify(erreur="Connexion requise."), 401
        query = {"suite": request.full_path.rstrip("?")}
        if g.get("atlas_session_ended"):
            query["expiree"] = "1"
        return redirect("/login?" + urlencode(query))
    g.atlas_user = user
    if not roles.allows(user.role, roles.permission_for(path)):
        return _forbidden()
    if request.method == "GET" and not path.startswith(API_PREFIXES):
        _mode_from_query()
    return None


def _forbidden():
    message = "Accès refusé : votre rôle ne permet pas d'ouvrir cette ressource."
    if _is_api(request.path):
        return jsonify(erreur=message), 403
    return Response(f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Accès refusé</title>'
                    f'</head><body><h1>Accès refusé</h1><p>{message}</p><p><a href="/">Accueil</a></p></body></html>',
                    status=403, mimetype="text/html")


def _mode_from_query() -> None:
    """`?presentation=oui|non` and `?anonyme=oui|non` on a page address set the session's mode
    (the role iraps cannot leave the presentation mode: security.presentation.current_mode)."""
    for param, key in (("presentation", SESSION_PRESENTATION), ("anonyme", SESSION_ANONYMISED)):
        value = request.args.get(param)
        if value in ("oui", "non"):
            session[key] = value == "oui"


# --- sign-in / sign-out ---------------------------------------------------------

def _safe_next(target: str | None) -> str:
    """Only a path of this site (no scheme, no //host): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _login_page(message: str = "", status: int = 200, login: str = "") -> Response:
    html = render_template("login.html", csrf_token=generate_csrf(), message=message, login=login,
                           suite=_safe_next(request.values.get("suite")))
    return Response(html, status=status, mimetype="text/html")


@bp.get("/login")
def login_form():
    message = "Votre session a expiré : veuillez vous reconnecter." if request.args.get("expiree") else ""
    return _login_page(message)


@bp.post("/login")
@limiter.limit(lambda: current_settings().login_rate_limit, methods=["POST"],
               error_message="Trop de tentatives de connexion depuis cette adresse : réessayez dans une minute.")
def login_submit():
    try:
        validate_csrf(request.form.get("csrf_token", ""))
    except CSRFError:
        return _login_page("Le formulaire a expiré ou n'est pas valide : veuillez réessayer.", status=400)
    except Exception:  # flask_wtf raises ValidationError for a missing/bad token
        return _login_page("Le formulaire a expiré ou n'est pas valide : veuillez réessayer.", status=400)
    login = request.form.get("login", "")[:64]
    user = accounts.authenticate(current_settings().database_url, login, request.form.get("password", ""))
    if user is None:
        audit.log_event("connexion_refusee", login=login or "(vide)")
        return _login_page("Identifiant ou mot de passe incorrect.", status=401, login=login)
    session.clear()  # no fixation: a new session for the signed-in user
    session.permanent = True
    session[SESSION_USER] = user.id
    session[SESSION_VERSION] = user.auth_version
    session[SESSION_SEEN] = time.time()
    session[SESSION_SALT] = secrets.token_hex(8)
    g.atlas_user = user
    users.touch_login(current_settings().database_url, user.id)
    audit.log_event("connexion")
    return redirect(_safe_next(request.form.get("suite")))


@bp.post("/logout")
def logout():
    try:
        validate_csrf(request.form.get("csrf_token", ""))
    except Exception:
        abort(400)
    audit.log_event("deconnexion")
    session.clear()
    return redirect("/login")


def too_many_attempts(error):
    return _login_page(getattr(error, "description", "") or "Trop de tentatives.", status=429)


bp.register_error_handler(429, too_many_attempts)
