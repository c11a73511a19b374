"""All-or-nothing imports of the seven kinds of data files (docs/data-format.md).

`import_file` reads a CSV or .xlsx file, `import_frame` takes a DataFrame (the demo
seeder); both go through the same validation (data_access/validation.py) and the same
write: one transaction that upserts the rows (a key already in the table is updated),
records an `ImportBatch` and increments `DataVersion`. When anything is wrong, nothing is
written and `ImportRejected` lists every problem in French with its line and column.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, bindparam, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from data_access import models
from data_access.db import get_engine
from data_access.readers import cell_text, read_table
from data_access.validation import (
    SPECS,
    ImportRejected,
    KindSpec,
    Problem,
    References,
    check_header,
    load_references,
    validate,
)

__all__ = ["KINDS", "ImportRejected", "Problem", "ImportReport", "import_file", "import_frame"]

KINDS: tuple[str, ...] = tuple(SPECS)  # dependency order: establishments first
CHUNK = 20_000  # rows per statement (SQLite executemany, PostgreSQL unnest arrays)


@dataclass
class ImportReport:
    """`inserted`: rows whose key was new; `updated`: rows whose key was already stored
    (their values were replaced, changed or not)."""

    kind: str
    inserted: int
    updated: int
    batch_id: int
    data_version: int


def _spec(kind: str) -> KindSpec:
    if kind not in SPECS:
        raise ImportRejected([Problem(None, None, f"type d'import « {kind} » inconnu (types acceptés : "
                                                  f"{', '.join(KINDS)})")])
    return SPECS[kind]


def import_file(url: str, kind: str, path: str | Path, user: str = "cli") -> ImportReport:
    """Validate and import a CSV or .xlsx file of `kind`; raises ImportRejected (nothing
    written) or FileNotFoundError."""
    spec = _spec(kind)
    path = Path(path)
    try:
        table = read_table(path)
    except ImportRejected as exc:
        raise ImportRejected(exc.problems, total=exc.total, file_name=path.name, kind=kind) from None
    return _import(url, spec, table.columns, table.frame, table.problems,
                   file_name=path.name, sha256=table.sha256, user=user)


def import_frame(url: str, kind: str, df: pd.DataFrame, *, file_name: str, user: str = "demo",
                 sha256: str | None = None) -> ImportReport:
    """Validate and import a DataFrame with the kind's columns, holding strings or typed
    values (numbers, dates, NaN/None for empty). Rows are numbered as in a file: the first
    row is line 2. `sha256` defaults to a hash of the frame's content."""
    spec = _spec(kind)
    header = [str(c) for c in df.columns]
    if header_problems := check_header(header, spec):
        raise ImportRejected(header_problems, file_name=file_name, kind=kind)
    raw = pd.DataFrame({name: _as_text(df[c]) for name, c in zip(header, df.columns)})
    raw.index = pd.RangeIndex(2, len(df) + 2)
    if sha256 is None:
        sha256 = hashlib.sha256(",".join(raw.columns).encode()
                                + pd.util.hash_pandas_object(raw, index=False).to_numpy().tobytes()).hexdigest()
    problems = [] if len(raw) else [Problem(None, None, "aucune ligne de données")]
    return _import(url, spec, header, raw, problems, file_name=file_name, sha256=sha256, user=user)


def _as_text(s: pd.Series) -> pd.Series:
    """A column of any dtype as the strings a file would hold ('' for missing), converted
    once per distinct value."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if pd.api.types.is_datetime64_any_dtype(s):
        texts = pd.DatetimeIndex(uniques).strftime("%Y-%m-%d")
    elif pd.api.types.is_bool_dtype(s):
        texts = ["1" if v else "0" for v in uniques]
    elif pd.api.types.is_numeric_dtype(s):
        texts = np.asarray(uniques).astype(str)  # repr of floats: parses back to the same value
    else:
        texts = [cell_text(v) for v in uniques]
    lookup = np.array([*texts, ""], dtype=object)  # code -1 (missing) -> ""
    return pd.Series(lookup[codes], index=s.index, dtype=object)


def _import(url: str, spec: KindSpec, columns: list[str], raw: pd.DataFrame, read_problems: list[Problem], *,
            file_name: str, sha256: str, user: str) -> ImportReport:
    def rejected(problems: list[Problem]) -> ImportRejected:
        return ImportRejected(problems, file_name=file_name, kind=spec.kind)

    header_problems = check_header(columns, spec)
    if header_problems:
        raise rejected(header_problems + read_problems)
    engine = get_engine(url)
    with engine.connect() as conn:
        refs = load_references(conn, spec, raw)
    typed, problems, total = validate(raw, spec, refs)
    if read_problems or problems:
        raise ImportRejected(read_problems + problems, total=len(read_problems) + total, file_name=file_name,
                             kind=spec.kind)

    values = _columns(typed, spec, refs)
    n = len(typed)
    now = dt.datetime.now(dt.UTC)
    try:
        with engine.begin() as conn:
            version = _bump_version(conn, now)  # first write: serialises concurrent imports
            before = _count(conn, spec.table)
            _upsert(conn, spec.table, values)
            inserted = _count(conn, spec.table) - before
            batch = models.ImportBatch.__table__
            batch_id = conn.execute(insert(batch).values(
                kind=spec.kind, file_name=file_name[:300], sha256=sha256, rows_inserted=inserted,
                rows_updated=n - inserted, user=user[:100], imported_at=now,
            ).returning(batch.c.id)).scalar_one()
    except DBAPIError as exc:  # validation should make this unreachable; never leave it unexplained
        raise rejected([Problem(None, None, "la base de données a refusé l'écriture, rien n'a été enregistré : "
                                            f"{str(exc.orig).splitlines()[0][:300]}")]) from exc
    return ImportReport(spec.kind, inserted, n - inserted, batch_id, version)


# --- Write path --------------------------------------------------------------------------------

def _columns(typed: pd.DataFrame, spec: KindSpec, refs: References) -> dict[str, list]:
    """Table columns as lists of Python values (None = NULL), derived columns included."""
    frame = typed
    if spec.kind == "establishments":
        commune = refs.communes.loc[typed["commune_code"]].set_axis(typed.index)
        frame = typed.assign(
            departement_code=commune["departement_code"],
            region_code=commune["region_code"],
            latitude=typed["latitude"].fillna(commune["latitude"]),
            longitude=typed["longitude"].fillna(commune["longitude"]),
        )
    out = {}
    for col in spec.table.columns:
        s = frame[col.name]
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.date
        out[col.name] = s.astype(object).where(s.notna(), None).tolist()
    return out


def _bump_version(conn: Connection, now: dt.datetime) -> int:
    dv = models.DataVersion.__table__
    version = conn.execute(update(dv).where(dv.c.id == 1).values(version=dv.c.version + 1, updated_at=now)
                           .returning(dv.c.version)).scalar_one_or_none()
    if version is None:  # a database not made by init_db
        conn.execute(insert(dv).values(id=1, version=1, updated_at=now))
        version = 1
    return version


def _count(conn: Connection, table: Table) -> int:
    return conn.scalar(select(func.count()).select_from(table))


def _changes(table: Table, stmt, keys: list[str]) -> dict:
    return {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}


def _changed(table: Table, stmt, keys: list[str]):
    """Only rewrite rows whose values differ: re-importing a file mostly unchanged then
    costs reads, not writes (the row still counts as updated in the report)."""
    return or_(*[table.c[c.name].is_distinct_from(stmt.excluded[c.name]) for c in table.columns
                 if c.name not in keys])


def _upsert(conn: Connection, table: Table, values: dict[str, list]) -> None:
    """INSERT … ON CONFLICT (primary key) DO UPDATE, in chunks, with each dialect's own insert."""
    keys = [c.name for c in table.primary_key.columns]
    n = len(next(iter(values.values())))
    if conn.dialect.name == "postgresql":
        # One statement per chunk with a column of values per array parameter
        # (INSERT … SELECT unnest(…)): a single round trip instead of a row-by-row executemany.
        names = list(values)
        sel = select(*[func.unnest(bindparam(name, type_=postgresql.ARRAY(table.c[name].type))) for name in names])
        stmt = postgresql.insert(table).from_select(names, sel)
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=_changes(table, stmt, keys),
                                          where=_changed(table, stmt, keys))
        for i in range(0, n, CHUNK):
            conn.execute(stmt, {name: values[name][i:i + CHUNK] for name in names})
    elif conn.dialect.name == "sqlite":
        stmt = sqlite.insert(table)
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=_changes(table, stmt, keys),
                                          where=_changed(table, stmt, keys))
        compiled = stmt.compile(dialect=conn.dialect)
        # executemany through the driver with positional tuples: SQLAlchemy's per-row
        # parameter handling would cost more than SQLite's own work; the columns' bind
        # processors (dates -> ISO text) are applied column-wise instead.
        order = list(compiled.positiontup)
        columns = []
        for name in order:
            processor = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
            columns.append(values[name] if processor is None else [processor(v) for v in values[name]])
        rows = list(zip(*columns))
        for i in range(0, n, CHUNK):
            conn.exec_driver_sql(compiled.string, rows[i:i + CHUNK])
    else:
        raise NotImplementedError(f"import vers {conn.dialect.name} non pris en charge (SQLite ou PostgreSQL)")
