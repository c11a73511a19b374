"""The demo data set: format of every frame, orders of magnitude from DOMAIN, determinism,
and (once the import pipeline exists) a region-scale seed through it."""
from __future__ import annotations

import importlib.util
import shutil

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from data_access import demo, models
from data_access.db import connect, dispose_all

HAS_IMPORTS = importlib.util.find_spec("data_access.imports") is not None


@pytest.fixture(scope="module")
def ref_url(sqlite_template, tmp_path_factory) -> str:
    """A private copy of the session template (geography and catalogues), read only here."""
    path = tmp_path_factory.mktemp("demo") / "atlas.sqlite"
    shutil.copy(sqlite_template, path)
    yield f"sqlite:///{path}"
    dispose_all()


@pytest.fixture(scope="module")
def regional(ref_url) -> dict[str, pd.DataFrame]:
    return demo.generate(ref_url, "region", seed=42)


@pytest.fixture(scope="module")
def national(ref_url) -> dict[str, pd.DataFrame]:
    return demo.generate(ref_url, "national", seed=42)


@pytest.fixture(scope="module")
def geography(ref_url) -> pd.DataFrame:
    """commune_code -> departement_code, region_code."""
    with connect(ref_url) as conn:
        rows = conn.execute(select(models.Commune.code, models.Commune.departement_code,
                                   models.Departement.region_code)
                            .join(models.Departement, models.Departement.code == models.Commune.departement_code)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["commune_code", "departement_code", "region_code"])


def _located(frames, geography) -> pd.DataFrame:
    return frames["establishments"].merge(geography, on="commune_code", how="left", validate="m:1")


def _rate(df: pd.DataFrame, by, num="stays_with_ssr", den="stays") -> pd.Series:
    sums = df.groupby(by)[[num, den]].sum()
    return sums[num] / sums[den]


def _luhn_ok(finess: str) -> bool:
    digits = [int(c) if c.isdigit() else 0 for c in finess][::-1]
    total = sum(d if i % 2 == 0 else (2 * d - 9 if 2 * d > 9 else 2 * d) for i, d in enumerate(digits))
    return total % 10 == 0


# --- Format -------------------------------------------------------------------------

def test_every_kind_has_exactly_the_import_columns_and_no_object_dtype(regional):
    assert tuple(regional) == demo.KINDS
    for kind, df in regional.items():
        assert tuple(df.columns) == demo.COLUMNS[kind], kind
        assert len(df) > 0, kind
        assert not [c for c in df.columns if df[c].dtype == object], kind


def test_same_seed_gives_identical_frames_and_another_seed_differs(ref_url, regional):
    again = demo.generate(ref_url, "region", seed=42)
    for kind in demo.KINDS:
        pd.testing.assert_frame_equal(regional[kind], again[kind], obj=kind)
    other = demo.generate(ref_url, "region", seed=7)
    assert not other["ssr_recourse"].equals(regional["ssr_recourse"])


def test_unknown_scale_or_region_is_refused(ref_url):
    with pytest.raises(ValueError):
        demo.generate(ref_url, "planet")
    with pytest.raises(ValueError):
        demo.generate(ref_url, "region", region="99")


@pytest.mark.parametrize("frames", ["regional", "national"])
def test_finess_are_unique_well_formed_and_start_with_the_communes_departement(frames, geography, request):
    est = _located(request.getfixturevalue(frames), geography)
    assert est["finess"].is_unique
    assert est["finess"].str.fullmatch(r"(\d{2}|2[AB])\d{7}").all()
    assert est["departement_code"].notna().all(), "every establishment is in a real commune"
    prefix = np.where(est["departement_code"].str.len() == 3, est["finess"].str[:3], est["finess"].str[:2])
    assert (prefix == est["departement_code"]).all()
    assert est["finess"].map(_luhn_ok).all()
    assert est["name"].is_unique
    assert est["legal_status"].isin(["public", "espic", "prive"]).all()
    assert est["activity"].isin(["MCO", "SSR", "MCO+SSR"]).all()
    assert (est["beds"] > 0).all() and (est["places"] >= 0).all()


def test_region_scale_keeps_to_its_region_with_a_regional_number_of_establishments(regional, geography):
    est = _located(regional, geography)
    assert set(est["region_code"]) == {demo.DEFAULT_REGION}
    assert 50 <= len(est) <= 400


def test_stress_scale_keeps_finess_and_names_unique_with_ten_times_the_establishments(ref_url):
    ref = demo.load_reference(ref_url)
    est = demo._establishments(np.random.default_rng(1), ref, ref.departements, demo.STRESS_FACTOR)
    assert 9_500 <= int((est["activity"] != "SSR").sum()) <= 10_500
    assert est["finess"].is_unique and est["name"].is_unique
    assert est["finess"].str.len().eq(9).all()


# --- National orders of magnitude ----------------------------------------------------

def test_national_scale_covers_every_departement_with_about_1000_mco_and_1700_ssr(national, geography, ref_url):
    est = _located(national, geography)
    with connect(ref_url) as conn:
        n_deps = conn.scalar(select(func.count()).select_from(models.Departement))
    mco = est[est["activity"] != "SSR"]
    ssr = est[est["activity"] != "MCO"]
    assert est["departement_code"].nunique() == n_deps == 101
    assert mco.groupby("departement_code").size().min() >= 1
    assert ssr.groupby("departement_code").size().min() >= 2
    assert 950 <= len(mco) <= 1050 and 1650 <= len(ssr) <= 1750
    mco_shares = mco["legal_status"].value_counts(normalize=True)
    ssr_shares = ssr["legal_status"].value_counts(normalize=True)
    assert mco_shares["public"] == pytest.approx(0.45, abs=0.02) and mco_shares["prive"] == pytest.approx(0.45, abs=0.02)
    assert ssr_shares["espic"] == pytest.approx(0.35, abs=0.02) and ssr_shares["prive"] == pytest.approx(0.30, abs=0.02)
    # more establishments where people are
    per_dep = est.groupby("departement_code").size()
    assert per_dep["59"] > 5 * per_dep["48"]


def test_national_volumes_per_gesture_are_of_the_right_order(national):
    stays = national["ssr_recourse"].groupby(["gesture", "year"])["stays"].sum().unstack()
    mean = stays.mean(axis=1)
    assert 95_000 <= mean["PTG"] <= 125_000
    assert 115_000 <= mean["PTH"] <= 145_000
    assert 40_000 <= mean["LCA"] <= 60_000
    assert 30_000 <= mean["COIFFE"] <= 50_000


def test_recourse_rows_come_from_mco_establishments_with_consistent_counts(national):
    est = national["establishments"]
    rec = national["ssr_recourse"]
    mco = set(est.loc[est["activity"] != "SSR", "finess"])
    assert set(rec["finess"]) <= mco
    assert (rec["stays"] >= 1).all()
    assert (rec["stays_with_ssr"] >= 0).all() and (rec["stays_with_ssr"] <= rec["stays"]).all()
    assert not rec.duplicated(["finess", "year", "gesture", "age_band"]).any()
    assert set(rec["year"]) == set(range(2015, 2025))
    # not all establishments do all four gestures
    assert (rec.groupby("finess")["gesture"].nunique() < 4).mean() > 0.2


def test_small_cells_exist_for_statistical_secrecy_and_big_centres_too(national):
    rec = national["ssr_recourse"]
    assert rec["stays"].between(1, 10).mean() > 0.1
    ptg = rec[(rec["gesture"] == "PTG") & (rec["year"] == 2019)].groupby("finess")["stays"].sum()
    assert (ptg < 30).sum() >= 20
    assert (ptg > 300).sum() >= 20


def test_ssr_recourse_falls_over_the_decade(national):
    rate = _rate(national["ssr_recourse"], ["gesture", "year"]).unstack()
    assert (rate[2024] < 0.8 * rate[2015]).all()
    assert (rate.diff(axis=1).iloc[:, 1:] < 0.01).all().all(), "no year goes clearly back up"
    assert 0.45 <= rate.loc["PTG", 2015] <= 0.60
    assert rate.loc["PTH", 2015] < rate.loc["PTG", 2015]
    assert rate.loc["LCA", 2015] < rate.loc["PTH", 2015] and rate.loc["COIFFE", 2015] < rate.loc["PTH", 2015]


def test_private_clinics_transfer_more_than_public_hospitals(national):
    rec = national["ssr_recourse"].merge(national["establishments"][["finess", "legal_status"]], on="finess")
    for gesture in ("PTG", "PTH"):
        rate = _rate(rec[rec["gesture"] == gesture], "legal_status")
        assert rate["prive"] > rate["public"] + 0.03, gesture


def test_patients_under_60_go_less_to_ssr_than_those_75_and_over(national):
    rec = national["ssr_recourse"]
    rate = _rate(rec, ["gesture", "age_band"]).unstack()
    assert (rate["<60"] < rate["75+"]).all()


def test_regional_ptg_rates_in_2015_span_about_34_to_68_percent(national, geography):
    rec = national["ssr_recourse"].merge(_located(national, geography)[["finess", "region_code"]], on="finess")
    rate = _rate(rec[(rec["gesture"] == "PTG") & (rec["year"] == 2015)], "region_code")
    assert len(rate) == 18
    assert 0.25 <= rate.min() <= 0.45
    assert 0.55 <= rate.max() <= 0.80


def test_national_ambulatory_rate_matches_the_2019_and_2021_figures(national):
    amb = national["ambulatory_surgery"]
    rate = _rate(amb, "year", num="ambulatory_stays")
    assert rate[2019] == pytest.approx(0.592, abs=0.04)
    assert rate[2021] == pytest.approx(0.623, abs=0.04)
    assert rate[2015] < rate[2019] < rate[2024]
    assert (amb["ambulatory_stays"] <= amb["stays"]).all()
    per_estab = _rate(amb[amb["year"] == 2019], "finess", num="ambulatory_stays")
    assert per_estab.quantile(0.02) < 0.35, "some low outliers"
    legacy = amb[amb["gesture_group"].isin(demo.LEGACY_AMBU_GROUPS)]
    assert legacy.groupby("finess")["gesture_group"].nunique().between(2, 8).all()
    assert amb.groupby("finess")["gesture_group"].nunique().between(2, len(demo.AMBU_MARKERS)).all()


def test_marker_procedures_follow_the_national_trend_with_realistic_levels(national, ref_url):
    with connect(ref_url) as conn:
        markers = list(conn.scalars(select(models.AmbulatoryGroup.code).where(models.AmbulatoryGroup.marker_number != "")))
    assert len(markers) == 55
    amb = national["ambulatory_surgery"]
    assert set(markers) <= set(amb["gesture_group"]), "every marker procedure has demo data"
    rate = _rate(amb[amb["gesture_group"].isin(markers)], "year", num="ambulatory_stays")
    assert rate[2015] == pytest.approx(0.55, abs=0.01)
    assert rate[2019] == pytest.approx(0.592, abs=0.01)
    assert rate[2021] == pytest.approx(0.623, abs=0.01)
    assert rate[2024] == pytest.approx(0.65, abs=0.015)
    by_group = _rate(amb[amb["year"] == 2021], "gesture_group", num="ambulatory_stays")
    assert by_group["CATARACTE"] > 0.9 and by_group["CANAL_CARPIEN"] > 0.9
    assert by_group["CHOLECYSTECTOMIE"] < 0.45


def test_ambulatory_targets_cover_every_region_and_year_near_the_achieved_rates(national, geography):
    targets = national["ambulatory_targets"]
    regional = targets[targets["departement_code"] == ""]
    assert set(regional["region_code"]) == set(geography["region_code"])
    assert regional.groupby("region_code")["year"].nunique().eq(len(demo.YEARS)).all()
    assert not targets.duplicated(["region_code", "year", "departement_code"]).any()
    assert targets["target_pct"].between(30, 90).all()
    local = targets[targets["departement_code"] != ""]
    assert len(local) > 0 and (local["region_code"] == demo.DEFAULT_REGION).all()


# --- Profile --------------------------------------------------------------------------

def test_profile_covers_ssr_establishments_with_coherent_numerators_and_denominators(regional):
    est = regional["establishments"]
    prof = regional["profile_values"]
    ssr = set(est.loc[est["activity"] != "MCO", "finess"])
    assert set(prof["finess"]) == ssr
    assert not prof.duplicated(["finess", "year", "indicator"]).any()
    num = prof.pivot(index=["finess", "year"], columns="indicator", values="numerator")
    den = prof.pivot(index=["finess", "year"], columns="indicator", values="denominator")
    assert len(num.columns) == 12
    # the same quantities wherever they appear
    pd.testing.assert_series_equal(num["ETP_LIT"], num["ETP_10000_JVS"], check_names=False)
    pd.testing.assert_series_equal(num["ETP_LIT"], den["PART_ETP_AUTRES"], check_names=False)
    for other in ("ETP_MED_10000_JVS", "ETP_MED_100000_IVA"):
        pd.testing.assert_series_equal(num["ETP_MED_LIT"], num[other], check_names=False)
    pd.testing.assert_series_equal(num["ETP_SOIGNANT_10000_JVS"], num["ETP_SOIGNANT_100000_IVA"], check_names=False)
    pd.testing.assert_series_equal(den["ETP_LIT"], den["ETP_MED_LIT"], check_names=False)
    for other in ("ETP_MED_10000_JVS", "ETP_SOIGNANT_10000_JVS"):
        pd.testing.assert_series_equal(den["ETP_10000_JVS"], den[other], check_names=False)
    pd.testing.assert_series_equal(den["ETP_MED_100000_IVA"], den["ETP_SOIGNANT_100000_IVA"], check_names=False)
    pd.testing.assert_series_equal(num["DMS_HC"], den["ACTES_RF_JOUR"], check_names=False)
    pd.testing.assert_series_equal(den["DMS_HC"], den["REHOSP_30J"], check_names=False)
    assert den["NB_GMD_80"].isna().all()
    assert (num["ETP_MED_LIT"] + num["ETP_SOIGNANT_10000_JVS"] + num["PART_ETP_AUTRES"] <= num["ETP_LIT"] + 0.2).all()
    # plausible values (the catalogue's scale applied)
    value = num / den
    assert value["DMS_HC"].median() == pytest.approx(30, abs=5) and value["DMS_HC"].between(12, 60).all()
    assert value["REHOSP_30J"].median() == pytest.approx(0.08, abs=0.025)
    assert num["NB_GMD_80"].between(20, 80).all()
    assert value["ACTES_RF_JOUR"].between(1, 5).all()
    assert value["ETP_LIT"].between(0.6, 2).all()
    assert (value["PART_ETP_AUTRES"] * 100).between(4, 16).all()
    assert (value["ETP_10000_JVS"] * 10_000).median() == pytest.approx(35, abs=12)


# --- CAQES --------------------------------------------------------------------------

def test_about_1130_establishments_signed_a_2022_caqes_in_mid_2022(national):
    con = national["caqes_contracts"]
    new = con[con["start_year"] == 2022]
    assert abs(len(new) - 1130) <= 15
    assert new["finess"].is_unique
    assert (new["end_year"] >= 2025).all()
    assert (new["parts"] == "produits_sante+organisation+pertinence").all()
    signed = pd.to_datetime(new["signed_on"], format="%Y-%m-%d")
    assert (signed.dt.year == 2022).all()
    assert signed.dt.month.isin([6, 7]).mean() > 0.6
    old = con[con["start_year"] == 2018]
    assert len(old) > 100 and (old["end_year"] == 2021).all()
    assert set(old["parts"]) == {"socle+transports", "socle+transports+pertinence+qualite"}
    activities = national["establishments"].set_index("finess").loc[new["finess"], "activity"]
    assert activities.isin(["MCO", "MCO+SSR"]).any() and activities.eq("SSR").any()


def test_caqes_results_follow_the_contract_structure(national, geography, ref_url):
    with connect(ref_url) as conn:
        cat = pd.DataFrame([tuple(r) for r in conn.execute(select(
            models.CaqesIndicator.code, models.CaqesIndicator.scope, models.CaqesIndicator.part,
            models.CaqesIndicator.better, models.CaqesIndicator.structure))],
            columns=["indicator", "scope", "part", "better", "structure"])
    res = national["caqes_results"].merge(cat, on="indicator", how="left", validate="m:1")
    assert res["scope"].notna().all()
    con = national["caqes_contracts"]
    new = res[res["finess"].isin(con.loc[con["start_year"] == 2022, "finess"]) & (res["structure"] == "2022")]
    assert set(new["year"]) == {2022, 2023, 2024}
    per_contract = new[new["year"] == 2022].groupby("finess")["scope"].value_counts().unstack()
    assert per_contract["national"].isin([7, 8]).all() and (per_contract["regional"] == 7).all()
    # the design is a regional choice: one design per region, both 7 and 8 national indicators used
    located = per_contract.join(_located(national, geography).set_index("finess")["region_code"])
    assert located.groupby("region_code")["national"].nunique().eq(1).all()
    assert set(located["national"]) == {7, 8}
    old = res[res["structure"] == "pre2022"]
    assert set(old["year"]) == {2019, 2020, 2021}
    # targets improve on baselines in the indicator's better direction, by 5-20 % at most
    lower = res["better"] == "lower"
    assert (res.loc[lower, "target"] < res.loc[lower, "baseline"]).all()
    assert (res.loc[~lower, "target"] >= res.loc[~lower, "baseline"]).all()
    assert (abs(res["target"] - res["baseline"]) <= 0.2 * res["baseline"] + 0.1).all()  # one-decimal rounding
    assert res["achieved"].isna().mean() < 0.1 and res["achieved"].notna().mean() > 0.9
    reached = np.where(lower, res["achieved"] <= res["target"], res["achieved"] >= res["target"])
    worse = np.where(lower, res["achieved"] > res["baseline"], res["achieved"] < res["baseline"])
    last = (res["year"] == 2024).to_numpy() & res["achieved"].notna().to_numpy()
    assert 0.15 < reached[last].mean() < 0.7 and 0.03 < worse[last].mean() < 0.3
    savings = res["part"].isin(["produits_sante", "organisation", "socle", "transports"])
    assert res.loc[~savings, "savings_eur"].isna().all()
    assert res.loc[savings, "savings_eur"].median() > 1_000
    assert res.loc[savings, "savings_eur"].max() > 100_000


# --- MSAP ---------------------------------------------------------------------------

def test_msap_history_is_plausible(national):
    msap = national["msap_decisions"]
    est = national["establishments"]
    assert set(msap["finess"]) <= set(est.loc[est["activity"] != "SSR", "finess"])
    assert set(msap["decision"]) == {"ciblee", "notifiee", "levee", "abandonnee"}
    assert msap["year"].between(2016, 2024).all()
    assert not msap.duplicated(["finess", "campaign", "gesture", "year", "decision"]).any()
    key = ["finess", "campaign", "gesture", "year"]
    targeted = msap[msap["decision"] == "ciblee"]
    per_year = targeted[targeted["campaign"] == "SSR"].groupby("year")["finess"].nunique()
    assert per_year.between(5, 80).all() and per_year.mean() >= 15
    assert (targeted["campaign"] == "AMBU").sum() >= 5
    ssr_rows = msap["campaign"] == "SSR"
    assert msap.loc[ssr_rows, "gesture"].isin(["PTG", "PTH", "LCA", "COIFFE"]).all()
    assert msap.loc[~ssr_rows, "gesture"].isin(national["ambulatory_surgery"]["gesture_group"].unique()).all()
    steps = msap.pivot(index=key, columns="decision", values="decided_on")
    assert steps["ciblee"].notna().all()
    assert (steps["notifiee"].notna() ^ steps["abandonnee"].notna()).all()
    assert (steps["levee"].isna() | steps["notifiee"].notna()).all()
    assert steps["notifiee"].notna().mean() > 0.6
    notified = msap[msap["decision"] == "notifiee"]
    start = pd.to_datetime(notified["start_on"], format="%Y-%m-%d")
    end = pd.to_datetime(notified["end_on"], format="%Y-%m-%d")
    assert (start < end).all()
    assert (end <= start + pd.DateOffset(months=6)).all()
    decided = pd.to_datetime(notified["decided_on"], format="%Y-%m-%d")
    assert (decided < start).all()
    assert msap.loc[msap["decision"] != "notifiee", ["start_on", "end_on"]].isna().all().all()


# --- Through the import pipeline ----------------------------------------------------

@pytest.mark.skipif(not HAS_IMPORTS, reason="data_access.imports (import_frame) is not written yet")
def test_seed_demo_at_region_scale_imports_every_generated_row(sqlite_url):
    tables = {"establishments": models.Establishment, "ssr_recourse": models.SsrRecourse,
              "ambulatory_surgery": models.AmbulatorySurgery, "profile_values": models.ProfileValue,
              "caqes_contracts": models.CaqesContract, "caqes_results": models.CaqesResult,
              "msap_decisions": models.MsapDecision, "ambulatory_targets": models.AmbulatoryTarget}
    messages: list[str] = []
    frames = demo.generate(sqlite_url, "region", seed=3)
    reports = demo.seed_demo(sqlite_url, "region", seed=3, progress=messages.append)
    assert set(reports) == set(demo.KINDS)
    assert len(messages) == 1 + len(demo.KINDS)
    with connect(sqlite_url) as conn:
        for kind, table in tables.items():
            assert conn.scalar(select(func.count()).select_from(table)) == len(frames[kind]), kind
