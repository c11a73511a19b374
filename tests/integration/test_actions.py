"""Action follow-up on SQLite and PostgreSQL: steps recorded through the Dash callbacks and through
`manage.py import actions`; /export/campagnes.csv equals the on-screen funnel; a concurrent edit is
refused in French with the current state; wrong steps change nothing; iraps gets 403 on every
actions route and callback; a campaign made from an /msap list keeps the list and its rule."""
from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from dataclasses import asdict
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import func, select

from config import ROOT
from data_access import models, users
from data_access.db import get_engine
from tests.conftest import app_on, dash_body, find_component, page_layout, sign_in
from tests.factories import small_ssr_dataset

CAMPAIGNS = """code;label;theme;year;perimeter
NA-2026;Accompagnement Nouvelle-Aquitaine;transfert_ssr;2026;R75
FR-2025;MSAP SSR France;msap_ssr;2025;FR
"""
# 330000017 is met then its outcome corrected; 330000025 has its interview corrected away;
# 240000011 is targeted only; 750000019 (Paris) goes to a checked MSAP; rows are not in date order.
ACTIONS = """campaign;finess;step;date;by;note
NA-2026;330000017;ciblee;2026-01-05;Mme Roux;
NA-2026;330000025;ciblee;2026-01-05;Mme Roux;
NA-2026;240000011;ciblee;05/01/2026;Mme Roux;
NA-2026;330000017;entretien;2026-03-02;Dr Martin;"Entretien cordial.
- revoir les indications"
NA-2026;330000017;contactee;2026-02-01;Mme Roux;
NA-2026;330000017;profil_remis;2026-03-02;Dr Martin;
NA-2026;330000017;msap_notifiee;2026-04-01;Mme Roux;
NA-2026;330000017;engagement;2026-04-02;Mme Roux;correction : engagement, pas de MSAP
NA-2026;330000025;contactee;2026-02-03;Mme Roux;
NA-2026;330000025;entretien;2026-02-20;Dr Martin;
NA-2026;330000025;contactee;2026-02-21;Mme Roux;=pas une formule? non : refusé
FR-2025;750000019;ciblee;2025-02-01;Mme Roux;
FR-2025;750000019;msap_notifiee;2025-05-01;Mme Roux;
FR-2025;750000019;controle;2025-11-01;Dr Martin;+ conforme
"""
FUNNEL_COLUMNS = ["campagne", "libelle", "theme", "annee", "region", "ciblees", "contactees", "entretiens", "profils_remis", "msap_notifiees", "contrats_signes", "engagements", "sans_suite", "controles", "closes", "taux_entretien_pct"]
STEP_COLUMNS = ["campagne", "finess", "raison_sociale", "region", "departement", "etape", "date", "saisi_par", "note"]


def _manage(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "--url", url, *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def _history(tmp_path, text: str):
    path = tmp_path / "actions.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _import_history(url: str, tmp_path, actions: str = ACTIONS) -> subprocess.CompletedProcess:
    campaigns = tmp_path / "campagnes.csv"
    campaigns.write_text(CAMPAIGNS, encoding="utf-8")
    done = _manage(url, "import", "campaigns", str(campaigns), "--user", "marie")
    assert done.returncode == 0, done.stderr
    return _manage(url, "import", "actions", str(_history(tmp_path, actions)), "--user", "marie")


VALID_ACTIONS = ACTIONS.replace("=pas une formule? non : refusé", "relance")


def test_manage_py_imports_the_history_all_or_nothing(db_url, tmp_path):
    small_ssr_dataset(db_url)
    # the formula-like note of line 13 (the note of line 5 spans two lines) is refused first: all or nothing, nothing written
    refused = _import_history(db_url, tmp_path)
    assert refused.returncode == 1
    assert "ligne 13, colonne « note »" in refused.stderr and "risque d'injection" in refused.stderr
    assert _count(db_url, models.ActionStep) == 0
    done = _import_history(db_url, tmp_path, VALID_ACTIONS)
    assert done.returncode == 0, done.stderr
    assert "14 lignes ajoutées" in done.stdout


def _loaded(url: str, tmp_path) -> None:
    """The hand-made history, imported in-process by the same function `manage.py import` calls (the
    command line itself is tested once above: a subprocess per test cost minutes of the suite)."""
    from data_access import imports

    small_ssr_dataset(url)
    campaigns = tmp_path / "campagnes.csv"
    campaigns.write_text(CAMPAIGNS, encoding="utf-8")
    imports.import_file(url, "campaigns", campaigns, user="marie")
    report = imports.import_file(url, "actions", _history(tmp_path, VALID_ACTIONS), user="marie")
    assert report.inserted == 14


def _count(url: str, model) -> int:
    with get_engine(url).connect() as conn:
        return conn.scalar(select(func.count()).select_from(model))


def _csv(client, path: str, columns: list[str]) -> list[dict]:
    resp = client.get(path)
    assert resp.status_code == 200 and resp.mimetype == "text/csv", resp.get_data(as_text=True)[:300]
    text = resp.get_data().decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(columns)
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def _post(client, body: dict):
    return client.post("/_dash-update-component", json=body)


def _response(client, body: dict) -> dict:
    resp = _post(client, body)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_json()["response"]


def _profile_actions(server, role: str, finess: str, presentation: bool = False):
    """The profile's follow-up section as the profile's layout draws it (its container's children)."""
    layout = page_layout(server, role, "etablissement", presentation=presentation, finess=finess)
    return find_component(layout, "profile-actions").children


def _grids(node, found=None) -> dict:
    """Every regional grid of the /actions cards: campaign code -> rowData."""
    found = {} if found is None else found
    if isinstance(node, dict):
        props = node.get("props", {})
        ident = props.get("id") if isinstance(props, dict) else None
        if isinstance(ident, dict) and ident.get("type") == "actions-regions":
            found[ident["code"]] = props["rowData"]
        for value in node.values():
            _grids(value, found)
    elif isinstance(node, list):
        for item in node:
            _grids(item, found)
    return found


def _fr(x) -> str:
    return "" if x is None else (f"{x:.1f}".replace(".", ",") if isinstance(x, float) else str(x))


def test_imported_history_gives_the_hand_counted_funnel_and_the_csv_equals_the_screen(dash_app, db_url, tmp_path):
    _loaded(db_url, tmp_path)
    with app_on(dash_app, db_url) as server:
        client = sign_in(server.test_client(), "analyste")
        exported = _csv(client, "/export/campagnes.csv", FUNNEL_COLUMNS)
        screen = _grids(_response(client, dash_body(dash_app, "render_campaigns", [{"annee": None}])))
        only_2026 = _csv(client, "/export/campagnes.csv?annee=2026", FUNNEL_COLUMNS)
    by_key = {(r["campagne"], r["region"]): r for r in exported}
    assert by_key[("NA-2026", "Nouvelle-Aquitaine")] == {
        "campagne": "NA-2026", "libelle": "Accompagnement Nouvelle-Aquitaine", "theme": "transfert_ssr",
        "annee": "2026", "region": "Nouvelle-Aquitaine", "ciblees": "3", "contactees": "2", "entretiens": "1",
        "profils_remis": "1", "msap_notifiees": "0", "contrats_signes": "0", "engagements": "1", "sans_suite": "0",
        "controles": "0", "closes": "0", "taux_entretien_pct": "33,3"}
    paris = by_key[("FR-2025", "Île-de-France")]
    assert (paris["ciblees"], paris["entretiens"], paris["msap_notifiees"], paris["controles"],
            paris["taux_entretien_pct"]) == ("1", "1", "1", "1", "100,0")
    assert [r["campagne"] for r in only_2026] == ["NA-2026"]
    # the screen's regional tables hold exactly the exported rows (the Total row only when several regions)
    shown = [{c: _fr(r[c]) for c in FUNNEL_COLUMNS} for code in screen for r in screen[code] if r["region"] != "Total"]
    assert sorted(shown, key=lambda r: (r["campagne"], r["region"])) == sorted(
        exported, key=lambda r: (r["campagne"], r["region"]))


def test_reimporting_the_same_history_adds_nothing_and_the_step_export_keeps_notes_safe(dash_app, db_url, tmp_path):
    _loaded(db_url, tmp_path)
    again = _import_history(db_url, tmp_path, ACTIONS.replace("=pas une formule? non : refusé", "relance"))
    assert again.returncode == 0 and "0 lignes ajoutées, 14 mises à jour" in again.stdout
    assert _count(db_url, models.ActionStep) == 14
    with app_on(dash_app, db_url) as server:
        rows = _csv(sign_in(server.test_client(), "medecin_conseil"), "/export/actions.csv?campagne=FR-2025",
                    STEP_COLUMNS)
    assert [(r["finess"], r["etape"], r["date"], r["saisi_par"]) for r in rows] == [
        ("750000019", "ciblee", "2025-02-01", "Mme Roux"), ("750000019", "msap_notifiee", "2025-05-01", "Mme Roux"),
        ("750000019", "controle", "2025-11-01", "Dr Martin")]
    assert rows[2]["note"] == "'+ conforme"  # neutralised for the spreadsheet
    assert rows[0]["raison_sociale"] == "Hôpital privé de Paris" and rows[0]["departement"] == "Paris"


def _record_body(dash_app, finess: list[str], step: str, date: str, versions: dict, note: str = "",
                 code: str = "NA-2026", medecin: str = "", conforme: str = "") -> dict:
    return dash_body(dash_app, "record_campaign_step", [1],
                     [{"code": code}, finess, step, date, medecin, "", conforme, note, versions, 0])


def _versions(client, dash_app, code: str = "NA-2026") -> dict:
    out = _response(client, dash_body(dash_app, "render_campaign", ["", "", 0, 0], [{"code": code}]))
    return out["action-versions"]["data"]


def _message(response: dict, key: str) -> str:
    return response[key]["children"]["props"]["children"] if isinstance(response[key]["children"]["props"]
                                                                         ["children"], str) \
        else str(response[key]["children"]["props"]["children"])


def test_steps_recorded_through_the_callbacks_move_the_funnel_and_are_audited(dash_app, db_url, tmp_path):
    _loaded(db_url, tmp_path)
    today = dt.date.today().isoformat()
    with app_on(dash_app, db_url) as server:
        medecin = sign_in(server.test_client(), "medecin_conseil")
        versions = _versions(medecin, dash_app)
        note = "<script>alert(1)</script> entretien\nsuite à donner"
        out = _response(medecin, _record_body(dash_app, ["240000011", "330000025"], "entretien", today,
                                              versions, note=note, medecin="Dr Bernard"))
        assert "Entretien confraternel » enregistrée pour 2 établissements" in _message(out, "action-message")
        rows = {r["finess"]: r for r in _response(medecin, dash_body(dash_app, "render_campaign", ["", "", 1, 0],
                                                                     [{"code": "NA-2026"}]))["action-table"]["rowData"]}
        assert rows["240000011"]["etape"] == "entretien" and rows["330000025"]["etape"] == "entretien"
        # the profile's form: one establishment, the campaign chosen
        versions = _profile_actions(server, "medecin_conseil", "330000017")[0].data
        out = _response(medecin, dash_body(dash_app, "record_profile_step", [1], [
            {"finess": "330000017"}, "NA-2026", "controle", today, "", "", "oui", "", versions, 0]))
        assert "Contrôle a posteriori » enregistrée pour 1 établissement" in _message(out, "profile-actions-message")
        history = _response(medecin, dash_body(dash_app, "refresh_profile_actions", [1], [{"finess": "330000017"}]))
        assert "Contrôle a posteriori" in str(history["profile-actions-history"]) and "conforme" in str(
            history["profile-actions-history"])
        funnel = {(r["campagne"], r["region"]): r for r in _csv(medecin, "/export/campagnes.csv", FUNNEL_COLUMNS)}
        steps = _csv(medecin, "/export/actions.csv?campagne=NA-2026", STEP_COLUMNS)
    na = funnel[("NA-2026", "Nouvelle-Aquitaine")]
    assert (na["ciblees"], na["contactees"], na["entretiens"], na["engagements"], na["controles"],
            na["taux_entretien_pct"]) == ("3", "3", "3", "1", "1", "100,0")
    recorded = [r for r in steps if r["date"] == today and r["saisi_par"] == "t-medecin"]
    assert {(r["finess"], r["etape"]) for r in recorded} == {("240000011", "entretien"), ("330000025", "entretien"),
                                                            ("330000017", "controle")}
    # stored as text, exactly as typed (Dash escapes it on screen)
    assert next(r for r in recorded if r["finess"] == "240000011")["note"] == note
    with get_engine(db_url).connect() as conn:
        medecins = set(conn.scalars(select(models.ActionStep.medecin).where(models.ActionStep.step == "entretien",
                                                                         models.ActionStep.date == dt.date.today())))
    assert medecins == {"Dr Bernard"}
    events = users.audit_events(db_url, event="etape_enregistree")
    assert len(events) == 2 and set(events["login"]) == {"t-medecin"}
    assert "NA-2026 240000011 330000025" in set(events["target"])


def test_a_concurrent_edit_is_refused_in_french_and_the_current_state_shown(dash_app, db_url, tmp_path):
    _loaded(db_url, tmp_path)
    today = dt.date.today().isoformat()
    with app_on(dash_app, db_url) as server:
        first, second = (sign_in(server.test_client(), role) for role in ("analyste", "medecin_conseil"))
        seen = _versions(first, dash_app)
        assert _versions(second, dash_app) == seen  # both opened the page on the same state
        ok = _response(first, _record_body(dash_app, ["240000011"], "contactee", today, seen))
        assert "enregistrée" in _message(ok, "action-message")
        refused = _response(second, _record_body(dash_app, ["240000011", "330000025"], "sans_suite", today, seen))
        message = _message(refused, "action-message")
        assert "Enregistrement refusé" in message and "modifié par un autre utilisateur" in message
        assert "Centre hospitalier de Périgueux (240000011)" in message and "Rien n'a été enregistré" in message
        assert refused["action-refresh"]["data"] == 1  # the page re-reads the campaign: the current state
        current = _response(second, dash_body(dash_app, "render_campaign", ["", "", 1, 0], [{"code": "NA-2026"}]))
        rows = {r["finess"]: r for r in current["action-table"]["rowData"]}
        assert rows["240000011"]["etape"] == "contactee" and rows["330000025"]["etape"] == "contactee"
        # with the state now shown, the second user's write goes through
        again = _response(second, _record_body(dash_app, ["240000011"], "sans_suite", today,
                                               current["action-versions"]["data"]))
        assert "enregistrée" in _message(again, "action-message")
    with get_engine(db_url).connect() as conn:
        steps = conn.execute(select(models.ActionStep.finess, models.ActionStep.step)
                             .where(models.ActionStep.entered_at.is_not(None), models.ActionStep.date == dt.date.today())
                             .order_by(models.ActionStep.id)).all()
    assert [tuple(s) for s in steps] == [("240000011", "contactee"), ("240000011", "sans_suite")]


@pytest.mark.parametrize("finess, step, date, fragment", [
    (["240000011"], "contactee", "2099-01-01", "dans le futur"),
    (["240000011"], "contactee", "2025-12-31", "antérieure à l'année de la campagne (2026)"),
    (["240000011"], "rencontre", "today", "étape « rencontre » inconnue"),
    (["240000011"], "contactee", "pas une date", "date manquante ou invalide"),
    (["999999999"], "contactee", "today", "hors de la liste de la campagne NA-2026 (ou inconnu)"),
    (["750000019"], "contactee", "today", "hors de la liste de la campagne NA-2026"),
    (["240000011"], "controle", "today", "indiquez s'il est conforme ou non"),
    ([], "contactee", "today", "Choisissez au moins un établissement"),
])
def test_a_wrong_step_gets_a_french_error_and_changes_nothing(dash_app, db_url, tmp_path, finess, step, date, fragment):
    _loaded(db_url, tmp_path)
    date = dt.date.today().isoformat() if date == "today" else date
    before = _count(db_url, models.ActionStep)
    with app_on(dash_app, db_url) as server:
        client = sign_in(server.test_client(), "analyste")
        versions = _versions(client, dash_app)
        out = _response(client, _record_body(dash_app, finess, step, date, versions))
        assert fragment in _message(out, "action-message")
        assert _versions(client, dash_app) == versions
    assert _count(db_url, models.ActionStep) == before


def test_a_campaign_from_an_msap_list_freezes_the_flagged_establishments_and_keeps_the_rule(dash_app, db_url):
    from services.msap import parse_view

    small_ssr_dataset(db_url)
    query = "?campagne=SSR&annee=2024&geste=PTG&age=tous&volume_min=30&methode=ecart&ecart_pts=5"
    with app_on(dash_app, db_url) as server:
        client = sign_in(server.test_client(), "analyste")
        flagged = [r["finess"] for r in _csv(client, "/export/msap.csv" + query, _msap_columns()) if r["cible"] == "oui"]
        with server.test_request_context("/msap" + query):
            rule = asdict(parse_view(dict(parse_qsl(query[1:])))[0])
        out = _response(client, dash_body(dash_app, "create_msap_campaign", [1], [rule, "MSAP-PTG-TEST", "Essai"]))
        assert "Campagne « MSAP-PTG-TEST » créée" in str(out)
        taken = _response(client, dash_body(dash_app, "create_msap_campaign", [1], [rule, "MSAP-PTG-TEST", "Essai"]))
        assert "déjà le code « MSAP-PTG-TEST »" in str(taken)
        steps = _csv(client, "/export/actions.csv?campagne=MSAP-PTG-TEST", STEP_COLUMNS)
        page = _response(client, dash_body(dash_app, "render_campaigns", [{"annee": None}]))
    assert flagged and sorted(r["finess"] for r in steps) == sorted(flagged)
    assert {r["etape"] for r in steps} == {"ciblee"}
    with get_engine(db_url).connect() as conn:
        stored = conn.execute(select(models.Campaign)).one()
    assert (stored.theme, stored.perimeter, stored.rule_query) == ("msap_ssr", "FR", "/msap" + _canonical(query))
    assert "la rejouer" in str(page)


def _canonical(query: str) -> str:
    from analytics.msap import MsapRule

    q = dict(parse_qsl(query[1:]))
    return MsapRule(campagne=q["campagne"], annee=int(q["annee"]), geste=q["geste"], age=q["age"],
                    volume_min=int(q["volume_min"]), methode=q["methode"], ecart_pts=float(q["ecart_pts"])).query_string()


def _msap_columns() -> list[str]:
    from services.msap import COLUMNS

    return COLUMNS


# --- Who -----------------------------------------------------------------------------------------

ACTION_CALLBACKS = {  # callback -> (inputs, state) of a plausible request
    "render_campaigns": ([{"annee": None}], []),
    "create_campaign": ([1], ["X-2026", "Essai", "autre", 2026, "FR"]),
    "render_campaign": (["", "", 0, 0], [{"code": "NA-2026"}]),
    "record_campaign_step": ([1], [{"code": "NA-2026"}, ["240000011"], "contactee", "2026-02-01", "", "", "", "",
                                   {"240000011": 1}, 0]),
    "add_campaign_targets": ([1], [{"code": "NA-2026"}, "750000019", 0]),
    "refresh_profile_actions": ([0], [{"finess": "330000017"}]),
    "record_profile_step": ([1], [{"finess": "330000017"}, "NA-2026", "contactee", "2026-02-01", "", "", "", "",
                                  {"NA-2026": 1}, 0]),
    "create_msap_campaign": ([1], [{}, "MSAP-X", "Essai"]),
}


def test_iraps_gets_403_on_every_actions_route_and_callback_and_nothing_is_written(dash_app, db_url, tmp_path):
    import dash._callback as registry

    _loaded(db_url, tmp_path)
    defined = {spec["callback"].__wrapped__.__name__ for spec in registry.GLOBAL_CALLBACK_MAP.values()
               if spec.get("callback") is not None
               and getattr(spec["callback"], "__wrapped__", spec["callback"]).__module__ == "callbacks.actions"}
    assert defined <= set(ACTION_CALLBACKS), "a new actions callback needs a check here"
    before = _count(db_url, models.ActionStep), _count(db_url, models.Campaign)
    with app_on(dash_app, db_url) as server:
        iraps = sign_in(server.test_client(), "iraps")
        for path in ("/actions", "/actions/NA-2026", "/export/actions.csv?campagne=NA-2026", "/export/actions.csv",
                     "/export/campagnes.csv", "/export/campagnes.csv?annee=2026"):
            assert iraps.get(path).status_code == 403, path
        for name, (inputs, state) in ACTION_CALLBACKS.items():
            resp = _post(iraps, dash_body(dash_app, name, inputs, state))
            assert resp.status_code == 403, name
            assert "Accès refusé" in resp.get_json()["erreur"] and "NA-2026" not in resp.get_data(as_text=True)
        # every profile draws the section's container: for iraps, no content at all
        assert _profile_actions(server, "iraps", "330000017") is None
        # the same requests from a role of the follow-up are served
        analyst = sign_in(server.test_client(), "analyste")
        assert analyst.get("/export/actions.csv?campagne=NA-2026").status_code == 200
        assert _post(analyst, dash_body(dash_app, "render_campaigns", [{"annee": None}])).status_code == 200
    assert (_count(db_url, models.ActionStep), _count(db_url, models.Campaign)) == before


def test_presentation_mode_shows_no_campaign_no_note_and_serves_no_follow_up_export(dash_app, db_url, tmp_path):
    _loaded(db_url, tmp_path)
    with app_on(dash_app, db_url) as server:
        analyst = sign_in(server.test_client(), "analyste")
        assert analyst.get("/ssr?presentation=oui").status_code == 200  # the session's mode is on
        assert analyst.get("/export/actions.csv?campagne=NA-2026").status_code == 403
        assert analyst.get("/export/campagnes.csv").status_code == 403
        shown = _response(analyst, dash_body(dash_app, "render_campaigns", [{"annee": None}]))
        assert "pas affiché en mode présentation" in str(shown) and "NA-2026" not in str(shown)
        assert _profile_actions(server, "analyste", "330000017", presentation=True) is None
        refused = _response(analyst, _record_body(dash_app, ["240000011"], "contactee",
                                                  dt.date.today().isoformat(), {"240000011": 1}))
        assert "pas affiché en mode présentation" in str(refused)


@pytest.mark.parametrize("path, query, expected", [
    ("actions", {}, "Nouvelle campagne"), ("actions", {"annee": "2026"}, "/export/campagnes.csv?annee=2026"),
    ("actions", {"annee": "1990"}, "sans campagne"),
    ("action", {"code": "NA-2026"}, "Accompagnement Nouvelle-Aquitaine"),
    ("action", {"code": "NA-2026", "etape": "entretien", "region": "75"}, "Enregistrer une étape"),
    ("action", {"code": "NA-2026", "etape": "rencontre", "region": "99"}, "Étape « rencontre » inconnue"),
    ("action", {"code": "ABSENTE"}, "Campagne introuvable"), ("action", {"code": "<script>"}, "Campagne introuvable"),
    ("accueil", {}, "Campagnes en cours"),
])
def test_the_pages_render_their_view_from_the_address(dash_app, db_url, tmp_path, path, query, expected):
    import importlib

    from flask import g

    _loaded(db_url, tmp_path)
    module = importlib.import_module(f"pages.{path}")
    with app_on(dash_app, db_url) as server, server.test_request_context("/"):
        g.atlas_user = users.by_login(db_url, "t-analyste")
        layout = module.layout(**query)
    assert expected in str(layout)


def test_a_profile_outside_every_campaign_says_so_without_a_form(dash_app, db_url, tmp_path):
    _loaded(db_url, tmp_path)
    with app_on(dash_app, db_url) as server:
        section = _profile_actions(server, "analyste", "970400017")
    assert "n'est sur la liste d'aucune campagne" in str(section)
    assert "profile-actions-submit" not in str(section) and "profile-actions-refresh" not in str(section)


def test_the_campaign_filters_keep_the_current_step_and_region_and_go_in_the_address(dash_app, db_url, tmp_path):
    _loaded(db_url, tmp_path)
    with app_on(dash_app, db_url) as server:
        client = sign_in(server.test_client(), "analyste")
        out = _response(client, dash_body(dash_app, "render_campaign", ["contactee", "75", 0, 0], [{"code": "NA-2026"}]))
        everything = _response(client, dash_body(dash_app, "render_campaign", ["toutes", "toutes", 0, 0],
                                                 [{"code": "NA-2026"}]))
    assert [r["finess"] for r in out["action-table"]["rowData"]] == ["330000025"]
    assert out["action-address"]["data"]["search"] == "?etape=contactee&region=75"
    assert out["action-count"]["children"] == "1 établissement affiché sur 3 de la liste"
    assert len(everything["action-table"]["rowData"]) == 3 and everything["action-address"]["data"]["search"] == ""
