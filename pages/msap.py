from dataclasses import asdict

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html
from dash._no_update import NoUpdate

from analytics import msap as model
from analytics.ssr import AGE_LABELS
from callbacks.msap import render_results
from components import msap as view
from components.address import address
from components.controls import options, segmented
from components.france_map import GRAPH_CONFIG
from components.navigation import can
from pages.ids import Msap as ids
from pages.ids import MsapCampaign as campaign_ids
from security import roles
from services import actions as actions_service
from services import msap as service

dash.register_page(__name__, path="/msap", name="Ciblage MSAP", title="Atlas GDR — ciblage MSAP", nav_order=20,
                   description="Établissements atypiques à mettre sous accord préalable : règle paramétrable, "
                               "funnel plot, carte, sensibilité et liste exportable.")


def _labelled(label: str, control, block_id: str | None = None, hint: str | None = None,
              hidden: bool = False) -> html.Div:
    extra = {"id": block_id, "hidden": hidden} if block_id else {}
    return html.Div([html.Label(label, htmlFor=control.id, className="control-label"), control]
                    + ([html.Span(hint, className="control-hint")] if hint else []),
                    className="control", **extra)


def _hideable(block: html.Fieldset, hidden: bool) -> html.Fieldset:
    block.hidden = hidden
    return block


EMPTY = {"data": [], "layout": {}}  # dcc.Graph's own default: no map for a campaign without data
SHORT_CAMPAIGNS = {"SSR": "SSR après chirurgie orthopédique", "AMBU": "Chirurgie ambulatoire"}
SHORT_METHODS = {"ecart": "Écart aux taux", "funnel": "Funnel plot"}
SHORT_AGES = {"tous": "Tous âges", "<60": "< 60 ans", "60-74": "60-74", "75+": "75 et +"}
assert set(SHORT_AGES) == set(AGE_LABELS)


def _campaign_block(rule) -> html.Details | None:
    """"Créer une campagne avec cette liste" (action follow-up): for the roles that record steps,
    never in presentation mode."""
    if not actions_service.allowed() or actions_service.hidden_by_presentation():
        return None
    proposed = actions_service.msap_defaults(rule)

    def field(label, control):
        return html.Div([html.Label(label, htmlFor=control.id, className="control-label"), control],
                        className="control")

    return html.Details([
        html.Summary("Créer une campagne avec cette liste", id=campaign_ids.SUMMARY, n_clicks=0),
        html.P("La liste des établissements ciblés est figée à la création ; l'adresse de la règle est gardée "
               "avec elle pour pouvoir la rejouer.", className="figure-count"),
        html.Div([field("Code", dbc.Input(id=campaign_ids.CODE, type="text", maxLength=30, value=proposed["code"],
                                          className="text-input")),
                  field("Libellé", dbc.Input(id=campaign_ids.LABEL, type="text", maxLength=200,
                                             value=proposed["label"], className="text-input wide")),
                  html.Button("Créer la campagne", id=campaign_ids.SUBMIT, n_clicks=0, type="button",
                              className="button primary")], className="controls"),
        html.Div(id=campaign_ids.MESSAGE, **{"aria-live": "polite"}),
    ], id=campaign_ids.BLOCK, className="msap-campaign no-print")


def layout(**query):
    # The address's rule, checked against the data: the controls show it, the notices say what was
    # refused, the RULE store holds it, and its results are drawn here (callbacks.msap.render_results,
    # as the page's one callback draws every later rule): no callback to wait for after the page.
    rule, notices = service.parse_view({k: v for k, v in query.items() if isinstance(v, str)})
    years, gestures = service.control_options(rule)
    value, hidden = service.control_values(rule), service.hidden_blocks(rule)
    shown = {k: (None if NoUpdate.is_no_update(v) else v) for k, v in render_results(asdict(rule), None).items()}
    return html.Div(
        [
            dcc.Store(id=ids.RULE, data=asdict(rule)), dcc.Store(id=ids.MAP_KEY, data=shown["map_key"]),
            dcc.Store(id=ids.ADDRESS, data=address("/msap", service.query_string(rule))),
            dcc.Store(id=ids.PROFILE), html.Div(id=ids.URL_SYNC, hidden=True), html.Div(id=ids.NAVIGATE, hidden=True),
            html.Div([html.H1("Ciblage MSAP — établissements atypiques"),
                      html.Div([html.A("Exporter la liste (CSV)", id=ids.EXPORT_CSV, href=shown["csv"] or "/export/msap.csv",
                                       className="button", download=""),
                                html.A("Exporter (Excel)", id=ids.EXPORT_XLSX, href=shown["xlsx"] or "/export/msap.xlsx",
                                       className="button", download="")],
                               className="export-links no-print", id=ids.EXPORTS,
                               hidden=not can(roles.EXPORT_ESTABLISHMENT))],
                     className="page-title"),
            html.Div(
                [
                    segmented("Campagne", ids.CAMPAGNE, options(SHORT_CAMPAIGNS), value["campagne"]),
                    _labelled("Année", dbc.Select(id=ids.ANNEE, options=years, value=value["annee"],
                                                  className="select year")),
                    _labelled("Geste", dbc.Select(id=ids.GESTE, options=gestures, value=value["geste"],
                                                  className="select")),
                    _hideable(segmented("Âge", ids.AGE, options(SHORT_AGES), value["age"], block_id=ids.AGE_BLOCK),
                              hidden["age"]),
                ],
                className="controls no-print",
            ),
            html.Div(
                [
                    _labelled("Périmètre", dbc.Select(id=ids.PERIMETRE, options=service.perimeter_options(),
                                                      value=value["perimetre"], className="select")),
                    segmented("Méthode", ids.METHODE, options(SHORT_METHODS), value["methode"]),
                    _labelled("Écart exigé (points)",
                              dbc.Input(id=ids.ECART_PTS, type="number", min=0, max=model.ECART_MAX, step=0.5,
                                        value=value["ecart_pts"], debounce=True, className="number"),
                              block_id=ids.ECART_BLOCK, hidden=hidden["ecart"]),
                    _hideable(segmented("Seuil du funnel", ids.SEUIL, options(model.SEUIL_LABELS), value["seuil"],
                                        block_id=ids.SEUIL_BLOCK), hidden["seuil"]),
                    _labelled("Volume minimal (séjours)",
                              dbc.Input(id=ids.VOLUME_MIN, type="number", min=0, max=model.VOLUME_MAX, step=1,
                                        value=value["volume_min"], debounce=True, className="number")),
                ],
                className="controls no-print",
            ),
            html.Div(view.notices_block(notices), id=ids.NOTICES, role="status"),
            _campaign_block(rule),
            html.Div(
                [
                    html.Section([html.Div(shown["count"], id=ids.COUNT, className="msap-count",
                                           **{"aria-live": "polite"}),
                                  html.Div(shown["rule_text"], id=ids.RULE_TEXT, className="msap-rule")],
                                 className="msap-summary", **{"aria-label": "Résultat et règle appliquée"}),
                    html.Div(dcc.Graph(id=ids.SENSITIVITY, figure=shown["sensitivity"], config={"displaylogo": False, "displayModeBar": False},
                                       style={"height": "220px"}), className="msap-sensitivity"),
                ],
                className="msap-head",
            ),
            html.Div(
                [
                    html.Div(dcc.Graph(id=ids.FUNNEL, figure=shown["funnel"], config={"displaylogo": False,
                                                              "modeBarButtonsToRemove": ["select2d", "lasso2d"],
                                                              "toImageButtonOptions": {"filename": "atlas-gdr-funnel",
                                                                                       "scale": 2}},
                                       style={"height": "430px"}), className="panel"),
                    html.Div(dcc.Graph(id=ids.MAP, figure=shown["map"] if shown["map"] is not None else EMPTY, config={**GRAPH_CONFIG, "toImageButtonOptions": {
                        **GRAPH_CONFIG["toImageButtonOptions"], "filename": "atlas-gdr-msap"}},
                                       style={"height": "430px"}), className="panel"),
                ],
                className="msap-charts",
            ),
            html.H2("Établissements examinés"),
            html.P("Ciblés en premier, puis du plus atypique au moins atypique. Cliquer sur un nom (ou sur un point "
                   "du funnel plot ou de la carte) ouvre le profil de l'établissement.", className="figure-count"),
            dag.AgGrid(id=ids.TABLE, rowData=shown["rows"], columnDefs=shown["columns"], className="ag-theme-alpine",
                       style={"height": "460px"}, getRowId="params.data.finess",
                       defaultColDef={"resizable": True, "sortable": True, "suppressHeaderMenuButton": True,
                                      "wrapHeaderText": True, "autoHeaderHeight": True},
                       dashGridOptions={"localeText": {"noRowsToShow": "Aucun établissement examiné"},
                                        "rowHeight": 30, "headerHeight": 34, "tooltipShowDelay": 300,
                                        "rowClassRules": {"msap-row-flagged": "params.data.cible === 'oui'"}}),
        ]
    )
