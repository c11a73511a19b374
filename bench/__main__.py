"""`make bench`: server time of the main interactions at national scale (SQLite).

Builds bench/.data/national.sqlite once (init-db + seed-demo national, seed 42), then posts recorded
Dash requests (bench/requests/*.json, captured from a real Chromium session) to
/_dash-update-component through the WSGI app, cold (cache emptied before each request) and warm.
Prints a table and writes bench/results.json.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPS = int(os.environ.get("BENCH_REPS", "30"))


def _db(scale: str) -> str:
    path = HERE / ".data" / f"{scale}.sqlite"
    url = f"sqlite:///{path}"
    if not path.exists():
        from data_access import demo
        from data_access.bootstrap import init_db

        path.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        init_db(url)
        demo.seed_demo(url, scale=scale, seed=42, progress=lambda *_: None)
        print(f"built {scale} database in {time.perf_counter() - t0:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
    return url


def _percentiles(samples: list[float]) -> dict:
    qs = statistics.quantiles(samples, n=20, method="inclusive")
    return {"p50_ms": round(statistics.median(samples) * 1000, 2), "p95_ms": round(qs[18] * 1000, 2),
            "n": len(samples)}


def time_requests(client, cache, bodies: list[dict], cold: bool) -> dict:
    """Time the whole interaction (every callback request it made), REPS times after one warm-up."""
    def once() -> float:
        if cold:
            cache.clear()
        t0 = time.perf_counter()
        for body in bodies:
            resp = client.post("/_dash-update-component", json=body)
            assert resp.status_code in (200, 204), resp.status_code
        return time.perf_counter() - t0

    once()
    return _percentiles([once() for _ in range(REPS)])


def main() -> int:
    from config import Settings
    from data_access.cache import cache
    from factory import create_app

    url = _db("national")
    app = create_app(Settings(database_url=url))
    client = app.server.test_client()
    results = {"machine": {"python": platform.python_version(), "platform": platform.platform(),
                           "cpus": os.cpu_count()},
               "date": time.strftime("%Y-%m-%d %H:%M:%S"), "scale": "national", "database": "sqlite",
               "figures": {}}
    client.get("/ssr")
    for path in sorted((HERE / "requests").glob("*.json")):
        bodies = json.loads(path.read_text(encoding="utf-8"))
        for cold in (True, False):
            name = f"{path.stem} ({'cold' if cold else 'warm'} cache)"
            results["figures"][name] = time_requests(client, cache, bodies, cold)
            # each callback alone: the browser sends the ones after the first in parallel
            for body in bodies:
                output = body["output"].strip(".").split(".")[0]
                results["figures"][f"  {output} ({'cold' if cold else 'warm'})"] = time_requests(
                    client, cache, [body], cold)
    print(f"{'interaction':45} {'p50 ms':>8} {'p95 ms':>8} {'n':>4}")
    for name, fig in results["figures"].items():
        print(f"{name:45} {fig['p50_ms']:8.1f} {fig['p95_ms']:8.1f} {fig['n']:4d}")
    (HERE / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    sys.exit(main())
