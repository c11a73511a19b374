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
    """A short-lived read connection."""
    with get_engine(url).connect() as conn:
        yield conn


def dispose_all() -> None:
    """Close every pool of this process (tests, after dropping a database)."""
    with _lock:
        for _pid, engine in _engines.values():
            engine.dispose()
        _engines.clear()
