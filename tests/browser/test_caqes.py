"""/caqes in a real Chromium: volet and year update the headline figures and recolour the map, the
drill-down reaches a département's establishments, a row opens the establishment's CAQES section,
the address reproduces the view, the back button steps back, accessibility, empty console."""
import re

import pandas as pd
from sqlalchemy import create_engine, text

from tests.browser.conftest import axe_violations, click_on_map, grid_rows, wait_graph

MAP = "#caqes-map .js-plotly-plot"


def wait_map(page) -> None:
    wait_graph(page, MAP)


def wait_crumbs(page, last: str) -> None:
    """After back/forward Dash's router rebuilds the page: wait for its breadcrumb to end with `last`."""
    page.wait_for_function("(last) => { const n = document.querySelector('#caqes-breadcrumb');"
                           " return n && n.innerText.trim().endsWith(last); }", arg=last, timeout=30_000)


def map_state(page) -> dict:
    return page.evaluate(f"""() => {{ const g = document.querySelector('{MAP}');
        return {{z: Array.from(g._fullData[0].z), hover: Array.from(g._fullData[0].hovertext),
                 title: g.layout.title.text,
                 legend: Array.from(document.querySelectorAll('{MAP} .legendtext')).map(e => e.textContent)}}; }}""")


def headline(page) -> str:
    return page.inner_text("#caqes-headline")


def choose(page, group_id: str, option: str) -> None:
    page.locator(f"#{group_id} label", has_text=re.compile(f"^{re.escape(option)}$")).click()


def db_counts(db_url: str, departement: str, year: int, part: str) -> pd.DataFrame:
    """Results and measured results per establishment of a département (straight from the database)."""
    eng = create_engine(db_url)
    with eng.connect() as c:
        df = pd.read_sql(text(
            "SELECT r.finess, COUNT(*) AS n, COUNT(r.achieved) AS measured FROM caqes_results r "
            "JOIN establishments e ON e.finess = r.finess JOIN caqes_indicators i ON i.code = r.indicator "
            "WHERE e.departement_code = :d AND r.year = :y AND i.part = :p GROUP BY r.finess"), c,
            params={"d": departement, "y": year, "p": part})
    eng.dispose()
    return df.set_index("finess")


def test_volet_and_year_update_the_figures_and_the_drill_down_opens_an_establishment(page, browser_db):
    page.goto("/caqes")
    wait_map(page)
    assert re.search(r"annee=2024.*perimetre=FR", page.url)
    start_head, start_map = headline(page), map_state(page)
    assert "Établissements sous contrat" in start_head and "2023 :" in start_head
    assert any(re.match(r"\d+\s%\s–\s\d+\s%", t) for t in start_map["legend"]), start_map["legend"]

    choose(page, "caqes-volet", "Organisation des soins")
    page.wait_for_url(re.compile(r"volet=organisation"))
    wait_map(page)
    volet_head, volet_map = headline(page), map_state(page)
    assert volet_head != start_head
    assert volet_map["hover"] != start_map["hover"] and "Organisation des soins" in volet_map["title"]

    choose(page, "caqes-annee", "2023")
    page.wait_for_url(re.compile(r"annee=2023"))
    wait_map(page)
    year_head, year_map = headline(page), map_state(page)
    assert year_head != volet_head and "2022 :" in year_head
    assert year_map["hover"] != volet_map["hover"] and year_map["title"].endswith("2023")

    # Bordeaux lies in Nouvelle-Aquitaine (region 75), then in Gironde (33)
    click_on_map(page, MAP, -0.58, 44.84)
    page.wait_for_url(re.compile(r"perimetre=R75"))
    wait_map(page)
    assert "Nouvelle-Aquitaine" in page.inner_text("#caqes-breadcrumb")
    click_on_map(page, MAP, -0.58, 44.84)
    page.wait_for_url(re.compile(r"perimetre=D33"))
    wait_map(page)
    assert page.inner_text("#caqes-breadcrumb").split("›")[-1].strip() == "Gironde (33)"
    rows = grid_rows(page, "caqes-table")
    expected = db_counts(browser_db, "33", 2023, "organisation")
    assert rows and {r["finess"] for r in rows} == set(expected.index)
    for r in rows:
        n, measured = expected.loc[r["finess"]]
        assert r["atteints"] + r["en_progres"] + r["non_atteints"] == measured and r["non_mesures"] == n - measured
    assert all(r["lien"].endswith(f"/etablissement/{r['finess']}?annee=2023#etab-caqes-section)") for r in rows)
    assert page.inner_text("#caqes-table-title").endswith(f" : {len(rows)}")
    drilled = {"headline": headline(page), "map": map_state(page)}

    # back steps back to the region
    url = page.url
    page.go_back()
    page.wait_for_url(re.compile(r"perimetre=R75"))
    wait_crumbs(page, "Nouvelle-Aquitaine")
    wait_map(page)
    assert "Gironde" not in page.inner_text("#caqes-breadcrumb")
    assert page.watch.console == []

    # the address is the view: a fresh page shows the same drill-down, figures and map
    fresh = page.context.new_page()
    fresh.watch = type(page.watch)(fresh, page.watch.base)
    fresh.goto(url)
    wait_map(fresh)
    assert fresh.url == url
    assert fresh.inner_text("#caqes-breadcrumb").split("›")[-1].strip() == "Gironde (33)"
    assert headline(fresh) == drilled["headline"]
    assert grid_rows(fresh, "caqes-table") == rows
    assert map_state(fresh) == drilled["map"]

    # a row (outside the name's link) opens the establishment's CAQES section
    row = "#caqes-table .ag-center-cols-container .ag-row[row-index='0']"
    first = fresh.get_attribute(row, "row-id")
    fresh.locator(f"{row} .ag-cell[col-id='score_pct']").click()
    fresh.wait_for_url(re.compile(rf"/etablissement/{first}\?annee=2023#etab-caqes-section$"))
    section = fresh.locator("#etab-caqes-section")
    section.wait_for(state="visible", timeout=30_000)
    fresh.wait_for_function("() => document.querySelector('#etab-caqes-section').innerText.includes('Contrat')",
                            timeout=30_000)
    fresh.watch.wait_dash_idle(timeout=30_000)
    # the indicator charts: one sparkline per indicator, with its target line
    charts = section.locator("img.sparkline")
    assert charts.count() >= 1
    # and the page has scrolled to the section (assets/anchor-scroll.js)
    fresh.wait_for_function("() => Math.abs(document.querySelector('#etab-caqes-section')"
                            ".getBoundingClientRect().top) < 150", timeout=10_000)
    assert fresh.watch.console == []
    assert page.watch.outside_requests() == [] and fresh.watch.outside_requests() == []


def test_malformed_values_fall_back_with_a_visible_notice_and_the_page_is_accessible(page):
    page.goto("/caqes?annee=1990&volet=transports&indicateur=N_IPP&perimetre=24&niveau=commune")
    wait_map(page)
    notice = page.inner_text("#caqes-notices")
    assert "« 1990 »" in notice and "« commune »" in notice
    assert "perimetre=R24" in notice  # a bare 24 is Dordogne; the notice tells how to ask for Centre-Val de Loire
    assert "n'a pas d'indicateur en 2024" in notice  # transports: a volet of the contracts before 2022
    assert re.search(r"annee=2024&volet=tous&indicateur=N_IPP&perimetre=D24&niveau=dep", page.url)
    assert "Atteinte moyenne" in map_state(page)["title"]  # one indicator: its mean attainment
    assert axe_violations(page) == []
    assert page.watch.console == []
