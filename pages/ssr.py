from dataclasses import asdict

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html
from dash._no_update import NoUpdate

from analytics import ssr as model
from callbacks.ssr import view_outputs
from components.controls import options, segmented
from components.france_map import GRAPH_CONFIG
from components.ssr_tables import notices, view_address
from pages.ids import Ssr as ids
from security.presentation import current_mode
from services import ssr as service

dash.register_page(__name__, path="/ssr", name="Recours au SSR", title="Atlas GDR — recours au SSR", nav_order=10,
                   description="Part des patients orientés en SSR après chirurgie orthopédique, par région, "
                               "département et établissement.")


SHORT_GESTURES = {"PTG": "PTG", "PTH": "PTH", "LCA": "LCA", "COIFFE": "Coiffe", "TOUS": "Les 4 gestes"}
SHORT_AGES = {"tous": "Tous âges", "<60": "< 60 ans", "60-74": "60-74", "75+": "75 et +"}
SHORT_STATUSES = {"tous": "Tous", "public": "Public", "espic": "ESPIC", "prive": "Privé"}
SHORT_METHODS = {"quantiles": "Effectifs égaux", "jenks": "Fisher-Jenks", "egaux": "Intervalles égaux"}


def layout(**query):
    # The address is the view: checked against the data here, so the controls open with its values,
    # and the map, grids and series are drawn here too (callbacks.ssr.view_outputs, as the page's one
    # callback draws every later view): the page is whole in the router's answer, with no callback
    # to wait for after it.
    view, ignored = service.parse_view(query)
    search = service.query_string(view)
    drawn = view_outputs(view, current_mode(), None)
    tables = {k: (None if NoUpdate.is_no_update(v) else v) for k, v in drawn["tables"].items()}
    return html.Div(
        [
            dcc.Store(id=ids.VIEW, data=asdict(view)),
            dcc.Store(id=ids.FIGURE_KEY, data=drawn["figure_key"]),
            dcc.Store(id=ids.ADDRESS, data=view_address(search)),
            html.Div(id=ids.URL_SYNC, hidden=True),
            html.Div([html.H1("Recours au SSR après chirurgie orthopédique"),
                      html.A("Exporter le tableau (CSV)", id=ids.EXPORT, href=tables["export"],
                             className="button no-print", download="")],
                     className="page-title"),
            html.Div(
                [
                    segmented("Geste", ids.GESTE, options(SHORT_GESTURES), view.geste),
                    segmented("Âge", ids.AGE, options(SHORT_AGES), view.age),
                    segmented("Statut", ids.STATUT, options(SHORT_STATUSES), view.statut),
                    segmented("Niveau", ids.NIVEAU, options(model.LEVEL_LABELS), view.niveau),
                    segmented("Année", ids.ANNEE, [{"label": str(y), "value": y} for y in service.years()],
                              view.annee),
                    segmented("Classes", ids.METHODE, options(SHORT_METHODS), view.methode),
                    segmented("Nombre", ids.CLASSES, [{"label": str(k), "value": k} for k in range(3, 8)],
                              view.classes),
                ],
                className="controls no-print",
            ),
            html.Div(notices(ignored), id=ids.NOTICES, role="status"),
            html.Div([html.Nav(tables["breadcrumb"], id=ids.BREADCRUMB, className="breadcrumb",
                               **{"aria-label": "Fil d'Ariane"}),
                      dbc.Checklist(id=ids.POINTS, options=[{"label": "Afficher les établissements (taille = séjours)",
                                                             "value": "oui"}], value=["oui"] if view.points else [],
                                    className="points-toggle")],
                     className="crumb-row"),
            html.Div(
                [
                    html.Div(dcc.Graph(id=ids.MAP, figure=drawn["map"], config=GRAPH_CONFIG,
                                       className="map-graph", style={"height": "500px"}), className="map-panel"),
                    html.Div(
                        [
                            html.Div(tables["national"], id=ids.NATIONAL, className="kpi"),
                            html.H2(tables["title"], id=ids.TABLE_TITLE),
                            dag.AgGrid(id=ids.TABLE, rowData=tables["rows"], columnDefs=tables["columns"],
                                       className="ag-theme-alpine",
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
                [html.H2(tables["estab_title"], id=ids.ESTABLISHMENTS_TITLE),
                 dag.AgGrid(id=ids.ESTABLISHMENTS, rowData=tables["estab_rows"],
                            columnDefs=tables["estab_columns"] or [],
                            className="ag-theme-alpine",
                            style={"height": "380px"},
                            defaultColDef={"resizable": True, "suppressHeaderMenuButton": True})],
                id=ids.ESTABLISHMENTS_BLOCK, hidden=tables["estab_hidden"],
            ),
            html.H2("Évolution"),
            dcc.Graph(id=ids.SERIES, figure=drawn["series"], config={"displaylogo": False},
                      style={"height": "300px"}),
        ]
    )
