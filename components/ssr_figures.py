"""The SSR view's figures from the data of `services.ssr`: the choropleth map (drawn once per
geometry, then patched), its establishment points, and the series by year."""
from __future__ import annotations

import plotly.graph_objects as go

from components import france_map

MAP_SIZE = (660, 500)  # px: the map panel at 1280 px wide (the figure's view is computed for it)


def _classes_and_hover(shading) -> tuple[list[int], list[str]]:
    """Classes and hover texts of the map, the territories whose rate is secret set apart (grey,
    explained in the legend, counts masked in the hover)."""
    classes, hover = [], []
    for code, r in zip(shading.codes, shading.table.itertuples()):
        if code in shading.secret:
            num, den = shading.secret[code]
            classes.append(france_map.SECRET_CLASS)
            hover.append(france_map.secret_hover_text(r.name, num, den, r.n_establishments))
        else:
            classes.append(r.classe)
            hover.append(france_map.hover_text(r.name, r.stays_with_ssr, r.stays, r.low, r.high, r.n_establishments))
    return classes, hover


def _legend(shading) -> tuple[list[str], str | None, list[list]]:
    colors = france_map.palette(max(shading.k, 1))
    if shading.masked:
        return colors, shading.secret_label or france_map.SECRET_LABEL, france_map.secret_colorscale(colors)
    return colors, None, france_map.stepped_colorscale(colors)


def map_figure(shading, layer: str | dict, points=None) -> go.Figure:
    """The whole figure: `layer` is the level's geometry (insets placed) or its address
    (france_map.geometry_url), `points` the establishments when the layer is on. A region in focus
    draws its départements only (the choropleth's locations), framed on them."""
    classes, hover = _classes_and_hover(shading)
    colors, secret_label, _ = _legend(shading)
    region = shading.region
    fig = france_map.choropleth_figure(layer, shading.codes, classes, colors, hover, shading.legend, shading.title,
                                       uirevision=f"{shading.level}-{region}",
                                       frames=[] if region else france_map.inset_frames(shading.level),
                                       legend_title=f"Classes : {shading.method_label}", size=MAP_SIZE,
                                       secret_label=secret_label)
    if points is not None:
        fig.add_trace(points_trace(points))
    return fig


def map_patch(patch, shading, points=None):
    """Colours, hover texts and legend (and the points) of a figure already holding the geometry."""
    classes, hover = _classes_and_hover(shading)
    _colors, secret_label, colorscale = _legend(shading)
    patch = france_map.patch_colors(patch, classes, colorscale, hover, legend_items=shading.legend,
                                    legend_title=f"Classes : {shading.method_label}", title=shading.title,
                                    secret_label=secret_label)
    if points is not None:
        patch["data"][france_map.points_trace_index(shading.masked)] = points_trace(points).to_plotly_json()
    return patch


def points_trace(points) -> go.Scattergeo:
    return france_map.establishment_points_trace(points.latitude, points.longitude, points.sizes, points.texts,
                                                 points.departements)


def series_figure(series) -> dict:
    """France's rate by year, and the territory in focus with its interval. Built as a plain dict:
    plotly's validating go.Figure costs more than the query here."""
    traces = [{"type": "scatter", "x": series.years, "y": series.france, "name": "France",
               "mode": "lines+markers", "line": {"color": "#555", "dash": "dash", "width": 2},
               "hovertemplate": "France %{x} : %{y:.1f} %<extra></extra>"}]
    if series.name is not None:
        name = series.name
        traces.append({
            "type": "scatter", "x": series.years, "y": series.own, "name": name,
            "mode": "lines+markers", "line": {"color": "#0b4f8a", "width": 3},
            "error_y": {"type": "data", "symmetric": False, "thickness": 1, "array": series.high,
                        "arrayminus": series.low},
            "customdata": series.counts,
            "hovertemplate": name + " %{x} : %{y:.1f} % (%{customdata[0]}/%{customdata[1]} séjours)<extra></extra>"})
    return {"data": traces, "layout": {
        "margin": {"l": 50, "r": 10, "t": 30, "b": 40}, "yaxis": {"title": {"text": "Taux (%)"}, "rangemode": "tozero"},
        "xaxis": {"dtick": 1}, "legend": {"orientation": "h", "y": 1.12}, "separators": ", ",
        "paper_bgcolor": "white", "plot_bgcolor": "white", "hovermode": "x unified"}}
