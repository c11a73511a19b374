"""Funnel limits computed with scipy.special alone match scipy.stats.binom (the reference, in the
tests only): the same binomial quantile r, limits within 1e-14, the same positions and the same
figures to 0.1 point; and the workers never import scipy.stats to draw a funnel."""

import numpy as np
import pytest
from scipy.stats import binom

from analytics import funnel
from analytics.funnel import funnel_limits, funnel_position
from tests.imports_probe import modules_after

RNG = np.random.default_rng(20240615)
# Every volume up to 3000 (the bulk of establishments), a sample up to 200 000 (national sums).
VOLUMES = np.concatenate([np.arange(1, 3001), RNG.integers(3001, 200_001, 150), [200_000]]).astype(float)
P0S = np.concatenate([np.linspace(0.001, 0.999, 15), RNG.uniform(0.2, 0.7, 10),  # typical rates
                      [1e-9, 1e-6, 1 - 1e-6, 1 - 1e-9, 0.5]])
LEVELS = (0.95, 0.998)  # q = 0.025 / 0.975 and 0.001 / 0.999
MAX_GAP = 1e-14  # measured: 3.5e-15 at most on this grid (betaincc evaluates ibetac in extended precision)


def reference_limit(p0, n, q):
    """The previous implementation: Spiegelhalter's interpolation on scipy.stats.binom."""
    r = binom.ppf(q, n, p0)
    cdf_r, cdf_before = binom.cdf(r, n, p0), binom.cdf(r - 1, n, p0)
    step = cdf_r - cdf_before
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(step > 0, (cdf_r - q) / np.where(step > 0, step, 1.0), 0.0)
        return np.clip((r - alpha) / n, 0.0, 1.0)


def reference_limits(p0, n, level):
    n = np.atleast_1d(np.asarray(n, dtype=float))
    valid = np.isfinite(n) & (n > 0)
    n_safe = np.where(valid, np.floor(n), 1.0)
    tail = (1 - level) / 2  # the same floats as funnel_limits: (1 - 0.95) / 2 is not exactly 0.025
    low, high = reference_limit(p0, n_safe, tail), reference_limit(p0, n_safe, 1 - tail)
    return np.where(valid, low, np.nan), np.where(valid, high, np.nan)


def same_positions(ours, ref, n):
    """Every whole count x near the limit lands on the same side of both (x/n as the app computes it)."""
    for dx in (-1.0, 0.0, 1.0, 2.0):
        rate = (np.floor(ref * n) + dx) / n
        assert np.array_equal(rate > ours, rate > ref) and np.array_equal(rate < ours, rate < ref)


@pytest.mark.parametrize("level", LEVELS)
def test_the_binomial_quantile_is_scipy_stats_one_exactly(level):
    for p0 in P0S:
        for q in ((1 - level) / 2, 1 - (1 - level) / 2):
            r, _cdf_r, _cdf_before = funnel._quantile(p0, VOLUMES, q)
            np.testing.assert_array_equal(r, binom.ppf(q, VOLUMES, p0), err_msg=f"p0={p0}, q={q}")


@pytest.mark.parametrize("level", LEVELS)
def test_limits_match_scipy_stats_to_1e_14_with_the_same_positions_and_figures(level):
    for p0 in P0S:
        ours, ref = funnel_limits(p0, VOLUMES, level), reference_limits(p0, VOLUMES, level)
        for o, r in zip(ours, ref):
            assert np.max(np.abs(o - r)) <= MAX_GAP, f"p0={p0}"
            same_positions(o, r, VOLUMES)
            np.testing.assert_array_equal(np.round(o * 100, 1), np.round(r * 100, 1))  # shown to 0.1 point


def test_edge_cases_match_scipy_stats():
    n = np.array([1, 1.9, 2, 2.5, 10.99, 0, -3, np.nan, np.inf, 5])  # floats floored; n <= 0 or missing -> NaN
    for p0 in (1e-12, 0.001, 0.3, 0.999, 1 - 1e-12):
        for level in LEVELS:
            ours, ref = funnel_limits(p0, n, level), reference_limits(p0, n, level)
            for o, r in zip(ours, ref):
                np.testing.assert_allclose(o, r, rtol=0, atol=MAX_GAP, equal_nan=True)
    # r = 0 (q below P(R = 0)): P(R <= -1) is 0 and the lower limit clips to 0
    r, cdf_r, cdf_before = funnel._quantile(0.001, np.array([5.0]), 0.025)
    assert (r[0], cdf_before[0]) == (0.0, 0.0) and cdf_r[0] == pytest.approx(0.999 ** 5, rel=1e-15)
    assert funnel_limits(0.001, 5, 0.95)[0] == 0.0
    assert funnel_limits(0.0, 10) == (0.0, 0.0) and funnel_limits(1.0, 10) == (1.0, 1.0)
    assert funnel_limits(0.3, 10.7) == funnel_limits(0.3, 10)


def test_funnel_positions_on_random_data_are_scipy_stats_ones():
    n = RNG.integers(0, 5000, 4000).astype(float)
    for p0 in (0.05, 0.25, 0.4, 0.62, 0.9):
        x = RNG.binomial(n.astype(int), np.clip(p0 + RNG.normal(0, 0.05, n.size), 0, 1)).astype(float)
        lo95, hi95 = reference_limits(p0, n, 0.95)
        lo998, hi998 = reference_limits(p0, n, 0.998)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(n > 0, x / np.where(n > 0, n, 1), np.nan)
        expected = np.full(n.size, "dedans", dtype=object)
        expected[p > hi95] = "au-dessus 95"
        expected[p > hi998] = "au-dessus 99,8"
        expected[p < lo95] = "en dessous 95"
        expected[p < lo998] = "en dessous 99,8"
        expected[~(n > 0)] = ""
        assert funnel_position(x, n, p0).tolist() == expected.tolist()
        assert len(set(expected)) == 6 or p0 in (0.05, 0.9)  # the random data reach every position


def test_drawing_a_funnel_imports_no_scipy_stats():
    # scipy.stats is ≈ 46 MB on top of scipy.special in each worker, 67–82 MB on the first request
    loaded = modules_after("from analytics.funnel import funnel_limits, funnel_position\n"
                           "funnel_limits(0.4, [1, 10, 1000, 200000], 0.998); funnel_position([3, 40], [10, 100], 0.4)")
    assert "scipy.special" in loaded
    assert sorted(m for m in loaded if m == "scipy.stats" or m.startswith("scipy.stats.")) == []
