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
