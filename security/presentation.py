"""The presentation mode (IRAPS): secret statistique and optional anonymisation, decided on the server.

The mode lives in the signed session (set from the `presentation` / `anonyme` query parameters of a
page and by the header toggle); the role `iraps` forces it on. Every callback and export asks
`current_mode()` for the request it serves, so a crafted request cannot switch masking off.
"""
from __future__ import annotations

from dataclasses import dataclass

from analytics import anonymity

SESSION_PRESENTATION = "presentation"
SESSION_ANONYMISED = "anonyme"
SESSION_SALT = "anon_salt"
FORCED_ROLES = frozenset({"iraps"})


@dataclass(frozen=True)
class Mode:
    masked: bool = False  # secret statistique applies to every figure
    anonymised: bool = False  # letters for names; no FINESS, commune, exact point nor precise capacity
    forced: bool = False  # the role cannot leave the presentation mode nor the anonymisation
    salt: str = ""  # keeps the letters stable for the meeting (the session)


def current_role() -> str | None:
    """Role of the signed-in user of the current request (None outside a request or anonymous)."""
    from flask import g, has_request_context

    if not has_request_context():
        return None
    user = g.get("atlas_user")
    return getattr(user, "role", None)


def cache_key(mode: Mode) -> tuple:
    """What a page's finished parts depend on besides its view, for their cache key: the mode (the
    session's salt only when names are anonymised, so that plain sessions share their entries) and
    the role. `mode_of_key` gives the mode back."""
    return (mode.masked, mode.anonymised, mode.forced, mode.salt if mode.anonymised else "", current_role())


def mode_of_key(key: tuple) -> Mode:
    masked, anonymised, forced, salt, _role = key
    return Mode(masked=masked, anonymised=anonymised, forced=forced, salt=salt)


def current_mode() -> Mode:
    """The mode of the current request; the plain mode outside a request (command line, tests)."""
    from flask import has_request_context, session

    if not has_request_context():
        return Mode()
    forced = current_role() in FORCED_ROLES
    masked = forced or bool(session.get(SESSION_PRESENTATION))
    # The iraps role shows the screen to people outside the insurer: anonymised too, whatever the
    # session or a crafted `?anonyme=non` says.
    anonymised = forced or (masked and bool(session.get(SESSION_ANONYMISED)))
    return Mode(masked=masked, anonymised=anonymised, forced=forced, salt=session.get(SESSION_SALT, ""))


ALIAS_PREFIX = "Établissement "


def anonymous_names(mode: Mode | None = None) -> dict[str, tuple[str, str]] | None:
    """FINESS -> (letter code, 'Établissement K') for every establishment when the mode is anonymised,
    else None. The letters follow HMAC(session salt, FINESS): stable for the session, the same on
    every page; the code stands for the establishment in addresses (/etablissement/K). Memoised per
    request."""
    from flask import g, has_request_context

    from data_access import establishments
    from data_access.cache import cached

    mode = mode or current_mode()
    if not mode.anonymised:
        return None
    memo = g.setdefault("atlas_anonymous_names", {}) if has_request_context() else {}
    if mode.salt not in memo:
        finess = cached(establishments.directory)["finess"].tolist()
        memo[mode.salt] = {f: (label.removeprefix(ALIAS_PREFIX), label)
                           for f, label in anonymity.aliases(finess, mode.salt).items()}
    return memo[mode.salt]


# Told for every letter elsewhere anyway: région, département and status by the /ssr grid of a
# département (and its status filter) and the /msap list; the activity by the pages a letter
# appears in (/ssr lists MCO establishments) and by its profile's sections.
IDENTITY_KEYS = ["region_code", "departement_code", "legal_status", "activity"]
IDENTITY_LEVELS = ["capacity"]  # generalised within them


def anonymous_identities():
    """FINESS-indexed frame of what an anonymised establishment may be shown with: region_code,
    departement_code, legal_status and activity as they are (IDENTITY_KEYS), and its capacity band
    (lits et places) generalised to analytics.anonymity.WITHHELD where fewer than K establishments
    of the same département, status and activity share it (k-anonymity). Independent of the
    session; cached per data version."""
    from data_access.cache import cached

    return cached(_identities)


def _identities(url: str):
    from analytics.anonymity import capacity_band, generalise
    from data_access import establishments

    d = establishments.directory(url)
    frame = d.assign(capacity=(d["beds"] + d["places"]).map(capacity_band)).set_index("finess")
    return generalise(frame, IDENTITY_LEVELS, by=IDENTITY_KEYS)


def departement_anchors() -> dict[str, tuple[float, float]]:
    """département code -> (latitude, longitude) where the anonymised mode draws its establishments
    (data_access.territories.departement_anchors, cached per data version)."""
    from data_access import territories
    from data_access.cache import cached

    return cached(territories.departement_anchors)
