"""What a user sees, in headless Chromium (Playwright driving Debian's /usr/bin/chromium).

- Control change → view updated: the time from the user's input event (the click on a radio
  button, the Enter key in a number field; its `event.timeStamp`) to the first animation frame where
  the map (or the list) shows the new view and Dash has no callback in flight, measured with the
  page's own clock. The control alternates between two values, so after the warm-up both views are
  in the server's cache: this is the warm-cache figure a user gets most of the time.
- First load: a new browser context each time (empty HTTP cache, signed-in session cookie), from
  navigation start to the page's first view: its map drawn on /ssr and /caqes (bench.record.MAPS:
  the issue's "navigation → map drawn"; AG Grid loads after it), elsewhere its main content rendered
  (bench.record.PAGES) with Dash idle; the bytes transferred on the wire (CDP
  Network.loadingFinished encodedDataLength: compressed bodies plus headers) and decoded, for every
  request sent until then; the bytes until the page is wholly ready (grids filled) too; then the same
  page again in that context (warm HTTP cache): its bytes and time.
"""
from __future__ import annotations

import time

from bench.common import log, percentiles, repeat
from bench.record import (
    IDLE,
    choose,
    click_on_map,
    first_view_js,
    goto_ready,
    map_drawn,
    new_context,
    ready_js,
    set_number,
)

BORDEAUX = (-0.58, 44.84)  # lon/lat inside Nouvelle-Aquitaine on /ssr's regions map

# name -> page, how to change the control (two values, alternated), what the view looks like
CONTROLS = {
    "ssr_age": {
        "page": "/ssr", "label": "/ssr: age « < 60 ans » ↔ « Tous âges » → map recoloured",
        "change": lambda page, i: choose(page, "ssr-age", ("< 60 ans", "Tous âges")[i % 2]),
        "fingerprint": """() => { const g = document.querySelector('#ssr-map .js-plotly-plot');
            return JSON.stringify([g.layout.title && g.layout.title.text, Array.from(g._fullData[0].z || []),
                Array.from(document.querySelectorAll('#ssr-map .legendtext')).map(e => e.textContent)]); }""",
        "drawn": map_drawn("#ssr-map"),
    },
    "caqes_volet": {
        "page": "/caqes", "label": "/caqes: volet « Organisation des soins » ↔ « Tous » → map updated",
        "change": lambda page, i: choose(page, "caqes-volet", ("Organisation des soins", "Tous")[i % 2]),
        "fingerprint": """() => { const g = document.querySelector('#caqes-map .js-plotly-plot');
            return JSON.stringify([g.layout.title && g.layout.title.text, Array.from(g._fullData[0].hovertext || []),
                Array.from(document.querySelectorAll('#caqes-map .legendtext')).map(e => e.textContent)]); }""",
        "drawn": map_drawn("#caqes-map"),
    },
    "ssr_drill": {
        # only the drill-down is timed: the way back to France (a breadcrumb click) is `reset`, untimed
        "page": "/ssr", "label": "/ssr: click on Nouvelle-Aquitaine (France's map) → its départements' map",
        "reset": lambda page: page.locator("#ssr-breadcrumb button.crumb", has_text="France").click(),
        "needs_reset": """() => !!document.querySelector('#ssr-breadcrumb .crumb-sep')""",
        "change": lambda page, i: click_on_map(page, "#ssr-map", *BORDEAUX),
        "fingerprint": """() => { const g = document.querySelector('#ssr-map .js-plotly-plot');
            return JSON.stringify([document.querySelector('#ssr-breadcrumb').innerText,
                Array.from(g._fullData[0].locations || [])]); }""",
        "drawn": map_drawn("#ssr-map"),
    },
    "msap_ecart": {
        "page": "/msap", "label": "/msap: gap 12 ↔ 10 points → count, list and map",
        "change": lambda page, i: set_number(page, "#msap-ecart-pts", ("12", "10")[i % 2]),
        "fingerprint": """() => JSON.stringify([document.querySelector('#msap-rule-text').innerText,
            document.querySelector('#msap-count').innerText])""",
        "drawn": "true",
    },
}

ARM = """() => {
    window.__benchT0 = null;
    if (!window.__benchArmed) {
        const mark = (e) => { if (window.__benchT0 === null) { window.__benchT0 = e.timeStamp; } };
        document.addEventListener('click', mark, true);
        document.addEventListener('keydown', (e) => { if (e.key === 'Enter') { mark(e); } }, true);
        window.__benchArmed = true;
    }
}"""


def control_changes(browser, base: str, cookies: list[dict]) -> dict:
    figures = {}
    context = new_context(browser, base, cookies)
    page = context.new_page()
    for name, spec in CONTROLS.items():
        t0 = time.perf_counter()
        goto_ready(page, spec["page"])
        count = iter(range(10_000))

        def once() -> float:
            i = next(count)  # alternates the two values
            page.wait_for_function(f"() => {IDLE}", timeout=60_000)
            if "reset" in spec and page.evaluate(spec["needs_reset"]):
                spec["reset"](page)
                page.wait_for_function(f"() => {IDLE} && {spec['drawn']} && !({spec['needs_reset']})()",
                                       timeout=60_000)
            before = page.evaluate(spec["fingerprint"])
            page.evaluate(ARM)
            spec["change"](page, i)
            done = page.wait_for_function(
                f"""(before) => {{
                    if (!({IDLE} && {spec['drawn']})) {{ return false; }}
                    if (({spec['fingerprint']})() === before) {{ return false; }}
                    return performance.now();
                }}""", arg=before, polling="raf", timeout=60_000).json_value()
            start = page.evaluate("() => window.__benchT0")
            return (done - start) / 1000

        figures[name] = {**percentiles(repeat(once)), "label": spec["label"]}
        log(f"  browser {name}: p50 {figures[name]['p50_ms']} ms, p95 {figures[name]['p95_ms']} ms "
            f"[{time.perf_counter() - t0:.0f} s]")
    context.close()
    return figures


def _load_once(browser, base: str, cookies: list[dict], path: str) -> tuple[float, int, int, int, int, float, int]:
    """Cold (new context: empty HTTP cache), then warm (the same context navigating again): seconds,
    bytes on the wire, decoded bytes, requests of the cold load until its first view; bytes and
    seconds of the warm one; bytes of the cold load until the page is wholly ready."""
    context = new_context(browser, base, cookies)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    sent: dict[str, float] = {}  # request -> when it was sent (wall clock, ms)
    encoded: dict[str, int] = {}
    decoded: dict[str, int] = {}
    cdp.on("Network.requestWillBeSent", lambda e: sent.__setitem__(e["requestId"], e["wallTime"] * 1000))
    cdp.on("Network.loadingFinished", lambda e: encoded.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.on("Network.dataReceived",
           lambda e: decoded.__setitem__(e["requestId"], decoded.get(e["requestId"], 0) + e["dataLength"]))
    cdp.send("Network.enable")
    first, ready = first_view_js(path), ready_js(path)
    runs = []
    for _ in ("cold", "warm"):
        sent.clear()
        encoded.clear()
        decoded.clear()
        page.goto(base + path, wait_until="commit")
        done, drawn_at, grid_at = page.wait_for_function(
            f"() => ({first})() && [performance.now(), performance.timeOrigin + performance.now(),"
            " window.atlasGridRequestedAt || null]", polling="raf", timeout=120_000).json_value()
        # the requests sent until the first view (one sent in the moment since can only add to it) or
        # until AG Grid's bundle was asked for, if that came first (assets/grid-loader.js asks for it
        # once the graphs are drawn); counted once the page is wholly ready and they have all finished
        cutoff = min(drawn_at, grid_at or drawn_at)
        until_first = {r for r, at in list(sent.items()) if at < cutoff}
        page.wait_for_function(ready, polling=100, timeout=120_000)
        page.wait_for_timeout(50)  # the last loadingFinished events of the responses already used
        runs.append((done / 1000, sum(encoded.get(r, 0) for r in until_first),
                     sum(decoded.get(r, 0) for r in until_first), len(until_first), sum(encoded.values())))
    context.close()
    return (*runs[0][:4], runs[1][4], runs[1][0], runs[0][4])


def first_loads(browser, base: str, cookies: list[dict], paths: dict[str, str]) -> dict:
    figures = {}
    for name, path in paths.items():
        t0 = time.perf_counter()
        runs = []

        def once() -> float:
            runs.append(_load_once(browser, base, cookies, path))
            return runs[-1][0]

        fig = percentiles(repeat(once))
        fig.update({"path": path, "bytes_transferred": max(r[1] for r in runs),
                    "bytes_decoded": max(r[2] for r in runs), "requests": max(r[3] for r in runs),
                    "bytes_warm": max(r[4] for r in runs), "warm": percentiles([r[5] for r in runs]),
                    "bytes_ready": max(r[6] for r in runs)})
        figures[name] = fig
        log(f"  first load {path}: p50 {fig['p50_ms']} ms, p95 {fig['p95_ms']} ms, "
            f"{fig['bytes_transferred'] / 1e6:.2f} MB transferred ({fig['requests']} requests; "
            f"{fig['bytes_ready'] / 1e6:.2f} MB once wholly ready), warm "
            f"{fig['bytes_warm'] / 1e3:.0f} KB in {fig['warm']['p50_ms']} ms "
            f"[{time.perf_counter() - t0:.0f} s]")
    return figures
