"""A select's result as a pandas DataFrame: the one way data_access turns rows into frames."""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Connection, Select


def read_frame(conn: Connection, stmt: Select, columns: Sequence[str] | None = None, *,
               driver_rows: bool = False) -> pd.DataFrame:
    """The rows of `stmt`, one column per selected expression, named by `columns` or else by the
    select's labels (an ORM attribute's label is its column name).

    `driver_rows` hands pandas the DB-API driver's plain tuples, skipping SQLAlchemy's result
    processing: only for selects of plain numbers and strings (no dates, booleans on SQLite), where
    building a SQLAlchemy Row per result row costs as much as the query (10,000 establishments)."""
    result = conn.execute(stmt)
    try:
        names = list(columns) if columns is not None else list(result.keys())
        rows = result.cursor.fetchall() if driver_rows else [tuple(r) for r in result]
    finally:
        result.close()
    return pd.DataFrame(rows, columns=names)
