"""analytics.reach: what the engine claims of its masks is checked by an attacker's linear programme
built here from the published cells only (scipy's HiGHS), not from the engine's cubes."""
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from analytics import secrecy as reach

GESTURES = ["PTG", "PTH", "LCA"]
AGES = ["<60", "75+"]
DIMS = [("gesture", GESTURES), ("age_band", AGES)]
STATUSES = ["public", "prive"]


def _leaves(seed: int) -> pd.DataFrame:
    """2 régions, 4 départements, 12 establishments; many counts from 1 to 10 and some large ones."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(12):
        region, dep = ("R1", f"D{i % 2}") if i < 6 else ("R2", f"D{2 + i % 2}")
        status = STATUSES[i % 3 == 0]
        big = i % 4 == 0
        for g in GESTURES:
            for a in AGES:
                stays = int(rng.integers(30, 120) if big else rng.integers(0, 14))
                ssr = int(rng.binomial(stays, 0.35))
                rows.append((f"{i:09d}", status, region, dep, g, a, ssr, stays - ssr))
    return pd.DataFrame(rows, columns=["finess", "status", "region", "departement", "gesture", "age_band", "a", "b"])


def _covers(leaves: pd.DataFrame, key: tuple) -> np.ndarray:
    level, code, status, gesture, age = key
    sel = np.ones(len(leaves), dtype=bool)
    column = {"reg": "region", "dep": "departement", "etab": "finess"}.get(level)
    if column:
        sel &= (leaves[column] == code).to_numpy()
    if status != reach.ALL:
        sel &= (leaves["status"] == status).to_numpy()
    if gesture != reach.ALL:
        sel &= (leaves["gesture"] == gesture).to_numpy()
    if age != reach.ALL:
        sel &= (leaves["age_band"] == age).to_numpy()
    return sel


def _attacker_ranges(leaves: pd.DataFrame, result: reach.Suppression) -> dict[tuple, tuple[float, float]]:
    """Min and max of the SSR count `a` of every masked cell over every table that agrees with every
    published cell (its `a` known) and has counts >= 0."""
    keys = list(result.index)
    cover = np.array([_covers(leaves, k) for k in keys], dtype=float)
    true_a = cover @ leaves["a"].to_numpy(dtype=float)
    shown = np.array([not result.masked[result.index[k]] for k in keys])
    a_eq, b_eq = cover[shown], true_a[shown]
    ranges = {}
    for k, row, is_shown in zip(keys, cover, shown):
        if is_shown or not row.any():
            continue
        lo = linprog(row, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        hi = linprog(-row, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert lo.status == 0 and hi.status in (0, 3)
        ranges[k] = (lo.fun, np.inf if hi.status == 3 else -hi.fun)
    return ranges


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_sensitive_cell_the_engine_protects_has_a_range_of_five_and_no_masked_cell_one_value(seed):
    leaves = _leaves(seed)
    result = reach.suppress(leaves, DIMS, STATUSES)
    ranges = _attacker_ranges(leaves, result)
    unprotected = set(result.unprotected)
    small = [k for k, i in result.index.items() if result.reason[i] in (reach.PRIMARY, reach.COMPLEMENT)]
    assert small, "the data must hold sensitive cells"
    narrow = {k: ranges[k] for k in small
              if result.index[k] not in unprotected and ranges[k][1] - ranges[k][0] < reach.MIN_WIDTH - 1e-6}
    assert not narrow, f"sensitive cells whose range is under {reach.MIN_WIDTH}: {list(narrow.items())[:5]}"
    exact = {k: r for k, r in ranges.items() if result.index[k] not in unprotected and r[1] - r[0] < 1e-6}
    assert not exact, f"masked cells a reader computes back: {list(exact.items())[:5]}"


def test_primary_masks_alone_leave_cells_a_reader_computes_back():
    """The attacker above is not blind: without secondary suppression it recovers masked counts."""
    leaves = _leaves(1)
    result = reach.suppress(leaves, DIMS, STATUSES, secondary=False)
    ranges = _attacker_ranges(leaves, result)
    assert any(hi - lo < 1e-6 for lo, hi in ranges.values())


def test_counts_by_reason_and_cell_lookup():
    leaves = pd.DataFrame([
        ("000000001", "public", "R1", "D1", "PTG", "<60", 3, 40),
        ("000000002", "public", "R1", "D1", "PTG", "<60", 30, 50),
        ("000000003", "prive", "R1", "D1", "PTG", "<60", 25, 4),
    ], columns=["finess", "status", "region", "departement", "gesture", "age_band", "a", "b"])
    result = reach.suppress(leaves, [("gesture", ["PTG"]), ("age_band", ["<60"])], STATUSES)
    # 3 SSR stays: primary; 4 stays without SSR: its complement
    assert result.reason[result.cell("etab", "000000001", reach.ALL, "PTG", "<60")] == reach.PRIMARY
    assert result.reason[result.cell("etab", "000000003", "prive", "PTG", "<60")] == reach.COMPLEMENT
    assert result.cell("etab", "000000003", "public", "PTG", "<60") is None  # not in a public view
    assert result.a[result.cell("dep", "D1", reach.ALL, reach.ALL, reach.ALL)] == 58
    counts = result.counts_by_reason(list(result.index.values()))
    assert counts[reach.PRIMARY] >= 1 and counts[reach.COMPLEMENT] >= 1
