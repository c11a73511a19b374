"""Regions and départements: names, hierarchy and boundaries."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from data_access import geography, models
from data_access.db import connect


def regions(url: str) -> pd.DataFrame:
    """code, name, overseas — ordered by code."""
    R = models.Region
    with connect(url) as conn:
        return pd.DataFrame(conn.execute(select(R.code, R.name, R.overseas).order_by(R.code)).all(),
                            columns=["code", "name", "overseas"])


def departements(url: str) -> pd.DataFrame:
    """code, name, region_code — ordered by code."""
    D = models.Departement
    with connect(url) as conn:
        return pd.DataFrame(conn.execute(select(D.code, D.name, D.region_code).order_by(D.code)).all(),
                            columns=["code", "name", "region_code"])


def feature_collection(url: str, level: str) -> dict:
    """GeoJSON FeatureCollection of 'reg' or 'dep' boundaries, feature id = code, ordered by code."""
    table = models.Region if level == "reg" else models.Departement
    with connect(url) as conn:
        rows = conn.execute(select(table.code, table.geometry).order_by(table.code)).all()
    return geography.feature_collection([r.code for r in rows], [r.geometry for r in rows])


def departement_feature(url: str, code: str) -> dict | None:
    """The GeoJSON Feature of one département (as in feature_collection's), None for an unknown code."""
    D = models.Departement
    with connect(url) as conn:
        geometry = conn.scalar(select(D.geometry).where(D.code == code))
    return None if geometry is None else geography.feature_collection([code], [geometry])["features"][0]


def departement_anchors(url: str) -> dict[str, tuple[float, float]]:
    """code -> (latitude, longitude) of a point inside each département (shapely's
    representative point of its boundary): where the anonymised mode draws its establishments."""
    import json

    from shapely.geometry import shape

    D = models.Departement
    with connect(url) as conn:
        rows = conn.execute(select(D.code, D.geometry).order_by(D.code)).all()
    out = {}
    for code, geometry in rows:
        point = shape(json.loads(geometry)).representative_point()
        out[code] = (round(point.y, 4), round(point.x, 4))
    return out
