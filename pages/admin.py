import dash
import dash_bootstrap_components as dbc
from dash import html

from config import current_settings
from data_access import users
from pages.ids import Admin as ids
from security import roles
from security.audit import EVENT_LABELS
from security.presentation import current_role

dash.register_page(__name__, path="/admin", name="Administration", title="Atlas GDR — administration",
                   nav_order=99, permission=roles.ADMIN,
                   description="Utilisateurs et journal d'audit (connexions, profils consultés, exports, imports).")


def _field(label: str, control) -> html.Div:
    return html.Div([dbc.Label(label, html_for=control.id), control], className="filter-field")


def layout(**_query):
    if not roles.allows(current_role(), roles.ADMIN):  # the request gate already refuses /admin
        return html.Div([html.H1("Accès refusé"), html.P("Cette page est réservée aux administrateurs.")])
    events = [{"label": "Tous les événements", "value": ""}] + [
        {"label": label, "value": code} for code, label in EVENT_LABELS.items()]
    return html.Div(
        [
            html.H1("Administration"),
            html.H2("Utilisateurs"),
            html.P("Création, désactivation et changement de mot de passe : python manage.py create-user | "
                   "disable-user | reset-password (voir README)."),
            html.Div(id=ids.USERS),
            html.Div(
                [
                    _field("Fermer toutes les sessions de", dbc.Select(id=ids.SESSIONS_LOGIN, options=[
                        {"label": login, "value": login}
                        for login in users.listing(current_settings().database_url)["login"]])),
                    dbc.Button("Fermer ses sessions", id=ids.SESSIONS_END, color="danger", outline=True,
                               className="align-self-end"),
                ],
                className="filters",
            ),
            html.P(id=ids.SESSIONS_RESULT, **{"aria-live": "polite"}),
            html.H2("Journal d'audit"),
            html.Div(
                [
                    _field("Identifiant contient", dbc.Input(id=ids.LOGIN, type="search", debounce=True)),
                    _field("Événement", dbc.Select(id=ids.EVENT, options=events, value="")),
                    _field("Du", dbc.Input(id=ids.SINCE, type="date")),
                    _field("Au", dbc.Input(id=ids.UNTIL, type="date")),
                ],
                className="filters",
            ),
            html.P(id=ids.AUDIT_COUNT, **{"aria-live": "polite"}),
            html.Div(id=ids.AUDIT),
        ]
    )
