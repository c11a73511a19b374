"""Import pipeline against real databases: every test runs on SQLite and PostgreSQL (db_url).

Bad files (tests/data/bad/<kind>__<what>.<ext>) must be rejected with French messages that
name their line and column, leaving the database byte-for-byte unchanged; good files
(tests/data/good/) must insert, then update on re-import, with the figures written below
by hand from the files.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, inspect, select, text

from data_access import models
from data_access.db import dispose_all, get_engine
from data_access.imports import KINDS, ImportRejected, import_file, import_frame

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD, BAD = DATA / "good", DATA / "bad"
ROWS_IN_GOOD_FILE = {"establishments": 6, "ssr_recourse": 10, "ambulatory_surgery": 4, "profile_values": 5,
                     "caqes_contracts": 3, "caqes_results": 3, "msap_decisions": 4, "ambulatory_targets": 4}


def kind_of(path: Path) -> str:
    return path.name.split("__")[0].split(".")[0]


def snapshot(url: str) -> dict[str, tuple[int, str]]:
    """Row count and sha256 of the rows, sorted by primary key, of every table of the database."""
    out = {}
    with get_engine(url).connect() as conn:
        insp = inspect(conn)
        q = conn.dialect.identifier_preparer.quote
        cursor = conn.connection.driver_connection.cursor()  # plain tuples: 35,000 communes per snapshot
        for name in sorted(insp.get_table_names()):
            cols = [c["name"] for c in insp.get_columns(name)]
            order = insp.get_pk_constraint(name)["constrained_columns"] or cols
            cursor.execute(f"SELECT {', '.join(map(q, cols))} FROM {q(name)} ORDER BY {', '.join(map(q, order))}")
            rows = cursor.fetchall()
            out[name] = (len(rows), hashlib.sha256(pickle.dumps(rows)).hexdigest())
        cursor.close()
    return out


def rows_of(url: str, model) -> list[tuple]:
    table = model.__table__
    with get_engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns))]


def import_good(url: str, kinds=KINDS) -> None:
    for kind in kinds:
        import_file(url, kind, GOOD / f"{kind}.csv")


# --- Bad files -------------------------------------------------------------------------------------

# file -> problems expected in the report: (line, column, fragment of the message)
EXPECTED: dict[str, list[tuple[int | None, str | None, str]]] = {
    "ambulatory_targets__duplicated_key.csv": [
        (4, "region_code", "clé en double (region_code 75, year 2024"), (4, "region_code", "déjà présente ligne 2")],
    "ambulatory_targets__pct_out_of_range.csv": [(3, "target_pct", "cible 104,5 % hors de la plage 0–100"),
                                                 (4, "target_pct", "cible -3 % hors de la plage 0–100")],
    "ambulatory_targets__unknown_region.csv": [(3, "region_code", "région « 99 » inconnue")],
    "ambulatory_surgery__ambulatory_gt_stays.csv": [
        (3, "ambulatory_stays", "900 séjours en ambulatoire pour 800 séjours (doit être ≤ séjours)")],
    "ambulatory_surgery__unknown_group.csv": [(2, "gesture_group", "groupe de gestes « CATARACTES » inconnu")],
    "caqes_contracts__end_before_start.csv": [(2, "end_year", "année de fin 2022 avant l'année de début 2024")],
    "caqes_contracts__unknown_part.csv": [(2, "parts", "« transport_sanitaire »")],
    "caqes_results__missing_required_value.csv": [(2, "target", "valeur obligatoire manquante")],
    "caqes_results__unknown_indicator.csv": [(3, "indicator", "indicateur CAQES « N_OPIOIDES » inconnu")],
    "establishments__bad_finess_format.csv": [(2, "finess", "FINESS « 7500000111 » invalide"),
                                              (3, "finess", "FINESS « 75A000011 » invalide")],
    "establishments__bad_legal_status.csv": [(2, "legal_status", "statut juridique « prive lucratif » : valeur inconnue"),
                                             (2, "activity", "activité « CHIRURGIE » : valeur inconnue")],
    "establishments__binary_garbage.csv": [(None, None, "ce n'est pas un CSV texte")],
    "establishments__control_character.csv": [(2, "name", "caractère de contrôle"),
                                               (3, "name", "caractère de contrôle")],
    "establishments__empty_required_values.csv": [(2, "name", "valeur obligatoire manquante (raison sociale)"),
                                                  (2, "category", "valeur obligatoire manquante"),
                                                  (2, "beds", "valeur obligatoire manquante")],
    "establishments__finess_prefix_not_commune.csv": [
        (2, "finess", "le FINESS 330000099 commence par « 33 » mais la commune 75056 (Paris) est dans le "
                      "département 75"),
        (3, "finess", "commence par « 970 »")],
    "establishments__formula_cell.xlsx": [(2, "beds", "« =SUM(1,2) » commence par « = »")],
    "establishments__formula_injection.csv": [(2, "name", "« =HYPERLINK("), (3, "category", "commence par « @ »")],
    "establishments__invalid_encoding.csv": [(3, None, "encodage non reconnu")],
    "establishments__latitude_without_longitude.csv": [(2, "longitude", "longitude manquante")],
    "establishments__lost_leading_zero.csv": [(2, "finess", "zéro initial perdu"),
                                              (2, "commune_code", "zéro initial perdu")],
    "establishments__mixed_encodings.csv": [(4, None, "encodages mélangés : la ligne 2 est en UTF-8")],
    "establishments__misspelt_column.csv": [(1, "nom", "colonne inconnue"),
                                            (1, "name", "colonne obligatoire absente")],
    "establishments__name_too_long.csv": [(2, "name", "au plus 200 acceptés")],
    "establishments__old_excel.xls": [(None, None, "Excel 97-2003 (.xls) non accepté")],
    "establishments__point_outside_france.csv": [(2, "latitude", "hors de la France"),
                                                 (3, "latitude", "km de la commune 75056 (Paris)")],
    "establishments__tab_separated.csv": [(1, None, "séparateur tabulation non accepté")],
    "establishments__thousands_of_fields.csv": [(3, None, "5000 champs sur la ligne")],
    "establishments__truncated.xlsx": [(None, None, "classeur Excel illisible")],
    "establishments__unknown_column.csv": [(1, "Finess_ARS", "vouliez-vous dire « finess » ?")],
    "establishments__unknown_commune.csv": [(2, "commune_code", "commune « 75999 » inconnue")],
    "establishments__utf16_without_bom.csv": [(None, None, "octets nuls")],
    "establishments__wrong_encoding_utf16.csv": [(None, None, "UTF-16")],
    "msap_decisions__bad_date.csv": [(2, "decided_on", "« 31/02/2023 » n'est pas une date valide"),
                                     (3, "decided_on", "« 2023/01/15 » n'est pas une date valide")],
    "msap_decisions__gesture_not_in_campaign.csv": [(2, "gesture", "inconnu pour la campagne SSR"),
                                                    (3, "gesture", "inconnu pour la campagne AMBU")],
    "msap_decisions__period_over_6_months.csv": [(2, "end_on", "plus de 6 mois"),
                                                 (3, "end_on", "avant son début"),
                                                 (4, "start_on", "date de début manquante")],
    "profile_values__count_with_denominator.csv": [(2, "denominator", "laissez le dénominateur vide")],
    "profile_values__ratio_without_denominator.csv": [(2, "denominator", "dénominateur obligatoire"),
                                                      (3, "denominator", "doit être > 0")],
    "profile_values__unknown_indicator.csv": [(3, "indicator", "indicateur « DUREE_MOYENNE » inconnu")],
    "ssr_recourse__decimal_in_count.csv": [(2, "stays", "« 220,5 » n'est pas un nombre entier")],
    "ssr_recourse__duplicated_key.csv": [(4, None, "clé en double"), (4, None, "déjà présente ligne 2")],
    "ssr_recourse__empty.csv": [(None, None, "fichier vide")],
    "ssr_recourse__finess_ssr_only.csv": [(2, "finess", "a l'activité SSR seule")],
    "ssr_recourse__header_only.csv": [(1, None, "ne contient que l'en-tête")],
    "ssr_recourse__many_problems.csv": [(2, "stays", "ne peut pas être négatif"),
                                        (61, "stays", "ne peut pas être négatif")],
    "ssr_recourse__missing_column.csv": [(1, "stays_with_ssr", "colonne obligatoire absente")],
    "ssr_recourse__nan_and_inf.csv": [(2, "stays", "« nan »"), (3, "stays", "« inf »"), (4, "stays", "« 1e400 »")],
    "ssr_recourse__negative_count.csv": [(2, "stays", "-5 : un nombre de séjours ne peut pas être négatif")],
    "ssr_recourse__stays_with_ssr_gt_stays.csv": [
        (3, "stays_with_ssr", "812 séjours suivis de SSR pour 640 séjours (doit être ≤ séjours)")],
    "ssr_recourse__text_in_number.csv": [(4, "stays", "« beaucoup » n'est pas un nombre entier")],
    "ssr_recourse__unknown_finess.csv": [(3, "finess", "établissement 750099999 inconnu")],
    "ssr_recourse__unknown_gesture.csv": [(2, "gesture", "geste « PTX » inconnu")],
    "ssr_recourse__wrong_field_count.csv": [(3, None, "5 valeurs au lieu de 6"), (4, None, "7 valeurs au lieu de 6")],
    "ssr_recourse__year_out_of_range.csv": [(2, "year", "année 1999 hors de la plage 2000–2100"),
                                            (4, "year", "année 2150")],
}
BAD_FILES = sorted(BAD.iterdir())


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded_db(request, tmp_path_factory):
    """One database per engine for the whole bad-file suite, cloned from the same session
    templates as `db_url`, with the good establishments imported (so that FINESS references
    mean something) and its snapshot. A rejected import changes nothing, so the databases
    can be shared; a test that finds a change re-takes the snapshot for the next ones."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("bad_files") / "atlas.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url, drop = f"sqlite:///{path}", None
    else:
        from tests.conftest import PG_ADMIN_URL, _admin_exec, _pg_base, pg_database_name

        name = pg_database_name("atlas_bad")
        _admin_exec(f'CREATE DATABASE "{name}" TEMPLATE "{request.getfixturevalue("pg_template")}"')
        url, drop = f"{_pg_base(PG_ADMIN_URL)}/{name}", name
    import_file(url, "establishments", GOOD / "establishments.csv")
    state = {"url": url, "snapshot": snapshot(url)}
    yield state
    dispose_all()
    if drop:
        _admin_exec(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')


def test_import_every_bad_file_has_its_expectations():
    assert {p.name for p in BAD_FILES} == set(EXPECTED)
    assert len(BAD_FILES) >= 18
    assert all(kind_of(p) in KINDS for p in BAD_FILES)


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.name)
def test_import_rejects_bad_file_and_leaves_database_unchanged(loaded_db, path):
    url, before = loaded_db["url"], loaded_db["snapshot"]

    with pytest.raises(ImportRejected) as info:
        import_file(url, kind_of(path), path)

    after = snapshot(url)
    loaded_db["snapshot"] = after
    assert after == before
    report = str(info.value)
    for line, column, fragment in EXPECTED[path.name]:
        matching = [p for p in info.value.problems if p.line == line and p.column == column and fragment in p.message]
        assert matching, f"{path.name}: no problem ({line}, {column}, {fragment!r}) in\n{report}"
        if line is not None and matching[0] in info.value.problems[:50]:
            where = f"ligne {line}, colonne « {column} »" if column else f"ligne {line}"
            assert f"{where} : " in report
    assert report.splitlines()[0].startswith(f"{info.value.total} problème")


def test_import_report_lists_fifty_problems_then_counts_the_others(sqlite_url):
    import_good(sqlite_url, ["establishments"])
    with pytest.raises(ImportRejected) as info:
        import_file(sqlite_url, "ssr_recourse", BAD / "ssr_recourse__many_problems.csv")
    lines = str(info.value).splitlines()
    assert info.value.total == 60
    assert lines[1] == "- ligne 2, colonne « stays » : -1 : un nombre de séjours ne peut pas être négatif"
    assert len([x for x in lines if x.startswith("- ")]) == 50
    assert lines[-1] == "… et 10 autres problèmes"


def test_import_unknown_kind_lists_the_kinds(sqlite_url):
    with pytest.raises(ImportRejected, match="type d'import « hospitals » inconnu") as info:
        import_file(sqlite_url, "hospitals", GOOD / "establishments.csv")
    assert ", ".join(KINDS) in str(info.value)


def test_import_missing_file_raises_file_not_found(sqlite_url, tmp_path):
    with pytest.raises(FileNotFoundError):
        import_file(sqlite_url, "establishments", tmp_path / "absent.csv")


# --- Good files -------------------------------------------------------------------------------------

def test_import_good_files_insert_then_update_with_batches_and_data_version(db_url):
    for i, kind in enumerate(KINDS, start=1):
        report = import_file(db_url, kind, GOOD / f"{kind}.csv", user="alice")
        assert (report.kind, report.inserted, report.updated) == (kind, ROWS_IN_GOOD_FILE[kind], 0)
        assert report.data_version == i
    for i, kind in enumerate(KINDS, start=len(KINDS) + 1):
        report = import_file(db_url, kind, GOOD / f"{kind}.csv", user="bob")
        assert (report.inserted, report.updated) == (0, ROWS_IN_GOOD_FILE[kind])
        assert report.data_version == i
        assert report.batch_id == i

    with get_engine(db_url).connect() as conn:
        version, updated_at = conn.execute(select(models.DataVersion.version, models.DataVersion.updated_at)).one()
        batches = conn.execute(select(models.ImportBatch).order_by(models.ImportBatch.id)).all()
        counts = {k: conn.scalar(select(func.count()).select_from(text(k))) for k in KINDS}
    assert version == 2 * len(KINDS)
    assert updated_at is not None
    assert counts == ROWS_IN_GOOD_FILE
    assert len(batches) == 2 * len(KINDS)
    first, last = batches[0], batches[-1]
    assert (first.kind, first.file_name, first.rows_inserted, first.rows_updated, first.user) == (
        "establishments", "establishments.csv", 6, 0, "alice")
    assert first.sha256 == hashlib.sha256((GOOD / "establishments.csv").read_bytes()).hexdigest()
    assert (last.kind, last.rows_inserted, last.rows_updated, last.user) == (
        KINDS[-1], 0, ROWS_IN_GOOD_FILE[KINDS[-1]], "bob")
    imported_at = last.imported_at.replace(tzinfo=last.imported_at.tzinfo or dt.UTC)
    assert abs(dt.datetime.now(dt.UTC) - imported_at) < dt.timedelta(minutes=5)


def test_import_stores_the_hand_checked_values(db_url):
    import_good(db_url)
    m = models
    with get_engine(db_url).connect() as conn:
        est = {r.finess: r for r in conn.execute(select(m.Establishment))}
        ptg = conn.execute(select(m.SsrRecourse.year, func.sum(m.SsrRecourse.stays), func.sum(m.SsrRecourse.stays_with_ssr))
                           .where(m.SsrRecourse.gesture == "PTG").group_by(m.SsrRecourse.year)
                           .order_by(m.SsrRecourse.year)).all()
        ambu = conn.execute(select(func.sum(m.AmbulatorySurgery.stays),
                                   func.sum(m.AmbulatorySurgery.ambulatory_stays))).one()
        profile = {(r.finess, r.indicator): (r.numerator, r.denominator) for r in conn.execute(select(m.ProfileValue))}
        contracts = {r.finess: r for r in conn.execute(select(m.CaqesContract))}
        results = {r.indicator: r for r in conn.execute(select(m.CaqesResult))}
        msap = conn.execute(select(m.MsapDecision).order_by(m.MsapDecision.finess, m.MsapDecision.campaign,
                                                            m.MsapDecision.decision)).all()

    paris = est["750000011"]
    assert (paris.departement_code, paris.region_code, paris.beds, paris.places) == ("75", "11", 1234, 56)
    assert (paris.latitude, paris.longitude) == pytest.approx((48.85727, 2.3201))  # Paris's point: no coordinates given
    assert paris.name == "Hôpital Saint-Éloi, site Paris (fictif)"
    ajaccio = est["2A0000041"]
    assert (ajaccio.departement_code, ajaccio.region_code, ajaccio.places) == ("2A", "94", 0)
    assert (ajaccio.latitude, ajaccio.longitude) == pytest.approx((41.9324, 8.68289))
    assert (est["974000031"].departement_code, est["974000031"].region_code) == ("974", "04")
    assert (est["974000031"].latitude, est["974000031"].longitude) == pytest.approx((-20.8823, 55.4504))
    assert (est["971000061"].departement_code, est["971000061"].region_code) == ("971", "01")
    assert est["690000051"].activity == "SSR"

    assert [tuple(r) for r in ptg] == [(2022, 1040, 606), (2023, 970, 530)]
    assert tuple(ambu) == (2450, 2234)
    assert profile[("690000051", "DMS_HC")] == (12345.0, 456.0)
    assert profile[("690000051", "NB_GMD_80")] == (18.0, None)
    assert profile[("690000051", "ETP_LIT")] == (85.5, 160.0)
    assert profile[("750000011", "DMS_HC")] == (8910.5, 402.0)
    assert contracts["330000021"].signed_on == dt.date(2022, 9, 15)
    assert contracts["750000011"].parts == "produits_sante+organisation+pertinence"
    assert (results["R_PRADO"].achieved, results["R_PRADO"].savings_eur) == (None, None)
    assert results["N_TRANSPORT_VSL"].savings_eur == 48000.5
    assert [(r.finess, r.campaign, r.gesture, r.decision) for r in msap] == [
        ("330000021", "AMBU", "", "ciblee"), ("330000021", "SSR", "PTG", "ciblee"),
        ("330000021", "SSR", "PTG", "notifiee"), ("974000031", "AMBU", "HERNIE_INGUINALE", "notifiee")]
    notified = msap[3]
    assert (notified.decided_on, notified.start_on, notified.end_on) == (
        dt.date(2023, 5, 15), dt.date(2023, 6, 1), dt.date(2023, 11, 30))
    assert msap[0].start_on is None
    with get_engine(db_url).connect() as conn:
        targets = [tuple(r) for r in conn.execute(select(
            m.AmbulatoryTarget.region_code, m.AmbulatoryTarget.year, m.AmbulatoryTarget.departement_code,
            m.AmbulatoryTarget.target_pct).order_by(m.AmbulatoryTarget.region_code, m.AmbulatoryTarget.year,
                                                    m.AmbulatoryTarget.departement_code))]
    # a regional target has departement_code '' (the column left empty), a local one its département
    assert targets == [("75", 2023, "", 63.5), ("75", 2024, "", 65.2), ("75", 2024, "33", 66.0),
                       ("84", 2024, "", 64.8)]


def test_import_reimport_updates_changed_values_and_counts_new_rows(db_url, tmp_path):
    import_good(db_url, ["establishments", "ssr_recourse"])
    changed = tmp_path / "ssr_recourse_v2.csv"
    lines = (GOOD / "ssr_recourse.csv").read_text(encoding="utf-8").splitlines()
    lines = [x.replace("330000021,2022,PTG,60-74,640,412", "330000021,2022,PTG,60-74,640,400") for x in lines]
    lines.append("330000021,2023,PTH,75+,310,120")
    changed.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = import_file(db_url, "ssr_recourse", changed)

    assert (report.inserted, report.updated) == (1, 10)
    with get_engine(db_url).connect() as conn:
        t = models.SsrRecourse
        value = conn.scalar(select(t.stays_with_ssr).where(t.finess == "330000021", t.year == 2022,
                                                           t.gesture == "PTG", t.age_band == "60-74"))
        assert value == 400
        assert conn.scalar(select(func.count()).select_from(t)) == 11


@pytest.mark.parametrize("variant", ["establishments__semicolon_decimal_comma.csv", "establishments__cp1252.csv",
                                     "establishments__bom.csv", "establishments.xlsx"])
def test_import_file_variants_store_identical_rows(db_url, variant):
    import_file(db_url, "establishments", GOOD / "establishments.csv")
    reference = rows_of(db_url, models.Establishment)

    report = import_file(db_url, "establishments", GOOD / variant)

    assert (report.inserted, report.updated) == (0, 6)
    assert rows_of(db_url, models.Establishment) == reference


def test_import_xlsx_date_cells_store_the_same_dates_as_csv(db_url):
    import_good(db_url, ["establishments", "msap_decisions"])
    reference = rows_of(db_url, models.MsapDecision)
    report = import_file(db_url, "msap_decisions", GOOD / "msap_decisions__date_cells.xlsx")
    assert (report.inserted, report.updated) == (0, 4)
    assert rows_of(db_url, models.MsapDecision) == reference


def test_import_variant_into_empty_database_equals_canonical_file(sqlite_url, tmp_path):
    other = tmp_path / "other.sqlite"
    shutil.copy(sqlite_url.removeprefix("sqlite:///"), other)
    import_file(sqlite_url, "establishments", GOOD / "establishments.csv")
    import_file(f"sqlite:///{other}", "establishments", GOOD / "establishments__cp1252.csv")
    assert rows_of(sqlite_url, models.Establishment) == rows_of(f"sqlite:///{other}", models.Establishment)


# --- import_frame ---------------------------------------------------------------------------------

def test_import_frame_with_typed_values_stores_what_the_file_stores(db_url):
    import_good(db_url)
    files = {k: rows_of(db_url, m) for k, m in (("establishments", models.Establishment),
                                                ("msap_decisions", models.MsapDecision),
                                                ("profile_values", models.ProfileValue))}
    est = pd.read_csv(GOOD / "establishments.csv", dtype={"finess": str, "commune_code": str})
    assert est["beds"].dtype.kind == "i" and est["latitude"].dtype.kind == "f"
    msap = pd.read_csv(GOOD / "msap_decisions.csv", dtype={"finess": str})
    for col in ("decided_on", "start_on", "end_on"):
        iso = pd.to_datetime(msap[col], format="%Y-%m-%d", errors="coerce")
        msap[col] = iso.fillna(pd.to_datetime(msap[col], format="%d/%m/%Y", errors="coerce"))
    profile = pd.DataFrame({"finess": ["690000051", "690000051", "690000051", "750000011", "750000011"],
                            "year": [2023] * 5,
                            "indicator": ["DMS_HC", "NB_GMD_80", "ETP_LIT", "DMS_HC", "REHOSP_30J"],
                            "numerator": [12345, 18, 85.5, 8910.5, 12],
                            "denominator": [456, None, 160, 402, 400]})

    for kind, df in (("establishments", est), ("msap_decisions", msap), ("profile_values", profile)):
        report = import_frame(db_url, kind, df, file_name=f"{kind}-frame")
        assert (report.inserted, report.updated) == (0, len(df))

    assert rows_of(db_url, models.Establishment) == files["establishments"]
    assert rows_of(db_url, models.MsapDecision) == files["msap_decisions"]
    assert rows_of(db_url, models.ProfileValue) == files["profile_values"]
    with get_engine(db_url).connect() as conn:
        batch = conn.execute(select(models.ImportBatch).order_by(models.ImportBatch.id.desc())).first()
    assert (batch.file_name, batch.user, len(batch.sha256)) == ("profile_values-frame", "demo", 64)


def test_import_frame_rejects_with_file_like_line_numbers_and_writes_nothing(db_url):
    import_good(db_url, ["establishments"])
    before = snapshot(db_url)
    df = pd.DataFrame({"finess": ["750000011", "330000021"], "year": [2023, 2023], "gesture": ["PTG", "PTG"],
                       "age_band": ["60-74", "60-74"], "stays": [10, 640], "stays_with_ssr": [3, 812]})
    with pytest.raises(ImportRejected) as info:
        import_frame(db_url, "ssr_recourse", df, file_name="frame")
    assert [str(p) for p in info.value.problems] == [
        "ligne 3, colonne « stays_with_ssr » : 812 séjours suivis de SSR pour 640 séjours (doit être ≤ séjours)"]
    assert snapshot(db_url) == before


# --- The write is one transaction ----------------------------------------------------------------

def test_import_failure_during_the_write_rolls_everything_back(db_url, monkeypatch):
    import data_access.imports as imports

    import_good(db_url, ["establishments"])
    before = snapshot(db_url)
    original = imports._upsert

    def upsert_then_crash(conn, table, values):
        original(conn, table, values)
        raise RuntimeError("coupure simulée après l'écriture des lignes")

    monkeypatch.setattr(imports, "_upsert", upsert_then_crash)
    with pytest.raises(RuntimeError, match="coupure simulée"):
        import_file(db_url, "ssr_recourse", GOOD / "ssr_recourse.csv")
    assert snapshot(db_url) == before


def test_import_database_constraint_is_reported_in_french_and_rolls_back(db_url, monkeypatch):
    import data_access.imports as imports

    import_good(db_url, ["establishments"])
    before = snapshot(db_url)
    real = imports.load_references

    def references_with_a_ghost(conn, spec, raw=None):  # validation believes 750099999 exists; the FK does not
        refs = real(conn, spec, raw)
        refs.establishments.loc["750099999"] = ["MCO", "11"]
        return refs

    monkeypatch.setattr(imports, "load_references", references_with_a_ghost)
    with pytest.raises(ImportRejected, match="la base de données a refusé l'écriture, rien n'a été enregistré"):
        import_file(db_url, "ssr_recourse", BAD / "ssr_recourse__unknown_finess.csv")
    assert snapshot(db_url) == before
