"""CAQES progress view (/caqes), Dash wiring only. One action, one request: `update_view` takes the
controls and clicks and answers the new view, its address, the controls, and the headline, map
(patched, geometry sent once per level), indicators' distribution and grids drawn from it; the
page's layout draws the address's view with the same `view_outputs`. Every figure comes from
services.caqes, as does /export/caqes.csv."""
from __future__ import annotations

from dataclasses import asdict, astuple
from urllib.parse import quote

from dash import ALL, Input, Output, Patch, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from analytics.caqes import CaqesView
from components import caqes as ui
from components import france_map
from components.address import address, navigate_callback, write_address_callback
from components.controls import breadcrumb, clicked_territory
from data_access.cache import cached
from pages.ids import Caqes as ids
from security.presentation import cache_key, current_mode
from services import caqes as svc
from text.format import fmt_int

PATH = "/caqes"
MAP_SIZE = (660, 500)  # px: the map panel at 1280 px wide, as on /ssr
# A new perimeter (drill-down, breadcrumb) is a new history entry, so the back button steps back
# through drill-downs; a control change replaces the current entry.
PUSH = ("perimetre",)
CONTROL_IDS = {"annee": ids.ANNEE, "volet": ids.VOLET, "indicateur": ids.INDICATEUR, "niveau": ids.NIVEAU,
               "perimetre": ids.PERIMETRE}
CONTROL_NAMES = {v: k for k, v in CONTROL_IDS.items()}
WITH_OPTIONS = ("annee", "volet", "indicateur", "perimetre")


# ---------------------------------------------------------------------------
# The view: from the controls and the clicks; the address follows it
# ---------------------------------------------------------------------------
TABLES = {"headline": Output(ids.HEADLINE, "children"), "breadcrumb": Output(ids.BREADCRUMB, "children"),
          "export": Output(ids.EXPORT, "href"),
          "territories_title": Output(ids.TERRITORIES_TITLE, "children"),
          "territories_rows": Output(ids.TERRITORIES, "rowData"),
          "territories_columns": Output(ids.TERRITORIES, "columnDefs"),
          "table_title": Output(ids.TABLE_TITLE, "children"), "table_rows": Output(ids.TABLE, "rowData"),
          "table_columns": Output(ids.TABLE, "columnDefs")}


@callback(
    output={"view": Output(ids.VIEW, "data"), "address": Output(ids.ADDRESS, "data"),
            "notices": Output(ids.NOTICES, "children"),
            "options": {name: Output(CONTROL_IDS[name], "options") for name in WITH_OPTIONS},
            "values": {name: Output(i, "value") for name, i in CONTROL_IDS.items()},
            "map": Output(ids.MAP, "figure"), "figure_key": Output(ids.FIGURE_KEY, "data"), "tables": TABLES,
            "indicators_title": Output(ids.INDICATORS_TITLE, "children"),
            "indicators": Output(ids.INDICATORS, "figure")},
    inputs={"values": {name: Input(i, "value") for name, i in CONTROL_IDS.items()},
            "click": Input(ids.MAP, "clickData"), "cell": Input(ids.TERRITORIES, "cellClicked"),
            "crumbs": Input({"type": ids.CRUMB, "code": ALL}, "n_clicks")},
    state={"current": State(ids.VIEW, "data"), "figure_key": State(ids.FIGURE_KEY, "data")},
    prevent_initial_call=True,
)
def update_view(values, click, cell, crumbs, current, figure_key):
    """The one place the view changes once the page is open: a control, a territory clicked on the
    map or in the table beside it (keyboard friendly), a breadcrumb; and everything drawn from the
    view, in one answer. Nothing to do when the view stays as it is and the page holds its map
    (`figure_key` None: everything is drawn)."""
    if not current:
        raise PreventUpdate
    view, trigger, notices = CaqesView(**current), ctx.triggered_id, []
    if trigger in (ids.MAP, ids.TERRITORIES):
        code = clicked_territory(trigger, ids.MAP, ids.TERRITORIES, click, cell)
        if not code:
            raise PreventUpdate
        view = svc.drill(view, code)
    elif isinstance(trigger, dict) and trigger.get("type") == ids.CRUMB:
        if not ctx.triggered[0]["value"]:
            raise PreventUpdate
        view = svc.with_perimeter(view, trigger["code"])
    else:
        view, notices = svc.with_controls(view, CONTROL_NAMES.get(trigger, ""), **values)
    if asdict(view) == current and not notices and figure_key is not None:
        raise PreventUpdate
    return {"view": asdict(view), "address": address(PATH, svc.query_string(view), PUSH),
            "notices": ui.notice(notices), "options": ui.control_options(svc.controls(view), view.volet),
            "values": {name: getattr(view, name) for name in CONTROL_IDS}, **view_outputs(view, figure_key)}


# The browser writes the address (assets/atlas-clientside.js); Dash's router is not told.
write_address_callback(ids.ADDRESS, ids.URL_SYNC)


@callback(Output(ids.TARGET, "data"), Input(ids.TABLE, "cellClicked"), State(ids.VIEW, "data"),
          prevent_initial_call=True)
def open_row(cell, view_data):
    """A row opens the profile's CAQES section (assets/anchor-scroll.js scrolls to it once rendered);
    the name column is a real link, for the keyboard, and opens it by itself."""
    if not cell or not cell.get("rowId") or cell.get("colId") == "lien" or not view_data:
        raise PreventUpdate
    return svc.profile_href(quote(str(cell["rowId"]), safe=""), view_data.get("annee"))


navigate_callback(Input(ids.TARGET, "data"), ids.NAVIGATE)


# ---------------------------------------------------------------------------
# Rendering (the layout draws the first view with `view_outputs` too)
# ---------------------------------------------------------------------------
def _view(data: dict | None) -> CaqesView:
    if not data:
        raise PreventUpdate
    return CaqesView(**data)



def view_outputs(view: CaqesView, figure_key: dict | None) -> dict:
    """The map (a Patch of colours, hover texts, legend and title when `figure_key` names the
    geometry drawn, else the whole figure), its key, the grids and the indicators of `view` (the
    layout draws the address's view with it too). The finished parts are cached on the data
    version, the view and the mode."""
    fields, mode_key = astuple(view), cache_key(current_mode())
    colours = cached(_map_colours, fields, mode_key)
    if colours["key"] == figure_key:
        patch = Patch()
        patch._operations = list(colours["operations"])  # the cached operations of the map's Patch
        figure, key = patch, no_update
    else:
        figure, key = map_figure(view), colours["key"]
    finished = cached(_finished, fields, mode_key)
    return {"map": figure, "figure_key": key, "tables": finished["tables"],
            "indicators_title": finished["indicators_title"], "indicators": finished["indicators"]}


def _map_colours(_url: str, fields: tuple, _mode: tuple) -> dict:
    view = CaqesView(*fields)
    t = svc.territories(view)
    texts = ui.map_texts(t, *svc.labels(view), view.annee)
    patch = france_map.patch_colors(Patch(), t.full["classe"], france_map.stepped_colorscale(texts["colors"]),
                                    texts["hover"], legend_items=texts["legend"],
                                    legend_title=texts["legend_title"], title=texts["title"],
                                    no_data_label=texts["no_data_label"])
    return {"key": {"level": t.level, "region": t.region}, "operations": patch.to_plotly_json()["operations"]}


def _finished(_url: str, fields: tuple, _mode: tuple) -> dict:
    view = CaqesView(*fields)
    return {"tables": render_tables(asdict(view)),
            "indicators_title": f"Indicateurs {view.annee} — atteinte par établissement — {svc.scope_label(view)}",
            "indicators": ui.indicator_figure(svc.distribution(view))}


def map_figure(view: CaqesView):
    """The whole map (first draw of a level or a region), its geometry named by address."""
    t = svc.territories(view)
    texts = ui.map_texts(t, *svc.labels(view), view.annee)
    layer = france_map.geometry_url(t.level)  # a region's départements: t.codes, the locations drawn
    return france_map.choropleth_figure(layer, t.codes, t.full["classe"], texts["colors"], texts["hover"],
                                        texts["legend"], texts["title"], uirevision=f"{t.level}-{t.region}",
                                        frames=[] if t.region else france_map.inset_frames(t.level),
                                        legend_title=texts["legend_title"], no_data_label=texts["no_data_label"],
                                        size=MAP_SIZE)


def render_tables(view_data) -> dict:
    """The headline, breadcrumb, export link and grids of a view (a dict keyed like TABLES)."""
    view = _view(view_data)
    h = svc.headline(view)
    t = svc.territories(view)
    rows = svc.establishment_rows(view)
    return {
        "headline": ui.headline(h.now, h.previous, h.year, h.previous_year, h.comparable),
        "breadcrumb": breadcrumb(svc.breadcrumb(view), ids.CRUMB),
        "export": "/export/caqes.csv" + svc.query_string(view),
        "territories_title": t.title, "territories_rows": ui.territory_rows(t.table, t.names),
        "territories_columns": ui.territory_columns(t.level, t.one_indicator),
        "table_title": f"Établissements sous contrat — {svc.scope_label(view)} : {fmt_int(len(rows))}",
        "table_rows": rows, "table_columns": ui.establishment_columns(svc.anonymised()),
    }
