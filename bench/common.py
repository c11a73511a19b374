"""Shared pieces of the benchmarks: paths, settings from the environment, percentiles, machine facts."""
from __future__ import annotations

import contextlib
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The app measured; another checkout of it (BENCH_APP_ROOT) when developing the benchmark itself.
ROOT = Path(os.environ.get("BENCH_APP_ROOT") or HERE.parent).resolve()
DATA = HERE / ".data"
PYTHON = sys.executable

# BENCH_QUICK=1: a run of a few minutes to try the bench itself (national scale only, 5 repetitions, no
# import figures); any BENCH_* variable set explicitly still wins.
QUICK = os.environ.get("BENCH_QUICK", "0") == "1"
REPS = int(os.environ.get("BENCH_REPS", "5" if QUICK else "30"))  # repetitions measured, after the warm-up
WARMUP = int(os.environ.get("BENCH_WARMUP", "1" if QUICK else "2"))
# A figure whose repetitions take more than this many seconds stops early, after at least MIN_REPS
# measured repetitions (its count is reported): 30 cold repetitions of a 25-second request would take
# the whole budget of `make bench` on their own. Figures under 0.65 s per repetition always get REPS.
FIGURE_BUDGET_S = float(os.environ.get("BENCH_FIGURE_BUDGET_S", "20"))
MIN_REPS = int(os.environ.get("BENCH_MIN_REPS", "5"))
SCALES = tuple(s.strip() for s in os.environ.get("BENCH_SCALES", "national" if QUICK else "region,national,stress").split(",") if s.strip())
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# PostgreSQL is benchmarked at these scales only (stress seeding on PostgreSQL is too slow for the budget:
# see README of bench/, section "Decisions").
PG_SCALES = tuple(s.strip() for s in os.environ.get("BENCH_PG_SCALES", "national" if QUICK else "region,national").split(",") if s.strip())
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def percentiles(samples: list[float]) -> dict:
    """p50 and p95 in milliseconds of samples in seconds (p95: inclusive method, as numpy's default)."""
    qs = statistics.quantiles(samples, n=20, method="inclusive")
    return {"p50_ms": round(statistics.median(samples) * 1000, 1), "p95_ms": round(qs[18] * 1000, 1),
            "n": len(samples)}


def repeat(once, warmup: int = WARMUP, reps: int = REPS, budget_s: float = FIGURE_BUDGET_S) -> list[float]:
    """`once()` (returning seconds) `warmup` times, then measured up to `reps` times, fewer when the
    measured ones have taken `budget_s` (at least MIN_REPS). A first warm-up slower than 3 s is enough
    warm-up."""
    for _ in range(warmup):
        if once() > 3:
            break
    samples: list[float] = []
    while len(samples) < reps and (len(samples) < MIN_REPS or sum(samples) < budget_s):
        samples.append(once())
    return samples


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _version(cmd: list[str]) -> str | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return None


def machine() -> dict:
    """What the figures were measured on."""
    from importlib.metadata import version

    cpu = None
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    mem_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    packages = {name: version(name) for name in ("dash", "plotly", "Flask", "SQLAlchemy", "psycopg", "pandas",
                                                  "gunicorn", "weasyprint", "playwright", "redis")}
    return {"python": platform.python_version(), "platform": platform.platform(), "cpu": cpu,
            "cpus": os.cpu_count(), "memory_gb": round(mem_kb / 1024 ** 2, 1),
            "sqlite": __import__("sqlite3").sqlite_version, "chromium": _version([CHROMIUM, "--version"]),
            "postgresql": _version(["psql", "--version"]), "redis": _version(["redis-server", "--version"]),
            "packages": packages, "load_average_start": os.getloadavg()}


def click_lon_lat(page, selector: str, lon: float, lat: float) -> None:
    """Click the Plotly map at `selector` (a Playwright page) where (lon, lat) is drawn, using the
    geo subplot's own projection and the screen matrix of the layer its territories are drawn in
    (the benchmarks' recorders and the browser tests share it)."""
    x, y = page.evaluate(
        f"""([lon, lat]) => {{
            const g = document.querySelector('{selector}');
            const p = g._fullLayout.geo._subplot.projection([lon, lat]);
            const layer = g.querySelector('.choroplethlocation').parentNode;
            const pt = layer.ownerSVGElement.createSVGPoint();
            pt.x = p[0];
            pt.y = p[1];
            const s = pt.matrixTransform(layer.getScreenCTM());
            return [s.x, s.y];
        }}""", [lon, lat])
    page.mouse.click(x, y)
