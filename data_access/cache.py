"""Query results cached through flask-caching, keyed on the arguments, the database and its data version.

Redis when REDIS_URL is set (shared by every worker and host), a per-process cache otherwise.
A new import bumps the data version, so every cached result of the previous data is ignored at once.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import TypeVar

from flask_caching import Cache

from config import Settings, current_settings
from data_access import queries

cache = Cache()
log = logging.getLogger(__name__)
T = TypeVar("T")


def init_cache(server, settings: Settings) -> None:
    """flask-caching on `server`; every request's reads share one snapshot (data_access.db)."""
    from data_access.db import close_request_snapshots

    server.teardown_request(close_request_snapshots)
    if settings.redis_url:
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": settings.redis_url,
                  "CACHE_KEY_PREFIX": "atlas:", "CACHE_DEFAULT_TIMEOUT": 6 * 3600,
                  "CACHE_OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 500, "CACHE_DEFAULT_TIMEOUT": 6 * 3600}
    cache.init_app(server, config=config)


def _data_version(url: str) -> int:
    """The data version, read once per request (a response never mixes two versions' results)."""
    from flask import g, has_request_context

    if not has_request_context():
        return queries.data_status(url).version
    versions = g.setdefault("atlas_data_versions", {})
    if url not in versions:
        versions[url] = queries.data_status(url).version
    return versions[url]


def data_version(url: str) -> int:
    """The data version of `url` as this request reads it (once per request)."""
    return _data_version(url)


def cached(fn: Callable[..., T], *args) -> T:
    """fn(database_url, *args), memoised per data version. Arguments must have a stable repr."""
    url = current_settings().database_url
    version = _data_version(url)
    key = hashlib.sha256(repr((fn.__module__, fn.__qualname__, url, version, args)).encode()).hexdigest()
    try:
        value = cache.get(key)
    except Exception:  # Redis unreachable: compute (slower, still right) rather than fail the page
        log.warning("cache unreachable, computing %s", fn.__qualname__, exc_info=True)
        return fn(url, *args)
    if value is None:
        value = fn(url, *args)
        try:
            cache.set(key, value)
        except Exception:
            log.warning("cache unreachable, result of %s not kept", fn.__qualname__, exc_info=True)
    return value


_HELD: dict[tuple, object] = {}  # (fn, database, data version, args) -> result, this process
HELD_MAX = 32


def held(fn: Callable[..., T], *args) -> T:
    """cached(fn, *args), also held by this process for the data version the request reads: for
    small results every cold answer needs and that cost a pass over a year's facts to compute (the
    shared cache may have been emptied or evicted them). An import gives a new version, so a result
    of older data is never returned; what it returns is shared, so its users never change it."""
    url = current_settings().database_url
    key = (fn.__module__, fn.__qualname__, url, _data_version(url), args)
    value = _HELD.get(key)
    if value is None:  # a local, not a second look-up: another thread may empty the dict meanwhile
        value = cached(fn, *args)
        if len(_HELD) >= HELD_MAX:  # older versions, other test databases: never needed again
            _HELD.clear()
        _HELD[key] = value
    return value  # type: ignore[return-value]


def per_request(key: tuple, compute: Callable[[], T]) -> T:
    """compute() once per request for `key` (several parts of one callback's answer ask for the same
    frame); what it returns is shared, so its users read it and never change it. Outside a request,
    computed each time."""
    from flask import g, has_request_context

    if not has_request_context():
        return compute()
    memo = g.setdefault("atlas_per_request", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def cache_status() -> str:
    """'ok', or 'injoignable' when the shared cache (Redis) does not answer."""
    try:
        cache.get("atlas:ping")
    except Exception:
        return "injoignable"
    return "ok"
