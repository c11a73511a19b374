"""The production server as deployed (gunicorn.conf.py, two workers, shared Redis cache or a cache per
worker): an import is seen at once by every worker, responses are compressed, static files carry
their cache lifetimes.

Redis tests skip when no server answers at ATLAS_TEST_REDIS_URL (default redis://127.0.0.1:6379/8,
a database of their own, flushed before and after), except under ATLAS_REQUIRE_SERVICES=1.
"""
from __future__ import annotations

import concurrent.futures
import csv
import io
import os
import re
import shutil
from pathlib import Path

import pytest
import requests

from bench.load.serving import Server, sign_in
from data_access.imports import import_file
from tests.conftest import REQUIRE_SERVICES, TEST_PASSWORD, TEST_USERS
from tests.factories import small_ssr_dataset

REDIS_TEST_URL = os.environ.get("ATLAS_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")
EXPORT = "/export/ssr.csv?geste=PTG&annee=2024&niveau=reg"
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) .* <(?P<pid>\d+)>$')


def require_redis():
    """A client of the test Redis database, or skip (fail under ATLAS_REQUIRE_SERVICES=1)."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        if REQUIRE_SERVICES:
            pytest.fail(f"Redis injoignable ({REDIS_TEST_URL}) alors que les services sont obligatoires")
        pytest.skip("Redis not available")
    return client


@pytest.fixture(params=["redis", "local"])
def served(request, sqlite_url, tmp_path):
    """gunicorn, 2 workers, on a small SQLite database; Redis cache or each worker's own cache."""
    small_ssr_dataset(sqlite_url)
    redis_client = require_redis() if request.param == "redis" else None
    if redis_client:
        redis_client.flushdb()
    server = Server(sqlite_url, REDIS_TEST_URL if redis_client else None, workers=2, log_dir=tmp_path,
                    ATLAS_ENV="production", LOGIN_RATE_LIMIT="1000/minute")
    with server:
        server.database_url = sqlite_url
        yield server
    if redis_client:
        redis_client.flushdb()


@pytest.fixture(scope="module")
def served_once(sqlite_template, tmp_path_factory):
    """gunicorn, 2 workers, each with its own cache, for the tests that only read headers."""
    from data_access.db import dispose_all

    folder = tmp_path_factory.mktemp("serving")
    shutil.copy(sqlite_template, folder / "atlas.sqlite")
    url = f"sqlite:///{folder / 'atlas.sqlite'}"
    small_ssr_dataset(url)
    with Server(url, None, workers=2, log_dir=folder, ATLAS_ENV="production") as server:
        yield server
    dispose_all()


def signed_session(server: Server) -> requests.Session:
    session = requests.Session()
    sign_in(session, server.base, TEST_USERS["analyste"], TEST_PASSWORD)
    return session


def nouvelle_aquitaine_stays(session: requests.Session, base: str) -> str:
    # sync workers close the connection after each response: every request is accepted anew by
    # whichever worker is free
    resp = session.get(base + EXPORT, timeout=30)
    assert resp.status_code == 200, resp.text[:300]
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig")), delimiter=";")}
    return rows["75"]["sejours"]


def answered_by(server: Server, path: str) -> dict[int, int]:
    """Worker pid -> number of requests for `path` in the access log (gunicorn.conf.py logs the pid)."""
    counts: dict[int, int] = {}
    for line in Path(server.access_log).read_text().splitlines():
        m = ACCESS_LINE.search(line)
        if m and m["path"] == path:
            counts[int(m["pid"])] = counts.get(int(m["pid"]), 0) + 1
    return counts


def burst(session: requests.Session, base: str, n: int = 24) -> list[str]:
    """n requests, 4 at a time, so that both workers answer some of them."""
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda _: nouvelle_aquitaine_stays(session, base), range(n)))


def test_an_import_is_seen_at_once_by_every_worker(served, tmp_path):
    session = signed_session(served)
    # Nouvelle-Aquitaine, PTG 2024: 60 + 40 + 120 + 50 stays; every worker answers and caches it
    assert set(burst(session, served.base)) == {"270"}
    before = answered_by(served, EXPORT)
    assert len(before) == 2 and set(before) == set(served.worker_pids()), before

    changed = tmp_path / "ssr.csv"
    changed.write_text("finess,year,gesture,age_band,stays,stays_with_ssr\n330000025,2024,PTG,60-74,220,30\n",
                       encoding="utf-8")
    import_file(served.database_url, "ssr_recourse", changed, user="test")

    assert set(burst(session, served.base)) == {"370"}  # no worker answers from its old results
    after = answered_by(served, EXPORT)
    assert all(after[pid] > before[pid] for pid in before), (before, after)
    health = {requests.get(served.base + "/health", timeout=10).json()["data_version"] for _ in range(6)}
    assert len(health) == 1


def dash_bundles(html: str) -> list[str]:
    return re.findall(r'src="(/_dash-component-suites/[^"]+)"', html)


def test_html_scripts_and_callback_json_are_compressed(served_once):
    session = signed_session(served_once)
    for encoding in ("gzip", "br"):
        session.headers["Accept-Encoding"] = encoding
        page = session.get(served_once.base + "/ssr", timeout=30)
        assert page.status_code == 200 and page.headers["Content-Encoding"] == encoding
        bundle = session.get(served_once.base + dash_bundles(page.text)[0], timeout=30)
        assert bundle.headers["Content-Encoding"] == encoding
        callback = session.post(served_once.base + "/_dash-update-component", timeout=30, json={
            "output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/methodes"},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"]})
        assert callback.status_code == 200 and callback.headers["Content-Type"].startswith("application/json")
        assert callback.headers["Content-Encoding"] == encoding
        assert "no-store" in callback.headers.get("Cache-Control", "")  # data never kept by a cache


def test_versioned_static_files_are_cached_for_a_year(served_once):
    page = signed_session(served_once).get(served_once.base + "/ssr", timeout=30).text
    for path in dash_bundles(page):  # Dash's bundles carry their version in the file name
        resp = requests.get(served_once.base + path, timeout=30)
        assert resp.status_code == 200
        assert "max-age=31536000" in resp.headers["Cache-Control"], (path, resp.headers.get("Cache-Control"))
    assets = re.findall(r'(?:href|src)="(/assets/[^"]+\?m=[^"]+)"', page)  # Dash adds ?m=<mtime> to each asset
    assert assets
    for path in assets:
        resp = requests.get(served_once.base + path, timeout=30)
        assert resp.status_code == 200
        age = re.search(r"max-age=(\d+)", resp.headers.get("Cache-Control", ""))
        assert age and int(age.group(1)) >= 86400 * 365 and "no-cache" not in resp.headers["Cache-Control"], (
            path, resp.headers.get("Cache-Control"))
