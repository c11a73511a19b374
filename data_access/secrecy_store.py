"""The presentation mode's masks as stored for a year's data (table secrecy_masks): read by every
worker, written once by whoever computes them first (services.secrecy). A payload is the
zlib-compressed pickle of an analytics.secrecy.Suppression, written by this application only."""
from __future__ import annotations

import pickle
import zlib

from sqlalchemy import delete, insert, select

from data_access import models
from data_access.db import connect, get_engine

T = models.SecrecyMasks.__table__


def load(url: str, kind: str, year: int, secondary: bool, version: int):
    """The stored masks of (kind, year, secondary) computed from the data of fingerprint `version`, or None."""
    with connect(url) as conn:
        payload = conn.scalar(select(T.c.payload).where(T.c.kind == kind, T.c.year == year,
                                                        T.c.secondary == secondary, T.c.fingerprint == version))
    return None if payload is None else pickle.loads(zlib.decompress(payload))


def save(url: str, kind: str, year: int, secondary: bool, version: int, masks) -> None:
    """Keep the masks of (kind, year, secondary) for the data of fingerprint `version` (replacing older ones)."""
    payload = zlib.compress(pickle.dumps(masks, protocol=pickle.HIGHEST_PROTOCOL), 6)
    with get_engine(url).begin() as conn:
        conn.execute(delete(T).where(T.c.kind == kind, T.c.year == year, T.c.secondary == secondary))
        conn.execute(insert(T).values(kind=kind, year=year, secondary=secondary, fingerprint=version, payload=payload))
