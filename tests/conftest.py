"""Shared fixtures: databases built once per session from a template, on SQLite and PostgreSQL.

PostgreSQL tests skip when no server answers, except when ATLAS_REQUIRE_SERVICES=1
(set by .ci/run), where they fail instead.

`make test` runs the tests in two pytest-xdist processes: session fixtures are built once per process,
in that process's own temporary folder (tmp_path_factory) and under database names carrying its id, and
every server a test starts listens on a free port.
"""
from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

from data_access.bootstrap import init_db
from data_access.db import dispose_all

PG_ADMIN_URL = os.environ.get("ATLAS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_SERVICES = os.environ.get("ATLAS_REQUIRE_SERVICES") == "1"


def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser/ is a browser test (run in its own pytest process by
    `make test`: Playwright's event loop would otherwise sit in the thread Dash's async
    callback runner uses for the in-process app tests)."""
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)


def pg_database_name(prefix: str) -> str:
    """A new database name: random, and naming the pytest-xdist worker that made it (two workers create
    databases on the same server at the same time; a leftover says which process left it)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"{prefix}_{worker}_{uuid.uuid4().hex[:8]}"


def _pg_base(url: str) -> str:
    return url.rsplit("/", 1)[0]


def pg_available() -> bool:
    try:
        eng = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


def require_pg() -> None:
    if not pg_available():
        if REQUIRE_SERVICES:
            pytest.fail(f"PostgreSQL injoignable ({PG_ADMIN_URL}) alors que les tests PostgreSQL sont obligatoires")
        pytest.skip("PostgreSQL not available")


def _admin_exec(sql: str) -> None:
    eng = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(sql))
    eng.dispose()


# One account per role in every test database (ids 1..4 in this order), so a signed-in test client
# stays signed in whichever database `app_on` points the app at.
TEST_PASSWORD = "mot-de-passe-de-test"
TEST_USERS = {"admin": "t-admin", "analyste": "t-analyste", "medecin_conseil": "t-medecin", "iraps": "t-iraps"}


def _add_test_users(url: str) -> None:
    from security import accounts

    for role, login in TEST_USERS.items():
        accounts.create_user(url, login, TEST_PASSWORD, role)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("template") / "atlas.sqlite"
    init_db(f"sqlite:///{path}")
    _add_test_users(f"sqlite:///{path}")
    dispose_all()
    return str(path)


@pytest.fixture(scope="session")
def pg_template() -> str:
    require_pg()
    name = pg_database_name("atlas_tpl")
    _admin_exec(f'CREATE DATABASE "{name}"')
    url = f"{_pg_base(PG_ADMIN_URL)}/{name}"
    init_db(url)
    _add_test_users(url)
    dispose_all()
    yield name
    _admin_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(sqlite_template, tmp_path) -> str:
    """A fresh SQLite database with geography and catalogues, no facts."""
    path = tmp_path / "atlas.sqlite"
    shutil.copy(sqlite_template, path)
    yield f"sqlite:///{path}"
    dispose_all()


@pytest.fixture
def pg_url(request) -> str:
    """A fresh PostgreSQL database cloned from the session template."""
    template = request.getfixturevalue("pg_template")
    name = pg_database_name("atlas_t")
    _admin_exec(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield f"{_pg_base(PG_ADMIN_URL)}/{name}"
    dispose_all()
    _admin_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request) -> str:
    """Run the test on both engines."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return request.getfixturevalue(fixture)


@pytest.fixture(scope="session")
def dash_app(sqlite_template, tmp_path_factory):
    """The Dash app, built once per test session (Dash hands global callbacks to the first app only)."""
    from config import Settings
    from factory import create_app

    path = tmp_path_factory.mktemp("app") / "atlas.sqlite"
    shutil.copy(sqlite_template, path)
    return create_app(Settings(database_url=f"sqlite:///{path}", atlas_env="test"))


def sign_in(test_client, role: str):
    """Open a session for the test user of `role` as the sign-in does (a server-side session row in
    the app's current database, its token in the cookie) but without POST /login, so the sign-in
    rate limit is left to the tests about it."""
    from data_access import users
    from security import auth

    url = test_client.application.config["ATLAS_SETTINGS"].database_url
    user = users.by_login(url, TEST_USERS[role])
    with test_client.session_transaction() as session:
        auth.start_session(session, url, user, address="127.0.0.1", user_agent="pytest")
        session["anon_salt"] = "sel-de-test"
    return test_client


def move_session_back(test_client, column: str, seconds: float) -> None:
    """Move the `column` ("last_seen_at" or "created_at") of the client's server-side session
    `seconds` into the past, as if that much time had gone by."""
    import datetime as dt
    import hashlib

    from sqlalchemy import update

    from data_access import models
    from data_access.db import get_engine
    from security import auth

    url = test_client.application.config["ATLAS_SETTINGS"].database_url
    with test_client.session_transaction() as session:
        session_id = hashlib.sha256(session[auth.SESSION_TOKEN].encode()).hexdigest()
    when = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds)
    with get_engine(url).begin() as conn:
        moved = conn.execute(update(models.UserSession).where(models.UserSession.id == session_id)
                             .values({column: when})).rowcount
    assert moved == 1


def signed_client(server, role: str = "analyste"):
    """A new test client of `server` (the Flask app) signed in with `role`."""
    return sign_in(server.test_client(), role)


@pytest.fixture
def anonymous_client(dash_app):
    return dash_app.server.test_client()


@pytest.fixture
def client(dash_app):
    """A test client signed in as `analyste` (all views, all exports, real counts)."""
    return sign_in(dash_app.server.test_client(), "analyste")


@pytest.fixture
def client_as(dash_app):
    """client_as("iraps") -> a new test client signed in with that role."""
    return lambda role: sign_in(dash_app.server.test_client(), role)


@contextmanager
def app_on(dash_app, url: str):
    """Point the session's app at another database for the duration of a test; yields its Flask server."""
    from config import Settings

    config = dash_app.server.config
    saved = config["ATLAS_SETTINGS"]
    config["ATLAS_SETTINGS"] = Settings(database_url=url, atlas_env="test")
    try:
        yield dash_app.server
    finally:
        config["ATLAS_SETTINGS"] = saved


def page_layout(server, role: str, page: str, presentation: bool = False, **query):
    """The layout `pages.<page>` draws for the test user of `role` (in the presentation mode when
    asked), as the navigation's request would render it, with the address's `query`."""
    import importlib

    from flask import g, session

    from data_access import users
    from security.presentation import SESSION_PRESENTATION

    module = importlib.import_module(f"pages.{page}")
    url = server.config["ATLAS_SETTINGS"].database_url
    with server.test_request_context("/"):
        g.atlas_user = users.by_login(url, TEST_USERS[role])
        if presentation:
            session[SESSION_PRESENTATION] = True
        return module.layout(**query)


def find_component(component, component_id: str):
    """The component with this id in a Dash layout tree, or None."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "to_plotly_json") and (found := find_component(child, component_id)) is not None:
            return found
    return None


def dash_body(dash_app, name: str, inputs: list, state: list | tuple = ()) -> dict:
    """The body the browser would post to /_dash-update-component for the callback function `name`
    ("render_profile", or "ssr.render_tables" where names repeat), with these input and state values
    (in the callback's order)."""
    import dash._callback as registry

    def qualified(spec) -> str:
        fn = getattr(spec["callback"], "__wrapped__", spec["callback"])
        return f"{fn.__module__}.{fn.__name__}"

    callbacks = {**registry.GLOBAL_CALLBACK_MAP, **dash_app.callback_map}
    matches = [(k, v) for k, v in callbacks.items()
               if v.get("callback") is not None and ("." + qualified(v)).endswith("." + name)]
    assert len(matches) == 1, f"{len(matches)} callbacks named {name}"
    key, spec = matches[0]
    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1))) for o in key.strip(".").split("...")]
    return {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
            "inputs": [{**i, "value": v} for i, v in zip(spec["inputs"], inputs)],
            "state": [{**i, "value": v} for i, v in zip(spec["state"], state)], "changedPropIds": []}
