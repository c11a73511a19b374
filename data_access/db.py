"""One engine per process and database URL, short-lived connections per request.

Two pools per database and process:
- the *snapshot* pool gives each web request its read transaction (`connect` inside a request);
- the *main* pool (`get_engine`) serves writes (audit trail, sign-in time, imports, init-db) and reads
  outside requests.
A request holds at most one snapshot connection and, while it holds it, may take a main connection for
a short write that never waits for a snapshot: a burst can never fill one pool with requests that each
wait for a second connection of the same pool (the 30 s hang of issue 14). Pool waits are short
(`pool_timeout`, a few seconds): a saturated pool answers 503 quickly instead of hanging.

A database is never created implicitly: SQLite files are opened read-write only (`mode=rw`), so a
missing file is an error, not a new empty database; only `init-db` (`create_sqlite_file`) creates one.
A pooled connection whose database went away is replaced at checkout (SQLite: the file at the path is
no longer the one the connection opened; PostgreSQL: pre-ping), so the app recovers by itself when the
database comes back.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import QueuePool

log = logging.getLogger(__name__)

_engines: dict[tuple[str, str], tuple[int, Engine]] = {}
_lock = threading.Lock()

# Per pool: up to pool_size + max_overflow connections (opened on demand, so a sync gunicorn worker opens
# one of each); a request waits at most pool_timeout seconds for one. The threaded dev server runs one
# thread per concurrent request: 30 covers a burst of 20 clients. Changed by `configure_pools`.
POOL = {"pool_size": 10, "max_overflow": 20, "pool_timeout": 5.0}
SQLITE_BUSY_TIMEOUT_S = 30  # an import holds SQLite's write lock for a few seconds
PG_CONNECT_TIMEOUT_S = 5


def configure_pools(pool_size: int, max_overflow: int, pool_timeout: float) -> None:
    """Pool sizes for the engines created from now on (factory.create_app, from the settings)."""
    POOL.update(pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another backend or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).resolve()


def create_sqlite_file(url: str) -> None:
    """init-db only: create the SQLite file (and its folder) if missing. Nothing else creates a database."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        sqlite3.connect(path).close()


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _sqlite_engine(path: Path) -> Engine:
    uri = f"file:{quote(str(path))}?mode=rw"  # rw: never create the file (sqlite3's default is rwc)

    def creator():
        return sqlite3.connect(uri, uri=True, timeout=SQLITE_BUSY_TIMEOUT_S, check_same_thread=False)

    engine = create_engine("sqlite://", creator=creator, poolclass=QueuePool, **POOL)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, record):
        record.info["atlas_file"] = _file_identity(path)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "checkout")
    def _on_checkout(_dbapi_conn, record, _proxy):
        # A connection keeps reading a file moved away (or replaced): the pool must drop it.
        if record.info.get("atlas_file") is None or record.info["atlas_file"] != _file_identity(path):
            raise exc.DisconnectionError("the SQLite file at the path is not the one this connection opened")

    return engine


def _new_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        return _sqlite_engine(path)
    if make_url(url).get_backend_name() == "sqlite":  # in memory (tests)
        return create_engine(url)
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S}, **POOL)


def _engine(url: str, purpose: str) -> Engine:
    """The process's engine for (url, purpose). A pool created before a fork (gunicorn preload) is
    discarded in the child: the engine remembers its creator's pid."""
    with _lock:
        pid, engine = _engines.get((url, purpose), (None, None))
        if engine is not None and pid == os.getpid():
            return engine
        if engine is not None:
            engine.dispose(close=False)
        engine = _new_engine(url)
        _engines[(url, purpose)] = (os.getpid(), engine)
        return engine


def get_engine(url: str) -> Engine:
    """The process's main engine for `url` (writes; reads outside a web request)."""
    return _engine(url, "main")


def snapshot_engine(url: str) -> Engine:
    """The process's engine whose pool gives web requests their read snapshots."""
    return _engine(url, "snapshot")


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
        engine = snapshot_engine(url)
        conn = engine.connect()
        try:
            if engine.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
                conn.begin()
            else:  # pysqlite only opens transactions before writes: begin the read transaction ourselves
                conn.exec_driver_sql("BEGIN")
        except Exception:
            conn.close()
            raise
        snapshots[url] = conn
    return snapshots[url]


def close_request_snapshots(_exc=None) -> None:
    """teardown_request: end the request's read transactions and give their connections back."""
    from flask import g

    for conn in g.pop("atlas_snapshots", {}).values():
        try:
            conn.close()  # rolls back the read-only transaction
        except Exception:  # a connection to a database that went away: the pool drops it
            log.warning("closing a request snapshot failed", exc_info=True)


def is_unreachable(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached or used (as opposed to a pool wait)."""
    return isinstance(error, (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError)) or (
        isinstance(error, exc.DBAPIError) and error.connection_invalidated)


def reset_pools(url: str) -> None:
    """Drop every pooled connection to `url` (after a connection error): the next request opens new
    ones, so the app works again as soon as the database is back."""
    with _lock:
        for (engine_url, _purpose), (pid, engine) in list(_engines.items()):
            if engine_url == url and pid == os.getpid():
                engine.dispose()


def dispose_all() -> None:
    """Close every pool of this process (tests, after dropping a database)."""
    with _lock:
        for _pid, engine in _engines.values():
            engine.dispose()
        _engines.clear()
