"""AG Grid loaded after the map (assets/grid-loader.js, issue 15): the grids still appear and answer
clicks, on /ssr once its map is drawn and at once on a page without any graph."""
import re

from bench.record import map_drawn
from tests.browser.conftest import grid_rows, wait_graph

# When each grid of the page first appears: its frame (while AG Grid's bundle loads), then AG Grid itself.
SEEN = """(() => {
    window.__gridSeen = {};
    const mark = (key) => { if (!(key in window.__gridSeen)) { window.__gridSeen[key] = performance.now(); } };
    new MutationObserver(() => {
        if (document.querySelector('.atlas-grid-pending')) { mark('frame'); }
        if (document.querySelector('.ag-root')) { mark('grid'); }
        if (document.querySelector('.dash-graph')) { mark('graph'); }
    }).observe(document, {childList: true, subtree: true});
})();"""
BUNDLE_SENT = """() => {
    const e = performance.getEntriesByType('resource').find(r => r.name.includes('/dash_ag_grid/dash_ag_grid.v'));
    return e ? e.startTime : null; }"""


def test_ssr_grid_appears_after_the_map_and_a_row_click_drills_down(page):
    page.add_init_script(SEEN)
    page.goto("/ssr")
    drawn_at = page.wait_for_function(f"() => {map_drawn('#ssr-map')} && performance.now()", polling="raf",
                                      timeout=60_000).json_value()
    page.wait_for_selector("#ssr-table .ag-row", timeout=30_000)
    sent_at = page.evaluate(BUNDLE_SENT)
    assert sent_at is not None and sent_at > drawn_at, (sent_at, drawn_at)
    assert page.evaluate("() => window.__gridSeen.frame") is not None  # the frame stood in meanwhile
    assert page.locator(".atlas-grid-pending").count() == 0
    rows = grid_rows(page, "ssr-table")
    assert rows and all(r["code"] for r in rows), rows

    # a row of the table beside the map drills down to that region, as a click on the map does
    row = page.locator("#ssr-table .ag-center-cols-container .ag-row").first
    code = row.get_attribute("row-id")
    row.locator(".ag-cell").first.click()
    page.wait_for_url(re.compile(f"focus={code}"))
    wait_graph(page, "#ssr-map .js-plotly-plot")
    page.wait_for_selector("#ssr-breadcrumb button:has-text('France')")  # a step back up, as after a map click
    after = grid_rows(page, "ssr-table")
    assert after and after != rows, after  # the grid now lists that region's départements
    assert page.watch.console == []


def test_a_page_without_a_map_gets_its_grid_at_once_and_a_row_opens_a_profile(page):
    page.add_init_script(SEEN)
    page.goto("/etablissements")
    page.wait_for_selector("#etabs-grid .ag-row", timeout=30_000)
    seen = page.evaluate("() => window.__gridSeen")
    sent_at = page.evaluate(BUNDLE_SENT)
    assert "graph" not in seen, seen
    # no graph to wait for: the bundle is asked for as the grid's frame is drawn (the loader looks every
    # 100 ms; a wait for graphs would give up only after 2 s)
    assert sent_at - seen["frame"] < 1000, (sent_at, seen)
    finess = grid_rows(page, "etabs-grid")[0]["finess"]
    page.locator(f"#etabs-grid .ag-row[row-id='{finess}'] .ag-cell[col-id='commune']").click()
    page.wait_for_url(re.compile(rf"/etablissement/{finess}"))
    assert page.watch.console == []
