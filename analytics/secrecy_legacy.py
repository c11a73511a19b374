"""Secret statistique of the SSR profile indicators (issue 13 left it here): per-table linked suppression.

Superseded for every count of stays of the reach (SSR recourse, ambulatory surgery) by
analytics.secrecy, which masks over everything a presentation session can reach; what remains here
serves the profile indicators of SSR establishments (analytics.profile_secrecy.indicator_secrecy,
their régional, comparables and national sums) and the audit `deducible` of the tests.

Rules (shared/DOMAIN.md, last section; issue 7):
- a count of stays or patients from 1 to 10 is shown as "< 11" (primary suppression); 0 is shown;
- a rate whose numerator or denominator is from 1 to 10 is hidden;
- where a total of a group of cells is published (a column total, the total of the territory the
  rows make up), and exactly one cell of the group is masked, the next smallest non-zero cell of
  the group is masked too (secondary suppression), so the masked one cannot be recovered by
  subtraction; a rate whose count is masked is hidden as well (count = rate x other count);
- counts of establishments are not masked.

Pure functions over plain sequences: callers build their displays from the flags.

What a reader can deduce (the rules being public) is audited, not only counted: a masked cell must
take more than one value given every published total (see `deducible`), which the "exactly one
masked cell" rule alone does not ensure (cells 1 and 1 of a total 2 + shown cells; a "< 11" and
a "masqué" of 1 and 11). `nested_secrecy` applies the rules to a hierarchy of totals (France,
régions, départements, établissements) at once, so that no level gives away a cell of another.
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

THRESHOLD = 11  # the smallest count that may be shown
MASK = "< 11"  # a count from 1 to 10
SECONDARY = "masqué"  # a count hidden so that a "< 11" cannot be computed back from a total
SECRET = "secret statistique"  # a hidden rate


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


def count_display(value, small: bool, secondary: bool = False):
    """The value as shown: the count itself, "< 11" or "masqué"."""
    if small:
        return MASK
    if secondary:
        return SECONDARY
    return value


# ---------------------------------------------------------------------------
# Nested totals (/ssr): France > régions > départements > établissements, audited
# ---------------------------------------------------------------------------
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
@dataclass(frozen=True)
class LinkedSecrecy:
    """One column of counts after `linked_suppression`: `small` cells show "< 11", the other
    `masked` ones "masqué"; `totals[k][group]` is True when the total of that group of the k-th
    grouping may not be shown."""

    small: list[bool]
    masked: list[bool]
    totals: list[dict]

    def display(self, i: int, value):
        """The i-th cell as shown: the count, "< 11" or "masqué"."""
        return count_display(value, self.small[i], self.masked[i] and not self.small[i])


def linked_suppression(values: Sequence, groupings: Sequence[Sequence[Hashable]]) -> LinkedSecrecy:
    """Primary and secondary suppression of a column of counts (stays, patients) whose group totals
    are published, possibly on other pages (the régional and national sums of every establishment).

    `groupings`: one sequence per published partition of the cells, giving each cell's group (the
    région of each establishment; the same value everywhere for France). Until nothing changes:
    - cells from 1 to 10 are masked, and so are group totals from 1 to 10;
    - a group whose total is shown and holds exactly one masked cell, or masked cells a reader could
      still compute back (`deducible`: a "< 11" of 1 and a "masqué" of 11 under a total of 12), gets
      its smallest positive unmasked cell masked too (ties: the first); without such a cell, its
      total is masked instead (it would give the masked cells away);
    - when a grand total is shown (a grouping with a single group), the totals of every other
      partition add up to it: if exactly one of them is masked (or a masked one is deducible), the
      smallest positive unmasked one is masked too; a masked total keeps at least one masked cell
      (else it is the sum of the cells shown).
    Each published total is audited on its own: a reader combining two crossing partitions (régions
    and comparables) is not modelled, as `nested_secrecy` does for a single hierarchy.
    """
    n = len(values)
    if any(len(g) != n for g in groupings):
        raise ValueError("values and groupings must have the same length")
    vals = [0.0 if v is None or _nan(v) else float(v) for v in values]
    small = [is_small(v) for v in values]
    masked = list(small)
    parts: list[dict] = []
    for labels in groupings:
        groups: dict = {}
        for i, label in enumerate(labels):
            groups.setdefault(label, []).append(i)
        parts.append(groups)
    sums = [{g: sum(vals[i] for i in rows) for g, rows in groups.items()} for groups in parts]
    totals = [{g: is_small(s) for g, s in part_sums.items()} for part_sums in sums]

    def smallest(rows: list[int]) -> int | None:
        candidates = [(vals[i], i) for i in rows if not masked[i] and vals[i] > 0]
        return min(candidates)[1] if candidates else None

    changed = True
    while changed:
        changed = False
        grand_shown = any(len(groups) == 1 and not totals[k][next(iter(groups))] for k, groups in enumerate(parts))
        for k, groups in enumerate(parts):
            for g, rows in groups.items():
                hidden = sum(masked[i] for i in rows)
                if totals[k][g]:
                    pick = smallest(rows) if hidden == 0 else None
                elif hidden == 1 or (hidden and deducible([vals[i] for i in rows], [masked[i] for i in rows])):
                    pick = smallest(rows)
                    if pick is None:
                        totals[k][g] = changed = True
                else:
                    pick = None
                if pick is not None:
                    masked[pick] = changed = True
            labels = list(groups)
            hidden_totals = [totals[k][g] for g in labels]
            if grand_shown and len(labels) >= 2 and (sum(hidden_totals) == 1 or (any(hidden_totals) and deducible(
                    [sums[k][g] for g in labels], hidden_totals))):
                candidates = [(sums[k][g], j) for j, g in enumerate(labels) if not totals[k][g] and sums[k][g] > 0]
                if candidates:
                    totals[k][labels[min(candidates)[1]]] = changed = True
    return LinkedSecrecy(small=small, masked=masked, totals=totals)


def counts_people(label: str) -> bool:
    """Is a numerator or denominator (its catalogue label) a count of stays or patients, the
    counts the secret statistique covers? Days, acts, FTE, beds, GMD or IVA points are not."""
    folded = str(label).lower()
    return any(word in folded for word in ("séjour", "sejour", "patient", "réhospitalisation", "rehospitalisation"))
