"""The presentation mode's masks, computed once per data version and year for everything a session can
reach (analytics.secrecy), and read by every page, export and PDF that shows those counts.

What the presentation mode publishes of the SSR recourse (its *reach*, decided here once):
- France and the régions: every gesture and "les 4 gestes", every age band and "tous âges";
- départements and establishments: every gesture and "les 4 gestes", all ages together (a
  département or an establishment by age band is masked as "non publié en présentation");
- no breakdown by legal status (the status filter is not offered in presentation mode): status
  totals cross every territory and would force masking most of them (measured in issue 13's note).
Every other cell of the hypercube is masked, so an audience cannot subtract it from another.
"""
from __future__ import annotations

from analytics import secrecy
from analytics import ssr as ssr_model
from config import current_settings
from data_access import ssr as ssr_data
from data_access.cache import cached

ALL = secrecy.ALL
SSR_DIMS = (("gesture", ssr_model.GESTURES), ("age_band", ssr_model.AGE_BANDS))


def ssr_unpublished(key: tuple) -> bool:
    """Cells of the SSR reach no page publishes in presentation mode (see the module's docstring)."""
    level, _code, status, _gesture, age = key
    return status != ALL or (level in ("dep", "etab") and age != ALL)


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
