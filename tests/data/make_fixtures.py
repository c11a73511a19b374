"""Regenerate the import fixtures that are not plain hand-written CSV: other encodings,
Excel workbooks, binary or oversized files. The outputs are committed; run this only to
change them:

    python tests/data/make_fixtures.py

Good variants are built from good/establishments.csv and good/msap_decisions.csv, so
they hold exactly the same data (the tests check that the stored rows are identical).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
GOOD, BAD = HERE / "good", HERE / "bad"
NBSP = "\u00a0"


def _rows(name: str) -> list[list[str]]:
    with open(GOOD / name, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _csv(rows: list[list[str]], sep: str, newline: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator=newline).writerows(rows)
    return out.getvalue()


def _french(value: str) -> str:
    """Decimal comma and no-break-space thousands, as French Excel writes numbers."""
    try:
        number = float(value)
    except ValueError:
        return value
    if number.is_integer() and abs(number) >= 1000:
        return f"{int(number):,}".replace(",", NBSP)
    return value.replace(".", ",")


def _save(wb: openpyxl.Workbook, path: Path) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    path.write_bytes(data)
    return data


def good_variants() -> None:
    est = _rows("establishments.csv")
    header, body = est[0], est[1:]
    # French Excel « CSV (séparateur : point-virgule) »: Windows-1252, CRLF, decimal comma.
    french = [header] + [[_french(v) if i >= 6 else v for i, v in enumerate(r)] for r in body]
    (GOOD / "establishments__cp1252.csv").write_bytes(_csv(french, ";", "\r\n").encode("cp1252"))
    # UTF-8 with BOM, CRLF, columns in another order.
    order = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    shuffled = [[r[i] for i in order] for r in est]
    (GOOD / "establishments__bom.csv").write_bytes(b"\xef\xbb\xbf" + _csv(shuffled, ",", "\r\n").encode("utf-8"))
    # Excel workbook with typed cells: numbers as numbers, empty cells left empty.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Établissements"
    ws.append(header)
    for r in body:
        ws.append([_typed(v) if i >= 6 else v for i, v in enumerate(r)])
    _save(wb, GOOD / "establishments.xlsx")
    # MSAP decisions with real Excel date cells.
    msap = _rows("msap_decisions.csv")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(msap[0])
    for r in msap[1:]:
        ws.append([_date(v) if i >= 5 else (int(v) if i == 3 else v) for i, v in enumerate(r)])
        for cell in ws[ws.max_row][5:]:
            cell.number_format = "DD/MM/YYYY"
    _save(wb, GOOD / "msap_decisions__date_cells.xlsx")


def _typed(value: str):
    if value == "":
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


def _date(value: str):
    if value == "":
        return None
    if "/" in value:
        return dt.datetime.strptime(value, "%d/%m/%Y")
    return dt.datetime.strptime(value, "%Y-%m-%d")


def bad_files() -> None:
    est = _rows("establishments.csv")
    header = est[0]
    text = _csv(est[:3], ",")
    (BAD / "establishments__wrong_encoding_utf16.csv").write_bytes(text.encode("utf-16"))
    (BAD / "establishments__utf16_without_bom.csv").write_bytes(text.encode("utf-16-le"))
    rng = random.Random(7)
    (BAD / "establishments__binary_garbage.csv").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    # 0x81 is undefined in Windows-1252 and invalid alone in UTF-8: neither encoding fits.
    (BAD / "establishments__invalid_encoding.csv").write_bytes(
        _csv([header, est[2]], ",").encode("ascii")
        + b"974000031,Clinique \x81 du Port,prive,Clinique MCO,MCO,97411,,,80,10\n")
    # An UTF-8 export with a Windows-1252 line pasted at the end.
    (BAD / "establishments__mixed_encodings.csv").write_bytes(
        _csv(est[:3], ",").encode("utf-8") + _csv(est[5:6], ",").encode("cp1252"))
    (BAD / "establishments__old_excel.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    fields = ",".join(["x"] * 5000)
    (BAD / "establishments__thousands_of_fields.csv").write_text(
        _csv(est[:2], ",") + fields + "\n" + _csv(est[2:3], ","), encoding="utf-8")
    long_name = "Centre hospitalier " + "très " * 60
    (BAD / "establishments__name_too_long.csv").write_text(
        _csv([header, ["750000011", long_name, "public", "CHU/CHR", "MCO", "75056", "", "", "1200", "50"]], ","),
        encoding="utf-8")
    # 60 negative counts: the message lists 50 and counts the others.
    rows = [["finess", "year", "gesture", "age_band", "stays", "stays_with_ssr"]]
    rows += [["750000011", str(2000 + i // 3), "PTG", ["<60", "60-74", "75+"][i % 3], "-1", "0"] for i in range(60)]
    (BAD / "ssr_recourse__many_problems.csv").write_text(_csv(rows, ","), encoding="utf-8")
    # Workbooks: truncated archive, and a formula where a number is expected.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    ws.append(["750000011", "Hôpital", "public", "CHU/CHR", "MCO", "75056", None, None, 1200, 50])
    data = _save(wb, BAD / "establishments__truncated.xlsx")
    (BAD / "establishments__truncated.xlsx").write_bytes(data[: len(data) // 2])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    ws.append(["750000011", "Hôpital", "public", "CHU/CHR", "MCO", "75056", None, None, "=SUM(1,2)", 50])
    _save(wb, BAD / "establishments__formula_cell.xlsx")


if __name__ == "__main__":
    good_variants()
    bad_files()
    print("fixtures written to", GOOD, "and", BAD)
