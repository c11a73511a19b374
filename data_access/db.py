"""One engine per process and database URL, short-lived connections per request."""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url

_engines: dict[str, tuple[int, Engine]] = {}
_lock = threading.Lock()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def get_engine(url: str) -> Engine:
    """Return the process's engine for `url`, creating it on first use.

    A pool created before a fork (gunicorn preload) is discarded in the child:
    the engine remembers its creator's pid.
    """
    with _lock:
        pid, engine = _engines.get(url, (None, None))
        if engine is not None and pid == os.getpid():
            return engine
        if engine is not None:
            engine.dispose(close=False)
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
        _engines[url] = (os.getpid(), engine)
        return engine


@contextmanager
def connect(url: str) -> Iterator[Connection]:
    """A read connection: inside a web request, the request's snapshot (every read of one response
    sees the same data, even while an import commits); elsewhere a short-lived connection."""
    conn = _request_snapshot(url)
    if conn is not None:
        yield conn
        return
    with get_engine(url).connect() as conn:
        yield conn


def _request_snapshot(url: str) -> Connection | None:
    """One read transaction per request and database, opened at its first read: REPEATABLE READ on
    PostgreSQL, a deferred transaction on SQLite (WAL: a snapshot at the first read; writers go on)."""
    from flask import g, has_request_context

    if not has_request_context():
        return None
    snapshots = g.setdefault("atlas_snapshots", {})
    if url not in snapshots:
        engine = get_engine(url)
        conn = engine.connect()
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.begin()
        else:  # pysqlite only opens transactions before writes: begin the read transaction ourselves
            conn.exec_driver_sql("BEGIN")
        snapshots[url] = conn
    return snapshots[url]


def close_request_snapshots(_exc=None) -> None:
    """teardown_request: end the request's read transactions and give their connections back."""
    from flask import g

    for conn in g.pop("atlas_snapshots", {}).values():
        conn.close()  # rolls back the read-only transaction


def dispose_all() -> None:
    """Close every pool of this process (tests, after dropping a database)."""
    with _lock:
        for _pid, engine in _engines.values():
            engine.dispose()
        _engines.clear()
