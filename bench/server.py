"""The production server under test, a signed-in HTTP session, and server-side timings.

The app runs as in `make serve`: gunicorn -c gunicorn.conf.py app:server, with 2 workers, here on a
free loopback port, with a random SECRET_KEY (production refuses the default one), the database under
test and REDIS_URL pointing at a dedicated Redis database (BENCH_REDIS_URL, default
redis://127.0.0.1:6379/12). Worker recycling (gunicorn max_requests) is switched off, so that the
peak resident memory read at the end is the peak over the whole run of the same two processes.
Both workers share that cache, so "cold" is exact: FLUSHDB of that Redis database before each
cold repetition empties every cached query result of both workers (the app keeps no other
process-local cache of query results). The database's own caches (SQLite page cache, OS file
cache, PostgreSQL shared buffers) stay warm: "cold" is the application cache, not the disk.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis
import requests

from bench.common import DATA, PYTHON, REDIS_URL, ROOT, log, percentiles, repeat
from bench.databases import manage

LOGIN = "bench"
ROLE = "analyste"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_password() -> str:
    """One random password per checkout, kept in bench/.data (git-ignored) so cached databases keep
    working across runs."""
    path = DATA / "bench-password"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def create_user(url: str) -> str:
    """Create the benchmark's user (role analyste) with `manage.py create-user`; returns what happened."""
    proc = manage(url, "create-user", LOGIN, "--role", ROLE, stdin=bench_password() + "\n", check=False)
    out = (proc.stdout + proc.stderr).strip()
    if proc.returncode == 0:
        return "created"
    if "invalid choice" in out and "create-user" in out:
        return "no create-user command (sign-in not there yet)"
    if re.search(r"exist|déjà", out, re.I):  # a cached database from an earlier run: same login, set the password
        manage(url, "reset-password", LOGIN, stdin=bench_password() + "\n")
        return "already there (password reset)"
    raise RuntimeError(f"manage.py create-user failed:\n{out}")


class Cache:
    """The dedicated Redis database the server caches in."""

    def __init__(self, url: str = REDIS_URL):
        self.url = url
        self.client = redis.Redis.from_url(url)

    def check_ours(self) -> None:
        size = self.client.dbsize()
        # Atlas's own keys: the query cache ("atlas:…") and the sign-in rate limiter (Flask-Limiter)
        if size and not all(k.startswith((b"atlas", b"LIMITS:LIMITER/atlas")) for k in self.client.scan_iter(count=1000)):
            raise RuntimeError(f"{self.url} holds keys that are not Atlas's: choose another BENCH_REDIS_URL")

    def flush(self) -> None:
        self.client.flushdb()


class Server:
    """gunicorn app:server, 2 workers, on a free port; `stop()` ends it (and only it)."""

    def __init__(self, database_url: str, log_path: Path, workers: int = 2):
        self.database_url = database_url
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL,
               "SECRET_KEY": secrets.token_hex(32), "PYTHONUNBUFFERED": "1", "MAX_REQUESTS": "0",
               "TIMEOUT": "120", "ATLAS_ENV": "production"}
        for name in ("DEBUG", "WORKERS", "BIND", "GUNICORN_CONTROL_SOCKET"):
            env.pop(name, None)
        self.log_file = log_path.open("w")
        config = ["-c", "gunicorn.conf.py"] if (ROOT / "gunicorn.conf.py").exists() else []
        self.proc = subprocess.Popen([PYTHON, "-m", "gunicorn", *config, "--workers", str(workers), "--bind",
                                      f"127.0.0.1:{self.port}", "app:server"],
                                     cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT)
        self.log_path = log_path
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server stopped while starting, see {log_path}:\n"
                                   + log_path.read_text()[-3000:])
            try:
                if (requests.get(self.base + "/health", timeout=5).status_code in (200, 302, 401)
                        and len(self.worker_pids()) == workers):
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("the server did not start within 120 s")

    def worker_pids(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            return []
        return sorted(int(p) for p in children)

    def memory(self) -> list[dict]:
        """Peak (VmHWM) and current (VmRSS) resident memory of each worker, in MB."""
        out = []
        for pid in self.worker_pids():
            status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                          if ":" in line)
            out.append({"pid": pid, "peak_rss_mb": round(int(status["VmHWM"].split()[0]) / 1024, 1),
                        "rss_mb": round(int(status["VmRSS"].split()[0]) / 1024, 1)})
        return out

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()


def sign_in(base: str, login: str = LOGIN, password: str | None = None) -> requests.Session:
    """A session signed in through the /login form (GET for the CSRF token, POST, 302 + cookie).
    Without a /login page (404: sign-in not there yet) the session stays anonymous."""
    session = requests.Session()
    resp = session.get(base + "/login", timeout=30)
    if resp.status_code == 404:
        session.signed_in = False
        return session
    resp.raise_for_status()
    match = (re.search(r'name="csrf_token"[^>]*value="([^"]*)"', resp.text)
             or re.search(r'value="([^"]*)"[^>]*name="csrf_token"', resp.text))
    data = {"login": login, "password": password or bench_password()}
    if match:
        data["csrf_token"] = match.group(1)
    resp = session.post(base + "/login", data=data, allow_redirects=False, timeout=30)
    if resp.status_code not in (302, 303):
        raise RuntimeError(f"sign-in refused ({resp.status_code}): {resp.text[:500]}")
    session.signed_in = True
    return session


# --- Server time of recorded interactions ---------------------------------------------------------

def waves(rec: dict) -> list[list[dict]]:
    """An interaction's requests grouped as the browser sent them (bench.record: a wave goes out once
    the responses it waited for are in; the requests of one wave are in flight together)."""
    bodies = rec["bodies"]
    return [[bodies[i] for i in group] for group in rec.get("waves") or [[i] for i in range(len(bodies))]]


class Replayer:
    """Posts recorded bodies with the signed-in session's cookies (and the headers the browser added,
    e.g. a CSRF token), one requests.Session per thread."""

    def __init__(self, base: str, cookies, headers: dict[str, str]):
        self.base = base
        self.cookies = cookies
        self.headers = {"Content-Type": "application/json", **headers}
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(max_workers=8)

    def _session(self) -> requests.Session:
        s = getattr(self.local, "session", None)
        if s is None:
            s = self.local.session = requests.Session()
            s.cookies.update(self.cookies)
            s.headers.update(self.headers)
        return s

    def post(self, body: dict) -> float:
        t0 = time.perf_counter()
        resp = self._session().post(self.base + "/_dash-update-component", data=json.dumps(body), timeout=120)
        elapsed = time.perf_counter() - t0
        if resp.status_code not in (200, 204):
            raise RuntimeError(f"{body.get('output')}: HTTP {resp.status_code} {resp.text[:300]}")
        return elapsed

    def get(self, path: str) -> float:
        t0 = time.perf_counter()
        resp = self._session().get(self.base + path, timeout=120)
        elapsed = time.perf_counter() - t0
        if resp.status_code != 200:
            raise RuntimeError(f"GET {path}: HTTP {resp.status_code} {resp.text[:300]}")
        return elapsed

    def interaction(self, groups: list[list[dict]]) -> float:
        """Wall time of the whole interaction: waves one after the other, each wave's requests at once."""
        t0 = time.perf_counter()
        for group in groups:
            if len(group) == 1:
                self.post(group[0])
            else:
                list(self.pool.map(self.post, group))
        return time.perf_counter() - t0

    def close(self) -> None:
        self.pool.shutdown()


def measure(run, cache: Cache, cold: bool) -> dict:
    """p50/p95 of `run()` over REPS repetitions after WARMUP ones (bench.common.repeat); cold: FLUSHDB
    before each."""
    def once() -> float:
        if cold:
            cache.flush()
        return run()

    return percentiles(repeat(once))


def time_interactions(replayer: Replayer, cache: Cache, recorded: dict[str, dict], per_callback: bool = False) -> dict:
    """Server figures of every recorded interaction, cold then warm (and of each of its callbacks alone)."""
    figures = {}
    for name, rec in recorded.items():
        if rec.get("kind") == "get":
            def run(path=rec["path"]):
                return replayer.get(path)
            parts = {}
        else:
            groups = waves(rec)
            def run(groups=groups):
                return replayer.interaction(groups)
            parts = {f"{i + 1}. {b['output'].strip('.').split('.')[0]}": b
                     for i, b in enumerate(rec["bodies"])} if per_callback else {}
        for cold in (True, False):
            temp = "cold" if cold else "warm"
            t0 = time.perf_counter()
            fig = measure(run, cache, cold)
            if rec.get("kind") != "get":
                fig["waves"] = [len(g) for g in groups]
            if parts:
                fig["callbacks"] = {label: measure(lambda b=b: replayer.post(b), cache, cold)
                                    for label, b in parts.items()}
            figures[f"{name}|{temp}"] = fig
            log(f"  server {name} ({temp}): p50 {fig['p50_ms']} ms, p95 {fig['p95_ms']} ms "
                f"[{time.perf_counter() - t0:.0f} s]")
    return figures
