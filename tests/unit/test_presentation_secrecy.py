"""Secret statistique helpers of the presentation mode for /msap and the profile (pure functions)."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import msap as model
from analytics import profile_secrecy as ui
from analytics.secrecy import MASKED
from analytics.secrecy_legacy import MASK, SECONDARY, SECRET, counts_people, deducible, linked_suppression
from components import msap as view
from services import msap as service


def test_linked_suppression_masks_the_next_smallest_cell_of_a_published_total():
    # régions a (5, 100) and b (200), France: 5 is secret, 100 the next smallest of its région
    s = linked_suppression([5, 100, 200], [["a", "a", "b"], ["FR"] * 3])
    assert s.small == [True, False, False] and s.masked == [True, True, False]
    assert s.totals == [{"a": False, "b": False}, {"FR": False}]
    assert [s.display(i, v) for i, v in enumerate([5, 100, 200])] == [MASK, SECONDARY, 200]


def test_linked_suppression_masks_totals_that_would_give_a_cell_away():
    # région a holds 5 alone: its total is secret too; France then shows one masked région total,
    # so the smallest other one (b) is masked, with one of its cells
    s = linked_suppression([5, 100, 200, 300], [["a", "b", "b", "c"], ["FR"] * 4])
    assert s.masked == [True, True, False, False]
    assert s.totals[0] == {"a": True, "b": True, "c": False}
    # a lone cell masked by its France total is not given away by its région's total either
    s = linked_suppression([5, 0, 200], [["a", "a", "b"], ["FR"] * 3])
    assert s.masked == [True, False, True] and s.totals[0] == {"a": True, "b": True}


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 40), st.sampled_from("abc")), min_size=1, max_size=8))
def test_linked_suppression_leaves_no_lone_masked_cell_under_a_shown_total(cells):
    values, groups = [v for v, _ in cells], [g for _, g in cells]
    s = linked_suppression(values, [groups, ["FR"] * len(values)])
    assert all(m for v, m in zip(values, s.masked) if 1 <= v <= 10)
    for k, labels in enumerate([groups, ["FR"] * len(values)]):
        for g, hidden_total in s.totals[k].items():
            rows = [i for i, label in enumerate(labels) if label == g]
            if not hidden_total:
                assert deducible([values[i] for i in rows], [s.masked[i] for i in rows]) == []


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
    assert ui.Shown.of(True, True, False, False) == ui.Shown(MASK, None)
    assert ui.Shown.of(False, True, False, True) == ui.Shown(SECONDARY, SECONDARY)
    assert not ui.PLAIN.hidden and ui.Shown(MASK).hidden
    assert ui.rate_counts_text(10, 20) == "50,0\u00a0% (10/20)"
    assert ui.rate_counts_text(10, 20, ui.Shown(MASK)) == "s (< 11/20)"
    assert ui.rate_counts_text(30, 120, ui.Shown(SECONDARY, SECONDARY)) == "s (masqué/masqué)"
