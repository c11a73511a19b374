"""Read an import file (CSV or .xlsx) into a table of strings, keeping each row's line.

Nothing is interpreted here beyond the cell text: `validation` parses types. CSV files
may use a comma or a semicolon (detected on the header line) and be encoded in UTF-8,
with or without BOM, or Windows-1252 (French Excel's « CSV (séparateur : point-virgule) »).
A file that is neither (UTF-16, binary) is rejected, as are absurd shapes: too big, too
many fields on a line, no data row.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data_access.validation import ImportRejected, Problem, show

MAX_BYTES = 200 * 1024 * 1024
MAX_FIELDS = 200  # far more than any kind's columns; thousands of fields is a broken file
MAX_ROWS = 2_000_000
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003)
# A 2- or 3-byte UTF-8 character (é = C3 A9); in real Windows-1252 French text such pairs
# would read « Ã© », which nobody writes on purpose.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")


@dataclass
class RawTable:
    """The header (stripped names), the rows as strings with the file's line
    numbers as index, and problems of individual rows (wrong number of fields) whose
    rows were left out."""

    columns: list[str]
    frame: pd.DataFrame
    sha256: str
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None
    separator: str | None = None


def _reject(message: str, line: int | None = None) -> ImportRejected:
    return ImportRejected([Problem(line, None, message)])


def read_table(path: str | Path) -> RawTable:
    """Read `path`; raises ImportRejected when the file cannot be read as a table, and
    FileNotFoundError when it does not exist."""
    path = Path(path)
    size = os.path.getsize(path)
    if size > MAX_BYTES:
        raise _reject(f"fichier trop volumineux ({size / 1e6:.0f} Mo ; au plus {MAX_BYTES // 1024 // 1024} Mo)")
    data = path.read_bytes()
    return read_bytes(data, path.name)


def read_bytes(data: bytes, name: str = "") -> RawTable:
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise _reject("fichier vide : la première ligne doit être l'en-tête des colonnes, suivie des données")
    if data.startswith(XLSX_MAGIC) or name.lower().endswith((".xlsx", ".xlsm")):
        header, lines, rows = _xlsx_rows(data)
        table = _table(header, lines, rows, pad_short=True)
    elif data.startswith(OLE_MAGIC) or name.lower().endswith(".xls"):
        raise _reject("format Excel 97-2003 (.xls) non accepté : enregistrez le classeur en .xlsx ou en CSV")
    else:
        text, encoding = _decode(data)
        table = _csv_rows(text)
        table.encoding = encoding
    table.sha256 = digest
    return table


# --- CSV ------------------------------------------------------------------------------------

def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _reject("fichier encodé en UTF-16 : enregistrez-le en « CSV UTF-8 » ou en CSV Windows-1252")
    if b"\x00" in data:
        raise _reject("le fichier contient des octets nuls : ce n'est pas un CSV texte (UTF-16 sans BOM, "
                      "fichier binaire ?) ; enregistrez-le en « CSV UTF-8 »")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    # Accented text that is valid UTF-8 in a file that is not: two exports pasted together.
    # Decoding it all as Windows-1252 would silently store « HÃ´pital ».
    if multibyte := _UTF8_SEQUENCE.search(data):
        line_utf8 = data.count(b"\n", 0, multibyte.start()) + 1
        line_other = data.count(b"\n", 0, utf8_error) + 1
        raise _reject(f"encodages mélangés : la ligne {line_utf8} est en UTF-8 mais la ligne {line_other} ne l'est "
                      "pas ; enregistrez tout le fichier en « CSV UTF-8 »", line_other)
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _reject(f"encodage non reconnu : octet 0x{data[exc.start]:02X} ni UTF-8 ni Windows-1252 ; "
                      "enregistrez le fichier en « CSV UTF-8 »", line) from None


def _separator(header_line: str) -> str:
    semicolons, commas = header_line.count(";"), header_line.count(",")
    if semicolons == commas == 0 and "\t" in header_line:
        raise _reject("séparateur tabulation non accepté : utilisez la virgule ou le point-virgule", 1)
    return ";" if semicolons > commas else ","


def _csv_rows(text: str) -> RawTable:
    first = text.lstrip("\r\n").split("\n", 1)[0]
    sep = _separator(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    header_line = 1
    lines: list[int] = []
    rows: list[list[str]] = []
    problems: list[Problem] = []
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not "".join(record).strip():  # blank line, or only separators
                continue
            if header is None:
                header, header_line = record, start
                _check_width(len(header), start)
                continue
            if len(record) > MAX_FIELDS:
                problems.append(Problem(start, None, f"{len(record)} champs sur la ligne (au plus {MAX_FIELDS}) : "
                                                     "fichier mal formé ou mauvais séparateur"))
                continue
            rows.append(record)
            lines.append(start)
            if len(rows) > MAX_ROWS:
                raise _reject(f"plus de {MAX_ROWS} lignes de données : découpez le fichier")
    except csv.Error:  # in practice a value over the csv module's 131,072 characters (unclosed quote)
        raise _reject("CSV illisible : valeur démesurée (guillemet ouvert et jamais fermé ?)", line) from None
    table = _table(header or [], lines, rows, header_line=header_line, problems=problems)
    table.separator = sep
    return table


def _check_width(n: int, line: int) -> None:
    if n > MAX_FIELDS:
        raise _reject(f"{n} champs dans l'en-tête (au plus {MAX_FIELDS}) : fichier mal formé ou mauvais séparateur",
                      line)


# --- XLSX -----------------------------------------------------------------------------------

def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes) -> tuple[list[str], list[int], list[list[str]]]:
    """The first sheet: header = first non-empty row. Formulas are read as their text
    (=SUM(...)), so they are refused by validation rather than trusted as values."""
    import openpyxl

    header: list[str] | None = None
    lines: list[int] = []
    rows: list[list[str]] = []
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        raise _reject(f"classeur Excel illisible (fichier tronqué, corrompu ou protégé par mot de passe : "
                      f"{show(exc, 120)})") from None
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # a wrong <dimension> must not pad rows to thousands of cells
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [cell_text(v).strip() for v in values]
            while cells and cells[-1] == "":
                cells.pop()
            if not cells:
                continue
            if header is None:
                _check_width(len(cells), number)
                header = cells
                lines.append(number)  # header line, removed below
                continue
            if len(cells) > MAX_FIELDS:
                raise _reject(f"{len(cells)} cellules remplies sur la ligne (au plus {MAX_FIELDS})", number)
            rows.append(cells)
            lines.append(number)
            if len(rows) > MAX_ROWS:
                raise _reject(f"plus de {MAX_ROWS} lignes de données : découpez le classeur")
    except ImportRejected:
        raise
    except Exception as exc:  # openpyxl surfaces damaged archives as many exception types
        raise _reject(f"classeur Excel illisible (fichier tronqué ou corrompu : {show(exc, 120)})") from None
    finally:
        wb.close()
    return header or [], lines, rows


# --- Common -----------------------------------------------------------------------------------

def _table(header: list[str], lines: list[int], rows: list[list[str]], *, header_line: int | None = None,
           problems: list[Problem] | None = None, pad_short: bool = False) -> RawTable:
    """Rows -> a DataFrame of strings indexed by line. Rows with more or fewer
    fields than the header are reported and left out; trailing empty fields are tolerated,
    and so are short rows when `pad_short` (xlsx rows lose their empty trailing cells; a
    short CSV row means a missing separator, which shifts values)."""
    problems = problems if problems is not None else []
    if header_line is None and lines:  # xlsx: the header's line came first
        header_line, lines = lines[0], lines[1:]
    if not header:
        raise _reject("fichier vide : la première ligne doit être l'en-tête des colonnes, suivie des données")
    names = [h.replace("\ufeff", "").strip() for h in header]
    # Spreadsheets often add empty columns at the right: drop unnamed trailing columns.
    while names and names[-1] == "":
        names.pop()
    width = len(names)
    if set(map(len, rows)) <= {width}:  # the usual case: nothing to adjust
        kept_lines, kept = lines, rows
    else:
        kept_lines, kept = _fit(lines, rows, width, pad_short, problems)
    if not kept and not problems:
        raise _reject("aucune ligne de données : le fichier ne contient que l'en-tête", header_line)
    columns = list(zip(*kept)) if kept else [()] * width
    index = pd.Index(kept_lines, dtype="int64")
    frame = pd.DataFrame({i: pd.Series(col, index=index, dtype=object) for i, col in enumerate(columns)})
    frame.columns = names  # values are stripped by validation, once per distinct value
    return RawTable(names, frame, "", problems)


def _fit(lines: list[int], rows: list[list[str]], width: int, pad_short: bool, problems: list[Problem]
         ) -> tuple[list[int], list[list[str]]]:
    kept_lines, kept = [], []
    for line, row in zip(lines, rows):
        if len(row) != width:
            extra = row[width:]
            if len(row) > width and not any(c.strip() for c in extra):
                row = row[:width]
            elif len(row) < width and pad_short:
                row = row + [""] * (width - len(row))
            else:
                problems.append(Problem(line, None, f"{len(row)} valeurs au lieu de {width} (une par colonne de "
                                                    "l'en-tête) : séparateur en trop ou manquant ?"))
                continue
        kept.append(row)
        kept_lines.append(line)
    return kept_lines, kept
