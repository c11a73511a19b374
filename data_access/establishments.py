"""The establishment directory: every establishment with its commune, département and region names."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from data_access import models
from data_access.db import connect
from data_access.frames import read_frame

DIRECTORY_COLUMNS = ["finess", "name", "legal_status", "category", "activity", "commune_code", "commune",
                     "departement_code", "departement", "region_code", "region", "latitude", "longitude",
                     "beds", "places"]


def directory(url: str) -> pd.DataFrame:
    """One row per establishment (about 2,400 at national scale), ordered by FINESS:
    finess, name, legal_status, category, activity, commune_code, commune (name),
    departement_code, departement (name), region_code, region (name), latitude,
    longitude, beds, places (counts of beds and day places)."""
    E, C, D, R = models.Establishment, models.Commune, models.Departement, models.Region
    stmt = (select(E.finess, E.name, E.legal_status, E.category, E.activity, E.commune_code, C.name,
                   E.departement_code, D.name, E.region_code, R.name, E.latitude, E.longitude, E.beds, E.places)
            .join(C, C.code == E.commune_code).join(D, D.code == E.departement_code)
            .join(R, R.code == E.region_code).order_by(E.finess))
    with connect(url) as conn:
        df = read_frame(conn, stmt, DIRECTORY_COLUMNS, driver_rows=True)  # plain numbers and strings
    return df.astype({"beds": "int64", "places": "int64"})
