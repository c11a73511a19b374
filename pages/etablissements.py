import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.address import address
from pages.ids import Etablissements as ids
from services import etablissements as service

dash.register_page(__name__, path="/etablissements", name="Établissements", title="Atlas GDR — établissements",
                   nav_order=50, description="Rechercher un établissement par nom, FINESS ou commune et ouvrir son "
                                             "profil pour préparer un entretien confraternel.")

_INT = {"type": "numericColumn", "valueFormatter": {"function": "params.value == null ? '–' : "
                                                                "Number(params.value).toLocaleString('fr-FR')"}}
COLUMNS = [
    {"field": "lien", "headerName": "Établissement", "cellRenderer": "markdown", "flex": 3, "minWidth": 300, "tooltipField": "nom",
     "sortable": True, "comparator": {"function": "(a, b, na, nb) => na.data.nom.localeCompare(nb.data.nom, 'fr')"}},
    {"field": "finess", "headerName": "FINESS", "width": 112},
    {"field": "commune", "headerName": "Commune", "flex": 1, "minWidth": 140},
    {"field": "departement", "headerName": "Département", "flex": 1, "minWidth": 140},
    {"field": "region", "headerName": "Région", "flex": 1, "minWidth": 150},
    {"field": "statut", "headerName": "Statut", "width": 170},
    {"field": "activite", "headerName": "Activité", "width": 110},
    {"field": "lits_places", "headerName": "Lits et places", **_INT, "width": 120},
]


def _select(label: str, component_id: str, options: list[dict], value: str) -> html.Div:
    return html.Div([html.Label(label, htmlFor=component_id, className="control-label"),
                     dbc.Select(id=component_id, options=options, value=value, size="sm")], className="control")


def layout(q: str = "", region: str = "", departement: str = "", statut: str = "", activite: str = "", **_query):
    # The controls show the address's view (services.etablissements.parse_view: an unknown code is
    # no filter); the grid is filled by callbacks/etablissements.py.
    view = service.parse_view({"q": q, "region": region, "departement": departement, "statut": statut,
                               "activite": activite})
    return html.Div(
        [
            dcc.Store(id=ids.ADDRESS, data=address(service.PATH, service.query_string(view))),
            dcc.Store(id=ids.OPEN),
            html.Div(id=ids.NAVIGATE, hidden=True),
            html.Div(id=ids.URL_SYNC, hidden=True),
            html.H1("Établissements"),
            html.P("Recherchez un établissement par son nom, son numéro FINESS ou sa commune (sans vous soucier des "
                   "accents ni des majuscules), puis ouvrez son profil.", className="lead"),
            html.Div(
                [
                    html.Div([html.Label("Rechercher", htmlFor=ids.SEARCH, className="control-label"),
                              dbc.Input(id=ids.SEARCH, type="search", value=view.q, debounce=120,
                                        placeholder="nom, FINESS ou commune — ex. : hopital prive, 330000017",
                                        autoComplete="off", className="search-input")],
                             className="control search-control"),
                    _select("Région", ids.REGION, service.region_options(), view.region),
                    _select("Département", ids.DEPARTEMENT, service.departement_options(view.region),
                            view.departement),
                    _select("Statut", ids.STATUT, service.status_options(), view.statut),
                    _select("Activité", ids.ACTIVITE, service.activity_options(), view.activite),
                ],
                className="controls search-controls no-print",
            ),
            html.P(id=ids.COUNT, className="figure-count", role="status", **{"aria-live": "polite"}),
            dag.AgGrid(id=ids.GRID, rowData=[], columnDefs=COLUMNS, className="ag-theme-alpine",
                       style={"height": "560px"}, getRowId="params.data.finess",
                       defaultColDef={"resizable": True, "sortable": True, "suppressHeaderMenuButton": True},
                       dashGridOptions={"localeText": {"noRowsToShow": "Aucun établissement ne correspond"},
                                        "rowHeight": 32, "headerHeight": 36, "accentedSort": True,
                                        "animateRows": False}),
        ]
    )
