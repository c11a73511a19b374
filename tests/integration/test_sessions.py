"""Sessions end on the server (sign-out, password reset, disabled account, an administrator, the idle and
absolute limits), the address after sign-in stays on this site, and a demo signs with a key of its own."""
from __future__ import annotations

import hashlib
import re
import stat
import subprocess
import sys
from urllib.parse import urljoin, urlsplit

import pytest

from config import DEFAULT_SECRET_KEY, ROOT, Settings
from data_access import users
from tests.conftest import TEST_PASSWORD, TEST_USERS, app_on, dash_body, move_session_back, signed_client

COOKIE = "atlas_session"


def _address(n: int) -> dict:
    return {"REMOTE_ADDR": f"10.9.{n // 256}.{n % 256}"}


def _token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _sign_in(server, login: str, password: str, n: int):
    """A new client signed in through the form, as a browser does."""
    client = server.test_client()
    client.environ_base.update(_address(n))
    resp = client.post("/login", data={"login": login, "password": password, "csrf_token": _token(client)})
    assert resp.status_code == 302, resp.status_code
    return client


def _replay(server, cookie: str):
    """Another client presenting a copy of a session cookie."""
    thief = server.test_client()
    thief.set_cookie(COOKIE, cookie)
    return thief


def _cookie(client) -> str:
    return client.get_cookie(COOKIE).value


def _shell_csrf(client) -> str:
    layout = client.get("/_dash-layout").get_data(as_text=True)
    found = (re.search(r'"name":\s*"csrf_token",[^}]*"value":\s*"([^"]+)"', layout)
             or re.search(r'"value":\s*"([^"]+)"[^}]*"name":\s*"csrf_token"', layout))
    return found.group(1)


def _refused(client) -> bool:
    """The client is no longer signed in: the export answers 401 and a page sends to /login."""
    export = client.get("/export/msap.csv")
    page = client.get("/ssr")
    return export.status_code == 401 and page.status_code == 302 and page.headers["Location"].startswith("/login")


# --- point 4: revocable sessions -------------------------------------------------------

def test_a_cookie_copied_before_sign_out_no_longer_downloads_the_export(dash_app, db_url):
    with app_on(dash_app, db_url) as server:
        client = _sign_in(server, TEST_USERS["analyste"], TEST_PASSWORD, 1)
        copied = _cookie(client)
        assert _replay(server, copied).get("/export/msap.csv").status_code == 200  # the copy works while signed in
        assert client.post("/logout", data={"csrf_token": _shell_csrf(client)}).headers["Location"] == "/login"
        assert _refused(_replay(server, copied))


def test_sign_in_draws_a_new_session_and_ends_the_one_the_browser_carried(dash_app, sqlite_url):
    with app_on(dash_app, sqlite_url) as server:
        client = _sign_in(server, TEST_USERS["analyste"], TEST_PASSWORD, 2)
        first = _cookie(client)
        client.post("/login", data={"login": TEST_USERS["medecin_conseil"], "password": TEST_PASSWORD,
                                    "csrf_token": _shell_csrf(client)})
        assert _cookie(client) != first
        assert client.get("/export/msap.csv").status_code == 200
        assert _refused(_replay(server, first))


def test_the_server_keeps_only_a_hash_of_the_session_token(dash_app, sqlite_url):
    from sqlalchemy import select

    from data_access import models
    from data_access.db import connect

    with app_on(dash_app, sqlite_url) as server:
        client = _sign_in(server, TEST_USERS["analyste"], TEST_PASSWORD, 3)
        with client.session_transaction() as session:
            token = session["sid"]
    assert len(token) >= 43  # 256 bits, URL-safe base64
    with connect(sqlite_url) as conn:
        rows = conn.execute(select(models.UserSession.id, models.UserSession.address,
                                   models.UserSession.revoked_at)).all()
    assert [tuple(r) for r in rows] == [(hashlib.sha256(token.encode()).hexdigest(), "10.9.0.3", None)]


def _open_sessions(client_admin, dash_app) -> dict[str, int]:
    body = dash_body(dash_app, "show_users", ["/admin"])
    rows = client_admin.post("/_dash-update-component", json=body).get_json()["response"]["admin-users"][
        "children"]["props"]["rowData"]
    return {r["login"]: r["sessions"] for r in rows}


@pytest.mark.parametrize("how", ["reset-password", "disable-user"])
def test_a_password_reset_or_a_disabled_account_ends_every_session_on_the_server(dash_app, sqlite_url, how):
    """Through manage.py, as an operator does; the replayed cookies are refused and the server counts
    no open session left."""
    from security import accounts

    with app_on(dash_app, sqlite_url) as server:
        accounts.create_user(sqlite_url, "bob", "un-mot-de-passe", "analyste")
        browsers = [_sign_in(server, "bob", "un-mot-de-passe", 10 + i) for i in range(2)]
        copies = [_cookie(b) for b in browsers]
        admin = signed_client(server, "admin")
        assert _open_sessions(admin, dash_app)["bob"] == 2
        done = subprocess.run([sys.executable, "manage.py", "--url", sqlite_url, how, "bob"],
                              input="un-autre-mot-de-passe\n", capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert done.returncode == 0, done.stderr
        assert all(_refused(_replay(server, c)) for c in copies)
        assert _open_sessions(admin, dash_app)["bob"] == 0


def test_a_session_ends_12_hours_after_sign_in_however_active(client):
    assert client.get("/ssr").status_code == 200
    move_session_back(client, "created_at", 12 * 3600 + 5)
    resp = client.get("/ssr")
    assert resp.status_code == 302 and "expiree=1" in resp.headers["Location"]


def test_last_seen_is_written_at_most_once_a_minute(client):
    from data_access.db import connect

    url = client.application.config["ATLAS_SETTINGS"].database_url
    with client.session_transaction() as session:
        session_id = hashlib.sha256(session["sid"].encode()).hexdigest()

    def last_seen():
        from sqlalchemy import select

        from data_access import models

        with connect(url) as conn:
            return conn.execute(select(models.UserSession.last_seen_at)
                                .where(models.UserSession.id == session_id)).scalar_one()

    before = last_seen()
    for _ in range(3):
        assert client.get("/export/ssr.csv").status_code == 200
    assert last_seen() == before
    move_session_back(client, "last_seen_at", 61)
    moved = last_seen()
    assert client.get("/export/ssr.csv").status_code == 200
    assert last_seen() > moved


def test_an_admin_ends_a_users_sessions_from_the_admin_page_and_it_is_audited(dash_app, db_url):
    with app_on(dash_app, db_url) as server:
        analysts = [signed_client(server, "analyste") for _ in range(2)]
        admin = signed_client(server, "admin")
        body = dash_body(dash_app, "end_sessions", [1], [TEST_USERS["analyste"]])
        resp = admin.post("/_dash-update-component", json=body)
        assert resp.status_code == 200
        answer = resp.get_json()["response"]
        assert "2 session(s)" in str(answer["admin-sessions-result"]["children"])
        shown = {r["login"]: r["sessions"] for r in answer["admin-users"]["children"]["props"]["rowData"]}
        assert shown[TEST_USERS["analyste"]] == 0 and shown[TEST_USERS["admin"]] == 1
        assert all(_refused(a) for a in analysts)
        assert admin.get("/export/msap.csv").status_code == 200  # the admin's own session goes on
        assert _open_sessions(admin, dash_app)[TEST_USERS["analyste"]] == 0
    events = users.audit_events(db_url, event="sessions_fermees")
    assert [(e.login, e.role, e.target) for e in events.itertuples()] == [
        (TEST_USERS["admin"], "admin", TEST_USERS["analyste"])]


@pytest.mark.parametrize("role", ["analyste", "medecin_conseil", "iraps"])
def test_only_an_admin_may_end_sessions(dash_app, sqlite_url, role):
    with app_on(dash_app, sqlite_url) as server:
        victim = signed_client(server, "admin")
        body = dash_body(dash_app, "end_sessions", [1], [TEST_USERS["admin"]])
        resp = signed_client(server, role).post("/_dash-update-component", json=body)
        assert resp.status_code == 204
        assert victim.get("/admin").status_code == 200
    assert users.audit_events(sqlite_url, event="sessions_fermees").empty


def test_the_admin_page_offers_to_end_a_users_sessions(dash_app):
    import importlib

    import flask

    admin_page = importlib.import_module("pages.admin")
    url = dash_app.server.config["ATLAS_SETTINGS"].database_url
    with dash_app.server.test_request_context("/admin"):
        flask.g.atlas_user = users.by_login(url, TEST_USERS["admin"])
        text = str(admin_page.layout().to_plotly_json())
    assert "admin-sessions-end" in text and "Fermer ses sessions" in text
    assert all(f"'value': '{login}'" in text for login in TEST_USERS.values())


# --- point 5: no open redirect -----------------------------------------------------------

def _stays_here(location: str) -> bool:
    """Where a browser would go with this Location, read as browsers do (WHATWG URL: C0 controls and
    spaces stripped at the ends, tab/LF/CR dropped anywhere, a backslash read as a slash)."""
    cleaned = location.strip("".join(map(chr, range(0x21))))
    cleaned = re.sub(r"[\t\n\r]", "", cleaned).replace("\\", "/")
    if not cleaned.startswith("/") or cleaned.startswith("//"):
        return False
    return urlsplit(urljoin("http://atlas.test/login", cleaned)).netloc == "atlas.test"


# raw, as typed after ?suite= (so "%09" is a tab once decoded)
HOSTILE = ["/%09/evil.example", "/%0A/evil.example", "/%0D/evil.example", "%0A//evil.example", "/%0D%0A/evil.example",
           "//evil.example", "/%5C/evil.example", "/%5Cevil.example", "%5C%5Cevil.example", "https://evil.example",
           "https:evil.example", "javascript:alert(1)", "%2F%2Fevil.example", "/%2F/evil.example",
           "%20//evil.example", "/%00/evil.example", "/%C2%A0/evil.example", "/%E3%80%80/evil.example",
           "/%E2%80%A8/evil.example", "/%EF%BB%BF/evil.example", "/%E2%80%8B/evil.example",
           "%EF%BC%8F%EF%BC%8Fevil.example", "/%EF%BC%8Fevil.example", "%E2%81%84%E2%81%84evil.example",
           "/ssr%0D%0ASet-Cookie:%20x=1"]


@pytest.mark.parametrize("n, raw", list(enumerate(HOSTILE)))
def test_the_address_after_sign_in_never_leaves_the_site_nor_fails(dash_app, n, raw):
    client = dash_app.server.test_client()
    client.environ_base.update(_address(100 + n))
    form = client.get(f"/login?suite={raw}")
    assert form.status_code == 200
    kept = re.search(r'name="suite" value="([^"]*)"', form.get_data(as_text=True)).group(1)
    resp = client.post("/login", data={"login": TEST_USERS["analyste"], "password": TEST_PASSWORD,
                                       "csrf_token": _token(client), "suite": kept})
    assert resp.status_code == 302 and _stays_here(resp.headers["Location"]), resp.headers.get("Location")
    # the same target posted directly, decoded once as the form would carry it
    from urllib.parse import unquote

    again = client.post("/login", data={"login": TEST_USERS["analyste"], "password": TEST_PASSWORD,
                                        "csrf_token": _token(client), "suite": unquote(raw)})
    assert again.status_code == 302 and _stays_here(again.headers["Location"]), again.headers.get("Location")
    # every hostile target falls back to "/"; a fullwidth solidus after "/" is only a path of this site
    expected = "/%EF%BC%8Fevil.example" if raw == "/%EF%BC%8Fevil.example" else "/"
    assert resp.headers["Location"] == again.headers["Location"] == expected


@pytest.mark.parametrize("target, location", [
    ("/ssr?geste=PTH&annee=2023", "/ssr?geste=PTH&annee=2023"),
    ("/etablissements?q=Périgueux", "/etablissements?q=P%C3%A9rigueux"),
    ("/etablissement/330000017?annee=2024#profil", "/etablissement/330000017?annee=2024#profil"),
])
def test_an_address_of_the_site_is_kept_after_sign_in(dash_app, target, location):
    client = dash_app.server.test_client()
    client.environ_base.update(_address(200 + len(target)))
    resp = client.post("/login", data={"login": TEST_USERS["analyste"], "password": TEST_PASSWORD,
                                       "csrf_token": _token(client), "suite": target})
    assert resp.status_code == 302 and resp.headers["Location"] == location


# --- point 7: the demo key --------------------------------------------------------------

def test_a_demo_without_secret_key_draws_a_random_key_once_and_keeps_it_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    path = tmp_path / "data" / "secret_key"
    first = Settings(atlas_env="demo", secret_key_file=path)
    assert first.secret_key != DEFAULT_SECRET_KEY and len(first.secret_key) >= 64
    assert path.read_text().strip() == first.secret_key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings(atlas_env="demo", secret_key_file=path).secret_key == first.secret_key  # the next `make run`
    other = Settings(atlas_env="demo", secret_key_file=tmp_path / "other" / "secret_key")
    assert other.secret_key != first.secret_key  # drawn at random, not derived from anything in the code
    assert Settings(atlas_env="demo", secret_key="x" * 40, secret_key_file=path).secret_key == "x" * 40


def test_the_demo_key_is_not_in_git(tmp_path):
    ignored = subprocess.run(["git", "check-ignore", "-q", "data/secret_key"], cwd=ROOT, capture_output=True)
    if ignored.returncode == 128:
        pytest.skip("not a git checkout")
    assert ignored.returncode == 0


def test_production_still_refuses_the_development_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    from factory import ConfigurationError, check_configuration

    settings = Settings(database_url=f"sqlite:///{tmp_path}/x.sqlite", secret_key_file=tmp_path / "secret_key")
    assert settings.secret_key == DEFAULT_SECRET_KEY and not (tmp_path / "secret_key").exists()
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        check_configuration(settings)
