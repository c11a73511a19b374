"""/ssr's first load with a cold browser cache: what goes over the wire (issue 15, acceptance 2).

A new browser context has an empty HTTP cache; Chromium's own byte count (CDP
Network.loadingFinished encodedDataLength: compressed bodies plus headers) is summed for every
request from navigation until the map and the grid are drawn. The bytes are deterministic (same
JavaScript, same demo data, same compression): no timing is asserted.
"""
import pytest

from bench.record import ready_js

TARGET_BYTES = 900_000  # issue 15: ≤ 900 KB transferred with a cold cache
# What the light bundles give today (1.97 MB measured: plotly-atlas 0.90 MB, AG Grid 0.62 MB, Dash and
# React 0.34 MB, first callbacks 0.07 MB). Well under the 2.55 MB of Dash's full plotly.js plus
# dash_table: a regression to either fails this test.
BUDGET_BYTES = 2_100_000


def cold_load(page, path: str) -> tuple[int, list[str]]:
    cdp = page.context.new_cdp_session(page)
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.send("Network.enable")
    page.goto(path)
    page.wait_for_function(ready_js(path), timeout=60_000, polling=100)
    page.watch.wait_dash_idle()
    return sum(sizes.values()), list(urls.values())


@pytest.fixture
def ssr_cold(page):
    total, urls = cold_load(page, "/ssr")
    return page, total, urls


def test_ssr_first_load_uses_the_light_plotly_bundle_and_no_dash_table(ssr_cold):
    page, _total, urls = ssr_cold
    assert any("/assets/vendor/plotly-atlas.min.js" in u for u in urls), urls
    assert not any("plotly.min.js" in u for u in urls), [u for u in urls if "plotly" in u]
    assert not any("dash_table" in u for u in urls), [u for u in urls if "dash_table" in u]
    assert page.evaluate("() => !!window.Plotly && window.Plotly.version") == "4.1.1"
    assert page.watch.console == []


def test_ssr_first_load_stays_within_the_light_bundles_budget(ssr_cold):
    _, total, _ = ssr_cold
    assert total < BUDGET_BYTES, f"{total} bytes"


@pytest.mark.xfail(strict=True, reason="issue 15 target not met yet: 1.97 MB, of which MapLibre (inside "
                   "plotly.js) ≈ 0.44 MB and AG Grid ≈ 0.62 MB; `make bench` prints the figure")
def test_ssr_first_load_is_under_900_kb_with_a_cold_cache(ssr_cold):
    _, total, _ = ssr_cold
    assert total < TARGET_BYTES, f"{total} bytes"
