"""Issue 14, point 2: a burst of 20 signed-in clients × 10 mixed requests (pages, layout, callbacks, the
five exports), on the threaded dev server (`python app.py`) and on gunicorn (`make serve`), SQLite and
PostgreSQL: no error at all, and every export served is in the audit trail."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import pytest
import requests
from werkzeug.serving import make_server

from bench.load import burst
from bench.load.serving import Server, sign_in
from config import Settings
from tests.conftest import TEST_PASSWORD, TEST_USERS
from tests.factories import small_ssr_dataset

CLIENTS, ROUNDS = 20, 10


@contextmanager
def dev_server(dash_app, url: str):
    """The session's app on `url`, served by Werkzeug's threaded server (what `python app.py` runs)."""
    config = dash_app.server.config
    saved = config["ATLAS_SETTINGS"]
    config["ATLAS_SETTINGS"] = Settings(database_url=url, atlas_env="test")
    server = make_server("127.0.0.1", 0, dash_app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=30)
        config["ATLAS_SETTINGS"] = saved


@contextmanager
def gunicorn_server(url: str, log_dir):
    with Server(url, None, workers=2, log_dir=log_dir, ATLAS_ENV="production") as server:
        yield server.base


@pytest.mark.parametrize("kind", ["dev", "gunicorn"])
def test_a_burst_of_20_clients_gets_no_error_and_every_export_served_is_audited(kind, db_url, dash_app, tmp_path):
    small_ssr_dataset(db_url)
    serving = dev_server(dash_app, db_url) if kind == "dev" else gunicorn_server(db_url, tmp_path)
    with serving as base:
        first = requests.Session()
        sign_in(first, base, TEST_USERS["analyste"], TEST_PASSWORD)
        mix = burst.request_mix(first.get(base + "/_dash-dependencies", timeout=60).json(), "330000017")
        before = burst.exports_audited(db_url)
        t0 = time.monotonic()
        outcomes = burst.run(base, [burst.clone(first) for _ in range(CLIENTS)], mix, rounds=ROUNDS)
        stats = burst.summary(outcomes, time.monotonic() - t0)
    print(kind, stats)
    assert stats["requests"] == CLIENTS * ROUNDS
    assert stats["errors"] == 0, stats["errors_by_kind"]
    assert stats["exports_served"] == CLIENTS * ROUNDS // 2
    assert burst.exports_audited(db_url) - before == stats["exports_served"]
