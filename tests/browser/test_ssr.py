"""/ssr in a real Chromium: controls recolour the map, drill-down to establishments with the right
figures, the address reproduces the view, the back button steps back, accessibility."""
import re

import pandas as pd
from sqlalchemy import create_engine, text

from tests.browser.conftest import axe_violations, click_on_map, grid_rows, wait_graph

MAP = "#ssr-map .js-plotly-plot"


def wait_map(page) -> None:
    wait_graph(page, MAP)


def legend(page) -> list[str]:
    return page.evaluate(f"() => Array.from(document.querySelectorAll('{MAP} .legendtext')).map(e => e.textContent)")


def classes(page) -> list[int]:
    return page.evaluate(f"() => Array.from(document.querySelector('{MAP}')._fullData[0].z)")


def choose(page, group_id: str, option: str) -> None:
    page.locator(f"#{group_id} label", has_text=option).click()


def db_establishment_figures(db_url: str, departement: str, gesture: str, age: str, year: int) -> pd.DataFrame:
    eng = create_engine(db_url)
    with eng.connect() as c:
        df = pd.read_sql(text(
            "SELECT s.finess, SUM(s.stays) AS stays, SUM(s.stays_with_ssr) AS ssr FROM ssr_recourse s "
            "JOIN establishments e ON e.finess = s.finess WHERE e.departement_code = :d AND s.gesture = :g "
            "AND s.age_band = :a AND s.year = :y GROUP BY s.finess"), c,
            params={"d": departement, "g": gesture, "a": age, "y": year})
    eng.dispose()
    return df.set_index("finess")


def test_controls_recolour_the_map_and_drill_down_reaches_the_establishments(page, browser_db):
    page.goto("/ssr")
    wait_map(page)
    before_legend, before_classes = legend(page), classes(page)
    assert any(re.match(r"\d+\s%\s–\s\d+\s%", t) for t in before_legend), before_legend
    assert re.search(r"Classes\s*:\s*effectifs égaux \(quantiles\)", page.inner_text("#ssr-map"))

    choose(page, "ssr-geste", "PTH")
    page.wait_for_url(re.compile(r"geste=PTH"))
    wait_map(page)
    choose(page, "ssr-age", "< 60 ans")
    page.wait_for_url(re.compile(r"age=%3C60"))
    wait_map(page)
    assert legend(page) != before_legend
    assert classes(page) != before_classes

    # Bordeaux lies in Nouvelle-Aquitaine (region 75), then in Gironde (33)
    click_on_map(page, MAP, -0.58, 44.84)
    page.wait_for_url(re.compile(r"focus=75"))
    wait_map(page)
    assert "Nouvelle-Aquitaine" in page.inner_text("#ssr-breadcrumb")
    click_on_map(page, MAP, -0.58, 44.84)
    page.wait_for_url(re.compile(r"niveau=dep.*focus=33|focus=33"))
    wait_map(page)
    assert page.inner_text("#ssr-breadcrumb").split("›")[-1].strip() == "Gironde (33)"  # as on /caqes
    page.wait_for_selector("#ssr-establishments-block:not([hidden])")
    rows = grid_rows(page, "ssr-establishments")
    assert rows, "the establishments of Gironde are listed"
    year = int(re.search(r"annee=(\d+)", page.url).group(1))
    expected = db_establishment_figures(browser_db, "33", "PTH", "<60", year)
    assert {r["finess"] for r in rows} == set(expected.index)
    for r in rows:
        exp = expected.loc[r["finess"]]
        assert (r["sejours"], r["sejours_ssr"]) == (exp["stays"], exp["ssr"])
        assert r["taux_pct"] == round(100 * exp["ssr"] / exp["stays"], 1)
    assert all(r["lien"].endswith(f"(/etablissement/{r['finess']})") for r in rows)

    # the address is the view: a fresh page shows the same drill-down and the same figures
    url = page.url
    fresh = page.context.new_page()
    fresh.watch = type(page.watch)(fresh, page.watch.base)
    fresh.goto(url)
    wait_map(fresh)
    assert fresh.inner_text("#ssr-breadcrumb") == page.inner_text("#ssr-breadcrumb")
    assert grid_rows(fresh, "ssr-establishments") == rows
    assert legend(fresh) == legend(page) and classes(fresh) == classes(page)
    assert fresh.watch.console == []
    fresh.close()

    # back steps back to the region
    page.go_back()
    page.wait_for_url(re.compile(r"focus=75"))
    wait_map(page)
    crumbs = page.inner_text("#ssr-breadcrumb")
    assert "Nouvelle-Aquitaine" in crumbs and "Gironde" not in crumbs
    assert page.is_hidden("#ssr-establishments-block")
    assert page.watch.console == []
    assert page.watch.outside_requests() == []


def test_malformed_values_fall_back_with_a_visible_notice(page):
    page.goto("/ssr?geste=GENOU&classes=12&age=%3C60")
    wait_map(page)
    notice = page.inner_text("#ssr-notices")
    assert "« GENOU »" in notice and "« 12 »" in notice
    assert "age=%3C60" in page.url and "geste=PTG" in page.url
    assert page.watch.console == []


def test_ssr_page_has_no_serious_accessibility_violation(page):
    page.goto("/ssr?niveau=reg&focus=75")
    wait_map(page)
    assert axe_violations(page) == []
