"""Territory names shared by every view: held by each process for the current data version (every
answer of every page asks for them; ~3 ms to read from the shared cache or the database), like the
maps' geometry."""
from __future__ import annotations

from dataclasses import dataclass

from data_access import territories
from data_access.cache import cached, held


@dataclass(frozen=True)
class GeoNames:
    """Region and département names by code, and each département's region."""

    regions: dict[str, str]
    departements: dict[str, str]
    region_of: dict[str, str]


def geo_names() -> GeoNames:
    """The names of the data version this request reads (an import gives a new version: read again)."""
    from flask import has_request_context

    return held(_geo_names) if has_request_context() else cached(_geo_names)


def _geo_names(_url: str) -> GeoNames:
    regs = cached(territories.regions)
    deps = cached(territories.departements)
    return GeoNames(regions=dict(zip(regs["code"], regs["name"])),
                    departements=dict(zip(deps["code"], deps["name"])),
                    region_of=dict(zip(deps["code"], deps["region_code"])))
