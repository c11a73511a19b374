"""Sign-in and the request gate: every request except the sign-in page, /health and static files
needs a signed-in user, and the role must allow the path (security.roles).

Sessions live on the server (table user_sessions, data_access.users): the cookie (Flask's signed
cookie: HttpOnly, SameSite=Lax, Secure over HTTPS) carries a 256-bit random token, the table its
SHA-256. The gate looks the session up on every request, so ending it on the server (sign-out, a
password reset, a disabled account, an administrator) takes effect at the very next request. A new
token is drawn at each sign-in (no fixation). A session ends after `session_idle_hours` without a
request and `session_max_hours` after sign-in, whatever the activity (OWASP ASVS 3.3).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import unicodedata
from datetime import timedelta
from urllib.parse import quote, urlencode, urlsplit

from flask import Blueprint, Response, abort, g, jsonify, redirect, render_template, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Settings, current_settings
from data_access import users
from security import accounts, audit, roles
from security.errors import JSON_PREFIXES
from security.presentation import SESSION_ANONYMISED, SESSION_PRESENTATION, SESSION_SALT

bp = Blueprint("atlas_auth", __name__, template_folder="templates")
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)

SESSION_TOKEN = "sid"
SEEN_REFRESH_S = 60  # write a session's last-seen time at most once a minute (not once per request)
# Addresses scripts call (callbacks, exports, the maps' geometry): JSON errors, no redirect to /login.
API_PREFIXES = JSON_PREFIXES


class _SessionInterface(SecureCookieSessionInterface):
    """The cookie is Secure whenever the request came over HTTPS (directly or through a trusted proxy)."""

    def get_cookie_secure(self, app) -> bool:
        return request.is_secure or super().get_cookie_secure(app)


def init_auth(server, settings: Settings) -> None:
    server.config.update(
        SESSION_COOKIE_NAME="atlas_session", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=min(settings.session_idle_hours, settings.session_max_hours)),
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


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _cookie_session_id() -> str | None:
    token = session.get(SESSION_TOKEN)
    return _token_hash(token) if isinstance(token, str) and token else None


def start_session(cookie_session, url: str, user: users.UserRow, address: str = "", user_agent: str = "") -> None:
    """Open a server-side session for `user` in `cookie_session` (Flask's session, or a test client's
    session_transaction): a new random token (the session the browser carried before is ended),
    nothing else kept from before but a new anonymisation salt."""
    previous = cookie_session.get(SESSION_TOKEN)
    token = secrets.token_urlsafe(32)  # 256 bits
    users.open_session(url, _token_hash(token), user.id, address=address, user_agent=user_agent,
                       replaces=_token_hash(previous) if isinstance(previous, str) and previous else None)
    cookie_session.clear()
    cookie_session.permanent = True
    cookie_session[SESSION_TOKEN] = token
    cookie_session[SESSION_SALT] = secrets.token_hex(8)


def current_user() -> users.UserRow | None:
    """The signed-in user of this request: the cookie's session exists on the server, is not ended,
    nor idle or older than the limits, and its user is active. Otherwise the cookie is cleared."""
    session_id = _cookie_session_id()
    if session_id is None:
        return None
    settings = current_settings()
    found = users.session_with_user(settings.database_url, session_id)
    now = dt.datetime.now(dt.UTC)
    if found is not None:
        row, user = found
        expired = (now - row.last_seen_at > timedelta(hours=settings.session_idle_hours)
                   or now - row.created_at > timedelta(hours=settings.session_max_hours))
        if row.revoked_at is None and user.active and not expired:
            if (now - row.last_seen_at).total_seconds() > SEEN_REFRESH_S:
                users.touch_session(settings.database_url, session_id)
            return user
        if row.revoked_at is None:
            users.end_session(settings.database_url, session_id, "expiree" if expired else "desactivation")
    session.clear()
    g.atlas_session_ended = True
    return None


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

# What browsers ignore or strip in a URL (WHATWG URL: tab, LF, CR anywhere; C0 controls and space at
# the ends) and other invisible characters: a target holding any of them is refused outright.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}


def safe_next(target) -> str:
    """The address to go to after signing in: a path of this site, else "/" (no open redirect).

    Refused: anything not a string, a control, format or space character anywhere (what browsers strip
    could turn "/<tab>/host" into "//host"), a backslash (read as "/"), anything not starting with a
    single "/", and anything urllib reads with a scheme or a host. Other non-ASCII characters are
    percent-encoded so the Location header is plain ASCII."""
    if not isinstance(target, str) or not target or len(target) > 2000:
        return "/"
    if any(unicodedata.category(c) in _REFUSED_CATEGORIES for c in target) or "\\" in target:
        return "/"
    target = quote(unicodedata.normalize("NFC", target), safe="".join(chr(c) for c in range(0x21, 0x7F)))
    if not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return "/"
    return target


def _login_page(message: str = "", status: int = 200, login: str = "") -> Response:
    html = render_template("login.html", csrf_token=generate_csrf(), message=message, login=login,
                           suite=safe_next(request.values.get("suite")))
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
    url = current_settings().database_url
    start_session(session, url, user, address=audit.client_address(),
                  user_agent=request.headers.get("User-Agent", ""))
    g.atlas_user = user
    users.touch_login(url, user.id)
    audit.log_event("connexion")
    return redirect(safe_next(request.form.get("suite")))


@bp.post("/logout")
def logout():
    try:
        validate_csrf(request.form.get("csrf_token", ""))
    except Exception:
        abort(400)
    audit.log_event("deconnexion")
    session_id = _cookie_session_id()
    if session_id is not None:
        users.end_session(current_settings().database_url, session_id, "deconnexion")
    session.clear()
    return redirect("/login")


def too_many_attempts(error):
    return _login_page(getattr(error, "description", "") or "Trop de tentatives.", status=429)


bp.register_error_handler(429, too_many_attempts)
