import datetime as dt

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components import actions as view
from pages.ids import Actions as ids
from security import roles
from services import actions as service
from services import msap as msap_service
from text import actions as labels

dash.register_page(__name__, path="/actions", name="Actions", title="Atlas GDR — suivi des actions",
                   nav_order=60, permission=roles.ACTIONS, hide_in_presentation=True,
                   description="Campagnes d'accompagnement : du ciblage à l'entretien confraternel et à l'issue, "
                               "avec les entonnoirs par région (rencontrés / ciblés, MSAP notifiées / ciblés…).")


def _year_links(years: list[int], year: int | None) -> html.Nav:
    links = [("Toutes les années", "/actions", year is None)] + [
        (str(y), f"/actions?annee={y}", y == year) for y in years]
    return html.Nav([dcc.Link(text, href=href, className="button" + (" selected" if on else ""),
                              title="année affichée" if on else None) for text, href, on in links],
                    className="year-links no-print", **{"aria-label": "Année des campagnes"})


def _new_campaign_form() -> html.Details:
    this_year = dt.date.today().year

    def field(label, control):
        return html.Div([html.Label(label, htmlFor=control.id, className="control-label"), control], className="control")

    return html.Details([
        html.Summary("Nouvelle campagne (liste saisie à la main ou importée)"),
        html.Div([
            field("Code", dbc.Input(id=ids.NEW_CODE, type="text", maxLength=30, placeholder="ex. CAQES-R75-2026",
                                    className="text-input")),
            field("Libellé", dbc.Input(id=ids.NEW_LABEL, type="text", maxLength=200, className="text-input wide")),
            field("Thème", dbc.Select(id=ids.NEW_THEME, options=service.theme_options(), value="autre",
                                      className="select")),
            field("Année", dbc.Input(id=ids.NEW_YEAR, type="number", min=2000, max=this_year + 1, step=1,
                                     value=this_year, className="number")),
            field("Périmètre", dbc.Select(id=ids.NEW_PERIMETER, options=msap_service.perimeter_options(), value="FR",
                                          className="select")),
            html.Button("Créer la campagne", id=ids.NEW_SUBMIT, n_clicks=0, type="button", className="button primary"),
        ], className="controls"),
        html.Div(id=ids.NEW_MESSAGE, **{"aria-live": "polite"}),
    ], className="new-campaign no-print")


def layout(annee=None, **_query):
    if service.hidden_by_presentation():
        return html.Div([html.H1(labels.PAGE_TITLE), html.P(labels.NOT_IN_PRESENTATION, className="notice")])
    year, notices = service.parse_year(annee if isinstance(annee, str) else None)
    export = "/export/campagnes.csv" + (f"?annee={year}" if year else "")
    return html.Div([
        dcc.Store(id=ids.VIEW, data={"annee": year}),
        html.Div([html.H1(labels.PAGE_TITLE),
                  html.Div(html.A("Exporter les entonnoirs (CSV)", href=export, className="button", download=""),
                           className="export-links no-print")], className="page-title"),
        html.P("Chaque campagne suit ses établissements ciblés jusqu'à l'issue : contact, entretien confraternel, "
               "profil remis, MSAP notifiée, contrat signé, engagement ou sans suite, contrôle a posteriori. "
               "Chaque colonne compte les établissements qui ont atteint au moins cette étape (étape actuelle = "
               "la dernière saisie).", className="lead"),
        view.notice(" ".join(notices)) if notices else None,
        _year_links(service.years(), year),
        html.Div(id=ids.CAMPAIGNS),
        _new_campaign_form(),
    ], className="actions-page")
