"""Secret statistique (analytics/secrecy.py): hand-computed cases, then properties over random tables.

The reader of a presentation knows the rules: a count shown is exact, "< 11" is 1 to 10, "masqué"
is at least 11 (and at most the smallest count shown beside it, when the rule masked the smallest),
every published total is the sum of its cells and stays with SSR are at most the stays. A masked
cell is safe when those facts leave it more than one value; the property tests check it with an
integer program (scipy's HiGHS), independently of the bounds propagation of the module."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from analytics import secrecy_legacy as secrecy
from analytics.secrecy_legacy import (
    MASK,
    SECONDARY,
    count_display,
    deducible,
    is_small,
    nested_secrecy,
    rate_secrecy,
    secondary_suppression,
)

KEYS = ["region_code", "departement_code", "finess"]
PROPERTIES = settings(max_examples=150, deadline=None, derandomize=True,
                      suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------
# Hand-computed cases
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("count,small", [(0, False), (1, True), (10, True), (10.0, True), (11, False),
                                         (None, False), (math.nan, False), ("x", False)])
def test_counts_from_1_to_10_are_small(count, small):
    assert is_small(count) is small


def test_one_small_cell_of_a_published_total_masks_the_next_smallest():
    values = [3, 50, 12, 40]  # total 105 shown
    flags = secondary_suppression(values, [is_small(v) for v in values])
    assert flags == [True, False, True, False]
    shown = [count_display(v, is_small(v), f and not is_small(v)) for v, f in zip(values, flags)]
    assert shown == [MASK, 50, SECONDARY, 40]
    # 105 - 50 - 40 = 15 = "< 11" + "masqué": the 3 lies anywhere from 1 to 4, the 12 from 11 to 14
    assert deducible(values, flags) == []


def test_rates_of_rows_with_a_masked_count_are_hidden():
    # num 3/40, 20/50, 30/60, 45/70 with the column totals published: 3 is "< 11", 20 "masqué"
    flags = rate_secrecy([3, 20, 30, 45], [40, 50, 60, 70], ["France"] * 4)
    assert flags.num_small == [True, False, False, False]
    assert flags.num_secondary == [False, True, False, False]
    assert flags.den_small == flags.den_secondary == [False] * 4
    assert flags.rate_hidden == [True, True, False, False]
    # without a published total only the small count goes
    assert rate_secrecy([3, 20], [40, 50]).rate_hidden == [True, False]


def test_two_masked_cells_are_not_always_enough():
    # Total 42 shown, 40 shown: the two "< 11" add up to 2, so both are 1.
    assert deducible([1, 1, 40], [True, True, False]) == [0, 1]
    # A "< 11" and a "masqué" adding up to 12 are 1 and 11.
    assert deducible([1, 11, 40], [True, True, False]) == [0, 1]
    assert deducible([1, 11, 40], [True, True, True]) == []
    assert deducible([1, 11, 40], [True, True, False], total_shown=False) == []


def test_the_masked_cell_is_at_most_the_smallest_count_shown_beside_it():
    # 3 and 11 masked, 11 and 40 shown: the "masqué" is at most 11 (the rule masks the smallest),
    # hence exactly 11, and the "< 11" is 65 - 11 - 40 - 11 = 3.
    assert deducible([3, 11, 11, 40], [True, True, False, False]) == [0, 1]


def _frame(rows):
    return pd.DataFrame(rows, columns=["region_code", "departement_code", "finess", "stays_with_ssr", "stays"])


def test_nested_totals_hand_computed():
    # Region R1: D1 = {a: 3/50, b: 40/60}, D2 = {c: 30/45}; region R2: D3 = {d: 20/30, e: 25/35}.
    result = nested_secrecy(_frame([("R1", "D1", "a", 3, 50), ("R1", "D1", "b", 40, 60),
                                    ("R1", "D2", "c", 30, 45), ("R2", "D3", "d", 20, 30),
                                    ("R2", "D3", "e", 25, 35)]), KEYS, "stays_with_ssr", "stays")
    estab = result.levels[2]
    # a's 3 is "< 11"; D1's total (43) is shown, so b's 40 is masked too: 43 = "< 11" + "masqué"
    assert estab["num_small"].to_dict() == {"a": True, "b": False, "c": False, "d": False, "e": False}
    assert estab["num_secondary"].to_dict() == {"a": False, "b": True, "c": False, "d": False, "e": False}
    assert not estab["den_small"].any() and not estab["den_secondary"].any()
    assert estab["rate_hidden"].to_dict() == {"a": True, "b": True, "c": False, "d": False, "e": False}
    assert not result.levels[0]["rate_hidden"].any() and not result.levels[1]["rate_hidden"].any()
    assert not result.total["rate_hidden"].iloc[0] and result.deducible == 0
    assert estab.loc["a", "parent"] == "D1" and result.levels[1].loc["D1", "parent"] == "R1"


def test_a_small_cell_is_not_recovered_through_the_levels_above():
    # D1 = {x: 1/30, y: 11/30}: D1 (12) = R1 (single département) and France = R1 + R2 (50): shown,
    # 12 = "< 11" + "masqué" would give x = 1 and y = 11.
    result = nested_secrecy(_frame([("R1", "D1", "x", 1, 30), ("R1", "D1", "y", 11, 30),
                                    ("R2", "D2", "z", 20, 40), ("R2", "D3", "w", 30, 40)]),
                            KEYS, "stays_with_ssr", "stays")
    regions, deps, estab = result.levels
    assert estab["num_small"]["x"] and estab["num_secondary"]["y"]
    assert deps.loc["D1", "num_secondary"] and regions.loc["R1", "num_secondary"]
    # France (62) is shown, so R2 (50) is masked too, and one of its départements (the smallest: D2)
    assert regions.loc["R2", "num_secondary"] and deps.loc["D2", "num_secondary"]
    assert not deps.loc["D3", "num_secondary"] and not result.total["num_secondary"].iloc[0]
    assert result.deducible == 0
    _assert_nothing_deducible(_frame([("R1", "D1", "x", 1, 30), ("R1", "D1", "y", 11, 30),
                                      ("R2", "D2", "z", 20, 40), ("R2", "D3", "w", 30, 40)]), result)


def test_a_rate_of_100_percent_does_not_give_the_masked_numerator():
    # D1 = {a: 5/20, b: 11/11}: b's 11 is masked ("masqué") but its 11 stays are shown, and
    # stays with SSR are at most the stays: b's stays are masked too.
    result = nested_secrecy(_frame([("R1", "D1", "a", 5, 20), ("R1", "D1", "b", 11, 11),
                                    ("R1", "D2", "c", 30, 60)]), KEYS, "stays_with_ssr", "stays")
    estab = result.levels[2]
    assert estab.loc["b", "num_secondary"] and estab.loc["b", "den_secondary"]
    assert result.deducible == 0


def test_an_empty_table_masks_nothing():
    result = nested_secrecy(_frame([]), KEYS, "stays_with_ssr", "stays")
    assert all(len(level) == 0 for level in result.levels)
    assert not result.total["rate_hidden"].iloc[0]


def test_aliases_are_letters_stable_for_a_salt():
    first = secrecy.aliases(["330000017", "240000011", "750000019"], "sel")
    assert sorted(first.values()) == ["Établissement A", "Établissement B", "Établissement C"]
    assert secrecy.aliases(["750000019", "330000017", "240000011"], "sel") == first
    assert [secrecy.letters(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


# ---------------------------------------------------------------------------
# Properties: one group of cells with its total published
# ---------------------------------------------------------------------------
COUNTS = st.one_of(st.integers(0, 12), st.integers(0, 80))


def _displayed(values, flags):
    small = [is_small(v) for v in values]
    return [count_display(v, s, f and not s) for v, s, f in zip(values, small, flags)]


@PROPERTIES
@given(st.lists(COUNTS, min_size=1, max_size=8))
def test_a_group_shows_no_small_count_and_never_a_single_masked_cell(values):
    flags = secondary_suppression(values, [is_small(v) for v in values])
    shown = _displayed(values, flags)
    # (a) what is displayed is 0, a count of 11 or more, or a mask
    assert all(v in (MASK, SECONDARY) or v == 0 or v >= 11 for v in shown)
    # (c) cells not masked are the counts themselves
    assert all(s == v for s, v, f in zip(shown, values, flags) if not f)
    # (b) never exactly one masked cell unless no other positive cell exists to mask; with two or
    # more, total - displayed cells leaves at least two unknowns
    masked = sum(flags)
    others = [v for v, f in zip(values, flags) if not f and v > 0]
    assert masked != 1 or not others
    if masked == 1:  # alone in its group: the total is that very cell, itself from 1 to 10
        assert is_small(sum(values))


@PROPERTIES
@given(st.lists(st.tuples(st.integers(0, 3), COUNTS, COUNTS), min_size=1, max_size=10))
def test_a_rate_is_hidden_exactly_when_a_count_of_its_row_is_masked(rows):
    groups = [g for g, _a, _b in rows]
    den = [max(a, b) for _g, a, b in rows]
    num = [min(a, b) for _g, a, b in rows]
    flags = rate_secrecy(num, den, groups)
    for i in range(len(rows)):
        # (d)
        assert flags.rate_hidden[i] == (flags.num_masked(i) or flags.den_masked(i))
        assert flags.num_small[i] == is_small(num[i]) and flags.den_small[i] == is_small(den[i])
    for g in set(groups):
        rows_g = [i for i in range(len(rows)) if groups[i] == g]
        for values, masked in ((num, flags.num_masked), (den, flags.den_masked)):
            hidden = [i for i in rows_g if masked(i)]
            others = [i for i in rows_g if not masked(i) and values[i] > 0]
            assert len(hidden) != 1 or not others


# ---------------------------------------------------------------------------
# Properties: nested totals (France > régions > départements > établissements)
# ---------------------------------------------------------------------------
@st.composite
def hierarchies(draw):
    rows = []
    for k in range(draw(st.integers(1, 9))):
        region = draw(st.sampled_from(["R1", "R2", "R3"]))
        dep = region + draw(st.sampled_from(["a", "b", "c"]))
        den = draw(st.one_of(st.integers(0, 14), st.integers(0, 70)))
        num = draw(st.one_of(st.integers(0, min(den, 12)), st.integers(0, den)))
        rows.append((region, dep, f"E{k}", num, den))
    return _frame(rows)


def _cells(result) -> list[dict]:
    """Every cell of the result (France, then each level), with the key of the cell it adds up to."""
    cells = [{"key": (), "parent": None, "row": result.total.iloc[0]}]
    for depth, level in enumerate(result.levels):
        # codes are unique across levels in these data (régions R*, départements R*x, establishments E*)
        cells += [{"key": (code,), "parent": () if depth == 0 else (row["parent"],), "row": row}
                  for code, row in level.iterrows()]
    return cells


def _children(cells: list[dict]) -> dict[tuple, list[int]]:
    kids: dict[tuple, list[int]] = {}
    for i, c in enumerate(cells):
        if c["parent"] is not None:
            kids.setdefault(c["parent"], []).append(i)
    return kids


def _assert_nothing_deducible(frame: pd.DataFrame, result) -> None:
    """No masked cell has a single possible value for a reader (integer program, both columns)."""
    cells = _cells(result)
    index = {c["key"]: i for i, c in enumerate(cells)}
    n = len(cells)
    rows, lower, upper = [], [], []
    for col in ("num", "den"):
        lo, hi, masked = np.zeros(n), np.zeros(n), np.zeros(n, bool)
        for i, c in enumerate(cells):
            r = c["row"]
            value = float(r[col])
            small, secondary = bool(r[f"{col}_small"]), bool(r[f"{col}_secondary"])
            masked[i] = small or secondary
            lo[i], hi[i] = (1, 10) if small else (11, math.inf) if secondary else (value, value)
        # "masqué" at most the smallest count of 11 or more shown beside it (where true)
        for group in _children(cells).values():
            shown = [float(cells[i]["row"][col]) for i in group if not masked[i] and cells[i]["row"][col] >= 11]
            for i in group:
                if shown and masked[i] and lo[i] == 11 and cells[i]["row"][col] <= min(shown):
                    hi[i] = min(shown)
        rows.append(masked)
        lower.append(lo)
        upper.append(hi)
    # variables: num of every cell, then den of every cell
    a, b_lo, b_hi = [], [], []
    for offset in (0, n):
        for key, kids in _children(cells).items():  # a total is the sum of its cells
            i = index[key]
            line = np.zeros(2 * n)
            line[offset + i] = 1
            for j in kids:
                line[offset + j] = -1
            a.append(line)
            b_lo.append(0)
            b_hi.append(0)
    for i in range(n):  # num <= den
        line = np.zeros(2 * n)
        line[i], line[n + i] = 1, -1
        a.append(line)
        b_lo.append(-np.inf)
        b_hi.append(0)
    constraints = LinearConstraint(np.array(a), b_lo, b_hi)
    bounds = Bounds(np.concatenate(lower), np.minimum(np.concatenate(upper), 10**6))  # bounded programs
    masked_all = np.concatenate(rows)
    for v in np.flatnonzero(masked_all):
        extremes = []
        for sign in (1, -1):
            c = np.zeros(2 * n)
            c[v] = sign
            res = milp(c, constraints=constraints, bounds=bounds, integrality=np.ones(2 * n))
            assert res.success, res.message
            extremes.append(res.x[v])
        assert extremes[1] - extremes[0] >= 1, (v, cells[v % n]["key"], extremes)


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(hierarchies())
def test_nested_totals_show_no_small_count_and_no_deducible_cell(frame):
    result = nested_secrecy(frame, KEYS, "stays_with_ssr", "stays")
    assert result.deducible == 0
    levels = [result.total, *result.levels]
    for level in levels:
        for col in ("num", "den"):
            shown = [count_display(v, s, m) for v, s, m in zip(level[col], level[f"{col}_small"],
                                                                level[f"{col}_secondary"])]
            # (a) no count from 1 to 10 is displayed; (c) what is shown is the count itself
            assert all(v in (MASK, SECONDARY) or v == 0 or v >= 11 for v in shown)
            assert all(s == v for s, v in zip(shown, level[col]) if s not in (MASK, SECONDARY))
            assert (level[f"{col}_small"] == level[col].map(is_small)).all()
        # (d) a rate is hidden exactly when one of its counts is masked
        masked = level["num_small"] | level["num_secondary"] | level["den_small"] | level["den_secondary"]
        assert (level["rate_hidden"] == masked).all()
    # (b) under every shown total: never exactly one masked cell
    for depth, level in enumerate(result.levels):
        parents = result.total if depth == 0 else result.levels[depth - 1]
        for parent_key, group in level.groupby("parent"):
            parent = parents.iloc[0] if depth == 0 else parents.loc[parent_key]
            for col in ("num", "den"):
                hidden = int((group[f"{col}_small"] | group[f"{col}_secondary"]).sum())
                total_masked = bool(parent[f"{col}_small"] or parent[f"{col}_secondary"])
                if not total_masked:
                    assert hidden != 1
                elif (group[col] > 0).any():
                    assert hidden >= 1  # a masked total is not the sum of shown cells
    # and no masked cell can be computed back from everything shown
    _assert_nothing_deducible(frame, result)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(hierarchies())
def test_nested_totals_only_mask_never_change_a_count(frame):
    result = nested_secrecy(frame, KEYS, "stays_with_ssr", "stays")
    by_estab = frame.groupby("finess")[["stays_with_ssr", "stays"]].sum()
    estab = result.levels[2]
    assert (estab["num"] == by_estab["stays_with_ssr"].reindex(estab.index)).all()
    assert (estab["den"] == by_estab["stays"].reindex(estab.index)).all()
    by_region = frame.groupby("region_code")["stays"].sum()
    assert (result.levels[0]["den"] == by_region.reindex(result.levels[0].index)).all()
    assert result.total["num"].iloc[0] == frame["stays_with_ssr"].sum()
