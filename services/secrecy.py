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

import pandas as pd

from analytics import secrecy
from analytics import ssr as ssr_model
from config import current_settings
from data_access import ambulatory as ambu_data
from data_access import ssr as ssr_data
from data_access.cache import cached

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


def ssr_masks(year: int | None) -> secrecy.Suppression:
    """The masks of one year's SSR recourse (cached on the data version: the same for every session);
    no year (no data): nothing to mask."""
    return cached(_ssr_masks, None if year is None else int(year), bool(current_settings().secondary_suppression))


def _ssr_masks(url: str, year: int | None, secondary: bool) -> secrecy.Suppression:
    leaves = ssr_data.year_leaves(url, year) if year is not None else ssr_data.year_leaves(url, -1)
    return secrecy.suppress(leaves, SSR_DIMS, ssr_model.STATUSES, secondary=secondary, unpublished=ssr_unpublished)


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
    return cached(_ambulatory_masks, None if year is None else int(year), family,
                  bool(current_settings().secondary_suppression)), (value,)


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
                           "b": (frame["stays"] - frame["ambulatory_stays"]).astype("int64")})
    unpublished = _ambulatory_unpublished if family == ALL else (
        lambda key: key[2] != ALL or key[3] == ALL)  # a procedure alone: its "tous" is not a page's
    return secrecy.suppress(leaves, (("gesture", tuple(codes)),), ssr_model.STATUSES, secondary=secondary,
                            unpublished=unpublished)


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
