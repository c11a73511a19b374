"""Issue 14, points 2 and 3: the database goes away and comes back (SQLite file renamed, PostgreSQL
database renamed), a saturated pool, an audit trail that cannot be written.

The same app object serves before, during and after: /health tells the truth, pages show the French
banner, callbacks and exports answer a French 503, no empty database appears at the path, and the app
works again by itself once the database is back.
"""
from __future__ import annotations

import re
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from data_access import db, queries, users
from data_access.bootstrap import init_db
from tests.conftest import _admin_exec, app_on, signed_client
from tests.factories import small_ssr_dataset
from text import unavailable

EXPORTS = ["/export/ssr.csv?geste=PTG&annee=2024", "/export/msap.csv", "/export/msap.xlsx", "/export/caqes.csv",
           "/export/profil/330000017.pdf"]


def ssr_render_body(client) -> dict:
    """Dash pages' own callback rendering /ssr (what the browser posts once the shell is loaded)."""
    from bench.load.burst import pages_content_body

    return pages_content_body(client.get("/_dash-dependencies").get_json(), "/ssr")


def assert_unreachable(client, body: dict) -> None:
    health = client.get("/health")
    assert health.status_code == 503
    assert health.get_json() == {"status": "error", "database": "injoignable"}
    page = client.get("/ssr")
    assert page.status_code == 503 and page.headers["Retry-After"]
    html = page.get_data(as_text=True)
    assert unavailable.DATABASE_UNREACHABLE in html and 'role="alert"' in html and '<html lang="fr">' in html
    callback = client.post("/_dash-update-component", json=body)
    assert callback.status_code == 503
    assert callback.get_json() == {"erreur": unavailable.DATABASE_UNREACHABLE}
    export = client.get(EXPORTS[0])
    assert export.status_code == 503 and "Content-Disposition" not in export.headers
    assert export.get_json() == {"erreur": unavailable.DATABASE_UNREACHABLE}
    form = client.get("/login").get_data(as_text=True)  # the form itself needs no database
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    sign_in = client.post("/login", data={"login": "t-analyste", "password": "x", "csrf_token": token},
                          environ_base={"REMOTE_ADDR": "10.14.3.1"})
    assert sign_in.status_code == 503 and unavailable.DATABASE_UNREACHABLE in sign_in.get_data(as_text=True)


def assert_working(client, body: dict) -> None:
    assert client.get("/health").get_json()["status"] == "ok"
    assert client.get("/ssr").status_code == 200
    callback = client.post("/_dash-update-component", json=body)
    assert callback.status_code == 200 and "ssr" in callback.get_data(as_text=True)
    assert client.get(EXPORTS[0]).status_code == 200


def test_the_sqlite_file_moved_away_and_back_banner_then_content_without_restart(dash_app, sqlite_url):
    small_ssr_dataset(sqlite_url)
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    away = path.with_name("ailleurs.sqlite")
    with app_on(dash_app, sqlite_url) as server:
        client = signed_client(server, "analyste")
        body = ssr_render_body(client)
        assert_working(client, body)  # the pools now hold connections to the file
        path.rename(away)
        try:
            assert_unreachable(client, body)
            assert not path.exists(), "a new empty database was created at the path"
        finally:
            away.rename(path)
        assert_working(client, body)


@contextmanager
def pg_renamed(url: str):
    """The database of `url` renamed (its connections ended first), then renamed back."""
    name = url.rsplit("/", 1)[1]
    _admin_exec(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
                "AND pid <> pg_backend_pid()")
    _admin_exec(f'ALTER DATABASE "{name}" RENAME TO "{name}_away"')
    try:
        yield
    finally:
        _admin_exec(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}_away'")
        _admin_exec(f'ALTER DATABASE "{name}_away" RENAME TO "{name}"')


def test_the_postgresql_database_renamed_and_back_banner_then_content_without_restart(dash_app, pg_url):
    small_ssr_dataset(pg_url)
    with app_on(dash_app, pg_url) as server:
        client = signed_client(server, "analyste")
        body = ssr_render_body(client)
        assert_working(client, body)
        with pg_renamed(pg_url):
            assert_unreachable(client, body)
        assert_working(client, body)


def test_no_sqlite_database_is_created_outside_init_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'absent' / 'atlas.sqlite'}"
    with pytest.raises(OperationalError):
        queries.ping(url)
    assert not (tmp_path / "absent").exists()
    init_db(url)  # init-db creates it
    queries.ping(url)
    db.dispose_all()


def _break_audit_trail(url: str) -> None:
    with db.get_engine(url).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS "
                              "$$ BEGIN RAISE EXCEPTION 'audit indisponible'; END $$"))
            conn.execute(text("CREATE TRIGGER audit_down BEFORE INSERT ON audit_events "
                              "FOR EACH ROW EXECUTE FUNCTION audit_down()"))
        else:
            conn.execute(text("CREATE TRIGGER audit_down BEFORE INSERT ON audit_events "
                              "BEGIN SELECT RAISE(ABORT, 'audit indisponible'); END"))


def test_an_export_whose_audit_cannot_be_written_is_not_served(dash_app, db_url):
    small_ssr_dataset(db_url)
    with app_on(dash_app, db_url) as server:
        client = signed_client(server, "analyste")
        _break_audit_trail(db_url)
        for path in EXPORTS:
            resp = client.get(path)
            assert resp.status_code == 503, path
            assert resp.get_json() == {"erreur": unavailable.EXPORT_NOT_AUDITED}, path
            assert "Content-Disposition" not in resp.headers and resp.mimetype == "application/json"
            assert resp.headers["Content-Security-Policy"] and resp.headers["Retry-After"]
        assert users.audit_events(db_url, event="export_csv").empty
        with db.get_engine(db_url).begin() as conn:
            conn.execute(text("DROP TRIGGER audit_down" + (" ON audit_events" if conn.dialect.name == "postgresql"
                                                           else "")))
        resp = client.get(EXPORTS[0])
        assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    assert users.audit_events(db_url, event="export_csv")["target"].tolist() == [EXPORTS[0]]


@pytest.fixture
def tiny_pools():
    """One connection per pool, a wait of one second (engines created during the test)."""
    saved = dict(db.POOL)
    db.configure_pools(1, 0, 1.0)
    yield
    db.POOL.update(saved)


def test_a_saturated_pool_answers_a_french_503_within_seconds_not_after_30(dash_app, sqlite_url, tiny_pools):
    small_ssr_dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        client = signed_client(server, "analyste")
        held = db.snapshot_engine(sqlite_url).connect()  # another request holding the only snapshot
        try:
            t0 = time.monotonic()
            export = client.get(EXPORTS[0])
            waited = time.monotonic() - t0
            page = client.get("/ssr")
        finally:
            held.close()
        assert export.status_code == 503 and waited < 5
        assert export.get_json() == {"erreur": unavailable.SERVER_SATURATED}
        assert page.status_code == 503 and unavailable.SERVER_SATURATED in page.get_data(as_text=True)
        assert client.get(EXPORTS[0]).status_code == 200


def test_every_page_loads_the_banner_script(client):
    html = client.get("/ssr").get_data(as_text=True)
    assert "/assets/db-banner.js" in html and "/assets/db-banner.css" in html
    script = client.get("/assets/db-banner.js").get_data(as_text=True)
    assert "status === 503" in script and "/health" in script
