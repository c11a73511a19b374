"""Administration page: users and the audit trail (admin only, checked here too)."""
from __future__ import annotations

import datetime as dt

import dash_ag_grid as dag
import pandas as pd
from dash import Input, Output, State, callback, html, no_update
from dash.exceptions import PreventUpdate

from config import current_settings
from data_access import users
from pages.ids import Admin as ids
from pages.ids import Shell
from security import audit, roles
from security.audit import EVENT_LABELS
from security.presentation import current_role
from text import labels

AUDIT_LIMIT = 1000


def _require_admin() -> None:
    if not roles.allows(current_role(), roles.ADMIN):
        raise PreventUpdate


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _users_grid() -> dag.AgGrid:
    settings = current_settings()
    # a session past the idle or absolute limit is not counted as open, even before its next request ends it
    now = dt.datetime.now(dt.UTC)
    table = users.listing(settings.database_url, seen_since=now - dt.timedelta(hours=settings.session_idle_hours),
                          created_since=now - dt.timedelta(hours=settings.session_max_hours))
    rows = [{"login": r.login, "role": roles.ROLE_LABELS.get(r.role, r.role),
             "etat": "actif" if r.active else "désactivé", "demo": "oui" if r.demo else "",
             "cree": labels.fr_datetime(r.created_at),
             "connexion": labels.fr_datetime(r.last_login_at) if pd.notna(r.last_login_at) else "jamais",
             "sessions": int(r.sessions)}
            for r in table.itertuples()]
    return dag.AgGrid(
        id="admin-users-grid", rowData=rows, columnSize="responsiveSizeToFit",
        dashGridOptions={"domLayout": "autoHeight"},
        columnDefs=[{"field": "login", "headerName": "Identifiant"}, {"field": "role", "headerName": "Rôle"},
                    {"field": "etat", "headerName": "État"}, {"field": "demo", "headerName": "Démo"},
                    {"field": "cree", "headerName": "Créé le"},
                    {"field": "connexion", "headerName": "Dernière connexion"},
                    {"field": "sessions", "headerName": "Sessions ouvertes"}])


@callback(Output(ids.USERS, "children"), Input(Shell.URL, "pathname"))
def show_users(_pathname):
    _require_admin()
    return _users_grid()


@callback(Output(ids.SESSIONS_RESULT, "children"), Output(ids.USERS, "children", allow_duplicate=True),
          Input(ids.SESSIONS_END, "n_clicks"), State(ids.SESSIONS_LOGIN, "value"), prevent_initial_call=True)
def end_sessions(n_clicks, login):
    """An administrator ends every open session of a user (audited); they must sign in again."""
    _require_admin()
    if not n_clicks:
        raise PreventUpdate
    if not isinstance(login, str) or not login:
        return "Choisissez un utilisateur.", no_update
    try:
        ended = users.end_user_sessions(current_settings().database_url, login, "admin")
    except ValueError as exc:
        return str(exc), no_update
    audit.log_event("sessions_fermees", target=login, detail=f"{ended} session(s) fermée(s)")
    message = (f"Aucune session ouverte pour « {login} »." if ended == 0 else
               f"{ended} session(s) de « {login} » fermée(s) : reconnexion nécessaire.")
    return message, _users_grid()


@callback(Output(ids.AUDIT, "children"), Output(ids.AUDIT_COUNT, "children"),
          Input(ids.LOGIN, "value"), Input(ids.EVENT, "value"), Input(ids.SINCE, "value"), Input(ids.UNTIL, "value"))
def show_audit(login, event, since, until):
    _require_admin()
    events = users.audit_events(current_settings().database_url, login=(login or "").strip() or None,
                                event=event or None, since=_date(since), until=_date(until), limit=AUDIT_LIMIT)
    rows = [{"quand": labels.fr_datetime(r.at), "login": r.login, "role": roles.ROLE_LABELS.get(r.role, r.role or ""),
             "evenement": EVENT_LABELS.get(r.event, r.event), "objet": r.target, "detail": r.detail,
             "adresse": r.address} for r in events.itertuples()]
    count = (f"{len(rows)} événements" if len(rows) < AUDIT_LIMIT
             else f"les {AUDIT_LIMIT} derniers événements (affinez les filtres)")
    grid = dag.AgGrid(
        id="admin-audit-grid", rowData=rows, columnSize="responsiveSizeToFit", style={"height": "480px"},
        columnDefs=[{"field": "quand", "headerName": "Date"}, {"field": "login", "headerName": "Identifiant"},
                    {"field": "role", "headerName": "Rôle"}, {"field": "evenement", "headerName": "Événement"},
                    {"field": "objet", "headerName": "Objet", "tooltipField": "objet"},
                    {"field": "detail", "headerName": "Détail", "tooltipField": "detail"},
                    {"field": "adresse", "headerName": "Adresse"}])
    return grid, html.Span(count)
