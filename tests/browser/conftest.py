"""Real-browser fixtures: the app served in a subprocess, driven by Debian's Chromium through Playwright.

Session fixtures are per process: under pytest-xdist (`make test` runs the browser tests in two processes,
one file at a time each), every process seeds its own demo database, starts its own gunicorn on a free port
and its own Chromium, so no test sees another process's writes (a campaign created by test_actions).

No browser is ever downloaded: Playwright launches /usr/bin/chromium. Without Chromium the
tests skip, except under ATLAS_REQUIRE_SERVICES=1 (CI), where they fail.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

from bench.common import click_lon_lat
from tests.conftest import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# WebGL in software makes Chromium warn about GPU stalls; they are not errors of the app.
IGNORED_CONSOLE = ("GPU stall due to ReadPixels", "Automatic fallback to software WebGL")

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed_national(sqlite_template: str, path: Path) -> None:
    from data_access import demo
    from data_access.db import dispose_all

    shutil.copy(sqlite_template, path)
    demo.seed_demo(f"sqlite:///{path}", scale="national", seed=42, progress=lambda *_: None)
    dispose_all()
    # as `manage.py seed-demo` does: the presentation mode's masks computed before any page asks
    from services import secrecy

    secrecy.precompute(f"sqlite:///{path}")
    with closing(sqlite3.connect(path)) as conn:  # everything in the file itself, none left in a -wal beside it
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture(scope="session")
def browser_db(sqlite_template, tmp_path_factory) -> str:
    """A SQLite database with the national demo data (seed 42), shared by the browser tests of this process.

    Under pytest-xdist the first process to get here seeds it once into the run's common temporary
    folder (the others wait on a lock), then each process works on its own copy."""
    path = tmp_path_factory.mktemp("browser") / "atlas.sqlite"
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        _seed_national(sqlite_template, path)
    else:
        import fcntl

        common = tmp_path_factory.getbasetemp().parent
        seeded = common / "browser-national.sqlite"
        with (common / "browser-national.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not seeded.exists():
                _seed_national(sqlite_template, common / "browser-national.sqlite.tmp")
                (common / "browser-national.sqlite.tmp").rename(seeded)
        shutil.copy(seeded, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def live_server(browser_db, tmp_path_factory):
    """The app served by gunicorn on a free loopback port; yields its base URL."""
    port = _free_port()
    # The production configuration (a real secret key, no demo account): what `make serve` runs.
    env = {**os.environ, "DATABASE_URL": browser_db, "PYTHONUNBUFFERED": "1", "ATLAS_ENV": "production",
           "SECRET_KEY": secrets.token_hex(32), "LOGIN_RATE_LIMIT": "1000/minute"}
    env.pop("REDIS_URL", None)
    log = (tmp_path_factory.mktemp("server") / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "app:server"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/health", timeout=5).status_code == 200:
                break
        except requests.RequestException:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early, see {log.name}")
        time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("server did not start within 60 s")
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if REQUIRE_SERVICES:
            pytest.fail("Chromium (paquet Debian chromium) est absent alors que les tests navigateur sont obligatoires")
        pytest.skip("Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class PageWatch:
    """Records console messages, page errors and every request of a page."""

    def __init__(self, page, base: str):
        self.page = page
        self.base = base
        self.console: list[str] = []
        self.requests: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.console.append(f"pageerror: {exc}"))
        page.on("request", lambda req: self.requests.append(req.url))

    def _on_console(self, msg) -> None:
        if msg.type in ("error", "warning") and not any(s in msg.text for s in IGNORED_CONSOLE):
            self.console.append(f"{msg.type}: {msg.text}")

    def outside_requests(self) -> list[str]:
        return [u for u in self.requests
                if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).hostname != "127.0.0.1"]

    def wait_dash_idle(self, timeout: float = 15_000) -> None:
        """Wait until the page's layout is drawn and Dash has no callback in flight."""
        self.page.wait_for_function(
            "() => { const c = document.getElementById('_pages_content'); return c && c.children.length > 0; }",
            timeout=timeout)
        self.page.wait_for_load_state("networkidle", timeout=timeout)
        self.page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')",
                                    timeout=timeout)


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """axe-core (served from the installed axe-playwright-python package, no download) run in the page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in impacts]


def sign_in_page(pg, role: str) -> None:
    """Sign in through the real form, as a user would."""
    from tests.conftest import TEST_PASSWORD, TEST_USERS

    pg.goto("/login")
    pg.fill("#login", TEST_USERS[role])
    pg.fill("#password", TEST_PASSWORD)
    with pg.expect_navigation():
        pg.click("button[type=submit]")


@pytest.fixture(scope="session")
def signed_in_states(browser, live_server):
    """Cookies of one signed-in session per role, made once (role -> Playwright storage state)."""
    states: dict[str, dict] = {}

    def state(role: str) -> dict:
        if role not in states:
            context = browser.new_context(base_url=live_server)
            sign_in_page(context.new_page(), role)
            states[role] = context.storage_state()
            context.close()
        return states[role]
    return state


@pytest.fixture
def page_as(browser, live_server, signed_in_states):
    """page_as("iraps") -> a new page of a browser context signed in with that role."""
    contexts = []

    def make(role: str | None):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR", base_url=live_server,
                                      storage_state=signed_in_states(role) if role else None)
        contexts.append(context)
        pg = context.new_page()
        pg.watch = PageWatch(pg, live_server)
        return pg
    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(page_as):
    """A page signed in as `analyste`."""
    return page_as("analyste")


def wait_graph(page, selector: str, timeout: float = 30_000) -> None:
    """Wait until Dash is idle and the Plotly graph at `selector` is drawn."""
    page.watch.wait_dash_idle(timeout=timeout)
    page.wait_for_function(f"() => {{ const g = document.querySelector('{selector}');"
                           " return g && g._fullData && g._fullData.length > 0 &&"
                           " !document.querySelector('.dash-graph--pending'); }", timeout=timeout)
    page.wait_for_timeout(300)


def click_on_map(page, selector: str, lon: float, lat: float) -> None:
    """Click the map at `selector` where (lon, lat) is drawn, using the geo subplot's own projection."""
    click_lon_lat(page, selector, lon, lat)


def grid_rows(page, grid_id: str) -> list[dict]:
    """The row data of an AG Grid, read through its API."""
    return page.evaluate(f"""async () => {{
        const api = await dash_ag_grid.getApiAsync('{grid_id}');
        const rows = []; api.forEachNode(n => rows.push(n.data)); return rows; }}""")
