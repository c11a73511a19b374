"""/export/ambulatoire.csv equals the territories grid of /ambulatoire for the same address, on
SQLite and PostgreSQL, and both equal hand-computed figures (ratio of sums over the marker
procedures only, targets and gaps in points); presentation mode masks it."""
import csv
import io
from dataclasses import asdict
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import insert, update

from data_access import models
from data_access.db import get_engine
from tests.conftest import app_on, signed_client
from tests.factories import add_establishments
from tests.msap_factories import add_ambulatory

COLUMNS = ["code", "libelle", "etablissements", "sejours", "sejours_ambulatoires", "taux_pct", "ic95_bas_pct",
           "ic95_haut_pct", "cible_pct", "ecart_cible_pts", "classe"]


def _dataset(url: str) -> None:
    add_establishments(url, [
        ("330000017", "Clinique du Lac", "prive", "MCO", "33063"),
        ("330000025", "CHU de Bordeaux", "public", "MCO+SSR", "33063"),
        ("240000011", "Centre hospitalier de Périgueux", "public", "MCO", "24322"),
        ("750000019", "Hôpital privé de Paris", "prive", "MCO", "75056"),
        ("970400017", "Clinique de Saint-Denis", "espic", "MCO", "97411"),
    ])
    add_ambulatory(url, [
        ("330000017", 2024, "CATARACTE", 200, 190), ("330000017", 2024, "CHOLECYSTECTOMIE", 100, 20),
        ("330000017", 2024, "AMYGDALECTOMIE", 50, 10),  # outside the list of 55: not in "all marker procedures"
        ("330000025", 2024, "CATARACTE", 20, 19), ("330000025", 2024, "HERNIE_INGUINALE", 300, 120),
        ("240000011", 2024, "CATARACTE", 100, 95), ("240000011", 2024, "VARICES", 50, 30),
        ("750000019", 2024, "HERNIE_INGUINALE", 80, 40),
        ("970400017", 2024, "CATARACTE", 12, 11),  # 1 stay without ambulatory care: secret
        ("330000017", 2023, "CATARACTE", 180, 160),
    ])
    with get_engine(url).begin() as conn:
        conn.execute(insert(models.AmbulatoryTarget), [
            dict(region_code="75", year=2024, departement_code="", target_pct=65.0),
            dict(region_code="75", year=2024, departement_code="33", target_pct=60.0),
            dict(region_code="11", year=2024, departement_code="", target_pct=62.0)])
        conn.execute(update(models.DataVersion).values(version=models.DataVersion.version + 1))


def _csv(client, query: str) -> list[dict]:
    resp = client.get("/export/ambulatoire.csv" + query)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    raw = resp.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert list(rows[0]) == COLUMNS
    return rows


def _screen_rows(dash_app, server, query: str, role: str = "analyste") -> list[dict]:
    """The rows the page's grid receives: the render callback posted as the browser does, by a
    client of that role (so in that role's mode)."""
    from services import ambulatoire
    from tests.conftest import dash_body

    with server.test_request_context("/ambulatoire" + query):
        view, _ = ambulatoire.parse_view(dict(parse_qsl(query[1:])))
    resp = signed_client(server, role).post("/_dash-update-component",
                                           json=dash_body(dash_app, "ambulatoire.render_tables", [asdict(view)]))
    assert resp.status_code == 200
    return resp.get_json()["response"]["ambu-table"]["rowData"]


def _fr(x) -> str:
    return "" if x is None else (f"{x:.1f}".replace(".", ",") if isinstance(x, float) else str(x))


QUERIES = ["?annee=2024&geste=TOUS&niveau=reg", "?annee=2024&geste=CATARACTE&niveau=dep&methode=egaux&classes=3",
           "?annee=2024&geste=TOUS&niveau=dep&focus=33", "?annee=2024&geste=TOUS&statut=prive&niveau=reg&focus=75"]


@pytest.mark.parametrize("query", QUERIES)
def test_csv_export_equals_the_on_screen_grid(dash_app, db_url, query):
    _dataset(db_url)
    with app_on(dash_app, db_url) as server:
        exported = _csv(signed_client(server), query)
        screen = _screen_rows(dash_app, server, query)
    by_code = {r["code"]: r for r in screen}
    assert sorted(by_code) == [r["code"] for r in exported]
    for row in exported:
        assert row == {c: _fr(by_code[row["code"]][c]) for c in COLUMNS}


def test_csv_export_figures_are_the_hand_computed_ones(dash_app, db_url):
    _dataset(db_url)
    with app_on(dash_app, db_url) as server:
        regions = {r["code"]: r for r in _csv(signed_client(server), "?annee=2024&geste=TOUS&niveau=reg")}
        deps = {r["code"]: r for r in _csv(signed_client(server), "?annee=2024&niveau=dep&focus=33")}
        one = {r["code"]: r for r in _csv(signed_client(server), "?annee=2024&geste=CATARACTE&niveau=reg")}
    # Nouvelle-Aquitaine, the 55 marker procedures (amygdalectomy left out):
    # (190 + 20 + 19 + 120 + 95 + 30) / (200 + 100 + 20 + 300 + 100 + 50) = 474 / 770 = 61.56 %
    na = regions["75"]
    assert (na["sejours"], na["sejours_ambulatoires"], na["etablissements"]) == ("770", "474", "3")
    assert na["taux_pct"] == "61,6"
    assert (na["cible_pct"], na["ecart_cible_pts"]) == ("65,0", "-3,4")  # 61.56 − 65.0
    idf = regions["11"]
    assert (idf["taux_pct"], idf["cible_pct"], idf["ecart_cible_pts"]) == ("50,0", "62,0", "-12,0")
    assert (regions["04"]["cible_pct"], regions["04"]["ecart_cible_pts"]) == ("", "")  # no target
    # Gironde has a local target of 60 %: (190 + 20 + 19 + 120) / 620 = 56.29 % → −3.7 points
    assert (deps["33"]["taux_pct"], deps["33"]["cible_pct"], deps["33"]["ecart_cible_pts"]) == ("56,3", "60,0", "-3,7")
    assert (deps["24"]["taux_pct"], deps["24"]["cible_pct"], deps["24"]["ecart_cible_pts"]) == ("83,3", "65,0", "18,3")
    # one procedure: no target (set on all marker procedures); cataract in NA: 304/320 = 95 %
    assert (one["75"]["taux_pct"], one["75"]["cible_pct"], one["75"]["ecart_cible_pts"]) == ("95,0", "", "")


def test_presentation_mode_masks_the_export_and_the_grid_alike(dash_app, sqlite_url):
    _dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        rows = {r["code"]: r for r in _csv(signed_client(server, "iraps"), "?annee=2024&geste=TOUS&niveau=reg")}
        screen = {r["code"]: r for r in _screen_rows(dash_app, server, "?annee=2024&geste=TOUS&niveau=reg", "iraps")}
    assert {code: {c: _fr(r[c]) for c in COLUMNS} for code, r in screen.items()} == rows
    reunion = rows["04"]  # 11 ambulatory stays of 12: the one stay without ambulatory care is secret
    assert reunion["taux_pct"] == "secret statistique" and reunion["sejours_ambulatoires"] == "masqué"
    assert reunion["classe"] == ""
    # France is published: one more région is masked with La Réunion (else France minus the others
    # gives it back); the other one is shown as computed by hand
    others = {code: rows[code]["taux_pct"] for code in ("11", "75")}
    assert sorted(v == "secret statistique" for v in others.values()) == [False, True]
    assert others["75"] in ("61,6", "secret statistique")


def test_profile_section_and_its_point_d_attention(dash_app, db_url):
    from services.profile import load_profile
    from text.format import NBSP

    _dataset(db_url)
    with app_on(dash_app, db_url) as server, server.test_request_context("/etablissement/330000025"):
        p = load_profile("330000025", "2024")
    s = p.ambulatory
    assert [r.code for r in s.rows] == ["HERNIE_INGUINALE", "CATARACTE"]  # the list's order (GM08, GM10)
    total = s.total.cells
    # CHU de Bordeaux: (19 + 120) / (20 + 300) = 43.44 %; Nouvelle-Aquitaine 474/770 = 61.56 %
    assert total["own"] == (f"43,4{NBSP}%", "139/320") and total["region"][0] == f"61,6{NBSP}%"
    # the 55 marker procedures of France: (474 + 40 + 11) / (770 + 80 + 12) = 525/862 = 60.9 %
    assert total["france"] == (f"60,9{NBSP}%", "525/862")
    # regional target 65.0 %: 43.44 − 65.0 = −21.6 points, 10 points or more below with ≥ 30 stays
    assert total["target"] == "65,0 %" and total["gap"] == f"-21,6{NBSP}pts"
    assert s.total.far_below_target
    point = next(x for x in p.points if x.startswith("Chirurgie ambulatoire des 55 gestes marqueurs"))
    assert "-21,6" in point and "65,0 %" in point
    hernia = s.rows[0].cells
    # hernia: 120/300 = 40 % against France (120 + 40)/(300 + 80) = 42.1 %: within the funnel's limits
    assert hernia["own"][0] == f"40,0{NBSP}%" and hernia["france"][0] == f"42,1{NBSP}%"
    assert hernia["funnel"][0] == "dans les limites" and not s.rows[0].below_998
    assert "Ciblé" in s.verdict or "Non ciblé" in s.verdict


def test_anonymised_establishments_carry_no_finess_and_the_export_is_audited(dash_app, sqlite_url):
    from data_access import users
    from tests.conftest import TEST_USERS, dash_body

    _dataset(sqlite_url)
    view = {"annee": 2024, "geste": "TOUS", "statut": "tous", "niveau": "dep", "methode": "quantiles",
            "classes": 4, "couleur": "taux", "focus": "33"}
    with app_on(dash_app, sqlite_url) as server:
        client = signed_client(server, "analyste")
        assert client.get("/ambulatoire?presentation=oui&anonyme=oui").status_code == 200
        resp = client.post("/_dash-update-component",
                           json=dash_body(dash_app, "ambulatoire.render_tables", [view]))
        rows = resp.get_json()["response"]["ambu-establishments"]["rowData"]
        assert client.get("/export/ambulatoire.csv?annee=2024&niveau=reg").status_code == 200
        iraps = signed_client(server, "iraps").post(  # anonymised whatever the session says
            "/_dash-update-component", json=dash_body(dash_app, "ambulatoire.render_tables", [view])).get_data(True)
    assert "330000017" not in iraps and "Clinique du Lac" not in iraps and "CHU de Bordeaux" not in iraps
    assert len(rows) == 2
    body = str(rows)
    assert "330000017" not in body and "330000025" not in body and "Clinique du Lac" not in body
    assert all(r["finess"] == "" and r["nom"].startswith("Établissement ") for r in rows)
    events = users.audit_events(sqlite_url, event="export_csv")
    assert (events["login"] == TEST_USERS["analyste"]).any()
    assert events["target"].str.startswith("/export/ambulatoire.csv?annee=2024").any()
