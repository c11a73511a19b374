"""Who sees what, over plain HTTP: sign-in, the role matrix, CSRF, rate limit, sessions, headers, audit."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import importlib
import re
import subprocess
import sys

import dash
import pytest

from config import ROOT
from data_access import users
from tests import dash_bodies
from tests.conftest import (
    TEST_PASSWORD,
    TEST_USERS,
    app_on,
    dash_body,
    find_component,
    move_session_back,
    page_layout,
    signed_client,
)
from tests.factories import small_ssr_dataset

ROLES = ["admin", "analyste", "medecin_conseil", "iraps"]
FINESS = "330000017"

# The expected matrix, written by hand from the issue (not read from security.roles):
# "ok" = served, "403" = refused to the signed-in role. Anonymous: pages redirect to /login,
# endpoints and exports answer 401.
EXPECTED = {
    "/": dict.fromkeys(ROLES, "ok"),
    "/ssr": dict.fromkeys(ROLES, "ok"),
    "/ambulatoire": dict.fromkeys(ROLES, "ok"),
    "/msap": dict.fromkeys(ROLES, "ok"),
    "/caqes": dict.fromkeys(ROLES, "ok"),
    "/etablissements": dict.fromkeys(ROLES, "ok"),
    "/etablissement/<finess>": dict.fromkeys(ROLES, "ok"),
    "/donnees": dict.fromkeys(ROLES, "ok"),
    "/methodes": dict.fromkeys(ROLES, "ok"),
    # Dash's router page for unknown addresses: over HTTP a French 404 for every signed-in role
    "/not-found-404": dict.fromkeys(ROLES, "ok"),
    "/admin": {"admin": "ok", "analyste": "403", "medecin_conseil": "403", "iraps": "403"},
    "/actions": {"admin": "ok", "analyste": "ok", "medecin_conseil": "ok", "iraps": "403"},
    "/actions/<code>": {"admin": "ok", "analyste": "ok", "medecin_conseil": "ok", "iraps": "403"},
    "/export/actions.csv": {"admin": "ok", "analyste": "ok", "medecin_conseil": "ok", "iraps": "403"},
    "/export/campagnes.csv": {"admin": "ok", "analyste": "ok", "medecin_conseil": "ok", "iraps": "403"},
    "/export/ssr.csv": dict.fromkeys(ROLES, "ok"),
    "/export/ambulatoire.csv": dict.fromkeys(ROLES, "ok"),
    "/export/msap.csv": {"admin": "ok", "analyste": "ok", "medecin_conseil": "ok", "iraps": "403"},
    "/export/msap.xlsx": {"admin": "ok", "analyste": "ok", "medecin_conseil": "ok", "iraps": "403"},
    "/export/caqes.csv": {"admin": "ok", "analyste": "ok", "medecin_conseil": "ok", "iraps": "403"},
    "/export/profil/<finess>.pdf": {"admin": "ok", "analyste": "ok", "medecin_conseil": "ok", "iraps": "403"},
    "/_dash-layout": dict.fromkeys(ROLES, "ok"),
    "/_dash-dependencies": dict.fromkeys(ROLES, "ok"),
    "/_dash-update-component": dict.fromkeys(ROLES, "ok"),
}

# Dash's router drawing the home page: a real request every page makes.
SHELL_CALLBACK = {**dash_bodies.PAGES_ROUTER, "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/"},
                                                         {"id": "_pages_location", "property": "search", "value": ""}],
                  "changedPropIds": ["_pages_location.pathname"], "state": []}


def _registered_routes(server) -> set[str]:
    """Every page of the registry and every export route of the Flask app."""
    pages = {p.get("path_template") or p["path"] for p in dash.page_registry.values()}
    exports = {re.sub(r"<[^>]+>", "<finess>", r.rule) for r in server.url_map.iter_rules()
               if r.rule.startswith("/export/")}
    return pages | exports | {"/_dash-layout", "/_dash-dependencies", "/_dash-update-component"}


def _request(client, route: str):
    path = route.replace("<finess>", FINESS).replace("<code>", "CAMPAGNE-ABSENTE")
    if route == "/_dash-update-component":
        return client.post(path, json=SHELL_CALLBACK)
    return client.get(path)


def _outcome(resp) -> str:
    if resp.status_code in (401, 403):
        return str(resp.status_code)
    if resp.status_code == 302 and resp.headers["Location"].startswith("/login"):
        return "login"
    # a profile of an establishment absent from this small database is a French 404: served, not refused
    assert resp.status_code in (200, 404), (resp.request.path, resp.status_code)
    return "ok"


def test_the_expected_matrix_covers_every_registered_page_export_and_dash_endpoint(dash_app):
    assert _registered_routes(dash_app.server) == set(EXPECTED)


@pytest.mark.parametrize("route", sorted(EXPECTED))
def test_anonymous_requests_go_to_the_sign_in_page_or_get_401(anonymous_client, route):
    resp = _request(anonymous_client, route)
    page = not route.startswith(("/export/", "/_dash-"))
    assert _outcome(resp) == ("login" if page else "401")
    if page:
        assert resp.headers["Location"] == "/login?suite=" + route.replace("<finess>", FINESS).replace(
            "<code>", "CAMPAGNE-ABSENTE").replace("/", "%2F")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_the_matrix_allows(client_as, role):
    client = client_as(role)
    got = {route: _outcome(_request(client, route)) for route in EXPECTED}
    assert got == {route: expected[role] for route, expected in EXPECTED.items()}


def test_public_paths_need_no_sign_in(anonymous_client):
    assert anonymous_client.get("/health").status_code == 200
    assert anonymous_client.get("/login").status_code == 200
    assert anonymous_client.get("/assets/atlas.css").status_code == 200


def test_admin_callbacks_refuse_other_roles_even_when_called_directly(client_as):
    body = {"output": "admin-users.children", "outputs": {"id": "admin-users", "property": "children"},
            "inputs": [{"id": "shell-url", "property": "pathname", "value": "/admin"}], "changedPropIds": [],
            "state": []}
    shown = client_as("admin").post("/_dash-update-component", json=body)
    assert shown.status_code == 200
    rows = shown.get_json()["response"]["admin-users"]["children"]["props"]["rowData"]
    assert {r["login"]: (r["role"], r["etat"]) for r in rows} == {
        "t-admin": ("Administrateur", "actif"), "t-analyste": ("Analyste DCGDR", "actif"),
        "t-medecin": ("Médecin-conseil", "actif"), "t-iraps": ("Présentation IRAPS", "actif")}
    for role in ("analyste", "medecin_conseil", "iraps"):
        resp = client_as(role).post("/_dash-update-component", json=body)
        assert resp.status_code == 204 and TEST_USERS["admin"] not in resp.get_data(as_text=True)


def test_import_history_is_shown_to_admin_only(client_as):
    body = {"output": "..donnees-summary.children...donnees-datasets.children...donnees-history.children..",
            "outputs": [{"id": "donnees-summary", "property": "children"},
                        {"id": "donnees-datasets", "property": "children"},
                        {"id": "donnees-history", "property": "children"}],
            "inputs": [{"id": "shell-url", "property": "pathname", "value": "/donnees"}], "changedPropIds": [],
            "state": []}
    admin = client_as("admin").post("/_dash-update-component", json=body).get_json()
    analyst = client_as("analyste").post("/_dash-update-component", json=body).get_json()
    assert "donnees-history-grid" in str(admin["response"]["donnees-history"])
    assert "réservé aux administrateurs" in str(analyst["response"]["donnees-history"])


# --- sign-in, CSRF, rate limit ---------------------------------------------------

def _text(resp) -> str:
    return html.unescape(resp.get_data(as_text=True))


def _token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _address(n: int) -> dict:
    return {"REMOTE_ADDR": f"10.7.{n // 256}.{n % 256}"}


def test_sign_in_with_the_right_password_goes_to_the_page_asked_for(dash_app):
    client = dash_app.server.test_client()
    client.environ_base.update(_address(1))
    resp = client.post("/login", data={"login": TEST_USERS["analyste"], "password": TEST_PASSWORD,
                                       "csrf_token": _token(client), "suite": "/ssr?geste=PTH"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/ssr?geste=PTH"
    assert client.get("/ssr?geste=PTH").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_sign_in_never_redirects_outside_the_site(dash_app, target):
    client = dash_app.server.test_client()
    client.environ_base.update(_address(2))
    resp = client.post("/login", data={"login": TEST_USERS["analyste"], "password": TEST_PASSWORD,
                                       "csrf_token": _token(client), "suite": target})
    assert resp.headers["Location"] == "/"


def test_a_wrong_password_is_refused_in_french_and_opens_no_session(dash_app):
    client = dash_app.server.test_client()
    client.environ_base.update(_address(3))
    resp = client.post("/login", data={"login": TEST_USERS["analyste"], "password": "faux-mot-de-passe",
                                       "csrf_token": _token(client)})
    assert resp.status_code == 401 and "Identifiant ou mot de passe incorrect" in _text(resp)
    assert client.get("/ssr").status_code == 302


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_sign_in_without_a_valid_csrf_token_is_refused(dash_app, token):
    client = dash_app.server.test_client()
    client.environ_base.update(_address(4))
    _token(client)  # a session exists, but the form does not carry its token
    data = {"login": TEST_USERS["analyste"], "password": TEST_PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    resp = client.post("/login", data=data)
    assert resp.status_code == 400 and "formulaire a expiré ou n'est pas valide" in _text(resp)
    assert client.get("/ssr").status_code == 302


def test_a_csrf_token_from_another_session_is_refused(dash_app):
    other = dash_app.server.test_client()
    client = dash_app.server.test_client()
    client.environ_base.update(_address(5))
    _token(client)
    resp = client.post("/login", data={"login": TEST_USERS["analyste"], "password": TEST_PASSWORD,
                                       "csrf_token": _token(other)})
    assert resp.status_code == 400


def test_sign_out_needs_the_csrf_token_then_ends_the_session(client):
    assert client.post("/logout").status_code == 400
    assert client.get("/ssr").status_code == 200
    layout = client.get("/_dash-layout").get_data(as_text=True)
    token = re.search(r'"name":\s*"csrf_token",[^}]*"value":\s*"([^"]+)"', layout) or \
        re.search(r'"value":\s*"([^"]+)"[^}]*"name":\s*"csrf_token"', layout)
    assert client.post("/logout", data={"csrf_token": token.group(1)}).headers["Location"] == "/login"
    assert client.get("/ssr").status_code == 302


def test_sign_in_is_rate_limited_per_address_with_a_french_message(dash_app):
    client = dash_app.server.test_client()
    client.environ_base.update(_address(6))
    token = _token(client)
    statuses = [client.post("/login", data={"login": "x", "password": "y", "csrf_token": token}).status_code
                for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    last = client.post("/login", data={"login": TEST_USERS["analyste"], "password": TEST_PASSWORD, "csrf_token": token})
    assert last.status_code == 429 and "Trop de tentatives de connexion" in _text(last)
    elsewhere = dash_app.server.test_client()
    elsewhere.environ_base.update(_address(7))
    assert elsewhere.post("/login", data={"login": TEST_USERS["analyste"], "password": TEST_PASSWORD,
                                          "csrf_token": _token(elsewhere)}).status_code == 302


# --- sessions --------------------------------------------------------------------

def _session_cookie(resp) -> str:
    return next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("atlas_session="))


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_over_https(dash_app):
    for base, secure in (("http://localhost", False), ("https://localhost", True)):
        client = dash_app.server.test_client()
        client.environ_base.update(_address(8))
        token = re.search(r'name="csrf_token" value="([^"]+)"',
                          client.get("/login", base_url=base).get_data(as_text=True)).group(1)
        resp = client.post("/login", base_url=base, data={"login": TEST_USERS["analyste"], "password": TEST_PASSWORD,
                                                          "csrf_token": token})
        cookie = _session_cookie(resp)
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure


def test_a_session_ends_after_8_hours_without_a_request(client):
    move_session_back(client, "last_seen_at", 8 * 3600 + 5)
    resp = client.get("/ssr")
    assert resp.status_code == 302 and "expiree=1" in resp.headers["Location"]
    assert "session a expiré" in _text(client.get(resp.headers["Location"]))


def test_disabling_a_user_or_resetting_the_password_ends_open_sessions(dash_app, sqlite_url):
    from security import accounts

    with app_on(dash_app, sqlite_url) as server:
        accounts.create_user(sqlite_url, "bob", "un-mot-de-passe", "analyste")
        client = server.test_client()
        client.environ_base.update(_address(9))
        client.post("/login", data={"login": "bob", "password": "un-mot-de-passe", "csrf_token": _token(client)})
        assert client.get("/ssr").status_code == 200
        accounts.reset_password(sqlite_url, "bob", "un-autre-mot-de-passe")
        assert client.get("/ssr").status_code == 302
        client.post("/login", data={"login": "bob", "password": "un-autre-mot-de-passe", "csrf_token": _token(client)})
        assert client.get("/ssr").status_code == 200
        users.disable(sqlite_url, "bob")
        assert client.get("/ssr").status_code == 302
        assert accounts.authenticate(sqlite_url, "bob", "un-autre-mot-de-passe") is None


def test_passwords_are_stored_as_argon2id_hashes(sqlite_url):
    from security import accounts

    accounts.create_user(sqlite_url, "carole", "secret-de-carole", "iraps")
    stored = users.by_login(sqlite_url, "carole").password_hash
    assert stored.startswith("$argon2id$") and "secret-de-carole" not in stored
    assert accounts.authenticate(sqlite_url, "carole", "secret-de-carole").role == "iraps"
    assert accounts.authenticate(sqlite_url, "carole", "Secret-de-carole") is None
    with pytest.raises(ValueError, match="trop court"):
        accounts.create_user(sqlite_url, "dan", "court", "analyste")
    with pytest.raises(ValueError, match="Rôle inconnu"):
        accounts.create_user(sqlite_url, "dan", "assez-long", "directeur")


# --- the command line --------------------------------------------------------------

def _manage(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "--url", url, *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_manage_creates_disables_and_resets_users_reading_passwords_from_stdin(sqlite_url):
    from security import accounts

    created = _manage(sqlite_url, "create-user", "eve", "--role", "medecin_conseil", stdin="mdp-de-eve-123\n")
    assert created.returncode == 0, created.stderr
    assert "mdp-de-eve-123" not in created.stdout
    assert accounts.authenticate(sqlite_url, "eve", "mdp-de-eve-123").role == "medecin_conseil"
    again = _manage(sqlite_url, "create-user", "eve", "--role", "analyste", stdin="autre-mot-de-passe\n")
    assert again.returncode == 1 and "existe déjà" in again.stderr
    assert _manage(sqlite_url, "disable-user", "eve").returncode == 0
    assert accounts.authenticate(sqlite_url, "eve", "mdp-de-eve-123") is None
    assert _manage(sqlite_url, "reset-password", "eve", stdin="nouveau-mdp-456\n").returncode == 0
    assert accounts.authenticate(sqlite_url, "eve", "nouveau-mdp-456").login == "eve"


def test_production_refuses_the_default_secret_key_and_demo_accounts(sqlite_url):
    from config import DEFAULT_SECRET_KEY, Settings
    from factory import ConfigurationError, check_configuration
    from security import accounts

    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        check_configuration(Settings(database_url=sqlite_url, secret_key=DEFAULT_SECRET_KEY))
    good = Settings(database_url=sqlite_url, secret_key="a" * 64)
    check_configuration(good)
    accounts.ensure_demo_accounts(sqlite_url)
    with pytest.raises(ConfigurationError, match="démonstration"):
        check_configuration(good)
    check_configuration(Settings(database_url=sqlite_url, atlas_env="demo"))  # make run
    assert users.delete_demo(sqlite_url) == 4
    check_configuration(good)


# --- headers and errors -------------------------------------------------------------

@pytest.mark.parametrize("path", ["/login", "/health", "/ssr", "/_dash-layout", "/export/ssr.csv", "/assets/atlas.css",
                                  "/etablissement/000000000"])
def test_security_headers_on_every_kind_of_response(client, path):
    resp = client.get(path)
    csp = dict(d.strip().split(" ", 1) for d in resp.headers["Content-Security-Policy"].split(";"))
    assert "'unsafe-eval'" not in csp["script-src"] and "'unsafe-inline'" not in csp["script-src"]
    assert csp["script-src"].startswith("'self'") and csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_every_inline_script_of_a_page_is_allowed_by_its_hash_and_no_other(client):
    resp = client.get("/ssr")
    page = resp.get_data(as_text=True)
    inline = [m.group(2) for m in re.finditer(r"<script([^>]*)>(.*?)</script>", page, re.S)
              if "src=" not in m.group(1) and "application/json" not in m.group(1)]
    assert inline, "Dash serves its renderer and clientside callbacks inline"
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in inline}
    script_src = next(d for d in resp.headers["Content-Security-Policy"].split(";") if d.strip().startswith("script-src"))
    allowed = set(script_src.split()[2:])
    assert hashes <= allowed


def test_errors_show_no_trace_nor_sql(client):
    resp = client.post("/_dash-update-component", json={"output": "nothing.children", "outputs": {"id": "nothing"},
                                                         "inputs": "not-a-list"})
    text = resp.get_data(as_text=True)
    assert resp.status_code >= 400
    assert "Traceback" not in text and "File \"" not in text and "SELECT" not in text.upper()


# --- audit trail ----------------------------------------------------------------------

def test_sign_ins_exports_and_imports_are_in_the_audit_trail(dash_app, sqlite_url, tmp_path):
    with app_on(dash_app, sqlite_url) as server:
        client = server.test_client()
        client.environ_base.update(_address(10))
        token = _token(client)
        client.post("/login", data={"login": TEST_USERS["medecin_conseil"], "password": "faux", "csrf_token": token})
        client.post("/login", data={"login": TEST_USERS["medecin_conseil"], "password": TEST_PASSWORD,
                                    "csrf_token": token})
        assert client.get("/export/ssr.csv?geste=PTG").status_code == 200
        assert client.get(f"/export/profil/{FINESS}.pdf").status_code == 404  # absent: not an export
    bad = tmp_path / "ssr.csv"
    bad.write_text("finess;annee\n", encoding="utf-8")
    assert _manage(sqlite_url, "import", "ssr_recourse", str(bad), "--user", "marie").returncode == 1
    events = users.audit_events(sqlite_url)
    got = list(zip(events["login"], events["event"], events["address"]))[::-1]
    assert got == [(TEST_USERS["medecin_conseil"], "connexion_refusee", "10.7.0.10"),
                   (TEST_USERS["medecin_conseil"], "connexion", "10.7.0.10"),
                   (TEST_USERS["medecin_conseil"], "export_csv", "10.7.0.10"),
                   ("marie", "import_refuse", "")]
    assert events["target"].iloc[1] == "/export/ssr.csv?geste=PTG"
    only_exports = users.audit_events(sqlite_url, event="export_csv", since=dt.date.today())
    assert len(only_exports) == 1
    assert users.audit_events(sqlite_url, login="MARIE")["event"].tolist() == ["import_refuse"]


def test_the_admin_page_lists_and_filters_the_audit_trail(client_as):
    admin = client_as("admin")
    body = {"output": "..admin-audit.children...admin-audit-count.children..",
            "outputs": [{"id": "admin-audit", "property": "children"}, {"id": "admin-audit-count", "property": "children"}],
            "inputs": [{"id": "admin-login", "property": "value", "value": "t-adm"},
                       {"id": "admin-event", "property": "value", "value": ""},
                       {"id": "admin-since", "property": "value", "value": None},
                       {"id": "admin-until", "property": "value", "value": None}],
            "changedPropIds": ["admin-login.value"], "state": []}
    admin.get("/export/ssr.csv")
    data = admin.post("/_dash-update-component", json=body).get_json()["response"]
    rows = data["admin-audit"]["children"]["props"]["rowData"]
    assert rows and {r["login"] for r in rows} == {TEST_USERS["admin"]}
    assert rows[0]["evenement"] == "Export CSV" and rows[0]["objet"] == "/export/ssr.csv"


def test_a_profile_view_is_in_the_audit_trail_with_its_mode(dash_app, sqlite_url):
    small_ssr_dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        # opening the profile (its layout draws it) and picking a year (render_profile)
        page_layout(server, "medecin_conseil", "etablissement", finess="330000017")
        page_layout(server, "medecin_conseil", "etablissement", presentation=True, finess="330000017")
        body = dash_body(dash_app, "render_profile", [2023], [{"finess": "330000017", "raw": "330000017"}, None, None])
        assert signed_client(server, "medecin_conseil").post("/_dash-update-component", json=body).status_code == 200
    events = users.audit_events(sqlite_url, event="profil_consulte")
    assert events["login"].tolist() == [TEST_USERS["medecin_conseil"]] * 3
    assert events["target"].tolist() == ["330000017"] * 3
    assert sorted(events["detail"].tolist()) == ["année 2023", "année 2024", "année 2024 · mode présentation"]


@pytest.mark.parametrize("role", ROLES)
def test_establishment_exports_are_offered_only_to_roles_that_may_download_them(dash_app, role):
    """The server refuses them to iraps (matrix above); the pages do not show the links either."""
    import flask

    msap, caqes = importlib.import_module("pages.msap"), importlib.import_module("pages.caqes")
    settings = dash_app.server.config["ATLAS_SETTINGS"]
    with dash_app.server.test_request_context("/msap"):
        flask.g.atlas_user = users.by_login(settings.database_url, TEST_USERS[role])
        links = [find_component(msap.layout(), "msap-exports"), find_component(caqes.layout(), "caqes-export")]
    assert all(link is not None for link in links)
    assert [bool(link.hidden) for link in links] == [role == "iraps"] * 2
