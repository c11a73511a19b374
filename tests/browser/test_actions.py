"""The action follow-up in a real Chromium on the national demo data: a campaign created from an
/msap list, an interview recorded on an establishment's profile, the funnel moving on /actions;
console empty, axe-core clean; iraps sees no link and gets 403."""
import re

from tests.browser.conftest import axe_violations, grid_rows

RULE = "/msap?campagne=SSR&annee=2024&geste=PTG&age=tous&volume_min=30&methode=ecart&ecart_pts=10&perimetre=R75"
CODE = "NAV-PTG-R75"


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _region_row(page, region: str) -> dict:
    rows = grid_rows(page, f'{{"code":"{CODE}","type":"actions-regions"}}')
    return next(r for r in rows if r["region"] == region)


def test_campaign_from_an_msap_list_then_an_interview_on_the_profile_moves_the_funnel(page_as):
    page = page_as("medecin_conseil")
    page.goto(RULE)
    page.watch.wait_dash_idle(timeout=30_000)
    page.wait_for_function("() => /ciblés? sur/.test(document.querySelector('#msap-count')?.innerText || '')",
                           timeout=30_000)
    text = page.inner_text("#msap-count").replace("\u00a0", " ").replace("\u202f", " ")
    found = re.search(r"(\d[\d ]*) établissements? ciblés?", text)
    assert found, text
    flagged = _number(found.group(1))
    assert flagged > 0
    page.click("#msap-campaign-block summary")
    page.watch.wait_dash_idle(timeout=30_000)  # opening the block proposes a code and label for the rule shown
    page.fill("#msap-campaign-code", CODE)
    assert page.input_value("#msap-campaign-code") == CODE
    page.click("#msap-campaign-submit")
    page.wait_for_selector("#msap-campaign-message .action-ok", timeout=20_000)
    assert f"Campagne « {CODE} » créée avec {flagged} établissement" in page.inner_text("#msap-campaign-message")
    assert axe_violations(page) == []

    page.goto(f"/actions/{CODE}")
    page.watch.wait_dash_idle(timeout=30_000)
    page.wait_for_function("() => /sur \\d+ de la liste/.test(document.querySelector('#action-count')?.innerText || '')")
    rows = grid_rows(page, "action-table")
    assert len(rows) == flagged and {r["etape"] for r in rows} == {"ciblee"}
    assert page.locator("a", has_text="règle de ciblage /msap").get_attribute("href").startswith(
        "/msap?campagne=SSR&annee=2024&geste=PTG")
    assert axe_violations(page) == []
    finess = rows[0]["finess"]

    page.goto("/actions")
    page.watch.wait_dash_idle(timeout=30_000)
    page.wait_for_selector(f"section[aria-label='Campagne {CODE}']")
    before = _region_row(page, "Nouvelle-Aquitaine")
    assert (before["ciblees"], before["entretiens"]) == (flagged, 0)

    page.goto(f"/etablissement/{finess}")
    page.watch.wait_dash_idle(timeout=30_000)
    page.wait_for_selector("#profile-actions-submit", timeout=30_000)
    page.select_option("#profile-actions-campaign", CODE)
    page.select_option("#profile-actions-step", "entretien")
    page.fill("#profile-actions-medecin", "Dr Navigateur")
    page.fill("#profile-actions-note", "<b>Entretien</b> cordial\nsuite : revoir les indications")
    page.click("#profile-actions-submit")
    page.wait_for_selector("#profile-actions-message .action-ok", timeout=20_000)
    assert "Entretien confraternel » enregistrée pour 1 établissement" in page.inner_text("#profile-actions-message")
    # the history is re-read by the next callback (the write bumps its refresh store): wait for it
    page.wait_for_function("() => (document.querySelector('#profile-actions-history')?.innerText || '')"
                           ".includes('Dr Navigateur')", timeout=20_000)
    history = page.inner_text("#profile-actions-history")
    assert "<b>Entretien</b> cordial" in history and "Dr Navigateur" in history  # the note shown as text
    assert page.locator("#profile-actions-history b").count() == 0
    assert axe_violations(page) == []

    page.goto("/actions")
    page.watch.wait_dash_idle(timeout=30_000)
    page.wait_for_selector(f"section[aria-label='Campagne {CODE}']")
    after = _region_row(page, "Nouvelle-Aquitaine")
    assert (after["ciblees"], after["contactees"], after["entretiens"]) == (flagged, 1, 1)
    card = page.inner_text(f"section[aria-label='Campagne {CODE}']").replace("\u00a0", " ")
    assert f"1 établissement rencontré sur {flagged} ciblés" in card
    assert axe_violations(page) == []
    assert page.watch.console == []
    assert page.watch.outside_requests() == []


def test_the_home_page_is_the_dashboard_and_iraps_sees_no_campaign(page_as):
    page = page_as("analyste")
    page.goto("/")
    page.watch.wait_dash_idle(timeout=30_000)
    headlines = page.inner_text("section[aria-label='Chiffres clés']")
    for title in ("Recours au SSR après PTG", "Ciblés par la règle MSAP par défaut", "Indicateurs CAQES atteints",
                  "Taux de chirurgie ambulatoire"):
        assert title in headlines
    assert "MSAP-SSR-PTG-2025" in page.inner_text("section[aria-label='Campagnes en cours']")
    assert page.locator("a[href='/actions']").count() >= 1
    assert axe_violations(page) == []
    assert page.watch.console == []

    iraps = page_as("iraps")
    iraps.goto("/")
    iraps.watch.wait_dash_idle(timeout=30_000)
    assert "Recours au SSR après PTG" in iraps.inner_text("section[aria-label='Chiffres clés']")
    assert iraps.locator("section[aria-label='Campagnes en cours']").count() == 0
    assert iraps.locator("a[href='/actions']").count() == 0
    assert iraps.request.get("/actions").status == 403
    assert iraps.watch.console == []
