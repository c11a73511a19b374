"""Map classes (discrétisation) of rates, with the mapclassify (PySAL) definitions, computed here.

Values are proportions 0–1 (one rate per territory). Class numbers go from 1
(lowest rates) to k; 0 means "pas de données" (a NaN value, left out of the
classification). Breaks are exactly those of mapclassify 2.10 for the chosen
method, computed with numpy alone:

- "quantiles": `mapclassify.Quantiles` (effectifs égaux, the default of the
  field, 4 classes);
- "jenks": `mapclassify.FisherJenks` (seuils naturels);
- "egaux": `mapclassify.EqualInterval` (intervalles égaux).

mapclassify itself imports scipy.stats and scikit-learn (≈ 95 MB resident in a
worker, 3 s to import) for these three short computations; the tests
(tests/unit/test_classes.py) check that the breaks and classes here are equal,
bit for bit, to mapclassify's on many inputs.

With fewer distinct values than k, k drops to the number of distinct values
(then to the number of breaks the method actually gives, e.g. quantiles that
coincide) instead of failing.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from text.format import fmt_count, fmt_pct  # pure module: no Dash

METHOD_LABELS = {
    "quantiles": "effectifs égaux (quantiles)",
    "jenks": "seuils naturels (Fisher-Jenks)",
    "egaux": "intervalles égaux",
}
NO_DATA_CLASS = 0


@dataclass(frozen=True)
class Classification:
    """Result of `classify`. Bounds are in the unit of the values (proportions 0–1).

    bins:    upper bound of each class 1..k (length k; bins[-1] is the maximum);
    lower:   lower bound of each class: the smallest value for class 1, then
             the previous class's upper bound (a value equal to a bound goes to
             the lower class, as in mapclassify);
    classes: class number of each input value, aligned with the input (0 = NaN);
    counts:  number of values in each class 1..k (length k);
    n_missing: number of NaN values (class 0).
    """

    method: str
    k: int
    bins: np.ndarray
    lower: np.ndarray
    classes: np.ndarray
    counts: np.ndarray
    n_missing: int

    @property
    def method_label(self) -> str:
        """French name of the method, e.g. 'effectifs égaux (quantiles)'."""
        return METHOD_LABELS[self.method]

    def label_digits(self) -> int:
        """Decimals for percentage labels: 0 when the values spread over 10 points or more, else 1.

        Falls back to 1 decimal if whole percentages would print two different
        bounds the same (a class '45 % – 45 %').
        """
        if self.k == 0:
            return 1
        if float(self.bins[-1] - self.lower[0]) < 0.10:
            return 1
        bounds = np.concatenate([self.lower[:1], self.bins])
        printed = [fmt_pct(b, 0) for b in bounds]
        distinct = np.diff(bounds) > 0
        if any(d and a == b for d, a, b in zip(distinct, printed[:-1], printed[1:])):
            return 1
        return 0

    def legend_labels(self, fmt: Callable[[float], str] | None = None,
                      noun: str | tuple[str, str] | None = None) -> list[str]:
        """One French label per class 1..k: '34 % – 50 %', with its count when `noun` is given.

        fmt formats one bound (default: a percentage, see `label_digits`);
        noun is the plural ('régions', singular taken by dropping the final s)
        or a (singular, plural) pair: '34 % – 50 % (3 régions)'. With
        noun="" the count comes bare: '34 % – 50 % (3)'.
        """
        if fmt is None:
            digits = self.label_digits()
            fmt = lambda v: fmt_pct(v, digits)  # noqa: E731
        labels = []
        for low, high, count in zip(self.lower, self.bins, self.counts):
            text = f"{fmt(float(low))} – {fmt(float(high))}"
            if noun is not None:
                text += f" ({_count(int(count), noun)})"
            labels.append(text)
        return labels


def _count(n: int, noun: str | tuple[str, str]) -> str:
    if noun == "":
        return str(n)
    singular, plural = noun if isinstance(noun, tuple) else (noun[:-1] if noun.endswith("s") else noun, noun)
    return fmt_count(n, singular, plural)


def classify(values, method: str = "quantiles", k: int = 4) -> Classification:
    """Classify rates (proportions 0–1, NaN = no data) into k classes, with mapclassify's breaks.

    `values` is any 1-D array-like (list, numpy array, pandas Series; None and
    pandas NA count as NaN). Raises ValueError for an unknown method or k < 1.
    """
    if method not in _BREAKS:
        raise ValueError(f"méthode de classes inconnue : {method!r} (attendu : {', '.join(_BREAKS)})")
    if int(k) < 1:
        raise ValueError(f"nombre de classes invalide : {k!r}")
    y = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)
    present = np.isfinite(y)
    observed = y[present]
    classes = np.zeros(len(y), dtype=int)
    n_unique = len(np.unique(observed))
    k_eff = min(int(k), n_unique)
    if k_eff == 0:
        empty = np.array([], dtype=float)
        return Classification(method, 0, empty, empty, classes, np.array([], dtype=int), int((~present).sum()))
    if k_eff == 1:
        bins = np.array([observed.max()])
        yb = np.zeros(len(observed), dtype=int)
    else:
        bins = np.asarray(_BREAKS[method](observed, k_eff), dtype=float)
        yb = _bin_ids(observed, bins)
    k_final = len(bins)
    classes[present] = yb + 1
    counts = np.bincount(yb, minlength=k_final)[:k_final]
    lower = np.concatenate([[observed.min()], bins[:-1]])
    return Classification(method=method, k=k_final, bins=bins, lower=lower, classes=classes,
                          counts=counts, n_missing=int((~present).sum()))


# --- The three methods, as mapclassify 2.10 computes them ---------------------------------------------
# Each function takes the observed values (float, no NaN, at least k >= 2 distinct) and returns the
# upper bounds of the classes. They follow mapclassify's code step by step, floating-point operations
# included (same order, same precision), so that the bounds are equal to the last bit: a value on a
# bound goes to the same class as with mapclassify.

def _bin_ids(y: np.ndarray, bins: np.ndarray) -> np.ndarray:
    """Class index 0..k-1 of each value (mapclassify.classifiers.bin1d): class j holds
    bins[j-1] < y <= bins[j]; the class indices of overlapping intervals add up, as there."""
    left = np.concatenate([[-np.inf], bins[:-1]])
    ids = np.zeros(y.shape, dtype=int)
    for j in range(len(bins) - 1, -1, -1):
        ids += ((y > left[j]) & (y <= bins[j])) * j
    return ids


def _quantile_breaks(y: np.ndarray, k: int) -> np.ndarray:
    """mapclassify.Quantiles: the percentiles 100/k, 2·100/k, …, 100 of y by scipy's
    `scoreatpercentile` (linear interpolation between the two closest ranks, weights divided by
    their sum), then the distinct ones (quantiles that coincide make fewer classes)."""
    w = 100.0 / k
    p = np.arange(w, 100 + w, w)
    if p[-1] > 100.0:
        p[-1] = 100.0
    ys = np.sort(y)
    last = ys.shape[0] - 1
    q = []
    for per in p:
        if not 0 <= per <= 100:
            raise ValueError("percentile must be in the range [0, 100]")
        idx = per / 100.0 * last
        i = int(idx)
        if i == idx:
            q.append(ys[i])
        else:
            w_low, w_high = (i + 1) - idx, idx - i
            q.append((ys[i] * w_low + ys[i + 1] * w_high) / (w_low + w_high))
    return np.unique(np.array(q, dtype=float))


def _equal_interval_breaks(y: np.ndarray, k: int) -> np.ndarray:
    """mapclassify.EqualInterval: min + width, min + 2·width, … with width = (max - min) / k, the last
    bound set to the maximum."""
    max_y, min_y = y.max(), y.min()
    width = (max_y - min_y) * 1.0 / k
    cuts = np.arange(min_y + width, max_y + width, width)
    if len(cuts) > k:  # np.arange may overshoot by one step
        cuts = cuts[0:k]
    cuts[-1] = max_y
    return cuts


def _fisher_jenks_breaks(y: np.ndarray, k: int) -> np.ndarray:
    """mapclassify.FisherJenks: the k classes of sorted values with the least sum of squared deviations
    from their means (Fisher's exact dynamic programme), bounds taken among the values.

    mapclassify runs the programme in single precision (float32 sums of values and squares, added
    from each end value downwards), and on equal costs keeps the split with the smallest start: done
    the same here, one row at a time with numpy (O(k·n²) operations, n values).
    """
    values = np.sort(y).astype("f8")
    n = len(values)
    v32 = values.astype(np.float32)
    # start[l, j]: 1-based rank where the last of j classes over the first l values starts;
    # cost[l, j]: the least sum of squared deviations of those j classes (float32, as in mapclassify)
    start = np.zeros((n + 1, k + 1), dtype=np.int64)
    cost = np.zeros((n + 1, k + 1), dtype=np.float32)
    start[1, 1:] = 1
    cost[2:, 1:] = np.inf
    counts = np.arange(1, n + 1, dtype=np.float32)
    columns = np.arange(k - 1)
    with np.errstate(over="ignore", invalid="ignore"):
        for last in range(2, n + 1):
            # the segments ending at value `last` and starting at last, last-1, …, 1 (1-based), in
            # that order: sums accumulated one value at a time, in float32, as mapclassify's loop does
            tail = v32[last - 1::-1]
            s1 = np.cumsum(tail, dtype=np.float32)
            s2 = np.cumsum(tail * tail, dtype=np.float32)
            ssd = s2 - (s1 * s1) / counts[:last]
            # a segment starting at rank s >= 2 after the best j-1 classes of the first s-1 values
            candidates = ssd[:last - 1, None] + cost[last - 1:0:-1, 1:k]  # row m: start last - m
            best = np.fmin.reduce(candidates, axis=0)  # NaN costs never win (a comparison with NaN is false)
            hit = candidates == best
            found = hit.any(axis=0)
            row = (last - 2) - np.argmax(hit[::-1], axis=0)  # equal costs: the smallest start wins
            chosen = candidates[row, columns]
            cost[last, 2:] = np.where(found, chosen, cost[last, 2:])
            start[last, 2:] = np.where(found, last - row, start[last, 2:])
            start[last, 1] = 1
            cost[last, 1] = ssd[last - 1]
    breaks = np.zeros(k + 1, dtype=values.dtype)
    breaks[k] = values[n - 1]
    breaks[0] = values[0]
    pos = n
    for c in range(k, 1, -1):
        pivot = int(start[pos, c])
        breaks[c - 1] = values[pivot - 2]
        pos = pivot - 1
    return np.delete(breaks, 0)


_BREAKS: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "quantiles": _quantile_breaks, "jenks": _fisher_jenks_breaks, "egaux": _equal_interval_breaks,
}
