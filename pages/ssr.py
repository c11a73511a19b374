import dash
import dash_ag_grid as dag
from dash import dcc, html

from analytics import ssr as model
from components.france_map import GRAPH_CONFIG
from pages.ids import Ssr as ids

dash.register_page(__name__, path="/ssr", name="Recours au SSR", title="Atlas GDR — recours au SSR", nav_order=10,
                   description="Part des patients orientés en SSR après chirurgie orthopédique, par région, "
                               "département et établissement.")


def _options(labels: dict[str, str]) -> list[dict]:
    return [{"label": v, "value": k} for k, v in labels.items()]


def _control(label: str, component, html_for: str) -> html.Div:
    return html.Div([html.Label(label, htmlFor=html_for), component], className="control")


def layout(**query):
    # The page opens with the defaults; the view callback reads `query` (kept as is in a store),
    # checks each value against the data and fills the controls.
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data={k: v for k, v in query.items() if isinstance(v, str)}),
            dcc.Store(id=ids.VIEW),
            dcc.Store(id=ids.FIGURE_KEY),
            html.Div(id=ids.URL_SYNC, hidden=True),
            html.Div([html.H1("Recours au SSR après chirurgie orthopédique"),
                      html.A("Exporter le tableau (CSV)", id=ids.EXPORT, href="/export/ssr.csv",
                             className="button no-print", download="")],
                     className="page-title"),
            html.Div(
                [
                    _control("Geste", dcc.Dropdown(id=ids.GESTE, options=_options(model.GESTURE_LABELS),
                                                   value="PTG", clearable=False, searchable=False), ids.GESTE),
                    _control("Année", dcc.Dropdown(id=ids.ANNEE, options=[], clearable=False, searchable=False),
                             ids.ANNEE),
                    _control("Âge", dcc.Dropdown(id=ids.AGE, options=_options(model.AGE_LABELS), value="tous",
                                                 clearable=False, searchable=False), ids.AGE),
                    _control("Statut", dcc.Dropdown(id=ids.STATUT, options=_options(model.STATUS_LABELS),
                                                    value="tous", clearable=False, searchable=False), ids.STATUT),
                    _control("Niveau", dcc.RadioItems(id=ids.NIVEAU, options=_options(model.LEVEL_LABELS),
                                                      value="reg", inline=True), ids.NIVEAU),
                    _control("Classes", dcc.Dropdown(id=ids.METHODE, options=[
                        {"label": "Effectifs égaux (quantiles)", "value": "quantiles"},
                        {"label": "Seuils naturels (Fisher-Jenks)", "value": "jenks"},
                        {"label": "Intervalles égaux", "value": "egaux"}], value="quantiles", clearable=False,
                        searchable=False), ids.METHODE),
                    _control("Nombre de classes", dcc.Dropdown(id=ids.CLASSES, options=list(range(3, 8)), value=4,
                                                               clearable=False, searchable=False), ids.CLASSES),
                    dcc.Checklist(id=ids.POINTS, options=[{"label": "Établissements", "value": "oui"}], value=[],
                                  className="control-check"),
                ],
                className="controls no-print",
            ),
            html.Div(id=ids.NOTICES, role="status"),
            html.Nav(id=ids.BREADCRUMB, className="breadcrumb", **{"aria-label": "Fil d'Ariane"}),
            html.Div(
                [
                    html.Div(dcc.Graph(id=ids.MAP, config=GRAPH_CONFIG, className="map-graph",
                                       style={"height": "520px"}), className="map-panel"),
                    html.Div(
                        [
                            html.Div(id=ids.NATIONAL, className="kpi"),
                            html.H2(id=ids.TABLE_TITLE),
                            dag.AgGrid(id=ids.TABLE, rowData=[], columnDefs=[], className="ag-theme-alpine",
                                       style={"height": "390px"},
                                       defaultColDef={"resizable": True, "suppressHeaderMenuButton": True},
                                       getRowId="params.data.code",
                                       dashGridOptions={"localeText": {"noRowsToShow": "Aucune donnée"},
                                                        "rowHeight": 30, "headerHeight": 34,
                                                        "tooltipShowDelay": 300}),
                        ],
                        className="side-panel",
                    ),
                ],
                className="map-layout",
            ),
            html.Div(
                [html.H2(id=ids.ESTABLISHMENTS_TITLE),
                 dag.AgGrid(id=ids.ESTABLISHMENTS, rowData=[], columnDefs=[], className="ag-theme-alpine",
                            style={"height": "380px"},
                            defaultColDef={"resizable": True, "suppressHeaderMenuButton": True})],
                id=ids.ESTABLISHMENTS_BLOCK, hidden=True,
            ),
            html.H2("Évolution"),
            dcc.Graph(id=ids.SERIES, config={"displaylogo": False}, style={"height": "300px"}),
        ]
    )
