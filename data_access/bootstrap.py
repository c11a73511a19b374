"""`init-db`: schema, geography and catalogues, so that an empty database is ready for imports."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, delete, func, insert, select

from data_access import catalogues, geography, models
from data_access.db import create_sqlite_file, get_engine
from data_access.schema import upgrade


def _records(df: pd.DataFrame, table: type[models.Base]) -> list[dict]:
    cols = {c.name: c for c in table.__table__.columns}
    out = df[[c for c in df.columns if c in cols]].astype(object).where(df.notna(), None)
    return out.to_dict("records")


def _typed(df: pd.DataFrame, table: type[models.Base]) -> pd.DataFrame:
    df = df.copy()
    for col in table.__table__.columns:
        if col.name not in df:
            continue
        if col.type.python_type in (int, float):
            df[col.name] = pd.to_numeric(df[col.name]).astype(object)
        elif col.nullable:
            df[col.name] = df[col.name].replace({"": None})
    return df


def load_geography(conn: Connection) -> None:
    from config import ROOT

    geo = geography.build_cached(ROOT / "data" / "cache")
    conn.execute(insert(models.Region), _records(geo.regions, models.Region))
    conn.execute(insert(models.Departement), _records(geo.departements, models.Departement))
    conn.execute(insert(models.Commune), _records(geo.communes, models.Commune))


def load_catalogues(conn: Connection) -> None:
    """Insert or refresh catalogue rows (existing codes are updated, none deleted)."""
    for table, file_name in catalogues.CATALOGUES.items():
        df = _typed(catalogues.read_catalogue(file_name), table)
        code = table.__table__.c.code
        existing = set(conn.scalars(select(code)))
        rows = _records(df, table)
        new = [r for r in rows if r["code"] not in existing]
        if new:
            conn.execute(insert(table), new)
        for r in rows:
            if r["code"] in existing:
                conn.execute(table.__table__.update().where(code == r["code"]).values(**r))


def init_db(url: str) -> dict[str, int]:
    """Create or upgrade the schema and load geography and catalogues; safe to run twice.

    Returns row counts of the reference tables. The only command that creates a SQLite file.
    """
    create_sqlite_file(url)
    upgrade(url)
    with get_engine(url).begin() as conn:
        if conn.scalar(select(func.count()).select_from(models.Region)) == 0:
            conn.execute(delete(models.Commune))
            load_geography(conn)
        load_catalogues(conn)
        if conn.scalar(select(func.count()).select_from(models.DataVersion)) == 0:
            conn.execute(insert(models.DataVersion).values(id=1, version=0, updated_at=dt.datetime.now(dt.UTC)))
        tables: list[type[models.Base]] = [models.Region, models.Departement, models.Commune, *catalogues.CATALOGUES]
        return {t.__tablename__: conn.scalar(select(func.count()).select_from(t)) or 0 for t in tables}
