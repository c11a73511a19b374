"""Queries behind MSAP targeting: per-establishment counts of both campaigns, catalogues, decision history.

Counts are stays; no rate is computed here. Both campaigns come out in one shape so the
targeting rule (analytics.msap) does not care where they came from:

- SSR  (ssr_recourse):       stays = stays for the gesture(s), cases = stays followed by an SSR stay;
- AMBU (ambulatory_surgery): stays = stays for the gesture group(s), cases = ambulatory stays
  (same-day discharge).
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from data_access import models
from data_access.db import connect
from data_access.frames import read_frame
from data_access.queries import distinct_years

E, S, A, D = models.Establishment, models.SsrRecourse, models.AmbulatorySurgery, models.MsapDecision
CAMPAIGNS = ("SSR", "AMBU")
ESTABLISHMENT_COLUMNS = ["finess", "name", "legal_status", "region_code", "departement_code", "latitude",
                         "longitude"]
COUNT_COLUMNS = [*ESTABLISHMENT_COLUMNS, "stays", "cases"]


def _check(campaign: str) -> None:
    if campaign not in CAMPAIGNS:
        raise ValueError(f"campagne inconnue : {campaign!r}")


def years(url: str, campaign: str) -> list[int]:
    """Years with data for the campaign, ascending."""
    _check(campaign)
    column = S.year if campaign == "SSR" else A.year
    with connect(url) as conn:
        return distinct_years(conn, column)


def gestures(url: str, campaign: str) -> list[tuple[str, str]]:
    """(code, label) of the campaign's catalogue, in catalogue order: the orthopaedic gestures
    (SSR) or the ambulatory gesture groups (AMBU)."""
    _check(campaign)
    table = models.Gesture if campaign == "SSR" else models.AmbulatoryGroup
    with connect(url) as conn:
        return [(r.code, r.label) for r in conn.execute(select(table.code, table.label).order_by(table.position))]


COUNT_TYPES = {"stays": "int64", "cases": "int64"}


def establishment_counts(url: str, campaign: str, year: int, gestures: tuple[str, ...],
                         age_bands: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per establishment with at least one row of data for the filters, every status and
    territory (references are national): finess, name, legal_status, region_code, departement_code,
    latitude, longitude, stays, cases — summed over `gestures` and, for SSR, `age_bands` (ignored
    for AMBU, which has no age band)."""
    _check(campaign)
    if campaign == "SSR":
        stays, cases = func.sum(S.stays), func.sum(S.stays_with_ssr)
        where = [S.year == year, S.gesture.in_(list(gestures)), S.age_band.in_(list(age_bands))]
        fact_finess = S.finess
    else:
        stays, cases = func.sum(A.stays), func.sum(A.ambulatory_stays)
        where = [A.year == year, A.gesture_group.in_(list(gestures))]
        fact_finess = A.finess
    cols = [getattr(E, c) for c in ESTABLISHMENT_COLUMNS]
    stmt = (select(*cols, stays.label("stays"), cases.label("cases"))
            .join(E, E.finess == fact_finess).where(*where).group_by(*cols).order_by(E.finess))
    with connect(url) as conn:
        return read_frame(conn, stmt, COUNT_COLUMNS, driver_rows=True).astype(COUNT_TYPES)


def counts_by_gesture(url: str, campaign: str, year: int, age_bands: tuple[str, ...] = ()) -> pd.DataFrame:
    """Like `establishment_counts` for every gesture (or group) of the year, one row per
    establishment × gesture, with a `gesture` column: what the default rule needs to flag one
    establishment gesture by gesture (see analytics.msap.default_rule_flag)."""
    _check(campaign)
    if campaign == "SSR":
        fact_finess, gesture = S.finess, S.gesture
        stays, cases = func.sum(S.stays), func.sum(S.stays_with_ssr)
        where = [S.year == year, S.age_band.in_(list(age_bands))] if age_bands else [S.year == year]
    else:
        fact_finess, gesture = A.finess, A.gesture_group
        stays, cases = func.sum(A.stays), func.sum(A.ambulatory_stays)
        where = [A.year == year]
    cols = [getattr(E, c) for c in ESTABLISHMENT_COLUMNS]
    stmt = (select(gesture.label("gesture"), *cols, stays.label("stays"), cases.label("cases"))
            .join(E, E.finess == fact_finess).where(*where).group_by(gesture, *cols)
            .order_by(gesture, E.finess))
    with connect(url) as conn:
        return read_frame(conn, stmt, ["gesture", *COUNT_COLUMNS], driver_rows=True).astype(COUNT_TYPES)


def notified(url: str, campaign: str) -> pd.DataFrame:
    """MSAP notified in the campaign, every year: finess, gesture ('' = the whole campaign), year
    (the campaign's year), start_on, end_on — one row per notification."""
    _check(campaign)
    stmt = (select(D.finess, D.gesture, D.year, D.start_on, D.end_on)
            .where(D.campaign == campaign, D.decision == "notifiee").order_by(D.finess, D.year, D.gesture))
    with connect(url) as conn:
        df = pd.DataFrame(conn.execute(stmt).all(), columns=["finess", "gesture", "year", "start_on", "end_on"])
    return df.astype({"year": "int64"})
