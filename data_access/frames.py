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
    return _shared_strings(pd.DataFrame(rows, columns=names))


def _shared_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with each text column's equal values as one object (same values, same dtype).

    The driver makes a new str per row, so a column that repeats a few names (a label, a region code,
    an establishment's name on each of its results) holds as many objects as rows: they cost the
    cache (pickle keeps one copy per object, not per value) and, unpickled in each request, most
    of the frame's memory, which the worker then keeps (CAQES: 14 MB per year's results, 3 once
    shared)."""
    for i, dtype in enumerate(frame.dtypes):
        if isinstance(dtype, pd.StringDtype):
            codes, uniques = frame.iloc[:, i].array.factorize()
            if len(uniques) < len(codes):  # some value repeats
                frame.isetitem(i, uniques.take(codes, allow_fill=True))
    return frame
