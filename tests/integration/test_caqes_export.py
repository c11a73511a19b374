"""/export/caqes.csv equals the data behind the establishments grid of /caqes for the same URL, on
SQLite and PostgreSQL, and both equal hand-computed figures."""
import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import asdict
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import insert, update

from analytics.caqes import EXPORT_COLUMNS
from data_access import models
from data_access.db import get_engine
from tests.conftest import app_on, signed_client
from tests.factories import add_establishments

LAC, CHU, PERIGUEUX, PARIS = "330000017", "330000025", "240000011", "750000019"


def add_caqes(url: str) -> None:
    """Catalogue of the demo (init-db): N_IPP lower/0.3/produits_sante, N_PERFADOM higher/0.25/produits_sante,
    R_PRADO higher/0.2/organisation (regional), N_PERTINENCE_BIO higher/0.2/pertinence."""
    add_establishments(url, [
        (LAC, "Clinique du Lac", "prive", "MCO", "33063"),
        (CHU, "CHU de Bordeaux", "public", "MCO+SSR", "33063"),
        (PERIGUEUX, "=Centre hospitalier de Périgueux", "public", "MCO", "24322"),  # a formula-looking name
        (PARIS, "Hôpital privé de Paris", "prive", "MCO", "75056"),
    ])
    contracts = [(f, 2022, 2026, dt.date(2022, 6, 30), "produits_sante+organisation+pertinence")
                 for f in (LAC, CHU, PERIGUEUX, PARIS)]
    results = [
        # finess, year, indicator, baseline, target, achieved, savings
        (LAC, 2024, "N_IPP", 40.0, 30.0, 30.0, 10_000.0),          # atteint 100 %, 3 000 €
        (LAC, 2024, "N_PERFADOM", 50.0, 60.0, 55.0, 4_000.0),      # en progrès 50 %, 1 000 €
        (LAC, 2024, "R_PRADO", 20.0, 30.0, 18.0, None),            # non atteint 0 %
        (LAC, 2023, "N_IPP", 40.0, 30.0, 35.0, 5_000.0),           # en progrès 50 %
        (LAC, 2023, "N_PERFADOM", 50.0, 60.0, 50.0, None),         # non atteint 0 %
        (LAC, 2023, "R_PRADO", 20.0, 30.0, 25.0, None),            # en progrès 50 %
        (CHU, 2024, "N_IPP", 45.0, 35.0, 43.0, 20_000.0),          # en progrès 20 %, 6 000 €
        (CHU, 2024, "N_PERTINENCE_BIO", 60.0, 70.0, None, None),   # non mesuré
        (PERIGUEUX, 2024, "N_IPP", 50.0, 40.0, 40.0, 5_000.0),     # atteint, 1 500 €
        (PARIS, 2024, "N_IPP", 30.0, 25.0, 31.0, 0.0),             # non atteint, 0 €
        (PARIS, 2024, "R_PRADO", 10.0, 20.0, 25.0, 2_500.0),       # atteint, 500 €
    ]
    with get_engine(url).begin() as conn:
        conn.execute(insert(models.CaqesContract), [
            dict(finess=f, start_year=s, end_year=e, signed_on=d, parts=p) for f, s, e, d, p in contracts])
        conn.execute(insert(models.CaqesResult), [
            dict(finess=f, year=y, indicator=i, baseline=b, target=t, achieved=a, savings_eur=s)
            for f, y, i, b, t, a, s in results])
        conn.execute(update(models.DataVersion).values(version=models.DataVersion.version + 1))


def _csv(client, query: str) -> list[dict]:
    resp = client.get("/export/caqes.csv" + query)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    raw = resp.get_data()
    assert raw.startswith("\ufeff".encode())  # BOM: French Excel reads UTF-8
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(EXPORT_COLUMNS)
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def _screen(server, query: str) -> tuple[list[dict], list[dict]]:
    """(the establishments grid's rows as /caqes renders them, the export rows of the same view)."""
    from callbacks.caqes import render_tables
    from services.caqes import export_rows, parse_view

    with server.test_request_context("/caqes" + query):
        view, _ = parse_view(dict(parse_qsl(query[1:])))
        return render_tables(asdict(view))["table_rows"], export_rows(view)


def _fr(x) -> str:
    return "" if x is None else (f"{x:.1f}".replace(".", ",") if isinstance(x, float) else str(x))


def _num(text: str) -> float:
    return float(text.replace(",", ".")) if text else 0.0


QUERIES = ["?annee=2024", "?annee=2024&volet=produits_sante&perimetre=R75&niveau=dep",
           "?annee=2024&indicateur=N_IPP&perimetre=D33", "?annee=2023&perimetre=FR&niveau=reg"]


@pytest.mark.parametrize("query", QUERIES)
def test_csv_export_equals_the_data_behind_the_establishments_grid(dash_app, db_url, query):
    add_caqes(db_url)
    with app_on(dash_app, db_url) as server:
        exported = _csv(signed_client(server), query)
        grid, rows = _screen(server, query)
    # the CSV is the export rows, formatted the French way
    assert exported == [{c: (("'" + _fr(r[c])) if _fr(r[c])[:1] == "=" else _fr(r[c])) for c in EXPORT_COLUMNS}
                        for r in rows]
    # and adds up to the grid: same establishments, counts by status, score and incentive
    by = defaultdict(list)
    for r in exported:
        by[r["finess"]].append(r)
    assert sorted(by) == sorted(g["finess"] for g in grid)
    for g in grid:
        mine = by[g["finess"]]
        statuses = [r["statut"] for r in mine]
        assert (statuses.count("atteint"), statuses.count("en progrès"), statuses.count("non atteint"),
                statuses.count("non mesuré")) == (g["atteints"], g["en_progres"], g["non_atteints"], g["non_mesures"])
        measured = [_num(r["atteinte_pct"]) for r in mine if r["atteinte_pct"]]
        if measured:  # catalogue weights are all 1
            assert g["score_pct"] == pytest.approx(sum(measured) / len(measured), abs=0.06)
        else:
            assert g["score_pct"] is None
        assert g["interessement_eur"] == pytest.approx(sum(_num(r["interessement_eur"]) for r in mine),
                                                       abs=len(mine))


def test_csv_export_and_grid_figures_are_the_hand_computed_ones(dash_app, db_url):
    add_caqes(db_url)
    with app_on(dash_app, db_url) as server:
        rows = {(r["finess"], r["indicateur"]): r for r in _csv(signed_client(server), "?annee=2024")}
        grid, _ = _screen(server, "?annee=2024")
    assert len(rows) == 8
    chu = rows[(CHU, "N_IPP")]  # (45 − 43) / (45 − 35) = 20 %; 20 000 € × 0.3 = 6 000 €
    assert (chu["valeur_initiale"], chu["cible"], chu["realise"], chu["atteinte_pct"], chu["statut"],
            chu["economies_eur"], chu["interessement_eur"]) == ("45,0", "35,0", "43,0", "20,0", "en progrès",
                                                                "20000", "6000")
    assert (chu["region"], chu["departement"], chu["annee"], chu["volet"], chu["libelle"][:18]) == \
        ("75", "33", "2024", "produits_sante", "Part des prescript")
    missing = rows[(CHU, "N_PERTINENCE_BIO")]
    assert (missing["realise"], missing["atteinte_pct"], missing["statut"], missing["interessement_eur"]) == \
        ("", "", "non mesuré", "")
    perfadom = rows[(LAC, "N_PERFADOM")]  # (55 − 50) / (60 − 50); 4 000 € × 0.25
    assert perfadom["atteinte_pct"] == "50,0" and perfadom["interessement_eur"] == "1000"
    assert rows[(PERIGUEUX, "N_IPP")]["raison_sociale"] == "'=Centre hospitalier de Périgueux"  # neutralised
    g = {r["finess"]: r for r in grid}
    # Clinique du Lac: (100 + 50 + 0) / 3 = 50,0 %; 2023: (50 + 0 + 50) / 3 = 33,3 % -> +16,7 pts
    assert g[LAC]["score_pct"] == 50.0 and g[LAC]["evolution_pts"] == pytest.approx(16.7)
    assert (g[LAC]["atteints"], g[LAC]["en_progres"], g[LAC]["non_atteints"], g[LAC]["interessement_eur"]) == \
        (1, 1, 1, 4_000)
    # CHU: only N_IPP measured, 20 %; no 2023 result, no change
    assert g[CHU]["score_pct"] == 20.0 and g[CHU]["evolution_pts"] is None and g[CHU]["non_mesures"] == 1
    assert g[PARIS]["score_pct"] == 50.0 and g[PARIS]["interessement_eur"] == 500


def test_the_perimeter_tells_regions_from_departements(dash_app, db_url):
    add_caqes(db_url)
    with app_on(dash_app, db_url) as server:
        client = signed_client(server)
        region = {r["finess"] for r in _csv(client, "?annee=2024&perimetre=R75")}  # Nouvelle-Aquitaine
        paris = {r["finess"] for r in _csv(client, "?annee=2024&perimetre=D75")}   # Paris
        bare = {r["finess"] for r in _csv(client, "?annee=2024&perimetre=75")}     # read as the département
    assert region == {LAC, CHU, PERIGUEUX} and paris == bare == {PARIS}


def test_a_malformed_query_exports_the_default_view(dash_app, db_url):
    add_caqes(db_url)
    with app_on(dash_app, db_url) as server:
        client = signed_client(server)
        assert _csv(client, "?annee=abc&volet=%3Cscript%3E&perimetre=R99&niveau=x") == _csv(client, "")
