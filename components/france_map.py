"""Choropleth of France (regions or départements) with the overseas territories as insets.

Offline by construction: one `go.Choropleth` on a Plotly `geo` subplot drawn in SVG, with every
base layer off (`geo.visible = False`): no tiles, no WebGL, no font glyphs, no topojson file (plotly.js
looks a geo subplot's topojson up in `window.PlotlyGeoAssets` before fetching it, and
`assets/geo-offline.js` puts an empty one there: the app draws only its own GeoJSON). The SVG map
draws in a fraction of the time MapLibre's WebGL map took in a browser without a GPU (issue 15:
first draw 150–270 ms against 0.9–1.0 s, repaint 33–62 ms against 0.4–0.75 s) and its bundle is
about 420 KB lighter.

The projection is Mercator, the one the insets are computed in, fitted to the drawn locations
(`geo.fitbounds = "locations"`): France with its insets, or a région alone when it is in focus.

DROM rapprochés
---------------
The five overseas départements (971 Guadeloupe, 972 Martinique, 973 Guyane,
974 La Réunion, 976 Mayotte; regions 01, 02, 03, 04, 06) are moved into a
column of five square boxes west of mainland France (in the Atlantic, west of
Brittany; top to bottom in code order). The transform is computed in
Mercator space, the projection the map is displayed in, so each inset is a
similar (undistorted) copy of the territory scaled to fill its box: Guyane is
shrunk (× 0.6), the islands enlarged (× 2.8 to × 6). Boxes and scales are
constants (`DROMS`, `INSET_BOXES`), so establishment points are moved with
exactly the same transform (`inset_point`, `inset_points`). Mainland
geometries are never touched. Each box gets a thin grey frame.

Figure layout and what a callback patches
-----------------------------------------
`choropleth_figure` builds, in this fixed order:

- ``data[0]`` (`CHORO_TRACE`): the single choropleth trace. `locations` are
  all territories of the level in a fixed order (the order of `codes`) and
  never change; `z` is the CLASS NUMBER of each territory (0 = pas de
  données, 1..k), drawn with a stepped colourscale over z in [-0.5, 7.5]
  (eight bands of width 1/8, band c = colour of class c), `zmin`/`zmax` fixed.
- ``data[1]`` (`FRAMES_TRACE`): the inset frames (one scattergeo line trace,
  no hover, no click).
- ``data[2 + c]`` for c = 0..7 (`LEGEND_TRACE0 + c`): one legend-only trace per
  class (a choropleth whose location is in no feature): c = 0 is "pas de
  données", shown last.
- `establishment_points_trace` may be appended after them (index 10,
  `POINTS_TRACE`) with `fig.add_trace`.

Presentation mode (secret statistique): a figure built with `secret_label`
also draws territories whose rate is secret, z = `SECRET_CLASS` (-1), in a
darker grey (`secret_colorscale`, zmin -1.5) and explains them in one more
legend slot, ``data[10]`` (`SECRET_TRACE`); the points then come at index 11
(`points_trace_index(True)`). A grey distinct from "pas de données" rather
than hatching, which would need more geometry.

The geometry is never in a figure: the app's figures name its address
(`geometry_url`, GET /geo/<level>.json?v=<data version>), which plotly.js fetches
once and keeps per address (the browser's cache keeps it across pages and
visits); a région in focus draws its départements of the same address (only
`codes` are drawn, and framed). On a filter change a callback must only send
(all of it done by `patch_colors`):

- ``data[0].z``            class numbers, same order as `codes`;
- ``data[0].colorscale``   `stepped_colorscale(palette(k))` (changes with k);
- ``data[0].hovertext``    hover texts, same order as `codes`;
- ``data[2+c].name``, ``data[2+c].visible``, ``data[2+c].colorscale`` for the
  legend (when the classes change), ``layout.legend.title.text`` (method),
  ``layout.title.text`` (title).

Legend: a Plotly legend inside the figure (right of the map), not an HTML
component, so the image exported with the modebar camera button (slides for
IRAPS meetings) carries its legend. Clicking legend items does nothing.

Clicking a territory gives ``clickData["points"][0]["location"]`` = its code.
Nothing but a click is needed; the modebar's zoom buttons and dragging still
let a user look at the small départements of Paris and its ring (their view
survives recolouring through `uirevision`); `GRAPH_CONFIG`, for dcc.Graph's
`config`, turns the scroll-wheel zoom off so scrolling the page never zooms
the map.
"""
from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go
import shapely

from text.format import NBSP, fmt_count, fmt_int, fmt_pct, fmt_pct_range, is_missing
from text.labels import NO_DATA

# ---------------------------------------------------------------------------
# Palette and colourscale
# ---------------------------------------------------------------------------
MAX_CLASSES = 7
NO_DATA_COLOR = "#d4d4d4"  # neutral light grey, distinct in hue from the palette's pale yellow
BORDER_COLOR = "#8c8c8c"
FRAME_COLOR = "#9a9a9a"

# ColorBrewer YlOrRd (Cynthia Brewer, colorbrewer2.org; colour-blind safe, print and projector friendly).
_YLORRD = {
    3: ["#ffeda0", "#feb24c", "#f03b20"],
    4: ["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"],
    5: ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
    6: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"],
    7: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
    8: ["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
}


def palette(k: int) -> list[str]:
    """k colours (1 <= k <= 7) for classes 1..k, light to dark.

    ColorBrewer YlOrRd with k + 1 classes minus its lightest colour: the
    first class stays visible against the white background of the map and
    on a washed-out projector.
    """
    if not 1 <= k <= MAX_CLASSES:
        raise ValueError(f"k must be between 1 and {MAX_CLASSES}: {k}")
    if k == 1:
        return ["#fd8d3c"]
    return _YLORRD[k + 1][1:]


def stepped_colorscale(colors: Sequence[str], no_data_color: str = NO_DATA_COLOR) -> list[list]:
    """Discrete colourscale over class numbers 0..7 (use with zmin=-0.5, zmax=7.5).

    Band c (from c/8 to (c+1)/8) is the colour of class c: grey for 0, then
    `colors[c - 1]`; classes above len(colors) repeat the last colour (unused).
    """
    scale = []
    for c in range(MAX_CLASSES + 1):
        color = no_data_color if c == 0 else colors[min(c, len(colors)) - 1]
        scale += [[c / (MAX_CLASSES + 1), color], [(c + 1) / (MAX_CLASSES + 1), color]]
    return scale


def class_color(colorscale: list[list], c: int) -> str:
    """Colour of class c in a colourscale from `stepped_colorscale` or `secret_colorscale`."""
    offset = 1 if len(colorscale) == 2 * (MAX_CLASSES + 2) else 0
    return colorscale[2 * (c + offset)][1]


SECRET_CLASS = -1  # z of a territory whose rate is secret (presentation mode)
SECRET_COLOR = "#a6a6a6"  # mid grey: darker than "pas de données" (#d4d4d4), lighter than the borders
SECRET_LABEL = "Secret statistique"


def secret_colorscale(colors: Sequence[str], no_data_color: str = NO_DATA_COLOR,
                      secret_color: str = SECRET_COLOR) -> list[list]:
    """`stepped_colorscale` with one more band, below class 0, for `SECRET_CLASS`: nine bands over
    class numbers -1..7 (use with zmin=-1.5, zmax=7.5)."""
    bands = MAX_CLASSES + 2
    scale = []
    for i, c in enumerate(range(SECRET_CLASS, MAX_CLASSES + 1)):
        color = secret_color if c == SECRET_CLASS else no_data_color if c == 0 else colors[min(c, len(colors)) - 1]
        scale += [[i / bands, color], [(i + 1) / bands, color]]
    return scale


# ---------------------------------------------------------------------------
# Insets (DROM rapprochés)
# ---------------------------------------------------------------------------
class Drom(NamedTuple):
    dep: str
    reg: str
    name: str
    bounds: tuple[float, float, float, float]  # lon/lat of the territory: west, south, east, north


DROMS: tuple[Drom, ...] = (  # top to bottom in the inset column
    Drom("971", "01", "Guadeloupe", (-61.81, 15.83, -61.00, 16.52)),
    Drom("972", "02", "Martinique", (-61.23, 14.39, -60.81, 14.88)),
    Drom("973", "03", "Guyane", (-54.61, 2.11, -51.61, 5.75)),
    Drom("974", "04", "La Réunion", (55.21, -21.39, 55.84, -20.87)),
    Drom("976", "06", "Mayotte", (45.01, -13.01, 45.30, -12.64)),
)
MAINLAND_BOUNDS = (-5.15, 41.33, 9.57, 51.09)  # mainland France with Corsica, lon/lat

_COLUMN_EAST = -5.8  # lon of the column's east side: about 0.7° of open sea west of Ouessant
_GAP = 0.35  # Mercator degrees between two boxes
_PAD = 0.12  # Mercator degrees between a box's frame and the territory


def _merc_y(lat):
    """Web Mercator ordinate in degrees (y of the map for latitude lat)."""
    return np.degrees(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))


def _merc_lat(y):
    return np.degrees(2 * np.arctan(np.exp(np.radians(y))) - np.pi / 2)


def _boxes() -> dict[str, tuple[float, float, float, float]]:
    """Inset boxes in Mercator space (x0, y0, x1, y1), keyed by département code.

    Five square boxes stacked over the height of mainland France.
    """
    y_south, y_north = float(_merc_y(MAINLAND_BOUNDS[1])), float(_merc_y(MAINLAND_BOUNDS[3]))
    side = (y_north - y_south - (len(DROMS) - 1) * _GAP) / len(DROMS)
    boxes = {}
    for i, drom in enumerate(DROMS):
        top = y_north - i * (side + _GAP)
        boxes[drom.dep] = (_COLUMN_EAST - side, top - side, _COLUMN_EAST, top)
    return boxes


INSET_BOXES = _boxes()


class _Affine(NamedTuple):
    scale: float
    src_x: float
    src_y: float
    dst_x: float
    dst_y: float


def _affine(drom: Drom) -> _Affine:
    west, south, east, north = drom.bounds
    sy0, sy1 = float(_merc_y(south)), float(_merc_y(north))
    x0, y0, x1, y1 = INSET_BOXES[drom.dep]
    scale = min((x1 - x0 - 2 * _PAD) / (east - west), (y1 - y0 - 2 * _PAD) / (sy1 - sy0))
    return _Affine(scale, (west + east) / 2, (sy0 + sy1) / 2, (x0 + x1) / 2, (y0 + y1) / 2)


_AFFINES = {d.dep: _affine(d) for d in DROMS}
# Keyed by département only: the overseas REGION codes 01…06 are also the codes of mainland
# départements (Ain, Aisne, Allier, Alpes-de-Haute-Provence, Alpes-Maritimes).
_BY_DEP = {d.dep: d for d in DROMS}


def _apply(lon, lat, dep: str):
    t = _AFFINES[dep]
    x = t.dst_x + t.scale * (np.asarray(lon, dtype=float) - t.src_x)
    y = t.dst_y + t.scale * (_merc_y(np.asarray(lat, dtype=float)) - t.src_y)
    return x, _merc_lat(y)


def _drom_of_point(lon: float, lat: float) -> Drom | None:
    for drom in DROMS:
        west, south, east, north = drom.bounds
        if west - 0.5 <= lon <= east + 0.5 and south - 0.5 <= lat <= north + 0.5:
            return drom
    return None


def _drom_of_code(code) -> Drom | None:
    """The overseas département of a département code or FINESS number (its first three
    characters, 971…976), or None for a mainland one."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return None
    return _BY_DEP.get(str(code).strip()[:3])


def inset_point(lon: float, lat: float, dep_code: str | None = None) -> tuple[float, float]:
    """Where a point (WGS84 lon/lat) is drawn on the map: moved into its inset if overseas.

    dep_code is a département code (971…976 overseas) or a FINESS number (its
    first three characters), never a region code: the overseas regions 01…06
    share their codes with mainland départements. Without it the territory is
    found from the coordinates. Mainland points come back unchanged.
    """
    drom = _drom_of_code(dep_code) if dep_code is not None else _drom_of_point(lon, lat)
    if drom is None:
        return float(lon), float(lat)
    x, y = _apply(lon, lat, drom.dep)
    return float(x), float(y)


def inset_points(lon, lat, dep_codes=None) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised `inset_point` (arrays of lon, lat and optional codes)."""
    lon = np.asarray(lon, dtype=float).copy()
    lat = np.asarray(lat, dtype=float).copy()
    codes = [None] * len(lon) if dep_codes is None else list(dep_codes)
    for i, code in enumerate(codes):
        if np.isfinite(lon[i]) and np.isfinite(lat[i]):
            lon[i], lat[i] = inset_point(lon[i], lat[i], code)
    return lon, lat


class InsetFrame(NamedTuple):
    code: str  # territory code at the level asked (971… or 01…)
    name: str
    lon: list[float]  # closed rectangle, 5 points
    lat: list[float]


class InsetLayout(NamedTuple):
    geojson: dict
    frames: list[InsetFrame]


def _transform_geometry(geometry: dict, dep: str) -> dict:
    geom = shapely.from_geojson(json.dumps(geometry))

    def move(coords: np.ndarray) -> np.ndarray:
        x, y = _apply(coords[:, 0], coords[:, 1], dep)
        return np.round(np.column_stack([x, y]), 4)

    return json.loads(shapely.to_geojson(shapely.transform(geom, move)))


def inset_frames(level: str) -> list[InsetFrame]:
    """The five inset rectangles (lon/lat, closed), named, top to bottom."""
    frames = []
    for drom in DROMS:
        x0, y0, x1, y1 = INSET_BOXES[drom.dep]
        lat0, lat1 = (round(float(v), 4) for v in _merc_lat(np.array([y0, y1])))
        x0, x1 = round(x0, 4), round(x1, 4)
        frames.append(InsetFrame(drom.dep if level == "dep" else drom.reg, drom.name,
                                 [x0, x1, x1, x0, x0], [lat0, lat0, lat1, lat1, lat0]))
    return frames


def inset_geojson(features: dict, level: str) -> InsetLayout:
    """Move the overseas territories of a FeatureCollection into their insets.

    `features` is a GeoJSON FeatureCollection in WGS84 whose feature `id` is
    the territory code (as from `data_access.geography.feature_collection`);
    `level` is "dep" (971…976) or "reg" (01…06). Returns a new
    FeatureCollection (the input is not modified; mainland features are the
    same objects) and the inset frames to draw as lines.
    """
    if level not in ("dep", "reg"):
        raise ValueError(f"level must be 'dep' or 'reg': {level!r}")
    out = []
    for feature in features["features"]:
        code = str(feature.get("id", feature.get("properties", {}).get("code", "")))
        drom = next((d for d in DROMS if code == (d.dep if level == "dep" else d.reg)), None)
        if drom is None:
            out.append(feature)
        else:
            out.append({**feature, "geometry": _transform_geometry(feature["geometry"], drom.dep)})
    return InsetLayout({**features, "features": out}, inset_frames(level))


# ---------------------------------------------------------------------------
# Figure
# ---------------------------------------------------------------------------
CHORO_TRACE = 0
FRAMES_TRACE = 1
LEGEND_TRACE0 = 2  # legend slot of class c is data[LEGEND_TRACE0 + c], c = 0..7
POINTS_TRACE = LEGEND_TRACE0 + MAX_CLASSES + 1  # 10, when establishment points are added
SECRET_TRACE = POINTS_TRACE  # 10: the "secret statistique" legend slot of a figure built with secret_label


def points_trace_index(secret: bool = False) -> int:
    """Index of the establishment points: after the secret legend slot when the figure has one."""
    return POINTS_TRACE + 1 if secret else POINTS_TRACE

_LEGEND_LOCATION = "légende"
_EMPTY_GEOJSON = {"type": "FeatureCollection", "features": []}
MAP_DOMAIN_X = (0.0, 0.70)  # the legend takes the right 30 % of the figure (about 290 px at 960 px)
DEFAULT_SIZE = (960, 640)  # graph size (px): the height is set, the width follows the page

GRAPH_CONFIG = {  # pass as dcc.Graph(config=...)
    "scrollZoom": False,
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    "toImageButtonOptions": {"format": "png", "filename": "atlas-gdr-carte", "scale": 2},
}


def _wrap_title(title: str) -> str:
    # A one-line 'Classes : seuils naturels (Fisher-Jenks)' is wider than the legend's 30 % and would
    # push the margin, shrinking (and cropping) the map: break it after the colon.
    if "<br>" not in title and " : " in title and len(title) > 28:
        return title.replace(" : ", f"{NBSP}:<br>", 1)
    return title


def legend_heading(method_label: str) -> str:
    """Legend title on two lines: 'Classes :<br>effectifs égaux (quantiles)'."""
    return f"Classes{NBSP}:<br>{method_label}"


def hover_text(name: str, num, den, low=None, high=None, n_establishments=None,
               rate_label: str = "Taux de recours au SSR") -> str:
    """Standard hover text of a territory (HTML for Plotly), counts being stays.

    'Bretagne / Taux de recours au SSR : 62,1 % (118/190 séjours) /
    IC 95 % : 55,0 % – 68,7 % / 12 établissements'; without stays it says
    'pas de données'.
    """
    lines = [f"<b>{name}</b>"]
    if is_missing(den) or is_missing(num) or float(den) <= 0:
        lines.append(NO_DATA)
    else:
        lines.append(f"{rate_label} : {fmt_pct(float(num) / float(den))} ({fmt_int(num)}/{fmt_int(den)} séjours)")
        if not is_missing(low) and not is_missing(high):
            lines.append(f"IC 95{NBSP}% : {fmt_pct_range(low, high)}")
        if not is_missing(n_establishments):
            lines.append(fmt_count(n_establishments, "établissement"))
    return "<br>".join(lines)


def _legend_slot(c: int, label: str | None, color: str) -> go.Choropleth:
    # A choropleth whose only location is in no feature draws nothing on the map but shows a
    # filled square in the legend (an empty one is left out of the legend by Plotly).
    return go.Choropleth(
        locations=[_LEGEND_LOCATION], z=[c], geojson=_EMPTY_GEOJSON, featureidkey="id",
        name=label or "", visible=bool(label), showlegend=True, showscale=False,
        colorscale=[[0, color], [1, color]], marker={"line": {"color": BORDER_COLOR, "width": 0.5}},
        legendrank=2000 if c == 0 else 2001 if c == SECRET_CLASS else 1000 + c, hoverinfo="skip",
    )


def _secret_name(classes: Sequence[int], secret_label: str) -> str | None:
    return secret_label if int(np.sum(np.asarray(classes) == SECRET_CLASS)) else None


def secret_hover_text(name: str, num, den, n_establishments=None,
                      rate_label: str = "Taux de recours au SSR") -> str:
    """Hover text of a territory whose rate is secret (presentation mode): the counts as shown
    ('masqué' or the count), no rate, no interval."""
    def count(value) -> str:
        return value if isinstance(value, str) else fmt_int(value)

    lines = [f"<b>{name}</b>", f"{rate_label} : secret statistique", f"({count(num)}/{count(den)} séjours)"]
    if not is_missing(n_establishments):
        lines.append(fmt_count(n_establishments, "établissement"))
    return "<br>".join(lines)


def _legend_names(classes: Sequence[int], legend_items: Sequence[str], no_data_label: str) -> list[str | None]:
    """Label of each legend slot 0..7 (None = hidden)."""
    n_missing = int(np.sum(np.asarray(classes) == 0))
    names: list[str | None] = [f"{no_data_label} ({n_missing})" if n_missing else None]
    names += [legend_items[c - 1] if c <= len(legend_items) else None for c in range(1, MAX_CLASSES + 1)]
    return names


def geo_layout(uirevision: str, domain_y: Sequence[float] = (0, 1),
               domain_x: Sequence[float] = MAP_DOMAIN_X) -> dict:
    """`layout.geo` of the app's maps: SVG, no base layer (nothing fetched), Mercator (the insets'
    projection), fitted to the drawn locations, the view kept across patches by `uirevision`."""
    return {"visible": False, "projection": {"type": "mercator"}, "fitbounds": "locations",
            "domain": {"x": list(domain_x), "y": list(domain_y)}, "bgcolor": "white",
            "uirevision": uirevision}


def _frame_lines(frames: Sequence[InsetFrame], steps: int = 12) -> tuple[list, list]:
    """The frames as one line trace's lon/lat. A geo line between two points follows the great
    circle, which bows away from a parallel: the east–west sides are cut into `steps` pieces so they
    draw straight in Mercator (meridians are great circles already)."""
    lon: list[float | None] = []
    lat: list[float | None] = []
    for frame in frames:
        for i in range(len(frame.lon) - 1):
            (x0, x1), (y0, y1) = frame.lon[i:i + 2], frame.lat[i:i + 2]
            n = steps if y0 == y1 else 1
            lon += [round(x0 + (x1 - x0) * j / n, 4) for j in range(n)]
            lat += [y0] * n if y0 == y1 else [y0]
        lon += [frame.lon[-1], None]
        lat += [frame.lat[-1], None]
    return lon, lat


def choropleth_figure(geojson: dict | str, codes: Sequence[str], classes: Sequence[int], colors: Sequence[str],
                      hover_texts: Sequence[str], legend_items: Sequence[str], title: str,
                      uirevision: str, *, frames: Sequence[InsetFrame] = (),
                      legend_title: str = "", no_data_label: str = NO_DATA,
                      size: tuple[int, int] = DEFAULT_SIZE,
                      secret_label: str | None = None) -> go.Figure:
    """The class map, built once per level; later changes go through `patch_colors`.

    geojson:      FeatureCollection (feature id = code), insets already applied (`inset_geojson`),
                  or its address (`geometry_url`: what the app sends); only the features of
                  `codes` are drawn and the map is fitted to them (a région in focus is drawn
                  alone, framed on itself);
    codes:        every territory of the level, in the order kept for the life of the figure;
    classes:      class number of each code (0 = pas de données, 1..k);
    colors:       k colours of classes 1..k (`palette(k)`);
    hover_texts:  one hover text per code (HTML allowed, see `hover_text`);
    legend_items: k labels of classes 1..k ('34 % – 50 % (5)', from Classification.legend_labels);
    frames:       inset frames to draw (`inset_geojson(...).frames`);
    legend_title: legend heading, short or broken with <br> so the legend stays within the right
                  30 % of the figure (a wider legend pushes the margin and crops the map), e.g.
                  'Classes :<br>effectifs égaux (quantiles)' (`legend_heading`); a long one-line
                  'Classes : …' is broken after its colon;
    size:         (width, height) of the graph in px: the height is set (layout.height), the width
                  stays responsive;
    secret_label: presentation mode: classes may hold `SECRET_CLASS`, drawn grey and named in the
                  legend slot `SECRET_TRACE` with this label (`SECRET_LABEL`).
    """
    colorscale = stepped_colorscale(colors) if secret_label is None else secret_colorscale(colors)
    fig = go.Figure()
    fig.add_trace(go.Choropleth(
        geojson=geojson, locations=list(codes), featureidkey="id",
        z=[int(c) for c in classes], zmin=-0.5 if secret_label is None else SECRET_CLASS - 0.5,
        zmax=MAX_CLASSES + 0.5, zauto=False,
        colorscale=colorscale, showscale=False, showlegend=False, name="",
        marker={"line": {"color": BORDER_COLOR, "width": 0.6}, "opacity": 1},
        hovertext=list(hover_texts), hovertemplate="%{hovertext}<extra></extra>",
    ))
    lon, lat = _frame_lines(frames)
    fig.add_trace(go.Scattergeo(lon=lon, lat=lat, mode="lines", line={"color": FRAME_COLOR, "width": 1},
                                hoverinfo="skip", showlegend=False, name="cadres DROM"))
    for c, name in enumerate(_legend_names(classes, legend_items, no_data_label)):
        fig.add_trace(_legend_slot(c, name, class_color(colorscale, c)))
    if secret_label is not None:
        fig.add_trace(_legend_slot(SECRET_CLASS, _secret_name(classes, secret_label), SECRET_COLOR))
    fig.update_layout(
        geo=geo_layout(uirevision),
        uirevision=uirevision,
        dragmode="pan",
        height=size[1],
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
        paper_bgcolor="white",
        font={"family": "Marianne, Arial, sans-serif", "size": 14, "color": "#1e1e1e"},
        title={"text": title, "x": 0.01, "xanchor": "left", "y": 0.98, "yanchor": "top", "font": {"size": 17}},
        legend={"title": {"text": _wrap_title(legend_title), "font": {"size": 13}},
                "x": MAP_DOMAIN_X[1] + 0.01, "xanchor": "left",
                "y": 0.5, "yanchor": "middle",
                "bgcolor": "rgba(255,255,255,0.85)", "itemclick": False, "itemdoubleclick": False,
                "traceorder": "normal", "font": {"size": 13}},
        hoverlabel={"bgcolor": "white", "bordercolor": "#555", "font": {"size": 14}, "align": "left"},
        showlegend=True,
    )
    return fig


def patch_colors(patch, classes: Sequence[int], colorscale: list[list], hover_texts: Sequence[str], *,
                 legend_items: Sequence[str] | None = None, legend_title: str | None = None,
                 title: str | None = None, no_data_label: str = NO_DATA, secret_label: str | None = None):
    """Fill a `dash.Patch()` of a figure from `choropleth_figure` (geometry untouched) and return it.

    Always sets data[0].z, data[0].colorscale and data[0].hovertext; with
    `legend_items` also the legend slots data[2..9] (name, visible,
    colorscale); `legend_title` sets layout.legend.title.text and `title`
    layout.title.text. With `secret_label` (a figure built with one and
    `secret_colorscale`) also the secret slot data[10] (name, visible).
    """
    patch["data"][CHORO_TRACE]["z"] = [int(c) for c in classes]
    patch["data"][CHORO_TRACE]["colorscale"] = colorscale
    patch["data"][CHORO_TRACE]["hovertext"] = list(hover_texts)
    if legend_items is not None:
        for c, name in enumerate(_legend_names(classes, legend_items, no_data_label)):
            slot = patch["data"][LEGEND_TRACE0 + c]
            color = class_color(colorscale, c)
            slot["name"] = name or ""
            slot["visible"] = bool(name)
            slot["colorscale"] = [[0, color], [1, color]]
    if secret_label is not None:
        name = _secret_name(classes, secret_label)
        patch["data"][SECRET_TRACE]["name"] = name or ""
        patch["data"][SECRET_TRACE]["visible"] = bool(name)
    if legend_title is not None:
        patch["layout"]["legend"]["title"]["text"] = _wrap_title(legend_title)
    if title is not None:
        patch["layout"]["title"]["text"] = title
    return patch


def establishment_points_trace(lat, lon, sizes, texts, dep_codes=None, *, max_size: float = 22,
                               min_size: float = 4, color: str = "#2b5d9b") -> go.Scattergeo:
    """Establishments as circles whose AREA is proportional to their volume (stays).

    lat/lon in WGS84; overseas points are moved into their insets with the
    same transform as the polygons (`inset_points`; dep_codes may be
    département codes or FINESS numbers, else the territory is found from the
    coordinates). sizes are volumes (the largest gets `max_size` px of
    diameter); texts are hover texts. Append with fig.add_trace: it becomes
    data[10] (POINTS_TRACE); hovering or clicking a point gives its index in
    `pointNumber` and its text in `hovertext`.
    """
    x, y = inset_points(lon, lat, dep_codes)
    volume = np.asarray(sizes, dtype=float)
    top = np.nanmax(volume) if len(volume) and np.isfinite(volume).any() and np.nanmax(volume) > 0 else 1.0
    diameter = np.clip(max_size * np.sqrt(np.nan_to_num(volume, nan=0.0).clip(0) / top), min_size, max_size)
    return go.Scattergeo(
        lon=x.tolist(), lat=y.tolist(), mode="markers",
        marker={"size": diameter.round(1).tolist(), "color": color, "opacity": 0.75, "sizemode": "diameter"},
        hovertext=list(texts), hovertemplate="%{hovertext}<extra></extra>",
        name="établissements", showlegend=False,
    )


__all__ = [
    "CHORO_TRACE",
    "DEFAULT_SIZE",
    "DROMS",
    "FRAMES_TRACE",
    "GEOMETRY_LEVELS",
    "GRAPH_CONFIG",
    "INSET_BOXES",
    "LEGEND_TRACE0",
    "MAINLAND_BOUNDS",
    "MAP_DOMAIN_X",
    "MAX_CLASSES",
    "NO_DATA_COLOR",
    "POINTS_TRACE",
    "SECRET_CLASS",
    "SECRET_COLOR",
    "SECRET_LABEL",
    "SECRET_TRACE",
    "InsetFrame",
    "InsetLayout",
    "choropleth_figure",
    "class_color",
    "establishment_points_trace",
    "geo_layout",
    "geometry_json",
    "geometry_url",
    "hover_text",
    "inset_frames",
    "inset_geojson",
    "inset_point",
    "inset_points",
    "legend_heading",
    "palette",
    "patch_colors",
    "points_trace_index",
    "secret_colorscale",
    "secret_hover_text",
    "stepped_colorscale",
]


GEOMETRY_LEVELS = ("reg", "dep")


def geometry_url(level: str) -> str:
    """The address of the level's boundaries as drawn (GET /geo/<level>.json, `geometry_json`),
    which every map's choropleth names instead of holding them: the browser fetches them once per
    data version and keeps them (plotly.js holds a fetched GeoJSON per address, the HTTP cache
    across pages and visits), so a figure sent for a drill-down, a level or a page carries no
    boundary. `v` is the data version, so an import that changes the geography is a new address."""
    from config import current_settings
    from data_access.cache import data_version

    if level not in GEOMETRY_LEVELS:
        raise ValueError(f"unknown level {level!r}")
    return f"/geo/{level}.json?v={data_version(current_settings().database_url)}"


def geometry_json(level: str) -> tuple[bytes, str]:
    """(the level's GeoJSON as `geometry_url` serves it, its ETag), held by each worker for the data
    version (data_access.cache.held: 490 KB for both levels on the national geography)."""
    from data_access.cache import held

    return held(_geometry_json, level)


def _geometry_json(url: str, level: str) -> tuple[bytes, str]:
    import hashlib

    body = json.dumps(_inset_layer(url, level), separators=(",", ":")).encode()
    return body, hashlib.sha256(body).hexdigest()[:32]


def _inset_layer(url: str, level: str) -> dict:
    """The level's boundaries ("reg" or "dep") as drawn: the overseas territories moved into their insets."""
    from data_access import territories

    return inset_geojson(territories.feature_collection(url, level), level).geojson
