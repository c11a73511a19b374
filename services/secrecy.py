"""The presentation mode's masks, computed once per data version and year for everything a session can
reach (analytics.secrecy), and read by every page, export and PDF that shows those counts.

What the presentation mode publishes of the SSR recourse (its *reach*, decided here once):
- France and the régions: every gesture and "les 4 gestes", every age band and "tous âges";
- départements and establishments: every gesture and "les 4 gestes", all ages together (a
  département or an establishment by age band is masked as "non publié en présentation");
- no breakdown by legal status (the status filter is not offered in presentation mode): status
  totals cross every territory and would force masking most of them (measured in issue 13's note).
Every other cell of the hypercube is masked, so an audience cannot subtract it from another.

Ambulatory surgery (/ambulatoire, /msap's AMBU campaign, the profile's section): France, régions,
départements and establishments × each of the 55 marker procedures and "les 55 gestes marqueurs",
no status breakdown; a procedure outside the 55 (AMYGDALECTOMIE) is a reach of its own, since no
page sums it with the 55.
"""
from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict

import pandas as pd

from analytics import secrecy
from analytics import ssr as ssr_model
from config import current_settings
from data_access import ambulatory as ambu_data
from data_access import secrecy_store
from data_access import ssr as ssr_data
from data_access.cache import cached, data_version
from text.secrecy import masked_summary

log = logging.getLogger(__name__)

ALL = secrecy.ALL
SSR_DIMS = (("gesture", ssr_model.GESTURES), ("age_band", ssr_model.AGE_BANDS))


def ssr_unpublished(key: tuple) -> bool:
    """Cells of the SSR reach no page publishes in presentation mode (see the module's docstring)."""
    level, _code, status, _gesture, age = key
    return status != ALL or (level in ("dep", "etab") and age != ALL)


def secondary_on() -> bool:
    """Whether secondary suppression is on (always, but in the tests that show what it protects);
    part of the key of every cached result read from the masks."""
    return bool(current_settings().secondary_suppression)


def _stored(url: str, kind: str, year: int | None, secondary: bool, leaves: pd.DataFrame, compute) -> secrecy.Suppression:
    """The masks of (kind, year) for these `leaves`: stored (data_access.secrecy_store, keyed by a
    fingerprint of the leaves, so that an import recomputes only the years it changed) by whoever
    computed them first, else computed now (`compute(leaves)`) and stored."""
    if year is None:
        return compute(leaves)
    digest = hashlib.sha256(str(secrecy.METHOD_VERSION).encode())
    digest.update(pd.util.hash_pandas_object(leaves, index=False).to_numpy().tobytes())
    fingerprint = int(digest.hexdigest()[:15], 16)  # the data and the method the masks come from
    try:
        masks = secrecy_store.load(url, kind, year, secondary, fingerprint)
    except Exception:  # a database without the table yet (init-db not run): compute, do not store
        log.warning("secrecy_masks unreadable, computing", exc_info=True)
        return compute(leaves)
    if masks is None:
        masks = compute(leaves)
        try:
            secrecy_store.save(url, kind, year, secondary, fingerprint, masks)
        except Exception:  # another worker stored them at the same moment, or a read-only database
            log.warning("secrecy masks of %s %s not stored", kind, year, exc_info=True)
    return masks


# Decoded masks per process, keyed by the database and its data version (immutable data: a new import
# is a new key); they outlive the view cache (flask-caching), which a flush or an eviction empties,
# so that a cold view does not decode ten years of masks again. Bounded: a worker keeps the newest.
_DECODED: OrderedDict[tuple, secrecy.Suppression] = OrderedDict()
_DECODED_MAX = 48


def _memo(kind: str, year: int | None, secondary: bool, load) -> secrecy.Suppression:
    url = current_settings().database_url
    key = (url, data_version(url), kind, year, secondary)
    masks = _DECODED.get(key)
    if masks is None:
        masks = _DECODED[key] = load()
        while len(_DECODED) > _DECODED_MAX:
            _DECODED.popitem(last=False)
    return masks


def ssr_masks(year: int | None) -> secrecy.Suppression:
    """The masks of one year's SSR recourse (stored per data version: the same for every session and
    worker); no year (no data): nothing to mask."""
    year = None if year is None else int(year)
    secondary = bool(current_settings().secondary_suppression)
    return _memo("ssr", year, secondary, lambda: cached(_ssr_masks, year, secondary))


def _ssr_masks(url: str, year: int | None, secondary: bool) -> secrecy.Suppression:
    leaves = ssr_data.year_leaves(url, year if year is not None else -1)
    return _stored(url, "ssr", year, secondary, leaves, lambda frame: secrecy.suppress(
        frame, SSR_DIMS, ssr_model.STATUSES, secondary=secondary, unpublished=ssr_unpublished))


def ssr_values(gestures, age_bands) -> tuple[str, str]:
    """The reach's (gesture, age band) of a view's selection: one value, or ALL for every value."""
    gestures, age_bands = list(gestures), list(age_bands)
    gestures = list(ssr_model.GESTURES) if gestures == [ALL] else gestures
    age_bands = list(ssr_model.AGE_BANDS) if age_bands == [ALL] else age_bands
    g = gestures[0] if len(gestures) == 1 else ALL
    a = age_bands[0] if len(age_bands) == 1 else ALL
    if g == ALL and sorted(gestures) != sorted(ssr_model.GESTURES):
        raise ValueError("a selection of gestures outside the reach")
    if a == ALL and sorted(age_bands) != sorted(ssr_model.AGE_BANDS):
        raise ValueError("a selection of age bands outside the reach")
    return g, a


def ssr_status(statuses) -> str:
    statuses = list(statuses)
    return statuses[0] if len(statuses) == 1 else ALL


# ---------------------------------------------------------------------------------------------
# Ambulatory surgery
# ---------------------------------------------------------------------------------------------
def _ambulatory_unpublished(key: tuple) -> bool:
    return key[2] != ALL


def markers(url: str) -> list[str]:
    cat = ambu_data.catalogue(url)
    return cat.loc[cat["marker_number"] != "", "code"].tolist()


def ambulatory_masks(year: int | None, procedure: str) -> tuple[secrecy.Suppression, tuple[str]]:
    """The masks of the reach a procedure (or ALL, the 55 marker procedures) belongs to, and the
    procedure's value in it."""
    family = ALL if procedure in (ALL, "TOUS") or procedure in cached(_markers) else procedure
    value = ALL if procedure in (ALL, "TOUS") else procedure
    year = None if year is None else int(year)
    secondary = bool(current_settings().secondary_suppression)
    return _memo(f"ambulatory:{family}", year, secondary,
                 lambda: cached(_ambulatory_masks, year, family, secondary)), (value,)


def _markers(url: str) -> list[str]:
    return markers(url)


def marker_codes() -> list[str]:
    """The 55 marker procedures: what "all procedures" sums on every page."""
    return list(cached(_markers))


def _ambulatory_masks(url: str, year: int | None, family: str, secondary: bool) -> secrecy.Suppression:
    frame = ambu_data.group_counts(url, year if year is not None else -1)
    codes = markers(url) if family == ALL else [family]
    frame = frame[frame["gesture"].isin(codes)]
    leaves = pd.DataFrame({"finess": frame["finess"], "status": frame["legal_status"], "region": frame["region_code"],
                           "departement": frame["departement_code"], "gesture": frame["gesture"],
                           "a": frame["ambulatory_stays"].astype("int64"),
                           "b": (frame["stays"] - frame["ambulatory_stays"]).astype("int64")}).reset_index(drop=True)
    unpublished = _ambulatory_unpublished if family == ALL else (
        lambda key: key[2] != ALL or key[3] == ALL)  # a procedure alone: its "tous" is not a page's
    return _stored(url, f"ambulatory:{family}", year, secondary, leaves, lambda leaves_: secrecy.suppress(
        leaves_, (("gesture", tuple(codes)),), ssr_model.STATUSES, secondary=secondary, unpublished=unpublished))


# ---------------------------------------------------------------------------------------------
# By MSAP campaign
# ---------------------------------------------------------------------------------------------
def campaign_masks(campaign: str, year: int | None, gestures, age_bands) -> tuple[secrecy.Suppression, tuple]:
    """The masks and the reach's values of an /msap selection (SSR: gestures × age bands; AMBU: a
    procedure or the 55 marker procedures)."""
    if campaign == "SSR":
        return ssr_masks(year), ssr_values(gestures, age_bands)
    gestures = list(gestures)
    return ambulatory_masks(year, gestures[0] if len(gestures) == 1 else ALL)


def _precompute_one(task: tuple[str, str, int]) -> tuple[str, int, float]:
    import time

    url, kind, year = task
    started = time.perf_counter()
    if kind == "ssr":
        _ssr_masks(url, year, True)
    else:
        _ambulatory_masks(url, year, ALL, True)
    return kind, year, time.perf_counter() - started


def precompute(url: str, workers: int = 2) -> list[tuple[str, int, float]]:
    """Compute and store the masks of every reach and year whose data changed (after an import or the
    demo's seeding, so that no presentation request waits for them), in `workers` processes:
    (kind, year, seconds) of each."""
    from concurrent.futures import ProcessPoolExecutor

    from data_access.db import dispose_all

    tasks = [(url, "ssr", y) for y in ssr_data.years(url)] + [(url, "ambulatory", y) for y in ambu_data.years(url)]
    dispose_all()  # no pooled connection crosses into the worker processes
    if workers <= 1:
        return [_precompute_one(t) for t in tasks]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_precompute_one, tasks))


# ---------------------------------------------------------------------------------------------
# Saying it on screen
# ---------------------------------------------------------------------------------------------
def reason_counts(frame: pd.DataFrame, codes: list[str]) -> tuple[int, int, int, int]:
    """Rows `codes` of a view's masks (analytics.secrecy.NestedSecrecy level: a `reason` column
    indexed by code) masked as primary, complement, secondary, unpublished."""
    reasons = frame.loc[frame.index.intersection(codes), "reason"].to_numpy()
    primary, complement, secondary, unpublished = (int((reasons == r).sum()) for r in (
        secrecy.PRIMARY, secrecy.COMPLEMENT, secrecy.SECONDARY, secrecy.UNPUBLISHED))
    return primary, complement, secondary, unpublished


def masked_note(frame: pd.DataFrame, codes: list[str], noun: str = "ligne") -> str:
    """' · secret statistique : 3 lignes masquées : 1 de 1 à 10, 2 secondaires' ('' when none)."""
    text = masked_summary(*reason_counts(frame, codes), noun=noun)
    return f" · secret statistique : {text}" if text else ""
