"""SSR recourse view: Dash wiring only. One user action, one request: `update_view` takes the
controls, the map and table clicks and the breadcrumb, and answers the new view, its address, the
controls that must change and every part of the page that follows (the map patched, its geometry
sent again only when the level, the region, the points layer or the mode change; the grids, the
national figure and the series; a figure names its boundaries' address, france_map.geometry_url,
and never carries them). The page's layout renders the address's view with the same
`view_outputs`, so opening the page costs no callback. Data come from `services.ssr`, figures and
components from components/; the finished parts are cached on the data version, the view and the
mode (a repeated view is a cache read)."""
from __future__ import annotations

from dataclasses import asdict, astuple

from dash import ALL, Input, Output, Patch, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from components import address, france_map, ssr_figures, ssr_tables
from components.controls import breadcrumb
from data_access.cache import cached
from pages.ids import Ssr as ids
from security.presentation import Mode, cache_key, current_mode, mode_of_key
from services import ssr as service

CONTROLS = {"geste": ids.GESTE, "annee": ids.ANNEE, "age": ids.AGE, "niveau": ids.NIVEAU, "methode": ids.METHODE,
            "classes": ids.CLASSES, "statut": ids.STATUT, "points": ids.POINTS}
TABLES = {"national": Output(ids.NATIONAL, "children"), "title": Output(ids.TABLE_TITLE, "children"),
          "rows": Output(ids.TABLE, "rowData"), "columns": Output(ids.TABLE, "columnDefs"),
          "breadcrumb": Output(ids.BREADCRUMB, "children"), "export": Output(ids.EXPORT, "href"),
          "estab_hidden": Output(ids.ESTABLISHMENTS_BLOCK, "hidden"),
          "estab_title": Output(ids.ESTABLISHMENTS_TITLE, "children"),
          "estab_rows": Output(ids.ESTABLISHMENTS, "rowData"),
          "estab_columns": Output(ids.ESTABLISHMENTS, "columnDefs")}


@callback(
    output={"view": Output(ids.VIEW, "data"), "address": Output(ids.ADDRESS, "data"),
            "notices": Output(ids.NOTICES, "children"), "niveau": Output(ids.NIVEAU, "value"),
            "map": Output(ids.MAP, "figure"), "figure_key": Output(ids.FIGURE_KEY, "data"),
            "tables": TABLES, "series": Output(ids.SERIES, "figure")},
    inputs={"controls": {name: Input(c, "value") for name, c in CONTROLS.items()},
            "click": Input(ids.MAP, "clickData"), "cell": Input(ids.TABLE, "cellClicked"),
            "crumbs": Input({"type": ids.CRUMB, "code": ALL}, "n_clicks")},
    state={"current": State(ids.VIEW, "data"), "figure_key": State(ids.FIGURE_KEY, "data")},
    prevent_initial_call=True,
)
def update_view(controls, click, cell, crumbs, current, figure_key):
    """The one place the view changes after the page opened with the address's view, and everything
    that follows it, in one answer. An action that leaves the view as it is answers nothing, unless
    the page holds no map yet (`figure_key` None: everything is drawn)."""
    view = service.view_of(current)
    trigger = ctx.triggered_id
    if trigger == ids.MAP:
        view = service.drill_down(view, (click or {}).get("points", [{}])[0].get("location"))
    elif trigger == ids.TABLE:  # a row of the table beside the map (keyboard friendly)
        view = service.drill_down(view, (cell or {}).get("rowId"))
    elif isinstance(trigger, dict) and trigger.get("type") == ids.CRUMB:
        if not ctx.triggered[0]["value"]:  # a breadcrumb button just drawn, not clicked
            raise PreventUpdate
        view = service.climb_to(view, trigger["code"])
    else:
        view = service.with_controls(view, **controls)
    changed = asdict(view) != current
    if not changed and figure_key is not None:
        raise PreventUpdate
    return {"view": asdict(view) if changed else no_update,
            "address": ssr_tables.view_address(service.query_string(view)) if changed else no_update,
            "notices": None, "niveau": view.niveau if view.niveau != controls["niveau"] else no_update,
            **view_outputs(view, current_mode(), figure_key)}


# Dash's router is not told of the address written (no re-render); on "back", the router rebuilds
# the page from the address.
address.write_address_callback(ids.ADDRESS, ids.URL_SYNC)


def view_outputs(view: service.SsrView, mode: Mode, figure_key: dict | None) -> dict:
    """The map (a Patch of colours, hover texts, legend and points when `figure_key` names the
    geometry drawn, else the whole figure), its key, the grids and the series of `view`."""
    fields, mode_key = astuple(view), cache_key(mode)
    key = service.map_key(view, mode)
    if key == figure_key:
        figure, new_key = _patch(cached(_map_colours, fields, mode_key)), no_update
    else:  # a new level, region, points layer or mode
        figure, new_key = cached(_whole_figure, fields, mode_key), key
    panel = cached(_panel, fields, mode_key)
    return {"map": figure, "figure_key": new_key, "tables": panel["tables"], "series": panel["series"]}


def _patch(operations: list) -> Patch:
    patch = Patch()
    patch._operations = list(operations)  # the cached operations of a Patch built by _map_colours
    return patch


def _shading(fields: tuple, mode_key: tuple):
    """The map's classes and texts of a view, and its establishments when the points layer is on."""
    view, mode = service.SsrView(*fields), mode_of_key(mode_key)
    shading = service.map_shading(view, mode)
    return shading, service.points(view, shading.region, mode) if view.points else None


def _map_colours(_url: str, fields: tuple, mode_key: tuple) -> list:
    """The operations of the map's Patch for a view (cached: plain data)."""
    shading, points = _shading(fields, mode_key)
    return ssr_figures.map_patch(Patch(), shading, points).to_plotly_json()["operations"]


def _whole_figure(_url: str, fields: tuple, mode_key: tuple) -> dict:
    """The whole map (first draw of a level, a region, the points layer or a mode): traces, legend
    and the address of its geometry, which it never carries (cached: plain data)."""
    shading, points = _shading(fields, mode_key)
    return ssr_figures.map_figure(shading, france_map.geometry_url(shading.level), points).to_plotly_json()


def _panel(_url: str, fields: tuple, mode_key: tuple) -> dict:
    """The grids, national figure, breadcrumb, export link and series of a view (cached)."""
    view, mode = service.SsrView(*fields), mode_of_key(mode_key)
    return {"tables": render_tables(asdict(view), mode), "series": ssr_figures.series_figure(service.series(view, mode))}


def render_tables(view_data: dict, mode: Mode | None = None) -> dict:
    """The side panel and the establishments block of a view (a dict keyed like TABLES)."""
    mode = mode or current_mode()
    tables = service.tables(service.view_of(view_data), mode)
    out = {"national": ssr_tables.national_kpi(tables.national), "title": tables.title, "rows": tables.rows,
           "columns": ssr_tables.territory_columns(tables.level, mode.masked),
           "breadcrumb": breadcrumb(tables.crumbs, ids.CRUMB), "export": tables.export_href}
    if tables.establishments is None:
        return {**out, "estab_hidden": True, "estab_title": no_update, "estab_rows": [], "estab_columns": no_update}
    return {**out, "estab_hidden": False, "estab_title": tables.establishments_title,
            "estab_rows": tables.establishments, "estab_columns": ssr_tables.establishment_columns(mode.masked)}
