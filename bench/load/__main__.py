"""`make load` / `python -m bench.load`: load test of the production server on loopback.

1. A PostgreSQL database with the national demo (seed 42), created for the run and dropped after it
   (or --database-url; SQLite in a temporary folder when no PostgreSQL server answers).
2. User accounts (`manage.py create-user`, password on standard input) once the app has sign-in.
3. gunicorn with gunicorn.conf.py, 2 workers, a dedicated Redis database for the cache (flushed before
   and after), a random SECRET_KEY and a sign-in rate limit raised for 50 users from one address.
4. The recorded requests (bench/load/requests) are replayed once; when the app no longer accepts them
   (or with --record), the journeys are recorded again in Chromium.
5. Reference responses: every request replayed on the demo data (A), after importing the national
   ssr_recourse file with every count doubled (B), and after importing A back, from another session:
   a request whose A responses agree is checked during the load (its response must be A's or B's).
6. Phase "steady": locust, 50 users, 60 s. Phase "import": the same while ssr_recourse files B then A
   are imported with `manage.py import`; it lasts at least 60 s and until both imports have committed.
7. Phase "burst" (issue 14): 20 signed-in clients without think time for 30 s, each looping over pages,
   layout, page renders and the five exports (bench/load/burst.py): no error is allowed, and the audit
   trail must hold one export event per export served.

Prints the report and writes bench/load/last-report.txt and bench/load/last-report.json.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import csv
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from bench.load import journeys as support  # noqa: E402
from bench.load.serving import ROOT, Server, create_user, has_sign_in, sign_in  # noqa: E402

PG_ADMIN_URL = os.environ.get("ATLAS_LOAD_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SSR_COLUMNS = ["finess", "year", "gesture", "age_band", "stays", "stays_with_ssr"]
ACCOUNTS = 10  # each shared by several simulated users, each with its own session


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def manage(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "manage.py", "--url", url, *args], cwd=ROOT, input=stdin, text=True,
                          capture_output=True)
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({done.returncode}): {done.stderr[-1500:]}")
    return done


# --- database ----------------------------------------------------------------------------------------

def _pg_exec(sql: str) -> None:
    from sqlalchemy import create_engine, text

    eng = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with eng.connect() as c:
            c.execute(text(sql))
    finally:
        eng.dispose()


def provision_database(workdir: Path) -> tuple[str, callable]:
    """A fresh database with the national demo; returns its URL and how to drop it."""
    name = f"atlas_load_{uuid.uuid4().hex[:8]}"
    try:
        _pg_exec(f'CREATE DATABASE "{name}"')
        url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        drop = lambda: _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # noqa: E731
    except Exception as exc:
        log(f"PostgreSQL unavailable ({exc.__class__.__name__}): SQLite in {workdir}")
        url, drop = f"sqlite:///{workdir / 'atlas.sqlite'}", (lambda: None)
    t0 = time.perf_counter()
    try:
        manage(url, "init-db")
        manage(url, "seed-demo", "--scale", "national", "--seed", "42")
    except Exception:
        drop()
        raise
    log(f"database {url.rsplit('/', 1)[-1]}: init-db + national demo in {time.perf_counter() - t0:.0f} s")
    return url, drop


def export_ssr_files(url: str, workdir: Path) -> tuple[Path, Path, int]:
    """The national ssr_recourse rows as an import file (A), and the same with every count doubled (B)."""
    from sqlalchemy import create_engine, text

    eng = create_engine(url)
    with eng.connect() as c:
        rows = c.execute(text(f"SELECT {', '.join(SSR_COLUMNS)} FROM ssr_recourse ORDER BY finess, year, "
                              "gesture, age_band")).all()
    eng.dispose()
    paths = workdir / "ssr_recourse_A.csv", workdir / "ssr_recourse_B.csv"
    for path, factor in zip(paths, (1, 2)):
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(SSR_COLUMNS)
            for finess, year, gesture, age, stays, ssr in rows:
                w.writerow([finess, year, gesture, age, stays * factor, ssr * factor])
    return paths[0], paths[1], len(rows)


def import_file(url: str, path: Path) -> float:
    t0 = time.perf_counter()
    manage(url, "import", "ssr_recourse", str(path), "--user", "load-test")
    return time.perf_counter() - t0


# --- accounts, recordings, references ------------------------------------------------------------------

def create_accounts(url: str) -> tuple[list[str], str]:
    if not has_sign_in():
        log("no sign-in in this version of the app: users browse anonymously")
        return [], ""
    password = secrets.token_urlsafe(16)
    logins = [f"charge-{i:02d}" for i in range(1, ACCOUNTS + 1)]
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda login: create_user(url, login, password), logins))
    log(f"{len(logins)} accounts created with manage.py create-user in {time.perf_counter() - t0:.0f} s")
    return logins, password


def session_for(base: str, logins: list[str], password: str, index: int = 0) -> requests.Session:
    s = requests.Session()
    if logins:
        sign_in(s, base, logins[index % len(logins)], password)
    return s


def replay_all(session: requests.Session, base: str, journeys: dict) -> tuple[dict[str, str], list[str]]:
    """Every recorded request once, in order: digest of each response by request key, and the failures."""
    digests, failures = {}, []
    for name, journey in journeys.items():
        for step in journey["steps"]:
            for req in step["requests"]:
                kwargs = {"json": req["body"]} if req["method"] == "POST" else {}
                resp = session.request(req["method"], base + req["path"], allow_redirects=False, timeout=120,
                                       **kwargs)
                if resp.status_code not in (200, 204):
                    failures.append(f"{name} / {step['name']}: {support.request_name(req)} -> {resp.status_code}")
                    continue
                digests[support.request_key(req["method"], req["path"], req.get("body"))] = support.digest(
                    resp.content)
    return digests, failures


def ensure_recordings(server: Server, url: str, logins: list[str], password: str, force: bool) -> dict:
    journeys = support.load_journeys()
    if journeys and not force:
        _digests, failures = replay_all(session_for(server.base, logins, password), server.base, journeys)
        if not failures:
            return journeys
        log(f"{len(failures)} recorded requests refused by the app (e.g. {failures[0]}): recording again")
    from bench.load import record

    if not Path(record.CHROMIUM).exists():
        raise SystemExit("Chromium (/usr/bin/chromium) is needed to record the journeys again")
    t0 = time.perf_counter()
    if support.REQUESTS_DIR.exists():
        shutil.rmtree(support.REQUESTS_DIR)
    record.record(server.base, logins[0] if logins else None, password, record.other_profiles(url),
                  out=support.REQUESTS_DIR, log=log)
    log(f"journeys recorded in Chromium in {time.perf_counter() - t0:.0f} s")
    return support.load_journeys()


def references(server: Server, url: str, journeys: dict, logins: list[str], password: str,
               file_a: Path, file_b: Path) -> tuple[dict[str, list[str]], dict]:
    """Digests of each request's response on data A and B; only requests whose response depends on
    nothing but the data (same digest on A from two sessions, across imports) are kept."""
    a1, fail1 = replay_all(session_for(server.base, logins, password, 0), server.base, journeys)
    t_b = import_file(url, file_b)
    b, fail2 = replay_all(session_for(server.base, logins, password, 1), server.base, journeys)
    t_a = import_file(url, file_a)
    a2, fail3 = replay_all(session_for(server.base, logins, password, 2), server.base, journeys)
    if fail1 or fail2 or fail3:
        raise SystemExit(f"requests refused while taking references: {(fail1 + fail2 + fail3)[:3]}")
    refs = {k: [a1[k], b[k]] for k in a1 if a2.get(k) == a1[k] and k in b}
    changed = sum(1 for v in refs.values() if v[0] != v[1])
    info = {"requests": len(a1), "checked": len(refs), "changed_by_import": changed,
            "import_seconds": [round(t_b, 1), round(t_a, 1)]}
    log(f"references: {len(refs)} of {len(a1)} distinct requests depend only on the data, "
        f"{changed} of them change with the import")
    return refs, info


# --- locust phases -----------------------------------------------------------------------------------

def run_locust(server: Server, workdir: Path, phase: str, args, logins: list[str], password: str,
               refs_path: Path, hard_limit: int | None = None, stop_when=None) -> dict:
    """locust headless for args.run_time seconds, or, with `stop_when(elapsed)`, until it says so
    (SIGTERM: locust stops its users and writes its statistics) within `hard_limit` seconds."""
    prefix = workdir / phase
    checks_path = workdir / f"{phase}-checks.json"
    env = {**os.environ, "ATLAS_LOAD_ACCOUNTS": ",".join(logins), "ATLAS_LOAD_PASSWORD": password,
           "ATLAS_LOAD_REFS": str(refs_path), "ATLAS_LOAD_CHECKS": str(checks_path),
           "ATLAS_LOAD_REQUESTS": str(support.REQUESTS_DIR), "ATLAS_LOAD_STATIC": args.static,
           "PYTHONPATH": str(ROOT)}
    limit = hard_limit or args.run_time
    cmd = [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(args.users),
           "-r", str(args.spawn_rate), "--run-time", f"{limit}s", "--stop-timeout", "30", "--host", server.base,
           "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    load_before = os.getloadavg()[0]
    cpu_before = server.cpu_seconds()
    t0 = time.monotonic()
    with (workdir / f"{phase}-locust.log").open("w") as log_file:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        while proc.poll() is None:
            if stop_when is not None and stop_when(time.monotonic() - t0):
                proc.send_signal(signal.SIGTERM)
                stop_when = None
            if time.monotonic() - t0 > limit + 120:
                proc.kill()
            time.sleep(1)
    elapsed = time.monotonic() - t0
    load_after = os.getloadavg()[0]
    cpu = server.cpu_seconds() - cpu_before
    if proc.returncode != 0 or not Path(f"{prefix}_stats.csv").exists():
        raise SystemExit(f"locust failed ({proc.returncode}): see {workdir / f'{phase}-locust.log'}")
    return {"stats": read_stats(Path(f"{prefix}_stats.csv")), "failures": read_failures(Path(f"{prefix}_failures.csv")),
            "checks": json.loads(checks_path.read_text(encoding="utf-8")), "seconds": round(elapsed),
            "workers_cpu_s": round(cpu, 1),
            "load_average": [round(load_before, 1), round(load_after, 1)]}


def read_stats(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append({"type": r["Type"], "name": r["Name"], "requests": int(r["Request Count"]),
                         "failures": int(r["Failure Count"]), "rps": round(float(r["Requests/s"]), 2),
                         "p50_ms": _ms(r["50%"]), "p95_ms": _ms(r["95%"]), "p99_ms": _ms(r["99%"]),
                         "max_ms": _ms(r["Max Response Time"])})
    return rows


def read_failures(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return [{"method": r["Method"], "name": r["Name"], "error": r["Error"], "occurrences": int(r["Occurrences"])}
                for r in csv.DictReader(f)]


def _ms(value: str) -> float | None:
    return None if value in ("N/A", "") else round(float(value))


class ImportLoop(threading.Thread):
    """Imports B, A, B, … one after the other (each all-or-nothing), at least `min_imports` of them and
    until `min_seconds` have passed."""

    def __init__(self, url: str, files: tuple[Path, Path], min_imports: int, min_seconds: float):
        super().__init__(daemon=True)
        self.url, self.files = url, files
        self.min_imports, self.min_seconds = min_imports, min_seconds
        self.t0 = time.monotonic()
        self.done: list[dict] = []
        self.errors: list[str] = []

    def run(self) -> None:
        time.sleep(5)  # once the users are browsing
        i = 1
        while len(self.done) < self.min_imports or time.monotonic() - self.t0 < self.min_seconds:
            path = self.files[i % 2]
            started = time.monotonic() - self.t0
            try:
                seconds = import_file(self.url, path)
            except RuntimeError as exc:
                self.errors.append(str(exc)[-800:])
                return
            self.done.append({"file": path.name, "started_s": round(started), "seconds": round(seconds, 1)})
            i += 1


def run_burst(server: Server, url: str, logins: list[str], password: str, args) -> dict:
    """Phase burst: bench/load/burst.py against the server; export events counted before and after."""
    from sqlalchemy import select

    from bench.load import burst
    from data_access import models
    from data_access.db import get_engine

    with get_engine(url).connect() as conn:
        finess = conn.scalar(select(models.SsrRecourse.finess).order_by(models.SsrRecourse.finess).limit(1))
    sessions = [session_for(server.base, logins, password, i) for i in range(args.burst_clients)]
    mix = burst.request_mix(sessions[0].get(server.base + "/_dash-dependencies", timeout=60).json(), finess)
    before = burst.exports_audited(url)
    pids, cpu_before, load_before = server.worker_pids(), server.cpu_seconds(), os.getloadavg()[0]
    t0 = time.monotonic()
    outcomes = burst.run(server.base, sessions, mix, seconds=args.burst_seconds)
    result = burst.summary(outcomes, time.monotonic() - t0)
    # a worker recycled during the phase (max_requests) takes its CPU time with it: no figure then
    same_workers = server.worker_pids() == pids
    result["workers_cpu_s"] = round(server.cpu_seconds() - cpu_before, 1) if same_workers else None
    result["load_average"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    result["exports_audited"] = burst.exports_audited(url) - before
    result["clients"] = args.burst_clients
    by_name: dict[str, list[float]] = {}
    for o in outcomes:
        by_name.setdefault(o.name, []).append(o.seconds)
    result["by_request"] = {name: percentiles(samples) for name, samples in sorted(by_name.items())}
    return result


def burst_text(b: dict) -> list[str]:
    lines = [f"Phase 3 — burst: {b['clients']} clients without think time for {b['seconds']} s "
             "(pages, layout, page renders, the five exports)", "",
             f"  {b['requests']} requests, {b['rps']} requests/s, errors {b['errors']}"
             f"{' ' + str(b['errors_by_kind']) if b['errors'] else ''}; "
             f"p50 {b['p50_ms']} ms, p95 {b['p95_ms']} ms, max {b['max_ms']} ms",
             f"  gunicorn workers used {b['workers_cpu_s'] if b['workers_cpu_s'] is not None else 'n/a (a worker was recycled)'}"
             f" CPU-s; machine load average (1 min) before/after {b['load_average'][0]}/{b['load_average'][1]} "
             f"on {os.cpu_count()} cores",
             f"  exports served {b['exports_served']}, export events in the audit trail {b['exports_audited']}", "",
             f"  {'request':48} {'n':>6} {'p50':>6} {'p95':>6}  (ms)"]
    for name, p in b["by_request"].items():
        lines.append(f"  {name:48.48} {p['n']:6d} {p['p50_ms']:6.0f} {p['p95_ms']:6.0f}")
    return lines + [""]


# --- report ------------------------------------------------------------------------------------------

def percentiles(samples: list[float]) -> dict:
    import statistics

    if len(samples) < 2:
        return {"n": len(samples), "p50_ms": round(samples[0] * 1000) if samples else 0,
                "p95_ms": round(samples[0] * 1000) if samples else 0}
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return {"n": len(samples), "p50_ms": round(q[49] * 1000), "p95_ms": round(q[94] * 1000)}


def phase_text(title: str, result: dict) -> list[str]:
    lines = [title, ""]
    agg = next(r for r in result["stats"] if r["name"] == "Aggregated")
    lines.append(f"  {agg['requests']} requests, {agg['rps']} requests/s, failures {agg['failures']}; "
                 f"p50 {agg['p50_ms']} ms, p95 {agg['p95_ms']} ms, p99 {agg['p99_ms']} ms, max {agg['max_ms']} ms")
    checks = result["checks"]
    lines.append(f"  gunicorn workers used {result['workers_cpu_s']} CPU-s in {result['seconds']} s: "
                 f"{1000 * result['workers_cpu_s'] / max(agg['requests'], 1):.0f} ms of CPU per request on average; "
                 f"machine load average (1 min) before/after {result['load_average'][0]}/{result['load_average'][1]} "
                 f"on {os.cpu_count()} cores (locust and any other job included)")
    lines.append(f"  consistency: {checks['checked']} responses checked, {checks['violations']} mixing two versions "
                 f"of the data (all on the demo data {checks['matched_before']}, all on the doubled counts "
                 f"{checks['matched_after']})")
    if checks["sign_in_failures"]:
        lines.append(f"  sign-in failures: {checks['sign_in_failures']}")
    lines += ["", f"  {'request':48} {'n':>6} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6}  (ms)"]
    for r in sorted(result["stats"], key=lambda r: -r["requests"]):
        if r["name"] != "Aggregated":
            lines.append(f"  {r['type'] + ' ' + r['name']:48.48} {r['requests']:6d} {r['failures']:5d} "
                         f"{r['p50_ms'] or 0:6.0f} {r['p95_ms'] or 0:6.0f} {r['p99_ms'] or 0:6.0f} {r['max_ms'] or 0:6.0f}")
    lines += ["", f"  {'step (all its requests, one after the other)':48} {'n':>6} {'p50':>6} {'p95':>6}  (ms)"]
    for name, samples in sorted(result["checks"]["steps"].items()):
        p = percentiles(samples)
        lines.append(f"  {name:48.48} {p['n']:6d} {p.get('p50_ms', 0):6.0f} {p.get('p95_ms', 0):6.0f}")
    for f in result["failures"]:
        lines.append(f"  FAILURE {f['method']} {f['name']}: {f['error']} x{f['occurrences']}")
    for ex in checks["examples"]:
        lines.append(f"  VIOLATION {ex['request']} {ex['path'][:80]}")
    return lines + [""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description="Atlas GDR load test")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--run-time", type=int, default=60, help="seconds per phase")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="use this database (national demo data) instead of a new one")
    parser.add_argument("--redis-url", default=os.environ.get("ATLAS_LOAD_REDIS_URL", "redis://127.0.0.1:6379/9"),
                        help="a Redis database of its own: flushed before and after the run")
    parser.add_argument("--record", action="store_true", help="record the journeys again in Chromium")
    parser.add_argument("--phases", default="steady,import,burst")
    parser.add_argument("--burst-clients", type=int, default=20)
    parser.add_argument("--burst-seconds", type=int, default=30)
    parser.add_argument("--static", choices=["browser", "none"], default="none",
                        help="browser: static files asked for as a returning user's browser does; "
                             "none: a caching proxy serves them (docs/deploy.md)")
    parser.add_argument("--import-budget", type=int, default=480,
                        help="seconds the import phase may last beyond --run-time to see its 2 imports commit")
    parser.add_argument("--spawn-rate", type=float, default=2, help="users started per second")
    args = parser.parse_args(argv)

    import redis

    cache = redis.Redis.from_url(args.redis_url)
    cache.ping()
    workdir = Path(tempfile.mkdtemp(prefix="atlas-load-"))
    t_start = time.perf_counter()
    if args.database_url:
        url, drop = args.database_url, (lambda: None)
    else:
        url, drop = provision_database(workdir)
    report: dict = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "users": args.users, "run_time_s": args.run_time,
                    "workers": args.workers, "database": url.split(":", 1)[0], "static": args.static,
                    "spawn_rate": args.spawn_rate,
                    "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                "platform": platform.platform()}, "phases": {}}
    server = None
    try:
        file_a, file_b, n_rows = export_ssr_files(url, workdir)
        report["import_file_rows"] = n_rows
        logins, password = create_accounts(url)
        cache.flushdb()
        server = Server(url, args.redis_url, args.workers, workdir, LOGIN_RATE_LIMIT="10000/minute").start()
        log(f"gunicorn ready in {server.start_seconds:.0f} s on {server.base} ({args.workers} workers, Redis cache)")
        report["server_start_s"] = round(server.start_seconds, 1)
        journeys = ensure_recordings(server, url, logins, password, args.record)
        refs, report["references"] = references(server, url, journeys, logins, password, file_a, file_b)
        refs_path = workdir / "refs.json"
        refs_path.write_text(json.dumps(refs), encoding="utf-8")
        report["memory_before_mb"] = server.memory()
        if "steady" in args.phases:
            log(f"phase steady: {args.users} users, {args.run_time} s")
            report["phases"]["steady"] = run_locust(server, workdir, "steady", args, logins, password,
                                                    refs_path)
            report["memory_after_steady_mb"] = server.memory()
        if "import" in args.phases:
            log(f"phase import: {args.users} users, at least {args.run_time} s and 2 imports of ssr_recourse")
            loop = ImportLoop(url, (file_a, file_b), min_imports=2, min_seconds=args.run_time - 10)
            loop.start()
            result = run_locust(server, workdir, "import", args, logins, password, refs_path,
                                hard_limit=args.run_time + args.import_budget,
                                stop_when=lambda elapsed: elapsed >= args.run_time and not loop.is_alive())
            loop.join(timeout=600)
            result["imports"] = {"done": loop.done, "errors": loop.errors}
            report["phases"]["import"] = result
            report["memory_after_import_mb"] = server.memory()
        if "burst" in args.phases:
            log(f"phase burst: {args.burst_clients} clients without think time, {args.burst_seconds} s")
            report["phases"]["burst"] = run_burst(server, url, logins, password, args)
    finally:
        if server:
            server.stop()
        cache.flushdb()
        try:
            drop()
        except Exception as exc:  # the report matters more than the clean-up
            log(f"could not drop the database: {exc}")
    report["total_s"] = round(time.perf_counter() - t_start)
    text = render(report)
    print(text)
    (HERE / "last-report.txt").write_text(text, encoding="utf-8")
    (HERE / "last-report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(workdir, ignore_errors=True)
    bad = sum(p["checks"]["violations"] + next(r for r in p["stats"] if r["name"] == "Aggregated")["failures"]
              for name, p in report["phases"].items() if name != "burst")
    if "burst" in report["phases"]:
        b = report["phases"]["burst"]
        bad += b["errors"] + abs(b["exports_served"] - b["exports_audited"])
    return 1 if bad else 0


def render(report: dict) -> str:
    m = report["machine"]
    lines = [f"Atlas GDR load test — {report['date']}, {m['cpus']} CPUs, Python {m['python']}",
             f"gunicorn {report['workers']} sync workers (gunicorn.conf.py) + Redis cache, {report['database']}, "
             f"national demo (seed 42); {report['users']} signed-in users (started {report['spawn_rate']}/s), "
             f"think time 3-10 s, static files: "
             f"{'asked as a browser would' if report['static'] == 'browser' else 'left to the proxy'}, "
             f"{report['run_time_s']} s per phase; locust on the same machine",
             f"server start {report.get('server_start_s')} s; import file: {report.get('import_file_rows')} "
             f"ssr_recourse rows; references: {report.get('references')}", ""]
    if "steady" in report["phases"]:
        lines += phase_text("Phase 1 — browsing", report["phases"]["steady"])
    if "import" in report["phases"]:
        imp = report["phases"]["import"]["imports"]
        lines += phase_text(f"Phase 2 — browsing while ssr_recourse is imported ({report['phases']['import']['seconds']} s)",
                            report["phases"]["import"])
        lines.append(f"  imports during the phase: {len(imp['done'])}, errors {len(imp['errors'])}: "
                     + ", ".join(f"{d['file']} at {d['started_s']} s took {d['seconds']} s" for d in imp["done"]))
        lines.append("")
    if "burst" in report["phases"]:
        lines += burst_text(report["phases"]["burst"])
    for key in ("memory_before_mb", "memory_after_steady_mb", "memory_after_import_mb"):
        if key in report:
            lines.append(f"{key.replace('_mb', '').replace('_', ' ')} (MB, VmRSS/VmHWM): "
                         + ", ".join(f"{k} {v['VmRSS']}/{v['VmHWM']}" for k, v in report[key].items()))
    lines.append(f"total {report['total_s']} s")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
