"""The role matrix: what each role may reach. Pure data, checked by the request gate (security.auth)
and by callbacks that produce role-restricted content.

| permission            | admin | analyste | medecin_conseil | iraps |
|-----------------------|-------|----------|-----------------|-------|
| view (pages, Dash)    |  yes  |   yes    |       yes       | yes, presentation mode forced |
| export_territory      |  yes  |   yes    |       yes       | yes, masked (secret statistique) |
| export_establishment  |  yes  |   yes    |       yes       |  no   |
| admin (users, audit, import history) | yes | no | no       |  no   |
| actions (campaigns, steps, notes: see and record) | yes | yes | yes | no |
"""
from __future__ import annotations

import re

ROLES = ("admin", "analyste", "medecin_conseil", "iraps")
ROLE_LABELS = {"admin": "Administrateur", "analyste": "Analyste DCGDR", "medecin_conseil": "Médecin-conseil",
               "iraps": "Présentation IRAPS"}

VIEW = "view"
EXPORT_TERRITORY = "export_territory"
EXPORT_ESTABLISHMENT = "export_establishment"
ADMIN = "admin"
ACTIONS = "actions"

PERMISSIONS: dict[str, frozenset[str]] = {
    VIEW: frozenset(ROLES),
    EXPORT_TERRITORY: frozenset(ROLES),
    EXPORT_ESTABLISHMENT: frozenset({"admin", "analyste", "medecin_conseil"}),
    ADMIN: frozenset({"admin"}),
    ACTIONS: frozenset({"admin", "analyste", "medecin_conseil"}),
}

# Reachable without signing in: the sign-in page itself, the health check and static files
# (the Dash bundles and /assets carry no data).
PUBLIC = re.compile(r"^/(login|health|assets/.*|_dash-component-suites/.*|_favicon\.ico|favicon\.ico)$")

# Paths needing more than VIEW; everything else a signed-in user may reach.
_RULES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^/export/ssr\.csv$"), EXPORT_TERRITORY),
    (re.compile(r"^/export/(actions|campagnes)\.csv$"), ACTIONS),
    (re.compile(r"^/actions(/.*)?$"), ACTIONS),
    (re.compile(r"^/export/ambulatoire\.csv$"), EXPORT_TERRITORY),
    (re.compile(r"^/export/"), EXPORT_ESTABLISHMENT),
    (re.compile(r"^/admin(/.*)?$"), ADMIN),
]


def is_public(path: str) -> bool:
    return bool(PUBLIC.match(path))


def permission_for(path: str) -> str:
    """The permission a request path needs (VIEW unless a rule says more)."""
    for pattern, permission in _RULES:
        if pattern.match(path):
            return permission
    return VIEW


def allows(role: str | None, permission: str) -> bool:
    return role is not None and role in PERMISSIONS[permission]
