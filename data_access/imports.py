"""All-or-nothing imports of the kinds of data files (docs/data-format.md).

`import_file` reads a CSV or .xlsx file, `import_frame` takes a DataFrame (the demo
seeder); both go through the same validation (data_access/validation.py) and the same
write: one transaction that stages the rows in a temporary table (COPY on PostgreSQL), upserts
them in one statement (a key already in the table is updated), keeps the SSR totals
(data_access/ssr_totals.py), records an `ImportBatch` and increments `DataVersion`. When
anything is wrong, nothing is written and `ImportRejected` lists every problem in French with
its line and column.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    MetaData,
    Table,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from data_access import actions, models, ssr_totals
from data_access.db import get_engine
from data_access.readers import cell_text, read_table
from data_access.validation import (
    ACTION_KINDS,
    SPECS,
    ImportRejected,
    KindSpec,
    Problem,
    References,
    check_header,
    load_references,
    validate,
)

__all__ = ["ACTION_KINDS", "ALL_KINDS", "KINDS", "ImportRejected", "ImportReport", "Problem", "import_file",
           "import_frame"]

# The data kinds, in dependency order (establishments first); then the teams' follow-up history
# (campaigns before their actions), which is written by data_access.actions.
KINDS: tuple[str, ...] = tuple(k for k in SPECS if k not in ACTION_KINDS)
ALL_KINDS: tuple[str, ...] = KINDS + ACTION_KINDS
CHUNK = 20_000  # rows per executemany into SQLite's staging table


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
                                                  f"{', '.join(ALL_KINDS)})")])
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

    n = len(typed)
    now = dt.datetime.now(dt.UTC)
    if spec.kind in ACTION_KINDS:
        return _import_follow_up(engine, spec, typed, file_name=file_name, sha256=sha256, user=user, now=now)
    values = _columns(typed, spec, refs)
    try:
        with engine.begin() as conn:
            version = _bump_version(conn, now)  # first write: serialises concurrent imports
            if conn.dialect.name == "postgresql":  # this transaction's sorts and hashes stay in memory
                conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
            totals_consistent = ssr_totals.maintain_begin(conn, version)
            stage = _stage(conn, spec.table, values)
            facts_changed, departements = False, set()
            if totals_consistent and spec.kind == "ssr_recourse":
                facts_changed = ssr_totals.fact_changes(conn, stage) > 0
            elif totals_consistent and spec.kind == "establishments":
                departements = ssr_totals.moved_departements(conn, stage)
            inserted = _upsert(conn, spec.table, stage)
            ssr_totals.maintain_end(conn, version, totals_consistent, facts_changed=facts_changed,
                                    departements=departements)
            ssr_totals.drop_changes(conn)
            stage.drop(conn)
            batch = models.ImportBatch.__table__
            batch_id = conn.execute(insert(batch).values(
                kind=spec.kind, file_name=file_name[:300], sha256=sha256, rows_inserted=inserted,
                rows_updated=n - inserted, user=user[:100], imported_at=now,
            ).returning(batch.c.id)).scalar_one()
    except DBAPIError as exc:  # validation should make this unreachable; never leave it unexplained
        raise rejected([Problem(None, None, "la base de données a refusé l'écriture, rien n'a été enregistré : "
                                            f"{str(exc.orig).splitlines()[0][:300]}")]) from exc
    return ImportReport(spec.kind, inserted, n - inserted, batch_id, version)


def _import_follow_up(engine, spec: KindSpec, typed: pd.DataFrame, *, file_name: str, sha256: str, user: str,
                      now: dt.datetime) -> ImportReport:
    """Campaigns (upserted by code) or actions (appended in date order, then file order: a team's
    history is chronological whatever the order of its rows), in one transaction with the batch."""
    frame = typed
    if spec.kind == "actions":
        frame = typed.assign(_line=typed.index).sort_values(["date", "_line"], kind="stable")
    rows: list[dict[str, Any]] = []
    for r in frame.to_dict("records"):
        r = {k: (v.date() if isinstance(v, pd.Timestamp) else v) for k, v in r.items() if k != "_line"}
        rows.append({k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()})
    if spec.kind == "campaigns":
        rows = [{**r, "year": int(r["year"])} for r in rows]
    n = len(rows)
    try:
        with engine.begin() as conn:
            version = _bump_version(conn, now)
            ssr_totals.carry_forward(conn, version)  # no SSR fact, no establishment written
            write = actions.import_campaigns if spec.kind == "campaigns" else actions.import_actions
            inserted = write(conn, rows, user, now)
            batch = models.ImportBatch.__table__
            batch_id = conn.execute(insert(batch).values(
                kind=spec.kind, file_name=file_name[:300], sha256=sha256, rows_inserted=inserted,
                rows_updated=n - inserted, user=user[:100], imported_at=now,
            ).returning(batch.c.id)).scalar_one()
    except DBAPIError as exc:
        raise ImportRejected([Problem(None, None, "la base de données a refusé l'écriture, rien n'a été enregistré : "
                                                  f"{str(exc.orig).splitlines()[0][:300]}")],
                             file_name=file_name, kind=spec.kind) from exc
    return ImportReport(spec.kind, inserted, n - inserted, batch_id, version)


# --- Write path --------------------------------------------------------------------------------

def _columns(typed: pd.DataFrame, spec: KindSpec, refs: References) -> dict[str, list]:
    """Table columns as lists of Python values (None = NULL), derived columns included."""
    frame = typed
    if spec.kind == "establishments":
        assert refs.communes is not None  # read by load_references for establishments
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


def _stage(conn: Connection, table: Table, values: dict[str, list]) -> Table:
    """A temporary table of the connection holding the rows to write (no constraint, no index):
    PostgreSQL fills it with COPY through the driver, SQLite with the driver's executemany, so
    the per-row work is the driver's, not SQLAlchemy's; the database then checks and writes every
    row in one statement (`_upsert`)."""
    stage = Table(f"import_stage_{table.name}", MetaData(), *[Column(name, table.c[name].type) for name in values],
                  prefixes=["TEMPORARY"])
    stage.drop(conn, checkfirst=True)
    stage.create(conn)
    n = len(next(iter(values.values())))
    if conn.dialect.name == "postgresql":
        from psycopg import sql

        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(stage.name), sql.SQL(", ").join(sql.Identifier(name) for name in values))
        driver = conn.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in zip(*values.values()):
                copy.write_row(row)
    elif conn.dialect.name == "sqlite":
        compiled = insert(stage).compile(dialect=conn.dialect)  # "INSERT … VALUES (?, ?, …)"
        # the columns' bind processors (dates -> ISO text) applied column-wise, not per row by SQLAlchemy
        columns = []
        for name in compiled.positiontup or []:
            processor = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
            columns.append(values[name] if processor is None else [processor(v) for v in values[name]])
        rows = list(zip(*columns))
        for i in range(0, n, CHUNK):
            conn.exec_driver_sql(compiled.string, rows[i:i + CHUNK])
    else:
        raise NotImplementedError(f"import vers {conn.dialect.name} non pris en charge (SQLite ou PostgreSQL)")
    return stage


def _changes(table: Table, stmt, keys: list[str]) -> dict:
    return {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}


def _changed(table: Table, stmt, keys: list[str]):
    """Only rewrite rows whose values differ: re-importing a file mostly unchanged then
    costs reads, not writes (the row still counts as updated in the report)."""
    return or_(*[table.c[c.name].is_distinct_from(stmt.excluded[c.name]) for c in table.columns
                 if c.name not in keys])


def _upsert(conn: Connection, table: Table, stage: Table) -> int:
    """INSERT … SELECT … ON CONFLICT (primary key) DO UPDATE from the staged rows, in one statement.
    Returns how many rows were new."""
    keys = [c.name for c in table.primary_key.columns]
    names = [c.name for c in stage.columns]
    if conn.dialect.name == "postgresql":
        stmt = postgresql.insert(table).from_select(names, select(*stage.c))
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=_changes(table, stmt, keys),
                                          where=_changed(table, stmt, keys))
        # xmax is 0 in a row version this statement inserted, our transaction's id where it updated
        # one; rows left as they were are not returned. Counting here costs less than comparing
        # 200,000 keys again, or counting the whole table before and after.
        written = stmt.returning(literal_column("xmax = 0", Boolean).label("inserted")).cte("written")
        return conn.scalar(select(func.count()).select_from(written).where(written.c.inserted)) or 0
    if conn.dialect.name == "sqlite":
        before = _count(conn, table)
        # WHERE true: SQLite would read the ON of ON CONFLICT as a join constraint of the SELECT.
        lite = sqlite.insert(table).from_select(names, select(*stage.c).where(literal(True)))
        lite = lite.on_conflict_do_update(index_elements=keys, set_=_changes(table, lite, keys),
                                          where=_changed(table, lite, keys))
        conn.execute(lite)
        return _count(conn, table) - before
    raise NotImplementedError(f"import vers {conn.dialect.name} non pris en charge (SQLite ou PostgreSQL)")


def _count(conn: Connection, table: Table) -> int:
    return conn.scalar(select(func.count()).select_from(table)) or 0
