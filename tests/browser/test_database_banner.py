"""Issue 14, point 3, in a real Chromium: the database goes away while a page is open; the next Dash
callback answers 503 and the page shows the French banner instead of a blank area; when the database
comes back the view reloads by itself (its address holds its state) and the banner is gone.

Its own server (gunicorn, two workers) on its own small SQLite database: moving that file away does not
disturb the other browser tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench.load.serving import Server
from tests.browser.conftest import sign_in_page
from tests.factories import small_ssr_dataset
from text import unavailable


@pytest.fixture
def own_server(sqlite_url, tmp_path):
    small_ssr_dataset(sqlite_url)
    with Server(sqlite_url, None, workers=2, log_dir=tmp_path, ATLAS_ENV="production",
                LOGIN_RATE_LIMIT="1000/minute") as server:
        yield server.base, Path(sqlite_url.removeprefix("sqlite:///"))


def test_a_page_shows_the_banner_while_the_database_is_away_then_recovers(browser, own_server):
    base, path = own_server
    context = browser.new_context(base_url=base)
    page = context.new_page()
    sign_in_page(page, "analyste")
    page.goto("/donnees")
    page.wait_for_selector("#_pages_content h1", timeout=30_000)
    away = path.with_name("ailleurs.sqlite")
    path.rename(away)
    try:
        page.locator("nav a", has_text="Méthodes").click()  # in-app navigation: a Dash callback
        banner = page.locator("#atlas-db-banner")
        banner.wait_for(state="visible", timeout=15_000)
        assert banner.inner_text() == unavailable.DATABASE_UNREACHABLE
        assert banner.get_attribute("role") == "alert"
    finally:
        away.rename(path)
    page.wait_for_function("() => !document.getElementById('atlas-db-banner')", timeout=30_000)
    page.wait_for_selector("#_pages_content h1", timeout=30_000)
    assert page.url.endswith("/methodes")
    context.close()
