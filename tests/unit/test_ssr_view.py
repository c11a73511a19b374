"""The /ssr view: URL parsing with fallbacks, territory and establishment tables, series.

Expected figures are computed by hand in the comments."""
import math

import pandas as pd
import pytest

from analytics import ssr as model

YEARS = [2022, 2023, 2024]
REGIONS = {"75": "Nouvelle-Aquitaine", "11": "Île-de-France"}
DEP_REGION = {"33": "75", "24": "75", "75": "11"}


def test_an_empty_query_gives_the_defaults_with_the_latest_year():
    view, notices = model.parse_view({}, YEARS, REGIONS, DEP_REGION)
    assert view == model.SsrView(geste="PTG", annee=2024, age="tous", niveau="reg", methode="quantiles",
                                 classes=4, statut="tous", focus="")
    assert notices == []


def test_a_full_query_is_read_back_exactly():
    query = {"geste": "COIFFE", "annee": "2023", "age": "<60", "niveau": "dep", "methode": "jenks",
             "classes": "6", "statut": "prive", "focus": "24", "points": "oui"}
    view, notices = model.parse_view(query, YEARS, REGIONS, DEP_REGION)
    assert (view.geste, view.annee, view.age, view.niveau, view.methode, view.classes, view.statut, view.focus,
            view.points) == ("COIFFE", 2023, "<60", "dep", "jenks", 6, "prive", "24", True)
    assert notices == []
    # and the canonical query string parses to the same view (age is URL-encoded)
    from urllib.parse import parse_qsl
    qs = view.query_string()
    assert "age=%3C60" in qs
    again, _ = model.parse_view(dict(parse_qsl(qs[1:])), YEARS, REGIONS, DEP_REGION)
    assert again == view


def test_75_plus_survives_a_plus_decoded_as_a_space():
    view, notices = model.parse_view({"age": "75 "}, YEARS, REGIONS, DEP_REGION)
    assert view.age == "75+" and notices == []


@pytest.mark.parametrize("name,value", [("geste", "GENOU"), ("annee", "1999"), ("annee", "deux"),
                                        ("age", "90+"), ("niveau", "commune"), ("methode", "kmeans"),
                                        ("classes", "12"), ("classes", "x"), ("statut", "militaire"),
                                        ("focus", "99")])
def test_unknown_or_malformed_values_fall_back_with_a_french_notice(name, value):
    view, notices = model.parse_view({name: value}, YEARS, REGIONS, DEP_REGION)
    default, _ = model.parse_view({}, YEARS, REGIONS, DEP_REGION)
    assert view == default
    assert len(notices) == 1 and f"« {value} »" in notices[0] and "valeur par défaut" in notices[0]


def test_all_gestures_and_all_ages_expand_to_the_catalogue():
    view = model.SsrView(geste="TOUS", age="tous", statut="tous")
    assert view.gestures == ["PTG", "PTH", "LCA", "COIFFE"]
    assert view.age_bands == ["<60", "60-74", "75+"]
    assert view.statuses == ["public", "espic", "prive"]


def _counts():
    # Three establishments in Gironde (33), one in Dordogne (24), one in Paris (75).
    return pd.DataFrame({
        "finess": ["330000001", "330000002", "330000003", "240000001", "750000001"],
        "name": ["A", "B", "C", "D", "E"],
        "legal_status": ["public", "prive", "espic", "public", "prive"],
        "region_code": ["75", "75", "75", "75", "11"],
        "departement_code": ["33", "33", "33", "24", "75"],
        "stays": [10, 100, 0, 40, 50],
        "stays_with_ssr": [1, 50, 0, 8, 30],
    })


def test_territory_rates_are_ratios_of_sums_not_means_of_rates():
    level, table, _classification = model.territory_table(_counts(), model.SsrView(niveau="dep", classes=3),
                                                         DEP_REGION)
    assert level == "dep"
    gironde = table.set_index("code").loc["33"]
    # Gironde: (1 + 50 + 0) / (10 + 100 + 0) = 51/110 = 0.463636…; the mean of rates would be (0.1 + 0.5)/2 = 0.3
    assert gironde["stays_with_ssr"] == 51 and gironde["stays"] == 110
    assert gironde["rate"] == pytest.approx(51 / 110)
    assert gironde["n_establishments"] == 2  # the establishment without stays does not count
    # Dordogne 8/40 = 0.2, Paris 30/50 = 0.6: three départements, three classes, lowest rate = class 1
    assert dict(zip(table["code"], table["classe"])) == {"24": 1, "33": 2, "75": 3}


def test_a_region_in_focus_shows_its_departements_only():
    # "75" is Nouvelle-Aquitaine at region level and Paris at département level.
    level, table, _ = model.territory_table(_counts(), model.SsrView(niveau="reg", focus="75"), DEP_REGION)
    assert level == "dep" and sorted(table["code"]) == ["24", "33"]
    level, table, _ = model.territory_table(_counts(), model.SsrView(niveau="dep", focus="75"), DEP_REGION)
    assert level == "dep" and sorted(table["code"]) == ["75"]


def test_focus_is_read_at_the_level_of_the_view():
    reg, _ = model.parse_view({"niveau": "reg", "focus": "75"}, YEARS, REGIONS, DEP_REGION)
    dep, _ = model.parse_view({"niveau": "dep", "focus": "75"}, YEARS, REGIONS, DEP_REGION)
    assert model.breadcrumb(reg, DEP_REGION) == ["75"]
    assert model.breadcrumb(dep, DEP_REGION) == ["11", "75"]
    _, notices = model.parse_view({"niveau": "reg", "focus": "33"}, YEARS, REGIONS, DEP_REGION)
    assert len(notices) == 1  # 33 is a département, not a region


def test_national_rate_sums_every_establishment():
    row = model.national_rate(_counts())
    # (1 + 50 + 0 + 8 + 30) / (10 + 100 + 0 + 40 + 50) = 89/200
    assert row["stays_with_ssr"] == 89 and row["stays"] == 200 and row["rate"] == pytest.approx(0.445)


def test_establishments_of_a_departement_with_gaps_in_points():
    estab = model.establishment_table(_counts(), "33").set_index("finess")
    assert list(estab.index[:2]) == ["330000002", "330000001"]  # highest rate first
    b = estab.loc["330000002"]
    # region 75: (1 + 50 + 0 + 8) / (10 + 100 + 0 + 40) = 59/150 = 0.393333; France 89/200 = 0.445
    assert b["rate"] == pytest.approx(0.5)
    assert b["gap_region_pts"] == pytest.approx((0.5 - 59 / 150) * 100)  # +10.67 points
    assert b["gap_france_pts"] == pytest.approx((0.5 - 0.445) * 100)  # +5.5 points
    assert math.isnan(estab.loc["330000003", "rate"])


def test_rate_series_against_france():
    by_year = pd.DataFrame({"year": [2023, 2023, 2024, 2024], "region_code": ["75", "11", "75", "11"],
                            "departement_code": ["33", "75", "33", "75"],
                            "stays": [100, 100, 200, 100], "stays_with_ssr": [40, 20, 60, 30]})
    series = model.rate_series(by_year, "75", None).set_index("year")
    assert series.loc[2023, "rate"] == pytest.approx(0.40) and series.loc[2024, "rate"] == pytest.approx(0.30)
    # France 2023: 60/200 = 0.30; 2024: 90/300 = 0.30
    assert series.loc[2023, "france_rate"] == pytest.approx(0.30)
    assert series.loc[2024, "france_rate"] == pytest.approx(0.30)
