"""/export/msap.csv equals the grid of /msap for the same URL, on SQLite and PostgreSQL; the figures are
the hand-computed ones; /export/msap.xlsx opens with openpyxl and holds the list and the rule."""
import csv
import io
from dataclasses import asdict
from urllib.parse import parse_qsl

import openpyxl
import pytest

from tests.conftest import app_on, signed_client
from tests.factories import small_ssr_dataset
from tests.msap_factories import add_ambulatory, add_decisions

COLUMNS = ["finess", "raison_sociale", "region", "departement", "statut", "sejours", "sejours_cibles", "taux_pct", "taux_regional_pct", "taux_national_pct", "ecart_regional_pts", "ecart_national_pts", "ic95_bas_pct", "ic95_haut_pct", "cible", "motif", "msap_anterieure"]


def dataset(url: str) -> None:
    small_ssr_dataset(url)
    add_ambulatory(url, [
        ("330000017", 2024, "CATARACTE", 200, 180), ("330000017", 2024, "VARICES", 50, 20),
        ("330000025", 2024, "CATARACTE", 300, 240), ("240000011", 2024, "CATARACTE", 100, 30),
        ("750000019", 2024, "HERNIE_INGUINALE", 60, 33), ("970400017", 2024, "CATARACTE", 12, 11),
    ])
    add_decisions(url, [
        ("330000017", "SSR", "PTG", 2022, "ciblee"), ("330000017", "SSR", "PTG", 2022, "notifiee"),
        ("330000017", "SSR", "PTG", 2025, "notifiee"),  # a later campaign: not "earlier" for 2024 counts
        ("750000019", "SSR", "PTH", 2021, "notifiee"), ("240000011", "SSR", "PTG", 2023, "abandonnee"),
        ("240000011", "AMBU", "", 2020, "notifiee"),
    ])


def _csv(client, query: str) -> list[dict]:
    resp = client.get("/export/msap.csv" + query)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    raw = resp.get_data()
    assert raw.startswith("\ufeff".encode())  # BOM: French Excel reads UTF-8
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(COLUMNS)
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def _screen_rows(server, query: str) -> list[dict]:
    from callbacks.msap import render_results
    from services.msap import parse_view

    with server.test_request_context("/msap" + query):
        rule, _ = parse_view(dict(parse_qsl(query[1:])))
        return render_results(asdict(rule), None)["rows"]


def _fr(x) -> str:
    return "" if x is None else (f"{x:.1f}".replace(".", ",") if isinstance(x, float) else str(x))


QUERIES = ["?campagne=SSR&annee=2024&geste=PTG&age=tous&volume_min=30&methode=ecart&ecart_pts=10",
           "?campagne=SSR&annee=2024&geste=TOUS&methode=funnel&seuil=95&volume_min=20&perimetre=R75",
           "?campagne=SSR&annee=2024&geste=PTG&age=75%2B&ecart_pts=7.5&volume_min=10&perimetre=D33",
           "?campagne=AMBU&annee=2024&geste=TOUS&volume_min=20&ecart_pts=15"]


@pytest.mark.parametrize("query", QUERIES)
def test_csv_export_equals_the_on_screen_table(dash_app, db_url, query):
    dataset(db_url)
    with app_on(dash_app, db_url) as server:
        exported = _csv(signed_client(server), query)
        screen = _screen_rows(server, query)
    assert exported, "some establishments are examined"
    assert [r["finess"] for r in exported] == [r["finess"] for r in screen]  # same rows, same order
    for row, shown in zip(exported, screen):
        assert row == {c: _fr(shown[c]) for c in COLUMNS}


def test_csv_figures_are_the_hand_computed_ones(dash_app, db_url):
    dataset(db_url)
    with app_on(dash_app, db_url) as server:
        rows = {r["finess"]: r for r in _csv(signed_client(server), "?campagne=SSR&annee=2024&geste=PTG")}
    assert len(rows) == 5
    lac = rows["330000017"]
    # Clinique du Lac, PTG 2024: (40 + 20) / (60 + 40) = 60 %; Nouvelle-Aquitaine (40+20+30+10)/(60+40+120+50)
    # = 100/270 = 37.04 %; France 149/380 = 39.21 % -> +22.96 and +20.79 pts: flagged at 10 pts
    assert (lac["sejours"], lac["sejours_cibles"], lac["taux_pct"]) == ("100", "60", "60,0")
    assert (lac["taux_regional_pct"], lac["taux_national_pct"]) == ("37,0", "39,2")
    assert (lac["ecart_regional_pts"], lac["ecart_national_pts"]) == ("23,0", "20,8")
    # Wilson 95 % of 60/100: 50.2 % – 69.1 %
    assert (lac["ic95_bas_pct"], lac["ic95_haut_pct"]) == ("50,2", "69,1")
    assert lac["cible"] == "oui" and lac["motif"].startswith("Ciblé : taux de 60,0")
    assert lac["msap_anterieure"] == "oui (2022)"  # the 2025 notification is not an earlier campaign
    assert (lac["region"], lac["departement"], lac["statut"]) == ("Nouvelle-Aquitaine", "Gironde", "Privé lucratif")
    # Paris 40/80 = 50 % = its region: not flagged; its PTH MSAP does not count for PTG
    assert rows["750000019"]["cible"] == "non" and rows["750000019"]["ecart_regional_pts"] == "0,0"
    assert rows["750000019"]["msap_anterieure"] == "non"
    assert [r["cible"] for r in rows.values()].count("oui") == 1
    assert next(iter(rows)) == "330000017"  # flagged first


def test_ambu_list_flags_low_ambulatory_rates(dash_app, db_url):
    dataset(db_url)
    with app_on(dash_app, db_url) as server:
        rows = {r["finess"]: r for r in _csv(signed_client(server), "?campagne=AMBU&annee=2024&geste=TOUS")}
    # France: (180+20+240+30+33+11) / (200+50+300+100+60+12) = 514/722 = 71.2 %; Nouvelle-Aquitaine
    # (180+20+240+30) / (250+300+100) = 470/650 = 72.3 %. Périgueux 30/100 = 30 %: -42.3 and -41.2 pts
    assert rows["240000011"]["taux_national_pct"] == "71,2" and rows["240000011"]["taux_regional_pct"] == "72,3"
    assert rows["240000011"]["cible"] == "oui" and rows["240000011"]["msap_anterieure"] == "oui (2020)"
    # Saint-Denis has 12 stays: below the default minimum of 30
    assert rows["970400017"]["cible"] == "non" and "volume minimal de 30" in rows["970400017"]["motif"]
    assert {f for f, r in rows.items() if r["cible"] == "oui"} == {"240000011"}


def test_a_malformed_query_exports_the_default_list(dash_app, db_url):
    dataset(db_url)
    with app_on(dash_app, db_url) as server:
        client = signed_client(server)
        assert _csv(client, "?campagne=%3Cscript%3E&annee=abc&ecart_pts=-4&perimetre=Z") == _csv(client, "")


def test_xlsx_holds_the_same_list_and_the_rule(dash_app, db_url):
    dataset(db_url)
    query = "?campagne=SSR&annee=2024&geste=PTG&methode=funnel&seuil=95&volume_min=25"
    with app_on(dash_app, db_url) as server:
        client = signed_client(server)
        exported = _csv(client, query)
        resp = client.get("/export/msap.xlsx" + query)
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wb = openpyxl.load_workbook(io.BytesIO(resp.get_data()))
    assert wb.sheetnames == ["Établissements", "Règle"]
    sheet = list(wb["Établissements"].iter_rows(values_only=True))
    assert sheet[0][0] == "FINESS" and len(sheet[0]) == len(COLUMNS)
    assert len(sheet) - 1 == len(exported)
    decimal = {c for c in COLUMNS if c.endswith(("_pct", "_pts"))}  # openpyxl reads 60.0 back as 60
    for values, row in zip(sheet[1:], exported):
        assert [_fr(float(v) if c in decimal and v is not None else v) for c, v in zip(COLUMNS, values)] == [
            row[c] for c in COLUMNS]
    rule = "\n".join(str(v) for r in wb["Règle"].iter_rows(values_only=True) for v in r if v is not None)
    assert "limite de contrôle haute à 95" in rule and "Spiegelhalter" in rule
    assert "Volume minimal (volume_min)" in rule and "25\u00a0séjours" in rule
    assert "/msap?campagne=SSR&annee=2024&geste=PTG" in rule
