"""Map classes (discrétisation) of rates, with mapclassify.

Values are proportions 0–1 (one rate per territory). Class numbers go from 1
(lowest rates) to k; 0 means "pas de données" (a NaN value, left out of the
classification). Breaks are exactly mapclassify's for the chosen method:

- "quantiles": `mapclassify.Quantiles` (effectifs égaux, the default of the
  field, 4 classes);
- "jenks": `mapclassify.FisherJenks` (seuils naturels);
- "egaux": `mapclassify.EqualInterval` (intervalles égaux).

With fewer distinct values than k, k drops to the number of distinct values
(then to the number of breaks mapclassify actually returns) instead of
failing; mapclassify's warnings about it are silenced.
"""
from __future__ import annotations

import warnings
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
_CLASSIFIERS = {"quantiles": "Quantiles", "jenks": "FisherJenks", "egaux": "EqualInterval"}  # mapclassify's names


def _classifier(method: str):
    """mapclassify's classifier, imported on first use: mapclassify brings scipy.stats and scikit-learn
    (≈ 95 MB resident, 3 s to import), which a worker serving no map never needs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import mapclassify
    return getattr(mapclassify, _CLASSIFIERS[method])
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
    """Classify rates (proportions 0–1, NaN = no data) into k classes with mapclassify.

    `values` is any 1-D array-like (list, numpy array, pandas Series; None and
    pandas NA count as NaN). Raises ValueError for an unknown method or k < 1.
    """
    if method not in _CLASSIFIERS:
        raise ValueError(f"méthode de classes inconnue : {method!r} (attendu : {', '.join(_CLASSIFIERS)})")
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = _classifier(method)(observed, k=k_eff)
        bins = np.asarray(result.bins, dtype=float)
        yb = np.asarray(result.yb, dtype=int)
    k_final = len(bins)
    classes[present] = yb + 1
    counts = np.bincount(yb, minlength=k_final)[:k_final]
    lower = np.concatenate([[observed.min()], bins[:-1]])
    return Classification(method=method, k=k_final, bins=bins, lower=lower, classes=classes,
                          counts=counts, n_missing=int((~present).sum()))
