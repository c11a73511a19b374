"""Queries behind the SSR recourse view. Counts are stays; no rate is computed here.

They read the SSR totals (data_access/ssr_totals.py: ssr_recourse summed by the imports) where a
view sums many facts (the series: one row per year × département whatever the filters; the map
and tables of "tous âges": one row per establishment), and ssr_recourse's covering index otherwise.
When the totals are not consistent with the current data (facts written outside the import
pipeline) they read ssr_recourse, with the same results.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, func, literal, select, union_all

from data_access import models, ssr_totals
from data_access.db import connect
from data_access.frames import read_frame
from data_access.queries import distinct_years

E, S = models.Establishment, models.SsrRecourse
DEP, EST = models.SsrDepartementTotal, models.SsrEstablishmentTotal
TOTAL = models.TOTAL
ESTABLISHMENT_COLUMNS = ["finess", "name", "legal_status", "region_code", "departement_code", "latitude",
                         "longitude", "stays", "stays_with_ssr"]
BY_YEAR_COLUMNS = ["year", "region_code", "departement_code", "stays", "stays_with_ssr"]


def years(url: str) -> list[int]:
    """Years with SSR recourse data, ascending."""
    with connect(url) as conn:
        if ssr_totals.current(conn):
            stmt = (select(DEP.year).where(DEP.gesture == TOTAL, DEP.age_band == TOTAL, DEP.legal_status == TOTAL)
                    .distinct().order_by(DEP.year))
        else:
            return distinct_years(conn, S.year)
        return [int(y) for y in conn.scalars(stmt)]


def establishment_counts(url: str, year: int, gestures: list[str], age_bands: list[str],
                         statuses: list[str]) -> pd.DataFrame:
    """One row per MCO establishment with stays for the filters: finess, name, legal_status,
    region_code, departement_code, latitude, longitude, stays, stays_with_ssr (summed over the
    gestures and age bands asked for)."""
    attrs = (E.finess, E.name, E.legal_status, E.region_code, E.departement_code, E.latitude, E.longitude)
    with connect(url) as conn:
        g, a = _levels(conn, gestures, age_bands)
        if len(g) == 1 and a == [TOTAL] and ssr_totals.current(conn):
            stmt = (select(*attrs, EST.stays, EST.stays_with_ssr).join_from(EST, E, E.finess == EST.finess)
                    .where(EST.year == year, EST.gesture == g[0], E.legal_status.in_(statuses)))
        elif len(g) == len(a) == 1 and TOTAL not in g + a:
            # one gesture, one age band: ssr_recourse has one row per establishment
            stmt = (select(*attrs, S.stays, S.stays_with_ssr).join_from(S, E, E.finess == S.finess)
                    .where(S.year == year, S.gesture == g[0], S.age_band == a[0], E.legal_status.in_(statuses)))
        else:
            # read from ix_ssr_year_gesture_finess alone, already in FINESS order for one gesture
            sums = (select(S.finess, func.sum(S.stays).label("stays"),
                           func.sum(S.stays_with_ssr).label("stays_with_ssr"))
                    .where(S.year == year, S.gesture.in_(gestures), S.age_band.in_(age_bands))
                    .group_by(S.finess).subquery())
            stmt = (select(*attrs, sums.c.stays, sums.c.stays_with_ssr).join_from(sums, E, E.finess == sums.c.finess)
                    .where(E.legal_status.in_(statuses)))
        # plain numbers and strings only: the driver's tuples spare a SQLAlchemy Row per establishment
        df = read_frame(conn, stmt, ESTABLISHMENT_COLUMNS, driver_rows=True)
    return df.astype({"stays": "int64", "stays_with_ssr": "int64"})


def counts_by_year(url: str, gestures: list[str], age_bands: list[str], statuses: list[str]) -> pd.DataFrame:
    """Stays by year and département (with its region) for the filters, all years."""
    with connect(url) as conn:
        if ssr_totals.current(conn):
            g, a = _levels(conn, gestures, age_bands)
            s = [TOTAL] if set(models.LEGAL_STATUSES) <= set(statuses) else list(statuses)
            stmt = (select(DEP.year, DEP.region_code, DEP.departement_code,
                           func.sum(DEP.stays), func.sum(DEP.stays_with_ssr))
                    .where(DEP.gesture.in_(g), DEP.age_band.in_(a), DEP.legal_status.in_(s))
                    .group_by(DEP.year, DEP.region_code, DEP.departement_code))
        else:
            stmt = (select(S.year, E.region_code, E.departement_code, func.sum(S.stays), func.sum(S.stays_with_ssr))
                    .join(E, E.finess == S.finess)
                    .where(S.gesture.in_(gestures), S.age_band.in_(age_bands), E.legal_status.in_(statuses))
                    .group_by(S.year, E.region_code, E.departement_code))
        df = read_frame(conn, stmt, BY_YEAR_COLUMNS, driver_rows=True)
    return df.astype({"year": "int64", "stays": "int64", "stays_with_ssr": "int64"})


def _levels(conn: Connection, gestures: list[str], age_bands: list[str]) -> tuple[list[str], list[str]]:
    """The rollup values to read for the filters: [TOTAL] for a list naming every code of its
    catalogue (the sum over all codes), else the distinct codes asked for."""
    catalogue = union_all(select(literal("g").label("kind"), models.Gesture.code),
                          select(literal("a"), models.AgeBand.code))
    codes: dict[str, set[str]] = {"g": set(), "a": set()}
    for kind, code in conn.execute(catalogue):
        codes[kind].add(code)

    def level(values, known: set[str]) -> list[str]:
        return [TOTAL] if known and known <= set(values) else list(dict.fromkeys(values))

    return level(gestures, codes["g"]), level(age_bands, codes["a"])


def year_leaves(url: str, year: int) -> pd.DataFrame:
    """Every fact of a year with its establishment's place and status, as the secret statistique's
    reach reads them (analytics.reach): finess, status, region, departement, gesture, age_band,
    a (stays followed by SSR), b (the other stays)."""
    stmt = (select(S.finess, E.legal_status, E.region_code, E.departement_code, S.gesture, S.age_band,
                   S.stays_with_ssr, S.stays).join_from(S, E, E.finess == S.finess).where(S.year == year)
            .order_by(S.finess, S.gesture, S.age_band))
    columns = ["finess", "status", "region", "departement", "gesture", "age_band", "a", "stays"]
    with connect(url) as conn:
        df = read_frame(conn, stmt, columns, driver_rows=True)
    df = df.astype({"a": "int64", "stays": "int64"})
    return df.assign(b=df["stays"] - df["a"]).drop(columns="stays")
