"""The IRAPS presentation mode in a real Chromium: forced for the iraps role, "masqué" where the database
has a count from 1 to 10, anonymised names when asked, real counts for an analyst."""
import re

from sqlalchemy import create_engine, text

from tests.browser.conftest import grid_rows, wait_graph

MAP = "#ssr-map .js-plotly-plot"
VIEW = "/ssr?geste=LCA&annee=2024&age=%3C60&niveau=reg"


def smallest_region(db_url: str) -> tuple[str, int, int]:
    """(region code, SSR stays, stays) of the region with the fewest SSR stays after ACL repair,
    under-60s, 2024, from the database itself."""
    eng = create_engine(db_url)
    with eng.connect() as c:
        row = c.execute(text(
            "SELECT e.region_code, SUM(s.stays_with_ssr), SUM(s.stays) FROM ssr_recourse s "
            "JOIN establishments e ON e.finess = s.finess WHERE s.gesture = 'LCA' AND s.age_band = '<60' "
            "AND s.year = 2024 GROUP BY e.region_code ORDER BY 2 LIMIT 1")).one()
    eng.dispose()
    return row[0], int(row[1]), int(row[2])


def open_view(page, path: str) -> None:
    page.goto(path)
    wait_graph(page, MAP)


def test_iraps_cannot_leave_the_presentation_mode_and_sees_masked_counts(page_as, browser_db):
    code, ssr, stays = smallest_region(browser_db)
    assert 1 <= ssr <= 10, "the demo data must have a small count for this test to mean anything"
    page = page_as("iraps")
    open_view(page, VIEW + "&presentation=non")  # asking for the plain mode changes nothing
    switch = page.locator("#shell-presentation input")
    assert switch.is_checked() and switch.is_disabled()
    assert "Secret statistique appliqué" in page.inner_text("header")
    rows = {r["code"]: r for r in grid_rows(page, "ssr-table")}
    # a masked row is masked whole: its SSR stays, its stays and its rate
    assert rows[code]["sejours_ssr"] == "masqué" and rows[code]["taux_pct"] == "secret statistique"
    assert rows[code]["sejours"] == "masqué" and stays > 0
    assert all(not isinstance(r["sejours_ssr"], int) or r["sejours_ssr"] == 0 or r["sejours_ssr"] > 10
               for r in rows.values())
    shown = page.evaluate("""async () => { const api = await dash_ag_grid.getApiAsync('ssr-table');
        const rates = []; api.forEachNodeAfterFilterAndSort(n => rates.push(n.data.taux_pct)); return rates; }""")
    numbers = [r for r in shown if isinstance(r, (int, float))]
    assert shown == sorted(numbers, reverse=True) + ["secret statistique"] * (len(shown) - len(numbers))
    grid_text = page.inner_text("#ssr-table")
    assert "masqué" in grid_text and "secret statistique" in grid_text
    # the legend explains the grey territories and counts them by reason, and so does the grid's title
    assert "Secret statistique" in page.inner_text(MAP) and "masqué" in page.inner_text(MAP)
    assert "masquée" in page.inner_text("#ssr-table-title")
    page.locator("#shell-presentation label").click(force=True)  # a disabled switch: nothing happens
    page.wait_for_timeout(500)
    assert switch.is_checked() and "presentation=oui" in page.url
    assert page.watch.console == []


def test_anonymised_names_on_request_and_the_mode_stays_in_the_address(page_as, browser_db):
    page = page_as("iraps")
    open_view(page, "/ssr?geste=PTG&annee=2024&niveau=dep&focus=33&anonyme=oui")
    page.wait_for_function("() => document.querySelector('#ssr-establishments .ag-row') !== null")
    names = page.locator("#ssr-establishments .ag-row [col-id=lien]").all_inner_texts()
    assert names and all(re.fullmatch(r"Établissement [A-Z]+", n.strip()) for n in names), names
    assert all(not r["finess"] for r in grid_rows(page, "ssr-establishments"))
    assert page.locator("#shell-anonyme input").is_checked()
    page.locator("#ssr-age label", has_text="< 60 ans").click()  # the page rewrites its address...
    page.wait_for_url(re.compile(r"age=%3C60"))
    assert "presentation=oui" in page.url and "anonyme=oui" in page.url  # ...the mode stays in it
    assert page.watch.console == []


def test_an_analyst_sees_real_counts_and_can_switch_the_mode_on(page_as, browser_db):
    code, ssr, _stays = smallest_region(browser_db)
    page = page_as("analyste")
    open_view(page, VIEW)
    switch = page.locator("#shell-presentation input")
    assert not switch.is_checked() and not switch.is_disabled()
    assert {r["code"]: r for r in grid_rows(page, "ssr-table")}[code]["sejours_ssr"] == ssr
    with page.expect_navigation():
        page.locator("#shell-presentation label").click()
    wait_graph(page, MAP)
    assert "presentation=oui" in page.url and switch.is_checked()
    assert {r["code"]: r for r in grid_rows(page, "ssr-table")}[code]["sejours_ssr"] == "masqué"
    with page.expect_navigation():
        page.locator("#shell-presentation label").click()  # and off again
    wait_graph(page, MAP)
    assert {r["code"]: r for r in grid_rows(page, "ssr-table")}[code]["sejours_ssr"] == ssr
    assert page.watch.console == []
