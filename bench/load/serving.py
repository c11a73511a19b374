"""Pieces shared by the load runner, the recorder and the locust scenario: a gunicorn server started
the production way (gunicorn.conf.py), signing in, and the memory of its workers."""
from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sign_in(session: requests.Session, base: str, login: str, password: str) -> bool:
    """Sign in through the HTML form (GET /login for the CSRF token, POST /login): True once signed in,
    False when the app has no sign-in (GET /login is 404). Raises on a refused sign-in."""
    form = session.get(f"{base}/login", timeout=60)
    if form.status_code == 404:
        return False
    form.raise_for_status()
    match = CSRF_INPUT.search(form.text)
    if not match:
        raise RuntimeError("/login: no csrf_token in the form")
    resp = session.post(f"{base}/login", data={"login": login, "password": password,
                                               "csrf_token": match.group(1) or match.group(2)},
                        allow_redirects=False, timeout=60)
    if resp.status_code != 302:
        raise RuntimeError(f"sign-in of {login} refused: HTTP {resp.status_code}")
    return True


def create_user(url: str, login: str, password: str, role: str = "analyste") -> None:
    """`manage.py create-user` with the password on standard input (never on the command line)."""
    subprocess.run([sys.executable, "manage.py", "--url", url, "create-user", login, "--role", role],
                   input=password + "\n", text=True, cwd=ROOT, check=True, capture_output=True)


def has_sign_in() -> bool:
    """Whether this checkout has the create-user command (sign-in landed)."""
    out = subprocess.run([sys.executable, "manage.py", "--help"], cwd=ROOT, capture_output=True, text=True)
    return "create-user" in out.stdout


class Server:
    """gunicorn with gunicorn.conf.py on a free loopback port; access log (with worker pids) in a file."""

    def __init__(self, database_url: str, redis_url: str | None, workers: int, log_dir: Path, **env: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.access_log = log_dir / "access.log"
        self.error_log = log_dir / "server.log"
        self.env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
                    "ACCESS_LOG": str(self.access_log), "ERROR_LOG": str(self.error_log),
                    "PYTHONUNBUFFERED": "1", **env}
        self.env.pop("REDIS_URL", None)
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.workers = workers
        self.proc: subprocess.Popen | None = None
        self.start_seconds: float | None = None

    def start(self, timeout: float = 120) -> Server:
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", str(self.workers),
             "--bind", f"127.0.0.1:{self.port}", "app:server"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}): see {self.error_log}")
            try:
                if requests.get(f"{self.base}/health", timeout=5).status_code == 200 and \
                        len(self.worker_pids()) == self.workers:
                    self.start_seconds = time.monotonic() - t0
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /health within {timeout:.0f} s: see {self.error_log}")

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(p) for p in children]

    def memory(self) -> dict[str, dict[str, int]]:
        """VmRSS and VmHWM (peak resident memory) in MB of the master and each worker."""
        out = {}
        for name, pid in [("master", self.proc.pid)] + [(f"worker {p}", p) for p in self.worker_pids()]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            out[name] = {k: round(int(fields[k].split()[0]) / 1024) for k in ("VmRSS", "VmHWM")}
        return out

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the workers."""
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
