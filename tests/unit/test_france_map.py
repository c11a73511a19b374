"""France map: DROM insets beside the mainland (mainland untouched, every DROM inside its frame),
one choropleth trace recoloured by class through Patch, offline style."""
import json

import numpy as np
import pandas as pd
import pytest
import shapely
from dash import Patch
from sqlalchemy import create_engine

from components import france_map as fm
from data_access.geography import feature_collection

DROM_DEPS = ["971", "972", "973", "974", "976"]
DROM_REGS = ["01", "02", "03", "04", "06"]


@pytest.fixture(scope="module")
def layers(sqlite_template):
    eng = create_engine(f"sqlite:///{sqlite_template}")
    with eng.connect() as c:
        out = {"dep": pd.read_sql_table("departements", c), "reg": pd.read_sql_table("regions", c)}
    eng.dispose()
    return {level: feature_collection(list(df["code"]), list(df["geometry"])) for level, df in out.items()}


def _shape(feature) -> shapely.Geometry:
    return shapely.from_geojson(json.dumps(feature["geometry"]))


def _frame_box(frame) -> shapely.Geometry:
    return shapely.box(min(frame.lon), min(frame.lat), max(frame.lon), max(frame.lat))


def _mainland_bbox(fc, drom_codes) -> shapely.Geometry:
    return shapely.box(*shapely.union_all([_shape(f) for f in fc["features"] if f["id"] not in drom_codes]).bounds)


@pytest.mark.parametrize("level, codes", [("dep", DROM_DEPS), ("reg", DROM_REGS)])
def test_mainland_is_untouched_and_the_input_is_not_modified(layers, level, codes):
    fc = layers[level]
    before = json.dumps(fc)
    moved = fm.inset_geojson(fc, level).geojson
    assert json.dumps(fc) == before
    assert [f["id"] for f in moved["features"]] == [f["id"] for f in fc["features"]]
    for old, new in zip(fc["features"], moved["features"]):
        if old["id"] in codes:
            assert new["geometry"] != old["geometry"]
        else:
            assert new["geometry"] == old["geometry"]


@pytest.mark.parametrize("level, codes", [("dep", DROM_DEPS), ("reg", DROM_REGS)])
def test_every_drom_lies_inside_its_frame_and_fills_most_of_it(layers, level, codes):
    result = fm.inset_geojson(layers[level], level)
    frames = {f.code: f for f in result.frames}
    assert list(frames) == codes
    assert [f.name for f in result.frames] == ["Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"]
    shapes = {f["id"]: _shape(f) for f in result.geojson["features"]}
    for code in codes:
        box = _frame_box(frames[code])
        assert box.contains(shapes[code]), code
        # readable: the territory spans at least 80 % of its box's width or height
        w, s, e, n = shapes[code].bounds
        bw, bs, be, bn = box.bounds
        assert max((e - w) / (be - bw), (n - s) / (bn - bs)) > 0.8, code


def test_guyane_is_shrunk_and_the_islands_enlarged(layers):
    before = {f["id"]: _shape(f) for f in layers["dep"]["features"]}
    after = {f["id"]: _shape(f) for f in fm.inset_geojson(layers["dep"], "dep").geojson["features"]}
    width = lambda g: g.bounds[2] - g.bounds[0]  # noqa: E731
    assert width(after["973"]) < width(before["973"])
    for island in ("971", "972", "974", "976"):
        assert width(after[island]) > 2 * width(before[island]), island


@pytest.mark.parametrize("level, codes", [("dep", DROM_DEPS), ("reg", DROM_REGS)])
def test_frames_overlap_neither_the_mainland_bbox_nor_each_other(layers, level, codes):
    frames = fm.inset_geojson(layers[level], level).frames
    mainland = _mainland_bbox(layers[level], codes)
    boxes = [_frame_box(f) for f in frames]
    for box in boxes:
        assert not box.intersects(mainland)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.intersects(b)
    assert all(len(f.lon) == 5 and f.lon[0] == f.lon[-1] and f.lat[0] == f.lat[-1] for f in frames)


def test_inset_point_uses_the_polygons_transform(layers):
    moved = {f["id"]: _shape(f) for f in fm.inset_geojson(layers["dep"], "dep").geojson["features"]}
    for f in layers["dep"]["features"]:
        if f["id"] in DROM_DEPS:
            inside = shapely.point_on_surface(_shape(f))
            for code in (f["id"], f["id"] + "000123", None):  # département, FINESS-like, found from the coordinates
                x, y = fm.inset_point(inside.x, inside.y, code)
                assert moved[f["id"]].buffer(1e-3).contains(shapely.Point(x, y)), (f["id"], code)
    assert fm.inset_point(2.35, 48.85, "75") == (2.35, 48.85)
    assert fm.inset_point(2.35, 48.85) == (2.35, 48.85)


def test_establishment_points_are_moved_into_insets_and_sized_by_area():
    frames = {f.code: f for f in fm.inset_frames("dep")}
    trace = fm.establishment_points_trace(lat=[48.85, 16.24, -20.88], lon=[2.35, -61.53, 55.45],
                                          sizes=[1000, 250, 0], texts=["a", "b", "c"],
                                          dep_codes=["75", "971", "974"])
    assert (trace.lon[0], trace.lat[0]) == (2.35, 48.85)
    assert _frame_box(frames["971"]).contains(shapely.Point(trace.lon[1], trace.lat[1]))
    assert _frame_box(frames["974"]).contains(shapely.Point(trace.lon[2], trace.lat[2]))
    # area proportional to volume: diameter 22 px for the largest, 22·sqrt(250/1000) = 11 px, 4 px minimum
    assert list(trace.marker.size) == [22.0, 11.0, 4.0]
    assert list(trace.hovertext) == ["a", "b", "c"]


def test_palette_is_colorbrewer_ylorrd_without_its_lightest_colour():
    assert fm.palette(4) == ["#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]  # YlOrRd 5 minus #ffffb2
    assert [len(fm.palette(k)) for k in range(1, 8)] == [1, 2, 3, 4, 5, 6, 7]
    for k in range(1, 8):
        assert len(set(fm.palette(k))) == k
    with pytest.raises(ValueError):
        fm.palette(8)


def test_stepped_colorscale_gives_each_class_number_its_colour():
    colors = fm.palette(3)
    scale = fm.stepped_colorscale(colors)
    for c in range(8):
        t = (c - (-0.5)) / (7.5 - (-0.5))  # where z = c falls with zmin = -0.5, zmax = 7.5
        band = [color for (lo, color), (hi, _) in zip(scale[::2], scale[1::2]) if lo <= t <= hi]
        expected = fm.NO_DATA_COLOR if c == 0 else colors[min(c, 3) - 1]
        assert band == [expected]


def _square(x: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, 46], [x + 1, 46], [x + 1, 47], [x, 47], [x, 46]]]}


def _figure(classes=(1, 2, 0, 3), frames=True):
    square = _square
    codes = ["29", "35", "22", "56"]
    fc = {"type": "FeatureCollection",
          "features": [{"type": "Feature", "id": c, "geometry": square(i)} for i, c in enumerate(codes)]}
    fig = fm.choropleth_figure(fc, codes, list(classes), fm.palette(3), [f"h{c}" for c in codes],
                               ["a", "b", "c"], "Titre", "dep", frames=fm.inset_frames("dep") if frames else (),
                               legend_title="Classes :<br>effectifs égaux (quantiles)")
    return fig, codes


def test_one_choropleth_trace_coloured_by_class_number_with_fixed_locations():
    fig, codes = _figure()
    choro = fig.data[fm.CHORO_TRACE]
    assert choro.type == "choropleth"
    assert sum(t.type == "choropleth" and t.geojson["features"] != [] for t in fig.data) == 1
    assert list(choro.locations) == codes and choro.featureidkey == "id"
    assert list(choro.z) == [1, 2, 0, 3]
    assert (choro.zmin, choro.zmax, choro.showscale) == (-0.5, 7.5, False)
    assert list(choro.hovertext) == ["h29", "h35", "h22", "h56"]
    assert choro.hovertemplate == "%{hovertext}<extra></extra>"
    assert fig.data[fm.FRAMES_TRACE].hoverinfo == "skip"


def test_legend_slots_show_the_classes_then_no_data_with_its_count():
    fig, _ = _figure()
    slots = fig.data[fm.LEGEND_TRACE0:fm.LEGEND_TRACE0 + 8]
    assert [s.name for s in slots if s.visible] == ["pas de données (1)", "a", "b", "c"]
    assert slots[0].legendrank > max(s.legendrank for s in slots[1:])  # "pas de données" last
    assert slots[1].colorscale[0][1] == fm.palette(3)[0]
    fig_full, _ = _figure(classes=(1, 2, 3, 3))
    assert fig_full.data[fm.LEGEND_TRACE0].visible is False
    assert fig.layout.legend.title.text == "Classes :<br>effectifs égaux (quantiles)"


def test_figure_needs_no_network():
    fig, _ = _figure()
    # No base layer: plotly.js fetches a topojson only for base layers or built-in locations
    # (assets/geo-offline.js provides the empty one it still looks up).
    assert fig.layout.geo.visible is False
    for layer in ("land", "ocean", "lakes", "rivers", "countries", "coastlines", "subunits"):
        assert getattr(fig.layout.geo, f"show{layer}") in (None, False), layer
    assert all(t.locationmode in (None, "geojson-id") for t in fig.data if t.type == "choropleth")
    text = fig.to_json()
    assert "http://" not in text and "https://" not in text
    assert fig.layout.geo.projection.type == "mercator"  # the projection the insets are computed in
    assert fig.layout.geo.fitbounds == "locations"


def test_patch_colors_only_touches_colours_hover_and_legend_at_paths_that_exist():
    fig, _codes = _figure()
    scale = fm.stepped_colorscale(fm.palette(4))
    patch = fm.patch_colors(Patch(), [4, 3, 2, 1], scale, ["x"] * 4,
                            legend_items=["1", "2", "3", "4"], legend_title="T", title="Nouveau")
    ops = patch.to_plotly_json()["operations"]
    assert all(op["operation"] == "Assign" for op in ops)
    values = {tuple(op["location"]): op["params"]["value"] for op in ops}
    assert values[("data", 0, "z")] == [4, 3, 2, 1]
    assert values[("data", 0, "colorscale")] == scale
    assert values[("data", 0, "hovertext")] == ["x"] * 4
    assert values[("data", 2, "visible")] is False  # no class 0 any more
    assert values[("data", 6, "name")] == "4" and values[("data", 6, "visible")] is True
    assert values[("layout", "title", "text")] == "Nouveau"
    assert not any("geojson" in loc or "locations" in loc for loc in values)
    figure = fig.to_plotly_json()
    for location in values:  # every patched path already exists in the figure
        node = figure
        for key in location[:-1]:
            node = node[key]
        assert location[-1] in node, location


def test_inset_frames_draw_straight_in_mercator():
    # A geo line follows the great circle: the east-west sides are cut so each piece stays on its
    # parallel, and the frames' corners are kept exactly.
    fig, _ = _figure()
    frames = fig.data[fm.FRAMES_TRACE]
    lon, lat = list(frames.lon), list(frames.lat)
    assert lon.count(None) == len(fm.DROMS) == lat.count(None)
    first = fm.inset_frames("dep")[0]
    drawn = list(zip(lon[:lon.index(None)], lat[:lat.index(None)]))
    assert drawn[0] == (first.lon[0], first.lat[0]) and drawn[-1] == (first.lon[-1], first.lat[-1])
    for corner in zip(first.lon, first.lat):
        assert corner in drawn
    assert {y for _x, y in drawn} == set(first.lat)  # every point on one of the two parallels
    assert len(drawn) > 20


def test_hover_text_is_french_with_counts_interval_and_establishments():
    text = fm.hover_text("Bretagne", 118, 190, 0.5503, 0.6870, 12)
    assert text == ("<b>Bretagne</b><br>Taux de recours au SSR : 62,1\u00a0% (118/190 séjours)"
                    "<br>IC 95\u00a0% : 55,0\u00a0% – 68,7\u00a0%<br>12\u00a0établissements")
    assert fm.hover_text("Mayotte", None, None) == "<b>Mayotte</b><br>pas de données"
    assert fm.hover_text("Corse", 1, 0) == "<b>Corse</b><br>pas de données"
    assert fm.hover_text("Corse", np.nan, np.nan) == "<b>Corse</b><br>pas de données"


def test_the_map_is_fitted_to_what_it_draws():
    # plotly.js fits the geo view to the drawn locations: France with its insets, or a région
    # alone when only its features are passed.
    fig, _ = _figure(frames=False)
    assert fig.layout.geo.fitbounds == "locations"
    assert list(fig.layout.geo.domain.x) == list(fm.MAP_DOMAIN_X)


def test_a_long_one_line_legend_title_is_broken_after_its_colon():
    assert fm.legend_heading("intervalles égaux") == "Classes\u00a0:<br>intervalles égaux"
    long = fm.choropleth_figure({"type": "FeatureCollection", "features": []}, [], [], fm.palette(3), [], [], "",
                                "u", legend_title="Classes : seuils naturels (Fisher-Jenks)")
    assert long.layout.legend.title.text == "Classes\u00a0:<br>seuils naturels (Fisher-Jenks)"
    patch = fm.patch_colors(Patch(), [1], fm.stepped_colorscale(fm.palette(3)), ["x"],
                            legend_title="Classes : seuils naturels (Fisher-Jenks)")
    ops = {tuple(op["location"]): op["params"]["value"] for op in patch.to_plotly_json()["operations"]}
    assert ops[("layout", "legend", "title", "text")] == "Classes\u00a0:<br>seuils naturels (Fisher-Jenks)"


# The overseas REGION codes 01…06 are also mainland DÉPARTEMENT codes: a point of Ain (01) must stay in Ain.
MAINLAND_SHARING_A_REGION_CODE = ["01", "02", "03", "04", "06"]


@pytest.fixture(scope="module")
def region_of(sqlite_template):
    eng = create_engine(f"sqlite:///{sqlite_template}")
    with eng.connect() as c:
        deps = pd.read_sql_table("departements", c)
    eng.dispose()
    return dict(zip(deps["code"], deps["region_code"]))


@pytest.mark.parametrize("level", ["dep", "reg"])
def test_each_establishment_point_falls_in_its_own_drawn_territory(layers, region_of, level):
    """One establishment in each of 01, 02, 03, 04, 06 and in each overseas département, placed
    (inside its département) and coded as the pages do (`departement_code`, or its FINESS number):
    its drawn point lies in the drawn polygon of its own territory, insets included, at both levels."""
    real = {f["id"]: _shape(f) for f in layers["dep"]["features"]}
    drawn = {f["id"]: _shape(f) for f in fm.inset_geojson(layers[level], level).geojson["features"]}
    deps = MAINLAND_SHARING_A_REGION_CODE + DROM_DEPS
    spots = [shapely.point_on_surface(real[d]) for d in deps]
    for codes in (deps, [d + "0001234"[len(d) - 2:] for d in deps]):  # département codes, then FINESS numbers
        trace = fm.establishment_points_trace(lat=[p.y for p in spots], lon=[p.x for p in spots],
                                              sizes=[100] * len(deps), texts=deps, dep_codes=codes)
        for dep, code, x, y in zip(deps, codes, trace.lon, trace.lat):
            territory = dep if level == "dep" else region_of[dep]
            where = [t for t, shape in drawn.items() if shape.contains(shapely.Point(x, y))]
            assert where == [territory], (level, code, (x, y), where)
