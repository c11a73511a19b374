"""Queries behind the establishment profile. No rate or reference is computed here: the
frames hold counts (stays), numerators and denominators as stored."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from data_access import models
from data_access.db import connect
from data_access.frames import read_frame
from data_access.queries import distinct_years

P, S = models.ProfileValue, models.SsrRecourse


def profile_catalogue(url: str) -> pd.DataFrame:
    """The SSR profile indicators in catalogue order: code, label, kind (ratio|count), better
    (higher|lower|neutral), scale, unit, numerator_label, denominator_label, source, position."""
    I = models.ProfileIndicator  # noqa: E741  (the models' one-letter aliases, as elsewhere)
    cols = ["code", "label", "kind", "better", "scale", "unit", "numerator_label", "denominator_label", "source",
            "position"]
    with connect(url) as conn:
        return read_frame(conn, select(*[getattr(I, c) for c in cols]).order_by(I.position, I.code), cols)


def gestures(url: str) -> pd.DataFrame:
    """code, label, position of the SSR recourse gestures, in catalogue order."""
    G = models.Gesture
    with connect(url) as conn:
        return read_frame(conn, select(G.code, G.label, G.position).order_by(G.position))


def years(url: str) -> list[int]:
    """Years with SSR profile values, SSR recourse stays or ambulatory-surgery stays, ascending."""
    with connect(url) as conn:
        return sorted({y for column in (P.year, S.year, models.AmbulatorySurgery.year)
                       for y in distinct_years(conn, column)})


def profile_values(url: str, year: int) -> pd.DataFrame:
    """Every establishment's profile values for a year: finess, indicator, numerator,
    denominator (NaN for count indicators)."""
    stmt = select(P.finess, P.indicator, P.numerator, P.denominator).where(P.year == year)
    with connect(url) as conn:
        df = read_frame(conn, stmt, ["finess", "indicator", "numerator", "denominator"], driver_rows=True)
    return df.astype({"numerator": "float64", "denominator": "float64"})


def profile_series(url: str, finess: str) -> pd.DataFrame:
    """One establishment's profile values over the years: year, indicator, numerator, denominator."""
    stmt = (select(P.year, P.indicator, P.numerator, P.denominator).where(P.finess == finess)
            .order_by(P.year, P.indicator))
    with connect(url) as conn:
        df = read_frame(conn, stmt, ["year", "indicator", "numerator", "denominator"])
    return df.astype({"year": "int64", "numerator": "float64", "denominator": "float64"})


def recourse(url: str, year: int) -> pd.DataFrame:
    """Stays per MCO establishment and gesture for a year, all age bands summed:
    finess, gesture, stays, stays_with_ssr (counts of stays)."""
    stmt = (select(S.finess, S.gesture, func.sum(S.stays), func.sum(S.stays_with_ssr))
            .where(S.year == year).group_by(S.finess, S.gesture))
    with connect(url) as conn:
        df = read_frame(conn, stmt, ["finess", "gesture", "stays", "stays_with_ssr"], driver_rows=True)
    return df.astype({"stays": "int64", "stays_with_ssr": "int64"})


def recourse_series(url: str, finess: str) -> pd.DataFrame:
    """One establishment's stays by year and gesture, all age bands summed: year, gesture,
    stays, stays_with_ssr."""
    stmt = (select(S.year, S.gesture, func.sum(S.stays), func.sum(S.stays_with_ssr))
            .where(S.finess == finess).group_by(S.year, S.gesture).order_by(S.year, S.gesture))
    with connect(url) as conn:
        df = read_frame(conn, stmt, ["year", "gesture", "stays", "stays_with_ssr"])
    return df.astype({"year": "int64", "stays": "int64", "stays_with_ssr": "int64"})


def msap_history(url: str, finess: str) -> pd.DataFrame:
    """The establishment's MSAP decisions, oldest first: campaign (SSR|AMBU), gesture ('' for the
    whole campaign), year, decision (ciblee|notifiee|levee|abandonnee), decided_on, start_on, end_on."""
    M = models.MsapDecision
    cols = ["campaign", "gesture", "year", "decision", "decided_on", "start_on", "end_on"]
    stmt = select(*[getattr(M, c) for c in cols]).where(M.finess == finess).order_by(M.decided_on, M.year, M.gesture)
    with connect(url) as conn:
        return read_frame(conn, stmt, cols)


def caqes_contracts(url: str, finess: str) -> pd.DataFrame:
    """The establishment's CAQES contracts, oldest first: start_year, end_year, signed_on, parts
    ('+'-separated part codes)."""
    C = models.CaqesContract
    cols = ["start_year", "end_year", "signed_on", "parts"]
    with connect(url) as conn:
        return read_frame(conn, select(*[getattr(C, c) for c in cols]).where(C.finess == finess)
                      .order_by(C.start_year), cols)


def caqes_results(url: str, finess: str) -> pd.DataFrame:
    """The establishment's CAQES results with their catalogue entry, all years: year, indicator,
    baseline, target, achieved (NaN when not yet known), savings_eur, label, part, scope, better,
    unit, incentive_rate, weight, position. Values are in the indicator's unit (mostly %)."""
    R, I = models.CaqesResult, models.CaqesIndicator  # noqa: E741
    cols = ["year", "indicator", "baseline", "target", "achieved", "savings_eur", "label", "part", "scope", "better",
            "unit", "incentive_rate", "weight", "position"]
    stmt = (select(R.year, R.indicator, R.baseline, R.target, R.achieved, R.savings_eur, I.label, I.part, I.scope,
                   I.better, I.unit, I.incentive_rate, I.weight, I.position)
            .join(I, I.code == R.indicator).where(R.finess == finess).order_by(R.year, I.position))
    with connect(url) as conn:
        df = read_frame(conn, stmt, cols)
    return df.astype({"year": "int64", "baseline": "float64", "target": "float64", "achieved": "float64",
                      "savings_eur": "float64", "incentive_rate": "float64", "weight": "float64"})
