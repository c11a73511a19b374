"""Demo databases for the benchmarks, built once and cached in bench/.data.

The cache key is the scale, the engine and a hash of the demo generator (data_access/demo.py and
demo_names.py) and of the schema migrations (data_access/migrations/versions/*.py): a new generator
or a new or edited migration builds new databases, anything else reuses them. Every database still
goes through `manage.py init-db` before use (cheap when nothing is to be done).

- SQLite: bench/.data/<scale>-sqlite-<hash>.sqlite, used in place.
- PostgreSQL: a pg_dump of the seeded database, bench/.data/<scale>-pg-<hash>.dump, restored into a
  fresh database `atlas_bench_<scale>` for each run and dropped at the end (the shared server keeps
  nothing of ours between runs).
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.common import DATA, PG_ADMIN_URL, PYTHON, ROOT, log

DB_PREFIX = "atlas_bench_"


def demo_hash() -> str:
    """What a cached database depends on: the demo generator, the import pipeline that writes it (and
    the totals it keeps) and the migrations that made its schema (a migration edited in place would
    otherwise leave a cached database with the old tables)."""
    h = hashlib.sha256()
    files = [ROOT / "data_access" / name for name in ("demo.py", "demo_names.py", "imports.py", "ssr_totals.py")]
    files += sorted((ROOT / "data_access" / "migrations" / "versions").glob("*.py"))
    for path in files:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


def manage(url: str, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """`python manage.py ARGS…` on `url` (given as DATABASE_URL, which every command reads) in its own
    process: its engines and memory go with it."""
    env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def _seed(url: str, scale: str) -> float:
    t0 = time.perf_counter()
    manage(url, "init-db")
    # The stress scale's presentation masks would take about 30 minutes (10 years × 2 reaches): its
    # figures are normal mode's, and bench.secrecy times one year's masks on its own.
    manage(url, "seed-demo", "--scale", scale, "--seed", "42", *(["--no-masks"] if scale == "stress" else []))
    return time.perf_counter() - t0


def _prune(pattern: str, keep: Path) -> None:
    for old in DATA.glob(pattern):
        if old != keep:
            log(f"older cached database removed: {old.name}")
            old.unlink()


def sqlite_db(scale: str) -> tuple[str, dict]:
    """URL of the cached SQLite database at `scale` (built when missing) and how it was obtained."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"{scale}-sqlite-{demo_hash()}.sqlite"
    info: dict = {"file": path.name}
    if not path.exists():
        tmp = path.with_name(path.name + ".building")
        for leftover in DATA.glob(tmp.name + "*"):
            leftover.unlink()
        log(f"building the SQLite {scale} database (init-db + seed-demo --seed 42)…")
        info["built_s"] = round(_seed(f"sqlite:///{tmp}", scale), 1)
        for suffix in ("-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)  # checkpointed when the last connection closed
        tmp.rename(path)
        _prune(f"{scale}-sqlite-*.sqlite", path)
        log(f"SQLite {scale} database built in {info['built_s']} s")
    url = f"sqlite:///{path}"
    manage(url, "init-db")
    info["size_mb"] = round(path.stat().st_size / 1e6)
    return url, info


def _pg_url(name: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _libpq(url: str) -> list[str]:
    u = make_url(url)
    args = ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres"]
    return args


def pg_available() -> bool:
    try:
        eng = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(text("SELECT 1"))
        eng.dispose()
        return True
    except Exception:  # no server, no driver, refused: benchmark SQLite only
        return False


def create_pg(name: str) -> str:
    """A new, empty database `name` (dropped first if a previous run left it)."""
    drop_pg(name)
    eng = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))  # name from this module only, never user input
    eng.dispose()
    return _pg_url(name)


def drop_pg(name: str) -> None:
    assert name.startswith(DB_PREFIX), name  # only ever drop our own databases
    eng = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    eng.dispose()


def pg_db(scale: str) -> tuple[str, dict]:
    """A fresh PostgreSQL database at `scale`: restored from the cached dump, or seeded then dumped."""
    DATA.mkdir(parents=True, exist_ok=True)
    name = f"{DB_PREFIX}{scale}"
    dump = DATA / f"{scale}-pg-{demo_hash()}.dump"
    url = create_pg(name)
    info: dict = {"database": name, "file": dump.name}
    if dump.exists():
        t0 = time.perf_counter()
        subprocess.run(["pg_restore", *_libpq(url), "-d", name, "--no-owner", "-j", "2", str(dump)], check=True,
                       capture_output=True)
        info["restored_s"] = round(time.perf_counter() - t0, 1)
        log(f"PostgreSQL {scale} database restored in {info['restored_s']} s")
    else:
        log(f"building the PostgreSQL {scale} database (init-db + seed-demo --seed 42)…")
        info["built_s"] = round(_seed(url, scale), 1)
        log(f"PostgreSQL {scale} database built in {info['built_s']} s")
        tmp = dump.with_name(dump.name + ".tmp")
        subprocess.run(["pg_dump", *_libpq(url), "-Fc", "-f", str(tmp), name], check=True, capture_output=True)
        tmp.rename(dump)
        _prune(f"{scale}-pg-*.dump", dump)
    manage(url, "init-db")
    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text("ANALYZE"))  # a restored database has no planner statistics yet
    eng.dispose()
    return url, info
