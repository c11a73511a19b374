"""CAQES progress view (/caqes), Dash wiring only: the view changes on the controls and clicks
(pages/caqes.py renders the address's view), the address follows it, and the headline, map
(patched, geometry sent once per level), indicators' distribution and grids are drawn from it.
Every figure comes from services.caqes, as does /export/caqes.csv."""
from __future__ import annotations

from dataclasses import asdict
from urllib.parse import quote

from dash import ALL, Input, Output, Patch, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from analytics.caqes import CaqesView
from components import caqes as ui
from components import france_map
from components.address import address, navigate_callback, write_address_callback
from pages.ids import Caqes as ids
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
@callback(
    output={"view": Output(ids.VIEW, "data"), "address": Output(ids.ADDRESS, "data"),
            "notices": Output(ids.NOTICES, "children"),
            "options": {name: Output(CONTROL_IDS[name], "options") for name in WITH_OPTIONS},
            "values": {name: Output(i, "value") for name, i in CONTROL_IDS.items()}},
    inputs={"values": {name: Input(i, "value") for name, i in CONTROL_IDS.items()},
            "click": Input(ids.MAP, "clickData"), "cell": Input(ids.TERRITORIES, "cellClicked"),
            "crumbs": Input({"type": ids.CRUMB, "code": ALL}, "n_clicks")},
    state={"current": State(ids.VIEW, "data")},
    prevent_initial_call=True,
)
def sync_view(values, click, cell, crumbs, current):
    """The one place the view changes once the page is open: a control, a territory clicked on the
    map or in the table beside it (keyboard friendly), a breadcrumb."""
    if not current:
        raise PreventUpdate
    view, trigger, notices = CaqesView(**current), ctx.triggered_id, []
    if trigger in (ids.MAP, ids.TERRITORIES):
        code = (((click or {}).get("points") or [{}])[0].get("location") if trigger == ids.MAP
                else (cell or {}).get("rowId"))
        if not code:
            raise PreventUpdate
        view = svc.drill(view, code)
    elif isinstance(trigger, dict) and trigger.get("type") == ids.CRUMB:
        if not ctx.triggered[0]["value"]:
            raise PreventUpdate
        view = svc.with_perimeter(view, trigger["code"])
    else:
        view, notices = svc.with_controls(view, CONTROL_NAMES.get(trigger, ""), **values)
    if asdict(view) == current and not notices:
        raise PreventUpdate
    return {"view": asdict(view), "address": address(PATH, svc.query_string(view), PUSH),
            "notices": ui.notice(notices), "options": ui.control_options(svc.controls(view), view.volet),
            "values": {name: getattr(view, name) for name in CONTROL_IDS}}


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
# Rendering (also on the page's first render: the layout fills the view's store)
# ---------------------------------------------------------------------------
def _view(data: dict | None) -> CaqesView:
    if not data:
        raise PreventUpdate
    return CaqesView(**data)



@callback(Output(ids.MAP, "figure"), Output(ids.FIGURE_KEY, "data"),
          Input(ids.VIEW, "data"), State(ids.FIGURE_KEY, "data"))
def render_map(view_data, figure_key):
    """Redraw the geometry only when the level or the region shown change; otherwise patch the
    colours, hover texts, legend and title."""
    view = _view(view_data)
    t = svc.territories(view)
    texts = ui.map_texts(t, *svc.labels(view), view.annee)
    key = {"level": t.level, "region": t.region}
    if key == figure_key:
        patch = france_map.patch_colors(Patch(), t.full["classe"], france_map.stepped_colorscale(texts["colors"]),
                                        texts["hover"], legend_items=texts["legend"],
                                        legend_title=texts["legend_title"], title=texts["title"],
                                        no_data_label=texts["no_data_label"])
        return patch, no_update
    layer = france_map.territories_geojson(t.level)
    if t.region:
        layer = {**layer, "features": [f for f in layer["features"] if f["id"] in set(t.codes)]}
    fig = france_map.choropleth_figure(layer, t.codes, t.full["classe"], texts["colors"], texts["hover"],
                                       texts["legend"], texts["title"], uirevision=f"{t.level}-{t.region}",
                                       frames=[] if t.region else france_map.inset_frames(t.level),
                                       legend_title=texts["legend_title"], no_data_label=texts["no_data_label"],
                                       size=MAP_SIZE, bounds=france_map.geojson_bounds(layer) if t.region else None)
    return fig, key


@callback(
    output={"headline": Output(ids.HEADLINE, "children"), "breadcrumb": Output(ids.BREADCRUMB, "children"),
            "export": Output(ids.EXPORT, "href"),
            "territories_title": Output(ids.TERRITORIES_TITLE, "children"),
            "territories_rows": Output(ids.TERRITORIES, "rowData"),
            "territories_columns": Output(ids.TERRITORIES, "columnDefs"),
            "table_title": Output(ids.TABLE_TITLE, "children"), "table_rows": Output(ids.TABLE, "rowData"),
            "table_columns": Output(ids.TABLE, "columnDefs")},
    inputs={"view_data": Input(ids.VIEW, "data")},
)
def render_tables(view_data):
    view = _view(view_data)
    h = svc.headline(view)
    t = svc.territories(view)
    rows = svc.establishment_rows(view)
    return {
        "headline": ui.headline(h.now, h.previous, h.year, h.previous_year, h.comparable),
        "breadcrumb": ui.breadcrumb(svc.breadcrumb(view), ids.CRUMB),
        "export": "/export/caqes.csv" + svc.query_string(view),
        "territories_title": t.title, "territories_rows": ui.territory_rows(t.table, t.names),
        "territories_columns": ui.territory_columns(t.level, t.one_indicator),
        "table_title": f"Établissements sous contrat — {svc.scope_label(view)} : {fmt_int(len(rows))}",
        "table_rows": rows, "table_columns": ui.establishment_columns(svc.anonymised()),
    }


@callback(Output(ids.INDICATORS_TITLE, "children"), Output(ids.INDICATORS, "figure"), Input(ids.VIEW, "data"))
def render_indicators(view_data):
    view = _view(view_data)
    title = f"Indicateurs {view.annee} — atteinte par établissement — {svc.scope_label(view)}"
    return title, ui.indicator_figure(svc.distribution(view))
