"""/ssr's first load with a cold browser cache: what goes over the wire (issue 15, acceptance 2).

The issue's first load is "navigation → map drawn". A new browser context has an empty HTTP cache;
Chromium's own byte count (CDP Network.loadingFinished encodedDataLength: compressed bodies plus
headers) is summed for every request sent from navigation until the map is drawn (legend included,
bench.record.map_drawn). AG Grid's bundle is loaded after the map (assets/grid-loader.js), so the
total until the grid is filled too is measured and bounded as well: nothing the page needs escapes a
budget. The bytes are deterministic (same JavaScript, same demo data, same compression): no timing is
asserted.
"""
from dataclasses import dataclass

import pytest

from bench.record import map_drawn, ready_js

TARGET_BYTES = 900_000  # issue 15: ≤ 900 KB transferred with a cold cache, navigation → map drawn
# What the map needs: the SVG-map plotly bundle, Dash and React, the page's data, all brotli at quality
# 11 (static_compression). AG Grid (0.49 MB in brotli) back in the page's script tags, MapLibre back in
# the plotly bundle or the bundles compressed on the fly again would each fail this target.
# Everything until the grid is filled too: 1.29 MB measured (0.80 MB until the map, then AG Grid's
# bundle and chunk). The bundles compressed on the fly (1.57 MB), Dash's full plotly.js or dash_table
# back would fail this budget.
BUDGET_BYTES = 1_450_000
GRID_BUNDLE = "/_dash-component-suites/dash_ag_grid/"


@dataclass
class ColdLoad:
    until_map: int  # bytes of the requests sent from navigation until the map is drawn
    total: int      # bytes of every request until the map and the grid are drawn and Dash is idle
    urls_until_map: list[str]
    urls: list[str]


def cold_load(page, path: str, map_selector: str) -> ColdLoad:
    cdp = page.context.new_cdp_session(page)
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    sent_at: dict[str, float] = {}  # wall clock, ms

    def sent(e):
        urls[e["requestId"]] = e["request"]["url"]
        sent_at[e["requestId"]] = e["wallTime"] * 1000

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.send("Network.enable")
    page.goto(path, wait_until="commit")
    drawn = page.wait_for_function(f"() => {map_drawn(map_selector)} && performance.timeOrigin + performance.now()",
                                   timeout=60_000, polling="raf").json_value()
    # The requests sent until the map is drawn: until this check saw it drawn (a request sent in the
    # moment since can only add to the figure), or until AG Grid's bundle was asked for, if that came
    # first (assets/grid-loader.js asks for it once the graphs are drawn and notes when).
    cutoff = min(drawn, page.evaluate("() => window.atlasGridRequestedAt || Infinity"))
    before_map = {r for r in list(urls) if sent_at[r] < cutoff}
    page.wait_for_function(ready_js(path), timeout=60_000, polling=100)
    page.watch.wait_dash_idle()
    unfinished = [urls[r] for r in before_map - set(sizes) if not urls[r].startswith(("blob:", "data:"))]
    assert not unfinished, unfinished
    return ColdLoad(until_map=sum(sizes.get(r, 0) for r in before_map), total=sum(sizes.values()),
                    urls_until_map=[urls[r] for r in before_map], urls=list(urls.values()))


@pytest.fixture
def ssr_cold(page):
    return page, cold_load(page, "/ssr", "#ssr-map")


def test_ssr_first_load_uses_the_light_plotly_bundle_and_no_dash_table(ssr_cold):
    page, load = ssr_cold
    urls = load.urls
    assert any("/assets/vendor/plotly-atlas.min.js" in u for u in urls), urls
    assert not any("plotly.min.js" in u for u in urls), [u for u in urls if "plotly" in u]
    assert not any("dash_table" in u for u in urls), [u for u in urls if "dash_table" in u]
    assert page.evaluate("() => !!window.Plotly && window.Plotly.version") == "4.1.1"
    assert page.watch.console == []


def test_ssr_first_load_fetches_ag_grid_after_the_map_is_drawn(ssr_cold):
    page, load = ssr_cold
    assert not any(GRID_BUNDLE in u for u in load.urls_until_map), load.urls_until_map
    # then the grid's bundle, at its fingerprinted address (kept a year by the browser), and its chunk
    assert any(f"{GRID_BUNDLE}dash_ag_grid.v" in u for u in load.urls), load.urls
    assert any(f"{GRID_BUNDLE}async-community.js" in u for u in load.urls), load.urls
    assert page.locator("#ssr-table .ag-row").count() > 0
    assert page.watch.console == []


def test_ssr_first_load_stays_within_the_light_bundles_budget(ssr_cold):
    _, load = ssr_cold
    assert load.total < BUDGET_BYTES, f"{load.total} bytes until the grid is filled"


def test_ssr_first_load_is_under_900_kb_with_a_cold_cache(ssr_cold):
    _, load = ssr_cold
    print(f"/ssr cold: {load.until_map} bytes until the map is drawn, {load.total} until the grid is filled")
    assert load.until_map < TARGET_BYTES, f"{load.until_map} bytes until the map is drawn"
