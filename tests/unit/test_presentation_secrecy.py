"""Secret statistique helpers of the presentation mode for /msap and the profile (pure functions)."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics import msap as model
from analytics import profile_secrecy as ui
from analytics.secrecy import MASKED, SECRET, counts_people
from components import msap as view
from services import msap as service


@pytest.mark.parametrize("label, counted", [("séjours", True), ("réhospitalisations à 30 jours", True),
                                            ("séjours d'hospitalisation complète", True), ("patients", True),
                                            ("journées d'hospitalisation complète", False), ("ETP tous personnels",
                                                                                          False),
                                            ("lits et places", False), ("journées, venues, séances", False),
                                            ("actes de rééducation", False), ("GMD", False), ("", False)])
def test_counts_people_names_the_counts_the_secret_covers(label, counted):
    assert counts_people(label) is counted


def _counts() -> pd.DataFrame:
    rows = [("330000017", "75", "33", 100, 60), ("330000025", "75", "33", 8, 5), ("330000033", "75", "33", 50, 20),
            ("240000011", "75", "24", 40, 12), ("750000019", "11", "75", 80, 40)]
    return pd.DataFrame([dict(finess=f, name=f"Étab {f}", legal_status="prive", region_code=r, departement_code=d,
                              latitude=45.0, longitude=0.0, stays=n, cases=k) for f, r, d, n, k in rows])


def test_msap_secrecy_and_presentation_rows():
    from analytics import secrecy as reach

    counts, rule = _counts(), model.MsapRule(annee=2024)
    # the reach of these counts: one gesture, one age band, every establishment private
    leaves = pd.DataFrame({"finess": counts["finess"], "status": "prive", "region": counts["region_code"],
                           "departement": counts["departement_code"], "gesture": "PTG", "age_band": "75+",
                           "a": counts["cases"], "b": counts["stays"] - counts["cases"]})
    masks = reach.suppress(leaves, [("gesture", ["PTG"]), ("age_band", ["75+"])], ["prive"])
    secret = model.secrecy(counts, masks, ("PTG", reach.ALL))
    # 330000025 (5/8) is masked, and a partner of Gironde with it, so that its counts stay unknown
    assert secret.row("330000025") == {"stays_small": False, "stays_masked": True, "cases_small": False,
                                       "cases_masked": True, "rate_hidden": True}
    gironde = [f for f in ("330000017", "330000033") if secret.row(f)["rate_hidden"]]
    assert len(gironde) == 1 and not secret.national_hidden
    evaluated = model.evaluate(counts, rule)
    rows = service.table_rows(evaluated, {}, {}, {})
    shown = {r["finess"]: r for r in service.presentation_rows(evaluated, rows, secret, rule)}
    assert (shown["330000025"]["sejours"], shown[gironde[0]]["sejours"]) == (MASKED, MASKED)
    assert shown[gironde[0]]["taux_pct"] == SECRET
    assert shown["750000019"] == next(r for r in rows if r["finess"] == "750000019")
    anonymous = service.presentation_rows(evaluated, rows, secret, rule, dict.fromkeys(counts["finess"], ("K", "Établissement K")))
    assert {(r["finess"], r["raison_sociale"]) for r in anonymous} == {("K", "Établissement K")}


def test_normal_mode_outputs_are_the_same_objects_as_before():
    # columns: the presentation variants only differ by their formatters, and by the FINESS column
    assert view.columns("SSR", False, True) == view.columns("SSR")
    shown = view.columns("SSR", True, True)
    assert [c.get("field") or c.get("colId") for c in shown] == [
        c.get("field") or c.get("colId") for c in view.columns("SSR") if c.get("field") != "finess"]


def test_profile_shown_texts():
    assert ui.Shown.of(True, True, False, False) == ui.Shown(MASKED, None)
    assert ui.Shown.of(False, True, False, True) == ui.Shown(MASKED, MASKED)
    assert not ui.PLAIN.hidden and ui.Shown(MASKED).hidden
    assert ui.rate_counts_text(10, 20) == "50,0\u00a0% (10/20)"
    assert ui.rate_counts_text(30, 120, ui.Shown(MASKED, MASKED)) == "s (masqué/masqué)"
