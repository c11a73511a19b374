"""Queries behind the ambulatory-surgery view (/ambulatoire) and the profile's ambulatory section.

Counts are stays of the marker procedures (gestes marqueurs) and the ones done in ambulatory
care (no overnight stay); no rate is computed here. Targets are percentages (0-100) as imported.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from data_access import models
from data_access.db import connect
from data_access.frames import read_frame
from data_access.queries import distinct_years

E, A, G, T = models.Establishment, models.AmbulatorySurgery, models.AmbulatoryGroup, models.AmbulatoryTarget
ESTABLISHMENT_COLUMNS = ["finess", "name", "legal_status", "region_code", "departement_code", "latitude",
                         "longitude", "stays", "ambulatory_stays"]
BY_YEAR_COLUMNS = ["year", "region_code", "departement_code", "stays", "ambulatory_stays"]
CATALOGUE_COLUMNS = ["code", "label", "specialty", "marker_number", "position"]


def catalogue(url: str) -> pd.DataFrame:
    """The catalogue of procedures in list order: code, label, specialty, marker_number (GM01..GM55,
    '' outside the list of 55), position."""
    stmt = select(G.code, G.label, G.specialty, G.marker_number, G.position).order_by(G.position)
    with connect(url) as conn:
        return pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=CATALOGUE_COLUMNS)


def years(url: str) -> list[int]:
    """Years with ambulatory-surgery data, ascending."""
    with connect(url) as conn:
        return distinct_years(conn, A.year)


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    return df.astype({"stays": "int64", "ambulatory_stays": "int64"})


def establishment_counts(url: str, year: int, groups: tuple[str, ...], statuses: tuple[str, ...]) -> pd.DataFrame:
    """One row per establishment with stays for the procedures `groups` in `year` (summed over
    them), of a legal status in `statuses`: finess, name, legal_status, region_code,
    departement_code, latitude, longitude, stays, ambulatory_stays."""
    sums = (select(A.finess, func.sum(A.stays).label("stays"), func.sum(A.ambulatory_stays).label("amb"))
            .where(A.year == year, A.gesture_group.in_(list(groups))).group_by(A.finess).subquery())
    attrs = (E.finess, E.name, E.legal_status, E.region_code, E.departement_code, E.latitude, E.longitude)
    stmt = (select(*attrs, sums.c.stays, sums.c.amb).join_from(sums, E, E.finess == sums.c.finess)
            .where(E.legal_status.in_(list(statuses))).order_by(E.finess))
    with connect(url) as conn:
        return _frame(conn.execute(stmt), ESTABLISHMENT_COLUMNS)


def counts_by_year(url: str, groups: tuple[str, ...], statuses: tuple[str, ...]) -> pd.DataFrame:
    """Stays by year and département (with its region) for the procedures and statuses, all years."""
    # summed per establishment first (one pass over the facts, no join per row), then by territory
    sums = (select(A.year, A.finess, func.sum(A.stays).label("stays"), func.sum(A.ambulatory_stays).label("amb"))
            .where(A.gesture_group.in_(list(groups))).group_by(A.year, A.finess).subquery())
    stmt = (select(sums.c.year, E.region_code, E.departement_code, func.sum(sums.c.stays), func.sum(sums.c.amb))
            .join_from(sums, E, E.finess == sums.c.finess).where(E.legal_status.in_(list(statuses)))
            .group_by(sums.c.year, E.region_code, E.departement_code))
    with connect(url) as conn:
        df = _frame(conn.execute(stmt), BY_YEAR_COLUMNS)
    return df.astype({"year": "int64"})


def targets(url: str) -> pd.DataFrame:
    """Every target: region_code, year, departement_code ('' for the regional target), target_pct
    (percent 0-100)."""
    stmt = select(T.region_code, T.year, T.departement_code, T.target_pct).order_by(T.region_code, T.year,
                                                                                  T.departement_code)
    with connect(url) as conn:
        df = pd.DataFrame([tuple(r) for r in conn.execute(stmt)],
                          columns=["region_code", "year", "departement_code", "target_pct"])
    return df.astype({"year": "int64", "target_pct": "float64"})


def group_counts(url: str, year: int) -> pd.DataFrame:
    """One row per establishment × procedure of `year` (every establishment: the regional and
    national references need them): gesture, finess, name, legal_status, region_code,
    departement_code, latitude, longitude, stays, ambulatory_stays, by procedure then FINESS."""
    facts = select(A.gesture_group, A.finess, A.stays, A.ambulatory_stays).where(A.year == year)
    places = select(E.finess, E.name, E.legal_status, E.region_code, E.departement_code, E.latitude, E.longitude)
    with connect(url) as conn:
        # Two plain reads joined here: each establishment's name and place read once, not once per
        # procedure (plain numbers and strings: the driver's tuples).
        counts = read_frame(conn, facts, ["gesture", "finess", "stays", "ambulatory_stays"], driver_rows=True)
        where = read_frame(conn, places, ESTABLISHMENT_COLUMNS[:7], driver_rows=True)
    df = counts.merge(where, on="finess").sort_values(["gesture", "finess"], kind="stable").reset_index(drop=True)
    return df[["gesture", *ESTABLISHMENT_COLUMNS]].astype({"stays": "int64", "ambulatory_stays": "int64"})


def own_counts(url: str, year: int, finess: str) -> pd.DataFrame:
    """The rows of one establishment in `year` (its primary key: a few dozen rows, not the year's
    26,000): gesture, stays, ambulatory_stays, by procedure."""
    stmt = (select(A.gesture_group, A.stays, A.ambulatory_stays).where(A.year == year, A.finess == finess)
            .order_by(A.gesture_group))
    with connect(url) as conn:
        df = read_frame(conn, stmt, ["gesture", "stays", "ambulatory_stays"], driver_rows=True)
    return df.astype({"stays": "int64", "ambulatory_stays": "int64"})
