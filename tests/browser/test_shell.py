"""Every page loads in a real Chromium with an empty console and no request leaving 127.0.0.1."""
import dash
import pytest

from tests.browser.conftest import ROOT

PAGES = ["/", "/donnees", "/methodes"]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_offline_with_empty_console(page, path):
    page.goto(path)
    page.watch.wait_dash_idle()
    assert page.locator("h1").first.is_visible()
    assert page.watch.console == []
    assert page.watch.outside_requests() == []


def test_every_registered_page_is_covered_by_the_offline_test():
    pages_dir = ROOT / "pages"
    registered = [p.stem for p in pages_dir.glob("*.py") if "register_page" in p.read_text(encoding="utf-8")]
    assert len(registered) == len(PAGES) + len(EXTRA_PAGES), registered


EXTRA_PAGES: list[str] = []


def test_header_shows_data_version_and_navigation(page):
    page.goto("/donnees")
    page.watch.wait_dash_idle()
    header = page.locator("header").inner_text()
    assert "Données v" in header
    nav = [a.inner_text() for a in page.locator("nav a").all()]
    assert nav == ["Accueil", "Données", "Méthodes"]
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.watch.console == []
