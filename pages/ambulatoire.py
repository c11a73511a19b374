from dataclasses import asdict

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics import ambulatory as model
from components import ambulatoire as ui
from components.address import address
from components.controls import options, segmented
from components.france_map import GRAPH_CONFIG
from pages.ids import Ambulatoire as ids
from services import ambulatoire as svc

dash.register_page(__name__, path="/ambulatoire", name="Virage ambulatoire",
                   title="Atlas GDR — virage ambulatoire", nav_order=15,
                   description="Taux de chirurgie ambulatoire des 55 gestes marqueurs par région, département et "
                               "établissement, face aux cibles régionales.")

SHORT_METHODS = {"quantiles": "Effectifs égaux", "jenks": "Fisher-Jenks", "egaux": "Intervalles égaux"}


def _grid(grid_id: str, height: str, row_id: str, empty: str) -> dag.AgGrid:
    return dag.AgGrid(id=grid_id, rowData=[], columnDefs=[], className="ag-theme-alpine", style={"height": height},
                      defaultColDef={"resizable": True, "suppressHeaderMenuButton": True},
                      getRowId=f"params.data.{row_id}",
                      dashGridOptions={"localeText": {"noRowsToShow": empty}, "rowHeight": 30, "headerHeight": 34,
                                       "tooltipShowDelay": 300})


def layout(**query):
    # The address's view, checked against the data: the controls show it and its notices name the
    # values ignored; the view's store starts the drawing callbacks.
    view, notices = svc.parse_view(query)
    return html.Div(
        [
            dcc.Store(id=ids.VIEW, data=asdict(view)),
            dcc.Store(id=ids.ADDRESS, data=address(svc.PATH, svc.query_string(view))),
            dcc.Store(id=ids.FIGURE_KEY), dcc.Store(id=ids.TARGET),
            html.Div(id=ids.URL_SYNC, hidden=True), html.Div(id=ids.NAVIGATE, hidden=True),
            html.Div([html.H1("Virage ambulatoire — chirurgie ambulatoire des gestes marqueurs"),
                      html.A("Exporter le tableau (CSV)", id=ids.EXPORT,
                             href="/export/ambulatoire.csv" + svc.query_string(view),
                             className="button no-print", download="")],
                     className="page-title"),
            html.Div(
                [
                    html.Div([html.Label("Geste marqueur", htmlFor=ids.GESTE, className="caqes-label"),
                              dbc.Select(id=ids.GESTE, options=svc.procedure_options(), value=view.geste,
                                         className="caqes-select wide")], className="control"),
                    segmented("Année", ids.ANNEE, [{"label": str(y), "value": y} for y in svc.years()], view.annee),
                    segmented("Statut", ids.STATUT, options(model.STATUS_LABELS), view.statut),
                    segmented("Niveau", ids.NIVEAU, options(model.LEVEL_LABELS), view.niveau),
                    segmented("Couleur", ids.COULEUR, options(model.COLOURING_LABELS), view.couleur),
                    segmented("Classes", ids.METHODE, options(SHORT_METHODS), view.methode),
                    segmented("Nombre", ids.CLASSES, [{"label": str(k), "value": k} for k in range(3, 8)],
                              view.classes),
                ],
                className="controls no-print",
            ),
            html.Div(ui.notice(notices + svc.view_notices(view)), id=ids.NOTICES, role="status"),
            html.Nav(id=ids.BREADCRUMB, className="breadcrumb", **{"aria-label": "Fil d'Ariane"}),
            html.Div(
                [
                    html.Div(dcc.Graph(id=ids.MAP, config=GRAPH_CONFIG, className="map-graph",
                                       style={"height": "500px"}), className="map-panel"),
                    html.Div([html.Div(id=ids.NATIONAL, className="kpi"), html.H2(id=ids.TABLE_TITLE),
                              _grid(ids.TABLE, "390px", "code", "Aucune donnée")], className="side-panel"),
                ],
                className="map-layout",
            ),
            html.Div([html.H2(id=ids.ESTABLISHMENTS_TITLE),
                      html.P("Une ligne ouvre le profil de l'établissement (section Chirurgie ambulatoire).",
                             className="caqes-help"),
                      _grid(ids.ESTABLISHMENTS, "380px", "id", "Aucun établissement")],
                     id=ids.ESTABLISHMENTS_BLOCK, hidden=True),
            html.H2("Évolution face à la cible", id=ids.SERIES_TITLE),
            dcc.Graph(id=ids.SERIES, config={"displaylogo": False}, style={"height": "300px"}),
        ]
    )
