"""Audit trail of the current request's user: sign-ins, profile views, exports (imports: manage.py)."""
from __future__ import annotations

import json
import logging

from config import current_settings
from data_access import db, users
from text import unavailable

log = logging.getLogger(__name__)

EVENT_LABELS = {
    "connexion": "Connexion réussie",
    "connexion_refusee": "Connexion refusée",
    "deconnexion": "Déconnexion",
    "sessions_fermees": "Sessions fermées par un administrateur",
    "profil_consulte": "Profil consulté",
    "export_csv": "Export CSV",
    "export_xlsx": "Export Excel",
    "export_pdf": "Export PDF",
    "import": "Import",
    "import_refuse": "Import refusé",
}


def client_address() -> str:
    from flask import has_request_context, request

    return (request.remote_addr or "") if has_request_context() else ""


def write_event(event: str, target: str = "", detail: str = "", login: str | None = None) -> None:
    """Record `event` for the signed-in user of the current request (or `login`); raises if the row
    cannot be written."""
    from flask import g, has_request_context

    user = g.get("atlas_user") if has_request_context() else None
    users.record(current_settings().database_url, login or (user.login if user else "anonyme"), event,
                 target=target, detail=detail, role=user.role if user else None, address=client_address())


def log_event(event: str, target: str = "", detail: str = "", login: str | None = None) -> None:
    """write_event for sign-ins and profile views: an audit write that fails is logged, never shown to
    the user, and does not stop the request (exports, instead, are refused: init_audit)."""
    try:
        write_event(event, target, detail, login)
    except Exception:  # the trail must not take the app down; the server log keeps the failure
        log.exception("audit write failed: %s %s", event, target)


def _export_event(path: str) -> str:
    return "export_pdf" if path.endswith(".pdf") else "export_xlsx" if path.endswith(".xlsx") else "export_csv"


def init_audit(server) -> None:
    """Every export served (CSV, Excel, PDF) is recorded with its full address (what was exported).

    The row is written before the file leaves the server (the export's body is complete when
    after_request runs), on the main pool, which a request may use while it holds its read snapshot
    (data_access.db). If the row cannot be written, the file is not served: the response becomes a
    French 503 (an export that nobody can trace is worse than a retry a few seconds later)."""
    from flask import request

    @server.after_request
    def _audit_exports(response):
        if not request.path.startswith("/export/") or response.status_code != 200:
            return response
        try:
            write_event(_export_event(request.path), target=request.full_path.rstrip("?"))
        except Exception as error:
            log.exception("audit write failed: export %s not served", request.full_path)
            if db.is_unreachable(error):
                db.reset_pools(current_settings().database_url)
            _refuse(response)
        return response


def _refuse(response) -> None:
    """Turn the export response into the French 503 in place (the security headers stay on it)."""
    response.status_code = 503
    response.set_data(json.dumps({"erreur": unavailable.EXPORT_NOT_AUDITED}, ensure_ascii=False))
    response.mimetype = "application/json"
    response.headers.pop("Content-Disposition", None)
    response.headers["Retry-After"] = str(unavailable.RETRY_AFTER_S)
