"""Rates are ratios of sums (never means of rates) with Wilson 95 % intervals checked against hand computations."""
import math

import numpy as np
import pandas as pd
import pytest

from analytics.rates import Z_95, ratio_of_sums, wilson_interval


def test_ratio_of_sums_weighs_establishments_by_their_stays_not_a_mean_of_rates():
    df = pd.DataFrame({"region": ["84", "84"], "finess": ["690000001", "690000002"],
                       "ssr": [1, 50], "stays": [10, 100]})
    out = ratio_of_sums(df, ["region"], "ssr", "stays")
    row = out.iloc[0]
    # (1 + 50) / (10 + 100) = 51 / 110 = 0.463636…; the mean of the rates would be (0.1 + 0.5) / 2 = 0.3
    assert row["ssr"] == 51 and row["stays"] == 110
    assert row["rate"] == pytest.approx(0.4636363636363636, abs=1e-12)
    assert row["rate"] != pytest.approx(0.3)
    assert row["n_establishments"] == 2


def test_ratio_of_sums_returns_wilson_bounds_and_counts_active_establishments_once():
    df = pd.DataFrame({
        "region": ["84", "84", "84", "11", "11"],
        "finess": ["690000001", "690000001", "690000002", "750000001", "750000002"],
        "ssr": [60, 58, 0, 0, 0],
        "stays": [100, 90, 0, 10, 0],  # 690000002 and 750000002 have no stay: not counted
    })
    out = ratio_of_sums(df, ["region"], "ssr", "stays").set_index("region")
    assert list(out.columns) == ["ssr", "stays", "rate", "low", "high", "n_establishments"]
    # 84: (60 + 58) / (100 + 90) = 118 / 190, Wilson bounds as in test_wilson_118_of_190
    assert out.loc["84", "rate"] == pytest.approx(118 / 190)
    assert out.loc["84", "low"] == pytest.approx(0.5503181973615824, abs=1e-9)
    assert out.loc["84", "high"] == pytest.approx(0.6869891376113276, abs=1e-9)
    assert out.loc["84", "n_establishments"] == 1  # one distinct FINESS with stays, two rows
    # 11: 0 / 10
    assert out.loc["11", "rate"] == 0.0
    assert out.loc["11", "high"] == pytest.approx(0.2775327998628892, abs=1e-9)
    assert out.loc["11", "n_establishments"] == 1


def test_ratio_of_sums_gives_nan_for_a_group_without_stays():
    df = pd.DataFrame({"dep": ["01", "02"], "finess": ["010000001", "020000001"], "ssr": [3, 0], "stays": [12, 0]})
    out = ratio_of_sums(df, ["dep"], "ssr", "stays").set_index("dep")
    assert math.isnan(out.loc["02", "rate"]) and math.isnan(out.loc["02", "low"]) and math.isnan(out.loc["02", "high"])
    assert out.loc["02", "n_establishments"] == 0
    assert out.loc["01", "rate"] == pytest.approx(0.25)  # 3 / 12


def test_ratio_of_sums_without_grouping_is_the_overall_total():
    df = pd.DataFrame({"finess": ["a", "b", "c"], "ssr": [1, 50, 7], "stays": [10, 100, 0]})
    out = ratio_of_sums(df, [], "ssr", "stays")
    assert len(out) == 1
    # (1 + 50 + 7) / (10 + 100 + 0) = 58 / 110 = 0.527272…
    assert out.iloc[0]["rate"] == pytest.approx(0.5272727272727272)
    assert out.iloc[0]["n_establishments"] == 2


def test_ratio_of_sums_without_finess_column_has_no_establishment_count():
    df = pd.DataFrame({"g": ["x", "x"], "n": [1, 2], "d": [4, 4]})
    out = ratio_of_sums(df, ["g"], "n", "d")
    assert "n_establishments" not in out.columns
    assert out.iloc[0]["rate"] == pytest.approx(0.375)  # 3 / 8


def test_wilson_118_of_190():
    # p = 118/190 = 0.62105263, z = 1.95996398, z² = 3.84145882, c = z²/n = 0.02021820
    # centre = (p + c/2) / (1 + c) = 0.63116173 / 1.02021820 = 0.61865367
    # half = z·sqrt(p(1-p)/n + z²/(4n²)) / (1 + c)
    #      = 1.95996398 · sqrt(0.00123866 + 0.00002660) / 1.02021820 = 0.06833547
    # -> [0.55031820, 0.68698914] (statsmodels proportion_confint(118, 190, method="wilson") gives the same)
    low, high = wilson_interval(118, 190)
    assert low == pytest.approx(0.5503182, abs=1e-7)
    assert high == pytest.approx(0.6869891, abs=1e-7)


def test_wilson_0_of_10_and_10_of_10():
    # x = 0: p = 0, c = z²/10 = 0.38414588; centre = (c/2)/(1+c) = 0.19207294/1.38414588 = 0.13876640
    # half = z·sqrt(z²/(4·100))/(1+c) = (z²/20)/(1+c) = 0.13876640 -> [0, 0.27753280]
    assert wilson_interval(0, 10) == (0.0, pytest.approx(0.2775328, abs=1e-7))
    # x = n is the mirror image: [1 - 0.27753280, 1] = [0.72246720, 1]
    low, high = wilson_interval(10, 10)
    assert low == pytest.approx(0.7224672, abs=1e-7)
    assert high == 1.0


def test_wilson_is_vectorised_keeps_series_index_and_gives_nan_for_no_trial():
    low, high = wilson_interval(np.array([118, 0, 10, 3]), np.array([190, 10, 10, 0]))
    np.testing.assert_allclose(low[:3], [0.5503182, 0.0, 0.7224672], atol=1e-7)
    np.testing.assert_allclose(high[:3], [0.6869891, 0.2775328, 1.0], atol=1e-7)
    assert np.isnan(low[3]) and np.isnan(high[3])
    s_low, s_high = wilson_interval(pd.Series([0, 10], index=["a", "b"]), pd.Series([10, 10], index=["a", "b"]))
    assert list(s_low.index) == ["a", "b"]
    assert s_high["a"] == pytest.approx(0.2775328, abs=1e-7)


def test_default_z_is_the_two_sided_95_percent_quantile():
    assert pytest.approx(1.959963984540054) == Z_95
