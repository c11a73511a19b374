"""Rates as ratios of sums, with Wilson 95 % intervals.

Units: every rate, bound and proportion here is a proportion between 0 and 1
(0.453, not 45.3); turning it into a percentage is the job of
`text.format`. Counts are stays (séjours) unless the caller says
otherwise: the functions only add up what they are given.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

Z_95 = 1.959963984540054  # standard normal quantile 0.975: two-sided 95 % interval


def wilson_interval(successes, trials, z: float = Z_95):
    """Wilson score interval of a binomial proportion.

    `successes` and `trials` are counts (scalars, numpy arrays or pandas
    Series, broadcast together); returns `(low, high)` as proportions 0–1 of
    the same shape (Series keep their index, scalars come back as floats).
    Where `trials` is 0 (or missing) both bounds are NaN.

        p = x / n,  c = z² / n
        centre     = (p + c / 2) / (1 + c)
        half-width = z · sqrt(p (1 − p) / n + z² / (4 n²)) / (1 + c)
    """
    index = successes.index if isinstance(successes, pd.Series) else (
        trials.index if isinstance(trials, pd.Series) else None)
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        valid = n > 0
        n_safe = np.where(valid, n, np.nan)
        p = x / n_safe
        c = z * z / n_safe
        centre = (p + c / 2) / (1 + c)
        half = z * np.sqrt(np.clip(p * (1 - p), 0, None) / n_safe + z * z / (4 * n_safe * n_safe)) / (1 + c)
        low = np.where(valid, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(valid, np.clip(centre + half, 0.0, 1.0), np.nan)
        # The bounds are exactly 0 (x = 0) and 1 (x = n) in theory; rounding would give 0.9999999999999999.
        low = np.where(valid & (x <= 0), 0.0, low)
        high = np.where(valid & (x >= n), 1.0, high)
    if index is not None:
        return pd.Series(low, index=index), pd.Series(high, index=index)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def ratio_of_sums(df: pd.DataFrame, by: list[str], num: str, den: str, *,
                  establishment: str = "finess") -> pd.DataFrame:
    """Rate of each group as the sum of numerators over the sum of denominators.

    Never a mean of the establishments' rates: an establishment weighs by its
    denominator (for the SSR recourse rate, `num` = stays followed by an SSR
    stay, `den` = stays for the gesture; both are counts of stays).

    Returns one row per group (columns `by`, then `num`, `den` summed, `rate`
    as a proportion 0–1, NaN when the summed denominator is 0, `low` and
    `high`, the Wilson 95 % interval, and, when `df` has an `establishment`
    column, `n_establishments`: the number of distinct establishments of the
    group with a denominator above 0). With `by=[]` the result is a single
    row for the whole frame (a national or regional total).
    """
    by = list(by)
    has_estab = establishment in df.columns
    if by:
        grouped = df.groupby(by, dropna=False, sort=True)
        out = grouped[[num, den]].sum(min_count=0).reset_index()
        if has_estab:
            active = df[df[den] > 0]
            n_est = active.groupby(by, dropna=False, sort=True)[establishment].nunique()
            out = out.merge(n_est.rename("n_establishments").reset_index(), on=by, how="left")
            out["n_establishments"] = out["n_establishments"].fillna(0).astype(int)
    else:
        out = pd.DataFrame({num: [df[num].sum()], den: [df[den].sum()]})
        if has_estab:
            out["n_establishments"] = int(df.loc[df[den] > 0, establishment].nunique())
    numer = out[num].to_numpy(dtype=float)
    denom = out[den].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate"] = np.where(denom > 0, numer / np.where(denom > 0, denom, 1.0), np.nan)
    out["low"], out["high"] = wilson_interval(numer, denom)
    columns = by + [num, den, "rate", "low", "high"] + (["n_establishments"] if has_estab else [])
    return out[columns]
