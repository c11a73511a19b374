"""SSR recourse view: Dash wiring only. The view changes in `sync_view` (controls, map and table
clicks, breadcrumb); the map (patched, geometry sent once per level), the tables and the series
follow the VIEW store, filled by the page layout on load. Data come from `services.ssr`, figures
and components from components/."""
from __future__ import annotations

from dataclasses import asdict

from dash import ALL, Input, Output, Patch, State, callback, ctx, no_update

from components import address, france_map, ssr_figures, ssr_tables
from pages.ids import Ssr as ids
from security.presentation import current_mode
from services import ssr as service

CONTROLS = {"geste": ids.GESTE, "annee": ids.ANNEE, "age": ids.AGE, "niveau": ids.NIVEAU, "methode": ids.METHODE,
            "classes": ids.CLASSES, "statut": ids.STATUT, "points": ids.POINTS}


@callback(
    output={"view": Output(ids.VIEW, "data"), "address": Output(ids.ADDRESS, "data"),
            "notices": Output(ids.NOTICES, "children"), "niveau": Output(ids.NIVEAU, "value")},
    inputs={"controls": {name: Input(c, "value") for name, c in CONTROLS.items()},
            "click": Input(ids.MAP, "clickData"), "cell": Input(ids.TABLE, "cellClicked"),
            "crumbs": Input({"type": ids.CRUMB, "code": ALL}, "n_clicks")},
    state={"current": State(ids.VIEW, "data")},
    prevent_initial_call=True,
)
def sync_view(controls, click, cell, crumbs, current):
    """The one place the view changes after the page opened with the address's view."""
    unchanged = {"view": no_update, "address": no_update, "notices": no_update, "niveau": no_update}
    view = service.view_of(current)
    trigger = ctx.triggered_id
    if trigger == ids.MAP:
        view = service.drill_down(view, (click or {}).get("points", [{}])[0].get("location"))
    elif trigger == ids.TABLE:  # a row of the table beside the map (keyboard friendly)
        view = service.drill_down(view, (cell or {}).get("rowId"))
    elif isinstance(trigger, dict) and trigger.get("type") == ids.CRUMB:
        if not ctx.triggered[0]["value"]:  # a breadcrumb button just drawn, not clicked
            return unchanged
        view = service.climb_to(view, trigger["code"])
    else:
        view = service.with_controls(view, **controls)
    if asdict(view) == current:
        return unchanged
    return {"view": asdict(view), "address": ssr_tables.view_address(service.query_string(view)), "notices": None,
            "niveau": view.niveau if view.niveau != controls["niveau"] else no_update}


# Dash's router is not told of the address written (no re-render); on "back", the router rebuilds
# the page from the address.
address.write_address_callback(ids.ADDRESS, ids.URL_SYNC)


@callback(Output(ids.MAP, "figure"), Output(ids.FIGURE_KEY, "data"),
          Input(ids.VIEW, "data"), State(ids.FIGURE_KEY, "data"))
def render_map(view_data, figure_key):
    """Redraw the geometry only when the level, the region in focus, the points layer or the mode
    change; otherwise patch colours, hover texts and legend."""
    view, mode = service.view_of(view_data), current_mode()
    shading = service.map_shading(view, mode)
    points = service.points(view, shading.region, mode) if view.points else None
    if shading.key == figure_key:
        return ssr_figures.map_patch(Patch(), shading, points), no_update
    return ssr_figures.map_figure(shading, france_map.territories_geojson(shading.level), points), shading.key



@callback(
    output={"national": Output(ids.NATIONAL, "children"), "title": Output(ids.TABLE_TITLE, "children"),
            "rows": Output(ids.TABLE, "rowData"), "columns": Output(ids.TABLE, "columnDefs"),
            "breadcrumb": Output(ids.BREADCRUMB, "children"), "export": Output(ids.EXPORT, "href"),
            "estab_hidden": Output(ids.ESTABLISHMENTS_BLOCK, "hidden"),
            "estab_title": Output(ids.ESTABLISHMENTS_TITLE, "children"),
            "estab_rows": Output(ids.ESTABLISHMENTS, "rowData"),
            "estab_columns": Output(ids.ESTABLISHMENTS, "columnDefs")},
    inputs={"view_data": Input(ids.VIEW, "data")},
)
def render_tables(view_data):
    mode = current_mode()
    tables = service.tables(service.view_of(view_data), mode)
    out = {"national": ssr_tables.national_kpi(tables.national), "title": tables.title, "rows": tables.rows,
           "columns": ssr_tables.territory_columns(tables.level, mode.masked),
           "breadcrumb": ssr_tables.breadcrumb(tables.crumbs, ids.CRUMB), "export": tables.export_href}
    if tables.establishments is None:
        return {**out, "estab_hidden": True, "estab_title": no_update, "estab_rows": [], "estab_columns": no_update}
    return {**out, "estab_hidden": False, "estab_title": tables.establishments_title,
            "estab_rows": tables.establishments, "estab_columns": ssr_tables.establishment_columns(mode.masked)}


@callback(Output(ids.SERIES, "figure"), Input(ids.VIEW, "data"))
def render_series(view_data):
    return ssr_figures.series_figure(service.series(service.view_of(view_data)))

