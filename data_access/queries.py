"""Read queries returning DataFrames or typed rows. Parametrised SQL only."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, func, select

from data_access import models
from data_access.db import connect

FACT_TABLES: dict[str, type[models.Base]] = {
    "establishments": models.Establishment,
    "ssr_recourse": models.SsrRecourse,
    "ambulatory_surgery": models.AmbulatorySurgery,
    "profile_values": models.ProfileValue,
    "caqes_contracts": models.CaqesContract,
    "caqes_results": models.CaqesResult,
    "msap_decisions": models.MsapDecision,
}


def distinct_years(conn: Connection, column) -> list[int]:
    """The distinct values of an integer `column` (a year) that leads an index, ascending, one index
    seek per value ("loose index scan"): a SELECT DISTINCT reads every entry of the index (0.3 ms
    instead of 15–45 ms for the national demo's facts, at every cold request)."""
    years: list[int] = []
    value = conn.scalar(select(column).order_by(column).limit(1))
    while value is not None:
        years.append(int(value))
        value = conn.scalar(select(column).where(column > value).order_by(column).limit(1))
    return years


@dataclass(frozen=True)
class DataStatus:
    version: int
    updated_at: dt.datetime | None
    last_import_at: dt.datetime | None


def data_status(url: str) -> DataStatus:
    """Data version (increases on every import) and the time of the last import."""
    with connect(url) as conn:
        row = conn.execute(select(models.DataVersion.version, models.DataVersion.updated_at)).first()
        last = conn.scalar(select(func.max(models.ImportBatch.imported_at)))
    if row is None:
        return DataStatus(0, None, last)
    return DataStatus(row.version, row.updated_at, last)


def dataset_counts(url: str) -> pd.DataFrame:
    """Row count and year span of each imported dataset (kind, rows, first_year, last_year)."""
    out = []
    with connect(url) as conn:
        for kind, table in FACT_TABLES.items():
            rows = conn.scalar(select(func.count()).select_from(table))
            year_col = getattr(table, "year", None) or getattr(table, "start_year", None)
            first = last = None
            if year_col is not None and rows:
                first, last = conn.execute(select(func.min(year_col), func.max(year_col))).one()
            out.append({"kind": kind, "rows": rows, "first_year": first, "last_year": last})
    return pd.DataFrame(out)


def import_history(url: str, limit: int = 200) -> pd.DataFrame:
    """The latest import batches, newest first."""
    b = models.ImportBatch
    stmt = (select(b.id, b.kind, b.file_name, b.sha256, b.rows_inserted, b.rows_updated, b.user, b.imported_at)
            .order_by(b.id.desc()).limit(limit))
    with connect(url) as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(),
                            columns=["id", "kind", "file_name", "sha256", "rows_inserted", "rows_updated",
                                     "user", "imported_at"])


def ping(url: str) -> None:
    """Raise if the database cannot answer."""
    with connect(url) as conn:
        conn.execute(select(1))
