"""The threshold of the secret statistique (analytics.secrecy.is_small), the bounds audit of
tests/audit_bounds.py on hand-computed cases, and the anonymisation letters (analytics.anonymity).

The reader of a presentation knows the rules: a count shown is exact, "< 11" is 1 to 10, "masqué"
is at least 11 (and at most the smallest count shown beside it, when the rule masked the smallest),
and every published total is the sum of its cells."""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from analytics import anonymity
from analytics.secrecy import is_small
from tests.audit_bounds import deducible

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












def test_aliases_are_letters_stable_for_a_salt():
    first = anonymity.aliases(["330000017", "240000011", "750000019"], "sel")
    assert sorted(first.values()) == ["Établissement A", "Établissement B", "Établissement C"]
    assert anonymity.aliases(["750000019", "330000017", "240000011"], "sel") == first
    assert [anonymity.letters(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


# ---------------------------------------------------------------------------
# Properties: one group of cells with its total published
# ---------------------------------------------------------------------------
COUNTS = st.one_of(st.integers(0, 12), st.integers(0, 80))








# ---------------------------------------------------------------------------
# Properties: nested totals (France > régions > départements > établissements)
# ---------------------------------------------------------------------------
