"""Plain HTTP routes beside Dash: /health and the /export/... downloads."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, jsonify, request

from config import current_settings
from data_access import queries

bp = Blueprint("atlas", __name__)

SSR_COLUMNS = ["code", "libelle", "etablissements", "sejours", "sejours_ssr", "taux_pct", "ic95_bas_pct",
               "ic95_haut_pct", "classe"]


@bp.get("/health")
def health():
    url = current_settings().database_url
    try:
        queries.ping(url)
        status = queries.data_status(url)
    except Exception:  # any driver error means "unreachable"; details stay in the server log
        bp_logger().exception("health check failed")
        return jsonify(status="error", database="injoignable"), 503
    return jsonify(status="ok", database="ok", data_version=status.version,
                   last_import=status.last_import_at.isoformat() if status.last_import_at else None)


def bp_logger():
    from flask import current_app

    return current_app.logger


def _fr_number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


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
    from callbacks.ssr import territory_rows, view_from_query

    view, _notices = view_from_query(request.args.to_dict())
    _level, rows = territory_rows(view)
    rows = sorted(rows, key=lambda r: r["code"])
    return french_csv(rows, SSR_COLUMNS, f"recours-ssr-{view.geste}-{view.annee}.csv")
