"""`make bench` (python -m bench): performance figures of Atlas GDR, printed and written to bench/results.json.

For each scale of BENCH_SCALES (default region,national,stress) on SQLite, and on PostgreSQL for
BENCH_PG_SCALES (default region,national) when a server answers at BENCH_PG_URL:

1. the demo database (bench.databases: cached in bench/.data, keyed by scale, engine and a hash of
   the demo generator; `init-db` applied before use), and a user `bench` (role analyste);
2. the production server (bench.server: gunicorn -c gunicorn.conf.py, 2 workers, random SECRET_KEY,
   REDIS_URL on a dedicated Redis database), signed in through /login;
3. the main interactions recorded from Chromium against that server (bench.record: the
   /_dash-update-component POST bodies, so they match the current callbacks and the scale's data),
   then replayed: server time cold (FLUSHDB before each repetition) and warm (bench.server);
4. on SQLite: what the user sees in Chromium (bench.browser): control change to updated map/list,
   and at national scale the first load of each page with the bytes transferred (the same
   JavaScript at every scale; 5 pages × 30 fresh browser contexts per scale would not fit the budget);
5. peak resident memory (VmHWM) of each gunicorn worker after all that.

Then the import throughput of the national ssr_recourse file on each engine (bench.imports).
Prints the tables (bench.report) and writes bench/results.json. Never fails on a figure: targets are
reported, not asserted.

Repetitions: BENCH_REPS (30) after BENCH_WARMUP (2); a figure slower than BENCH_FIGURE_BUDGET_S (20)
seconds in all stops after at least BENCH_MIN_REPS (5) and its count is shown (bench.common.repeat).

Environment: BENCH_SCALES, BENCH_PG_SCALES, BENCH_REPS, BENCH_WARMUP, BENCH_FIGURE_BUDGET_S,
BENCH_MIN_REPS, BENCH_REDIS_URL (redis://127.0.0.1:6379/12), BENCH_PG_URL, BENCH_IMPORT_REPS (30),
BENCH_IMPORT_BUDGET_S (40), BENCH_BROWSER (1; 0 skips the browser figures), BENCH_IMPORTS (1; 0 skips
the import figures), BENCH_CALLBACKS (0; 1 times each callback of an interaction alone as well),
BENCH_PEERS (1; 0 skips the peers), BENCH_PEER_REPS (BENCH_REPS), BENCH_SUPERSET_INSTALL (1; 0 uses
Superset only if bench/.peers/superset is already installed), BENCH_QUICK (0; 1: national only,
5 repetitions, no import figures — a few minutes, to try the bench itself).

6. at national scale, the peers (bench.peers.measure): the naive Dash peer on each engine and Apache
   Superset on PostgreSQL, alternated request by request with Atlas's /ssr age change.
"""
from __future__ import annotations

import json
import os
import sys
import time

from bench.common import (
    DATA,
    FIGURE_BUDGET_S,
    HERE,
    MIN_REPS,
    PG_SCALES,
    QUICK,
    REDIS_URL,
    REPS,
    SCALES,
    WARMUP,
    log,
    machine,
    percentiles,
)

# Kept for scripts written against the former bench/__main__.py: the national database, the percentiles.
_percentiles = percentiles

BROWSER = os.environ.get("BENCH_BROWSER", "1") != "0"
CALLBACKS = os.environ.get("BENCH_CALLBACKS", "0") == "1"
FIRST_LOAD_SCALES = ("national",)
IMPORTS = os.environ.get("BENCH_IMPORTS", "0" if QUICK else "1") != "0"
PEERS = os.environ.get("BENCH_PEERS", "1") != "0"
PEER_SCALE = "national"
WORKERS = 2
PAGES = {"ssr": "/ssr", "msap": "/msap", "caqes": "/caqes", "etablissements": "/etablissements"}


def _db(scale: str) -> str:
    from bench.databases import sqlite_db

    return sqlite_db(scale)[0]


def run_config(pw, scale: str, engine: str) -> dict:
    """Every figure of one database (scale × engine) against its own server."""
    from bench import browser as br
    from bench.databases import drop_pg, pg_db, sqlite_db
    from bench.record import browser_cookies, launch, profile_target, record_all, save
    from bench.server import Cache, Replayer, Server, create_user, sign_in, time_interactions

    t0 = time.perf_counter()
    log(f"=== {engine} {scale} ===")
    url, db_info = sqlite_db(scale) if engine == "sqlite" else pg_db(scale)
    out: dict = {"database": db_info, "user": create_user(url)}
    cache = Cache()
    cache.check_ours()
    cache.flush()
    server = Server(url, DATA / f"server-{scale}-{engine}.log", workers=WORKERS)
    try:
        session = sign_in(server.base)
        out["signed_in"] = session.signed_in
        cookies = browser_cookies(session, server.base)
        target = profile_target(url)
        out["profile"] = target
        browser = launch(pw)
        try:
            recorded, headers = record_all(browser, server.base, cookies, target)
            if scale == "national" and engine == "sqlite":
                save(recorded)
            out["requests"] = {name: len(rec.get("bodies", [])) or 1 for name, rec in recorded.items()}
            replayer = Replayer(server.base, session.cookies, headers)
            # BENCH_CALLBACKS=1: each callback of an interaction alone too (the detail for whoever optimises)
            out["server"] = time_interactions(replayer, cache, recorded, per_callback=CALLBACKS)
            if PEERS and scale == PEER_SCALE:
                out["peers"] = run_peers(url, engine, replayer, cache, recorded)
            replayer.close()
            if BROWSER and engine == "sqlite":
                out["browser"] = {"controls": br.control_changes(browser, server.base, cookies)}
                if scale in FIRST_LOAD_SCALES:
                    pages = {**PAGES, "profil": f"/etablissement/{target['finess']}"}
                    out["browser"]["loads"] = br.first_loads(browser, server.base, cookies, pages)
        finally:
            browser.close()
        out["memory"] = server.memory()
        log(f"  worker memory: {out['memory']}")
    finally:
        server.stop()
        cache.flush()  # leave nothing of ours in Redis
        if engine == "postgresql":
            drop_pg(db_info["database"])
    out["duration_s"] = round(time.perf_counter() - t0)
    return out


def run_peers(url: str, engine: str, replayer, cache, recorded: dict) -> dict:
    """The naive Dash peer on every engine; Apache Superset on PostgreSQL (it reads PostgreSQL)."""
    from bench.peers import measure

    peers = {}
    for name, run in (("naive", measure.naive), ("superset", measure.superset)):
        if name == "superset" and engine != "postgresql":
            continue
        try:
            peers[name] = run(url, replayer, cache, recorded, DATA)
        except Exception as exc:  # a peer that cannot run costs its ratio, never the other figures
            log(f"  peer {name} not measured: {type(exc).__name__}: {str(exc)[:500]}")
            peers[name] = {"error": f"{type(exc).__name__}: {str(exc)[:2000]}"}
    return peers


def main() -> int:
    from playwright.sync_api import sync_playwright

    from bench import imports, report
    from bench.databases import pg_available, sqlite_db

    started = time.perf_counter()
    pg = pg_available()
    results = {
        "machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "settings": {"reps": REPS, "warmup": WARMUP, "figure_budget_s": FIGURE_BUDGET_S, "min_reps": MIN_REPS, "import_reps": f"≤ {imports.REPS}, ≥ {imports.MIN_REPS}, "
                                                                     f"{imports.BUDGET_S:.0f} s per mode",
                     "scales": SCALES, "pg_scales": PG_SCALES if pg else [], "workers": WORKERS,
                     "redis_url": REDIS_URL, "browser": BROWSER, "quick": QUICK, "peers": PEERS},
        "configs": {},
    }
    if not pg:
        log("PostgreSQL does not answer: SQLite figures only")
    with sync_playwright() as pw:
        for scale in SCALES:
            for engine in ("sqlite", "postgresql"):
                if engine == "postgresql" and not (pg and scale in PG_SCALES):
                    continue
                key = f"{scale}|{engine}"
                try:
                    results["configs"][key] = run_config(pw, scale, engine)
                except Exception as exc:  # one broken configuration must not cost the others' figures
                    log(f"  FAILED: {type(exc).__name__}: {exc}")
                    results["configs"][key] = {"error": f"{type(exc).__name__}: {str(exc)[:2000]}"}
    if IMPORTS:
        log("=== import ssr_recourse ===")
        try:
            results["imports"] = imports.measure(sqlite_db("national")[0],
                                                 ["sqlite", *(["postgresql"] if pg else [])])
        except Exception as exc:
            log(f"  FAILED: {type(exc).__name__}: {exc}")
            results["imports_error"] = f"{type(exc).__name__}: {str(exc)[:2000]}"
    log("=== secret statistique masks (issue 13) ===")
    try:
        from bench import secrecy

        results["secrecy"] = secrecy.main()
    except Exception as exc:
        log(f"  FAILED: {type(exc).__name__}: {exc}")
        results["secrecy_error"] = f"{type(exc).__name__}: {str(exc)[:2000]}"
    results["load_average_end"] = os.getloadavg()
    results["duration_s"] = round(time.perf_counter() - started)
    (HERE / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(report.render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
