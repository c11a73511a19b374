"""SSR recourse view: URL state, map (patched, geometry sent once per level), tables, series."""
from __future__ import annotations

from dataclasses import asdict, replace

import plotly.graph_objects as go
from dash import ALL, Input, Output, Patch, State, callback, clientside_callback, ctx, html, no_update

from analytics import ssr as model
from components import france_map, ssr_tables
from components.format import fmt_pct
from data_access import ssr as ssr_data
from data_access import territories
from data_access.cache import cached
from pages.ids import Ssr as ids

MAP_SIZE = (660, 500)  # px: the map panel at 1280 px wide (the figure's view is computed for it)
CONTROLS = [ids.GESTE, ids.ANNEE, ids.AGE, ids.NIVEAU, ids.METHODE, ids.CLASSES, ids.STATUT, ids.POINTS]


def _geo_names() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(region names, département names, département -> region)."""
    regs = cached(territories.regions)
    deps = cached(territories.departements)
    return dict(zip(regs["code"], regs["name"])), dict(zip(deps["code"], deps["name"])), \
        dict(zip(deps["code"], deps["region_code"]))


def _view(data: dict) -> model.SsrView:
    return model.SsrView(**data)


@callback(
    Output(ids.VIEW, "data"), Output(ids.ANNEE, "options"), Output(ids.NOTICES, "children"),
    *[Output(c, "value") for c in CONTROLS],
    Input(ids.QUERY, "data"), *[Input(c, "value") for c in CONTROLS],
    Input(ids.MAP, "clickData"), Input(ids.TABLE, "cellClicked"), Input({"type": ids.CRUMB, "code": ALL}, "n_clicks"),
    State(ids.VIEW, "data"),
)
def sync_view(query, geste, annee, age, niveau, methode, classes, statut, points, click, cell, _crumbs, current):
    """The one place the view changes: from the address on load, then from controls and clicks."""
    keep = [no_update] * len(CONTROLS)
    if current is None or ctx.triggered_id == ids.QUERY:
        view, notices = view_from_query(query or {})
        options = [{"label": str(y), "value": y} for y in cached(ssr_data.years)]
        notice = html.Div([html.P(n) for n in notices], className="notice") if notices else None
        values = [view.geste, view.annee, view.age, view.niveau, view.methode, view.classes, view.statut,
                  ["oui"] if view.points else []]
        return asdict(view), options, notice, *values
    view = _view(current)
    trigger = ctx.triggered_id
    if trigger in (ids.MAP, ids.TABLE):
        # a territory clicked on the map, or a row of the table beside it (keyboard friendly)
        code = (click or {}).get("points", [{}])[0].get("location") if trigger == ids.MAP else (cell or {}).get("rowId")
        if not code or code == view.focus:
            return no_update, no_update, no_update, *keep
        shows_regions = view.niveau == "reg" and not view.focus
        view = replace(view, focus=code, niveau="reg" if shows_regions else "dep")
    elif isinstance(trigger, dict) and trigger.get("type") == ids.CRUMB:
        if not ctx.triggered[0]["value"]:
            return no_update, no_update, no_update, *keep
        code = trigger["code"]
        view = replace(view, focus=code, niveau="reg" if code else view.niveau)
    else:
        # A new level starts again from France: a focus is only meaningful at its own level.
        focus = view.focus if niveau == view.niveau else ""
        view = replace(view, geste=geste, annee=annee, age=age, niveau=niveau, methode=methode,
                       classes=int(classes), statut=statut, points=bool(points), focus=focus)
    if asdict(view) == current:
        return no_update, no_update, no_update, *keep
    niveau_value = view.niveau if view.niveau != niveau else no_update
    return asdict(view), no_update, None, *keep[:3], niveau_value, *keep[4:]


# The address follows the view: a new drill-down focus is a new history entry (the back button
# steps back through drill-downs), a control change replaces the current entry. Dash's router is
# not told (no re-render); on "back", the router rebuilds the page from the address.
clientside_callback(
    """
    function(view) {
        if (!view) { return window.dash_clientside.no_update; }
        const params = new URLSearchParams();
        params.set('geste', view.geste); params.set('annee', view.annee); params.set('age', view.age);
        params.set('niveau', view.niveau); params.set('methode', view.methode);
        params.set('classes', view.classes); params.set('statut', view.statut);
        if (view.focus) { params.set('focus', view.focus); }
        if (view.points) { params.set('points', 'oui'); }
        const search = '?' + params.toString();
        if (window.location.search === search) { return window.dash_clientside.no_update; }
        const before = new URLSearchParams(window.location.search).get('focus') || '';
        const url = window.location.pathname + search;
        if (before !== (view.focus || '') && window.location.search) {
            window.history.pushState({}, '', url);
        } else {
            window.history.replaceState({}, '', url);
        }
        return search;
    }
    """,
    Output(ids.URL_SYNC, "children"),
    Input(ids.VIEW, "data"),
)


def _counts(view: model.SsrView):
    return cached(ssr_data.establishment_counts, view.annee, tuple(view.gestures), tuple(view.age_bands),
                  tuple(view.statuses))


def _title(view: model.SsrView) -> str:
    age = "" if view.age == model.ALL_AGES else f", {model.AGE_LABELS[view.age].lower()}"
    statut = "" if view.statut == model.ALL_STATUSES else f", {model.STATUS_LABELS[view.statut]}"
    return f"{model.GESTURE_LABELS[view.geste]} — {view.annee}{age}{statut}"


@callback(Output(ids.MAP, "figure"), Output(ids.FIGURE_KEY, "data"),
          Input(ids.VIEW, "data"), State(ids.FIGURE_KEY, "data"), prevent_initial_call=True)
def render_map(view_data, figure_key):
    """Redraw the geometry only when the level, the region in focus or the points layer change;
    otherwise patch colours, hover texts and legend."""
    view = _view(view_data)
    regs, deps, dep_region = _geo_names()
    counts = _counts(view)
    level, table, classification = model.territory_table(counts, view, dep_region)
    path = model.breadcrumb(view, dep_region)
    region = path[0] if path else ""
    names = regs if level == "reg" else deps
    codes = sorted(names) if not region else sorted(d for d, r in dep_region.items() if r == region)
    full = model.with_all_territories(table, codes)
    hover = [france_map.hover_text(names[c], r.stays_with_ssr, r.stays, r.low, r.high, r.n_establishments)
             for c, r in zip(codes, full.itertuples())]
    legend = classification.legend_labels(noun="")
    colors = france_map.palette(max(classification.k, 1))
    legend_title = f"Classes : {classification.method_label}"
    key = {"level": level, "region": region, "points": view.points}
    if key == figure_key:
        patch = france_map.patch_colors(Patch(), full["classe"], france_map.stepped_colorscale(colors), hover,
                                        legend_items=legend, legend_title=legend_title, title=_title(view))
        if view.points:
            _patch_points(patch, counts, region)
        return patch, no_update
    layer = territories_geojson(level)
    if region:
        layer = {**layer, "features": [f for f in layer["features"] if f["id"] in set(codes)]}
    fig = france_map.choropleth_figure(layer, codes, full["classe"],
                                       colors, hover, legend, _title(view), uirevision=f"{level}-{region}",
                                       frames=[] if region else france_map.inset_frames(level),
                                       legend_title=legend_title, size=MAP_SIZE,
                                       bounds=france_map.geojson_bounds(layer) if region else None)
    if view.points:
        fig.add_trace(_points_trace(counts, region))
    return fig, key


def territories_geojson(level: str) -> dict:
    """The level's boundaries with the overseas territories moved into their insets (cached)."""
    return cached(_inset_layer, level)


def _inset_layer(url: str, level: str) -> dict:
    return france_map.inset_geojson(territories.feature_collection(url, level), level).geojson


def _points(counts, region: str):
    pts = counts[counts["stays"] > 0]
    return pts[pts["region_code"] == region] if region else pts


def _points_trace(counts, region: str) -> go.Scattermap:
    pts = _points(counts, region)
    texts = [f"<b>{r.name}</b><br>{fmt_pct(r.stays_with_ssr / r.stays)} ({r.stays_with_ssr}/{r.stays} séjours)"
             for r in pts.itertuples()]
    return france_map.establishment_points_trace(pts["latitude"], pts["longitude"], pts["stays"], texts,
                                                 pts["departement_code"].tolist())


def _patch_points(patch, counts, region: str) -> None:
    trace = _points_trace(counts, region)
    patch["data"][france_map.POINTS_TRACE] = trace.to_plotly_json()


def territory_rows(view: model.SsrView) -> tuple[str, list[dict]]:
    """The table behind the map: the grid beside it and /export/ssr.csv both use it."""
    regs, deps, dep_region = _geo_names()
    level, table, _ = model.territory_table(_counts(view), view, dep_region)
    return level, ssr_tables.territory_rows(table, regs if level == "reg" else deps)


def view_from_query(query: dict[str, str]) -> tuple[model.SsrView, list[str]]:
    regs, _deps, dep_region = _geo_names()
    return model.parse_view(query, cached(ssr_data.years), regs, dep_region)


@callback(
    Output(ids.NATIONAL, "children"), Output(ids.TABLE_TITLE, "children"), Output(ids.TABLE, "rowData"),
    Output(ids.TABLE, "columnDefs"), Output(ids.BREADCRUMB, "children"), Output(ids.EXPORT, "href"),
    Output(ids.ESTABLISHMENTS_BLOCK, "hidden"), Output(ids.ESTABLISHMENTS_TITLE, "children"),
    Output(ids.ESTABLISHMENTS, "rowData"), Output(ids.ESTABLISHMENTS, "columnDefs"),
    Input(ids.VIEW, "data"), prevent_initial_call=True,
)
def render_tables(view_data):
    view = _view(view_data)
    regs, deps, dep_region = _geo_names()
    counts = _counts(view)
    level, rows = territory_rows(view)
    rate, basis = ssr_tables.national_text(model.national_rate(counts))
    national = [html.Div("France entière", className="kpi-label"), html.Div(rate, className="kpi-value"),
                html.Div(basis, className="kpi-basis")]
    path = model.breadcrumb(view, dep_region)
    crumbs = [html.Button("France", id={"type": ids.CRUMB, "code": ""}, className="crumb")]
    for code in path:
        crumbs += [html.Span("›", className="crumb-sep", **{"aria-hidden": "true"}),
                   html.Button(regs.get(code) or deps.get(code), id={"type": ids.CRUMB, "code": code},
                               className="crumb")]
    scope = f" — {regs[path[0]]}" if path else ""
    title = ("Régions" if level == "reg" else "Départements") + scope
    export = "/export/ssr.csv" + model.SsrView(**view_data).query_string()
    if len(path) == 2:
        estab = model.establishment_table(counts, path[1])
        estab_title = f"Établissements MCO — {deps[path[1]]} ({len(estab)})"
        return (national, title, rows, ssr_tables.territory_columns(level),
                crumbs, export, False, estab_title, ssr_tables.establishment_rows(estab),
                ssr_tables.establishment_columns())
    return (national, title, rows, ssr_tables.territory_columns(level),
            crumbs, export, True, no_update, [], no_update)


@callback(Output(ids.SERIES, "figure"), Input(ids.VIEW, "data"), prevent_initial_call=True)
def render_series(view_data):
    view = _view(view_data)
    regs, deps, dep_region = _geo_names()
    by_year = cached(ssr_data.counts_by_year, tuple(view.gestures), tuple(view.age_bands), tuple(view.statuses))
    path = model.breadcrumb(view, dep_region)
    region = path[0] if path else None
    departement = path[1] if len(path) == 2 else None
    series = model.rate_series(by_year, region, departement)
    # Built as a plain dict: plotly's validating go.Figure costs more than the query here.
    years = series["year"].tolist()
    traces = [{"type": "scatter", "x": years, "y": (series["france_rate"] * 100).round(2).tolist(), "name": "France",
               "mode": "lines+markers", "line": {"color": "#555", "dash": "dash", "width": 2},
               "hovertemplate": "France %{x} : %{y:.1f} %<extra></extra>"}]
    if path:
        name = deps[departement] if departement else regs[region]
        traces.append({
            "type": "scatter", "x": years, "y": (series["rate"] * 100).round(2).tolist(), "name": name,
            "mode": "lines+markers", "line": {"color": "#0b4f8a", "width": 3},
            "error_y": {"type": "data", "symmetric": False, "thickness": 1,
                        "array": ((series["high"] - series["rate"]) * 100).round(2).tolist(),
                        "arrayminus": ((series["rate"] - series["low"]) * 100).round(2).tolist()},
            "customdata": series[["stays_with_ssr", "stays"]].fillna(0).astype(int).values.tolist(),
            "hovertemplate": name + " %{x} : %{y:.1f} % (%{customdata[0]}/%{customdata[1]} séjours)<extra></extra>"})
    fig = {"data": traces, "layout": {
        "margin": {"l": 50, "r": 10, "t": 30, "b": 40}, "yaxis": {"title": {"text": "Taux (%)"}, "rangemode": "tozero"},
        "xaxis": {"dtick": 1}, "legend": {"orientation": "h", "y": 1.12}, "separators": ", ",
        "paper_bgcolor": "white", "plot_bgcolor": "white", "hovermode": "x unified"}}
    return fig
