"""One response, one state of the data: every read of a request goes through one snapshot, so an
import committing in the middle of a request is not half-seen (SQLite and PostgreSQL)."""
from __future__ import annotations

from sqlalchemy import text

from data_access import queries
from data_access.db import connect
from tests.conftest import app_on
from tests.factories import add_ssr, small_ssr_dataset


def _total_stays(url: str) -> int:
    with connect(url) as conn:
        return int(conn.execute(text("SELECT SUM(stays) FROM ssr_recourse")).scalar_one())


def test_reads_of_one_request_ignore_an_import_committed_meanwhile(dash_app, db_url):
    small_ssr_dataset(db_url)
    with app_on(dash_app, db_url) as server:
        with server.test_request_context("/_dash-update-component"):
            before = (queries.data_status(db_url).version, _total_stays(db_url))
            add_ssr(db_url, [("330000017", 2023, "PTG", "<60", 1000, 10)])  # an import commits meanwhile
            during = (queries.data_status(db_url).version, _total_stays(db_url))
            server.do_teardown_request()
        with server.test_request_context("/_dash-update-component"):
            after = (queries.data_status(db_url).version, _total_stays(db_url))
            server.do_teardown_request()
    assert during == before  # 380 stays of small_ssr_dataset, one data version
    assert after == (before[0] + 1, before[1] + 1000)


def test_outside_a_request_every_read_sees_the_latest_data(db_url):
    small_ssr_dataset(db_url)
    before = _total_stays(db_url)
    add_ssr(db_url, [("330000017", 2023, "PTG", "<60", 1000, 10)])
    assert _total_stays(db_url) == before + 1000


def test_an_unreachable_cache_slows_a_request_down_but_does_not_fail_it(dash_app, sqlite_url, monkeypatch):
    from data_access import cache as cache_module

    def broken(*_args, **_kwargs):
        raise ConnectionError("redis down")

    small_ssr_dataset(sqlite_url)
    monkeypatch.setattr(cache_module.cache, "get", broken)
    monkeypatch.setattr(cache_module.cache, "set", broken)
    with app_on(dash_app, sqlite_url) as server, server.test_request_context("/"):
        assert cache_module.cached(queries.dataset_counts) is not None
        assert cache_module.cache_status() == "injoignable"
        server.do_teardown_request()
