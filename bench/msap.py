"""MSAP targeting at national scale (SQLite, demo seed 42): what the default rule flags, and how long
the list takes to recompute after a parameter change.

Usage: .venv/bin/python bench/msap.py  (BENCH_REPS=30 by default)

1. For the latest year of each campaign, the number of establishments the DEFAULT rule flags
   (ecart, 10 points above — SSR — or below — AMBU — both the regional and national rates, at
   least 30 stays, all ages, France) for each gesture or group and for all of them summed.
2. The server time of one parameter change, as the browser makes it: the POST of the control
   change to /_dash-update-component (sync_rule: the new rule) then the POST of the new rule
   (render_results: count, rule, grid rows, funnel plot, sensitivity, map patch), through the
   WSGI app, alternating ecart_pts 10 / 12 (and methode ecart / funnel). Cold: the cache is emptied
   before each change (the per-establishment counts are queried again); warm: cached counts.
Prints the figures and writes bench/msap_results.json.
"""
from __future__ import annotations

import json
import os
import platform
import sys
import time
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.__main__ import _db, _percentiles  # noqa: E402

REPS = int(os.environ.get("BENCH_REPS", "30"))


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


def _body(app, key_part: str, values: dict, changed: str) -> dict:
    """A /_dash-update-component body for the callback whose output key contains `key_part`."""
    key = next(k for k in app.callback_map if key_part in k)
    spec = app.callback_map[key]

    def ref(d):
        return {"id": d["id"], "property": d["property"]}

    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in key.strip(".").split("...")]
    return {"output": key, "outputs": outputs,
            "inputs": [{**ref(i), "value": values.get(f"{i['id']}.{i['property']}")} for i in spec["inputs"]],
            "state": [{**ref(s), "value": values.get(f"{s['id']}.{s['property']}")} for s in spec["state"]],
            "changedPropIds": [changed]}


def change_bodies(app, rule, new_rule, control: str) -> list[dict]:
    """The two requests of a control change: sync_rule (control -> rule), then render_results."""
    from callbacks.msap import CONTROLS, _values

    values = {f"{c}.value": v for c, v in zip(CONTROLS, _values(new_rule))}
    values["msap-query.data"] = {}
    values["msap-rule.data"] = asdict(rule)
    sync = _body(app, "msap-rule.data", values, f"{control}.value")
    render = _body(app, "msap-count.children", {"msap-rule.data": asdict(new_rule), "msap-map-key.data": "FR"},
                   "msap-rule.data")
    return [sync, render]


def time_change(client, cache, pairs: list[list[dict]], cold: bool) -> dict:
    def once(bodies) -> float:
        if cold:
            cache.clear()
        t0 = time.perf_counter()
        for body in bodies:
            resp = client.post("/_dash-update-component", json=body)
            assert resp.status_code in (200, 204), (resp.status_code, resp.get_data()[:500])
        return time.perf_counter() - t0

    for bodies in pairs:
        once(bodies)
    return _percentiles([once(pairs[i % len(pairs)]) for i in range(REPS)])


def main() -> int:
    from analytics import msap as model
    from config import Settings
    from data_access.cache import cache
    from factory import create_app

    url = _db("national")
    app = create_app(Settings(database_url=url))
    client = app.server.test_client()
    client.get("/msap")
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

    with app.server.app_context():
        from callbacks.msap import rule_from_query

        base, _ = rule_from_query({})
    scenarios = {
        "ecart_pts 10 -> 12 (PTG)": ("msap-ecart-pts", base, model.MsapRule(**{**asdict(base), "ecart_pts": 12.0})),
        "methode ecart -> funnel (PTG)": ("msap-methode", base,
                                          model.MsapRule(**{**asdict(base), "methode": "funnel"})),
        "ecart_pts 10 -> 12 (4 gestes)": ("msap-ecart-pts", model.MsapRule(**{**asdict(base), "geste": "TOUS"}),
                                          model.MsapRule(**{**asdict(base), "geste": "TOUS", "ecart_pts": 12.0})),
    }
    results["recompute"] = {}
    print(f"\n{'changement de paramètre':42} {'p50 ms':>8} {'p95 ms':>8} {'n':>4}")
    for name, (control, before, after) in scenarios.items():
        pairs = [change_bodies(app, before, after, control), change_bodies(app, after, before, control)]
        for cold in (True, False):
            label = f"{name} ({'cold' if cold else 'warm'} cache)"
            fig = time_change(client, cache, pairs, cold)
            results["recompute"][label] = fig
            print(f"{label:42} {fig['p50_ms']:8.1f} {fig['p95_ms']:8.1f} {fig['n']:4d}")
    (HERE / "msap_results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
