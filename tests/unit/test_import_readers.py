"""Reading import files into tables of strings: separators, encodings, line numbers, guard rails."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from data_access import readers
from data_access.readers import cell_text, read_bytes, read_table
from data_access.validation import ImportRejected

HEADER = "finess,name,beds"


def test_import_reader_detects_comma_and_semicolon_separators():
    comma = read_bytes(f"{HEADER}\n750000011,Hôpital,12\n".encode())
    semicolon = read_bytes("finess;name;beds\n750000011;Hôpital, site Nord;12,5\n".encode())
    assert (comma.separator, semicolon.separator) == (",", ";")
    assert comma.frame.to_dict("records") == [{"finess": "750000011", "name": "Hôpital", "beds": "12"}]
    assert semicolon.frame.to_dict("records") == [{"finess": "750000011", "name": "Hôpital, site Nord", "beds": "12,5"}]


@pytest.mark.parametrize("encoded, encoding", [
    ("finess;name\n750000011;Hôpital Saint-Éloi\n".encode(), "utf-8"),
    (b"\xef\xbb\xbf" + "finess;name\n750000011;Hôpital Saint-Éloi\n".encode(), "utf-8"),
    ("finess;name\r\n750000011;Hôpital Saint-Éloi\r\n".encode("cp1252"), "cp1252"),
])
def test_import_reader_decodes_utf8_with_or_without_bom_and_windows_1252(encoded, encoding):
    table = read_bytes(encoded)
    assert table.encoding == encoding
    assert table.columns == ["finess", "name"]  # no BOM left in the first name
    assert table.frame.loc[2, "name"] == "Hôpital Saint-Éloi"


@pytest.mark.parametrize("data, fragment", [
    ("finess,name\n1,a\n".encode("utf-16"), "UTF-16"),
    ("finess,name\n1,a\n".encode("utf-16-le"), "octets nuls"),
    (b"finess,name\n1,\x81\xc3\n", "encodage non reconnu"),
    (b"", "fichier vide"),
    (b"  \r\n\n", "fichier vide"),
    (b"\xd0\xcf\x11\xe0" + bytes(100), ".xls"),
    (b"PK\x03\x04garbage", "classeur Excel illisible"),
])
def test_import_reader_rejects_unreadable_files_in_french(data, fragment):
    with pytest.raises(ImportRejected, match=fragment):
        read_bytes(data, "x.csv")


def test_import_reader_keeps_file_line_numbers_across_blank_lines_and_quoted_newlines():
    text = f'{HEADER}\n750000011,"Hôpital\nsur deux lignes",12\n\n330000021,Clinique,20\n,,\n'
    table = read_bytes(text.encode())
    assert table.problems == []
    assert list(table.frame.index) == [2, 5]
    assert table.frame.loc[5, "name"] == "Clinique"


def test_import_reader_reports_rows_with_a_wrong_number_of_values_and_tolerates_trailing_separators():
    text = f"{HEADER}\n750000011,Hôpital,12,,\n330000021,Clinique\n690000051,Centre,3,extra\n"
    table = read_bytes(text.encode())
    assert list(table.frame.index) == [2]
    assert [(p.line, p.message.split(" (")[0]) for p in table.problems] == [
        (3, "2 valeurs au lieu de 3"), (4, "4 valeurs au lieu de 3")]


def test_import_reader_reports_a_line_with_thousands_of_fields():
    text = f"{HEADER}\n750000011,Hôpital,12\n" + ",".join(["x"] * 3000) + "\n"
    table = read_bytes(text.encode())
    assert [(p.line, p.message[:17]) for p in table.problems] == [(3, "3000 champs sur l")]
    with pytest.raises(ImportRejected, match="ligne 1 : 3000 champs dans l'en-tête"):
        read_bytes((",".join(["x"] * 3000) + "\n1\n").encode())


def test_import_reader_rejects_header_only_and_oversized_files(tmp_path, monkeypatch):
    with pytest.raises(ImportRejected, match="ligne 1 : aucune ligne de données"):
        read_bytes(f"{HEADER}\n\n".encode())
    path = tmp_path / "big.csv"
    path.write_text(f"{HEADER}\n" + "750000011,Hôpital,12\n" * 100)
    monkeypatch.setattr(readers, "MAX_BYTES", 1000)
    with pytest.raises(ImportRejected, match="fichier trop volumineux"):
        read_table(path)


def test_import_reader_reads_the_first_sheet_of_a_workbook_as_text():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["finess", "year", "share", "decided_on", "note"])
    ws.append([750000011, 2023, 12.5, dt.datetime(2023, 5, 1), None])
    ws.append([None, None, None, None, None])
    ws.append(["2A0000041", 2024.0, 0.1, dt.date(2024, 1, 31), "  texte  "])
    buffer = io.BytesIO()
    wb.save(buffer)
    table = read_bytes(buffer.getvalue(), "fichier.xlsx")
    assert list(table.frame.index) == [2, 4]
    assert table.frame.to_dict("records") == [
        {"finess": "750000011", "year": "2023", "share": "12.5", "decided_on": "2023-05-01", "note": ""},
        {"finess": "2A0000041", "year": "2024", "share": "0.1", "decided_on": "2024-01-31", "note": "texte"},
    ]


@pytest.mark.parametrize("value, text", [
    (None, ""), (12, "12"), (12.0, "12"), (0.1, "0.1"), (True, "1"), ("=A1", "=A1"),
    (dt.datetime(2023, 5, 1), "2023-05-01"), (dt.datetime(2023, 5, 1, 14, 30), "2023-05-01 14:30:00"),
    (dt.date(2023, 5, 1), "2023-05-01"),
])
def test_import_cell_text_writes_values_as_a_csv_would(value, text):
    assert cell_text(value) == text
