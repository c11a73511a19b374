"""A reader's bounds on masked counts by propagation over sums (the audit the per-table secret
statistique used, kept as a test tool): `deducible(values, masked, total_shown)` lists the masked
cells of one group a reader can compute back from its published total, knowing "< 11" is 1 to 10
and "masqué" at least 11. Used by tests that check one published total on its own; the attacker of
tests/attack.py is the full linear programme."""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

THRESHOLD = 11


def is_small(count) -> bool:
    """True for a count from 1 to THRESHOLD - 1 (None, NaN and 0 are not secret)."""
    if count is None:
        return False
    try:
        value = float(count)
    except (TypeError, ValueError):
        return False
    return not math.isnan(value) and 1 <= value < THRESHOLD


def _nan(value) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


# A reader who knows the rules knows of each cell: a displayed count exactly; "< 11" is 1 to 10;
# "masqué" is at least 11 and, the rule masking the smallest cells first, at most the smallest count
# shown beside it (assumed only where it is true: a reader stronger than any real one, so what is
# safe from this reader is safe). Every total is the sum of its cells, and stays followed by an SSR
# stay are at most the stays. A masked cell is deducible when those facts leave it a single value.
_INF = math.inf


class _Cells:
    """Cells of one or more count columns over a forest: each parent is the sum of its children.

    `locked` cells cannot be masked (totals the caller publishes unmasked elsewhere); with
    `ordered`, column 0 <= column 1 cell by cell (numerator and denominator of a rate)."""

    def __init__(self, columns: Sequence[Sequence], parent: Sequence[int], locked: Sequence[bool] | None = None,
                 masked: Sequence[Sequence[bool]] | None = None, ordered: bool = False):
        self.values = [np.array([0.0 if v is None or _nan(v) else float(v) for v in col]) for col in columns]
        self.parent = np.asarray(parent, dtype=int)
        self.locked = np.zeros(len(self.parent), bool) if locked is None else np.asarray(locked, dtype=bool)
        self.ordered = ordered and len(columns) == 2
        self.masked = [np.array([is_small(v) for v in col], dtype=bool) for col in self.values] if masked is None \
            else [np.asarray(m, dtype=bool).copy() for m in masked]
        kids: dict[int, list[int]] = {}
        for i, p in enumerate(self.parent):
            if p >= 0:
                kids.setdefault(int(p), []).append(i)
        self.children = {p: np.asarray(c, dtype=int) for p, c in kids.items()}

    # -- what a reader can deduce ---------------------------------------------------------------
    def _domains(self, col: int) -> tuple[np.ndarray, np.ndarray]:
        values, masked = self.values[col], self.masked[col]
        lo, hi = values.copy(), values.copy()
        small = masked & (values >= 1) & (values < THRESHOLD)
        lo[small], hi[small] = 1.0, THRESHOLD - 1.0
        other = masked & ~small
        lo[other] = np.where(values[other] >= THRESHOLD, float(THRESHOLD), 0.0)
        hi[other] = _INF
        for kids in self.children.values():
            shown = kids[~masked[kids] & (values[kids] >= THRESHOLD)]
            if len(shown):
                smallest = values[shown].min()
                hi[kids[other[kids] & (values[kids] <= smallest)]] = smallest
        return lo, hi

    def ranges(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(lo, hi) of every cell of every column: the values a reader can still give it
        (bounds propagation, exact on a tree of sums)."""
        bounds = [self._domains(col) for col in range(len(self.values))]
        # a sum whose total and cells are all shown teaches nothing
        open_sums = [[(p, kids) for p, kids in self.children.items() if masked[p] or masked[kids].any()]
                     for masked in self.masked]
        for _ in range(500):
            changed = False
            for (lo, hi), sums in zip(bounds, open_sums):
                for p, kids in sums:
                    changed |= _tighten_sum(lo, hi, p, kids)
            if self.ordered:
                (nlo, nhi), (dlo, dhi) = bounds
                new_nhi, new_dlo = np.minimum(nhi, dhi), np.maximum(dlo, nlo)
                if (new_nhi < nhi).any() or (new_dlo > dlo).any():
                    bounds = [(nlo, new_nhi), (new_dlo, dhi)]
                    changed = True
            if not changed:
                break
        return bounds

    def deducible(self) -> list[tuple[int, int, float]]:
        """(column, cell, value) of every masked cell a reader can compute back."""
        out = []
        for col, (lo, hi) in enumerate(self.ranges()):
            out += [(col, int(c), float(lo[c])) for c in np.flatnonzero(self.masked[col] & (lo >= hi))]
        return out

    # -- masking --------------------------------------------------------------------------------
    def _smallest(self, col: int, cells) -> int | None:
        values, masked = self.values[col], self.masked[col]
        free = [int(c) for c in cells if not masked[c] and values[c] > 0 and not self.locked[c]]
        return min(free, key=lambda c: (values[c], c)) if free else None

    def _group_rules(self) -> bool:
        """The usual rules, group by group: a shown total with exactly one masked cell gets the next
        smallest cell masked too; a masked total keeps at least one masked cell."""
        added = False
        for col, (values, masked) in enumerate(zip(self.values, self.masked)):
            for p, kids in self.children.items():
                hidden = int(masked[kids].sum())
                if (hidden == 1 and not masked[p]) or (hidden == 0 and masked[p] and (values[kids] > 0).any()):
                    pick = self._smallest(col, kids)
                    if pick is not None:
                        masked[pick] = added = True
        return added

    def _fix(self, col: int, cell: int, value: float) -> tuple[int, int] | None:
        """What to mask next so that a deducible masked cell (deduced `value`) no longer is."""
        values, masked = self.values[col], self.masked[col]
        if self.ordered and not self.masked[1 - col][cell] and not self.locked[cell] \
                and value == self.values[1 - col][cell]:
            return 1 - col, cell  # the other count of the row bounds it (a rate of 0 or 100 %)
        kids, p = self.children.get(cell), int(self.parent[cell])
        if kids is not None and not masked[kids].any():  # the sum of its cells
            pick = self._smallest(col, kids)
            if pick is not None:
                return col, pick
        if p >= 0:
            pick = self._smallest(col, self.children[p])
            if pick is not None:
                return col, pick
            if not masked[p] and not self.locked[p] and values[p] > 0:
                return col, p
        if kids is not None:
            pick = self._smallest(col, kids)
            if pick is not None:
                return col, pick
        return None

    def solve(self) -> list[tuple[int, int]]:
        """Mask cells until none is deducible; returns those still deducible (only when locked
        totals leave nothing else to mask)."""
        stuck: set[tuple[int, int]] = set()
        while True:
            while self._group_rules():
                pass
            found = self.deducible()
            todo = [c for c in found if c[:2] not in stuck]
            if not todo:
                return [c[:2] for c in found]
            for col, cell, value in todo:
                fix = self._fix(col, cell, value)
                if fix is None:
                    stuck.add((col, cell))
                else:
                    self.masked[fix[0]][fix[1]] = True


def _tighten_sum(lo: np.ndarray, hi: np.ndarray, p: int, kids: np.ndarray) -> bool:
    """Narrow the bounds of a total p and of its cells under p = sum(cells); True if any changed."""
    klo, khi = lo[kids], hi[kids]
    infinite = np.isinf(khi)
    n_inf, finite_sum, low_sum = int(infinite.sum()), float(khi[~infinite].sum()), float(klo.sum())
    changed = False
    if low_sum > lo[p]:
        lo[p], changed = low_sum, True
    if not n_inf and finite_sum < hi[p]:
        hi[p], changed = finite_sum, True
    with np.errstate(invalid="ignore"):
        others_hi = np.where(infinite, _INF if n_inf > 1 else finite_sum, _INF if n_inf else finite_sum - khi)
    new_lo = np.maximum(klo, lo[p] - others_hi)
    new_hi = np.minimum(khi, hi[p] - (low_sum - klo))
    if (new_lo > klo).any() or (new_hi < khi).any():
        lo[kids], hi[kids] = new_lo, new_hi
        changed = True
    return changed


def deducible(values: Sequence, masked: Sequence[bool], total_shown: bool = True) -> list[int]:
    """Masked cells of one group a reader can compute back from its published total (and the rules:
    "< 11" is 1 to 10, "masqué" at least 11). Empty when the total is not shown."""
    if not total_shown:
        return []
    total = sum(0.0 if v is None or _nan(v) else float(v) for v in values)
    cells = _Cells([[total, *values]], [-1] + [0] * len(values), masked=[[False, *masked]])
    return [c - 1 for _col, c, _value in cells.deducible()]


# ---------------------------------------------------------------------------
# Linked tables: counts whose totals over several partitions are published (/msap, the profile)
# ---------------------------------------------------------------------------
