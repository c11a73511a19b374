"""The ambulatory-surgery view's computations against hand-computed values: ratio of sums (not a
mean of rates), gaps to targets in points, local targets, classes exactly mapclassify's, the
secret statistique of the complement, and the address."""
import warnings

import mapclassify
import numpy as np
import pandas as pd
import pytest

from analytics import ambulatory as m

REGION_OF = {"33": "75", "24": "75", "75": "11", "974": "04"}
REGIONS = {"75": "Nouvelle-Aquitaine", "11": "Île-de-France", "04": "La Réunion"}


def _counts(rows):
    return pd.DataFrame(rows, columns=["finess", "region_code", "departement_code", "stays", "ambulatory_stays"])


# Three establishments of Nouvelle-Aquitaine with very different volumes, one in Paris.
COUNTS = _counts([
    ("330000017", "75", "33", 300, 210),  # 70 %
    ("330000025", "75", "33", 320, 139),  # 43.4375 %
    ("240000011", "75", "24", 150, 125),  # 83.33 %
    ("750000019", "11", "75", 80, 40),    # 50 %
])
TARGETS = pd.DataFrame([("75", 2024, "", 65.0), ("75", 2024, "33", 60.0), ("11", 2024, "", 62.0),
                        ("75", 2023, "", 63.0)], columns=["region_code", "year", "departement_code", "target_pct"])


def test_regional_rate_is_the_ratio_of_sums_not_the_mean_of_rates():
    view = m.AmbuView(annee=2024)
    _level, table, _ = m.territory_table(COUNTS, view, REGION_OF, TARGETS)
    row = table.set_index("code").loc["75"]
    # (210 + 139 + 125) / (300 + 320 + 150) = 474 / 770 = 61.558 %
    assert (row["ambulatory_stays"], row["stays"]) == (474, 770)
    assert row["rate"] == pytest.approx(474 / 770)
    mean_of_rates = (210 / 300 + 139 / 320 + 125 / 150) / 3  # 65.59 %: what a naive average would say
    assert abs(row["rate"] - mean_of_rates) > 0.03
    assert row["n_establishments"] == 3
    # gap to the regional target of 65.0 %: 61.558 − 65.0 = −3.44 points
    assert row["target_pct"] == 65.0
    assert row["gap_pts"] == pytest.approx(474 / 770 * 100 - 65.0)
    assert round(row["gap_pts"], 1) == -3.4
    assert table.set_index("code").loc["11", "gap_pts"] == pytest.approx(50.0 - 62.0)


def test_departements_use_their_local_target_else_their_regions():
    view = m.AmbuView(annee=2024, niveau="dep", focus="33")
    level, table, _ = m.territory_table(COUNTS, view, REGION_OF, TARGETS)
    assert level == "dep" and set(table["code"]) == {"33", "24"}  # the région's départements
    t = table.set_index("code")
    assert t.loc["33", "target_pct"] == 60.0  # local
    assert t.loc["24", "target_pct"] == 65.0  # the region's
    # Gironde (210 + 139) / (300 + 320) = 56.29 % → −3.71 points; Dordogne 83.33 % → +18.33 points
    assert t.loc["33", "gap_pts"] == pytest.approx(349 / 620 * 100 - 60.0)
    assert t.loc["24", "gap_pts"] == pytest.approx(125 / 150 * 100 - 65.0)
    assert m.departement_targets(TARGETS, 2023, REGION_OF) == {"33": 63.0, "24": 63.0}
    assert m.departement_targets(TARGETS, 2022, REGION_OF) == {}


def test_a_single_procedure_has_no_target_and_a_status_keeps_the_regions():
    assert m.applicable(m.AmbuView(geste="CATARACTE"), TARGETS).empty
    assert len(m.applicable(m.AmbuView(geste=m.ALL, statut="prive"), TARGETS)) == len(TARGETS)
    _level, table, _ = m.territory_table(COUNTS, m.AmbuView(annee=2024, geste="CATARACTE"), REGION_OF,
                                         m.applicable(m.AmbuView(geste="CATARACTE"), TARGETS))
    assert table["target_pct"].isna().all() and table["gap_pts"].isna().all()
    assert (table["gap_classe"] == 0).all()


def test_all_marker_procedures_sum_the_markers_only():
    markers = ["CATARACTE", "VARICES"]
    assert m.AmbuView(geste=m.ALL).groups(markers) == markers
    assert m.AmbuView(geste="AMYGDALECTOMIE").groups(markers) == ["AMYGDALECTOMIE"]


def test_gap_classes_at_their_bounds():
    gaps = [-12.0, -5.0, -4.99, -2.0, -0.1, 0.0, 1.99, 2.0, 15.0, np.nan]
    assert m.gap_classes(gaps) == [1, 2, 2, 3, 3, 4, 4, 5, 5, 0]
    assert len(m.GAP_LABELS) == len(m.GAP_BOUNDS) + 1


@pytest.mark.parametrize("method,cls", [("quantiles", mapclassify.Quantiles), ("jenks", mapclassify.FisherJenks),
                                        ("egaux", mapclassify.EqualInterval)])
def test_map_classes_are_mapclassify_s(method, cls):
    rng = np.random.default_rng(16)
    deps = [f"{i:02d}" for i in range(1, 41)]
    counts = _counts([(f"{d}0000001", "75", d, int(n), int(k)) for d, n, k in
                      zip(deps, rng.integers(200, 5000, 40), rng.uniform(0.4, 0.9, 40) * 1000)])
    counts["ambulatory_stays"] = np.minimum(counts["ambulatory_stays"], counts["stays"])
    view = m.AmbuView(annee=2024, niveau="dep", methode=method, classes=5)
    _level, table, classification = m.territory_table(counts, view, dict.fromkeys(deps, "75"), TARGETS.iloc[0:0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = cls(table["rate"].to_numpy(), k=5)
    np.testing.assert_array_equal(classification.bins, expected.bins)
    np.testing.assert_array_equal(table["classe"].to_numpy(), np.asarray(expected.yb) + 1)


def test_establishment_table_gaps_to_region_and_target_lowest_first():
    estab = m.establishment_table(COUNTS.assign(name="x", legal_status="public"), "33", 60.0)
    assert estab["finess"].tolist() == ["330000025", "330000017"]  # lowest rate first
    regional = 474 / 770
    assert estab.loc[0, "gap_region_pts"] == pytest.approx((139 / 320 - regional) * 100)
    assert estab.loc[1, "gap_target_pts"] == pytest.approx(70.0 - 60.0)
    assert m.establishment_table(COUNTS, "33", None)["gap_target_pts"].isna().all()


def test_series_carries_the_target_of_each_year():
    by_year = pd.DataFrame([(2023, "75", "33", 100, 60), (2024, "75", "33", 100, 70), (2024, "11", "75", 100, 40)],
                           columns=["year", "region_code", "departement_code", "stays", "ambulatory_stays"])
    s = m.rate_series(by_year, "75", None, TARGETS)
    assert s["year"].tolist() == [2023, 2024]
    assert s["rate"].tolist() == [0.6, 0.7]
    assert s["france_rate"].tolist() == [0.6, pytest.approx(110 / 200)]
    assert s["target_pct"].tolist() == [63.0, 65.0]
    assert m.rate_series(by_year, "75", "33", TARGETS)["target_pct"].tolist() == [63.0, 60.0]
    assert m.rate_series(by_year, None, None, TARGETS)["target_pct"].isna().all()




def test_parse_view_reads_the_address_and_names_each_ignored_value():
    view, notices = m.parse_view({"annee": "2023", "geste": "cataracte", "niveau": "dep", "focus": "2a",
                                  "couleur": "ecart", "classes": "9", "statut": "Privé"},
                                 [2023, 2024], ["CATARACTE", "VARICES"], REGIONS, {**REGION_OF, "2A": "94"})
    assert (view.annee, view.geste, view.niveau, view.focus, view.couleur, view.classes) == (
        2023, "CATARACTE", "dep", "2A", "ecart", 4)
    assert len(notices) == 2 and any("« 9 »" in n for n in notices) and any("« Privé »" in n for n in notices)
    assert view.query_string() == ("?annee=2023&geste=CATARACTE&statut=tous&niveau=dep&methode=quantiles"
                                   "&classes=4&couleur=ecart&focus=2A")
    default, notes = m.parse_view({"geste": "PTG", "focus": "99"}, [2023, 2024], ["CATARACTE"], REGIONS, REGION_OF)
    assert (default.annee, default.geste, default.focus) == (2024, m.ALL, "") and len(notes) == 2
    assert m.drill(m.drill(default, "75"), "33") == m.AmbuView(annee=2024, niveau="dep", focus="33")
