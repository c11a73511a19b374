from dataclasses import asdict

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics import caqes as model
from callbacks.caqes import view_outputs
from components import caqes as ui
from components.address import address
from components.controls import segmented
from components.france_map import GRAPH_CONFIG
from components.navigation import can
from pages.ids import Caqes as ids
from security import roles
from services import caqes as svc

dash.register_page(__name__, path="/caqes", name="Suivi CAQES", title="Atlas GDR — suivi CAQES", nav_order=30,
                   description="Contrats CAQES : atteinte des cibles par indicateur, carte, établissements, "
                               "intéressement estimé.")


def _select(label: str, component_id: str, choices: list[dict], value, class_name: str) -> html.Div:
    """A native <select> with its <label for> (Dash 4's own Dropdown fails axe-core)."""
    return html.Div([html.Label(label, htmlFor=component_id, className="caqes-label"),
                     dbc.Select(id=component_id, options=choices, value=value,
                                className=f"caqes-select {class_name}")],
                    className="control")


def _grid(grid_id: str, height: str, row_id: str, rows: list, columns: list) -> dag.AgGrid:
    return dag.AgGrid(id=grid_id, rowData=rows, columnDefs=columns, className="ag-theme-alpine", style={"height": height},
                      defaultColDef={"resizable": True, "suppressHeaderMenuButton": True, "wrapHeaderText": True,
                                     "autoHeaderHeight": True},
                      getRowId=f"params.data.{row_id}",
                      dashGridOptions={"localeText": {"noRowsToShow": "Aucun établissement sous contrat"},
                                       "rowHeight": 30, "tooltipShowDelay": 300})


def layout(**query):
    # The address's view, checked against the data: the controls show it, the notices name the
    # values ignored, and the view is drawn here (no callback to wait for). The address is rewritten
    # to the canonical one in place (no history entry on opening, so "back" leaves the page).
    view, notices = svc.parse_view(query)
    choices = ui.control_options(svc.controls(view), view.volet)
    drawn = view_outputs(view, None)  # as the page's one callback draws every later view
    tables = drawn["tables"]
    return html.Div(
        [
            dcc.Store(id=ids.VIEW, data=asdict(view)),
            dcc.Store(id=ids.ADDRESS, data=address("/caqes", svc.query_string(view))),
            dcc.Store(id=ids.FIGURE_KEY, data=drawn["figure_key"]), dcc.Store(id=ids.TARGET),
            html.Div(id=ids.URL_SYNC, hidden=True), html.Div(id=ids.NAVIGATE, hidden=True),
            html.Div([html.H1("Suivi CAQES — atteinte des cibles"),
                      html.A("Exporter les résultats (CSV)", id=ids.EXPORT,
                             href=tables["export"], className="button no-print",
                             download="", hidden=not can(roles.EXPORT_ESTABLISHMENT))],
                     className="page-title"),
            html.Div(
                [
                    segmented("Année", ids.ANNEE, choices["annee"], view.annee),
                    segmented("Volet", ids.VOLET, choices["volet"], view.volet),
                    _select("Indicateur", ids.INDICATEUR, choices["indicateur"], view.indicateur, "wide"),
                    segmented("Carte", ids.NIVEAU, [{"label": v, "value": k} for k, v in model.LEVEL_LABELS.items()],
                              view.niveau),
                    _select("Périmètre", ids.PERIMETRE, choices["perimetre"], view.perimetre, "medium"),
                ],
                className="controls no-print",
            ),
            html.Div(ui.notice(notices), id=ids.NOTICES, role="status"),
            html.Nav(tables["breadcrumb"], id=ids.BREADCRUMB, className="breadcrumb", **{"aria-label": "Fil d'Ariane"}),
            html.Div(tables["headline"], id=ids.HEADLINE, className="caqes-kpis", **{"aria-live": "polite"}),
            html.Div(
                [
                    html.Div(dcc.Graph(id=ids.MAP, figure=drawn["map"], config=GRAPH_CONFIG, className="map-graph",
                                       style={"height": "500px"}), className="map-panel"),
                    html.Div([html.H2(tables["territories_title"], id=ids.TERRITORIES_TITLE),
                              _grid(ids.TERRITORIES, "452px", "code", tables["territories_rows"],
                                    tables["territories_columns"])],
                             className="side-panel"),
                ],
                className="map-layout",
            ),
            html.H2(drawn["indicators_title"], id=ids.INDICATORS_TITLE),
            html.P("Atteinte de chaque établissement sous contrat (0 % : aucun progrès depuis la valeur initiale ; "
                   "100 % : cible atteinte) : boîte des quartiles, extrêmes, moyenne en losange. À droite, les "
                   "résultats atteints sur les résultats mesurés.", className="caqes-help"),
            html.Div(dcc.Graph(id=ids.INDICATORS, figure=drawn["indicators"], config={"displaylogo": False, "scrollZoom": False,
                                                          "modeBarButtonsToRemove": ["select2d", "lasso2d"]}),
                     className="caqes-panel"),
            html.H2(tables["table_title"], id=ids.TABLE_TITLE),
            html.P("Une ligne ouvre la section CAQES du profil de l'établissement.", className="caqes-help"),
            _grid(ids.TABLE, "420px", "finess", tables["table_rows"], tables["table_columns"]),
        ],
        className="caqes-page",
    )
