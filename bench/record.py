"""Record the main interactions from a real Chromium session (Playwright + Debian's /usr/bin/chromium).

For each interaction, every POST body the page sends to /_dash-update-component between the
control change and the moment Dash is idle again is captured, in order. They are recorded again
at each `make bench` against the server under test, so they always match the current callbacks
and the data of the scale measured (a FINESS, a region); the national ones are also written to
bench/requests/*.json for reading and for replay by hand.

`python -m bench.record` records against the national SQLite database and rewrites bench/requests/.
"""
from __future__ import annotations

import json
import re
import time
from urllib.parse import urlparse

from sqlalchemy import create_engine, text

from bench.common import CHROMIUM, CHROMIUM_ARGS, HERE, click_lon_lat, log

VIEWPORT = {"width": 1280, "height": 800}
DASH_POST = "/_dash-update-component"

# --- "rendered" predicates, shared with bench.browser ----------------------------------------------
IDLE = """(() => {
    const c = document.getElementById('_pages_content');
    if (!c || c.children.length === 0) { return false; }
    if (document.querySelector('[data-dash-is-loading="true"]')) { return false; }
    return !document.querySelector('.dash-graph--pending');
})()"""


def graph_drawn(selector: str) -> str:
    return (f"(() => {{ const g = document.querySelector('{selector} .js-plotly-plot');"
            " return !!(g && g._fullData && g._fullData.length > 0); })()")


def map_drawn(selector: str) -> str:
    """A choropleth map drawn with its legend (classes coloured)."""
    return (f"({graph_drawn(selector)} && document.querySelectorAll('{selector} .legendtext').length > 0)")


def grid_filled(grid_id: str) -> str:
    return f"!!document.querySelector('#{grid_id} .ag-row')"


PROFILE_DONE = """(() => {
    const top = document.querySelector('#etab-top');
    if (!top || !top.querySelector('#etab-points-section')) { return false; }
    const block = document.querySelector('#etab-funnel-block');
    if (block && !block.hidden && !document.querySelector('#etab-funnel img, #etab-funnel .js-plotly-plot')) {
        return false;
    }
    return !!document.querySelector('#etab-caqes-section');
})()"""

MSAP_DONE = ("(/établissements? ciblés? sur/.test(document.querySelector('#msap-count')?.innerText || '')"
             f" && {graph_drawn('#msap-funnel')})")

# path -> what "main content rendered" means on that page
PAGES = {
    "/ssr": f"{map_drawn('#ssr-map')} && {grid_filled('ssr-table')}",
    "/msap": f"{MSAP_DONE} && {graph_drawn('#msap-map')}",
    "/caqes": f"{map_drawn('#caqes-map')} && {grid_filled('caqes-territories')}",
    "/etablissements": grid_filled("etabs-grid"),
    "/etablissement/": PROFILE_DONE,
}


def ready_js(path: str) -> str:
    key = next(k for k in PAGES if path.startswith(k))
    return f"() => ({IDLE} && {PAGES[key]})"


# path -> its map, for the pages whose first load is "navigation → map drawn" (issue 15): AG Grid is
# loaded once the map is drawn (assets/grid-loader.js), so the grid beside it comes later.
MAPS = {"/ssr": "#ssr-map", "/caqes": "#caqes-map"}


def first_view_js(path: str) -> str:
    """The map drawn where the page has one named in MAPS, else the page ready (ready_js)."""
    key = next((k for k in MAPS if path.startswith(k)), None)
    return f"() => {map_drawn(MAPS[key])}" if key else ready_js(path)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def new_context(browser, base: str, cookies: list[dict]):
    context = browser.new_context(viewport=VIEWPORT, locale="fr-FR", base_url=base)
    if cookies:
        context.add_cookies(cookies)
    return context


def browser_cookies(session, base: str) -> list[dict]:
    """The signed-in requests.Session's cookies, for a Playwright context."""
    host = urlparse(base).hostname
    return [{"name": c.name, "value": c.value, "domain": host, "path": c.path or "/",
             "httpOnly": True, "secure": False} for c in session.cookies]


def profile_target(url: str) -> dict:
    """The profile measured: the largest MCO+SSR establishment (every section filled) by orthopaedic
    stays of the latest year, else the largest establishment."""
    eng = create_engine(url)
    with eng.connect() as c:
        year = c.execute(text("SELECT MAX(year) FROM ssr_recourse")).scalar()
        row = c.execute(text(
            "SELECT s.finess, e.name FROM ssr_recourse s JOIN establishments e ON e.finess = s.finess "
            "WHERE s.year = :y AND e.activity = 'MCO+SSR' AND EXISTS (SELECT 1 FROM profile_values v "
            "WHERE v.finess = s.finess AND v.year = :y) GROUP BY s.finess, e.name "
            "ORDER BY SUM(s.stays) DESC, s.finess LIMIT 1"), {"y": year}).first()
        if row is None:
            row = c.execute(text(
                "SELECT s.finess, e.name FROM ssr_recourse s JOIN establishments e ON e.finess = s.finess "
                "WHERE s.year = :y GROUP BY s.finess, e.name ORDER BY SUM(s.stays) DESC, s.finess LIMIT 1"),
                {"y": year}).one()
    eng.dispose()
    return {"finess": row[0], "name": row[1], "year": int(year)}


class Capture:
    """Every Dash POST of a page (body, when it was sent, when its response ended), and how many of the
    page's requests are in flight."""

    def __init__(self, page):
        self.page = page
        self.bodies: list[dict] = []
        self.sent: list[float] = []
        self.finished: dict[int, float] = {}
        self.index: dict = {}
        self.headers: dict[str, str] = {}
        self.in_flight = 0
        self.recording = False
        page.on("request", self._request)
        page.on("requestfinished", self._done)
        page.on("requestfailed", self._done)

    def _request(self, req) -> None:
        self.in_flight += 1
        if self.recording and req.method == "POST" and urlparse(req.url).path == DASH_POST:
            self.index[req] = len(self.bodies)
            self.bodies.append(req.post_data_json)
            self.sent.append(time.monotonic())
            # whatever the app's client adds to its Dash requests (a CSRF token, say) is replayed too
            self.headers.update({k: v for k, v in req.headers.items() if "csrf" in k.lower()})

    def _done(self, req) -> None:
        self.in_flight -= 1
        if req in self.index:
            self.finished[self.index[req]] = time.monotonic()

    def waves(self) -> list[list[int]]:
        """The order the browser sent the requests in: a request sent after the response of a request
        of wave k had arrived belongs to wave k + 1 (it may have waited for it); the requests of a
        wave were in flight together."""
        level: list[int] = []
        for i, sent in enumerate(self.sent):
            before = [level[j] for j in range(i) if self.finished.get(j, float("inf")) <= sent]
            level.append(max(before) + 1 if before else 0)
        return [[i for i, lv in enumerate(level) if lv == k] for k in range(max(level, default=-1) + 1)]

    def idle(self, timeout: float = 120) -> None:
        """Dash idle and no request in flight for 300 ms."""
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(50)
            busy = self.in_flight > 0 or not self.page.evaluate(f"() => {IDLE}")
            if busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= 0.3:
                return
        raise TimeoutError("the page did not become idle again")

    def record(self, do, **info) -> dict:
        """{"bodies": the POST bodies in the order sent, "waves": their grouping, **info}"""
        self.idle()
        self.bodies, self.sent, self.finished, self.index = [], [], {}, {}
        self.recording = True
        do()
        self.idle()
        self.recording = False
        if not self.bodies:
            raise RuntimeError("no Dash request recorded for this interaction")
        return {"kind": "dash", **info, "waves": self.waves(), "bodies": self.bodies}


def choose(page, group_id: str, option: str) -> None:
    page.locator(f"#{group_id} label", has_text=re.compile(f"^{re.escape(option)}$")).click()


def click_on_map(page, selector: str, lon: float, lat: float) -> None:
    """Click the map in `selector` (the graph's container) where (lon, lat) is drawn."""
    click_lon_lat(page, selector + " .js-plotly-plot", lon, lat)


def goto_ready(page, path: str, timeout: float = 120_000) -> None:
    page.goto(path)
    page.wait_for_function(ready_js(path), timeout=timeout, polling=50)


def set_number(page, selector: str, value: str) -> None:
    page.fill(selector, value)
    page.press(selector, "Enter")


BORDEAUX = (-0.58, 44.84)  # in Nouvelle-Aquitaine (75), the region of the "region" scale, and in Gironde (33)


def record_all(browser, base: str, cookies: list[dict], target: dict) -> tuple[dict, dict]:
    """{interaction: {"kind": "dash", "bodies": [...], "page": path} | {"kind": "get", "path": ...}}
    and the extra headers the browser sent with its Dash requests."""
    context = new_context(browser, base, cookies)
    page = context.new_page()
    cap = Capture(page)
    out: dict[str, dict] = {}

    goto_ready(page, "/ssr")
    out["ssr_filter"] = cap.record(lambda: choose(page, "ssr-age", "< 60 ans"), page="/ssr",
                                   action="age: « < 60 ans » (radio)")
    goto_ready(page, "/ssr")
    out["ssr_drill_region"] = cap.record(lambda: click_on_map(page, "#ssr-map", *BORDEAUX), page="/ssr",
                                         action="map click: France → Nouvelle-Aquitaine")
    page.wait_for_function(f"() => {map_drawn('#ssr-map')}")
    out["ssr_drill_departement"] = cap.record(lambda: click_on_map(page, "#ssr-map", *BORDEAUX),
                                              page="/ssr?niveau=reg&focus=75",
                                              action="map click: Nouvelle-Aquitaine → Gironde")
    if "focus=33" not in page.url:
        raise RuntimeError(f"the second click did not open Gironde: {page.url}")

    goto_ready(page, "/msap")
    out["msap_parameter"] = cap.record(lambda: set_number(page, "#msap-ecart-pts", "12"), page="/msap",
                                       action="gap (ecart_pts): 10 → 12 points, Enter")

    goto_ready(page, "/caqes")
    out["caqes_volet"] = cap.record(lambda: choose(page, "caqes-volet", "Organisation des soins"), page="/caqes",
                                    action="volet: « Organisation des soins » (radio)")

    path = f"/etablissement/{target['finess']}"
    page.goto("/etablissements")
    cap.idle()
    out["profile_open"] = cap.record(lambda: goto_ready(page, path), page=path,
                                     action=f"open the profile of {target['finess']} ({target['name']}) from /etablissements")
    out["profile_pdf"] = {"kind": "get", "path": f"/export/profil/{target['finess']}.pdf?annee={target['year']}",
                          "action": "profile PDF (GET)"}
    headers = dict(cap.headers)
    context.close()
    return out, headers


def save(recorded: dict, folder=HERE / "requests") -> None:
    """One JSON file per interaction: the list of POST bodies (or the GET path), as the browser sent them."""
    folder.mkdir(exist_ok=True)
    for name, rec in recorded.items():
        (folder / f"{name}.json").write_text(json.dumps(rec, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> int:
    from playwright.sync_api import sync_playwright

    from bench.databases import sqlite_db
    from bench.server import Cache, Server, create_user, sign_in

    url, _ = sqlite_db("national")
    create_user(url)
    server = Server(url, HERE / ".data" / "record-server.log")
    try:
        Cache().flush()
        session = sign_in(server.base)
        with sync_playwright() as p:
            browser = launch(p)
            recorded, _headers = record_all(browser, server.base, browser_cookies(session, server.base),
                                            profile_target(url))
            browser.close()
        save(recorded)
        log(f"{len(recorded)} interactions recorded in bench/requests/")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
