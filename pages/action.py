import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from components import actions as view
from components.address import address
from pages.ids import Action as ids
from security import roles
from services import actions as service
from text import actions as labels

ALL = "toutes"  # the filters' "no filter" choice


def _title(code=None, **_):
    return f"Atlas GDR — campagne {str(code or '')[:30]}"


dash.register_page(__name__, path_template="/actions/<code>", name="Campagne", title=_title,
                   permission=roles.ACTIONS, description="Établissements d'une campagne et saisie des étapes.")


def _select(label: str, select_id: str, options: list[dict], value) -> html.Div:
    return html.Div([html.Label(label, htmlFor=select_id, className="control-label"),
                     dbc.Select(id=select_id, options=options, value=value or ALL, className="select")],
                    className="control")


def layout(code=None, etape=None, region=None, **_query):
    if service.hidden_by_presentation():
        return html.Div([html.H1(labels.PAGE_TITLE), html.P(labels.NOT_IN_PRESENTATION, className="notice")])
    camp = service.campaign(code if isinstance(code, str) else None)
    if camp is None:
        return html.Div([html.H1("Campagne introuvable"),
                         html.P(f"Aucune campagne ne porte le code « {str(code or '')[:30]} »."),
                         dcc.Link("Toutes les campagnes", href="/actions")])
    rows = service.establishment_rows(camp.code)
    query = {k: v for k, v in (("etape", etape), ("region", region)) if isinstance(v, str)}
    filters, notices = service.parse_filters(query, rows)
    regions = sorted({(r["region_code"], r["region"]) for r in rows}, key=lambda x: x[1])
    targets = [{"label": f"{r['raison_sociale']} ({r['finess']})", "value": r["finess"]} for r in rows]
    source = ([" · liste issue de la ", html.A("règle de ciblage /msap", href=camp.rule_query)]
              if camp.rule_query else [])
    return html.Div([
        dcc.Store(id=ids.CODE, data={"code": camp.code}),
        dcc.Store(id=ids.VERSIONS, data={r["finess"]: r["version"] for r in rows}),
        dcc.Store(id=ids.REFRESH, data=0), dcc.Store(id=ids.ADD_REFRESH, data=0),
        dcc.Store(id=ids.ADDRESS, data=address(f"/actions/{camp.code}", "")),
        html.Div(id=ids.URL_SYNC, hidden=True),
        html.Nav(dcc.Link("← Toutes les campagnes", href="/actions"), className="no-print",
                 **{"aria-label": "Retour"}),
        html.Div([html.H1(f"{camp.code} — {camp.label}"),
                  html.Div(html.A("Exporter l'historique (CSV)", href=f"/export/actions.csv?campagne={camp.code}",
                                  className="button", download=""), className="export-links no-print")],
                 className="page-title"),
        html.P([labels.THEME_LABELS.get(camp.theme, camp.theme), f" · {camp.year} · périmètre {camp.perimeter}"]
               + source, className="figure-count"),
        view.notice(" ".join(notices)) if notices else None,
        html.Div([
            _select("Étape actuelle", ids.ETAPE, [{"label": "Toutes", "value": ALL}] + service.step_options(),
                     filters["etape"]),
            _select("Région", ids.REGION, [{"label": "Toutes", "value": ALL}]
                    + [{"label": name, "value": code_} for code_, name in regions], filters["region"]),
        ], className="controls no-print"),
        html.P(id=ids.COUNT, className="figure-count", **{"aria-live": "polite"}),
        view.establishment_grid(ids.TABLE),
        html.Section([
            html.H2("Enregistrer une étape"),
            html.P("Pour un ou plusieurs établissements à la fois (par exemple « contactés » le même jour). Une "
                   "erreur se corrige en saisissant la bonne étape : l'historique garde les deux.",
                   className="figure-count"),
            view.step_form(ids, service.step_options(), service.today().isoformat(), first=[
                html.Fieldset([html.Legend("Établissements (un ou plusieurs)", className="control-label"),
                               dbc.Checklist(id=ids.TARGETS, options=targets, value=[], className="targets-list")],
                              className="control targets-control")]),
        ], className="card step-card no-print"),
        html.Section([
            html.H2("Ajouter des établissements à la liste"),
            html.Div([html.Div([html.Label("Numéros FINESS (séparés par des espaces)", htmlFor=ids.ADD_FINESS,
                                           className="control-label"),
                                dbc.Input(id=ids.ADD_FINESS, type="text", className="text-input wide")],
                               className="control"),
                      html.Button("Ajouter", id=ids.ADD_SUBMIT, n_clicks=0, type="button", className="button")],
                     className="controls"),
            html.Div(id=ids.ADD_MESSAGE, **{"aria-live": "polite"}),
        ], className="card no-print"),
        html.H2("Historique des étapes"),
        html.Div(id=ids.HISTORY),
    ], className="action-page")
