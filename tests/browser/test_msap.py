"""/msap in a real Chromium on the national demo data: changing the ecart updates the count and the
list, a funnel point opens the profile, the address reproduces the list, accessibility, clean console."""
import re

from tests.browser.conftest import axe_violations

COUNT = "#msap-count"
FUNNEL = "#msap-funnel .js-plotly-plot"


def wait_results(page) -> None:
    page.watch.wait_dash_idle(timeout=30_000)
    page.wait_for_function(
        f"() => /établissements? ciblés? sur/.test(document.querySelector('{COUNT}')?.innerText || '')"
        f" && document.querySelector('{FUNNEL}')?._fullData?.length > 0"
        " && !document.querySelector('.dash-graph--pending')", timeout=30_000)
    page.wait_for_timeout(300)


def count(page) -> tuple[int, int]:
    text = page.inner_text(COUNT).replace("\u00a0", " ").replace("\u202f", " ")
    flagged, examined = re.search(r"([\d ]+) établissements? ciblés? sur ([\d ]+) examinés?", text).groups()
    return int(flagged.replace(" ", "")), int(examined.replace(" ", ""))


def grid_rows(page) -> list[dict]:
    return page.evaluate("""async () => {
        const api = await dash_ag_grid.getApiAsync('msap-table');
        const rows = []; api.forEachNode(n => rows.push(n.data)); return rows; }""")


def set_number(page, selector: str, value: str) -> None:
    page.fill(selector, value)
    page.press(selector, "Enter")


def test_changing_the_ecart_updates_the_count_and_the_list(page):
    page.goto("/msap")
    wait_results(page)
    assert re.search(r"ecart_pts=10&seuil=99\.8&perimetre=FR", page.url)
    flagged, examined = count(page)
    rows = grid_rows(page)
    assert len(rows) == examined and sum(r["cible"] == "oui" for r in rows) == flagged > 0
    assert "dépasse d'au moins 10\u00a0pts à la fois le taux de sa région et le taux national" in page.inner_text(
        "#msap-rule-text")
    first = rows[0]["finess"]  # the grid links each name to its profile
    assert page.locator(f"#msap-table a[href='/etablissement/{first}']").inner_text() == rows[0]["raison_sociale"]

    set_number(page, "#msap-ecart-pts", "20")
    page.wait_for_url(re.compile(r"ecart_pts=20&"))
    page.wait_for_function(f"() => !/^{flagged}\\s/.test(document.querySelector('{COUNT}').innerText)")
    wait_results(page)
    flagged20, examined20 = count(page)
    rows20 = grid_rows(page)
    assert examined20 == examined and flagged20 < flagged
    chosen = [r for r in rows20 if r["cible"] == "oui"]
    assert len(chosen) == flagged20
    # gaps are rounded to 0.1 pt on screen: a flagged row is at least 19.95 pts above both references
    assert all(r["ecart_regional_pts"] >= 19.95 and r["ecart_national_pts"] >= 19.95 for r in chosen)
    assert all(r["sejours"] >= 30 for r in chosen)
    assert [r["finess"] for r in rows20[:flagged20]] == [r["finess"] for r in chosen]  # flagged first
    assert "d'au moins 20\u00a0pts" in page.inner_text("#msap-rule-text")
    # the sensitivity chart agrees with the list at 20 points
    bars = page.evaluate("() => { const d = document.querySelector('#msap-sensitivity .js-plotly-plot')._fullData[0];"
                         " return Object.fromEntries(d.x.map((x, i) => [x, d.y[i]])); }")
    assert bars["20"] == flagged20 and bars["10"] == flagged
    assert page.get_attribute("#msap-export-csv", "href").endswith(page.url.split("/msap", 1)[1])
    assert page.watch.console == []
    assert page.watch.outside_requests() == []


def test_clicking_a_funnel_point_opens_the_profile(page):
    page.goto("/msap?campagne=SSR&geste=PTG&methode=funnel")
    wait_results(page)
    # the flagged point with the highest rate (top of the chart, away from the crowd)
    box, finess = page.evaluate(f"""() => {{
        const gd = document.querySelector('{FUNNEL}');
        const i = gd._fullData.findIndex(t => (t.name || '').startsWith('Ciblés'));
        const t = gd._fullData[i];
        let best = 0; t.y.forEach((y, k) => {{ if (y > t.y[best]) best = k; }});
        const el = gd.querySelectorAll('.scatterlayer .trace')[i].querySelectorAll('.point')[best];
        const r = el.getBoundingClientRect();
        return [[r.x + r.width / 2, r.y + r.height / 2], t.customdata[best][0]];
    }}""")
    page.mouse.move(*box)
    page.wait_for_timeout(200)
    page.mouse.click(*box)
    page.wait_for_url(re.compile(rf"/etablissement/{finess}$"), timeout=15_000)


def test_the_address_reproduces_the_list_in_a_fresh_page(page):
    page.goto("/msap?methode=funnel&seuil=95")
    wait_results(page)
    page.select_option("#msap-perimetre", "R84")
    page.wait_for_url(re.compile(r"perimetre=R84"))
    wait_results(page)
    set_number(page, "#msap-volume-min", "50")
    page.wait_for_url(re.compile(r"volume_min=50"))
    wait_results(page)
    assert re.search(r"methode=funnel&ecart_pts=10&seuil=95&perimetre=R84", page.url)
    rows, counted = grid_rows(page), count(page)
    assert rows and all(r["region"] == "Auvergne-Rhône-Alpes" for r in rows)
    assert all(r["sejours"] >= 50 for r in rows if r["cible"] == "oui")

    fresh = page.context.new_page()
    fresh.watch = type(page.watch)(fresh, page.watch.base)
    fresh.goto(page.url)
    wait_results(fresh)
    assert fresh.url == page.url
    assert grid_rows(fresh) == rows and count(fresh) == counted
    assert fresh.input_value("#msap-perimetre") == "R84" and fresh.input_value("#msap-volume-min") == "50"
    assert fresh.inner_text("#msap-rule-text") == page.inner_text("#msap-rule-text")
    assert fresh.watch.console == []
    fresh.close()
    assert page.watch.console == []


def test_malformed_values_fall_back_with_a_notice_and_the_page_passes_axe(page):
    page.goto("/msap?campagne=AMBU&geste=GENOU&ecart_pts=abc&methode=funnel&perimetre=75")
    wait_results(page)
    notice = page.inner_text("#msap-notices")
    assert "« GENOU »" in notice and "« abc »" in notice and "perimetre=R75" in notice
    assert "geste=TOUS" in page.url and "ecart_pts=10&" in page.url and "perimetre=D75" in page.url
    assert page.is_hidden("#msap-age-block") and page.is_hidden("#msap-ecart-block")
    assert page.is_visible("#msap-seuil-block")
    assert axe_violations(page) == []
    assert page.watch.console == []
