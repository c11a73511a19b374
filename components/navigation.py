"""Which pages the signed-in user is shown (navigation bar, home cards)."""
from __future__ import annotations

import dash

from security import roles
from security.presentation import current_mode, current_role


def visible_pages(role: str | None = None) -> list[dict]:
    """Registered pages with a place in the navigation (`nav_order`), in order, that `role` (default:
    the current user's) may open according to the page's `permission` (default: view)."""
    role = role or current_role()
    masked = current_mode().masked
    # a page marked hide_in_presentation (the action follow-up: confidential notes) leaves the
    # navigation in presentation mode
    pages = [p for p in dash.page_registry.values() if p.get("nav_order") is not None
             and roles.allows(role, p.get("permission", roles.VIEW))
             and not (masked and p.get("hide_in_presentation"))]
    return sorted(pages, key=lambda p: p["nav_order"])


def can(permission: str) -> bool:
    """Whether the current user's role has `permission` (security.roles): the UI hides what the
    server would refuse anyway."""
    return roles.allows(current_role(), permission)
