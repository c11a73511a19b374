"""The establishment profile on SQLite and PostgreSQL: hand-made rows in, hand-computed figures out
(the page's data function, the PDF route and the "introuvable" answers)."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from sqlalchemy import insert, update

from data_access import models
from data_access.db import get_engine
from tests.conftest import app_on, signed_client
from tests.factories import add_establishments, small_ssr_dataset

N = "\u00a0"


def _insert(url: str, table, rows: list[dict]) -> None:
    with get_engine(url).begin() as conn:
        conn.execute(insert(table), rows)
        conn.execute(update(models.DataVersion).values(version=models.DataVersion.version + 1))


def profile_dataset(url: str) -> None:
    """small_ssr_dataset (five MCO establishments, recourse 2023-2024) plus three SSR establishments,
    SSR profile values for 2024, a CAQES contract and MSAP decisions."""
    small_ssr_dataset(url)
    add_establishments(url, [
        ("330000033", "Centre de rééducation Les Pins", "prive", "SSR", "33063"),
        ("240000029", "Clinique SSR du Périgord", "prive", "SSR", "24322"),
        ("750000027", "Centre de SSR de Paris", "public", "SSR", "75056"),
    ])
    values = []
    for finess, (days, stays, rehosp, gmd) in {
        "330000025": (2400, 100, 15, 40),  # CHU de Bordeaux (MCO+SSR, public)
        "330000033": (3000, 100, 5, 30),
        "240000029": (1500, 60, 3, 50),
        "750000027": (4000, 200, 10, 20),
    }.items():
        values += [dict(finess=finess, year=2024, indicator="DMS_HC", numerator=days, denominator=stays),
                   dict(finess=finess, year=2024, indicator="REHOSP_30J", numerator=rehosp, denominator=stays),
                   dict(finess=finess, year=2024, indicator="NB_GMD_80", numerator=gmd, denominator=None)]
    values.append(dict(finess="330000025", year=2023, indicator="DMS_HC", numerator=2600, denominator=100))
    _insert(url, models.ProfileValue, values)
    _insert(url, models.CaqesContract, [dict(finess="330000025", start_year=2022, end_year=2026,
                                             signed_on=dt.date(2022, 6, 15),
                                             parts="produits_sante+organisation+pertinence")])
    _insert(url, models.CaqesResult, [
        dict(finess="330000025", year=2024, indicator="N_IPP", baseline=45.0, target=40.0, achieved=47.0,
             savings_eur=10_000.0),
        dict(finess="330000025", year=2024, indicator="N_PERFADOM", baseline=60.0, target=66.0, achieved=63.0,
             savings_eur=20_000.0),
        dict(finess="330000025", year=2024, indicator="R_PRADO", baseline=35.0, target=40.0, achieved=41.0,
             savings_eur=None),
    ])
    _insert(url, models.MsapDecision, [
        dict(finess="330000017", campaign="SSR", gesture="PTG", year=2024, decision="ciblee",
             decided_on=dt.date(2024, 2, 1), start_on=None, end_on=None),
        dict(finess="330000017", campaign="SSR", gesture="PTG", year=2024, decision="notifiee",
             decided_on=dt.date(2024, 3, 15), start_on=dt.date(2024, 4, 1), end_on=dt.date(2024, 9, 30)),
    ])


def _load(server, finess, annee="2024"):
    from services.profile import load_profile

    with server.test_request_context("/"):
        return load_profile(finess, annee)


def test_profile_figures_are_the_hand_computed_ones(dash_app, db_url):
    profile_dataset(db_url)
    with app_on(dash_app, db_url) as server:
        p = _load(server, "330000025")
    assert p.info["name"] == "CHU de Bordeaux" and p.info["region"] == "Nouvelle-Aquitaine"
    assert p.year == 2024 and p.years == [2023, 2024]
    rows = {r.code: r for r in p.profile_rows}
    dms = rows["DMS_HC"]
    assert dms.own.value == 24.0  # 2400 / 100
    # Nouvelle-Aquitaine: (2400 + 3000 + 1500) / (100 + 100 + 60) = 6900/260 = 26.54 jours
    assert (dms.refs["region"].numerator, dms.refs["region"].denominator, dms.refs["region"].n) == (6900, 260, 3)
    assert dms.refs["region"].value == pytest.approx(26.538461538)
    # France: 10 900 / 460 = 23.70; 24 / 23.70 = 1.013, within 5 %: similar; region: 24 < 26.54 - 5 %: better
    assert dms.refs["france"].value == pytest.approx(23.695652174)
    assert dms.marks["region"] == "better" and dms.marks["france"] == "similar"
    # Comparables: MCO+SSR, public, same size third: the CHU alone
    assert dms.refs["comparables"].n == 1 and dms.refs["comparables"].value == 24.0
    assert dms.series == [(2023, 26.0), (2024, 24.0)]
    # REHOSP: 15 %, Wilson 9.3 – 23.4 %; region 23/260 = 8.85 %, France 33/460 = 7.17 %: worse than both
    rehosp = rows["REHOSP_30J"]
    assert rehosp.refs["region"].value == pytest.approx(100 * 23 / 260)
    assert rehosp.marks["region"] == "worse" and rehosp.marks["france"] == "worse"
    # NB_GMD_80: medians; region median(40, 30, 50) = 40, France median(40, 30, 50, 20) = 35
    assert rows["NB_GMD_80"].refs["region"].value == 40 and rows["NB_GMD_80"].refs["france"].value == 35
    assert rows["ETP_LIT"].own is None and rows["ETP_LIT"].refs["france"] is None
    # SSR recourse, PTG 2024: 30/120 = 25 %; region (60 + 30 + 10)/(100 + 120 + 50) = 100/270; France 149/380
    (ptg,) = p.recourse_rows
    assert (ptg.gesture, ptg.with_ssr, ptg.stays) == ("PTG", 30, 120)
    assert ptg.region[:2] == (100, 270) and ptg.france[:2] == (149, 380)
    assert ptg.marks == {"region": "better", "france": "better"}
    # CAQES 2024: N_IPP non atteint (47 > 45, lower is better), N_PERFADOM (63 − 60)/(66 − 60) = 0.5, R_PRADO atteint
    assert p.caqes_year == 2024
    assert p.caqes_results[["indicator", "status"]].values.tolist() == [
        ["N_IPP", "non atteint"], ["N_PERFADOM", "en progrès"], ["R_PRADO", "atteint"]]
    assert p.points == [
        f"Taux de réhospitalisation à 30 jours dans le même établissement : 15,0{N}% (15/100), contre 8,85{N}% "
        f"en région et 7,17{N}% en France.",
        "CAQES 2024 — Part des prescriptions d'IPP hospitalières exécutées en ville hors indication : "
        f"47,0{N}% réalisé pour une cible de 40,0{N}% (valeur initiale 45,0{N}%), non atteint (atteinte 0{N}%).",
        "CAQES 2024 — Part des prescriptions de perfusion à domicile (PERFADOM) conformes : "
        f"63,0{N}% réalisé pour une cible de 66,0{N}% (valeur initiale 60,0{N}%), en progrès (atteinte 50{N}%).",
    ]


def test_mco_establishment_profile_has_recourse_msap_and_a_funnel_point(dash_app, db_url):
    profile_dataset(db_url)
    with app_on(dash_app, db_url) as server:
        p = _load(server, "330000017", "2024")
        p2023 = _load(server, "330000017", "2023")
        fallback = _load(server, "330000017", "1999")
    assert not p.is_ssr and p.profile_rows == []  # no SSR activity: no profile table
    rows = {r.gesture: r for r in p.recourse_rows}
    # PTG: (40 + 20)/(60 + 40) = 60 %, above the 99.8 % limit around 149/380 = 39.2 % for 100 stays
    assert (rows["PTG"].with_ssr, rows["PTG"].stays) == (60, 100) and rows["PTG"].above_998
    assert rows["PTH"].with_ssr == 10 and rows["PTH"].stays == 20
    assert p.points[0].startswith(f"Taux de recours au SSR après prothèse totale de genou (PTG) : 60,0{N}% (60/100)")
    assert p.msap_history["decision"].tolist() == ["ciblee", "notifiee"]
    assert [c for c, _ in p.msap_flags] == ["SSR", "AMBU"]
    assert p2023.year == 2023 and {r.gesture for r in p2023.recourse_rows} == {"PTG"}
    assert fallback.year == 2024 and fallback.notices  # an unknown year falls back with a notice


@pytest.mark.parametrize("finess", ["999999999", "12345", "33000001X"])
def test_unknown_or_malformed_finess_gives_none_and_a_french_404(dash_app, db_url, finess):
    profile_dataset(db_url)
    with app_on(dash_app, db_url) as server:
        assert _load(server, finess) is None
        resp = signed_client(server).get(f"/export/profil/{finess}.pdf?annee=2024")
    assert resp.status_code == 404
    text = resp.get_data(as_text=True)
    assert "Établissement introuvable" in text and 'lang="fr"' in text and "Traceback" not in text


def test_pdf_route_returns_an_a4_pdf_with_the_profile(dash_app, db_url, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) absent")
    profile_dataset(db_url)
    with app_on(dash_app, db_url) as server:
        resp = signed_client(server).get("/export/profil/330000025.pdf?annee=2024")
        p = _load(server, "330000025")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pdf = tmp_path / "profil.pdf"
    pdf.write_bytes(resp.get_data())
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info
    flat = " ".join(text.replace(N, " ").split())
    for expected in ("CHU de Bordeaux", "330000025", "Votre établissement", "Région", "France", "Comparables",
                     "Points d'attention 2024", "Secret statistique", "Sources : PMSI"):
        assert expected in flat, expected
    first = " ".join(p.points[0].replace(N, " ").split())
    assert first in flat


def test_pdf_masks_counts_from_1_to_10_in_presentation_mode_only(dash_app, db_url, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) absent")
    profile_dataset(db_url)

    def text(client) -> str:
        resp = client.get("/export/profil/330000017.pdf?annee=2024")
        assert resp.status_code == 200
        pdf = tmp_path / "profil.pdf"
        pdf.write_bytes(resp.get_data())
        return " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                       check=True).stdout.replace(N, " ").split())

    with app_on(dash_app, db_url) as server:
        client = signed_client(server)
        internal = text(client)  # a médecin-conseil's internal interview: the real figures
        with client.session_transaction() as session:
            session["presentation"] = True
        flat = text(client)
    assert "50,0 % (10/20)" in internal and "document interne" in internal
    # PTH: 10 stays followed by SSR out of 20: the numerator is secret, so is the rate (masked whole)
    assert "s (masqué/masqué)" in flat and "10/20" not in flat and "50,0 % (10/20)" not in flat
    assert "secret statistique appliqué" in flat
    # PTG 60/100 is shown, with its point d'attention
    assert "60,0 % (60/100)" in flat
