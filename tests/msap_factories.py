"""Hand-made MSAP facts written straight into a test database (ambulatory surgery, MSAP decisions),
beside tests/factories.py."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, update

from data_access import models
from data_access.db import get_engine


def add_ambulatory(url: str, rows: list[tuple[str, int, str, int, int]]) -> None:
    """rows: (finess, year, gesture_group, stays, ambulatory_stays)."""
    with get_engine(url).begin() as conn:
        conn.execute(insert(models.AmbulatorySurgery), [
            dict(finess=f, year=y, gesture_group=g, stays=n, ambulatory_stays=k) for f, y, g, n, k in rows])
        conn.execute(update(models.DataVersion).values(version=models.DataVersion.version + 1))


def add_decisions(url: str, rows: list[tuple[str, str, str, int, str]]) -> None:
    """rows: (finess, campaign, gesture, year, decision), decided on 1 March of the year."""
    with get_engine(url).begin() as conn:
        conn.execute(insert(models.MsapDecision), [
            dict(finess=f, campaign=c, gesture=g, year=y, decision=d, decided_on=dt.date(y, 3, 1))
            for f, c, g, y, d in rows])
        conn.execute(update(models.DataVersion).values(version=models.DataVersion.version + 1))
