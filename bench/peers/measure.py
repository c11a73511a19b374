"""Atlas against its peers, in the same run, alternating request by request (issue 15's ratios).

- naive: bench/peers/naive_ssr.py (a first Dash app's /ssr) served by gunicorn with 2 workers on the
  same database; one age change = one POST. Compared with Atlas's recorded /ssr age change (every
  request of the interaction, cold cache): server time (wall time of the interaction) and bytes on the
  wire (compressed as a browser asks: Accept-Encoding gzip, deflate, br, zstd).
- superset: Apache Superset in its own virtualenv (bench/.peers/superset, never in requirements),
  `superset run --with-threads` on the PostgreSQL bench database, caches off, the facts registered as a
  virtual dataset; one POST /api/v1/chart/data with `force: true` for SUM(stays_with_ssr)/SUM(stays)
  by region with the same filters as Atlas's view. Installed on first use (pip, ≈ 5 min); if it cannot
  be installed or started the figure says why and the rest of the bench goes on.

Repetitions: BENCH_PEER_REPS (default BENCH_REPS) pairs after BENCH_WARMUP; each pair is Atlas then the
peer, so both see the same machine load.
"""
from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
import time
from pathlib import Path

import requests

from bench.common import HERE, PYTHON, REPS, ROOT, WARMUP, log, percentiles

PEER_REPS = int(os.environ.get("BENCH_PEER_REPS", str(REPS)))
PEERS_DIR = HERE / ".peers"
SUPERSET_VENV = PEERS_DIR / "superset"
SUPERSET_PINS = ["apache-superset", "rich", "flask-caching<2.4", "psycopg2-binary", "cachetools"]
SUPERSET_INSTALL = os.environ.get("BENCH_SUPERSET_INSTALL", "1") != "0"  # 0: use it only if already there
ACCEPT = {"Accept-Encoding": "gzip, deflate, br, zstd"}
VIEW = {"geste": "PTG", "age": "<60", "annee": 2024}  # the age change recorded as ssr_filter


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, log_path: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"stopped while starting, see {log_path}:\n{log_path.read_text()[-2000:]}")
        try:
            if requests.get(url, timeout=5).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"did not answer within {timeout:.0f} s ({log_path})")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wire_bytes(session: requests.Session, url: str, body: dict, headers: dict | None = None) -> int:
    """Bytes of the response body as sent (compressed when the server compresses), plus its headers."""
    resp = session.post(url, data=json.dumps(body), headers={"Content-Type": "application/json", **ACCEPT,
                                                              **(headers or {})}, stream=True, timeout=120)
    raw = resp.raw.read(decode_content=False)
    if resp.status_code not in (200, 204):
        raise RuntimeError(f"{url}: HTTP {resp.status_code} {raw[:300]!r}")
    head = sum(len(k) + len(v) + 4 for k, v in resp.headers.items())
    return len(raw) + head


def atlas_bytes(replayer, groups: list[list[dict]]) -> int:
    session = replayer._session()
    return sum(wire_bytes(session, replayer.base + "/_dash-update-component", b) for g in groups for b in g)


def _alternate(atlas_once, peer_once) -> tuple[list[float], list[float]]:
    for _ in range(WARMUP):
        atlas_once()
        peer_once()
    a, p = [], []
    for _ in range(PEER_REPS):
        a.append(atlas_once())
        p.append(peer_once())
    return a, p


def _ratio(atlas: list[float], peer: list[float]) -> dict:
    """Peer time over Atlas time: per pair (median of the ratios) and of the medians."""
    return {"atlas": percentiles(atlas), "peer": percentiles(peer),
            "ratio_p50": round(statistics.median(peer) / statistics.median(atlas), 2),
            "ratio_pairs_median": round(statistics.median(p / a for a, p in zip(atlas, peer)), 2)}


# --- the naive Dash peer -------------------------------------------------------------------------

def naive_body(geste: str, age: str, annee: int) -> dict:
    """The POST body the browser sends to /_dash-update-component when `age` changes."""
    return {"output": "carte.figure", "outputs": {"id": "carte", "property": "figure"},
            "inputs": [{"id": "geste", "property": "value", "value": geste},
                       {"id": "age", "property": "value", "value": age},
                       {"id": "annee", "property": "value", "value": annee}],
            "changedPropIds": ["age.value"], "state": []}


def naive(database_url: str, replayer, cache, recorded: dict, log_dir: Path) -> dict:
    from bench.server import waves

    groups = waves(recorded["ssr_filter"])
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = log_dir / "peer-naive.log"
    with log_path.open("w") as out:
        proc = subprocess.Popen([PYTHON, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                                 "--timeout", "120", "bench.peers.naive_ssr:server"], cwd=ROOT,
                                env={**os.environ, "DATABASE_URL": database_url}, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait(base + "/", proc, log_path)
        session = requests.Session()
        peer_body = naive_body(VIEW["geste"], VIEW["age"], VIEW["annee"])

        def peer_once() -> float:
            t0 = time.perf_counter()
            resp = session.post(base + "/_dash-update-component", json=peer_body, headers=ACCEPT, timeout=120)
            resp.raise_for_status()
            return time.perf_counter() - t0

        def atlas_once() -> float:
            cache.flush()
            return replayer.interaction(groups)

        a, p = _alternate(atlas_once, peer_once)
        out = _ratio(a, p)
        out["bytes"] = {"atlas": atlas_bytes(replayer, groups),
                        "peer": wire_bytes(session, base + "/_dash-update-component", peer_body)}
        out["bytes"]["ratio"] = round(out["bytes"]["peer"] / out["bytes"]["atlas"], 1)
        out["requests"] = {"atlas": sum(len(g) for g in groups), "peer": 1}
        log(f"  naive peer: server p50 {out['peer']['p50_ms']} ms vs Atlas {out['atlas']['p50_ms']} ms "
            f"(×{out['ratio_p50']}); bytes {out['bytes']['peer']} vs {out['bytes']['atlas']} (×{out['bytes']['ratio']})")
        return out
    finally:
        _stop(proc)


# --- Apache Superset -----------------------------------------------------------------------------

def _superset_bin() -> Path:
    return SUPERSET_VENV / "bin" / "superset"


def install_superset() -> str:
    """The installed Superset's version; installs it into bench/.peers/superset when missing."""
    if not _superset_bin().exists():
        if not SUPERSET_INSTALL:
            raise RuntimeError("not installed (BENCH_SUPERSET_INSTALL=0)")
        log("  installing Apache Superset into bench/.peers/superset (pip, a few minutes)…")
        PEERS_DIR.mkdir(exist_ok=True)
        subprocess.run(["python3", "-m", "venv", str(SUPERSET_VENV)], check=True)
        proc = subprocess.run([str(SUPERSET_VENV / "bin" / "pip"), "install", "-q", *SUPERSET_PINS],
                              capture_output=True, text=True, timeout=1800)
        if proc.returncode != 0 or not _superset_bin().exists():
            raise RuntimeError(f"pip install apache-superset failed: {(proc.stderr or proc.stdout)[-1500:]}")
    proc = subprocess.run([str(SUPERSET_VENV / "bin" / "python"), "-c",
                           "from importlib.metadata import version; print(version('apache-superset'))"],
                          capture_output=True, text=True, timeout=60)
    return proc.stdout.strip()


CONFIG = """\
SECRET_KEY = {secret!r}
SQLALCHEMY_DATABASE_URI = "sqlite:///{home}/superset.db"
CACHE_CONFIG = {{"CACHE_TYPE": "NullCache"}}
DATA_CACHE_CONFIG = {{"CACHE_TYPE": "NullCache"}}
FILTER_STATE_CACHE_CONFIG = {{"CACHE_TYPE": "NullCache"}}
EXPLORE_FORM_DATA_CACHE_CONFIG = {{"CACHE_TYPE": "NullCache"}}
WTF_CSRF_ENABLED = True
TALISMAN_ENABLED = False
RATELIMIT_ENABLED = False
AUTH_RATE_LIMITED = False
"""


def _superset_env(home: Path) -> dict:
    return {**{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "FLASK_"))},
            "SUPERSET_CONFIG_PATH": str(home / "superset_config.py"), "SUPERSET_HOME": str(home),
            "FLASK_APP": "superset", "PYTHONUNBUFFERED": "1"}


def _prepare_home(version: str) -> tuple[Path, str]:
    """Superset's own metadata database, made once per Superset version (db upgrade, admin, init)."""
    home = PEERS_DIR / f"home-{version}"
    password = "bench-" + (home / ".password").read_text() if (home / ".password").exists() else None
    if (home / ".ready").exists() and password:
        return home, password
    home.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(8)
    (home / ".password").write_text(token)
    (home / "superset_config.py").write_text(CONFIG.format(secret=secrets.token_hex(32), home=home))
    env = _superset_env(home)
    log("  preparing Superset's metadata database (db upgrade, init: a few minutes, once)…")
    for args in (["db", "upgrade"],
                 ["fab", "create-admin", "--username", "bench", "--firstname", "b", "--lastname", "b",
                  "--email", "bench@example.invalid", "--password", "bench-" + token],
                 ["init"]):
        proc = subprocess.run([str(_superset_bin()), *args], env=env, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            raise RuntimeError(f"superset {' '.join(args[:2])} failed: {(proc.stderr or proc.stdout)[-1500:]}")
    (home / ".ready").write_text(version)
    return home, "bench-" + token


class Superset:
    """`superset run --with-threads` on a free port, signed in through the REST API."""

    def __init__(self, home: Path, password: str, log_path: Path):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log_path.open("w")
        self.proc = subprocess.Popen([str(_superset_bin()), "run", "-h", "127.0.0.1", "-p", str(self.port),
                                      "--with-threads"], env=_superset_env(home), stdout=self.log,
                                     stderr=subprocess.STDOUT)
        _wait(self.base + "/health", self.proc, log_path)
        self.session = requests.Session()
        resp = self.session.post(self.base + "/api/v1/security/login", json={
            "username": "bench", "password": password, "provider": "db", "refresh": False}, timeout=60)
        resp.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"
        csrf = self.session.get(self.base + "/api/v1/security/csrf_token/", timeout=60).json()["result"]
        self.session.headers.update({"X-CSRFToken": csrf, "Referer": self.base})

    def api(self, method: str, path: str, **kw) -> dict:
        resp = self.session.request(method, self.base + path, timeout=120, **kw)
        if resp.status_code >= 400:
            raise RuntimeError(f"Superset {method} {path}: HTTP {resp.status_code} {resp.text[:500]}")
        return resp.json()

    def register(self, pg_url: str) -> int:
        """The bench database and a virtual dataset of the facts with their region; its id."""
        from sqlalchemy.engine import make_url

        url = make_url(pg_url).set(drivername="postgresql+psycopg2")
        name = f"atlas-{url.database}"
        found = self.api("GET", "/api/v1/database/", params={"q": json.dumps(
            {"filters": [{"col": "database_name", "opr": "eq", "value": name}]})})["result"]
        db_id = found[0]["id"] if found else self.api("POST", "/api/v1/database/", json={
            "database_name": name, "sqlalchemy_uri": url.render_as_string(hide_password=False),
            "expose_in_sqllab": True})["id"]
        sql = ("SELECT s.year, s.gesture, s.age_band, s.stays, s.stays_with_ssr, e.region_code, e.departement_code, "
               "e.legal_status FROM ssr_recourse s JOIN establishments e ON e.finess = s.finess")
        table = f"atlas_ssr_{secrets.token_hex(3)}"
        return self.api("POST", "/api/v1/dataset/", json={"database": db_id, "schema": "public",
                                                          "table_name": table, "sql": sql})["id"]

    def chart_data(self, dataset: int) -> dict:
        return {"datasource": {"id": dataset, "type": "table"}, "force": True, "result_format": "json",
                "result_type": "full", "queries": [{
                    "columns": ["region_code"],
                    "metrics": [{"expressionType": "SQL", "label": "taux",
                                 "sqlExpression": "SUM(stays_with_ssr) * 1.0 / SUM(stays)"}],
                    "filters": [{"col": "gesture", "op": "==", "val": VIEW["geste"]},
                                {"col": "age_band", "op": "==", "val": VIEW["age"]},
                                {"col": "year", "op": "==", "val": VIEW["annee"]}],
                    "row_limit": 10000}]}

    def stop(self) -> None:
        _stop(self.proc)
        self.log.close()


def superset(pg_url: str, replayer, cache, recorded: dict, log_dir: Path) -> dict:
    from bench.server import waves

    version = install_superset()
    home, password = _prepare_home(version)
    server = Superset(home, password, log_dir / "peer-superset.log")
    try:
        dataset = server.register(pg_url)
        query = server.chart_data(dataset)
        rows = server.api("POST", "/api/v1/chart/data", json=query)["result"][0]["data"]
        if not rows:
            raise RuntimeError("Superset's chart data is empty: the dataset does not match the bench database")
        groups = waves(recorded["ssr_filter"])

        def peer_once() -> float:
            t0 = time.perf_counter()
            resp = server.session.post(server.base + "/api/v1/chart/data", json=query, timeout=120)
            resp.raise_for_status()
            return time.perf_counter() - t0

        def atlas_once() -> float:
            cache.flush()
            return replayer.interaction(groups)

        a, p = _alternate(atlas_once, peer_once)
        out = {"version": version, "rows": len(rows), **_ratio(a, p)}
        log(f"  Superset {version}: chart-data p50 {out['peer']['p50_ms']} ms vs Atlas {out['atlas']['p50_ms']} ms "
            f"(×{out['ratio_p50']})")
        return out
    finally:
        server.stop()
