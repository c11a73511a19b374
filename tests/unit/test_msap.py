"""MSAP targeting on hand-made datasets with known answers: references including the establishment,
the ecart rule on both campaigns with inclusive bounds, volume_min, funnel limits against values
computed independently, perimeter filtering, the URL, TOUS and age sums from the database."""
from __future__ import annotations

from fractions import Fraction
from math import comb

import pandas as pd
import pytest

from analytics import msap as m
from analytics.funnel import funnel_limits

REGIONS = {"75": "Nouvelle-Aquitaine", "11": "Île-de-France", "24": "Centre-Val de Loire", "04": "La Réunion"}
DEPARTEMENTS = {"33": "Gironde", "24": "Dordogne", "75": "Paris", "2A": "Corse-du-Sud", "974": "La Réunion"}


def counts(rows) -> pd.DataFrame:
    """rows: (finess, region, département, stays, cases)."""
    df = pd.DataFrame(rows, columns=["finess", "region_code", "departement_code", "stays", "cases"])
    return df.assign(name=[f"Établissement {f}" for f in df["finess"]], legal_status="public",
                     latitude=45.0, longitude=0.0)


# Nouvelle-Aquitaine (75): A1..A5, 400 stays, 200 cases -> 50 % exactly (A1 included).
# Île-de-France (11), in Paris (département 75): B1, B2, 600 stays, 200 cases -> 33.33 %.
# France: 1000 stays, 400 cases -> 40 % exactly.
SSR_ROWS = [
    ("A1", "75", "33", 100, 60),  # 60 %: +10 pts region (exactly), +20 pts France
    ("A2", "75", "33", 100, 59),  # 59 %: +9 pts region, +19 pts France
    ("A3", "75", "24", 29, 29),  # 100 % but 29 stays, below the minimum of 30
    ("A4", "75", "24", 30, 30),  # 100 % with exactly 30 stays
    ("A5", "75", "24", 141, 22),  # 15.6 %: makes the region 200/400
    ("B1", "11", "75", 500, 150),  # 30 %
    ("B2", "11", "75", 100, 50),  # 50 %: +16.7 pts region, +10 pts France (exactly)
]


def flagged(evaluated: pd.DataFrame) -> set[str]:
    return set(evaluated.loc[evaluated["flagged"], "finess"])


def rule(**kw) -> m.MsapRule:
    return m.MsapRule(annee=2024, **kw)


# --- references --------------------------------------------------------------------------

def test_references_are_ratios_of_sums_including_the_establishment():
    ev = m.evaluate(counts(SSR_ROWS), rule()).set_index("finess")
    # region 75: (60 + 59 + 29 + 30 + 22) / (100 + 100 + 29 + 30 + 141) = 200/400; without A1 it would be 140/300
    assert ev.loc["A1", "region_rate"] == 0.5
    assert (ev.loc["A1", "region_cases"], ev.loc["A1", "region_stays"]) == (200, 400)
    # region 11: (150 + 50) / (500 + 100) = 1/3; France (200 + 200) / (400 + 600) = 0.4
    assert ev.loc["B2", "region_rate"] == pytest.approx(1 / 3)
    assert set(ev["national_rate"]) == {0.4}
    # gaps in points: A1 (0.60 - 0.50) x 100 = 10 (up to rounding), (0.60 - 0.40) x 100 = 20
    assert ev.loc["A1", "gap_region_pts"] == pytest.approx(10) and ev.loc["A1", "gap_france_pts"] == pytest.approx(20)
    # Wilson 95 % of 60/100: 50.2 % – 69.1 %
    assert (round(ev.loc["A1", "low"], 3), round(ev.loc["A1", "high"], 3)) == (0.502, 0.691)


def test_references_ignore_volume_min_and_perimeter():
    small = m.evaluate(counts(SSR_ROWS), rule(volume_min=1000, perimetre="D33")).set_index("finess")
    assert small.loc["A1", "region_rate"] == 0.5 and small.loc["A1", "national_rate"] == 0.4


# --- ecart rule ---------------------------------------------------------------------------

def test_ecart_rule_ssr_bounds_are_inclusive():
    # A1 is exactly 10 pts above its region ((0.60 - 0.50) x 100 = 9.999999999999998 in floating point:
    # the test is exact on the counts), B2 exactly 10 pts above France; A4 has exactly 30 stays.
    assert flagged(m.evaluate(counts(SSR_ROWS), rule(ecart_pts=10))) == {"A1", "A4", "B2"}
    # 10.5 pts: A1 and B2 fall short by 0.5 pt; A4 (+50 / +60 pts) stays
    assert flagged(m.evaluate(counts(SSR_ROWS), rule(ecart_pts=10.5))) == {"A4"}
    # 9 pts: A2 is exactly +9 on its region and +19 on France
    assert flagged(m.evaluate(counts(SSR_ROWS), rule(ecart_pts=9))) == {"A1", "A2", "A4", "B2"}


def test_ecart_needs_both_references():
    # B2: +16.7 pts on its region but +10 on France -> at 12 pts the national gap is missing
    ev = m.evaluate(counts(SSR_ROWS), rule(ecart_pts=12)).set_index("finess")
    assert not ev.loc["B2", "flagged"]
    assert ev.loc["B2", "reason"] == ("Non ciblé : taux de 50,0\u00a0%, soit +16,7\u00a0pts par rapport au taux "
                                      "régional (33,3\u00a0%) et +10,0\u00a0pts par rapport au taux national "
                                      "(40,0\u00a0%) : l'écart de 12\u00a0pts au-dessus des deux n'est pas atteint.")


def test_ecart_rule_ambu_flags_low_rates_with_inclusive_bounds():
    # The same establishments with the complementary counts: ambulatory = stays - SSR cases.
    # Region 75: 200/400 = 50 %; region 11: 400/600 = 66.7 %; France 600/1000 = 60 %.
    # A1 40 %: exactly 10 pts below its region, 20 below France; B2 50 %: 16.7 below its region,
    # exactly 10 below France; A4 0 % with exactly 30 stays; A2 41 %: only 9 below its region.
    ambu = counts([(f, r, d, n, n - k) for f, r, d, n, k in SSR_ROWS])
    assert flagged(m.evaluate(ambu, rule(campagne="AMBU", geste="TOUS", ecart_pts=10))) == {"A1", "A4", "B2"}
    assert flagged(m.evaluate(ambu, rule(campagne="AMBU", geste="TOUS", ecart_pts=10.5))) == {"A4"}
    ev = m.evaluate(ambu, rule(campagne="AMBU", geste="TOUS")).set_index("finess")
    assert ev.loc["A1", "reason"] == ("Ciblé : taux de 40,0\u00a0%, soit -10,0\u00a0pts par rapport au taux régional "
                                      "(50,0\u00a0%) et -20,0\u00a0pts par rapport au taux national (60,0\u00a0%) : "
                                      "au moins 10\u00a0pts en dessous des deux.")


def test_volume_min_is_inclusive_and_explained():
    ev = m.evaluate(counts(SSR_ROWS), rule()).set_index("finess")
    # A3 (29 stays, 100 %) is examined but not flagged; A4 (30 stays, 100 %) is flagged
    assert not ev.loc["A3", "flagged"] and ev.loc["A4", "flagged"]
    assert ev.loc["A3", "reason"] == "Non ciblé : 29\u00a0séjours, en dessous du volume minimal de 30."
    assert flagged(m.evaluate(counts(SSR_ROWS), rule(volume_min=29))) == {"A1", "A3", "A4", "B2"}
    assert flagged(m.evaluate(counts(SSR_ROWS), rule(volume_min=101))) == set()  # B2 has 100 stays
    assert m.summary(ev.reset_index()) == {"examined": 7, "flagged": 3, "below_volume": 1}
    assert m.summary_text(ev.reset_index()) == "3\u00a0établissements ciblés sur 7 examinés"


def test_flagged_come_first_then_the_most_atypical():
    ev = m.evaluate(counts(SSR_ROWS), rule())
    # flagged by smallest gap: A4 min(+50, +60) = 50, B2 min(16.7, 10) = 10, A1 min(10, 20) = 10 (B2 has
    # the same gap: then more stays first, then FINESS)
    assert list(ev["finess"][:3]) == ["A4", "A1", "B2"]


# --- funnel ------------------------------------------------------------------------------

def independent_limit(p0: Fraction, n: int, q: Fraction) -> float:
    """Spiegelhalter's interpolated binomial quantile / n, with exact fractions and math.comb."""
    r, before, cdf = 0, Fraction(0), (1 - p0) ** n  # P(R <= -1), P(R <= 0)
    while cdf < q:
        r += 1
        before, cdf = cdf, cdf + comb(n, r) * p0 ** r * (1 - p0) ** (n - r)
    alpha = (cdf - q) / (cdf - before)
    return float((r - alpha) / n)


@pytest.mark.parametrize("level, q_low, q_high, expected", [
    # p0 = 0.4, n = 100: r = 31, alpha = 0.98558 -> (31 - 0.98558)/100; r = 50, alpha = 0.79693 -> 0.49203
    (0.95, Fraction(25, 1000), Fraction(975, 1000), (0.300144, 0.492031)),
    # r = 25, alpha = 0.30121 -> 0.24699; r = 55, alpha = 0.14255 -> 0.54857
    (0.998, Fraction(1, 1000), Fraction(999, 1000), (0.246988, 0.548574)),
])
def test_funnel_limits_match_an_independent_computation(level, q_low, q_high, expected):
    low, high = funnel_limits(0.4, 100, level)
    assert low == pytest.approx(independent_limit(Fraction(2, 5), 100, q_low), abs=1e-12)
    assert high == pytest.approx(independent_limit(Fraction(2, 5), 100, q_high), abs=1e-12)
    assert (round(low, 6), round(high, 6)) == expected
    lows, highs = funnel_limits(0.4, [20, 100, 300], level)
    for n, lo, hi in zip([20, 100, 300], lows, highs):
        assert lo == pytest.approx(independent_limit(Fraction(2, 5), n, q_low), abs=1e-12)
        assert hi == pytest.approx(independent_limit(Fraction(2, 5), n, q_high), abs=1e-12)


# Eight establishments of 100 stays around p0 = 40 %, and a large one that brings France to
# 4000/10000 = 0.4 exactly: 800 + 9200 stays, 318 + 3682 cases.
FUNNEL_ROWS = [
    ("H50", "75", "33", 100, 50),  # 0.50 > 0.49203 (95 % high): outside; < 0.54857: inside the 99.8 %
    ("H49", "75", "33", 100, 49),  # 0.49 < 0.49203: just inside the 95 % limit
    ("H55", "75", "33", 100, 55),  # 0.55 > 0.54857: just outside the 99.8 % limit
    ("H54", "75", "33", 100, 54),  # 0.54 < 0.54857: just inside the 99.8 % limit
    ("L30", "75", "24", 100, 30),  # 0.30 < 0.300144 (95 % low): just outside
    ("L31", "75", "24", 100, 31),  # 0.31: just inside the 95 % limit
    ("L24", "75", "24", 100, 24),  # 0.24 < 0.246988 (99.8 % low): just outside
    ("L25", "75", "24", 100, 25),  # 0.25: just inside the 99.8 % limit (outside the 95 % one)
    ("BIG", "11", "75", 9200, 3682),  # 40.02 %, well inside (limits ±1.3 pt at 9 200 stays)
]


def test_funnel_rule_ssr_flags_beyond_the_upper_limit_only():
    data = counts(FUNNEL_ROWS)
    ev95 = m.evaluate(data, rule(methode="funnel", seuil="95"))
    assert set(ev95["national_rate"]) == {0.4}
    assert flagged(ev95) == {"H50", "H55", "H54"}  # L30 and L24 are below: the favourable side for SSR
    assert flagged(m.evaluate(data, rule(methode="funnel", seuil="99.8"))) == {"H55"}
    reason = m.evaluate(data, rule(methode="funnel")).set_index("finess").loc["L24", "reason"]
    assert reason.startswith("Non ciblé : taux de 24,0\u00a0%, hors des limites à 99,8\u00a0% du funnel")
    assert reason.endswith("mais du côté favorable.")


def test_funnel_rule_ambu_flags_beyond_the_lower_limit_only():
    data = counts(FUNNEL_ROWS)
    # 95 %: L30, L25 and L24 are below 0.300144; L31 is just inside
    assert flagged(m.evaluate(data, rule(campagne="AMBU", geste="TOUS", methode="funnel", seuil="95"))) == {
        "L30", "L25", "L24"}
    ev = m.evaluate(data, rule(campagne="AMBU", geste="TOUS", methode="funnel", seuil="99.8")).set_index("finess")
    assert set(ev.index[ev["flagged"]]) == {"L24"}
    assert ev.loc["L24", "reason"] == ("Ciblé : taux de 24,0\u00a0%, en dessous de la limite basse à 99,8\u00a0% du "
                                       "funnel (24,7\u00a0% pour 100\u00a0séjours, autour du taux national de "
                                       "40,0\u00a0%).")


def test_funnel_rule_respects_volume_min():
    data = counts(FUNNEL_ROWS)
    assert flagged(m.evaluate(data, rule(methode="funnel", seuil="95", volume_min=101))) == set()


# --- perimeter ------------------------------------------------------------------------------

def test_perimeter_limits_the_list_not_the_references():
    data = counts(SSR_ROWS)
    region = m.evaluate(data, rule(perimetre="R75"))
    assert set(region["finess"]) == {"A1", "A2", "A3", "A4", "A5"} and flagged(region) == {"A1", "A4"}
    # D75 is Paris (Île-de-France), not the region 75
    paris = m.evaluate(data, rule(perimetre="D75"))
    assert set(paris["finess"]) == {"B1", "B2"} and flagged(paris) == {"B2"}
    assert set(paris["region_rate"].round(4)) == {0.3333} and set(paris["national_rate"]) == {0.4}
    assert set(m.evaluate(data, rule(perimetre="D24"))["finess"]) == {"A3", "A4", "A5"}
    assert m.evaluate(data, rule(perimetre="R24")).empty  # Centre-Val de Loire: nobody here


@pytest.mark.parametrize("raw, expected, notice", [
    ("FR", "FR", False), ("fr", "FR", False), ("R75", "R75", False), ("D75", "D75", False), ("d2a", "D2A", False),
    ("33", "D33", False), ("75", "D75", True), ("24", "D24", True), ("R33", None, False), ("X", None, False),
    ("D99", None, False),
])
def test_perimeter_encoding(raw, expected, notice):
    value, note = m.parse_perimetre(raw, REGIONS, DEPARTEMENTS)
    assert value == expected
    assert (note is not None) == notice
    if notice:
        assert f"perimetre=R{raw}" in note


# --- sensitivity ---------------------------------------------------------------------------

def test_sensitivity_counts_the_flagged_at_each_ecart():
    sens = m.sensitivity(counts(SSR_ROWS), rule(ecart_pts=10)).set_index("value")
    # up to 9 pts: A1, A2, A4, B2; 10: A1, A4, B2; 11 and beyond (to 20): A4 only (+50 / +60 pts)
    assert list(sens.loc[[0.0, 9.0, 10.0, 11.0, 20.0], "flagged"]) == [4, 4, 3, 1, 1]
    assert list(sens.index[sens["current"]]) == [10.0]
    odd = m.sensitivity(counts(SSR_ROWS), rule(ecart_pts=10.5)).set_index("value")
    assert odd.loc[10.5, "flagged"] == 1 and bool(odd.loc[10.5, "current"])
    funnel = m.sensitivity(counts(FUNNEL_ROWS), rule(methode="funnel")).set_index("value")  # H50 H54 H55 / H55
    assert funnel.loc[0.95, "flagged"] == 3 and funnel.loc[0.998, "flagged"] == 1
    assert bool(funnel.loc[0.998, "current"])


# --- previous MSAP ---------------------------------------------------------------------------

def test_previous_msap_counts_earlier_campaigns_of_the_gesture():
    notified = pd.DataFrame({"finess": ["A1", "A1", "A2", "B2", "B1"], "gesture": ["PTG", "PTH", "PTG", "", "PTG"],
                             "year": [2019, 2022, 2025, 2021, 2023]})
    # a list on 2024 counts prepares the 2025 campaign: A2's 2025 MSAP is not "earlier"
    assert m.previous_msap(notified, rule(geste="PTG"), ["PTG"]) == {"A1": "oui (2019)", "B2": "oui (2021)",
                                                                      "B1": "oui (2023)"}
    assert m.previous_msap(notified, rule(geste="TOUS"), ["PTG", "PTH"])["A1"] == "oui (2019 PTG, 2022 PTH)"


# --- the default rule, for the profile --------------------------------------------------------

def test_default_rule_flag_is_per_gesture():
    ptg = counts(SSR_ROWS).assign(gesture="PTG")
    pth = counts([(f, r, d, n, k if f != "A1" else 50) for f, r, d, n, k in SSR_ROWS]).assign(gesture="PTH")
    frame = pd.concat([ptg, pth], ignore_index=True)
    is_flagged, why = m.default_rule_flag(frame, "A1")
    assert is_flagged and " pour PTG (taux 60,0\u00a0%" in why and "PTH" not in why
    assert m.default_rule_flag(frame, "A5") == (
        False, "Non ciblé par la règle par défaut (écart d'au moins 10\u00a0pts au-dessus des taux régional et "
               "national, au moins 30\u00a0séjours) sur aucun des 2 gestes.")
    assert m.default_rule_flag(frame, "ZZ")[0] is False


# --- the URL --------------------------------------------------------------------------------

YEARS = {"SSR": [2023, 2024], "AMBU": [2022, 2023]}
CATALOGUES = {"SSR": ["PTG", "PTH", "LCA", "COIFFE"], "AMBU": ["CATARACTE", "VARICES"]}


def parse(query: dict) -> tuple[m.MsapRule, list[str]]:
    return m.parse_rule(query, YEARS, CATALOGUES, REGIONS, DEPARTEMENTS)


def test_defaults_and_canonical_query_string():
    r, notices = parse({})
    assert notices == [] and r == m.MsapRule(annee=2024)
    assert r.query_string() == ("?campagne=SSR&annee=2024&geste=PTG&age=tous&volume_min=30&methode=ecart"
                                "&ecart_pts=10&seuil=99.8&perimetre=FR")
    ambu, _ = parse({"campagne": "ambu"})
    assert (ambu.annee, ambu.geste) == (2023, "TOUS") and "age=" not in ambu.query_string()


def test_every_parameter_round_trips():
    query = {"campagne": "SSR", "annee": "2023", "geste": "LCA", "age": "75 ", "volume_min": "12",
             "methode": "funnel", "ecart_pts": "7,5", "seuil": "95", "perimetre": "R75"}
    r, notices = parse(query)
    assert notices == []
    assert r == m.MsapRule("SSR", 2023, "LCA", "75+", 12, "funnel", 7.5, "95", "R75")
    from urllib.parse import parse_qsl
    assert parse(dict(parse_qsl(r.query_string()[1:])))[0] == r


def test_malformed_values_fall_back_with_notices():
    r, notices = parse({"campagne": "X", "annee": "1999", "geste": "GENOU", "volume_min": "-3", "methode": "magie",
                        "ecart_pts": "7.55", "seuil": "90", "perimetre": "Z9"})
    assert r == m.MsapRule(annee=2024)
    assert len(notices) == 8 and all(n.startswith("Valeur « ") for n in notices)
    assert "« GENOU »" in notices[2] and "geste" in notices[2]
    # an AMBU gesture under SSR, an SSR age under AMBU
    assert parse({"geste": "CATARACTE"})[0].geste == "PTG"
    assert parse({"campagne": "AMBU", "age": "<60"})[0].age == "tous"


# --- TOUS and age sums, from the database ------------------------------------------------------

def test_tous_and_age_sums_from_the_database(sqlite_url):
    from data_access import msap as data
    from tests.factories import small_ssr_dataset

    small_ssr_dataset(sqlite_url)
    all_ages = ("<60", "60-74", "75+")
    ptg = data.establishment_counts(sqlite_url, "SSR", 2024, ("PTG",), all_ages).set_index("finess")
    # Clinique du Lac, PTG 2024: 75+ 60 stays / 40 SSR and <60 40 / 20 -> 100 / 60
    assert (ptg.loc["330000017", "stays"], ptg.loc["330000017", "cases"]) == (100, 60)
    tous = data.establishment_counts(sqlite_url, "SSR", 2024, ("PTG", "PTH", "LCA", "COIFFE"), all_ages)
    tous = tous.set_index("finess")
    # + PTH 20 / 10 -> 120 / 70; Paris: PTG 80/40 + LCA 25/2 -> 105 / 42
    assert (tous.loc["330000017", "stays"], tous.loc["330000017", "cases"]) == (120, 70)
    assert (tous.loc["750000019", "stays"], tous.loc["750000019", "cases"]) == (105, 42)
    under60 = data.establishment_counts(sqlite_url, "SSR", 2024, ("PTG",), ("<60",))
    assert under60[["finess", "stays", "cases"]].values.tolist() == [["330000017", 40, 20]]
    # the rule's national reference on those sums: PTG 2024 = (40+20+30+10+40+9) / (60+40+120+50+80+30) = 149/380
    ev = m.evaluate(ptg.reset_index(), rule()).set_index("finess")
    assert ev.loc["330000017", "national_rate"] == 149 / 380


def test_ambulatory_counts_sum_the_groups(sqlite_url):
    from data_access import msap as data
    from tests.factories import small_ssr_dataset
    from tests.msap_factories import add_ambulatory

    small_ssr_dataset(sqlite_url)
    add_ambulatory(sqlite_url, [("330000017", 2024, "CATARACTE", 200, 180), ("330000017", 2024, "VARICES", 50, 20),
                                ("750000019", 2024, "CATARACTE", 100, 40), ("330000017", 2023, "CATARACTE", 10, 1)])
    one = data.establishment_counts(sqlite_url, "AMBU", 2024, ("CATARACTE",)).set_index("finess")
    assert (one.loc["330000017", "stays"], one.loc["330000017", "cases"]) == (200, 180)
    tous = data.establishment_counts(sqlite_url, "AMBU", 2024, tuple(c for c, _ in data.gestures(sqlite_url, "AMBU")))
    # 200 + 50 stays, 180 + 20 ambulatory
    assert tous.set_index("finess").loc["330000017", ["stays", "cases"]].tolist() == [250, 200]
    assert data.years(sqlite_url, "AMBU") == [2023, 2024]
    long = data.counts_by_gesture(sqlite_url, "AMBU", 2024)
    assert sorted(zip(long["gesture"], long["finess"])) == [("CATARACTE", "330000017"), ("CATARACTE", "750000019"),
                                                            ("VARICES", "330000017")]
