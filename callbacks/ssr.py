"""SSR recourse view: URL state, map (patched, geometry sent once per level), tables, series.

Presentation mode (`security.presentation.current_mode().masked`, decided here on the server for
every response): the secret statistique of `analytics.secrecy.nested_secrecy` over France > régions
> départements > établissements, the same flags for the map, the grids, the series and the CSV."""
from __future__ import annotations

from dataclasses import asdict, replace

import plotly.graph_objects as go
from dash import ALL, Input, Output, Patch, State, callback, clientside_callback, ctx, html, no_update

from analytics import secrecy
from analytics import ssr as model
from analytics.classes import classify
from components import france_map, ssr_tables
from text.format import fmt_int, fmt_pct
from data_access import ssr as ssr_data
from data_access import territories
from data_access.cache import cached
from pages.ids import Ssr as ids
from security.presentation import Mode, anonymous_names, current_mode

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


def _secrecy(view: model.SsrView, year: int | None = None) -> secrecy.NestedSecrecy:
    """Secret statistique of the view's counts (of `year`, default the view's) at every level."""
    return cached(_nested_secrecy, view.annee if year is None else year, tuple(view.gestures),
                  tuple(view.age_bands), tuple(view.statuses))


def _nested_secrecy(_url: str, year: int, gestures: tuple, age_bands: tuple, statuses: tuple):
    # Every level is published somewhere on the page (national KPI, regions, départements of a
    # region, establishments of a département): one hierarchy, so no level gives another away.
    counts = cached(ssr_data.establishment_counts, year, gestures, age_bands, statuses)
    return secrecy.nested_secrecy(counts, ["region_code", "departement_code", "finess"], "stays_with_ssr", "stays")


def _territories(view: model.SsrView, counts, dep_region: dict[str, str], mode: Mode):
    """model.territory_table, and in presentation mode the secrecy flags of its rows (by code) with
    classes computed over the rates shown only (a class bound must not reveal a secret rate)."""
    level, table, classification = model.territory_table(counts, view, dep_region)
    if not mode.masked:
        return level, table, classification, None
    flags = _secrecy(view).levels[0 if level == "reg" else 1]
    hidden = flags["rate_hidden"].reindex(table["code"], fill_value=False).to_numpy(dtype=bool)
    classification = classify(table["rate"].where(~hidden), view.methode, view.classes)
    return level, table.assign(classe=classification.classes), classification, flags


def _shown(value, small, secondary):
    return secrecy.count_display(int(value), bool(small), bool(secondary))


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
    mode = current_mode()
    regs, deps, dep_region = _geo_names()
    counts = _counts(view)
    level, table, classification, flags = _territories(view, counts, dep_region, mode)
    path = model.breadcrumb(view, dep_region)
    region = path[0] if path else ""
    names = regs if level == "reg" else deps
    codes = sorted(names) if not region else sorted(d for d, r in dep_region.items() if r == region)
    full = model.with_all_territories(table, codes)
    hover = [france_map.hover_text(names[c], r.stays_with_ssr, r.stays, r.low, r.high, r.n_establishments)
             for c, r in zip(codes, full.itertuples())]
    classes = full["classe"]
    legend = classification.legend_labels(noun="")
    colors = france_map.palette(max(classification.k, 1))
    legend_title = f"Classes : {classification.method_label}"
    key = {"level": level, "region": region, "points": view.points}
    secret_label, colorscale = None, france_map.stepped_colorscale(colors)
    if mode.masked:
        # Territories whose rate is secret: grey, explained in the legend, counts masked in the hover.
        classes, hover = _secret_territories(full, codes, names, flags, list(classes), hover)
        key["masque"] = True  # another legend slot: a change of mode redraws the figure
        secret_label, colorscale = france_map.SECRET_LABEL, france_map.secret_colorscale(colors)
    if key == figure_key:
        patch = france_map.patch_colors(Patch(), classes, colorscale, hover,
                                        legend_items=legend, legend_title=legend_title, title=_title(view),
                                        secret_label=secret_label)
        if view.points:
            _patch_points(patch, counts, region, view, mode)
        return patch, no_update
    layer = territories_geojson(level)
    if region:
        layer = {**layer, "features": [f for f in layer["features"] if f["id"] in set(codes)]}
    fig = france_map.choropleth_figure(layer, codes, classes,
                                       colors, hover, legend, _title(view), uirevision=f"{level}-{region}",
                                       frames=[] if region else france_map.inset_frames(level),
                                       legend_title=legend_title, size=MAP_SIZE,
                                       bounds=france_map.geojson_bounds(layer) if region else None,
                                       secret_label=secret_label)
    if view.points:
        fig.add_trace(_points_trace(counts, region, view, mode))
    return fig, key


def _secret_territories(full, codes: list[str], names: dict[str, str], flags, classes: list[int],
                        hover: list[str]) -> tuple[list[int], list[str]]:
    """Classes and hover texts of the map with the territories whose rate is secret set apart."""
    for i, (code, r) in enumerate(zip(codes, full.itertuples())):
        if code not in flags.index or not flags.at[code, "rate_hidden"]:
            continue
        f = flags.loc[code]
        classes[i] = france_map.SECRET_CLASS
        hover[i] = france_map.secret_hover_text(
            names[code], _shown(r.stays_with_ssr, f["num_small"], f["num_secondary"]),
            _shown(r.stays, f["den_small"], f["den_secondary"]), r.n_establishments)
    return classes, hover


def territories_geojson(level: str) -> dict:
    """The level's boundaries with the overseas territories moved into their insets (cached)."""
    return cached(_inset_layer, level)


def _inset_layer(url: str, level: str) -> dict:
    return france_map.inset_geojson(territories.feature_collection(url, level), level).geojson


def _points(counts, region: str):
    pts = counts[counts["stays"] > 0]
    return pts[pts["region_code"] == region] if region else pts


def _points_trace(counts, region: str, view: model.SsrView | None = None, mode: Mode = Mode()) -> go.Scattermap:
    pts = _points(counts, region)
    if mode.masked:
        return _secret_points_trace(pts, view, mode)
    texts = [f"<b>{r.name}</b><br>{fmt_pct(r.stays_with_ssr / r.stays)} ({r.stays_with_ssr}/{r.stays} séjours)"
             for r in pts.itertuples()]
    return france_map.establishment_points_trace(pts["latitude"], pts["longitude"], pts["stays"], texts,
                                                 pts["departement_code"].tolist())


def _secret_points_trace(pts, view: model.SsrView, mode: Mode) -> go.Scattermap:
    """Presentation mode: masked counts and rates in the hover texts, letters for names when
    anonymised, and the smallest circle for a masked volume (its size would give the count)."""
    flags = _secrecy(view).levels[2].reindex(pts["finess"])
    aliases = anonymous_names(mode)
    texts = []
    for r, f in zip(pts.itertuples(), flags.itertuples()):
        name = aliases.get(r.finess, ("", UNKNOWN_ALIAS))[1] if aliases is not None else r.name
        rate = secrecy.SECRET if f.rate_hidden else fmt_pct(r.stays_with_ssr / r.stays)
        num = _shown(r.stays_with_ssr, f.num_small, f.num_secondary)
        den = _shown(r.stays, f.den_small, f.den_secondary)
        texts.append(f"<b>{name}</b><br>{rate} ({_count_text(num)}/{_count_text(den)} séjours)")
    masked_volume = (flags["den_small"] | flags["den_secondary"]).to_numpy(dtype=bool)
    sizes = pts["stays"].astype(float).where(~masked_volume)
    return france_map.establishment_points_trace(pts["latitude"], pts["longitude"], sizes, texts,
                                                 pts["departement_code"].tolist())


UNKNOWN_ALIAS = "Établissement ?"


def _count_text(value) -> str:
    return value if isinstance(value, str) else fmt_int(value)


def _patch_points(patch, counts, region: str, view: model.SsrView | None = None, mode: Mode = Mode()) -> None:
    trace = _points_trace(counts, region, view, mode)
    patch["data"][france_map.points_trace_index(mode.masked)] = trace.to_plotly_json()


def territory_rows(view: model.SsrView) -> tuple[str, list[dict]]:
    """The table behind the map: the grid beside it and /export/ssr.csv both use it."""
    regs, deps, dep_region = _geo_names()
    level, table, _, flags = _territories(view, _counts(view), dep_region, current_mode())
    return level, ssr_tables.territory_rows(table, regs if level == "reg" else deps, flags)


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
    mode = current_mode()
    regs, deps, dep_region = _geo_names()
    counts = _counts(view)
    level, rows = territory_rows(view)
    secret = _secrecy(view) if mode.masked else None
    rate, basis = ssr_tables.national_text(model.national_rate(counts),
                                           secret.total.iloc[0] if secret is not None else None)
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
        if secret is None:
            estab_rows = ssr_tables.establishment_rows(estab)
        else:
            regional = secret.levels[0]["rate_hidden"]
            references = (bool(regional.get(path[0], False)), bool(secret.total["rate_hidden"].iloc[0]))
            aliases = anonymous_names(mode)
            labels = None if aliases is None else {f: aliases.get(f, ("", UNKNOWN_ALIAS)) for f in estab["finess"]}
            estab_rows = ssr_tables.establishment_rows(estab, secret.levels[2], references, labels)
        return (national, title, rows, ssr_tables.territory_columns(level, mode.masked),
                crumbs, export, False, estab_title, estab_rows,
                ssr_tables.establishment_columns(mode.masked))
    return (national, title, rows, ssr_tables.territory_columns(level, mode.masked),
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
    france_y = (series["france_rate"] * 100).round(2).tolist()
    own_y = (series["rate"] * 100).round(2).tolist()
    high = ((series["high"] - series["rate"]) * 100).round(2).tolist()
    low = ((series["rate"] - series["low"]) * 100).round(2).tolist()
    customdata = series[["stays_with_ssr", "stays"]].fillna(0).astype(int).values.tolist()
    if current_mode().masked:
        # A year whose counts are masked shows no rate (nor interval); its hover counts are masked.
        france_hidden, own = _series_secrecy(view, years, region, departement)
        france_y = [None if h else y for y, h in zip(france_y, france_hidden)]
        for i, f in enumerate(own):
            if f is not None:
                customdata[i] = [_shown(customdata[i][0], f["num_small"], f["num_secondary"]),
                                 _shown(customdata[i][1], f["den_small"], f["den_secondary"])]
                if f["rate_hidden"]:
                    own_y[i] = high[i] = low[i] = None
    traces = [{"type": "scatter", "x": years, "y": france_y, "name": "France",
               "mode": "lines+markers", "line": {"color": "#555", "dash": "dash", "width": 2},
               "hovertemplate": "France %{x} : %{y:.1f} %<extra></extra>"}]
    if path:
        name = deps[departement] if departement else regs[region]
        traces.append({
            "type": "scatter", "x": years, "y": own_y, "name": name,
            "mode": "lines+markers", "line": {"color": "#0b4f8a", "width": 3},
            "error_y": {"type": "data", "symmetric": False, "thickness": 1, "array": high, "arrayminus": low},
            "customdata": customdata,
            "hovertemplate": name + " %{x} : %{y:.1f} % (%{customdata[0]}/%{customdata[1]} séjours)<extra></extra>"})
    fig = {"data": traces, "layout": {
        "margin": {"l": 50, "r": 10, "t": 30, "b": 40}, "yaxis": {"title": {"text": "Taux (%)"}, "rangemode": "tozero"},
        "xaxis": {"dtick": 1}, "legend": {"orientation": "h", "y": 1.12}, "separators": ", ",
        "paper_bgcolor": "white", "plot_bgcolor": "white", "hovermode": "x unified"}}
    return fig


def _series_secrecy(view: model.SsrView, years: list[int], region: str | None, departement: str | None):
    """For each year: is France's rate secret, and the flags of the territory in focus (None when
    it has no data that year or none is in focus), from that year's hierarchy of totals."""
    france, own = [], []
    for year in years:
        secret = _secrecy(view, int(year))
        france.append(bool(secret.total["rate_hidden"].iloc[0]))
        level, code = (secret.levels[1], departement) if departement else (secret.levels[0], region)
        own.append(level.loc[code] if code and code in level.index else None)
    return france, own
