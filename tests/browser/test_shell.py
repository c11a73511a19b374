"""Every page loads in a real Chromium with an empty console and no request leaving 127.0.0.1."""
import pytest

from tests.browser.conftest import ROOT

# page module -> a path that shows it (pages with path variables get a sample value)
PAGES = {"accueil": "/", "donnees": "/donnees", "methodes": "/methodes", "ssr": "/ssr", "msap": "/msap",
         "etablissements": "/etablissements", "etablissement": "/etablissement/950329508", "caqes": "/caqes",
         "admin": "/admin", "actions": "/actions", "action": "/actions/MSAP-SSR-PTG-2025",
         "ambulatoire": "/ambulatoire"}
# Dash's router page for an address that is no page: only reached by navigating inside the app
# (loaded directly, such an address is a French HTTP 404), see the test below.
ROUTER_ONLY = {"not_found_404": "/adresse-inconnue"}


@pytest.mark.parametrize("path", PAGES.values())
def test_page_loads_offline_with_empty_console(page_as, path):
    """Signed in as admin, the one role that opens every page (CSP on: a blocked script would log)."""
    page = page_as("admin")
    page.goto(path)
    page.watch.wait_dash_idle()
    assert page.locator("h1").first.is_visible()
    assert page.watch.console == []
    assert page.watch.outside_requests() == []


def test_every_registered_page_is_covered_by_the_offline_test():
    modules = {p.stem for p in (ROOT / "pages").glob("[!_]*.py")
               if "dash.register_page(" in p.read_text(encoding="utf-8")}
    assert modules == set(PAGES) | set(ROUTER_ONLY)


def test_navigating_in_the_app_to_an_unknown_address_shows_a_french_page_with_an_empty_console(page_as):
    page = page_as("admin")
    page.goto("/")
    page.watch.wait_dash_idle()
    page.evaluate("url => window.dash_clientside.atlas.navigate(url)", ROUTER_ONLY["not_found_404"])
    page.watch.wait_dash_idle()
    assert page.locator("h1").first.inner_text() == "Page introuvable"
    assert "Page not found" not in page.locator("body").inner_text()
    assert page.watch.console == []
    assert page.watch.outside_requests() == []


def test_header_shows_data_version_and_navigation(page):
    page.goto("/donnees")
    page.watch.wait_dash_idle()
    header = page.locator("header").inner_text()
    assert "Données v" in header
    nav = [a.inner_text() for a in page.locator("nav a").all()]
    assert nav == ["Accueil", "Recours au SSR", "Virage ambulatoire", "Ciblage MSAP", "Suivi CAQES", "Établissements",
                   "Actions", "Données", "Méthodes"]
    assert "t-analyste" in header and "Analyste DCGDR" in header and "Se déconnecter" in header
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.watch.console == []
