"""CAQES definitions (issue 6) with hand-computed values, and the /caqes view's tables."""
import math

import numpy as np
import pandas as pd
import pytest

from analytics import caqes
from analytics.caqes import ATTEINT, EN_PROGRES, NON_ATTEINT, CaqesView

# --- attainment ------------------------------------------------------------------------------


@pytest.mark.parametrize("baseline, target, achieved, expected", [
    (50, 60, 55, 0.5),      # (55 − 50) / (60 − 50)
    (50, 60, 57.5, 0.75),   # 7.5 / 10
    (50, 60, 60, 1.0),      # target reached
    (50, 60, 70, 1.0),      # 2.0 clipped to 1
    (50, 60, 50, 0.0),      # no progress
    (50, 60, 45, 0.0),      # −0.5 clipped to 0
])
def test_attainment_when_higher_is_better(baseline, target, achieved, expected):
    assert caqes.attainment(baseline, target, achieved, "higher") == pytest.approx(expected)


@pytest.mark.parametrize("baseline, target, achieved, expected", [
    (40, 30, 38, 0.2),      # (38 − 40) / (30 − 40) = −2 / −10
    (40, 30, 33, 0.7),      # −7 / −10
    (40, 30, 30, 1.0),
    (40, 30, 25, 1.0),      # 1.5 clipped to 1
    (40, 30, 40, 0.0),
    (40, 30, 41, 0.0),      # −0.1 clipped to 0
])
def test_attainment_when_lower_is_better(baseline, target, achieved, expected):
    assert caqes.attainment(baseline, target, achieved, "lower") == pytest.approx(expected)


def test_attainment_when_the_target_equals_the_baseline():
    assert caqes.attainment(30, 30, 30, "higher") == 1.0     # as good as the target
    assert caqes.attainment(30, 30, 30.5, "higher") == 1.0
    assert caqes.attainment(30, 30, 29.9, "higher") == 0.0
    assert caqes.attainment(30, 30, 29.9, "lower") == 1.0
    assert caqes.attainment(30, 30, 30.1, "lower") == 0.0
    assert caqes.status(30, 30, 30, "higher") == ATTEINT
    assert caqes.status(30, 30, 29.9, "higher") == NON_ATTEINT
    assert caqes.status(30, 30, 29.9, "lower") == ATTEINT


def test_a_target_on_the_wrong_side_of_the_baseline_counts_only_when_reached():
    # faulty data: target 45 below a baseline of 50 for a 'higher' indicator
    assert caqes.attainment(50, 45, 46, "higher") == 1.0 and caqes.status(50, 45, 46, "higher") == ATTEINT
    assert caqes.attainment(50, 45, 40, "higher") == 0.0 and caqes.status(50, 45, 40, "higher") == NON_ATTEINT


def test_without_achieved_value_there_is_no_attainment_and_status_is_non_mesure():
    assert caqes.attainment(40, 30, None, "lower") is None
    assert caqes.attainment(40, 30, math.nan, "lower") is None
    assert caqes.status(40, 30, math.nan, "lower") is None
    assert caqes.status_label(None) == "non mesuré" and caqes.status_label(ATTEINT) == "atteint"


def test_a_value_read_back_with_float_noise_still_reaches_its_target():
    assert caqes.status(45.3, 40.8, 40.800000000000004, "lower") == ATTEINT
    assert caqes.attainment(45.3, 40.8, 40.800000000000004, "lower") == 1.0


def test_an_unknown_direction_is_refused():
    with pytest.raises(ValueError):
        caqes.attainment(1, 2, 3, "up")


# --- statuses --------------------------------------------------------------------------------


@pytest.mark.parametrize("baseline, target, achieved, better, expected", [
    (50, 60, 60, "higher", ATTEINT),
    (50, 60, 61, "higher", ATTEINT),
    (50, 60, 50.1, "higher", EN_PROGRES),
    (50, 60, 59.9, "higher", EN_PROGRES),
    (50, 60, 50, "higher", NON_ATTEINT),   # no strict progress
    (50, 60, 49, "higher", NON_ATTEINT),
    (40, 30, 30, "lower", ATTEINT),
    (40, 30, 29, "lower", ATTEINT),
    (40, 30, 35, "lower", EN_PROGRES),
    (40, 30, 40, "lower", NON_ATTEINT),
    (40, 30, 41, "lower", NON_ATTEINT),
])
def test_status(baseline, target, achieved, better, expected):
    assert caqes.status(baseline, target, achieved, better) == expected


def test_vectorised_attainment_and_status_equal_the_definitions_row_by_row():
    grid = [(b, t, a, d) for b, t in ((50, 60), (40, 30), (30, 30), (50, 45))
            for a in (None, 20, 29.9, 30, 30.1, 38, 45, 50, 55, 60, 70) for d in ("higher", "lower")]
    frame = pd.DataFrame(grid, columns=["baseline", "target", "achieved", "better"]).astype({"achieved": float})
    out = caqes.with_attainment(frame)
    for (b, t, a, d), att, st in zip(grid, out["attainment"], out["status"]):
        expected = caqes.attainment(b, t, a, d)
        assert (math.isnan(att) if expected is None else att == pytest.approx(expected)), (b, t, a, d)
        assert st == caqes.status(b, t, a, d), (b, t, a, d)


# --- score and incentive ---------------------------------------------------------------------


def test_score_is_the_weighted_mean_attainment_of_the_measured_indicators():
    # (1.0 × 2 + 0.5 × 1 + 0.0 × 1) / (2 + 1 + 1) = 2.5 / 4; the unmeasured one is left out
    assert caqes.score([1.0, 0.5, 0.0, math.nan], [2, 1, 1, 1]) == pytest.approx(0.625)
    assert caqes.score([1.0, 0.5, 0.0]) == pytest.approx(0.5)  # equal weights by default
    assert math.isnan(caqes.score([math.nan, math.nan]))


def test_incentive_sums_savings_times_rate_over_the_indicators_with_savings():
    # 10 000 × 0.3 + 4 000 × 0.2 = 3 000 + 800; no savings: nothing
    assert caqes.incentive([10_000, 4_000, math.nan], [0.3, 0.2, 0.25]) == pytest.approx(3_800)
    assert caqes.incentive([], []) == 0.0


# --- the view's tables on a hand-made year -------------------------------------------------------

def _results() -> pd.DataFrame:
    """Two establishments in Gironde (33), one in Dordogne (24, both Nouvelle-Aquitaine 75), one in
    Paris (75, Île-de-France 11); three indicators (two national, one regional)."""
    cat = {"N_A": ("produits_sante", "national", "lower", 0.3, 1.0, 1),
           "N_B": ("organisation", "national", "higher", 0.2, 1.0, 2),
           "R_C": ("pertinence", "regional", "higher", 0.2, 2.0, 3)}
    rows = [
        # finess, name, region, dep, indicator, baseline, target, achieved, savings
        ("330000017", "Clinique du Lac", "75", "33", "N_A", 40, 30, 30, 10_000),      # atteint, 1.0
        ("330000017", "Clinique du Lac", "75", "33", "N_B", 50, 60, 55, 4_000),       # en progrès, 0.5
        ("330000017", "Clinique du Lac", "75", "33", "R_C", 20, 30, 18, None),        # non atteint, 0.0
        ("330000025", "CHU de Bordeaux", "75", "33", "N_A", 45, 35, 43, 20_000),      # en progrès, 0.2
        ("330000025", "CHU de Bordeaux", "75", "33", "N_B", 60, 70, None, None),      # non mesuré
        ("240000011", "CH de Périgueux", "75", "24", "N_A", 50, 40, 40, 5_000),       # atteint, 1.0
        ("750000019", "Hôpital de Paris", "11", "75", "N_A", 30, 25, 31, 0),          # non atteint, 0.0
        ("750000019", "Hôpital de Paris", "11", "75", "R_C", 10, 20, 25, None),       # atteint, 1.0
    ]
    df = pd.DataFrame(rows, columns=["finess", "name", "region_code", "departement_code", "indicator", "baseline",
                                     "target", "achieved", "savings_eur"])
    df["year"] = 2024
    for i, col in enumerate(["part", "scope", "better", "incentive_rate", "weight", "position"]):
        df[col] = df["indicator"].map({k: v[i] for k, v in cat.items()})
    df["label"] = df["indicator"].map({"N_A": "Indicateur A", "N_B": "Indicateur B", "R_C": "Indicateur C"})
    df["unit"] = "%"
    return df.astype({"baseline": float, "target": float, "achieved": float, "savings_eur": float})


@pytest.fixture
def evaluated():
    return caqes.evaluate(_results())


def test_establishment_table_counts_statuses_and_weights_the_score(evaluated):
    table = caqes.establishment_table(caqes.select(evaluated, CaqesView(annee=2024))).set_index("finess")
    lac = table.loc["330000017"]
    assert (lac.n_results, lac.n_measured, lac.n_atteint, lac.n_en_progres, lac.n_non_atteint, lac.n_non_mesure) == \
        (3, 3, 1, 1, 1, 0)
    # (1.0 × 1 + 0.5 × 1 + 0.0 × 2) / (1 + 1 + 2) = 1.5 / 4
    assert lac.score == pytest.approx(0.375)
    # 10 000 × 0.3 + 4 000 × 0.2 = 3 800 € (R_C has no savings)
    assert lac.incentive_eur == pytest.approx(3_800) and lac.savings_eur == pytest.approx(14_000)
    chu = table.loc["330000025"]
    # only N_A is measured: (45 − 43) / (45 − 35) = 0.2; N_B is non mesuré, out of the score
    assert chu.score == pytest.approx(0.2) and chu.n_non_mesure == 1 and chu.incentive_eur == pytest.approx(6_000)
    assert table.loc["750000019"].score == pytest.approx(2 / 3)  # (0 × 1 + 1 × 2) / 3


def test_headline_shares_are_ratios_of_counts_of_measured_results(evaluated):
    h = caqes.headline(caqes.select(evaluated, CaqesView(annee=2024)))
    assert (h["n_establishments"], h["n_indicators"], h["n_results"], h["n_measured"]) == (4, 3, 8, 7)
    assert (h["n_atteint"], h["n_en_progres"], h["n_non_atteint"], h["n_non_mesure"]) == (3, 2, 2, 1)
    assert h["share_atteint"] == pytest.approx(3 / 7) and h["share_non_atteint"] == pytest.approx(2 / 7)
    # 3 000 + 800 + 6 000 + 1 500 + 0 = 11 300 €
    assert h["incentive_eur"] == pytest.approx(11_300) and h["savings_eur"] == pytest.approx(39_000)


def test_volet_indicator_and_perimeter_select_the_results(evaluated):
    sel = caqes.select(evaluated, CaqesView(annee=2024, volet="produits_sante", perimetre="R75"))
    assert sorted(sel["finess"]) == ["240000011", "330000017", "330000025"] and set(sel["indicator"]) == {"N_A"}
    assert set(caqes.select(evaluated, CaqesView(annee=2024, perimetre="D33"))["finess"]) == {"330000017", "330000025"}
    # D75 is Paris, R75 Nouvelle-Aquitaine
    assert set(caqes.select(evaluated, CaqesView(annee=2024, perimetre="D75"))["finess"]) == {"750000019"}
    assert set(caqes.select(evaluated, CaqesView(annee=2024, indicateur="R_C"))["finess"]) == {"330000017",
                                                                                               "750000019"}


def test_territory_table_maps_the_share_atteint_or_the_mean_attainment_for_one_indicator(evaluated):
    sel = caqes.select(evaluated, CaqesView(annee=2024))
    table, classification = caqes.territory_table(sel, "reg", one_indicator=False)
    t = table.set_index("code")
    # Nouvelle-Aquitaine: 2 atteints of 5 measured (6 results); Île-de-France 1 of 2
    assert (t.loc["75", "n_atteint"], t.loc["75", "n_measured"], t.loc["75", "n_results"]) == (2, 5, 6)
    assert t.loc["75", "value"] == pytest.approx(0.4) and t.loc["11", "value"] == pytest.approx(0.5)
    assert t.loc["75", "n_establishments"] == 3
    assert classification.k == 2 and (t.loc["75", "classe"], t.loc["11", "classe"]) == (1, 2)
    one, _ = caqes.territory_table(caqes.select(evaluated, CaqesView(annee=2024, indicateur="N_A")), "dep", True)
    one = one.set_index("code")
    assert one.loc["33", "value"] == pytest.approx((1.0 + 0.2) / 2) and one.loc["24", "value"] == 1.0
    full = caqes.with_all_territories(table, ["04", "11", "75"])
    assert full.set_index("code").loc["04", "classe"] == 0 and full.set_index("code").loc["04", "n_results"] == 0


def test_score_change_compares_the_same_selection_the_year_before(evaluated):
    before = evaluated.copy()
    before.loc[before["finess"] == "330000017", "attainment"] = [0.5, 0.5, 0.5]  # score 0.5 the year before
    now = caqes.establishment_table(caqes.select(evaluated, CaqesView(annee=2024)))
    prev = caqes.establishment_table(caqes.select(before[before["finess"] == "330000017"], CaqesView(annee=2023)))
    table = caqes.with_change(now, prev).set_index("finess")
    assert table.loc["330000017", "score_change"] == pytest.approx(0.375 - 0.5)
    assert math.isnan(table.loc["750000019", "score_change"])


def test_indicator_distribution_puts_national_first_with_quartiles(evaluated):
    dist = caqes.indicator_distribution(caqes.select(evaluated, CaqesView(annee=2024)))
    assert list(dist["indicator"]) == ["N_A", "N_B", "R_C"]
    a = dist.iloc[0]
    # N_A attainments: 1.0, 0.2, 1.0, 0.0 -> sorted 0, 0.2, 1, 1: quartiles (linear) 0.15, 0.6, 1.0
    assert (a["n_measured"], a["n_atteint"], a["n_non_atteint"]) == (4, 2, 1)
    assert (a["min"], a["q1"], a["median"], a["q3"], a["max"]) == pytest.approx((0.0, 0.15, 0.6, 1.0, 1.0))
    assert a["mean"] == pytest.approx(0.55)
    assert dist.iloc[1]["n_non_mesure"] == 1


def test_result_rows_have_the_export_columns_and_hand_computed_values(evaluated):
    rows = caqes.result_rows(caqes.select(evaluated, CaqesView(annee=2024, perimetre="D33")), 2024)
    assert list(rows[0]) == caqes.EXPORT_COLUMNS
    by = {(r["finess"], r["indicateur"]): r for r in rows}
    chu = by[("330000025", "N_A")]
    assert (chu["valeur_initiale"], chu["cible"], chu["realise"], chu["atteinte_pct"], chu["statut"]) == \
        (45.0, 35.0, 43.0, 20.0, "en progrès")
    assert (chu["economies_eur"], chu["interessement_eur"], chu["annee"], chu["region"], chu["departement"],
            chu["volet"]) == (20_000, 6_000, 2024, "75", "33", "produits_sante")
    missing = by[("330000025", "N_B")]
    assert (missing["realise"], missing["atteinte_pct"], missing["statut"], missing["interessement_eur"]) == \
        (None, None, "non mesuré", None)


# --- the address -----------------------------------------------------------------------------

REGIONS = {"24": "Centre-Val de Loire", "75": "Nouvelle-Aquitaine", "11": "Île-de-France"}
DEPS = {"24": "Dordogne", "33": "Gironde", "75": "Paris", "2A": "Corse-du-Sud"}
CATALOGUE = pd.DataFrame({"code": ["N_A", "N_B", "R_C", "S_OLD"],
                          "part": ["produits_sante", "organisation", "pertinence", "socle"]})


def _available(year):
    if year == 2021:
        return pd.DataFrame({"code": ["S_OLD"], "label": ["Ancien"], "part": ["socle"], "scope": ["national"]})
    return pd.DataFrame({"code": ["N_A", "N_B", "R_C"], "label": ["A", "B", "C"],
                         "part": ["produits_sante", "organisation", "pertinence"],
                         "scope": ["national", "national", "regional"]})


def _parse(query):
    return caqes.parse_view(query, [2021, 2022, 2023, 2024], CATALOGUE, _available, REGIONS, DEPS)


def test_the_default_view_is_the_latest_year_for_france():
    view, notices = _parse({})
    assert view == CaqesView(annee=2024, volet="tous", indicateur="tous", perimetre="FR", niveau="reg")
    assert notices == []
    assert view.query_string() == "?annee=2024&volet=tous&indicateur=tous&perimetre=FR&niveau=reg"


def test_the_perimeter_says_whether_a_code_is_a_region_or_a_departement():
    assert _parse({"perimetre": "R24"})[0].region == "24"
    assert _parse({"perimetre": "R24", "niveau": "reg"})[0].niveau == "dep"  # the map shows its départements
    assert _parse({"perimetre": "D24"})[0].departement == "24"
    assert _parse({"perimetre": "d2a"})[0].perimetre == "D2A"
    view, notices = _parse({"perimetre": "24"})  # bare: the département, and a notice on how to ask for the region
    assert view.perimetre == "D24" and "perimetre=R24" in notices[0]
    assert caqes.breadcrumb(_parse({"perimetre": "D33"})[0], {"33": "75"}) == ["75", "33"]


def test_malformed_values_fall_back_with_french_notices():
    view, notices = _parse({"annee": "1990", "volet": "<script>", "indicateur": "XYZ", "perimetre": "R99",
                            "niveau": "commune"})
    assert view == CaqesView(annee=2024)
    assert len(notices) == 5 and all("ignorée" in n for n in notices)
    assert any("« <script> »" in n and "volet" in n for n in notices)


def test_a_volet_or_indicator_without_result_that_year_falls_back_to_tous():
    view, notices = _parse({"annee": "2021", "volet": "produits_sante"})
    assert (view.volet, view.annee) == ("tous", 2021) and "n'a pas d'indicateur en 2021" in notices[0]
    view, notices = _parse({"volet": "organisation", "indicateur": "n_a"})
    assert (view.volet, view.indicateur) == ("organisation", "tous") and "n'appartient pas au volet" in notices[0]
    view, notices = _parse({"volet": "produits_sante", "indicateur": "n_a"})
    assert (view.volet, view.indicateur, notices) == ("produits_sante", "N_A", [])


def test_a_click_drills_into_the_territory_of_the_level_shown():
    view = CaqesView(annee=2024)
    assert caqes.drill(view, "75", caqes.map_level(view)).perimetre == "R75"
    region = caqes.drill(view, "75", "reg")
    assert caqes.map_level(region) == "dep" and caqes.drill(region, "33", "dep").perimetre == "D33"
    assert caqes.drill(CaqesView(annee=2024, niveau="dep"), "75", "dep").perimetre == "D75"


def test_evaluate_adds_the_incentive_of_each_result():
    out = caqes.evaluate(_results())
    assert out["incentive_eur"].iloc[0] == pytest.approx(3_000) and np.isnan(out["incentive_eur"].iloc[2])
