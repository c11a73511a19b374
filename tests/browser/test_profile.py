"""/etablissements and /etablissement/<finess> in a real Chromium on the national demo (seed 42):
search without accents, open the profile, its figures equal the database's, the PDF carries the same
profile, accessibility, "introuvable" page."""
import re
import subprocess

import pytest
from sqlalchemy import create_engine, text

from tests.browser.conftest import axe_violations

FINESS = "470513078"  # Hôpital privé du Mail (MCO+SSR, private, Nouvelle-Aquitaine) in the demo, seed 42
NAME = "Hôpital privé du Mail"
N = "\u00a0"


def grid_rows(page, grid_id: str) -> list[dict]:
    return page.evaluate(f"""async () => {{
        const api = await dash_ag_grid.getApiAsync('{grid_id}');
        const rows = []; api.forEachNodeAfterFilterAndSort(n => rows.push(n.data)); return rows; }}""")


def number(text_: str) -> float:
    """'16 769' -> 16769.0, '22,6' -> 22.6 (French format)."""
    return float(text_.replace(N, "").replace(" ", "").replace(",", "."))


def flat(text_: str) -> str:
    return " ".join(text_.replace(N, " ").split())


def query(db_url: str, sql: str, **params) -> list:
    eng = create_engine(db_url)
    with eng.connect() as c:
        rows = c.execute(text(sql), params).all()
    eng.dispose()
    return rows


def wait_profile(page) -> None:
    page.watch.wait_dash_idle(timeout=30_000)
    page.wait_for_selector("#etab-profile-table", timeout=30_000)
    page.wait_for_selector("#etab-funnel img.funnel-img", timeout=30_000)


def test_search_without_accents_opens_a_profile_whose_figures_are_the_database_ones(page, browser_db, live_server,
                                                                                   tmp_path):
    page.goto("/etablissements")
    page.watch.wait_dash_idle()
    page.fill("#etabs-search", "hopital prive du mail")  # no accent, lower case, part of the name
    page.wait_for_function(r"() => /^1\s/.test(document.querySelector('#etabs-count').textContent)")
    rows = grid_rows(page, "etabs-grid")
    assert [r["finess"] for r in rows] == [FINESS] and rows[0]["nom"] == NAME
    assert "q=hopital+prive+du+mail" in page.url
    page.locator(f".ag-row[row-id='{FINESS}'] .ag-cell[col-id='commune']").click()
    page.wait_for_url(re.compile(rf"/etablissement/{FINESS}\?annee=\d+"))
    wait_profile(page)
    assert page.inner_text("h1") == NAME
    year = int(re.search(r"annee=(\d+)", page.url).group(1))
    (region,) = query(browser_db, "SELECT region_code FROM establishments WHERE finess = :f", f=FINESS)[0]

    # --- the SSR profile table: own value, regional and national ratios of sums, with their bases
    table = page.locator("#etab-profile-table tbody tr")
    labels = {r[0]: r[1:] for r in query(browser_db, "SELECT label, code, kind, scale FROM profile_indicators")}
    checked = 0
    for i in range(table.count()):
        cells = [c.inner_text() for c in table.nth(i).locator("th, td").all()]
        label = cells[0].split("\n")[0]
        code, kind, scale = labels[label]
        own = query(browser_db, "SELECT numerator, denominator FROM profile_values WHERE finess = :f AND year = :y "
                                "AND indicator = :i", f=FINESS, y=year, i=code)
        if kind == "count":
            assert number(cells[1].split("\n")[0].split()[0]) == own[0][0]
            continue
        num, den = own[0]
        own_lines = cells[1].split("\n")
        basis = own_lines[1].strip("()").split("/")
        assert (number(basis[0]), number(basis[1])) == (pytest.approx(num), pytest.approx(den))
        value = number(own_lines[0].split(N)[0])
        digits = len(own_lines[0].split(N)[0].split(",")[1])
        assert value == pytest.approx(num / den * scale, abs=0.5 * 10 ** -digits)
        for col, where in ((2, "AND e.region_code = :r"), (3, "")):
            s_num, s_den, n = query(browser_db,
                                    "SELECT SUM(v.numerator), SUM(v.denominator), COUNT(*) FROM profile_values v "
                                    "JOIN establishments e ON e.finess = v.finess WHERE v.year = :y AND "
                                    f"v.indicator = :i AND v.denominator > 0 {where}", y=year, i=code, r=region)[0]
            lines = cells[col].split("\n")
            assert number(lines[0].split(N)[0]) == pytest.approx(s_num / s_den * scale, abs=0.5 * 10 ** -digits)
            parts = lines[1].split("/")
            assert number(parts[0]) == pytest.approx(s_num, abs=0.06) and number(parts[1]) == pytest.approx(s_den, abs=0.06)
            assert lines[2] == f"{n:,} établ.".replace(",", N)
        checked += 1
    assert checked >= 10

    # --- SSR recourse: the establishment's PTG counts, regional and national sums
    recourse = [c.inner_text() for c in page.locator("#etab-recourse-table tbody tr").first.locator("th, td").all()]
    x, n = query(browser_db, "SELECT SUM(stays_with_ssr), SUM(stays) FROM ssr_recourse WHERE finess = :f AND "
                             "year = :y AND gesture = 'PTG'", f=FINESS, y=year)[0]
    assert f"({x}/{n} séjours)" in flat(recourse[1])
    rx, rn = query(browser_db, "SELECT SUM(s.stays_with_ssr), SUM(s.stays) FROM ssr_recourse s JOIN establishments e "
                               "ON e.finess = s.finess WHERE e.region_code = :r AND s.year = :y AND s.gesture = 'PTG'",
                   r=region, y=year)[0]
    assert f"({rx:,}/{rn:,})".replace(",", " ") in flat(recourse[3])

    # --- points d'attention: the first one, and the same sentence in the PDF
    points = page.locator("#etab-points-list li").all_inner_texts()
    assert points and points[0].startswith(f"Taux de recours au SSR après prothèse totale de genou (PTG) : "
                                           f"{100 * x / n:.1f}".replace(".", ",") + f"{N}% ({x}/{n})")
    href = page.get_attribute("#etab-pdf", "href")
    assert href == f"/export/profil/{FINESS}.pdf?annee={year}"
    resp = page.request.get(live_server + href)
    assert resp.status == 200 and resp.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "profil.pdf"
    pdf.write_bytes(resp.body())
    pdf_text = flat(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    for expected in (NAME, FINESS, "Votre établissement", "Région", "France", "Comparables", flat(points[0])):
        assert expected in pdf_text, expected

    assert page.watch.console == []
    assert page.watch.outside_requests() == []


def funnel_title(page) -> str:
    return page.inner_text("#etab-funnel-title")


def test_year_and_gesture_come_from_the_address_and_the_year_changes_in_place(page):
    page.goto(f"/etablissement/{FINESS}?annee=2020&geste=COIFFE")
    wait_profile(page)
    assert "annee=2020" in page.url
    assert "2020" in page.inner_text("#etab-profile-table caption")
    assert "(COIFFE), 2020" in funnel_title(page)
    page.locator("#etab-annee label", has_text="2022").click()
    page.wait_for_url(re.compile(r"annee=2022"))
    page.wait_for_function("() => document.querySelector('#etab-profile-table caption').textContent.includes('2022')")
    page.wait_for_function("() => document.querySelector('#etab-funnel-title').textContent.includes('2022')")
    assert "(COIFFE), 2022" in funnel_title(page)  # the gesture chosen is kept
    assert page.get_attribute("#etab-pdf", "href").endswith("annee=2022")
    page.locator("#etab-funnel-geste label", has_text="LCA").click()
    page.wait_for_function("() => document.querySelector('#etab-funnel-title').textContent.includes('(LCA)')")
    # the interactive funnel on demand: plotly, with the establishment highlighted
    page.locator("#etab-funnel-mode label", has_text="Interactif").click()
    page.wait_for_function("() => { const g = document.querySelector('#etab-funnel .js-plotly-plot');"
                           " return g && g._fullData && g._fullData.some(t => t.name === 'Cet établissement'); }")
    assert "(LCA), 2022" in funnel_title(page)
    assert page.watch.console == []


def test_profile_and_search_pages_have_no_serious_accessibility_violation(page):
    page.goto(f"/etablissement/{FINESS}")
    wait_profile(page)
    assert axe_violations(page) == []
    page.goto("/etablissements?q=clinique")
    page.watch.wait_dash_idle()
    page.wait_for_selector(".ag-row")
    assert axe_violations(page) == []
    assert page.watch.console == []


@pytest.mark.parametrize("path", ["/etablissement/999999999", "/etablissement/abc"])
def test_unknown_finess_shows_a_french_page_with_a_search_box(page, path):
    page.goto(path)
    page.watch.wait_dash_idle()
    page.wait_for_selector("#etab-notfound:not([hidden]) h1")
    assert page.inner_text("#etab-notfound h1") == "Établissement introuvable"
    page.fill("#etab-notfound-q", "perigueux")
    page.locator("#etab-notfound button[type=submit]").click()
    page.wait_for_url(re.compile(r"/etablissements\?q=perigueux"))
    page.watch.wait_dash_idle()
    page.wait_for_selector(".ag-row")
    assert all("Périgueux" in r["commune"] or "Périgueux" in r["nom"] for r in grid_rows(page, "etabs-grid"))
    assert page.watch.console == []
