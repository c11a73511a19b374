"""Validation of import tables without a database: parsing, rules, reports, speed."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_access.validation import (
    MAX_KEPT,
    SPECS,
    ImportRejected,
    Problem,
    References,
    check_header,
    parse,
    validate,
)

SSR = SPECS["ssr_recourse"]


def ssr_refs() -> References:
    est = pd.DataFrame({"finess": ["750000011", "330000021", "690000051"], "activity": ["MCO", "MCO", "SSR"],
                        "region_code": ["11", "75", "84"]}).set_index("finess")
    return References(establishments=est, gestures=["PTG", "PTH", "LCA", "COIFFE"], age_bands=["<60", "60-74", "75+"])


def raw(rows: list[dict], start: int = 2) -> pd.DataFrame:
    df = pd.DataFrame(rows, dtype=object)
    df.index = range(start, start + len(df))
    return df


def row(**values) -> dict:
    base = {"finess": "750000011", "year": "2023", "gesture": "PTG", "age_band": "60-74", "stays": "10",
            "stays_with_ssr": "3"}
    return base | values


# --- Reports ----------------------------------------------------------------------------------

def test_import_problem_reads_line_then_column():
    assert str(Problem(7, "stays_with_ssr", "812 > 640")) == "ligne 7, colonne « stays_with_ssr » : 812 > 640"
    assert str(Problem(3, None, "5 valeurs au lieu de 6")) == "ligne 3 : 5 valeurs au lieu de 6"
    assert str(Problem(None, None, "fichier vide")) == "fichier vide"


def test_import_rejected_report_agrees_in_number_and_caps_the_list():
    one = ImportRejected([Problem(2, "year", "année 1999 hors de la plage 2000–2100")], file_name="f.csv",
                         kind="ssr_recourse")
    assert str(one) == ("1 problème dans « f.csv » (type ssr_recourse) :\n"
                        "- ligne 2, colonne « year » : année 1999 hors de la plage 2000–2100")
    many = ImportRejected([Problem(line, "stays", "négatif") for line in range(53, 1, -1)])
    lines = str(many).splitlines()
    assert lines[0] == "52 problèmes :"
    assert lines[1].startswith("- ligne 2,") and lines[50].startswith("- ligne 51,")
    assert lines[-1] == "… et 2 autres problèmes"
    assert str(ImportRejected([Problem(i, None, "x") for i in range(51)])).endswith("… et 1 autre problème")


def test_import_header_check_names_missing_unknown_and_repeated_columns():
    problems = check_header(["finess", "year", "gesture", "Age_Band", "stays", "stays", "extra"], SSR)
    assert [str(p) for p in problems] == [
        "ligne 1, colonne « Age_Band » : colonne inconnue pour le type ssr_recourse ; vouliez-vous dire "
        "« age_band » ? (colonnes attendues : finess, year, gesture, age_band, stays, stays_with_ssr)",
        "ligne 1, colonne « stays » : colonne présente deux fois",
        "ligne 1, colonne « extra » : colonne inconnue pour le type ssr_recourse (colonnes attendues : finess, "
        "year, gesture, age_band, stays, stays_with_ssr)",
        "ligne 1, colonne « age_band » : colonne obligatoire absente (tranche d'âge)",
        "ligne 1, colonne « stays_with_ssr » : colonne obligatoire absente (séjours suivis de SSR)",
    ]


# --- Parsing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("12", 12), ("12.0", 12), ("12,0", 12), ("1 234", 1234), ("1\u00a0234", 1234), ("1\u202f234 567", 1234567),
    (" 40 ", 40), ("+7", 7), ("1e3", 1000),
])
def test_import_integers_accept_french_and_excel_forms(text, value):
    parsed = parse(raw([row(stays=text, stays_with_ssr="0")]), SSR)
    assert parsed.problems == []
    assert parsed.frame.loc[2, "stays"] == value


@pytest.mark.parametrize("text, fragment", [
    ("12,5", "pas de décimales"), ("1 23", "n'est pas un nombre entier"), ("1.234,5", "n'est pas un nombre entier"),
    ("douze", "n'est pas un nombre entier"), ("nan", "n'est pas un nombre entier"),
    ("99999999999", "nombre trop grand"), ("=1+1", "commence par « = »"), ("", "valeur obligatoire manquante"),
])
def test_import_integers_reject_everything_else(text, fragment):
    parsed = parse(raw([row(stays=text)]), SSR)
    assert [(p.line, p.column) for p in parsed.problems] == [(2, "stays")]
    assert fragment in parsed.problems[0].message
    assert pd.isna(parsed.frame.loc[2, "stays"])


@settings(max_examples=40, deadline=None, database=None)
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_import_floats_written_the_french_way_parse_back_exactly(value):
    text = repr(value)
    if "e" not in text:
        whole, _, frac = text.lstrip("-").partition(".")
        grouped = f"{int(whole):,}".replace(",", "\u00a0")
        text = ("-" if value < 0 else "") + grouped + ("," + frac if frac else "")
    spec = SPECS["profile_values"]
    parsed = parse(raw([{"finess": "690000051", "year": "2023", "indicator": "DMS_HC", "numerator": text,
                         "denominator": "1"}]), spec)
    assert parsed.problems == []
    assert parsed.frame.loc[2, "numerator"] == value


def test_import_dates_accept_iso_and_french_forms_only():
    spec = SPECS["caqes_contracts"]
    rows = [{"finess": "750000011", "start_year": "2022", "end_year": "2026", "signed_on": d, "parts": "socle"}
            for d in ("2022-07-12", "12/07/2022", "2/7/2022", "31/02/2022", "2022/07/12", "12-07-2022")]
    parsed = parse(raw(rows), spec)
    assert list(parsed.frame["signed_on"].iloc[:3]) == [pd.Timestamp("2022-07-12"), pd.Timestamp("2022-07-12"),
                                                        pd.Timestamp("2022-07-02")]
    assert [p.line for p in parsed.problems] == [5, 6, 7]


def test_import_enumerations_are_normalised_for_case_accents_and_spaces():
    spec = SPECS["establishments"]
    parsed = parse(raw([{"finess": "2a0000041", "name": "Clinique", "legal_status": "Privé", "category": "Clinique",
                         "activity": "mco + ssr", "commune_code": "2a004", "beds": "10"}]), spec)
    assert parsed.problems == []
    assert parsed.frame.loc[2, ["finess", "legal_status", "activity", "commune_code", "places"]].tolist() == [
        "2A0000041", "prive", "MCO+SSR", "2A004", 0]


def test_import_text_rejects_formula_prefixes_but_not_inner_signs():
    spec = SPECS["establishments"]
    base = {"finess": "750000011", "legal_status": "public", "activity": "MCO", "commune_code": "75056", "beds": "1"}
    names = ["=HYPERLINK(\"x\")", "+33 1 23", "-CH", "@SUM(A1)", "Centre Jean-Jaurès", "Clinique + SSR"]
    parsed = parse(raw([base | {"name": n, "category": "CH"} for n in names]), spec)
    assert [(p.line, p.column) for p in parsed.problems] == [(2, "name"), (3, "name"), (4, "name"), (5, "name")]


# --- Rules ----------------------------------------------------------------------------------------------

def test_import_rules_report_every_problem_with_its_line_and_column():
    rows = [row(), row(stays="640", stays_with_ssr="812", age_band="75+"), row(finess="750099999"), row(finess="690000051"),
            row(gesture="PTX", age_band="90+"), row(year="1999"), row()]
    typed, problems, total = validate(raw(rows), SSR, ssr_refs())
    assert total == len(problems)
    assert [str(p) for p in problems] == [
        "ligne 3, colonne « stays_with_ssr » : 812 séjours suivis de SSR pour 640 séjours (doit être ≤ séjours)",
        "ligne 4, colonne « finess » : établissement 750099999 inconnu : importez-le d'abord (fichier de type "
        "establishments)",
        "ligne 5, colonne « finess » : l'établissement 690000051 a l'activité SSR seule : le recours au SSR après "
        "chirurgie se mesure dans un établissement MCO (activité MCO ou MCO+SSR)",
        "ligne 6, colonne « gesture » : geste « PTX » inconnu (valeurs admises : PTG, PTH, LCA, COIFFE)",
        "ligne 6, colonne « age_band » : tranche d'âge « 90+ » inconnue (valeurs admises : <60, 60-74, 75+)",
        "ligne 7, colonne « year » : année 1999 hors de la plage 2000–2100",
        "ligne 8 : clé en double (finess 750000011, year 2023, gesture PTG, age_band 60-74) : déjà présente ligne 2",
    ]
    assert len(typed) == len(rows)


def test_import_a_cell_that_fails_parsing_is_not_reported_twice():
    _, problems, _ = validate(raw([row(stays="abc", stays_with_ssr="5"), row(stays="-3", stays_with_ssr="0",
                                                                          age_band="75+")]), SSR, ssr_refs())
    assert [(p.line, p.column) for p in problems] == [(2, "stays"), (3, "stays")]


FINESS_150 = [f"75{i:07d}" for i in range(125)]


def big_ssr_frame() -> pd.DataFrame:
    """150,000 distinct keys: 125 establishments × 100 years × 4 gestures × 3 age bands."""
    keys = pd.MultiIndex.from_product([FINESS_150, range(2000, 2100), ["PTG", "PTH", "LCA", "COIFFE"],
                                       ["<60", "60-74", "75+"]]).to_frame(index=False)
    stays = np.random.default_rng(0).integers(0, 500, len(keys))
    frame = pd.DataFrame({"finess": keys[0], "year": keys[1].astype(str), "gesture": keys[2], "age_band": keys[3],
                          "stays": stays.astype(str), "stays_with_ssr": (stays // 3).astype(str)}, dtype=object)
    frame.index = range(2, len(frame) + 2)
    return frame


def refs_150() -> References:
    est = pd.DataFrame({"activity": "MCO", "region_code": "11"}, index=pd.Index(FINESS_150, name="finess"))
    return References(establishments=est, gestures=["PTG", "PTH", "LCA", "COIFFE"], age_bands=["<60", "60-74", "75+"])


def test_import_validates_150000_rows_in_a_few_seconds():
    frame = big_ssr_frame()
    frame.loc[frame.index[:2000], "stays_with_ssr"] = "9999"
    t0 = time.perf_counter()
    typed, problems, total = validate(frame, SSR, refs_150())
    elapsed = time.perf_counter() - t0
    assert len(typed) == 150_000
    assert total == len(problems) == 2000
    assert {p.column for p in problems} == {"stays_with_ssr"}
    assert elapsed < 5, f"validation of 150,000 rows took {elapsed:.1f} s"


def test_import_a_file_where_every_row_fails_is_reported_quickly_and_counted():
    frame = big_ssr_frame()
    frame["year"] = "1999"  # out of range, and every key now repeats 100 times
    t0 = time.perf_counter()
    _, problems, total = validate(frame, SSR, refs_150())
    elapsed = time.perf_counter() - t0
    assert total == 150_000 + (150_000 - 125 * 12)
    assert len(problems) <= 2 * MAX_KEPT
    assert str(problems[0]) == "ligne 2, colonne « year » : année 1999 hors de la plage 2000–2100"
    assert elapsed < 15, f"reporting 300,000 problems took {elapsed:.1f} s"
