"""Virage ambulatoire view (/ambulatoire), Dash wiring only: the view changes on the controls and
clicks (pages/ambulatoire.py renders the address's view), the address follows it, and the map
(patched, geometry sent once per level and region), grids and series are drawn from it. Every
figure comes from services.ambulatoire, as does /export/ambulatoire.csv."""
from __future__ import annotations

from dataclasses import asdict
from urllib.parse import quote

from dash import ALL, Input, Output, Patch, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from components import ambulatoire as ui
from components import france_map
from components.address import address, navigate_callback, write_address_callback
from components.controls import breadcrumb, clicked_territory
from pages.ids import Ambulatoire as ids
from security.presentation import current_mode
from services import ambulatoire as svc

MAP_SIZE = (660, 500)  # px: the map panel at 1280 px wide, as on /ssr
PUSH = ("focus",)  # a drill-down is a new history entry; a control change replaces the entry
CONTROL_IDS = {"annee": ids.ANNEE, "geste": ids.GESTE, "statut": ids.STATUT, "niveau": ids.NIVEAU,
               "methode": ids.METHODE, "classes": ids.CLASSES, "couleur": ids.COULEUR}


@callback(
    output={"view": Output(ids.VIEW, "data"), "address": Output(ids.ADDRESS, "data"),
            "notices": Output(ids.NOTICES, "children"),
            "values": {name: Output(i, "value") for name, i in CONTROL_IDS.items()}},
    inputs={"values": {name: Input(i, "value") for name, i in CONTROL_IDS.items()},
            "click": Input(ids.MAP, "clickData"), "cell": Input(ids.TABLE, "cellClicked"),
            "crumbs": Input({"type": ids.CRUMB, "code": ALL}, "n_clicks")},
    state={"current": State(ids.VIEW, "data")},
    prevent_initial_call=True,
)
def sync_view(values, click, cell, crumbs, current):
    """The one place the view changes once the page is open: a control, a territory clicked on the
    map or in the table beside it (keyboard friendly), a breadcrumb."""
    if not current:
        raise PreventUpdate
    view, trigger = svc.view_of(current), ctx.triggered_id
    if trigger in (ids.MAP, ids.TABLE):
        code = clicked_territory(trigger, ids.MAP, ids.TABLE, click, cell)
        if not code:
            raise PreventUpdate
        view = svc.drill(view, code)
    elif isinstance(trigger, dict) and trigger.get("type") == ids.CRUMB:
        if not ctx.triggered[0]["value"]:
            raise PreventUpdate
        view = svc.with_focus(view, trigger["code"])
    else:
        view = svc.with_controls(view, values)
    if asdict(view) == current:
        raise PreventUpdate
    return {"view": asdict(view), "address": address(svc.PATH, svc.query_string(view), PUSH),
            "notices": ui.notice(svc.view_notices(view)),
            "values": {name: getattr(view, name) for name in CONTROL_IDS}}


write_address_callback(ids.ADDRESS, ids.URL_SYNC)


@callback(Output(ids.TARGET, "data"), Input(ids.ESTABLISHMENTS, "cellClicked"), State(ids.VIEW, "data"),
          prevent_initial_call=True)
def open_row(cell, view_data):
    """A row opens the profile's ambulatory section; the name column is a real link by itself."""
    if not cell or not cell.get("rowId") or cell.get("colId") == "lien" or not view_data:
        raise PreventUpdate
    return svc.profile_href(quote(str(cell["rowId"]), safe=""), view_data.get("annee"))


navigate_callback(Input(ids.TARGET, "data"), ids.NAVIGATE)


def _view(data):
    if not data:
        raise PreventUpdate
    return svc.view_of(data)


@callback(Output(ids.MAP, "figure"), Output(ids.FIGURE_KEY, "data"),
          Input(ids.VIEW, "data"), State(ids.FIGURE_KEY, "data"))
def render_map(view_data, figure_key):
    """Redraw the geometry only when the level or the region shown change (or the mode's legend);
    otherwise patch colours, hover texts, legend and title."""
    view = _view(view_data)
    mode = current_mode()
    t = svc.territories(view, mode)
    classes, legend, heading = svc.map_classes(view, t)
    colors = ui.GAP_COLORS if view.couleur == "ecart" else france_map.palette(max(t.classification.k, 1))
    hover = svc.map_hover(t)
    secret_label = france_map.SECRET_LABEL if mode.masked else None
    colorscale = (france_map.secret_colorscale(colors) if mode.masked else france_map.stepped_colorscale(colors))
    no_data = "pas de cible" if view.couleur == "ecart" else "pas de données"
    key = {"level": t.level, "region": t.region, "masque": mode.masked}
    if key == figure_key:
        patch = france_map.patch_colors(Patch(), classes, colorscale, hover, legend_items=legend,
                                        legend_title=heading, title=svc.title(view), no_data_label=no_data,
                                        secret_label=secret_label)
        return patch, no_update
    layer = france_map.geometry_url(t.level)  # a region's départements: t.codes, the locations drawn
    fig = france_map.choropleth_figure(layer, t.codes, classes, colors, hover, legend, svc.title(view),
                                       uirevision=f"{t.level}-{t.region}",
                                       frames=[] if t.region else france_map.inset_frames(t.level),
                                       legend_title=heading, no_data_label=no_data, size=MAP_SIZE,
                                       secret_label=secret_label)
    return fig, key


@callback(
    output={"national": Output(ids.NATIONAL, "children"), "breadcrumb": Output(ids.BREADCRUMB, "children"),
            "export": Output(ids.EXPORT, "href"), "table_title": Output(ids.TABLE_TITLE, "children"),
            "table_rows": Output(ids.TABLE, "rowData"), "table_columns": Output(ids.TABLE, "columnDefs"),
            "estab_hidden": Output(ids.ESTABLISHMENTS_BLOCK, "hidden"),
            "estab_title": Output(ids.ESTABLISHMENTS_TITLE, "children"),
            "estab_rows": Output(ids.ESTABLISHMENTS, "rowData"),
            "estab_columns": Output(ids.ESTABLISHMENTS, "columnDefs")},
    inputs={"view_data": Input(ids.VIEW, "data")},
)
def render_tables(view_data):
    view = _view(view_data)
    mode = current_mode()
    t, rows = svc.territory_rows(view, mode)
    estab = svc.establishment_rows(view, mode)
    return {
        "national": ui.kpi(*svc.national(view, mode)), "breadcrumb": breadcrumb(svc.breadcrumb(view), ids.CRUMB),
        "export": "/export/ambulatoire.csv" + svc.query_string(view), "table_title": t.title,
        "table_rows": rows, "table_columns": ui.territory_columns(t.level, mode.masked),
        "estab_hidden": estab is None, "estab_title": estab[0] if estab else no_update,
        "estab_rows": estab[1] if estab else [],
        "estab_columns": ui.establishment_columns(mode.masked, mode.anonymised) if estab else no_update,
    }


@callback(Output(ids.SERIES, "figure"), Input(ids.VIEW, "data"))
def render_series(view_data):
    return ui.series_figure(svc.series(_view(view_data)))
