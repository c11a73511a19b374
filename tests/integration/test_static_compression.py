"""The bundles go out brotli-compressed at quality 11, once per content (static_compression, issue 15)."""
import gzip
import re

import brotli
import pytest

import static_compression
from config import ROOT

CHROMIUM = "gzip, deflate, br, zstd"  # what Debian's Chromium sends
PLOTLY = ROOT / "assets" / "vendor" / "plotly-atlas.min.js"


def _script_urls(client) -> list[str]:
    html = client.get("/").get_data(as_text=True)
    return re.findall(r'<script src="([^"]+)"', html)


def test_the_plotly_bundle_is_served_as_dense_brotli_that_gives_back_the_file(client):
    resp = client.get("/assets/vendor/plotly-atlas.min.js", headers={"Accept-Encoding": CHROMIUM})
    assert resp.status_code == 200
    assert resp.headers["Content-Encoding"] == "br"
    assert "accept-encoding" in resp.headers["Vary"].lower()
    body = resp.get_data()
    source = PLOTLY.read_bytes()
    assert brotli.decompress(body) == source
    # quality 11, not Flask-Compress's quality 4: the same bytes at quality 4 are larger
    assert len(body) == len(brotli.compress(source, quality=11)) < len(brotli.compress(source, quality=4))
    assert int(resp.headers["Content-Length"]) == len(body)


def test_every_script_of_a_page_is_brotli_when_the_browser_accepts_it(client):
    urls = [u for u in _script_urls(client) if u.startswith(static_compression.STATIC_PREFIXES)]
    assert any("dash_renderer" in u for u in urls) and any("plotly-atlas" in u for u in urls)
    for url in urls:
        resp = client.get(url, headers={"Accept-Encoding": CHROMIUM})
        assert resp.status_code == 200, url
        if len(brotli.decompress(resp.get_data()) if resp.headers.get("Content-Encoding") == "br"
               else resp.get_data()) >= static_compression.MIN_SIZE:
            assert resp.headers["Content-Encoding"] == "br", url


def test_a_client_without_brotli_still_gets_gzip_from_flask_compress(client):
    resp = client.get("/assets/vendor/plotly-atlas.min.js", headers={"Accept-Encoding": "gzip"})
    assert resp.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(resp.get_data()) == PLOTLY.read_bytes()


def test_a_revalidation_of_the_brotli_copy_gets_its_304(client):
    first = client.get("/assets/vendor/plotly-atlas.min.js", headers={"Accept-Encoding": CHROMIUM})
    etag = first.headers["ETag"]
    again = client.get("/assets/vendor/plotly-atlas.min.js",
                       headers={"Accept-Encoding": CHROMIUM, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""


def test_callback_answers_are_left_to_flask_compress(client):
    # Data is compressed on the fly at Flask-Compress's fast level, never kept: the hook only takes files.
    resp = client.get("/_dash-layout", headers={"Accept-Encoding": CHROMIUM})
    assert resp.status_code == 200
    assert resp.headers.get("Content-Encoding") != "br"


def test_compressed_bodies_are_kept_on_disk_keyed_by_content(tmp_path, monkeypatch):
    monkeypatch.setattr(static_compression, "_memory", {})
    body = b"console.log('atlas');\n" * 200
    data = static_compression.compressed(body, tmp_path)
    assert brotli.decompress(data) == body
    stored = list(tmp_path.glob("*.br"))
    assert len(stored) == 1 and stored[0].read_bytes() == data
    # another process (empty memory) reads it back instead of compressing again
    monkeypatch.setattr(static_compression, "_memory", {})
    monkeypatch.setattr(static_compression.brotli, "compress", lambda *a, **k: pytest.fail("compressed again"))
    assert static_compression.compressed(body, tmp_path) == data


def test_a_damaged_file_on_disk_is_never_served(tmp_path, monkeypatch):
    monkeypatch.setattr(static_compression, "_memory", {})
    body = b"body { color: #1e1e1e; }\n" * 100
    data = static_compression.compressed(body, tmp_path)
    stored = next(tmp_path.glob("*.br"))
    stored.write_bytes(data[: len(data) // 2])  # truncated
    monkeypatch.setattr(static_compression, "_memory", {})
    assert brotli.decompress(static_compression.compressed(body, tmp_path)) == body
    stored.write_bytes(brotli.compress(b"something else"))  # another content under this name
    monkeypatch.setattr(static_compression, "_memory", {})
    assert brotli.decompress(static_compression.compressed(body, tmp_path)) == body
