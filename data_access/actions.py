"""Campaigns, their target lists and the steps recorded for each establishment (issue 17).

Parametrised queries only. Reads go through the request's snapshot (`db.connect`) unless
`fresh=True`: after a write, the state shown must include it. Every write is one transaction;
recording a step states the target's `version` it was based on, and the write is refused as a
whole when another user recorded in between (optimistic check: nothing is overwritten).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, func, insert, select, update

from data_access import models
from data_access.db import connect, get_engine

C, T, S, E = models.Campaign, models.CampaignTarget, models.ActionStep, models.Establishment
STEP_COLUMNS = ["id", "campaign", "finess", "step", "date", "recorded_by", "medecin", "participants", "compliant",
                "note", "entered_by", "entered_at"]
TARGET_COLUMNS = ["campaign", "finess", "name", "region_code", "departement_code", "version"]


@dataclass(frozen=True)
class CampaignRow:
    code: str
    label: str
    theme: str
    year: int
    perimeter: str
    rule_query: str
    created_by: str
    created_at: dt.datetime | None
    targets: int


@dataclass(frozen=True)
class Step:
    """What one recorded step says (the target and the version it was based on come apart)."""

    step: str
    date: dt.date
    recorded_by: str
    note: str = ""
    medecin: str | None = None
    participants: str | None = None
    compliant: bool | None = None


class Conflict(Exception):
    """Another user recorded a step on these establishments since the versions given: nothing written."""

    def __init__(self, finess: list[str]):
        self.finess = finess
        super().__init__(", ".join(finess))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextmanager
def _reader(url: str, fresh: bool) -> Iterator[Connection]:
    if not fresh:
        with connect(url) as conn:
            yield conn
        return
    with get_engine(url).connect() as conn:
        yield conn


# --- Reads ------------------------------------------------------------------------------------

def campaigns(url: str, *, fresh: bool = False) -> list[CampaignRow]:
    """Every campaign with its number of targeted establishments: newest year first, then the
    largest lists, then by code."""
    n = select(T.campaign, func.count().label("n")).group_by(T.campaign).subquery()
    stmt = (select(C.code, C.label, C.theme, C.year, C.perimeter, C.rule_query, C.created_by, C.created_at,
                   func.coalesce(n.c.n, 0))
            .outerjoin(n, n.c.campaign == C.code)
            .order_by(C.year.desc(), func.coalesce(n.c.n, 0).desc(), C.code))
    with _reader(url, fresh) as conn:
        return [CampaignRow(code=r[0], label=r[1], theme=r[2], year=r[3], perimeter=r[4], rule_query=r[5],
                            created_by=r[6], created_at=r[7], targets=int(r[8])) for r in conn.execute(stmt)]


def campaign(url: str, code: str, *, fresh: bool = False) -> CampaignRow | None:
    return next((c for c in campaigns(url, fresh=fresh) if c.code == code), None)


def targets(url: str, codes: Iterable[str] | None = None, *, finess: str | None = None,
            fresh: bool = False) -> pd.DataFrame:
    """Targeted establishments (TARGET_COLUMNS) of the campaigns `codes` (all when None), or the
    campaigns targeting one establishment (`finess`), by campaign then FINESS."""
    stmt = (select(T.campaign, T.finess, E.name, E.region_code, E.departement_code, T.version)
            .join(E, E.finess == T.finess).order_by(T.campaign, T.finess))
    if codes is not None:
        stmt = stmt.where(T.campaign.in_(list(codes)))
    if finess is not None:
        stmt = stmt.where(T.finess == finess)
    with _reader(url, fresh) as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=TARGET_COLUMNS).astype({"version": "int64"})


def history(url: str, codes: Iterable[str] | None = None, *, finess: str | None = None,
            fresh: bool = False) -> pd.DataFrame:
    """Recorded steps (STEP_COLUMNS) in recording order (id), for the campaigns `codes` (all when
    None) and/or one establishment."""
    stmt = select(*[getattr(S, c) for c in STEP_COLUMNS]).order_by(S.id)
    if codes is not None:
        stmt = stmt.where(S.campaign.in_(list(codes)))
    if finess is not None:
        stmt = stmt.where(S.finess == finess)
    with _reader(url, fresh) as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=STEP_COLUMNS)


def versions(url: str, code: str, finess: Iterable[str], *, fresh: bool = True) -> dict[str, int]:
    """finess -> its target version in the campaign (those on the list only)."""
    stmt = select(T.finess, T.version).where(T.campaign == code, T.finess.in_(list(finess)))
    with _reader(url, fresh) as conn:
        return {f: int(v) for f, v in conn.execute(stmt)}


def known_establishments(url: str, finess: Iterable[str]) -> set[str]:
    wanted = list(finess)
    if not wanted:
        return set()
    with connect(url) as conn:
        return set(conn.scalars(select(E.finess).where(E.finess.in_(wanted))))


# --- Writes -----------------------------------------------------------------------------------

def _step_values(code: str, finess: str, step: Step, entered_by: str, now: dt.datetime) -> dict:
    return {"campaign": code, "finess": finess, "step": step.step, "date": step.date,
            "recorded_by": step.recorded_by[:100], "medecin": step.medecin, "participants": step.participants,
            "compliant": step.compliant, "note": step.note or "", "entered_by": entered_by[:100], "entered_at": now}


def _add_targets(conn: Connection, code: str, finess: Iterable[str], user: str, day: dt.date,
                 now: dt.datetime) -> list[str]:
    """Put the establishments not yet on the list on it, each with a 'ciblee' entry; returns them."""
    present = set(conn.scalars(select(T.finess).where(T.campaign == code)))
    new = [f for f in dict.fromkeys(finess) if f not in present]
    if new:
        conn.execute(insert(T), [{"campaign": code, "finess": f, "version": 1, "added_by": user[:100],
                                  "added_at": now} for f in new])
        conn.execute(insert(S), [_step_values(code, f, Step("ciblee", day, user), user, now) for f in new])
    return new


def create_campaign(url: str, *, code: str, label: str, theme: str, year: int, perimeter: str, rule_query: str,
                    finess: Iterable[str], user: str, day: dt.date) -> None:
    """A new campaign with its target list (each establishment 'ciblee' on `day`). Raises
    ValueError (French) when the code is taken."""
    now = _now()
    with get_engine(url).begin() as conn:
        if conn.scalar(select(C.code).where(C.code == code)) is not None:
            raise ValueError(f"Une campagne porte déjà le code « {code} » : choisissez-en un autre.")
        conn.execute(insert(C).values(code=code, label=label[:200], theme=theme, year=year, perimeter=perimeter,
                                      rule_query=rule_query, created_by=user[:100], created_at=now))
        _add_targets(conn, code, finess, user, day, now)


def add_targets(url: str, code: str, finess: Iterable[str], *, user: str, day: dt.date) -> list[str]:
    """Add establishments to a campaign's list by hand; returns those that were not on it."""
    with get_engine(url).begin() as conn:
        return _add_targets(conn, code, finess, user, day, _now())


def record_steps(url: str, code: str, expected: Mapping[str, int], step: Step, *, user: str) -> dict[str, int]:
    """Record `step` for each establishment of `expected` (finess -> the version the user saw),
    all or nothing. Raises Conflict (nothing written) when a version moved on; returns the new
    versions."""
    now = _now()
    with get_engine(url).begin() as conn:
        stale = []
        for finess, version in expected.items():
            moved = conn.execute(update(T).where(T.campaign == code, T.finess == finess, T.version == int(version))
                                 .values(version=T.version + 1)).rowcount
            if moved != 1:
                stale.append(finess)
        if stale:
            conn.rollback()
            raise Conflict(stale)
        conn.execute(insert(S), [_step_values(code, f, step, user, now) for f in expected])
    return {f: int(v) + 1 for f, v in expected.items()}


# --- Imports (called by data_access.imports inside its transaction) ----------------------------

def campaign_years(conn: Connection) -> dict[str, int]:
    return dict(conn.execute(select(C.code, C.year)).all())


def target_pairs(conn: Connection) -> set[tuple[str, str]]:
    return set(conn.execute(select(T.campaign, T.finess)).all())


def import_campaigns(conn: Connection, rows: list[dict], user: str, now: dt.datetime) -> int:
    """Insert new campaigns, update the label, theme, year and perimeter of known codes; returns
    how many were new."""
    known = set(conn.scalars(select(C.code)))
    new = [r for r in rows if r["code"] not in known]
    if new:
        conn.execute(insert(C), [{**r, "rule_query": "", "created_by": user[:100], "created_at": now} for r in new])
    for r in rows:
        if r["code"] in known:
            conn.execute(update(C).where(C.code == r["code"]).values(
                label=r["label"], theme=r["theme"], year=r["year"], perimeter=r["perimeter"]))
    return len(new)


def import_actions(conn: Connection, rows: list[dict], user: str, now: dt.datetime) -> int:
    """Append the history rows (already ordered: by date, then by line). A 'ciblee' row puts the
    establishment on the list; a row identical to an entry already recorded (campaign, finess,
    step, date, by, note) is not added twice, so re-importing a file changes nothing. Every
    establishment given a step has its version moved on (an open form on it will be told).
    Returns how many entries were added."""
    existing = {(r.campaign, r.finess, r.step, r.date, r.recorded_by, r.note)
                for r in conn.execute(select(S.campaign, S.finess, S.step, S.date, S.recorded_by, S.note))}
    pairs = target_pairs(conn)
    added = []
    for r in rows:
        key = (r["campaign"], r["finess"], r["step"], r["date"], r["by"], r["note"] or "")
        if key in existing:
            continue
        existing.add(key)
        pair = (r["campaign"], r["finess"])
        if pair not in pairs:
            conn.execute(insert(T).values(campaign=pair[0], finess=pair[1], version=0, added_by=user[:100],
                                          added_at=now))
            pairs.add(pair)
        added.append({"campaign": pair[0], "finess": pair[1], "step": r["step"], "date": r["date"],
                      "recorded_by": r["by"], "medecin": None, "participants": None, "compliant": None,
                      "note": r["note"] or "", "entered_by": user[:100], "entered_at": now})
    if added:
        conn.execute(insert(S), added)
        for campaign_code, finess in dict.fromkeys((a["campaign"], a["finess"]) for a in added):
            conn.execute(update(T).where(T.campaign == campaign_code, T.finess == finess)
                         .values(version=T.version + 1))
    return len(added)
