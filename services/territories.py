"""Territory names shared by every view (cached on the data version)."""
from __future__ import annotations

from dataclasses import dataclass

from data_access import territories
from data_access.cache import cached


@dataclass(frozen=True)
class GeoNames:
    """Region and département names by code, and each département's region."""

    regions: dict[str, str]
    departements: dict[str, str]
    region_of: dict[str, str]


def geo_names() -> GeoNames:
    """The names, read once per request (every part of a page's answer asks for them)."""
    from flask import g, has_request_context

    if not has_request_context():
        return cached(_geo_names)
    if "atlas_geo_names" not in g:
        g.atlas_geo_names = cached(_geo_names)
    return g.atlas_geo_names


def _geo_names(_url: str) -> GeoNames:
    regs = cached(territories.regions)
    deps = cached(territories.departements)
    return GeoNames(regions=dict(zip(regs["code"], regs["name"])),
                    departements=dict(zip(deps["code"], deps["name"])),
                    region_of=dict(zip(deps["code"], deps["region_code"])))
