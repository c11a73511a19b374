"""Queries behind the SSR recourse view. Counts are stays; no rate is computed here."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from data_access import models
from data_access.db import connect

E, S = models.Establishment, models.SsrRecourse


def years(url: str) -> list[int]:
    """Years with SSR recourse data, ascending."""
    with connect(url) as conn:
        return [int(y) for y in conn.scalars(select(S.year).distinct().order_by(S.year))]


def establishment_counts(url: str, year: int, gestures: list[str], age_bands: list[str],
                         statuses: list[str]) -> pd.DataFrame:
    """One row per MCO establishment with stays for the filters: finess, name, legal_status,
    region_code, departement_code, latitude, longitude, stays, stays_with_ssr (summed over the
    gestures and age bands asked for)."""
    stmt = (
        select(E.finess, E.name, E.legal_status, E.region_code, E.departement_code, E.latitude, E.longitude,
               func.sum(S.stays).label("stays"), func.sum(S.stays_with_ssr).label("stays_with_ssr"))
        .join(E, E.finess == S.finess)
        .where(S.year == year, S.gesture.in_(gestures), S.age_band.in_(age_bands), E.legal_status.in_(statuses))
        .group_by(E.finess, E.name, E.legal_status, E.region_code, E.departement_code, E.latitude, E.longitude)
    )
    with connect(url) as conn:
        df = pd.DataFrame(conn.execute(stmt).all(), columns=[
            "finess", "name", "legal_status", "region_code", "departement_code", "latitude", "longitude",
            "stays", "stays_with_ssr"])
    return df.astype({"stays": "int64", "stays_with_ssr": "int64"})


def counts_by_year(url: str, gestures: list[str], age_bands: list[str], statuses: list[str]) -> pd.DataFrame:
    """Stays by year and département (with its region) for the filters, all years."""
    stmt = (
        select(S.year, E.region_code, E.departement_code,
               func.sum(S.stays).label("stays"), func.sum(S.stays_with_ssr).label("stays_with_ssr"))
        .join(E, E.finess == S.finess)
        .where(S.gesture.in_(gestures), S.age_band.in_(age_bands), E.legal_status.in_(statuses))
        .group_by(S.year, E.region_code, E.departement_code)
    )
    with connect(url) as conn:
        df = pd.DataFrame(conn.execute(stmt).all(),
                          columns=["year", "region_code", "departement_code", "stays", "stays_with_ssr"])
    return df.astype({"year": "int64", "stays": "int64", "stays_with_ssr": "int64"})
