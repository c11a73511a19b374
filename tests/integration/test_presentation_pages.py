"""The presentation mode (issue 7) on /msap, /caqes, /etablissements and /etablissement/<finess>, their
exports and the profile's PDF: hand-made datasets in, hand-computed masked and unmasked figures out,
through the Dash endpoint and the HTTP routes as the browser calls them; then a property test over
random small datasets (no count from 1 to 10 anywhere, no masked cell computable from a total shown,
every figure outside the masked cells unchanged)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import uuid

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, update

from analytics.msap import MsapRule
from analytics.secrecy import MASKED, SECRET
from data_access import models
from data_access.db import dispose_all, get_engine
from services.msap import control_values
from tests import dash_bodies
from tests.audit_bounds import deducible
from tests.conftest import app_on, signed_client
from tests.factories import add_establishments, add_ssr

N = "\u00a0"
A, B, C, D, E, F = "330000017", "330000025", "330000033", "240000011", "750000019", "750000027"
S1, S2, S3 = "330000041", "330000058", "240000029"
QUERY = "?campagne=SSR&annee=2024&geste=PTG&age=tous&volume_min=30&methode=ecart&ecart_pts=10&seuil=99.8&perimetre=FR"
RULE = {"campagne": "SSR", "annee": 2024, "geste": "PTG", "age": "tous", "volume_min": 30, "methode": "ecart",
        "ecart_pts": 10.0, "seuil": "99.8", "perimetre": "FR"}


def dataset(url: str) -> None:
    """PTG 2024, all ages (stays followed by SSR / stays):
    Gironde (33, Nouvelle-Aquitaine): A 60/100, B 5/8, C 20/50; Dordogne (24): D 12/40;
    Paris (75, Île-de-France): E 40/80, F 30/60 — France 167/338 = 49.41 %, Nouvelle-Aquitaine 97/198 = 48.99 %.
    B's counts are from 1 to 10 (5 SSR stays, 3 without); with Gironde's total published, a second
    establishment of Gironde is masked with it: A, of the same status (a private partner moves no
    status total), so that B's counts stay within a range of at least 5 (services.secrecy); a masked
    row is masked whole ("masqué").
    SSR establishments (REHOSP_30J re-hospitalisations / stays; DMS_HC days / stays), all private,
    110 beds and places (one comparables group): S1 5/100, S2 20/150, S3 30/200; days 3000, 3600, 5000."""
    add_establishments(url, [
        (A, "Clinique du Lac", "prive", "MCO", "33063"), (B, "Clinique des Pins", "prive", "MCO", "33063"),
        (C, "Centre hospitalier de Bègles", "public", "MCO", "33063"),
        (D, "Centre hospitalier de Périgueux", "public", "MCO", "24322"),
        (E, "Hôpital privé de Paris", "prive", "MCO", "75056"), (F, "Hôpital Saint-Louis", "public", "MCO", "75056"),
        (S1, "Centre SSR Les Chênes", "prive", "SSR", "33063"), (S2, "Centre SSR La Dune", "prive", "SSR", "33063"),
        (S3, "Centre SSR du Périgord", "prive", "SSR", "24322"),
    ])
    add_ssr(url, [(A, 2024, "PTG", "75+", 100, 60), (B, 2024, "PTG", "75+", 8, 5), (C, 2024, "PTG", "60-74", 50, 20),
                  (D, 2024, "PTG", "75+", 40, 12), (E, 2024, "PTG", "<60", 80, 40), (F, 2024, "PTG", "75+", 60, 30)])
    values = []
    for finess, (rehosp, stays, days) in {S1: (5, 100, 3000), S2: (20, 150, 3600), S3: (30, 200, 5000)}.items():
        values += [dict(finess=finess, year=2024, indicator="REHOSP_30J", numerator=rehosp, denominator=stays),
                   dict(finess=finess, year=2024, indicator="DMS_HC", numerator=days, denominator=stays)]
    with get_engine(url).begin() as conn:
        conn.execute(insert(models.ProfileValue), values)
        conn.execute(insert(models.CaqesContract), [dict(finess=A, start_year=2022, end_year=2026,
                                                         signed_on=dt.date(2022, 6, 30),
                                                         parts="produits_sante")])
        conn.execute(insert(models.CaqesResult), [dict(finess=A, year=2024, indicator="N_IPP", baseline=40.0,
                                                       target=30.0, achieved=35.0, savings_eur=4000.0)])
        conn.execute(update(models.DataVersion).values(version=models.DataVersion.version + 1))


def presenting(client, anonymised: bool = False):
    with client.session_transaction() as session:
        session["presentation"] = True
        if anonymised:
            session["anonyme"] = True
            session["anon_salt"] = "x"
    return client


def dash_post(client, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
              state: list[tuple[str, str, object]] = ()) -> dict:
    """POST /_dash-update-component as the renderer does; the response's {id: {prop: value}}."""
    body = {"output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
            "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"]}
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_json()["response"]


MSAP_OUTPUTS = [("msap-count", "children"), ("msap-rule-text", "children"), ("msap-table", "rowData"),
                ("msap-table", "columnDefs"), ("msap-funnel", "figure"), ("msap-sensitivity", "figure"),
                ("msap-map", "figure"), ("msap-map-key", "data"), ("msap-export-csv", "href"),
                ("msap-export-xlsx", "href")]


def msap(client, rule: dict = RULE) -> dict:
    """The answer of /msap's one callback for `rule` (its controls set to the rule's values, nothing
    drawn yet), the parts of MSAP_OUTPUTS."""
    values = {f"msap-{name.replace('_', '-')}.value": value
              for name, value in control_values(MsapRule(**rule)).items()}
    return _answer(client, "msap-campagne.value", {**values, "msap-rule.data": rule, "msap-map-key.data": None},
                   MSAP_OUTPUTS)


def _answer(client, input_key: str, values: dict, outputs: list[tuple[str, str]]) -> dict:
    """POST the page callback that has `input_key` among its inputs (from /_dash-dependencies), no
    input marked as changed; the response's {id: {prop: value}} for `outputs`."""
    dep = dash_bodies.find(dash_bodies.server_callbacks(client), input_key)
    resp = client.post("/_dash-update-component", json=dash_bodies.body(dep, values, changed=[]))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    response = resp.get_json()["response"]
    return {i: {p: response[i][p] for p in {p for j, p in outputs if j == i} if p in response.get(i, {})}
            for i in {i for i, _ in outputs} if i in response}


def csv_rows(client, path: str) -> list[dict]:
    resp = client.get(path)
    assert resp.status_code == 200
    return list(csv.DictReader(io.StringIO(resp.get_data().decode("utf-8-sig")), delimiter=";"))


def pdf_text(client, path: str, tmp_path) -> str:
    resp = client.get(path)
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pdf = tmp_path / f"{uuid.uuid4().hex}.pdf"
    pdf.write_bytes(resp.get_data())
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.replace(N, " ").split())


def flat(value) -> str:
    return " ".join(json.dumps(value, ensure_ascii=False).replace(N, " ").split())


# ---------------------------------------------------------------------------
# /msap: grid, count, funnel, map, CSV and workbook
# ---------------------------------------------------------------------------
def test_msap_grid_masks_small_counts_and_the_next_smallest_cell_of_their_total(dash_app, sqlite_url):
    dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        normal = msap(signed_client(server))
        shown = msap(presenting(signed_client(server)))
    plain = {r["finess"]: r for r in normal["msap-table"]["rowData"]}
    rows = {r["finess"]: r for r in shown["msap-table"]["rowData"]}
    # normal mode: every figure (B 5/8 = 62.5 %, below the volume minimum)
    assert (plain[B]["sejours"], plain[B]["sejours_cibles"], plain[B]["taux_pct"]) == (8, 5, 62.5)
    assert (plain[C]["sejours"], plain[C]["sejours_cibles"], plain[C]["taux_pct"]) == (50, 20, 40.0)
    # presentation: B (5/8) and A, its partner in Gironde, masked whole; rates, intervals and gaps hidden
    assert (rows[B]["sejours"], rows[B]["sejours_cibles"]) == (MASKED, MASKED)
    assert (rows[A]["sejours"], rows[A]["sejours_cibles"]) == (MASKED, MASKED)
    for f in (A, B):
        assert all(rows[f][c] == SECRET for c in ("taux_pct", "ic95_bas_pct", "ic95_haut_pct", "ecart_regional_pts",
                                                 "ecart_national_pts"))
        assert rows[f]["taux_regional_pct"] == 49.0 and rows[f]["taux_national_pct"] == 49.4
    # issue 13: the rule is not applied to them (a sweep of volume_min or ecart_pts would read their
    # masked figures from the volume test or the flag): « non évalué », whatever the thresholds
    for f in (A, B):
        assert rows[f]["cible"] == "non évalué"
        assert rows[f]["motif"] == ("Non évalué : séjours ou taux couverts par le secret statistique (ni le volume "
                                    "minimal ni l'écart ne sont testés, quel que soit le réglage).")
    # everything else is the normal mode's figure
    for f in (C, D, E, F):
        assert rows[f] == plain[f]
    assert plain[A]["cible"] == "oui" and plain[A]["taux_pct"] == 60.0
    # order: flagged, the rows shown, then the hidden ones by name (their place would tell their rate)
    assert [r["finess"] for r in normal["msap-table"]["rowData"]] == [A, B, E, F, C, D]
    assert [r["finess"] for r in shown["msap-table"]["rowData"]] == [E, F, C, D, B, A]
    # the count: the rows not evaluated are counted apart, not among those below the volume minimum
    # (B's 8 stays would tell)
    assert "sous le volume minimal" in flat(normal["msap-count"])
    assert "sous le volume minimal" not in flat(shown["msap-count"])
    assert "2 non évalués (secret statistique)" in flat(shown["msap-count"])
    assert "49,4 % (167 séjours suivis de SSR sur 338 séjours)" in flat(shown["msap-count"])
    # the grid shows texts as they are, and keeps its FINESS column (not anonymised)
    columns = {c.get("field") or c.get("colId"): c for c in shown["msap-table"]["columnDefs"]}
    assert "typeof params.value === 'string'" in columns["sejours"]["valueFormatter"]["function"]
    assert "finess" in columns
    assert normal["msap-table"]["columnDefs"][0]["field"] == "finess"


def test_msap_funnel_and_map_draw_no_hidden_establishment(dash_app, sqlite_url):
    dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        normal = msap(signed_client(server))
        shown = msap(presenting(signed_client(server)))

    def points(figure):
        return {c[0]: (x, round(y, 4), c[2]) for t in figure["data"] if t.get("mode") == "markers"
                for x, y, c in zip(t["x"], t["y"], t["customdata"])}

    assert set(points(normal["msap-funnel"]["figure"])) == {A, B, C, D, E, F}
    drawn = points(shown["msap-funnel"]["figure"])
    assert set(drawn) == {C, D, E, F}
    assert all(drawn[f] == points(normal["msap-funnel"]["figure"])[f] for f in drawn)  # unchanged
    assert drawn[C] == (50, 40.0, 20)
    note = shown["msap-funnel"]["figure"]["layout"]["annotations"][0]["text"]
    assert note == f"2{N}établissements non représentés (secret statistique)"
    # the x axis starts at the smallest volume drawn (40), not at B's 8 stays
    assert min(min(t["x"]) for t in shown["msap-funnel"]["figure"]["data"] if t["x"]) == 40
    # the map: A, the only flagged establishment, is masked: nothing flagged is drawn
    normal_trace = normal["msap-map"]["figure"]["data"][-1]
    assert normal_trace["customdata"][0][:2] == [A, "Clinique du Lac"]
    assert not any(A in json.dumps(t.get("customdata")) for t in shown["msap-map"]["figure"]["data"])


def test_msap_csv_and_workbook_carry_the_grid_of_the_mode(dash_app, sqlite_url):
    dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        client = signed_client(server)
        normal = {r["finess"]: r for r in csv_rows(client, "/export/msap.csv" + QUERY)}
        presenting(client)
        rows = {r["finess"]: r for r in csv_rows(client, "/export/msap.csv" + QUERY)}
        book = openpyxl.load_workbook(io.BytesIO(client.get("/export/msap.xlsx" + QUERY).get_data()))
    assert (normal[B]["sejours"], normal[B]["sejours_cibles"], normal[B]["taux_pct"]) == ("8", "5", "62,5")
    assert (rows[B]["sejours"], rows[B]["sejours_cibles"], rows[B]["taux_pct"]) == (MASKED, MASKED, SECRET)
    assert (rows[A]["sejours"], rows[A]["sejours_cibles"], rows[A]["ic95_bas_pct"]) == (MASKED, MASKED, SECRET)
    assert all(rows[f] == normal[f] for f in (C, D, E, F))
    sheet = list(book["Établissements"].iter_rows(values_only=True))
    by_finess = {r[0]: r for r in sheet[1:]}
    assert by_finess[B][5:8] == (MASKED, MASKED, SECRET) and by_finess[A][5:7] == (MASKED, MASKED)
    assert by_finess[C][5:8] == (50, 20, 40)


def test_msap_anonymised_letters_without_finess(dash_app, sqlite_url):
    dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        client = presenting(signed_client(server), anonymised=True)
        shown = msap(client)
        exported = csv_rows(client, "/export/msap.csv" + QUERY)
        with server.test_request_context():
            import flask

            from security.presentation import anonymous_names

            flask.session.update(presentation=True, anonyme=True, anon_salt="x")
            names = anonymous_names()
    rows = shown["msap-table"]["rowData"]
    assert {r["raison_sociale"] for r in rows} == {names[f][1] for f in (A, B, C, D, E, F)}
    assert all(re.fullmatch(r"Établissement [A-Z]{1,2}", r["raison_sociale"]) for r in rows)
    assert rows[0]["finess"] == names[E][0]  # the code of E's profile address, as row id (A, B masked: last)
    text = flat(shown)
    for finess, name in ((A, "Clinique du Lac"), (B, "Clinique des Pins"), (E, "Hôpital privé de Paris")):
        assert finess not in text and name not in text
    assert all(c.get("field") != "finess" for c in shown["msap-table"]["columnDefs"])
    assert [r["finess"] for r in exported] == [""] * 6
    assert [r["raison_sociale"] for r in exported] == [r["raison_sociale"] for r in rows]
    # the same establishment keeps its letter on every page of the session
    assert names[E][1] in flat(shown["msap-funnel"])


# ---------------------------------------------------------------------------
# /etablissement/<finess> and its PDF
# ---------------------------------------------------------------------------
PROFILE_OUTPUTS = [("etab-content", "hidden"), ("etab-notfound", "hidden"), ("etab-notfound", "children"),
                   ("etab-header", "children"), ("etab-top", "children"), ("etab-funnel-block", "hidden"),
                   ("etab-funnel-geste", "options"), ("etab-funnel-geste", "value"), ("etab-funnel-default", "data"),
                   ("etab-funnel", "children"), ("etab-funnel-key", "data"), ("etab-bottom", "children"),
                   ("etab-address", "data")]


def profile(client, finess: str, mode: str = "image") -> dict:
    store = {"finess": finess if re.fullmatch(r"\d{9}", finess) else None, "raw": finess, "annee": "2024",
             "geste": None}
    return dash_post(client, PROFILE_OUTPUTS, [("etab-annee", "value", None)],
                     [("etab-finess", "data", store), ("etab-funnel-geste", "value", None),
                      ("etab-funnel-mode", "value", mode)])


@pytest.mark.parametrize("mode", ["normal", "presentation", "anonymised"])
def test_the_opened_profile_is_the_one_the_year_callback_draws(dash_app, sqlite_url, mode):
    """Opening a profile is one request (the router draws the page with the profile in it); the
    tests of the profile's blocks below post its year callback, which must answer the same blocks."""
    dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        client = signed_client(server)
        if mode != "normal":
            presenting(client, anonymised=mode == "anonymised")
        address = A
        if mode == "anonymised":  # D's code, as the establishments' grid gives it
            address = next(r["finess"] for r in etabs(client)["etabs-grid"]["rowData"]
                           if r["departement"] == "Dordogne (24)" and r["statut"] == "Public")
            assert not address.isdigit()
        opened = dash_bodies.component_props(dash_bodies.page_content(client, f"/etablissement/{address}?annee=2024"))
        answered = profile(client, address)
    for component, prop in PROFILE_OUTPUTS:
        if component in ("etab-content", "etab-notfound"):
            continue
        assert opened[component][prop] == answered[component][prop], (component, prop)
    assert opened["etab-content"]["hidden"] is False and answered["etab-content"]["hidden"] is False


def test_profile_recourse_of_a_secondary_masked_establishment(dash_app, sqlite_url):
    dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        normal = flat(profile(signed_client(server), A)["etab-top"])
        shown = flat(profile(presenting(signed_client(server)), A)["etab-top"])
        interactive = flat(profile(presenting(signed_client(server)), D, "interactif")["etab-funnel"])
    # A: 60/100 = 60 %, masked as B's partner; Nouvelle-Aquitaine 97/198 = 49,0 %; France 167/338 = 49,4 %
    assert "60,0 %\\n(60/100 séjours)" in normal and "limites 99,8 %" in normal
    assert "s\\n(masqué/masqué séjours)" in shown and "(60/100" not in shown and "60,0" not in shown
    assert "49,0 %\\n(97/198)" in shown and "49,4 %\\n(167/338)" in shown
    assert "limites 99,8 %" not in shown  # the funnel position derives from the hidden rate
    # D's interactive funnel: A and B are not drawn, the caption counts them
    assert "6 établissements, dont 2 non représentés (secret statistique)" in interactive
    assert "Clinique des Pins" not in interactive and "Clinique du Lac" not in interactive
    assert "Centre hospitalier de Bègles" in interactive and "Hôpital privé de Paris" in interactive


def test_profile_indicators_mask_counts_of_stays_not_days(dash_app, sqlite_url):
    dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        s1_normal = flat(profile(signed_client(server), S1)["etab-top"]).replace(N, " ")
        s1 = flat(profile(presenting(signed_client(server)), S1)["etab-top"]).replace(N, " ")
        s2 = flat(profile(presenting(signed_client(server)), S2)["etab-top"]).replace(N, " ")
        s3 = flat(profile(presenting(signed_client(server)), S3)["etab-top"]).replace(N, " ")
    assert "5,00 %\\n(5/100)" in s1_normal
    # REHOSP_30J: S1's 5 re-hospitalisations are masked (the row whole); the region's total (55) is
    # shown, so a partner is masked with it: S2, of the same département and status; S3's 30/200 shown
    assert "s\\n(masqué/masqué)" in s1 and "(5/100)" not in s1
    assert "s\\n(masqué/masqué)" in s2 and "13,3" not in s2
    assert "15,0 %\\n(30/200)" in s3
    # the région's reference: Σ 55/450 = 12,2 % over 3 establishments, shown; the comparables' (the
    # same three here) cross the régions: not published in presentation mode
    assert "12,2 %\\n55/450\\n3 établ." in s1
    # DMS_HC: days are not a count of stays or patients, nothing hidden: 3000/100 = 30 days
    assert "30,0 jours\\n(3 000/100)" in s1


def test_pdf_follows_the_mode(dash_app, sqlite_url, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) absent")
    dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        client = signed_client(server)
        internal = pdf_text(client, f"/export/profil/{A}.pdf?annee=2024", tmp_path)
        presenting(client)
        shown = pdf_text(client, f"/export/profil/{A}.pdf?annee=2024", tmp_path)
        s1 = pdf_text(client, f"/export/profil/{S1}.pdf?annee=2024", tmp_path)
        presenting(client, anonymised=True)
        by_finess = client.get(f"/export/profil/{C}.pdf?annee=2024")
        with server.test_request_context():
            import flask

            from security.presentation import anonymous_names

            flask.session.update(presentation=True, anonyme=True, anon_salt="x")
            code, label = anonymous_names()[C]
        by_code = pdf_text(client, f"/export/profil/{code}.pdf?annee=2024", tmp_path)
    assert "60,0 % (60/100)" in internal and "document interne" in internal and A in internal
    assert "s (masqué/masqué)" in shown and "60/100" not in shown and "secret statistique appliqué" in shown
    assert "49,0 % (97/198)" in shown and "49,4 % (167/338)" in shown
    assert "(masqué/masqué)" in s1 and "5/100" not in s1 and "5,00 %" not in s1
    # anonymised (issue 13): the FINESS names no profile (it would link the letter back), the code does
    assert by_finess.status_code == 404 and "introuvable" in by_finess.get_data(as_text=True)
    assert label in by_code and C not in by_code and "Centre hospitalier de Bègles" not in by_code
    assert "Bordeaux" not in by_code and "110 lits" not in by_code  # no commune, a capacity band


# ---------------------------------------------------------------------------
# /caqes and /etablissements: no count of stays or patients; anonymised names
# ---------------------------------------------------------------------------
CAQES_OUTPUTS = [("caqes-headline", "children"), ("caqes-breadcrumb", "children"), ("caqes-export", "href"),
                 ("caqes-territories-title", "children"), ("caqes-territories", "rowData"),
                 ("caqes-territories", "columnDefs"), ("caqes-table-title", "children"), ("caqes-table", "rowData"),
                 ("caqes-table", "columnDefs")]
CAQES_VIEW = {"annee": 2024, "volet": "tous", "indicateur": "tous", "perimetre": "FR", "niveau": "reg"}


def caqes(client, view: dict) -> dict:
    """The answer of /caqes's one callback for `view` (controls set to it, nothing drawn yet), the
    parts of CAQES_OUTPUTS."""
    values = {f"caqes-{name}.value": value for name, value in view.items()}
    return _answer(client, "caqes-volet.value",
                   {**values, "caqes-view.data": view, "caqes-figure-key.data": None}, CAQES_OUTPUTS)


def test_caqes_figures_unchanged_names_anonymised(dash_app, sqlite_url):
    dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        normal = caqes(signed_client(server), CAQES_VIEW)
        shown = caqes(presenting(signed_client(server)), CAQES_VIEW)
        client = presenting(signed_client(server), anonymised=True)
        anonymous = caqes(client, CAQES_VIEW)
        exported = csv_rows(client, "/export/caqes.csv?annee=2024")
    assert shown == normal  # results, statuses and euros: no count of stays or patients
    (row,) = anonymous["caqes-table"]["rowData"]
    assert re.fullmatch(r"Établissement [A-Z]{1,2}", row["nom"]) and row["finess"] != A
    assert row["lien"] == f"[{row['nom']}](/etablissement/{row['finess']}?annee=2024#etab-caqes-section)"
    assert (row["atteints"], row["en_progres"], row["interessement_eur"]) == (0, 1, 1200)
    assert A not in flat(anonymous) and "Clinique du Lac" not in flat(anonymous)
    assert anonymous["caqes-table"]["columnDefs"][0].get("field") == "lien"
    assert [(r["finess"], r["raison_sociale"], r["statut"]) for r in exported] == [("", row["nom"], "en progrès")]


ETABS_OUTPUTS = [("etabs-grid", "rowData"), ("etabs-count", "children"), ("etabs-grid", "columnDefs"),
                 ("etabs-address", "data")]


def etabs(client, query: str = "") -> dict:
    from pages.etablissements import COLUMNS

    return dash_post(client, ETABS_OUTPUTS, [("etabs-search", "value", query), ("etabs-region", "value", "tous"),
                                             ("etabs-departement", "value", "tous"), ("etabs-statut", "value", "tous"),
                                             ("etabs-activite", "value", "tous")],
                     [("etabs-grid", "columnDefs", COLUMNS)])


def test_directory_unchanged_in_presentation_and_anonymised_search(dash_app, sqlite_url):
    dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        normal = etabs(signed_client(server))
        shown = etabs(presenting(signed_client(server)))
        client = presenting(signed_client(server), anonymised=True)
        anonymous = etabs(client)
        by_name = etabs(client, "clinique du lac")
        by_commune = etabs(client, "perigueux")
    assert shown["etabs-grid"]["rowData"] == normal["etabs-grid"]["rowData"]  # capacities are not secret
    assert "etabs-grid" not in shown or "columnDefs" not in shown["etabs-grid"]  # columns left as they are
    rows = anonymous["etabs-grid"]["rowData"]
    assert len(rows) == 9 and all(re.fullmatch(r"Établissement [A-Z]{1,2}", r["nom"]) for r in rows)
    assert all(r["lien"] == f"[{r['nom']}](/etablissement/{r['finess']})" for r in rows)
    assert not re.search(r"\d{9}", flat(anonymous)) and "Clinique" not in flat(anonymous)
    # issue 13: no commune column, the capacity a band (a text column)
    assert [c["field"] for c in anonymous["etabs-grid"]["columnDefs"]] == [
        "lien", "departement", "region", "statut", "activite", "lits_places"]
    assert by_name["etabs-grid"]["rowData"] == []  # a name typed does not give its letter away
    assert by_commune["etabs-grid"]["rowData"] == []  # nor a commune (issue 13: communes are not shown)
    assert "Périgueux" not in flat(anonymous) and "Bordeaux" not in flat(anonymous)


def test_the_anonymised_code_opens_the_profile(dash_app, sqlite_url):
    dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        client = presenting(signed_client(server), anonymised=True)
        code = next(r["finess"] for r in etabs(client)["etabs-grid"]["rowData"] if r["departement"] == "Dordogne (24)"
                    and r["statut"] == "Public")  # D, the only public establishment of Dordogne
        by_finess = profile(client, D)
        shown = profile(client, code)
        plain = profile(signed_client(server), code)
    assert shown["etab-content"]["hidden"] is False
    header = flat(shown["etab-header"])
    assert re.search(r'"children": "Établissement [A-Z]{1,2}", "id": "etab-title"', header), header
    assert "Centre hospitalier de Périgueux" not in flat(shown) and D not in flat(shown)
    assert f"/export/profil/{code}.pdf?annee=2024" in header
    assert "FINESS" not in flat(shown["etab-top"])
    assert plain["etab-content"]["hidden"] is True  # outside the anonymised mode a code is no address
    # anonymised, a FINESS is no address (issue 13): « introuvable », nothing of D
    assert by_finess["etab-content"]["hidden"] is True and by_finess["etab-notfound"]["hidden"] is False
    assert "Centre hospitalier de Périgueux" not in flat(by_finess) and "Périgueux" not in flat(shown)


# ---------------------------------------------------------------------------
# Property: random small datasets
# ---------------------------------------------------------------------------
SMALL = re.compile(r"(?<![\d,.])(?:[1-9]|10)(?![\d,])")
DATA_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")


def readable(response: dict) -> str:
    """The texts of a Dash response as a reader sees them: its strings, and the <text> of its SVG images."""
    import base64

    text = flat(response)
    svg_texts = [t for uri in DATA_URI.findall(text)
                 for t in re.findall(r"<text[^>]*>([^<]*)</text>", base64.b64decode(uri).decode("utf-8"))]
    return DATA_URI.sub("", text) + " " + " ".join(svg_texts).replace(N, " ")


# 'x/n' of two counts ('12 345/410', thousands grouped by a space); a date's '01/03' is not one
FRACTION = re.compile(r"(?<!\d)(0|[1-9]\d{0,2}(?:[ \u00a0]\d{3})*)/(0|[1-9]\d{0,2}(?:[ \u00a0]\d{3})*)(?!\d)")


def assert_no_small_count(text: str) -> None:
    """No 'x/n' with a count from 1 to 10, and no '5 séjours'."""
    small = [m.group(0) for m in FRACTION.finditer(text)
             if any(1 <= int(re.sub(r"\D", "", g)) <= 10 for g in m.groups())]
    assert not small, (small, text)
    assert not re.search(r"(?<![\d,])(?:[1-9]|10)[ \u00a0]séj", text), text
COMMUNES = ["33063", "24322", "75056"]


def _establishments(draw_list):
    return [(f"33{i:07d}" if c == "33063" else f"24{i:07d}" if c == "24322" else f"75{i:07d}", c, stays, cases)
            for i, (c, stays, cases) in enumerate(draw_list, start=1)]


cells = st.lists(st.tuples(st.sampled_from(COMMUNES), st.integers(0, 60), st.floats(0, 1)),
                 min_size=2, max_size=7).map(lambda xs: [(c, n, int(n * r)) for c, n, r in xs])


@settings(max_examples=10, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cells=cells)
def test_presentation_never_shows_a_count_from_1_to_10(dash_app, sqlite_template, tmp_path_factory, cells):
    path = tmp_path_factory.mktemp("prop") / "atlas.sqlite"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    rows = _establishments(cells)
    add_establishments(url, [(f, f"Établ {f}", "prive", "MCO", c) for f, c, _n, _k in rows])
    add_ssr(url, [(f, 2024, "PTG", "75+", n, k) for f, _c, n, k in rows])
    rule = {**RULE, "volume_min": 0}
    query = QUERY.replace("volume_min=30", "volume_min=0")
    try:
        with app_on(dash_app, url) as server:
            client = signed_client(server)
            normal = msap(client, rule)
            normal_csv = csv_rows(client, "/export/msap.csv" + query)
            presenting(client)
            shown = msap(client, rule)
            shown_csv = csv_rows(client, "/export/msap.csv" + query)
            target = max(rows, key=lambda r: (0 < r[3] <= 10, r[2]))[0]  # one with a small count if any
            pdf = pdf_text(client, f"/export/profil/{target}.pdf?annee=2024", tmp_path_factory.mktemp("pdf"))
            page = profile(client, target)
            interactive = profile(client, target, "interactif")
    finally:
        dispose_all()
    examined = {f: (n, k) for f, _c, n, k in rows if n > 0}
    grid = {r["finess"]: r for r in shown["msap-table"]["rowData"]}
    plain = {r["finess"]: r for r in normal["msap-table"]["rowData"]}
    assert set(grid) == set(examined)
    # 1. no count from 1 to 10: grid, CSV, funnel and map data, count block, PDF
    for r in list(grid.values()) + shown_csv:
        for col in ("sejours", "sejours_cibles"):
            value = r[col]
            assert value in (MASKED,) or not 1 <= int(value) <= 10, (col, r)
        assert not re.search(r"(?<![\d,])(?:[1-9]|10)\s?séjours?", r["motif"].replace(N, " ")), r["motif"]
    for trace in shown["msap-funnel"]["figure"]["data"] + [shown["msap-map"]["figure"]["data"][-1]]:
        if trace.get("customdata"):
            if trace.get("x") is not None and trace.get("mode") == "markers":
                assert all(x > 10 for x in trace["x"])
            for c in trace["customdata"]:
                assert not SMALL.fullmatch(str(c[2])), c
    count = flat(shown["msap-count"])
    assert not re.search(r"(?<![\d,])(?:[1-9]|10) séjours?", count), count
    assert_no_small_count(pdf)
    assert_no_small_count(readable(page))
    assert_no_small_count(readable(interactive))
    graphs = [c["props"]["figure"] for c in interactive["etab-funnel"]["children"] or []
              if isinstance(c, dict) and "figure" in c.get("props", {})]
    for trace in [t for g in graphs for t in g["data"] if t.get("mode") == "markers"]:
        assert all(x > 10 for x in trace["x"]), trace
    # 2. no masked cell can be computed back from the national total the page shows
    national = re.search(r"\(([^()]*) séjours suivis de SSR sur ([^()]*) séjours\)", count)
    order = list(examined)
    for col, index in (("sejours", 0), ("sejours_cibles", 1)):
        masked = [grid[f][col] in (MASKED,) for f in order]
        shown_total = bool(national) and national.group(2 - index) not in (MASKED,)
        assert deducible([examined[f][index] for f in order], masked, shown_total) == []
    # 3. every figure outside the masked cells is the normal mode's
    hidden_rate = {f for f, r in grid.items() if r["taux_pct"] == SECRET}
    # issue 13: the rule is not applied to a row whose figures (or references) are masked
    withheld = {f for f, r in grid.items() if r["cible"] == "non évalué"}
    assert hidden_rate <= withheld
    for f, r in grid.items():
        for col, value in r.items():
            if value not in (MASKED, SECRET) and col != "motif" and not (col == "cible" and f in withheld):
                assert value == plain[f][col], (f, col)
        if f not in hidden_rate and r["taux_regional_pct"] != SECRET and r["taux_national_pct"] != SECRET:
            assert r["motif"] == plain[f]["motif"]
    normal_by = {r["finess"]: r for r in normal_csv}
    for r in shown_csv:
        kept = [c for c, v in r.items() if v not in (MASKED, SECRET) and c != "motif"
                and not (c == "cible" and r["finess"] in withheld)]
        assert {c: r[c] for c in kept} == {c: normal_by[r["finess"]][c] for c in kept}
    assert [r["finess"] for r in shown["msap-table"]["rowData"] if r["finess"] not in withheld] == [
        r["finess"] for r in normal["msap-table"]["rowData"] if r["finess"] not in withheld]
