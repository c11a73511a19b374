"""Funnel-plot control limits for proportions (Spiegelhalter 2005).

Method: EXACT binomial limits with Spiegelhalter's interpolation (Spiegelhalter D. J.,
"Funnel plots for comparing institutional performance", Statistics in Medicine 2005;
24:1185-1202, appendix A.1.1), not the normal approximation. For a reference proportion
p0, a volume n and a one-sided probability q (0.025 and 0.975 for the 95 % limits, 0.001
and 0.999 for the 99.8 % limits):

    r_q   = the q-quantile of Binomial(n, p0): the smallest r with P(R <= r) >= q
            (what scipy.stats.binom.ppf returns);
    alpha = (P(R <= r_q) - q) / (P(R <= r_q) - P(R <= r_q - 1));
    limit = (r_q - alpha) / n.

The interpolation turns the step function of the discrete quantile into a smooth funnel
that keeps the nominal coverage.

Computed with scipy.special alone: scipy.stats (≈ 46 MB more, 67–82 MB on the first request
that loads it) stays out of the workers. P(R <= k) is Boost's ibetac(k + 1, n - k, p0), the
call scipy.stats.binom.cdf makes; scipy.special.betaincc evaluates it in extended precision,
so a probability may differ from scipy.stats' by a few units in the last place and a limit by
less than 1e-14 (tests/unit/test_funnel.py compares both over n = 1..3000 and large n): no
figure shown to 0.1 point and no position against a limit can change.

Units: p0 and the limits are proportions 0-1, n is a count (stays); where n <= 0 (or
missing) both limits are NaN. Nothing here imports Dash.
"""
from __future__ import annotations

import numpy as np

LEVELS = (0.95, 0.998)  # the two funnels of the field: 95 % ("alerte") and 99.8 % ("atypique")


def _cdf(k: np.ndarray, n: np.ndarray, p0: float) -> np.ndarray:
    """P(R <= k) for R ~ Binomial(n, p0), k and n whole numbers (floats), 0 < p0 < 1.

    0 below the support and 1 from n on, as scipy.stats.binom.cdf; inside, the complemented
    regularized incomplete beta ibetac(k + 1, n - k, p0), the formula Boost (and so
    scipy.stats) uses."""
    from scipy.special import betaincc  # scipy.special only: see the module docstring

    inside = (k >= 0) & (k < n)
    out = np.where(k >= n, 1.0, 0.0)
    if inside.any():
        kk, nn = k[inside], n[inside]
        out[inside] = np.clip(betaincc(kk + 1, nn - kk, p0), 0.0, 1.0)
    return out


def _quantile(p0: float, n: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The smallest whole r with P(R <= r) >= q, with P(R <= r) and P(R <= r - 1).

    scipy.special.bdtrik (the continuous inverse of the binomial CDF in k) gives the start; a few
    whole steps then settle r against the same _cdf the interpolation uses, so r is exactly
    "the smallest r whose CDF reaches q" for these CDF values."""
    from scipy.special import ndtri

    sd = np.sqrt(n * p0 * (1 - p0))
    z = ndtri(q)
    with np.errstate(divide="ignore", invalid="ignore"):
        guess = n * p0 + sd * z + (z * z - 1) * (1 - 2 * p0) / 6 - 0.5  # Cornish-Fisher, to start
    r = np.clip(np.ceil(np.where(np.isfinite(guess), guess, 0.0)), 0.0, n)
    cdf_r, cdf_before = _cdf(r, n, p0), _cdf(r - 1, n, p0)
    while True:  # bdtrik lands within a step or two; r only ever moves one way, so this ends
        down = (r > 0) & (cdf_before >= q)  # r - 1 already reaches q
        up = ~down & (cdf_r < q)  # r does not reach q yet
        if not (down.any() or up.any()):
            return r, cdf_r, cdf_before
        r = r - down.astype(float) + up.astype(float)
        cdf_r, cdf_before = np.where(down, cdf_before, cdf_r), np.where(up, cdf_r, cdf_before)
        cdf_r[up] = _cdf(r[up], n[up], p0)
        cdf_before[down] = _cdf(r[down] - 1, n[down], p0)


def _limit(p0: float, n: np.ndarray, q: float) -> np.ndarray:
    r, cdf_r, cdf_before = _quantile(p0, n, q)
    step = cdf_r - cdf_before
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(step > 0, (cdf_r - q) / np.where(step > 0, step, 1.0), 0.0)
        return np.clip((r - alpha) / n, 0.0, 1.0)


def funnel_limits(p0: float, n, level: float = 0.95):
    """Lower and upper control limits (proportions 0-1) around `p0` for volumes `n`.

    `n` is a scalar or array of denominators (counts); `level` the two-sided coverage
    (0.95 or 0.998 for the usual funnels). Returns `(low, high)` with the shape of `n`
    (floats for a scalar). A proportion outside (low, high) is outside the funnel at that
    level. p0 of 0 or 1 gives limits equal to p0.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1: {level!r}")
    scalar = np.ndim(n) == 0
    n_arr = np.atleast_1d(np.asarray(n, dtype=float))
    valid = np.isfinite(n_arr) & (n_arr > 0)
    n_safe = np.where(valid, np.floor(n_arr), 1.0)
    tail = (1 - level) / 2
    p0 = float(p0)
    if p0 <= 0 or p0 >= 1 or not np.isfinite(p0):
        low = high = np.full(n_arr.shape, p0 if np.isfinite(p0) else np.nan)
    else:
        low = _limit(p0, n_safe, tail)
        high = _limit(p0, n_safe, 1 - tail)
    low = np.where(valid, low, np.nan)
    high = np.where(valid, high, np.nan)
    if scalar:
        return float(low[0]), float(high[0])
    return low, high


def funnel_position(x, n, p0: float) -> np.ndarray:
    """Where each proportion x/n falls against the funnels around p0.

    Returns an array of strings: 'au-dessus 99,8' (above the upper 99.8 % limit),
    'au-dessus 95' (above the 95 % limit only), 'dedans', 'en dessous 95',
    'en dessous 99,8', or '' where n <= 0. `x` and `n` are counts.
    """
    x = np.atleast_1d(np.asarray(x, dtype=float))
    n = np.atleast_1d(np.asarray(n, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, x / np.where(n > 0, n, 1), np.nan)
    lo95, hi95 = funnel_limits(p0, n, 0.95)
    lo998, hi998 = funnel_limits(p0, n, 0.998)
    out = np.full(len(n), "dedans", dtype=object)
    out[p > hi95] = "au-dessus 95"
    out[p > hi998] = "au-dessus 99,8"
    out[p < lo95] = "en dessous 95"
    out[p < lo998] = "en dessous 99,8"
    out[~(n > 0)] = ""
    return out
