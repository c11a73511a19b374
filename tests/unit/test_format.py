"""French number formats: no-break spaces, decimal comma, signed points, en dash for missing values."""
import math

import numpy as np
import pandas as pd

from text.format import (
    MISSING,
    NBSP,
    fmt_count,
    fmt_csv_number,
    fmt_dec,
    fmt_int,
    fmt_pct,
    fmt_pct_range,
    fmt_pts,
    fmt_rate_with_counts,
    round_half_up,
)


def test_nbsp_is_the_no_break_space():
    assert NBSP == "\u00a0" and MISSING == "\u2013"


def test_fmt_int_groups_thousands_with_no_break_spaces():
    assert fmt_int(12345) == "12\u00a0345"
    assert fmt_int(1234567) == "1\u00a0234\u00a0567"
    assert fmt_int(999) == "999"
    assert fmt_int(0) == "0"
    assert fmt_int(-4500) == "-4\u00a0500"
    assert fmt_int(np.int64(190)) == "190"
    assert fmt_int(12344.6) == "12\u00a0345"


def test_fmt_pct_uses_a_decimal_comma_and_a_no_break_space_before_percent():
    assert fmt_pct(0.453) == "45,3\u00a0%"
    assert fmt_pct(0.453, digits=0) == "45\u00a0%"
    assert fmt_pct(0.05) == "5,0\u00a0%"
    assert fmt_pct(1) == "100,0\u00a0%"
    assert fmt_pct(0.62105, digits=2) == "62,11\u00a0%"


def test_fmt_pts_is_signed_and_follows_the_french_plural():
    assert fmt_pts(0.052) == "+5,2\u00a0pts"
    assert fmt_pts(-0.031) == "-3,1\u00a0pts"
    assert fmt_pts(0.015) == "+1,5\u00a0pt"
    assert fmt_pts(-0.0004) == "0,0\u00a0pt"  # rounds to zero: no sign


def test_fmt_rate_with_counts():
    assert fmt_rate_with_counts(118, 190) == "62,1\u00a0% (118/190)"  # 118 / 190 = 0.62105
    assert fmt_rate_with_counts(1118, 11900) == "9,4\u00a0% (1\u00a0118/11\u00a0900)"  # 0.093949…
    assert fmt_rate_with_counts(0, 0) == "– (0/0)"


def test_missing_values_print_as_an_en_dash():
    for missing in (None, float("nan"), np.nan, pd.NA):
        assert fmt_int(missing) == "–"
        assert fmt_pct(missing) == "–"
        assert fmt_pts(missing) == "–"
        assert fmt_dec(missing) == "–"
        assert fmt_rate_with_counts(missing, 10) == "–"
        assert fmt_rate_with_counts(3, missing) == "–"
    assert fmt_dec(math.inf) == "–"


def test_ranges_and_counted_nouns():
    assert fmt_pct_range(0.34, 0.5, 0) == "34\u00a0% – 50\u00a0%"
    assert fmt_pct_range(0.3449, None) == "–"
    assert fmt_count(1, "région") == "1\u00a0région"
    assert fmt_count(0, "région") == "0\u00a0région"
    assert fmt_count(3, "région") == "3\u00a0régions"
    assert fmt_count(12345, "séjour") == "12\u00a0345\u00a0séjours"
    assert fmt_dec(12345.67, 1) == "12\u00a0345,7"


def test_fmt_csv_number_has_a_decimal_comma_no_grouping_and_rounds_halves_up_like_the_screen():
    assert fmt_csv_number(1234.56) == "1234,6"
    assert fmt_csv_number(1.25) == "1,3" and fmt_dec(1.25) == "1,3"  # f"{1.25:.1f}" says "1.2"
    assert fmt_csv_number(0.625, 2) == "0,63"
    assert fmt_csv_number(62.105, 2) == "62,11"
    assert fmt_csv_number(-0.04) == "0,0" and fmt_csv_number(-1.25) == "-1,3"
    assert fmt_csv_number(12345) == "12345" and fmt_csv_number(np.int64(190)) == "190"
    assert fmt_csv_number(None) == "" and fmt_csv_number(math.nan) == "" and fmt_csv_number(math.inf) == ""


def test_round_half_up_rounds_as_the_formatters_do():
    assert round_half_up(1.25) == 1.3 and round(1.25, 1) == 1.2
    assert round_half_up(100 * 0.0625) == 6.3 and round_half_up(62.105, 2) == 62.11
    assert round_half_up(-1.25) == -1.3 and round_half_up(37.04) == 37.0
