"""Plain HTTP routes beside Dash: /health and the /export/... downloads."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, jsonify, request

from config import current_settings
from data_access import queries
from data_access.cache import cache_status
from security.errors import error_response
from text.format import fmt_csv_number

bp = Blueprint("atlas", __name__)

SSR_COLUMNS = ["code", "libelle", "etablissements", "sejours", "sejours_ssr", "taux_pct", "ic95_bas_pct",
               "ic95_haut_pct", "classe"]


@bp.get("/favicon.ico")
def favicon():
    """The icon browsers ask for on pages outside Dash (the sign-in form): the one Dash serves too."""
    from flask import current_app, send_from_directory

    return send_from_directory(current_app.config["ATLAS_ASSETS"], "favicon.ico", max_age=86400)


@bp.get("/health")
def health():
    url = current_settings().database_url
    try:
        queries.ping(url)
        status = queries.data_status(url)
    except Exception:  # any driver error means "unreachable"; details stay in the server log
        bp_logger().exception("health check failed")
        return jsonify(status="error", database="injoignable"), 503
    # the cache is an accelerator: without it the app answers (slower), so it does not make /health fail
    return jsonify(status="ok", database="ok", cache=cache_status(), data_version=status.version,
                   last_import=status.last_import_at.isoformat() if status.last_import_at else None)


@bp.get("/geo/<level>.json")
def geometry(level: str):
    """The boundaries the maps draw (components.france_map.geometry_url): public geography, shown to
    any signed-in user. Kept a year by the browser when asked at the current data version's address
    (an import gives a new one), else revalidated; brotli-compressed once per content
    (static_compression)."""
    from components import france_map
    from data_access.cache import data_version

    if level not in france_map.GEOMETRY_LEVELS:
        return error_response(404)
    body, etag = france_map.geometry_json(level)
    response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    current = request.args.get("v") == str(data_version(current_settings().database_url))
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable" if current else "private, no-cache"
    return response.make_conditional(request)


def bp_logger():
    from flask import current_app

    return current_app.logger


def _fr_number(value) -> str:
    # Floats round as on screen (text.format: half up on the decimal value, one decimal); counts as they are.
    if isinstance(value, float):
        return fmt_csv_number(value, 1)
    return "" if value is None else str(value)


def neutralise(text: str) -> str:
    """Keep a spreadsheet from reading a text cell as a formula (leading =, +, -, @, tab, CR)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def french_csv(rows: list[dict], columns: list[str], file_name: str) -> Response:
    """Semicolon-separated, decimal comma, UTF-8 with BOM: what French Excel opens as is."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(v) if isinstance(v, str) else _fr_number(v) for v in (row.get(c) for c in columns)])
    return Response("\ufeff" + buf.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{file_name}"'})


@bp.get("/export/ssr.csv")
def export_ssr():
    from services import ssr

    view, _notices = ssr.parse_view(request.args.to_dict())
    return french_csv(ssr.export_rows(view), SSR_COLUMNS, f"recours-ssr-{view.geste}-{view.annee}.csv")


def _msap_list():
    """The rule of the query string (as /msap reads it) and the rows the page's grid shows (as the
    current mode shows them: services.msap.export_rows)."""
    from services import msap

    rule, _notices = msap.parse_view(request.args.to_dict())
    return rule, msap.export_rows(rule), msap.export_name(rule)


@bp.get("/export/msap.csv")
def export_msap_csv():
    from services.msap import COLUMNS

    _rule, rows, name = _msap_list()
    return french_csv(rows, COLUMNS, f"{name}.csv")


@bp.get("/export/msap.xlsx")
def export_msap_xlsx():
    from services.msap import workbook

    rule, rows, name = _msap_list()
    safe = [{k: neutralise(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]
    data = workbook(rule, safe)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


NOT_FOUND_PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Établissement introuvable</title>
</head><body><h1>Établissement introuvable</h1><p>Aucun établissement ne porte le numéro FINESS « {finess} ».</p>
<form action="/etablissements" method="get"><label for="q">Rechercher un établissement (nom, FINESS ou commune)</label>
<input id="q" name="q" type="search"> <button type="submit">Rechercher</button></form></body></html>"""


@bp.get("/export/profil/<finess>.pdf")
def export_profile_pdf(finess: str):
    """The establishment profile as an A4 PDF (WeasyPrint), the same figures as the page in the same
    mode (presentation: masked, anonymised: '/export/profil/K.pdf'); 404 with a French page for an
    unknown or malformed FINESS."""
    from html import escape

    from components.profile_pdf import render_pdf
    from services import profile as service

    export = service.export({**request.args.to_dict(), "finess": finess})
    if export is None:
        return Response(NOT_FOUND_PAGE.format(finess=escape(finess[:40])), status=404,
                        mimetype="text/html; charset=utf-8")
    return Response(render_pdf(export), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{export.file_name}"'})


@bp.get("/export/caqes.csv")
def export_caqes():
    """One row per establishment × indicator of the /caqes view of the same query string (the
    selection behind its establishments grid)."""
    from services import caqes

    view, _notices = caqes.parse_view(request.args.to_dict())
    return french_csv(caqes.export_rows(view), caqes.EXPORT_COLUMNS, caqes.export_name(view))


def _follow_up_refused() -> Response | None:
    """The follow-up exports are never served in presentation mode (interview notes are
    confidential); the role check is the request gate's (security.roles.ACTIONS)."""
    from services import actions

    if actions.hidden_by_presentation():
        return error_response(403, "Export indisponible en mode présentation : le suivi des actions est confidentiel.")
    return None


@bp.get("/export/actions.csv")
def export_actions():
    """One row per recorded step of the campaign `campagne` (every campaign without it)."""
    from services import actions

    if (refused := _follow_up_refused()) is not None:
        return refused
    code = request.args.get("campagne") or None
    if code is not None and actions.campaign(code) is None:
        return error_response(404, f"Campagne « {code[:30]} » inconnue.")
    return french_csv(actions.step_rows(code), actions.STEP_EXPORT_COLUMNS, actions.step_export_name(code))


@bp.get("/export/campagnes.csv")
def export_campaigns():
    """One row per campaign and region with its funnel (the /actions tables), for `annee` if given."""
    from services import actions

    if (refused := _follow_up_refused()) is not None:
        return refused
    annee = (request.args.get("annee") or "").strip()
    if annee and not (annee.isdigit() and len(annee) == 4):
        return error_response(400, f"Année « {annee[:10]} » invalide : quatre chiffres attendus (annee=2026).")
    year = int(annee) if annee else None
    return french_csv(actions.funnel_rows(year), actions.FUNNEL_EXPORT_COLUMNS, actions.funnel_export_name(year))


@bp.get("/export/ambulatoire.csv")
def export_ambulatoire():
    """The territories grid of the /ambulatoire view of the same query string, in code order (as the
    current mode shows it: masked in presentation mode)."""
    from services import ambulatoire

    view, _notices = ambulatoire.parse_view(request.args.to_dict())
    return french_csv(ambulatoire.export_rows(view), ambulatoire.EXPORT_COLUMNS, ambulatoire.export_name(view))
