"""/export/ssr.csv equals the table beside the map for the same URL, on SQLite and PostgreSQL,
and both equal hand-computed figures."""
import csv
import io
from urllib.parse import parse_qsl

import pytest

from tests.conftest import app_on, signed_client
from tests.factories import small_ssr_dataset


def _csv(client, query: str) -> list[dict]:
    resp = client.get("/export/ssr.csv" + query)
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    raw = resp.get_data()
    assert raw.startswith("\ufeff".encode())  # BOM: French Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def _screen_rows(server, query: str) -> list[dict]:
    from callbacks.ssr import render_tables
    from services.ssr import parse_view

    with server.test_request_context("/ssr" + query):
        view, _ = parse_view(dict(parse_qsl(query[1:])))
        from dataclasses import asdict
        return render_tables(asdict(view))["rows"]


def _fr(x) -> str:
    return "" if x is None else (f"{x:.1f}".replace(".", ",") if isinstance(x, float) else str(x))


@pytest.mark.parametrize("query", ["?geste=PTG&annee=2024&niveau=reg",
                                   "?geste=TOUS&annee=2024&age=tous&niveau=dep&methode=egaux&classes=3",
                                   "?geste=PTG&annee=2024&age=75%2B&niveau=reg&focus=75"])
def test_csv_export_equals_the_on_screen_table(dash_app, db_url, query):
    small_ssr_dataset(db_url)
    with app_on(dash_app, db_url) as server:
        exported = _csv(signed_client(server), query)
        screen = _screen_rows(server, query)
    assert list(exported[0]) == ["code", "libelle", "etablissements", "sejours", "sejours_ssr", "taux_pct",
                                 "ic95_bas_pct", "ic95_haut_pct", "classe"]
    by_code = {r["code"]: r for r in screen}
    assert sorted(by_code) == [r["code"] for r in exported]
    for row in exported:
        shown = by_code[row["code"]]
        assert row == {c: _fr(shown[c]) for c in row}


def test_csv_export_figures_are_the_hand_computed_ones(dash_app, db_url):
    small_ssr_dataset(db_url)
    with app_on(dash_app, db_url) as server:
        rows = {r["code"]: r for r in _csv(signed_client(server), "?geste=PTG&annee=2024&niveau=reg")}
    # Nouvelle-Aquitaine: (40 + 20 + 30 + 10) / (60 + 40 + 120 + 50) = 100/270 = 37.04 %
    assert rows["75"]["sejours_ssr"] == "100" and rows["75"]["sejours"] == "270"
    assert rows["75"]["taux_pct"] == "37,0" and rows["75"]["etablissements"] == "3"
    # Île-de-France 40/80 = 50 %; La Réunion 9/30 = 30 %
    assert rows["11"]["taux_pct"] == "50,0" and rows["04"]["taux_pct"] == "30,0"
    # Wilson 95 % for 40/80: centre (0.5 + 1.92/80/2)/(1 + 3.8415/80) = 0.5; half-width 0.1075 -> 39.3 – 60.7
    assert rows["11"]["ic95_bas_pct"] == "39,3" and rows["11"]["ic95_haut_pct"] == "60,7"
    # quantile classes over 3 regions with 4 classes asked -> 3 classes; lowest rate (30 %) is class 1
    assert (rows["04"]["classe"], rows["75"]["classe"], rows["11"]["classe"]) == ("1", "2", "3")
    assert "libelle" in rows["75"] and rows["75"]["libelle"] == "Nouvelle-Aquitaine"


def test_les_4_gestes_and_tous_ages_sum_the_counts(dash_app, db_url):
    small_ssr_dataset(db_url)
    with app_on(dash_app, db_url) as server:
        rows = {r["code"]: r for r in _csv(signed_client(server), "?geste=TOUS&annee=2024&niveau=dep")}
        under60 = {r["code"]: r for r in _csv(signed_client(server), "?geste=PTG&annee=2024&age=%3C60&niveau=dep")}
    # Gironde, 4 gestures, all ages: PTG 60+40+120 and PTH 20 stays; SSR 40+20+30+10
    assert rows["33"]["sejours"] == "240" and rows["33"]["sejours_ssr"] == "100"
    # Paris: PTG 80 + LCA 25 = 105 stays, 40 + 2 = 42 with SSR; Dordogne: PTG 50 + COIFFE 10, 10 + 1
    assert (rows["75"]["sejours"], rows["75"]["sejours_ssr"]) == ("105", "42")
    assert (rows["24"]["sejours"], rows["24"]["sejours_ssr"]) == ("60", "11")
    # under 60, PTG: only the Clinique du Lac's 20/40
    assert list(under60) == ["33"] and under60["33"]["sejours_ssr"] == "20" and under60["33"]["sejours"] == "40"


def test_a_malformed_query_exports_the_default_view(dash_app, db_url):
    small_ssr_dataset(db_url)
    with app_on(dash_app, db_url) as server:
        client = signed_client(server)
        assert _csv(client, "?geste=%3Cscript%3E&annee=abc&classes=99") == _csv(client, "")
