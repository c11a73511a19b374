"""The JavaScript and CSS bundles go out brotli-compressed at its highest quality, computed once per content.

Why (issue 15, first load ≤ 900 KB): Flask-Compress compresses every response on the fly at one level
for all of them (zstd 3 for Chromium), callback answers included, so it cannot afford a slow, dense
level. The bundles never change between deployments, so they can: brotli quality 11 makes the pages'
JavaScript about 18 % smaller than zstd 3 (plotly-atlas.min.js: 507 KB → 412 KB).

How: an `after_request` hook, registered after Flask-Compress's and so run before it, answers a GET for
a file under /assets/ or /_dash-component-suites/ (JavaScript or CSS, 200, at least 1 KB) with the
brotli body when the browser accepts `br`, else gzip level 9 when it accepts gzip (Flask-Compress
never gzips /assets/: they are streamed, and it streams zstd, br or deflate only), and sets
Content-Encoding, which Flask-Compress then leaves alone. Every other response still goes through
Flask-Compress. The compressed body is
keyed by the SHA-256 of the file's bytes and the encoding (a changed file is a new key), kept in memory for the process
and on disk under data/cache/static-br/ for the next processes: quality 11 costs about 2 s of CPU for
the plotly bundle, once per machine and version. The ETag is the file's own (a revalidation of the
brotli copy still gets its 304) and `Vary: Accept-Encoding` tells caches the body depends on it.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import threading
from pathlib import Path

import brotli
from flask import Flask, Response, request

STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/geo/")
MIMETYPES = frozenset({"application/javascript", "text/javascript", "text/css", "application/json"})
MIN_SIZE = 1024
QUALITY = 11

# encoding -> (compress at the densest level, decompress)
CODECS = {
    "br": (lambda b: brotli.compress(b, quality=QUALITY), brotli.decompress),
    "gzip": (lambda b: gzip.compress(b, compresslevel=9, mtime=0), gzip.decompress),
}

_memory: dict[tuple[str, str], bytes] = {}
_lock = threading.Lock()


def compressed(body: bytes, cache_dir: Path, encoding: str = "br") -> bytes:
    """`body` compressed with `encoding` ("br": brotli quality 11, "gzip": level 9), from memory, else
    from `cache_dir`, else computed and stored in both."""
    key = (hashlib.sha256(body).hexdigest(), encoding)
    hit = _memory.get(key)
    if hit is not None:
        return hit
    path = cache_dir / f"{key[0]}.{encoding}"
    data = _read(path, body, encoding)
    if data is None:
        data = CODECS[encoding][0](body)
        _store(path, data)
    with _lock:
        _memory[key] = data
    return data


def _read(path: Path, body: bytes, encoding: str) -> bytes | None:
    """The stored copy, if there is one and it gives back `body` exactly (a truncated or foreign file
    is never served)."""
    try:
        data = path.read_bytes()
        return data if CODECS[encoding][1](data) == body else None
    except Exception:  # OSError, or whatever the decoder raises on a damaged file
        return None


def _store(path: Path, data: bytes) -> None:
    """Write atomically (several workers may compress the same file at the same time); a read-only
    cache folder only costs the next process the compression."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError:
        pass


def init_static_compression(server: Flask, cache_dir: Path) -> None:
    """Register the hook; call after Flask-Compress is set up (Dash(compress=True) does it)."""

    @server.after_request
    def _brotli_bundles(response: Response) -> Response:
        encoding = next((e for e in CODECS if request.accept_encodings[e] > 0), None)
        if (encoding is None or request.method != "GET" or response.status_code != 200
                or not request.path.startswith(STATIC_PREFIXES)
                or response.mimetype not in MIMETYPES or "Content-Encoding" in response.headers):
            return response
        response.direct_passthrough = False  # send_file's stream: read it as bytes
        body = response.get_data()
        if len(body) < MIN_SIZE:
            return response
        response.set_data(compressed(body, cache_dir, encoding))
        response.headers["Content-Encoding"] = encoding
        vary = response.headers.get("Vary")
        if not vary:
            response.headers["Vary"] = "Accept-Encoding"
        elif "accept-encoding" not in vary.lower():
            response.headers["Vary"] = f"{vary}, Accept-Encoding"
        return response
