"""Issue 8 micro-benchmark: the SSR map filter change and the ssr_recourse import.

    python -m bench.ssr_profile view   [--scale national|stress] [--reps 30] [--rebuild]
    python -m bench.ssr_profile import [--engine sqlite|postgresql] [--rows 120000 200000]

`view` builds bench/.data/<scale>.sqlite when missing (init-db + seed-demo, seed 42; --rebuild after a
schema change), then posts bench/requests/ssr_filter_change.json through the WSGI test client, cold
(cache emptied before each request) and warm, for the whole interaction and for each callback alone,
and times the SSR queries directly.

`import` generates the stress demo's establishments and ssr_recourse rows, imports the establishments
into a fresh database, then times `import_frame` of the first N ssr_recourse rows: new rows, then the
same rows again (re-import, values unchanged) and with every count changed (re-import that rewrites).
PostgreSQL: a throw-away database on ATLAS_BENCH_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def _percentiles(samples: list[float]) -> tuple[float, float]:
    qs = statistics.quantiles(samples, n=20, method="inclusive")
    return statistics.median(samples) * 1000, qs[18] * 1000


def _times(fn, reps: int) -> tuple[float, float, float]:
    """Wall p50 and p95, and the process's CPU time p50 (all threads: with SQLite, the whole server
    side; it does not count time lost to other processes on a busy machine), in ms."""
    fn()
    walls, cpus = [], []
    for _ in range(reps):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return (*_percentiles(walls), statistics.median(cpus) * 1000)


def _db(scale: str, rebuild: bool) -> str:
    path = HERE / ".data" / f"{scale}.sqlite"
    if rebuild:
        for p in path.parent.glob(f"{scale}.sqlite*"):
            p.unlink()
    if not path.exists():
        from data_access import demo
        from data_access.bootstrap import init_db

        path.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        init_db(f"sqlite:///{path}")
        demo.seed_demo(f"sqlite:///{path}", scale=scale, seed=42, progress=lambda *_: None)
        print(f"built {path} in {time.perf_counter() - t0:.1f} s")
    return f"sqlite:///{path}"


def view(args) -> None:
    from config import Settings
    from data_access import ssr
    from data_access.cache import cache
    from factory import create_app

    url = args.url or _db(args.scale, args.rebuild)
    app = create_app(Settings(database_url=url, atlas_env="test"))
    client = _signed_in(app.server.test_client(), url)
    client.get("/ssr")
    bodies = json.loads((HERE / "requests" / "ssr_filter_change.json").read_text(encoding="utf-8"))

    def run(reqs, cold: bool) -> None:
        if cold:
            cache.clear()
        for body in reqs:
            resp = client.post("/_dash-update-component", json=body)
            assert resp.status_code in (200, 204), resp.status_code

    print(f"{url}\n{'':40} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8}")
    for cold in (True, False):
        cases = [(f"interaction ({len(bodies)} requests)", bodies)] + [
            ("  " + b["output"].strip(".").split(".")[0], [b]) for b in bodies]
        for name, reqs in cases:
            p50, p95, cpu = _times(lambda: run(reqs, cold), args.reps)
            print(f"{name + (' cold' if cold else ' warm'):40} {p50:8.1f} {p95:8.1f} {cpu:8.1f}")
    view_ = bodies[0]["state"][0]["value"]  # the view shown (ssr-view.data) when the filter changes
    g, a, s = ["PTH"], ["<60", "60-74", "75+"], ["public", "espic", "prive"]
    for name, fn in (("ssr.establishment_counts", lambda: ssr.establishment_counts(url, view_["annee"], g, a, s)),
                     ("ssr.counts_by_year", lambda: ssr.counts_by_year(url, g, a, s)),
                     ("ssr.years", lambda: ssr.years(url))):
        p50, p95, cpu = _times(fn, args.reps)
        print(f"{'query ' + name:40} {p50:8.1f} {p95:8.1f} {cpu:8.1f}")


def _signed_in(client, url: str):
    """A session of an `analyste` (real counts, every view) set in the cookie, as tests/conftest.py does."""
    try:
        from data_access import users
        from security import accounts, auth
    except ImportError:  # no sign-in in this tree
        return client
    import secrets

    user = users.by_login(url, "bench-ssr-profile")
    if user is None:
        accounts.create_user(url, "bench-ssr-profile", secrets.token_hex(16), "analyste")
        user = users.by_login(url, "bench-ssr-profile")
    with client.session_transaction() as session:
        auth.start_session(session, url, user, user_agent="bench")
        session["anon_salt"] = "bench"
    return client


def import_throughput(args) -> None:
    from sqlalchemy import create_engine, text

    from data_access import demo
    from data_access.bootstrap import init_db
    from data_access.db import dispose_all
    from data_access.imports import import_frame

    pg_admin = os.environ.get("ATLAS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    for rows in args.rows:
        if args.engine == "postgresql":
            name = f"atlas_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            url = pg_admin.rsplit("/", 1)[0] + "/" + name
        else:
            path = HERE / ".data" / f"import-{uuid.uuid4().hex[:8]}.sqlite"
            path.parent.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{path}"
        try:
            init_db(url)
            frames = demo.generate(url, "stress", 42)
            import_frame(url, "establishments", frames["establishments"], file_name="est")
            recourse = frames["ssr_recourse"].iloc[:rows].reset_index(drop=True)
            changed = recourse.assign(stays=recourse["stays"] + 1)
            for label, df in (("new", recourse), ("re-import, same values", recourse),
                              ("re-import, counts changed", changed)):
                t0 = time.perf_counter()
                report = import_frame(url, "ssr_recourse", df, file_name="bench")
                dt = time.perf_counter() - t0
                print(f"{args.engine:10} {len(df):>8,} rows {label:27} {dt:6.2f} s {len(df) / dt:>10,.0f} rows/s "
                      f"(inserted {report.inserted:,}, updated {report.updated:,})")
        finally:
            dispose_all()
            if args.engine == "postgresql":
                with admin.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
            else:
                for p in path.parent.glob(path.name + "*"):
                    p.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ssr_profile")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("view")
    v.add_argument("--scale", default="national", choices=["national", "stress"])
    v.add_argument("--url", default=None, help="an existing database instead of bench/.data/<scale>.sqlite")
    v.add_argument("--reps", type=int, default=30)
    v.add_argument("--rebuild", action="store_true")
    i = sub.add_parser("import")
    i.add_argument("--engine", default="postgresql", choices=["sqlite", "postgresql"])
    i.add_argument("--rows", type=int, nargs="+", default=[120_000, 200_000])
    args = parser.parse_args()
    view(args) if args.command == "view" else import_throughput(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
