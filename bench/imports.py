"""Import throughput: the national ssr_recourse rows as a CSV file, imported into a fresh database.

The file is exported from the national demo database in the documented format
(docs/data-format.md: finess,year,gesture,age_band,stays,stays_with_ssr; comma, UTF-8), with its
establishments file. For each engine, a fresh database (`init-db`, then the establishments imported)
receives `data_access.imports.import_file(url, "ssr_recourse", FILE)`, timed in one process:

- new rows: the table emptied before each repetition, every row inserted;
- re-import: the same file again over the same rows (every key updated, values unchanged).

BENCH_IMPORT_REPS repetitions (default 30) after one warm-up, fewer (at least 5) when they would take
more than BENCH_IMPORT_BUDGET_S seconds (default 40) per engine and mode; the count is reported.

Rows per second = rows of the file / seconds (p50 of the repetitions, and at p95: the slower
figure). The time covers the whole import: reading and validating the file, the write, the
import record and the data version. One `python manage.py import` run is also timed end to end
(interpreter start and imports included), for the operator's view.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, text

from bench.common import DATA, PYTHON, ROOT, log, percentiles
from bench.databases import create_pg, drop_pg, manage

ESTABLISHMENT_COLUMNS = ["finess", "name", "legal_status", "category", "activity", "commune_code", "latitude",
                         "longitude", "beds", "places"]
RECOURSE_COLUMNS = ["finess", "year", "gesture", "age_band", "stays", "stays_with_ssr"]
REPS = int(os.environ.get("BENCH_IMPORT_REPS", "30"))
WARMUP = 1
# Seconds per engine and mode after which the repetitions stop (at least MIN_REPS measured): a
# 20-second import repeated 30 times would take the whole budget of `make bench`.
BUDGET_S = float(os.environ.get("BENCH_IMPORT_BUDGET_S", "40"))
MIN_REPS = 5


def export_files(source_url: str, folder: Path) -> tuple[Path, Path, int]:
    """(establishments CSV, ssr_recourse CSV, rows of the latter) from the national database."""
    folder.mkdir(parents=True, exist_ok=True)
    eng = create_engine(source_url)
    with eng.connect() as c:
        est = pd.read_sql(text(f"SELECT {', '.join(ESTABLISHMENT_COLUMNS)} FROM establishments ORDER BY finess"), c)
        rec = pd.read_sql(text(f"SELECT {', '.join(RECOURSE_COLUMNS)} FROM ssr_recourse "
                               "ORDER BY finess, year, gesture, age_band"), c)
    eng.dispose()
    est_path, rec_path = folder / "establishments.csv", folder / "ssr_recourse.csv"
    est.to_csv(est_path, index=False)
    rec.to_csv(rec_path, index=False)
    return est_path, rec_path, len(rec)


def _worker(url: str, path: str, reps: int, warmup: int) -> dict:
    """In the measuring process: time import_file, new rows then re-import."""
    from data_access.imports import import_file

    eng = create_engine(url)

    def empty() -> None:
        with eng.begin() as c:
            c.execute(text("DELETE FROM ssr_recourse"))
        if eng.dialect.name == "postgresql":
            with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE ssr_recourse"))  # as a fresh table: no dead rows to skip

    def timed() -> tuple[float, int, int]:
        t0 = time.perf_counter()
        report = import_file(url, "ssr_recourse", path, user="bench")
        return time.perf_counter() - t0, report.inserted, report.updated

    out = {}
    for mode in ("new", "reimport"):
        samples = []
        started = time.perf_counter()
        for i in range(warmup + reps):
            if len(samples) >= MIN_REPS and time.perf_counter() - started > BUDGET_S:
                break  # a slow import: fewer repetitions (the count is reported), the run stays in budget
            if mode == "new":
                empty()
            elif i == 0:
                empty()
                timed()
            seconds, inserted, updated = timed()
            if mode == "new":
                assert updated == 0 and inserted > 0, (inserted, updated)
            else:
                assert inserted == 0 and updated > 0, (inserted, updated)
            if i >= warmup:
                samples.append(seconds)
        out[mode] = percentiles(samples)
    eng.dispose()
    return out


def _fresh(engine: str, est_path: Path) -> tuple[str, callable]:
    """A fresh database with geography, catalogues and the establishments; returns (url, cleanup)."""
    if engine == "sqlite":
        path = DATA / "import-bench.sqlite"
        for p in DATA.glob("import-bench.sqlite*"):
            p.unlink()
        url = f"sqlite:///{path}"

        def cleanup():
            for p in DATA.glob("import-bench.sqlite*"):
                p.unlink()
    else:
        name = "atlas_bench_import"
        url = create_pg(name)

        def cleanup():
            drop_pg(name)
    manage(url, "init-db")
    manage(url, "import", "establishments", str(est_path))
    return url, cleanup


def measure(source_url: str, engines: list[str]) -> dict:
    est_path, rec_path, rows = export_files(source_url, DATA / "import-files")
    results = {"rows": rows, "file_mb": round(rec_path.stat().st_size / 1e6, 1), "engines": {}}
    for engine in engines:
        t0 = time.perf_counter()
        url, cleanup = _fresh(engine, est_path)
        try:
            proc = subprocess.run([PYTHON, "-m", "bench.imports", "--worker", url, str(rec_path), str(REPS),
                                   str(WARMUP)], cwd=ROOT, capture_output=True, text=True)
            if proc.returncode:
                raise RuntimeError(f"import measurement ({engine}) failed:\n{proc.stderr[-3000:]}")
            figures = json.loads(proc.stdout.strip().splitlines()[-1])
            t1 = time.perf_counter()
            manage(url, "import", "ssr_recourse", str(rec_path))
            figures["cli_reimport_s"] = round(time.perf_counter() - t1, 2)
        finally:
            cleanup()
        for mode in ("new", "reimport"):
            f = figures[mode]
            f["rows_per_s_p50"] = round(rows / (f["p50_ms"] / 1000))
            f["rows_per_s_p95"] = round(rows / (f["p95_ms"] / 1000))
            log(f"  import {engine} ({mode}): {f['rows_per_s_p50']:,} rows/s (p50), "
                f"{f['rows_per_s_p95']:,} (p95) [{time.perf_counter() - t0:.0f} s]")
        results["engines"][engine] = figures
    return results


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        url, path, reps, warmup = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
        print(json.dumps(_worker(url, path, reps, warmup)))
    else:
        from bench.databases import pg_available, sqlite_db

        src, _ = sqlite_db("national")
        print(json.dumps(measure(src, ["sqlite", *(["postgresql"] if pg_available() else [])]), indent=1))
