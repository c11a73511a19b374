"""Queries behind the CAQES view and the profile's CAQES section. Values are returned as stored
(baseline, target, achieved in the indicator's unit, mostly %; savings in euros); attainment,
status, scores and incentives are computed in analytics.caqes."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from data_access import models
from data_access.db import connect
from data_access.frames import read_frame
from data_access.queries import distinct_years

C, R, I, E = models.CaqesContract, models.CaqesResult, models.CaqesIndicator, models.Establishment  # noqa: E741

CATALOGUE_COLUMNS = ["code", "label", "part", "scope", "region_code", "better", "unit", "incentive_rate", "weight",
                     "structure", "position"]
RESULT_TYPES = {"year": "int64", "baseline": "float64", "target": "float64", "achieved": "float64",
                "savings_eur": "float64", "incentive_rate": "float64", "weight": "float64", "position": "int64"}


def years(url: str) -> list[int]:
    """Years with CAQES results, ascending."""
    with connect(url) as conn:
        return distinct_years(conn, R.year)


def catalogue(url: str) -> pd.DataFrame:
    """The CAQES indicator catalogue in its order: code, label, part (volet), scope
    (national|regional), region_code, better (higher|lower), unit, incentive_rate (0–1),
    weight, structure (2022|pre2022), position."""
    with connect(url) as conn:
        df = read_frame(conn, select(*[getattr(I, c) for c in CATALOGUE_COLUMNS]).order_by(I.position, I.code),
                    CATALOGUE_COLUMNS)
    return df.astype({"incentive_rate": "float64", "weight": "float64", "position": "int64"})


def available(url: str, year: int) -> pd.DataFrame:
    """The indicators with at least one result in `year`, in catalogue order: code, label, part, scope."""
    stmt = (select(I.code, I.label, I.part, I.scope).where(I.code.in_(select(R.indicator).where(R.year == year)))
            .order_by(I.position, I.code))
    with connect(url) as conn:
        return read_frame(conn, stmt)  # the select's labels: code, label, part, scope


YEAR_COLUMNS = ["finess", "name", "region_code", "departement_code", "year", "indicator", "baseline", "target",
                "achieved", "savings_eur", "label", "part", "scope", "better", "unit", "incentive_rate", "weight",
                "position"]


def year_results(url: str, year: int, indicators: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Every establishment's CAQES results for a year (one row per establishment × indicator),
    with the establishment's name, region and département and the indicator's catalogue entry
    (YEAR_COLUMNS), in FINESS then catalogue order; only those of `indicators` when given (a volet's
    or one indicator's: a quarter of the rows or less). achieved and savings_eur are NaN when not
    (yet) known."""
    results = select(R.finess, R.indicator, R.baseline, R.target, R.achieved, R.savings_eur).where(R.year == year)
    if indicators is not None:
        results = results.where(R.indicator.in_(indicators))
    places = select(E.finess, E.name, E.region_code, E.departement_code)
    entries = select(I.code, I.label, I.part, I.scope, I.better, I.unit, I.incentive_rate, I.weight, I.position)
    with connect(url) as conn:
        # Three plain reads joined here: the results' own columns only, not each establishment's name
        # and indicator's label repeated on every row, nor a sort of the joined rows in SQLite (3× faster).
        facts = read_frame(conn, results, ["finess", "indicator", "baseline", "target", "achieved", "savings_eur"],
                           driver_rows=True)
        where = read_frame(conn, places, ["finess", "name", "region_code", "departement_code"], driver_rows=True)
        catalogue = read_frame(conn, entries, ["indicator", "label", "part", "scope", "better", "unit",
                                               "incentive_rate", "weight", "position"], driver_rows=True)
    df = facts.merge(where, on="finess").merge(catalogue, on="indicator").assign(year=int(year))
    df = df.sort_values(["finess", "position", "indicator"], kind="stable").reset_index(drop=True)
    # No row (a volet without result that year): the text columns' type of a read with rows, not
    # the driver's empty columns' object, so that the frame is the one selected from the whole year.
    text = {} if len(df) else {c: "str" for c in YEAR_COLUMNS if c not in RESULT_TYPES}
    return df[YEAR_COLUMNS].astype({**text, **RESULT_TYPES})
