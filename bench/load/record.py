"""Record the requests real pages make: each journey is played in Debian's Chromium (Playwright) against a
running server, and every request to the app that is not a static file (page HTML, /_dash-layout,
/_dash-dependencies, each /_dash-update-component body, exports) is saved per step, in the order the
browser sent it, to bench/load/requests/<journey>.json. The locust scenario replays them.

    python -m bench.load.record --base http://127.0.0.1:8050 --login ... (password on standard input)

`python -m bench.load` records again by itself when the saved requests no longer fit the app.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

from bench.common import CHROMIUM, CHROMIUM_ARGS, click_lon_lat

HERE = Path(__file__).resolve().parent
REQUESTS = HERE / "requests"
STATIC = ("/assets/", "/_dash-component-suites/", "/_favicon.ico", "/favicon.ico")
PROFILE_FINESS = "470513078"  # Hôpital privé du Mail in the national demo (seed 42), as in the browser tests
SSR_MAP = "#ssr-map .js-plotly-plot"
CAQES_MAP = "#caqes-map .js-plotly-plot"


class Recorder:
    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.steps: list[dict] = []
        page.on("request", self._on_request)

    def _on_request(self, req) -> None:
        url = urlparse(req.url)
        if f"{url.scheme}://{url.netloc}" != self.base or not self.steps or url.path in ("/login", "/logout"):
            return
        path = url.path + (f"?{url.query}" if url.query else "")
        if url.path.startswith(STATIC):
            if path not in self.steps[-1]["static"]:
                self.steps[-1]["static"].append(path)
            return
        entry = {"method": req.method, "path": path}
        if req.method == "POST":
            entry["body"] = req.post_data_json
        self.steps[-1]["requests"].append(entry)

    def step(self, name: str, action) -> None:
        self.steps.append({"name": name, "requests": [], "static": []})
        action()
        self.idle()
        if not self.steps[-1]["requests"]:  # the action did not reach the server (e.g. a map not ready)
            raise RuntimeError(f"step « {name} » made no request")

    def download(self, name: str, selector: str) -> None:
        """An export link: the browser would download it; record the GET without opening it."""
        href = self.page.get_attribute(selector, "href")
        self.steps.append({"name": name, "requests": [{"method": "GET", "path": href}], "static": []})

    def idle(self, timeout: float = 60_000) -> None:
        page = self.page
        page.wait_for_function("() => { const c = document.getElementById('_pages_content');"
                               " return c && c.children.length > 0; }", timeout=timeout)
        page.wait_for_load_state("networkidle", timeout=timeout)
        page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')",
                               timeout=timeout)
        page.wait_for_timeout(300)


def click_on_map(page, selector: str, lon: float, lat: float) -> None:
    page.wait_for_function(f"() => {{ const g = document.querySelector('{selector}');"
                           " return g && g._fullLayout && g._fullLayout.geo && g._fullData.length > 0"
                           " && !document.querySelector('.dash-graph--pending'); }", timeout=30_000)
    page.locator(selector).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    click_lon_lat(page, selector, lon, lat)


def choose(page, group_id: str, option: str) -> None:
    page.locator(f"#{group_id} label", has_text=re.compile(f"^{re.escape(option)}$")).click()


def journey_ssr(r: Recorder) -> None:
    p = r.page
    r.step("open /ssr", lambda: p.goto("/ssr"))
    r.step("geste PTH", lambda: choose(p, "ssr-geste", "PTH"))
    r.step("age < 60", lambda: choose(p, "ssr-age", "< 60 ans"))
    r.step("drill Nouvelle-Aquitaine", lambda: click_on_map(p, SSR_MAP, -0.58, 44.84))
    r.download("export CSV", "#ssr-export")


def journey_ssr_departements(r: Recorder) -> None:
    p = r.page
    r.step("open /ssr by département", lambda: p.goto("/ssr?geste=LCA&niveau=dep&methode=jenks"))
    r.step("drill Gironde", lambda: click_on_map(p, SSR_MAP, -0.58, 44.84))
    r.download("export CSV", "#ssr-export")


def journey_msap(r: Recorder) -> None:
    p = r.page

    def ecart() -> None:
        p.fill("#msap-ecart-pts", "20")
        p.press("#msap-ecart-pts", "Enter")

    r.step("open /msap", lambda: p.goto("/msap"))
    r.step("ecart 20 pts", ecart)
    r.step("open /msap funnel", lambda: p.goto("/msap?campagne=SSR&geste=PTG&methode=funnel&seuil=95"))
    r.step("perimetre R84", lambda: p.select_option("#msap-perimetre", "R84"))
    r.download("export CSV", "#msap-export-csv")


def journey_caqes(r: Recorder) -> None:
    p = r.page
    r.step("open /caqes", lambda: p.goto("/caqes"))
    r.step("volet organisation", lambda: choose(p, "caqes-volet", "Organisation des soins"))
    r.step("annee 2023", lambda: choose(p, "caqes-annee", "2023"))
    r.step("drill Nouvelle-Aquitaine", lambda: click_on_map(p, CAQES_MAP, -0.58, 44.84))


def journey_profile(r: Recorder, finess: str = PROFILE_FINESS, pdf: bool = True) -> None:
    p = r.page
    r.step("search", lambda: p.goto("/etablissements?q=clinique"))
    r.step(f"open profile {finess}", lambda: p.goto(f"/etablissement/{finess}"))
    if pdf:
        r.download("profile PDF", "#etab-pdf")


JOURNEYS = {"ssr": journey_ssr, "ssr_departements": journey_ssr_departements, "msap": journey_msap,
            "caqes": journey_caqes, "profile": journey_profile}


def other_profiles(database_url: str, n: int = 4) -> list[str]:
    """A few more establishments with SSR recourse rows, spread over the FINESS order (deterministic)."""
    from sqlalchemy import create_engine, text

    eng = create_engine(database_url)
    with eng.connect() as c:
        rows = c.execute(text("SELECT DISTINCT finess FROM ssr_recourse ORDER BY finess")).scalars().all()
    eng.dispose()
    step = max(len(rows) // (n + 1), 1)
    return [rows[(i + 1) * step] for i in range(n) if (i + 1) * step < len(rows)]


def record(base: str, login: str | None, password: str | None, extra_profiles: list[str] = (),
           out: Path = REQUESTS, log=print) -> list[Path]:
    """Play every journey in Chromium and save its requests; returns the files written."""
    from playwright.sync_api import sync_playwright

    journeys = dict(JOURNEYS)
    for finess in extra_profiles:
        journeys[f"profile_{finess}"] = lambda r, f=finess: journey_profile(r, f, pdf=False)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for name, journey in journeys.items():
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR", base_url=base)
            page = context.new_page()
            if login and page.goto("/login").status != 404:
                page.fill("#login", login)
                page.fill("#password", password)
                page.locator("form button[type=submit]").first.click()
                page.wait_for_url(lambda u: "/login" not in u)
            rec = Recorder(page, base)
            journey(rec)
            context.close()
            path = out / f"{name}.json"
            path.write_text(json.dumps({"journey": name, "steps": rec.steps}, ensure_ascii=False, indent=1),
                            encoding="utf-8")
            n = sum(len(s["requests"]) for s in rec.steps)
            log(f"recorded {name}: {len(rec.steps)} steps, {n} requests")
            written.append(path)
        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--login", help="sign in as this user (password on standard input)")
    parser.add_argument("--profiles-from", metavar="DATABASE_URL", help="also record a few more profiles")
    args = parser.parse_args(argv)
    password = sys.stdin.readline().rstrip("\n") if args.login else None
    extra = other_profiles(args.profiles_from) if args.profiles_from else []
    record(args.base.rstrip("/"), args.login, password, extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
