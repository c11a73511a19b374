"""Server time of one user action: the recorded bodies of bench/requests/<action>.json posted through
the WSGI test client of a signed-in analyst, cold (the cache emptied before each action) and warm.

    python -m bench.actions [--url sqlite:///…] [--reps 30] [ssr_filter msap_parameter …]

Without --url, the national SQLite demo database of bench/.data (bench.databases). An action's time
is the sum of its requests (its waves one after the other, as the browser sends them); the count of
requests to /_dash-update-component is printed beside it."""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

ACTIONS = ("ssr_filter", "ssr_filter_change", "ssr_drill_region", "ssr_drill_departement", "msap_parameter",
           "caqes_volet")


def _bodies(name: str) -> list[dict]:
    recorded = json.loads((HERE / "requests" / f"{name}.json").read_text(encoding="utf-8"))
    return recorded if isinstance(recorded, list) else recorded["bodies"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("actions", nargs="*", default=list(ACTIONS))
    args = parser.parse_args(argv)
    from bench.ssr_profile import _signed_in
    from config import Settings
    from data_access.cache import cache
    from factory import create_app

    if args.url:
        url = args.url
    else:
        from bench.databases import sqlite_db

        url = sqlite_db("national")[0]
    app = create_app(Settings(database_url=url, atlas_env="test"))
    client = _signed_in(app.server.test_client(), url)
    for page in ("/ssr", "/msap", "/caqes"):
        client.get(page)
    print(f"{url}\n{'action':28} {'requests':>8} {'cold p50':>9} {'cold p95':>9} {'warm p50':>9} {'warm p95':>9}")
    for name in args.actions:
        bodies = _bodies(name)

        def once(cold: bool) -> float:
            if cold:
                cache.clear()
            t0 = time.perf_counter()
            for body in bodies:
                resp = client.post("/_dash-update-component", json=body)
                assert resp.status_code in (200, 204), (name, resp.status_code, resp.get_data(as_text=True)[:300])
            return time.perf_counter() - t0

        row = []
        for cold in (True, False):
            once(cold)
            samples = [once(cold) for _ in range(args.reps)]
            row += [statistics.median(samples) * 1000, statistics.quantiles(samples, n=20, method="inclusive")[18] * 1000]
        print(f"{name:28} {len(bodies):8d} " + " ".join(f"{v:9.1f}" for v in row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
