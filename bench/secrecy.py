"""Issue 13's figures: the presentation mode's masks over a year's whole reach (services.secrecy).

For each scale (BENCH_SECRECY_SCALES, default national,stress) on the demo SQLite database of
bench.databases: the time to compute the masks of the SSR reach and of the ambulatory reach (55 marker
procedures) of the last year, once (they are computed once per data version and year, then cached), the
masked cells by level and reason, and the share of the published cells whose rate is shown, with the
primary masks alone (what any method must mask: the "before" floor) and after secondary suppression.

`python -m bench.secrecy` prints the table and writes bench/secrecy-results.json; `make bench` runs it too.
No figure is asserted.
"""
from __future__ import annotations

import json
import os
import time

import numpy as np

from bench.common import HERE, log

SCALES = [s for s in os.environ.get("BENCH_SECRECY_SCALES", "national,stress").split(",") if s]
LEVELS = {"fr": "France", "reg": "Régions", "dep": "Départements", "etab": "Établissements"}


def _shares(masks) -> dict[str, dict]:
    from analytics import secrecy

    keys = list(masks.index)
    cells = np.array(list(masks.index.values()), dtype=int)
    levels = np.array([k[0] for k in keys])
    has = (masks.a + masks.b)[cells] > 0
    reason = masks.reason[cells]
    published = has & (reason != secrecy.UNPUBLISHED)
    out = {}
    for level in LEVELS:
        sel = cells[(levels == level) & published]
        r = masks.reason[sel]
        out[level] = {"cells": len(sel), "primary": int((r == secrecy.PRIMARY).sum()),
                      "complement": int((r == secrecy.COMPLEMENT).sum()), "secondary": int((r == secrecy.SECONDARY).sum()),
                      "shown_before": float(np.mean((r != secrecy.PRIMARY) & (r != secrecy.COMPLEMENT))) if len(sel) else 1.0,
                      "shown_after": float(np.mean(~masks.masked[sel])) if len(sel) else 1.0}
    return out


def measure(scale: str) -> dict:
    from bench.databases import sqlite_db
    from data_access import ambulatory as ambu_data
    from data_access import ssr as ssr_data
    from services import secrecy as service

    url, _info = sqlite_db(scale)
    year = max(ssr_data.years(url))
    out: dict = {"scale": scale, "year": year}
    started = time.perf_counter()
    ssr = service._ssr_masks(url, year, True)
    out["ssr_seconds"] = round(time.perf_counter() - started, 1)
    out["ssr"] = _shares(ssr)
    out["ssr_unprotected"] = len(ssr.unprotected)
    ambu_year = max(ambu_data.years(url))
    started = time.perf_counter()
    ambu = service._ambulatory_masks(url, ambu_year, service.ALL, True)
    out["ambulatory_seconds"] = round(time.perf_counter() - started, 1)
    out["ambulatory"] = _shares(ambu)
    out["ambulatory_unprotected"] = len(ambu.unprotected)
    return out


def report(results: list[dict]) -> str:
    lines = ["Secret statistique over the whole reach (issue 13): masks computed once per data version and year",
             ""]
    for r in results:
        for kind in ("ssr", "ambulatory"):
            lines.append(f"{r['scale']} {r['year']} — {kind}: computed in {r[kind + '_seconds']} s; "
                         f"sensitive cells without a cube found: {r[kind + '_unprotected']}")
            lines.append(f"  {'level':<15}{'published':>10}{'primary':>9}{'complem.':>9}{'second.':>9}"
                         f"{'shown (primary only)':>22}{'shown (after)':>15}")
            for level, name in LEVELS.items():
                s = r[kind][level]
                lines.append(f"  {name:<15}{s['cells']:>10}{s['primary']:>9}{s['complement']:>9}{s['secondary']:>9}"
                             f"{s['shown_before']:>21.1%}{s['shown_after']:>15.1%}")
            lines.append("")
    return "\n".join(lines)


def main() -> list[dict]:
    results = []
    for scale in SCALES:
        log(f"secrecy: {scale}")
        results.append(measure(scale))
    print(report(results))
    (HERE / "secrecy-results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
