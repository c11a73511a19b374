"""/ambulatoire in a real Chromium on the national demo (seed 42): the procedure and the colouring
change the map, drill-down to a département lists its establishments with the database's figures,
a row opens the establishment's profile at its ambulatory section; console empty, axe-core clean."""
import re

import pandas as pd
from sqlalchemy import create_engine, text

from tests.browser.conftest import axe_violations, click_on_map, grid_rows, wait_graph

MAP = "#ambu-map .js-plotly-plot"


def wait_map(page) -> None:
    wait_graph(page, MAP)


def legend(page) -> list[str]:
    return page.evaluate(f"() => Array.from(document.querySelectorAll('{MAP} .legendtext')).map(e => e.textContent)")


def classes(page) -> list[int]:
    return page.evaluate(f"() => Array.from(document.querySelector('{MAP}')._fullData[0].z)")


def db_establishments(db_url: str, departement: str, year: int) -> pd.DataFrame:
    """Stays and ambulatory stays of the 55 marker procedures per establishment of the département."""
    eng = create_engine(db_url)
    with eng.connect() as c:
        df = pd.read_sql(text(
            "SELECT a.finess, SUM(a.stays) AS stays, SUM(a.ambulatory_stays) AS amb FROM ambulatory_surgery a "
            "JOIN establishments e ON e.finess = a.finess JOIN ambulatory_groups g ON g.code = a.gesture_group "
            "WHERE e.departement_code = :d AND a.year = :y AND g.marker_number <> '' GROUP BY a.finess"), c,
            params={"d": departement, "y": year})
    eng.dispose()
    return df.set_index("finess")


def test_procedure_colouring_drill_down_and_profile(page, browser_db):
    page.goto("/ambulatoire")
    wait_map(page)
    start_legend, start_classes = legend(page), classes(page)
    assert any(re.match(r"\d+\s%\s–\s\d+\s%", t) for t in start_legend), start_legend
    assert "Les 55 gestes marqueurs" in page.inner_text("#ambu-map")

    page.select_option("#ambu-geste", "CATARACTE")
    page.wait_for_url(re.compile(r"geste=CATARACTE"))
    wait_map(page)
    assert legend(page) != start_legend and "cristallin" in page.inner_text("#ambu-map")
    page.select_option("#ambu-geste", "TOUS")
    page.wait_for_url(re.compile(r"geste=TOUS"))
    wait_map(page)
    assert classes(page) == start_classes

    page.locator("#ambu-couleur label", has_text="Écart à la cible").click()
    page.wait_for_url(re.compile(r"couleur=ecart"))
    wait_map(page)
    gap_legend = legend(page)
    assert any("sous la cible" in t for t in gap_legend) and gap_legend != start_legend

    # Bordeaux: Nouvelle-Aquitaine (75), then Gironde (33)
    click_on_map(page, MAP, -0.58, 44.84)
    page.wait_for_url(re.compile(r"focus=75"))
    wait_map(page)
    assert "Nouvelle-Aquitaine" in page.inner_text("#ambu-breadcrumb")
    click_on_map(page, MAP, -0.58, 44.84)
    page.wait_for_url(re.compile(r"focus=33"))
    wait_map(page)
    assert page.inner_text("#ambu-breadcrumb").split("›")[-1].strip() == "Gironde (33)"
    page.wait_for_selector("#ambu-establishments-block:not([hidden])")
    rows = grid_rows(page, "ambu-establishments")
    year = int(re.search(r"annee=(\d+)", page.url).group(1))
    expected = db_establishments(browser_db, "33", year)
    assert {r["finess"] for r in rows} == set(expected.index)
    for r in rows:
        exp = expected.loc[r["finess"]]
        assert (r["sejours"], r["sejours_ambulatoires"]) == (exp["stays"], exp["amb"])
        assert r["taux_pct"] == round(100 * exp["amb"] / exp["stays"], 1)
        assert r["msap"] in ("Non ciblé",) or r["msap"].startswith("Ciblé")
    assert [r["taux_pct"] for r in rows] == sorted(r["taux_pct"] for r in rows)  # lowest first
    assert page.watch.console == []

    # a row (outside its link) opens the profile at its ambulatory section
    first = rows[0]["finess"]
    page.locator(f"#ambu-establishments .ag-row[row-id='{first}'] .ag-cell[col-id='statut']").click()
    page.wait_for_url(re.compile(rf"/etablissement/{first}\?annee={year}"), timeout=15_000)
    page.wait_for_selector("#etab-ambu-section #etab-ambu-table", timeout=30_000)
    section = page.inner_text("#etab-ambu-section")
    assert "Les 55 gestes marqueurs" in section and "Cible régionale" in section
    assert page.watch.console == []
    assert page.watch.outside_requests() == []


def test_ambulatoire_page_and_profile_section_have_no_serious_accessibility_violation(page):
    page.goto("/ambulatoire?niveau=dep&focus=33&couleur=ecart")
    wait_map(page)
    page.wait_for_selector("#ambu-establishments-block:not([hidden])")
    assert axe_violations(page) == []
    page.goto("/etablissement/330043928")  # CHU de Bordeaux in the demo, seed 42
    page.wait_for_selector("#etab-ambu-section #etab-ambu-table", timeout=30_000)
    page.watch.wait_dash_idle(timeout=30_000)
    assert axe_violations(page) == []
    assert page.watch.console == []
