"""The SSR totals: ssr_recourse summed for the SSR view, kept by the imports in their transaction.

Two derived tables (data_access/models.py) whose rollup columns hold a code or TOTAL ('*'):
- ssr_departement_totals: gesture × age band × legal status × year × département (8 rollups),
  what the rate series and the year list read: at most 5 × 4 × 4 × years × 101 rows, whatever the
  number of establishments;
- ssr_establishment_totals: establishment × year × gesture (a code or TOTAL), every age band summed,
  what the map and the tables read for "tous âges" (one row per establishment; a view of one age
  band reads ssr_recourse's covering index).

Facts are never deleted, so the totals follow them by adding differences: an ssr_recourse import
adds (new − stored) counts of its new or changed rows (`fact_changes` before the upsert, added by
`maintain_end` after it); an establishments import that moves establishments to another département
or legal status recomputes the départements concerned (`moved_departements`). Counts are integers,
so the sums are exact; `check` compares every total with the facts.

`derived_state` records the data version the totals were made consistent with. Every import bumps
the data version and, when the totals were consistent with the previous one (`maintain_begin`),
keeps them so; otherwise (facts written outside the import pipeline, such as tests' hand-made
data) it rebuilds them in full, and until then readers (data_access/ssr.py) read the facts
(`current`). `refresh` rebuilds them on demand.
"""
from __future__ import annotations

from collections.abc import Set as AbstractSet
from itertools import product

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import CompoundSelect, Select

from data_access import models

NAME = "ssr_totals"
TOTAL = models.TOTAL
F = models.SsrRecourse.__table__
E = models.Establishment.__table__
DEP = models.SsrDepartementTotal.__table__
EST = models.SsrEstablishmentTotal.__table__
STATE = models.DerivedState.__table__

# Count differences of the rows an import adds or changes (a temporary table of the import's connection).
_changes_md = MetaData()
CHANGES = Table("ssr_fact_changes", _changes_md,
                Column("finess", String(9)), Column("year", Integer), Column("gesture", String(10)),
                Column("age_band", String(10)), Column("stays", Integer), Column("stays_with_ssr", Integer),
                prefixes=["TEMPORARY"])

_COUNTS = ("stays", "stays_with_ssr")


# --- Readers ---------------------------------------------------------------------------------

def current(conn: Connection) -> bool:
    """True when the totals are consistent with the facts of the current data version."""
    dv = models.DataVersion.__table__
    row = conn.execute(select(STATE.c.data_version, dv.c.version)
                       .join_from(STATE, dv, dv.c.id == 1).where(STATE.c.name == NAME)).first()
    return row is not None and row[0] == row[1]


# --- Import hooks (all run inside the import's transaction) -----------------------------------------

def maintain_begin(conn: Connection, version: int) -> bool:
    """Called once the import bumped the data version to `version`, before it writes: returns
    whether the totals were consistent with version − 1 (then they can follow the import by
    differences; otherwise `maintain_end` rebuilds them)."""
    return bool(conn.scalar(select(func.count()).select_from(STATE)
                            .where(STATE.c.name == NAME, STATE.c.data_version == version - 1)))


def fact_changes(conn: Connection, stage: Table) -> int:
    """Before the ssr_recourse upsert: (new − stored) counts of the staged rows that are new or
    change a count, into the temporary table CHANGES. Returns its row count."""
    drop_changes(conn)
    CHANGES.create(conn)
    key = and_(*[F.c[k] == stage.c[k] for k in ("finess", "year", "gesture", "age_band")])
    diffs = [(stage.c[c] - func.coalesce(F.c[c], 0)).label(c) for c in _COUNTS]
    sel = (select(stage.c.finess, stage.c.year, stage.c.gesture, stage.c.age_band, *diffs)
           .select_from(stage.outerjoin(F, key))
           .where(or_(F.c.finess.is_(None), *[F.c[c] != stage.c[c] for c in _COUNTS])))
    conn.execute(insert(CHANGES).from_select([c.name for c in CHANGES.columns], sel))
    return conn.scalar(select(func.count()).select_from(CHANGES)) or 0


def drop_changes(conn: Connection) -> None:
    CHANGES.drop(conn, checkfirst=True)


def moved_departements(conn: Connection, stage: Table) -> set[str]:
    """Before an establishments upsert: the départements (before and after) of the establishments
    whose département or legal status the import changes."""
    moved = (select(E.c.departement_code, stage.c.departement_code)
             .join_from(stage, E, E.c.finess == stage.c.finess)
             .where(or_(E.c.departement_code != stage.c.departement_code,
                        E.c.legal_status != stage.c.legal_status)))
    return {code for row in conn.execute(moved) for code in row}


def maintain_end(conn: Connection, version: int, consistent: bool, *, facts_changed: bool = False,
                 departements: AbstractSet[str] = frozenset()) -> None:
    """After the upsert: bring the totals to `version` (add CHANGES when `facts_changed`,
    recompute `departements`), or rebuild them when they were not `consistent` before the import."""
    if not consistent:
        rebuild(conn)
    else:
        if facts_changed:
            add(conn, select(*[CHANGES.c[c] for c in ("finess", "year", "gesture", "age_band", *_COUNTS)]))
        if departements:
            recompute_departements(conn, sorted(departements))
    _stamp(conn, version)


def carry_forward(conn: Connection, version: int) -> None:
    """An import that writes neither SSR facts nor establishments (campaigns, actions) bumped the data
    version to `version`: totals consistent with version − 1 stay consistent. Without this, the demo
    (campaigns and actions imported last) and any follow-up import left the totals stale until the
    next SSR import, and every SSR view summed the facts instead (12 ms instead of 1 ms for /ssr's
    series on the national demo)."""
    conn.execute(update(STATE).where(STATE.c.name == NAME, STATE.c.data_version == version - 1)
                 .values(data_version=version))


def _stamp(conn: Connection, version: int) -> None:
    if not conn.execute(update(STATE).where(STATE.c.name == NAME).values(data_version=version)).rowcount:
        conn.execute(insert(STATE).values(name=NAME, data_version=version))


# --- Rollups ----------------------------------------------------------------------------------

def _sum(col):
    return func.sum(col)


def _rollup_col(col, keep: bool, name: str):
    return (col if keep else literal(TOTAL, String(10))).label(name)


def _departement_rows(source: Select) -> CompoundSelect:
    """The 8 rollups of gesture × age band × legal status, by year and département, of `source`
    (finess, year, gesture, age_band, stays, stays_with_ssr)."""
    src = source.subquery("src")
    full = (select(src.c.gesture, src.c.age_band, E.c.legal_status, src.c.year, E.c.departement_code,
                   E.c.region_code, _sum(src.c.stays).label("stays"),
                   _sum(src.c.stays_with_ssr).label("stays_with_ssr"))
            .join_from(src, E, E.c.finess == src.c.finess)
            .group_by(src.c.gesture, src.c.age_band, E.c.legal_status, src.c.year, E.c.departement_code,
                      E.c.region_code)
            .cte("dep_full"))
    parts = []
    for g, a, s in product((True, False), repeat=3):
        cols = [_rollup_col(full.c.gesture, g, "gesture"), _rollup_col(full.c.age_band, a, "age_band"),
                _rollup_col(full.c.legal_status, s, "legal_status")]
        keys = [c for c, keep in ((full.c.gesture, g), (full.c.age_band, a), (full.c.legal_status, s)) if keep]
        parts.append(select(*cols, full.c.year, full.c.departement_code, full.c.region_code,
                            _sum(full.c.stays).label("stays"), _sum(full.c.stays_with_ssr).label("stays_with_ssr"))
                     .group_by(*keys, full.c.year, full.c.departement_code, full.c.region_code))
    return union_all(*parts)


def _establishment_rows(source: Select) -> CompoundSelect:
    """Per year, gesture (a code, and TOTAL) and establishment, `source` summed over the age bands."""
    src = source.subquery("src")
    return union_all(*[
        select(src.c.year, _rollup_col(src.c.gesture, keep, "gesture"), src.c.finess,
               _sum(src.c.stays).label("stays"), _sum(src.c.stays_with_ssr).label("stays_with_ssr"))
        .group_by(src.c.year, *([src.c.gesture] if keep else []), src.c.finess)
        for keep in (True, False)])


def _insert(conn: Connection, table: Table, rows, *, add_to_existing: bool) -> None:
    names = [c.name for c in table.columns]
    if not add_to_existing:
        conn.execute(insert(table).from_select(names, rows))
        return
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[conn.dialect.name]
    # SQLite needs the select wrapped: "INSERT … SELECT … ON CONFLICT" would parse ON as a join's.
    wrapped = select(*rows.subquery("r").c).where(literal(True)) if conn.dialect.name == "sqlite" else rows
    stmt = dialect.insert(table).from_select(names, wrapped)
    stmt = stmt.on_conflict_do_update(index_elements=[c.name for c in table.primary_key.columns],
                                      set_={c: table.c[c] + stmt.excluded[c] for c in _COUNTS})
    conn.execute(stmt)


def add(conn: Connection, source: Select) -> None:
    """Add `source`'s counts (differences) to both totals, creating the rows they did not have."""
    _insert(conn, DEP, _departement_rows(source), add_to_existing=True)
    _insert(conn, EST, _establishment_rows(source), add_to_existing=True)


def recompute_departements(conn: Connection, departements: list[str]) -> None:
    """Recompute the départements' rows of ssr_departement_totals from the facts."""
    conn.execute(delete(DEP).where(DEP.c.departement_code.in_(departements)))
    facts = select(F.c.finess, F.c.year, F.c.gesture, F.c.age_band, F.c.stays, F.c.stays_with_ssr).where(
        F.c.finess.in_(select(E.c.finess).where(E.c.departement_code.in_(departements))))
    _insert(conn, DEP, _departement_rows(facts), add_to_existing=False)


def rebuild(conn: Connection) -> None:
    """Both totals from scratch, from every fact."""
    conn.execute(delete(DEP))
    conn.execute(delete(EST))
    facts = select(F.c.finess, F.c.year, F.c.gesture, F.c.age_band, F.c.stays, F.c.stays_with_ssr)
    _insert(conn, DEP, _departement_rows(facts), add_to_existing=False)
    _insert(conn, EST, _establishment_rows(facts), add_to_existing=False)


def refresh(url: str) -> None:
    """Rebuild the totals and mark them consistent with the current data version (after writing
    facts outside the import pipeline)."""
    from data_access.db import get_engine

    dv = models.DataVersion.__table__
    with get_engine(url).begin() as conn:
        version = conn.scalar(select(dv.c.version).where(dv.c.id == 1)) or 0
        rebuild(conn)
        _stamp(conn, version)


def check(conn: Connection) -> list[str]:
    """Differences between the stored totals and totals recomputed from the facts (empty when
    they agree), for tests and for an operator in doubt."""
    facts = select(F.c.finess, F.c.year, F.c.gesture, F.c.age_band, F.c.stays, F.c.stays_with_ssr)
    problems = []
    for table, rows in ((DEP, _departement_rows(facts)), (EST, _establishment_rows(facts))):
        stored = {tuple(r[:-2]): tuple(r[-2:]) for r in conn.execute(select(table))}
        expected = {tuple(r[:-2]): tuple(r[-2:]) for r in conn.execute(rows)}
        for key in sorted(set(stored) | set(expected), key=str):
            if stored.get(key) != expected.get(key):
                problems.append(f"{table.name} {key}: stored {stored.get(key)}, facts {expected.get(key)}")
    return problems
