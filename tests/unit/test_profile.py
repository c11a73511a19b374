"""The establishment profile on a small hand-made dataset: references (ratio of sums vs median),
size classes and comparables, better/worse/similar, SSR recourse with funnel limits, the talking
points and their order, the directory search, CAQES attainment. Expected values are literals,
with the arithmetic in comments."""
import math

import numpy as np
import pandas as pd
import pytest

from analytics import caqes
from analytics import profile as model
from analytics.funnel import funnel_limits

N = "\u00a0"  # no-break space of the French formats

CATALOGUE = pd.DataFrame([
    # code, label, kind, better, scale, unit, numerator_label, denominator_label, source, position
    ("DMS", "Durée moyenne de séjour", "ratio", "lower", 1.0, "jours", "journées", "séjours", "PMSI SSR", 1),
    ("REHOSP", "Taux de réhospitalisation", "ratio", "lower", 100.0, "%", "réhospitalisations", "séjours",
     "PMSI SSR", 2),
    ("GMD", "Nombre de GMD", "count", "neutral", 1.0, "GMD", "GMD", "", "PMSI SSR", 3),
    ("PROG", "Programmes d'éducation", "count", "higher", 1.0, "programmes", "programmes", "", "SAE", 4),
    ("PART", "Part des autres personnels", "ratio", "neutral", 100.0, "%", "ETP autres", "ETP", "SAE", 5),
], columns=["code", "label", "kind", "better", "scale", "unit", "numerator_label", "denominator_label", "source",
            "position"])

# Seven SSR establishments in two regions. A is the one profiled.
ESTABLISHMENTS = pd.DataFrame([
    # finess, region, activity, status, beds, places   (capacity = beds + places)
    ("A", "R1", "SSR", "prive", 90, 10),   # 100
    ("B", "R1", "SSR", "prive", 60, 0),    # 60
    ("C", "R1", "SSR", "public", 70, 10),  # 80 (alone in SSR × public)
    ("D", "R2", "SSR", "prive", 100, 20),  # 120
    ("E", "R2", "SSR", "prive", 180, 20),  # 200
    ("F", "R2", "SSR", "prive", 40, 0),    # 40
    ("G", "R2", "SSR", "prive", 100, 10),  # 110
], columns=["finess", "region_code", "activity", "legal_status", "beds", "places"])

VALUES = pd.DataFrame([
    # DMS = days / stays; REHOSP = re-hospitalisations / stays (same stays)
    ("A", "DMS", 3100, 100), ("B", "DMS", 2000, 50), ("C", "DMS", 5000, 200), ("D", "DMS", 4400, 200),
    ("E", "DMS", 6000, 300), ("F", "DMS", 1000, 40), ("G", "DMS", 2950, 100),
    ("A", "REHOSP", 12, 100), ("B", "REHOSP", 2, 50), ("C", "REHOSP", 14, 200), ("D", "REHOSP", 16, 200),
    ("E", "REHOSP", 21, 300), ("F", "REHOSP", 2, 40), ("G", "REHOSP", 9, 100),
    ("A", "GMD", 40, None), ("B", "GMD", 30, None), ("C", "GMD", 50, None), ("D", "GMD", 20, None),
    ("E", "GMD", 60, None), ("F", "GMD", 35, None), ("G", "GMD", 45, None),
    ("A", "PROG", 10, None), ("B", "PROG", 8, None), ("C", "PROG", 12, None), ("D", "PROG", 5, None),
    ("E", "PROG", 6, None), ("F", "PROG", 7, None), ("G", "PROG", 11, None),
    # PART: A has no denominator this year (left out of its own value and of every reference)
    ("A", "PART", 5.0, None), ("B", "PART", 3.0, 30.0), ("C", "PART", 9.5, 95.0),
], columns=["finess", "indicator", "numerator", "denominator"])


def merged_values() -> pd.DataFrame:
    sizes = model.size_classes(ESTABLISHMENTS)
    return VALUES.merge(ESTABLISHMENTS[["finess", "region_code"]], on="finess").merge(
        sizes[["finess", "activity", "legal_status", "size_class"]], on="finess")


def rows_of_a() -> dict[str, model.ProfileRow]:
    tables = model.reference_tables(merged_values(), CATALOGUE)
    keys = {"region_code": "R1", "activity": "SSR", "legal_status": "prive", "size_class": 2}
    series = VALUES[VALUES["finess"] == "A"].assign(year=2024)
    rows = model.profile_rows("A", VALUES, tables, CATALOGUE, keys, series)
    return {r.code: r for r in rows}


# ---------------------------------------------------------------------------
# Size classes and comparables
# ---------------------------------------------------------------------------
def test_size_classes_are_terciles_of_beds_and_places_within_activity_and_status():
    sizes = model.size_classes(ESTABLISHMENTS).set_index("finess")
    # SSR × privé: capacities 40, 60, 100, 110, 120, 200 (n = 6)
    # first tercile: position 5/3 = 1.667 -> 60 + 0.667 × (100 − 60) = 86.67
    # second tercile: position 10/3 = 3.333 -> 110 + 0.333 × (120 − 110) = 113.33
    assert sizes.loc[["F", "B"], "size_class"].tolist() == [1, 1]   # 40, 60 <= 86.67
    assert sizes.loc[["A", "G"], "size_class"].tolist() == [2, 2]   # 100, 110 <= 113.33
    assert sizes.loc[["D", "E"], "size_class"].tolist() == [3, 3]   # 120, 200
    assert (sizes.loc["A", "class_min"], sizes.loc["A", "class_max"], sizes.loc["A", "class_n"]) == (100, 110, 2)
    # SSR × public has C alone: both terciles equal its capacity, class 1
    assert sizes.loc["C", "size_class"] == 1 and sizes.loc["C", "class_n"] == 1


def test_comparables_tooltip_says_which_establishments():
    text = model.comparables_text("SSR", "Privé lucratif", 2, 100, 110, 2)
    assert text.startswith("Établissements SSR, privé lucratif, de taille moyenne (tiers central")
    assert "de 100 à 110 lits et places (2 établissements en France)" in text
    assert "terciles du nombre de lits et places" in text


# ---------------------------------------------------------------------------
# References: ratio of sums for ratios, median for counts
# ---------------------------------------------------------------------------
def test_ratio_references_are_ratios_of_sums_not_means_of_ratios():
    rows = rows_of_a()
    dms = rows["DMS"]
    assert dms.own.value == 31.0  # 3100 / 100
    # Région R1 (A, B, C): (3100 + 2000 + 5000) / (100 + 50 + 200) = 10100 / 350 = 28.857
    # (the mean of the ratios would be (31 + 40 + 25) / 3 = 32.0)
    region = dms.refs["region"]
    assert (region.numerator, region.denominator, region.n) == (10100, 350, 3)
    assert region.value == pytest.approx(28.857142857)
    # France: 24450 / 990 = 24.697 (7 establishments)
    france = dms.refs["france"]
    assert (france.numerator, france.denominator, france.n) == (24450, 990, 7)
    assert france.value == pytest.approx(24.696969697)
    # Comparables (SSR, privé, class 2 = A and G): (3100 + 2950) / (100 + 100) = 30.25
    comp = dms.refs["comparables"]
    assert (comp.numerator, comp.denominator, comp.n, comp.value) == (6050, 200, 2, 30.25)


def test_scale_multiplies_the_ratio_of_sums():
    rehosp = rows_of_a()["REHOSP"]
    assert rehosp.own.value == 12.0  # 12 / 100 × 100
    # Région: (12 + 2 + 14) / 350 × 100 = 8.0 %; France: 76 / 990 × 100 = 7.677 %; comparables: 21 / 200 = 10.5 %
    assert rehosp.refs["region"].value == pytest.approx(8.0)
    assert rehosp.refs["france"].value == pytest.approx(7.676767677)
    assert rehosp.refs["comparables"].value == pytest.approx(10.5)


def test_count_references_are_medians_with_their_n():
    gmd = rows_of_a()["GMD"]
    assert gmd.own.value == 40
    # Région R1: median(40, 30, 50) = 40; France: median(20, 30, 35, 40, 45, 50, 60) = 40; comparables median(40, 45)
    assert (gmd.refs["region"].value, gmd.refs["region"].n) == (40, 3)
    assert (gmd.refs["france"].value, gmd.refs["france"].n) == (40, 7)
    assert (gmd.refs["comparables"].value, gmd.refs["comparables"].n) == (42.5, 2)
    assert math.isnan(gmd.refs["france"].numerator)


def test_a_value_without_denominator_counts_nowhere():
    part = rows_of_a()["PART"]
    assert part.own is None
    # Région: B and C only: (3 + 9.5) / (30 + 95) × 100 = 10 %
    assert part.refs["region"].value == pytest.approx(10.0) and part.refs["region"].n == 2
    assert part.refs["comparables"] is None  # G has no PART value, A none usable
    assert part.marks == {"region": None, "france": None, "comparables": None}


# ---------------------------------------------------------------------------
# Better / worse / similar
# ---------------------------------------------------------------------------
def test_marks_follow_the_direction_with_a_tolerance_where_no_interval_applies():
    dms = rows_of_a()["DMS"]  # lower is better, no sampling interval: ±5 % of the reference
    assert dms.interval == "tolerance"
    # 31 / 28.857 = 1.074 and 31 / 24.697 = 1.255: beyond 5 % and higher -> worse
    assert dms.marks["region"] == "worse" and dms.marks["france"] == "worse"
    # 31 / 30.25 = 1.025: within 5 % -> similar
    assert dms.marks["comparables"] == "similar"
    assert dms.worse_than_region_and_france


def test_marks_of_a_proportion_use_the_wilson_interval():
    rehosp = rows_of_a()["REHOSP"]
    assert rehosp.interval == "wilson"
    # Wilson 95 % of 12/100: 7.0 % – 19.8 % (c = 1.96²/100; centre (0.12 + 0.0192)/1.0384 = 0.1341,
    # half-width 1.96 × √(0.12 × 0.88/100 + 1.96²/40000)/1.0384 = 0.0641)
    assert (round(rehosp.own.low, 2), round(rehosp.own.high, 2)) == (7.0, 19.81)
    # 8.0 %, 7.68 % and 10.5 % all lie inside: similar everywhere (although 12 % is higher)
    assert rehosp.marks == {"region": "similar", "france": "similar", "comparables": "similar"}


def test_neutral_indicators_get_no_judgement_and_count_indicators_use_the_tolerance():
    rows = rows_of_a()
    assert rows["GMD"].marks == {"region": "neutral", "france": "neutral", "comparables": "neutral"}
    prog = rows["PROG"]  # higher is better; A has 10
    # Région median(10, 8, 12) = 10 -> similar; France median(5, 6, 7, 8, 10, 11, 12) = 8: 10/8 = 1.25 -> better;
    # comparables median(10, 11) = 10.5: |10 − 10.5|/10.5 = 4.8 % -> similar
    assert prog.marks == {"region": "similar", "france": "better", "comparables": "similar"}


def test_judge_on_literal_values():
    own = model.Figure(10.0)
    assert model.judge(own, model.Figure(10.4), "higher") == "similar"  # 0.4/10.4 = 3.8 %
    assert model.judge(own, model.Figure(11.0), "higher") == "worse"  # 1/11 = 9.1 %, lower than the reference
    assert model.judge(own, model.Figure(11.0), "lower") == "better"
    assert model.judge(own, model.Figure(11.0), "neutral") == "neutral"
    assert model.judge(None, model.Figure(11.0), "lower") is None
    # with an interval, the interval decides (not the 5 % tolerance)
    wide = model.Figure(10.0, low=8.0, high=12.5)
    assert model.judge(wide, model.Figure(12.0), "lower") == "similar"  # 12 / 10 = 1.2, but inside [8, 12.5]
    assert model.judge(wide, model.Figure(7.9), "lower") == "worse"


def test_uses_wilson_only_for_pmsi_proportions():
    cat = CATALOGUE.set_index("code")
    assert model.uses_wilson(cat.loc["REHOSP"].to_dict() | {"code": "REHOSP"})
    assert not model.uses_wilson(cat.loc["PART"].to_dict() | {"code": "PART"})  # SAE: declared FTE
    assert not model.uses_wilson(cat.loc["DMS"].to_dict() | {"code": "DMS"})


# ---------------------------------------------------------------------------
# SSR recourse and funnel limits
# ---------------------------------------------------------------------------
COUNTS = pd.DataFrame([
    # finess, gesture, stays, stays_with_ssr, region_code
    ("M1", "PTG", 190, 118, "R1"), ("M2", "PTG", 200, 40, "R1"), ("M3", "PTG", 800, 300, "R2"),
    ("M4", "PTG", 300, 100, "R2"),
    ("M1", "PTH", 100, 25, "R1"), ("M2", "PTH", 100, 4, "R1"), ("M3", "PTH", 400, 60, "R2"),
    ("M4", "PTH", 200, 30, "R2"),
    ("M2", "LCA", 50, 2, "R1"),
], columns=["finess", "gesture", "stays", "stays_with_ssr", "region_code"])
GESTURES = pd.DataFrame([("PTG", "Prothèse totale de genou", 1), ("PTH", "Prothèse totale de hanche", 2),
                         ("LCA", "Ligamentoplastie du LCA", 3)], columns=["code", "label", "position"])


def test_funnel_limits_are_exact_binomial_with_spiegelhalter_interpolation():
    # Binomial(10, 0.4): P(R <= 6) = 0.945238, P(R <= 7) = 0.987705 -> r = 7 for q = 0.975,
    # alpha = (0.987705 − 0.975) / (0.987705 − 0.945238) = 0.29918, upper = (7 − 0.29918)/10 = 0.67008;
    # P(R <= 0) = 0.006047, P(R <= 1) = 0.046357 -> r = 1 for q = 0.025,
    # alpha = (0.046357 − 0.025) / (0.046357 − 0.006047) = 0.52982, lower = (1 − 0.52982)/10 = 0.04702
    low, high = funnel_limits(0.4, 10, 0.95)
    assert (round(low, 5), round(high, 5)) == (0.04702, 0.67008)
    lows, highs = funnel_limits(0.4, np.array([0, 10, 1000]), 0.998)
    assert math.isnan(lows[0]) and math.isnan(highs[0])
    assert lows[2] < 0.4 < highs[2] and highs[2] - lows[2] < highs[1] - lows[1]  # narrower with volume


def test_recourse_rows_compare_with_regional_and_national_ratios_of_sums():
    rows = {r.gesture: r for r in model.recourse_rows("M1", "R1", COUNTS, GESTURES)}
    assert list(rows) == ["PTG", "PTH"]  # M1 has no LCA stay
    ptg = rows["PTG"]
    assert (ptg.with_ssr, ptg.stays) == (118, 190)
    # Région R1: (118 + 40) / (190 + 200) = 158/390 = 40.5 %; France: 558/1490 = 37.4 %
    assert ptg.region == (158, 390, pytest.approx(0.405128205))
    assert ptg.france == (558, 1490, pytest.approx(0.374496644))
    # 99.8 % limits around 37.4 % for 190 stays: 26.5 % – 48.2 %; 62.1 % is above
    assert round(ptg.limits998[1], 3) == 0.482 and ptg.above_998
    assert ptg.marks == {"region": "worse", "france": "worse"}
    pth = rows["PTH"]
    # 25/100 = 25 %, Wilson 17.5 % – 34.3 %; Région 29/200 = 14.5 %; France 119/800 = 14.9 %
    # funnel around 14.9 % for 100 stays: 95 % upper 21.7 %, 99.8 % upper 26.3 %: between the two
    assert round(pth.low, 3) == 0.175 and not pth.above_998
    assert pth.funnel_position == f"au-dessus de la limite à 95{N}%"
    assert pth.marks == {"region": "worse", "france": "worse"}


def test_funnel_points_and_curve():
    pts, p0 = model.funnel_points(COUNTS, "PTG")
    assert p0 == pytest.approx(558 / 1490) and len(pts) == 4
    curve = model.funnel_curve(p0, 800, points=50)
    assert curve["n"].iloc[0] == 1 and curve["n"].iloc[-1] == 800
    assert (curve["lo998"] <= curve["lo95"]).all() and (curve["hi95"] <= curve["hi998"]).all()


# ---------------------------------------------------------------------------
# Talking points and their order
# ---------------------------------------------------------------------------
def caqes_rows() -> pd.DataFrame:
    raw = pd.DataFrame([
        # indicator, label, baseline, target, achieved, better, position
        ("I1", "Indicateur un", 50.0, 60.0, 55.0, "higher", 1),   # (55−50)/(60−50) = 0.5, en progrès
        ("I2", "Indicateur deux", 40.0, 30.0, 42.0, "lower", 2),  # (40−42)/(40−30) = −0.2 -> 0, non atteint
        ("I3", "Indicateur trois", 50.0, 60.0, 61.0, "higher", 3),  # target passed: atteint
        ("I4", "Indicateur quatre", 40.0, 30.0, 38.0, "lower", 4),  # (40−38)/(40−30) = 0.2, en progrès
    ], columns=["indicator", "label", "baseline", "target", "achieved", "better", "position"])
    return caqes.with_attainment(raw.assign(unit="%", year=2024))


def test_attention_points_sentences_and_order():
    recourse = model.recourse_rows("M1", "R1", COUNTS, GESTURES)
    profile = list(rows_of_a().values())
    points = model.attention_points(recourse, profile, caqes_rows(), 2024)
    assert points == [
        # 1. above the funnel's 99.8 % limit
        f"Taux de recours au SSR après prothèse totale de genou (PTG) : 62,1{N}% (118/190), contre 40,5{N}% en "
        f"région et 37,4{N}% en France ; au-dessus de la limite à 99,8{N}% de l'entonnoir (établissement atypique).",
        # 2. worse than region and France beyond the Wilson interval
        f"Taux de recours au SSR après prothèse totale de hanche (PTH) : 25,0{N}% (25/100), contre 14,5{N}% en "
        f"région et 14,9{N}% en France ; IC 95{N}% 17,5{N}% – 34,3{N}%.",
        # 3. profile indicators worse than region and France (DMS; REHOSP is similar)
        f"Durée moyenne de séjour : 31,0{N}jours (3{N}100/100), contre 28,9{N}jours en région et 24,7{N}jours en "
        f"France.",
        # 4. CAQES not met: non atteint first, then en progrès by attainment (0.2 before 0.5)
        f"CAQES 2024 — Indicateur deux : 42,0{N}% réalisé pour une cible de 30,0{N}% (valeur initiale 40,0{N}%), "
        f"non atteint (atteinte 0{N}%).",
        f"CAQES 2024 — Indicateur quatre : 38,0{N}% réalisé pour une cible de 30,0{N}% (valeur initiale 40,0{N}%), "
        f"en progrès (atteinte 20{N}%).",
        f"CAQES 2024 — Indicateur un : 55,0{N}% réalisé pour une cible de 60,0{N}% (valeur initiale 50,0{N}%), "
        f"en progrès (atteinte 50{N}%).",
    ]


def test_attention_points_mask_small_counts_for_the_pdf():
    small = pd.DataFrame([("M1", "PTG", 9, 8, "R1"), ("M2", "PTG", 300, 60, "R1")],
                         columns=["finess", "gesture", "stays", "stays_with_ssr", "region_code"])
    recourse = model.recourse_rows("M1", "R1", small, GESTURES)
    # 8/9 = 88.9 %: Wilson 56.5 % – 98.0 % above 68/309 = 22.0 % -> a point; 8 and 9 are secret
    screen = model.attention_points(recourse, [], None, None)
    pdf = model.attention_points(recourse, [], None, None, secret=True)
    assert "88,9" in screen[0] and "(8/9)" in screen[0]
    assert "88,9" not in pdf[0] and f"s (<{N}11/<{N}11)" in pdf[0]


def test_no_point_when_nothing_is_unfavourable():
    assert model.attention_points([], [], None, None) == []


# ---------------------------------------------------------------------------
# CAQES attainment (issue 6 definitions)
# ---------------------------------------------------------------------------
def test_caqes_attainment_both_directions_and_clipping():
    assert caqes.attainment(50, 60, 55, "higher") == 0.5  # (55 − 50)/(60 − 50)
    assert caqes.attainment(50, 60, 70, "higher") == 1.0  # 2.0 clipped to 1
    assert caqes.attainment(50, 60, 45, "higher") == 0.0  # −0.5 clipped to 0
    assert caqes.attainment(40, 30, 38, "lower") == pytest.approx(0.2)  # (40 − 38)/(40 − 30)
    assert caqes.attainment(40, 30, 25, "lower") == 1.0
    assert caqes.attainment(40, 30, 41, "lower") == 0.0
    assert caqes.attainment(40, 30, None, "lower") is None


def test_caqes_target_equal_to_baseline():
    assert caqes.attainment(30, 30, 30, "higher") == 1.0  # as good as the target
    assert caqes.attainment(30, 30, 29.9, "higher") == 0.0
    assert caqes.attainment(30, 30, 29.9, "lower") == 1.0


def test_caqes_statuses_score_and_incentive():
    assert caqes.status(50, 60, 60, "higher") == "atteint"
    assert caqes.status(50, 60, 50.1, "higher") == "en progrès"
    assert caqes.status(50, 60, 50, "higher") == "non atteint"  # no strict progress
    assert caqes.status(40, 30, 41, "lower") == "non atteint"
    assert caqes.status(40, 30, math.nan, "lower") is None
    # score: weighted mean of the attainments with a value: (0.5 × 1 + 0 × 1 + 1 × 2) / 4 = 0.625
    assert caqes.score([0.5, 0.0, 1.0, math.nan], [1, 1, 2, 1]) == 0.625
    # incentive: 10 000 × 0.3 + 4 000 × 0.2 = 3 800 (missing savings count for nothing)
    assert caqes.incentive([10_000, 4_000, math.nan], [0.3, 0.2, 0.25]) == pytest.approx(3_800)


# ---------------------------------------------------------------------------
# Directory search
# ---------------------------------------------------------------------------
DIRECTORY = pd.DataFrame([
    ("330000017", "Clinique du Lac", "prive", "MCO", "33063", "Bordeaux", "33", "75"),
    ("240000011", "Centre hospitalier de Périgueux", "public", "MCO", "24322", "Périgueux", "24", "75"),
    ("750000019", "Hôpital privé de Paris", "prive", "MCO", "75056", "Paris", "75", "11"),
    ("970400017", "Clinique Sainte-Thérèse", "espic", "SSR", "97411", "Saint-Denis", "974", "04"),
], columns=["finess", "name", "legal_status", "activity", "commune_code", "commune", "departement_code",
            "region_code"])


def test_fold_removes_accents_case_and_punctuation():
    assert model.fold("Hôpital Saint-Étienne d'Œuf") == "hopital saint etienne d oeuf"


@pytest.mark.parametrize("query, expected", [
    ("hopital prive", ["750000019"]),  # accents and case ignored
    ("PERIGUEUX", ["240000011"]),  # commune
    ("sainte therese", ["970400017"]),
    ("330000017", ["330000017"]),  # FINESS
    ("clinique", ["330000017", "970400017"]),  # names starting with the query, by name
    ("", ["330000017", "240000011", "750000019", "970400017"]),
])
def test_search_by_name_finess_or_commune(query, expected):
    keys = model.search_keys(DIRECTORY)
    assert model.search(DIRECTORY, keys, query)["finess"].tolist() == expected


def test_search_filters_combine_with_the_query():
    keys = model.search_keys(DIRECTORY)
    assert model.search(DIRECTORY, keys, "clinique", region="75")["finess"].tolist() == ["330000017"]
    assert model.search(DIRECTORY, keys, "", status="public", activity="MCO")["finess"].tolist() == ["240000011"]
    assert model.search(DIRECTORY, keys, "", departement="974", activity="tous")["finess"].tolist() == ["970400017"]


@pytest.mark.parametrize("raw, expected", [("330000017", "330000017"), (" 2a0000017 ", "2A0000017"),
                                           ("12345", None), ("33000001X", None), ("<script>", None), (None, None)])
def test_normalise_finess(raw, expected):
    assert model.normalise_finess(raw) == expected
