"""MSAP targeting at national scale (SQLite, demo seed 42): what the default rule flags.

Usage: .venv/bin/python -m bench.msap

For the latest year of each campaign, the number of establishments the DEFAULT rule flags
(ecart, 10 points above — SSR — or below — AMBU — both the regional and national rates, at
least 30 stays, all ages, France) for each gesture or group and for all of them summed.
Prints the figures and writes bench/msap_results.json.

The server time of a parameter change (the two POSTs a browser makes, cold and warm cache) is
measured by `make bench` (python -m bench: "msap_parameter"), against the production server with
a signed-in session, like every other interaction.
"""
from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.databases import sqlite_db  # noqa: E402


def flags_per_gesture(url: str) -> dict:
    from analytics import msap as model
    from data_access import msap as data

    out = {}
    for campaign in model.CAMPAIGNS:
        year = max(data.years(url, campaign))
        rule = model.MsapRule(campagne=campaign, annee=year)
        codes = [c for c, _ in data.gestures(url, campaign)]
        ages = ("<60", "60-74", "75+") if campaign == "SSR" else ()
        figures = {}
        for gesture in [*codes, model.ALL]:
            counts = data.establishment_counts(url, campaign, year, tuple(codes if gesture == model.ALL else [gesture]),
                                               ages)
            s = model.summary(model.evaluate(counts, rule))
            figures[gesture] = {"flagged": s["flagged"], "examined": s["examined"]}
        out[f"{campaign} {year}"] = figures
    return out


def main() -> int:
    url = sqlite_db("national")[0]
    results = {"machine": {"python": platform.python_version(), "platform": platform.platform(),
                           "cpus": os.cpu_count()},
               "date": time.strftime("%Y-%m-%d %H:%M:%S"), "scale": "national", "database": "sqlite"}

    t0 = time.perf_counter()
    results["default_rule_flags"] = flags_per_gesture(url)
    print(f"Règle par défaut (écart ≥ 10 pts aux taux régional et national, ≥ 30 séjours, tous âges), "
          f"dernière année — calculé en {time.perf_counter() - t0:.1f} s")
    print(f"{'campagne / geste':32} {'ciblés':>7} {'examinés':>9}")
    for campaign, figures in results["default_rule_flags"].items():
        for gesture, f in figures.items():
            print(f"{campaign + ' ' + gesture:32} {f['flagged']:7d} {f['examined']:9d}")

    (HERE / "msap_results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
