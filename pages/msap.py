import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics import msap as model
from analytics.ssr import AGE_LABELS
from components.france_map import GRAPH_CONFIG
from components.controls import options, segmented, url_state
from components.navigation import can
from pages.ids import Msap as ids
from security import roles

dash.register_page(__name__, path="/msap", name="Ciblage MSAP", title="Atlas GDR — ciblage MSAP", nav_order=20,
                   description="Établissements atypiques à mettre sous accord préalable : règle paramétrable, "
                               "funnel plot, carte, sensibilité et liste exportable.")


def _labelled(label: str, control, block_id: str | None = None, hint: str | None = None) -> html.Div:
    extra = {"id": block_id} if block_id else {}
    return html.Div([html.Label(label, htmlFor=control.id, className="control-label"), control]
                    + ([html.Span(hint, className="control-hint")] if hint else []),
                    className="control", **extra)


SHORT_CAMPAIGNS = {"SSR": "SSR après chirurgie orthopédique", "AMBU": "Chirurgie ambulatoire"}
SHORT_METHODS = {"ecart": "Écart aux taux", "funnel": "Funnel plot"}
SHORT_AGES = {"tous": "Tous âges", "<60": "< 60 ans", "60-74": "60-74", "75+": "75 et +"}
assert set(SHORT_AGES) == set(AGE_LABELS)


def layout(**query):
    # Defaults first; the sync callback reads `query` (kept as is in a store), checks each value
    # against the data, fills the controls and states the rule.
    return html.Div(
        [
            *url_state(query, ids.QUERY, [ids.RULE, ids.MAP_KEY], [ids.URL_SYNC, ids.NAVIGATE]),
            html.Div([html.H1("Ciblage MSAP — établissements atypiques"),
                      html.Div([html.A("Exporter la liste (CSV)", id=ids.EXPORT_CSV, href="/export/msap.csv",
                                       className="button", download=""),
                                html.A("Exporter (Excel)", id=ids.EXPORT_XLSX, href="/export/msap.xlsx",
                                       className="button", download="")],
                               className="export-links no-print", id=ids.EXPORTS,
                               hidden=not can(roles.EXPORT_ESTABLISHMENT))],
                     className="page-title"),
            html.Div(
                [
                    segmented("Campagne", ids.CAMPAGNE, options(SHORT_CAMPAIGNS), "SSR"),
                    _labelled("Année", dbc.Select(id=ids.ANNEE, options=[], value=None, className="select year")),
                    _labelled("Geste", dbc.Select(id=ids.GESTE, options=[], value=None, className="select")),
                    segmented("Âge", ids.AGE, options(SHORT_AGES), "tous", block_id=ids.AGE_BLOCK),
                ],
                className="controls no-print",
            ),
            html.Div(
                [
                    _labelled("Périmètre", dbc.Select(id=ids.PERIMETRE, options=[], value="FR",
                                                      className="select")),
                    segmented("Méthode", ids.METHODE, options(SHORT_METHODS), "ecart"),
                    _labelled("Écart exigé (points)",
                              dbc.Input(id=ids.ECART_PTS, type="number", min=0, max=model.ECART_MAX, step=0.5,
                                        value=10, debounce=True, className="number"), block_id=ids.ECART_BLOCK),
                    segmented("Seuil du funnel", ids.SEUIL, options(model.SEUIL_LABELS), "99.8",
                               block_id=ids.SEUIL_BLOCK),
                    _labelled("Volume minimal (séjours)",
                              dbc.Input(id=ids.VOLUME_MIN, type="number", min=0, max=model.VOLUME_MAX, step=1,
                                        value=30, debounce=True, className="number")),
                ],
                className="controls no-print",
            ),
            html.Div(id=ids.NOTICES, role="status"),
            html.Div(
                [
                    html.Section([html.Div(id=ids.COUNT, className="msap-count", **{"aria-live": "polite"}),
                                  html.Div(id=ids.RULE_TEXT, className="msap-rule")],
                                 className="msap-summary", **{"aria-label": "Résultat et règle appliquée"}),
                    html.Div(dcc.Graph(id=ids.SENSITIVITY, config={"displaylogo": False, "displayModeBar": False},
                                       style={"height": "220px"}), className="msap-sensitivity"),
                ],
                className="msap-head",
            ),
            html.Div(
                [
                    html.Div(dcc.Graph(id=ids.FUNNEL, config={"displaylogo": False,
                                                              "modeBarButtonsToRemove": ["select2d", "lasso2d"],
                                                              "toImageButtonOptions": {"filename": "atlas-gdr-funnel",
                                                                                       "scale": 2}},
                                       style={"height": "430px"}), className="panel"),
                    html.Div(dcc.Graph(id=ids.MAP, config={**GRAPH_CONFIG, "toImageButtonOptions": {
                        **GRAPH_CONFIG["toImageButtonOptions"], "filename": "atlas-gdr-msap"}},
                                       style={"height": "430px"}), className="panel"),
                ],
                className="msap-charts",
            ),
            html.H2("Établissements examinés"),
            html.P("Ciblés en premier, puis du plus atypique au moins atypique. Cliquer sur un nom (ou sur un point "
                   "du funnel plot ou de la carte) ouvre le profil de l'établissement.", className="figure-count"),
            dag.AgGrid(id=ids.TABLE, rowData=[], columnDefs=[], className="ag-theme-alpine",
                       style={"height": "460px"}, getRowId="params.data.finess",
                       defaultColDef={"resizable": True, "sortable": True, "suppressHeaderMenuButton": True,
                                      "wrapHeaderText": True, "autoHeaderHeight": True},
                       dashGridOptions={"localeText": {"noRowsToShow": "Aucun établissement examiné"},
                                        "rowHeight": 30, "headerHeight": 34, "tooltipShowDelay": 300,
                                        "rowClassRules": {"msap-row-flagged": "params.data.cible === 'oui'"}}),
        ]
    )
