"""French number formatting for the whole UI (one place, so every figure reads the same).

Conventions (typographie française):
- thousands separated by a no-break space U+00A0 ("12 345"), never a comma;
- decimal comma ("45,3");
- a no-break space U+00A0 before "%" and before units ("45,3 %"), so the
  number and its unit never wrap apart;
- percentage-point differences carry their sign ("+5,2 pts", "-0,4 pt": "pt"
  below 2 points, French plural rule), negatives use the ASCII hyphen-minus
  so a copied value still parses in a spreadsheet;
- a missing value (None, NaN, pandas NA, infinity) prints as an en dash "–";
- halves are rounded up, on the decimal value as written (0.62105 -> "62,11 %"),
  not on its binary approximation.

Inputs are proportions 0–1 for every `*_pct` and `*_pts` helper; the helpers
multiply by 100 themselves. Nothing here imports Dash.
"""
from __future__ import annotations

import math
import numbers
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
MISSING = "–"  # en dash U+2013


def is_missing(value) -> bool:
    """True for None, NaN and pandas NA/NaT."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, and pandas NA raise or compare unequal to themselves
    except (TypeError, ValueError):
        return True


def _group(int_digits: str) -> str:
    """'12345' -> '12 345' with U+00A0."""
    head = len(int_digits) % 3 or 3
    parts = [int_digits[:head]] + [int_digits[i:i + 3] for i in range(head, len(int_digits), 3)]
    return NBSP.join(parts)


def _decimal(value, scale: int = 1) -> Decimal:
    # Through the shortest repr, so 0.62105 is 0.62105 (not 0.621049999…) and 62.105 rounds up.
    return Decimal(repr(float(value))) * scale


def _fmt_decimal(value: Decimal, digits: int) -> str:
    rounded = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    text = f"{abs(rounded):.{digits}f}"
    int_part, _, frac = text.partition(".")
    sign = "-" if rounded < 0 else ""
    return sign + _group(int_part) + ("," + frac if frac else "")


def fmt_dec(value, digits: int = 1) -> str:
    """A decimal number the French way: 12345.67 -> '12 345,7' (digits after the comma, half rounded up)."""
    if is_missing(value) or math.isinf(float(value)):
        return MISSING
    return _fmt_decimal(_decimal(value), digits)


def round_half_up(value, digits: int = 1) -> float:
    """`value` rounded as the formatters round it (half up on the decimal value): 1.25 -> 1.3,
    where round(1.25, 1) gives 1.2. For numbers a grid sorts on and shows, so they read as the text."""
    return float(_decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def round_pct(value, digits: int = 1) -> float | None:
    """A proportion 0–1 as the number of percent fmt_pct shows: 0.0125 -> 1.3 (half up on the
    decimal value, scaled exactly, so a grid cell and its CSV read as the screen's text); None for a
    missing value, 0.0 rather than -0.0."""
    if is_missing(value) or math.isinf(float(value)):
        return None
    return float(_decimal(value, 100).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)) + 0.0


def fmt_csv_number(value, digits: int = 1) -> str:
    """A number for a CSV cell that French Excel reads as a number: 1234.56 -> '1234,6'.

    Decimal comma, no thousands separator, halves rounded up on the decimal value exactly as
    fmt_dec and fmt_pct round on screen (1.25 -> '1,3', where f"{1.25:.1f}" says '1.2'), so an
    export never disagrees with the screen. Integers are written as they are ('12345'); a
    missing or infinite value is an empty cell."""
    if is_missing(value) or math.isinf(float(value)):
        return ""
    if isinstance(value, numbers.Integral):
        return str(int(value))
    rounded = _decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return ("-" if rounded < 0 else "") + f"{abs(rounded):.{digits}f}".replace(".", ",")


def fmt_int(value) -> str:
    """A count: 12345 -> '12 345' (no-break space U+00A0 between thousands)."""
    if is_missing(value):
        return MISSING
    if isinstance(value, numbers.Integral):
        return _fmt_decimal(Decimal(int(value)), 0)
    return fmt_dec(value, 0)


def fmt_pct(value, digits: int = 1) -> str:
    """A proportion 0–1 as a percentage: 0.453 -> '45,3 %' (U+00A0 before %)."""
    if is_missing(value):
        return MISSING
    if math.isinf(float(value)):
        return MISSING
    return f"{_fmt_decimal(_decimal(value, 100), digits)}{NBSP}%"


def fmt_pct_range(low, high, digits: int = 1) -> str:
    """Two proportions 0–1 as a range: (0.34, 0.5), 0 -> '34 % – 50 %'."""
    if is_missing(low) or is_missing(high):
        return MISSING
    return f"{fmt_pct(low, digits)} – {fmt_pct(high, digits)}"


def fmt_pts(value, digits: int = 1) -> str:
    """A difference of two proportions 0–1 in percentage points: 0.052 -> '+5,2 pts'.

    Always signed (a zero after rounding has no sign); 'pt' when the absolute
    value is below 2 points (French plural rule: '+1,5 pt', '+2,0 pts').
    """
    if is_missing(value):
        return MISSING
    if math.isinf(float(value)):
        return MISSING
    points = _decimal(value, 100).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    sign = "+" if points > 0 else ""
    unit = "pt" if abs(points) < 2 else "pts"
    return f"{sign}{_fmt_decimal(points, digits)}{NBSP}{unit}"


def fmt_count(value, singular: str, plural: str | None = None) -> str:
    """A count with its noun, French plural rule (0 and 1 singular): '1 région', '12 345 séjours'."""
    if is_missing(value):
        return MISSING
    plural = plural if plural is not None else singular + "s"
    return f"{fmt_int(value)}{NBSP}{singular if abs(float(value)) < 2 else plural}"


def fmt_rate_with_counts(num, den, digits: int = 1) -> str:
    """Rate num/den as a percentage followed by its counts: (118, 190) -> '62,1 % (118/190)'.

    Counts are formatted with fmt_int ('1 118/1 190'); a zero denominator gives
    '– (0/0)'; a missing count gives '–'.
    """
    if is_missing(num) or is_missing(den):
        return MISSING
    counts = f"({fmt_int(num)}/{fmt_int(den)})"
    rate = float(num) / float(den) if float(den) > 0 else None
    return f"{fmt_pct(rate, digits)} {counts}"
