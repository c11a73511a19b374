"""Audit trail of the current request's user: sign-ins, profile views, exports (imports: manage.py)."""
from __future__ import annotations

import logging

from config import current_settings
from data_access import users

log = logging.getLogger(__name__)

EVENT_LABELS = {
    "connexion": "Connexion réussie",
    "connexion_refusee": "Connexion refusée",
    "deconnexion": "Déconnexion",
    "profil_consulte": "Profil consulté",
    "export_csv": "Export CSV",
    "export_xlsx": "Export Excel",
    "export_pdf": "Export PDF",
    "import": "Import",
    "import_refuse": "Import refusé",
    "campagne_creee": "Campagne créée",
    "cible_ajoutee": "Établissement ajouté à une campagne",
    "etape_enregistree": "Étape de suivi enregistrée",
}


def client_address() -> str:
    from flask import has_request_context, request

    return (request.remote_addr or "") if has_request_context() else ""


def log_event(event: str, target: str = "", detail: str = "", login: str | None = None) -> None:
    """Record `event` for the signed-in user of the current request (or `login`). An audit write that
    fails is logged, never shown to the user, and does not stop the request."""
    from flask import g, has_request_context

    user = g.get("atlas_user") if has_request_context() else None
    try:
        users.record(current_settings().database_url, login or (user.login if user else "anonyme"), event,
                     target=target, detail=detail, role=user.role if user else None, address=client_address())
    except Exception:  # the trail must not take the app down; the server log keeps the failure
        log.exception("audit write failed: %s %s", event, target)


def init_audit(server) -> None:
    """Every export served (CSV, Excel, PDF) is recorded with its full address (what was exported)."""
    from flask import request

    @server.after_request
    def _audit_exports(response):
        path = request.path
        if path.startswith("/export/") and response.status_code == 200:
            event = "export_pdf" if path.endswith(".pdf") else "export_xlsx" if path.endswith(".xlsx") else "export_csv"
            log_event(event, target=request.full_path.rstrip("?"))
        return response
