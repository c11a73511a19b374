"""Screenshot pages of a running Atlas GDR in Debian's Chromium (1280×800), for the README and reviews.

Usage: python scripts/screenshot.py http://127.0.0.1:8050 /donnees docs/img/shell.png [/ssr /tmp/ssr.png ...]
"""
from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def main(base: str, pairs: list[str]) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="fr-FR")
        for path, out in zip(pairs[::2], pairs[1::2]):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")
            page.wait_for_function("() => !document.querySelector('.dash-graph--pending')", timeout=20000)
            page.wait_for_timeout(1500)
            page.screenshot(path=out)
            print(out)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
