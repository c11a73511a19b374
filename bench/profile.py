"""`python -m bench.profile`: the establishment profile at national scale (SQLite, seed 42).

- Browser: time from navigation to "every profile callback done" (the profile's sections, the
  funnel plot drawn (its SVG image, the page's default), no Dash callback in flight) in Debian's Chromium driven by Playwright, for
  the largest establishment by orthopaedic stays (ssr_recourse, latest year, all gestures and
  ages) and for the largest one with an SSR profile too (MCO+SSR: every section filled).
- PDF: time of GET /export/profil/<finess>.pdf?annee=<latest year> (server-side WeasyPrint).

The app runs under gunicorn (2 workers, as in the browser tests), on a free loopback port. Each
figure: p50 and p95 over BENCH_REPS runs (default 15) after BENCH_WARMUP warm-up runs (default 4,
so both workers have their caches filled). Prints a table and writes bench/profile_results.json.
"""
from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from bench.__main__ import _db

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPS = int(os.environ.get("BENCH_REPS", "15"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "4"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
DONE = """() => {
    if (document.querySelector('[data-dash-is-loading="true"]')) { return false; }
    const top = document.querySelector('#etab-top');
    if (!top || !top.querySelector('#etab-points-section')) { return false; }
    const block = document.querySelector('#etab-funnel-block');
    if (block && !block.hidden && !document.querySelector('#etab-funnel img')) { return false; }
    return !!document.querySelector('#etab-caqes-section');
}"""


def _percentiles(samples: list[float]) -> dict:
    qs = statistics.quantiles(samples, n=20, method="inclusive")
    return {"p50_ms": round(statistics.median(samples) * 1000, 1), "p95_ms": round(qs[18] * 1000, 1),
            "n": len(samples)}


def _largest(url: str) -> tuple[int, str, str, str]:
    """(latest year, largest by stays, its name, largest MCO+SSR by stays with profile values)."""
    eng = create_engine(url)
    with eng.connect() as c:
        year = c.execute(text("SELECT MAX(year) FROM ssr_recourse")).scalar()
        biggest = c.execute(text(
            "SELECT s.finess, e.name FROM ssr_recourse s JOIN establishments e ON e.finess = s.finess "
            "WHERE s.year = :y GROUP BY s.finess, e.name ORDER BY SUM(s.stays) DESC, s.finess LIMIT 1"), {"y": year}).one()
        full = c.execute(text(
            "SELECT s.finess FROM ssr_recourse s JOIN establishments e ON e.finess = s.finess "
            "WHERE s.year = :y AND e.activity = 'MCO+SSR' AND EXISTS (SELECT 1 FROM profile_values v "
            "WHERE v.finess = s.finess AND v.year = :y) GROUP BY s.finess ORDER BY SUM(s.stays) DESC, s.finess "
            "LIMIT 1"), {"y": year}).scalar()
    eng.dispose()
    return year, biggest[0], biggest[1], full


def _serve(url: str):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("REDIS_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                             "app:server"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/health", timeout=5).status_code == 200:
                return proc, base
        except requests.RequestException:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError("le serveur n'a pas démarré en 90 s")


def time_page(page, base: str, path: str) -> dict:
    def once() -> float:
        t0 = time.perf_counter()
        page.goto(base + path)
        page.wait_for_function(DONE, timeout=60_000, polling=20)
        return time.perf_counter() - t0

    for _ in range(WARMUP):
        once()
    return _percentiles([once() for _ in range(REPS)])


def time_pdf(base: str, path: str) -> dict:
    def once() -> float:
        t0 = time.perf_counter()
        resp = requests.get(base + path, timeout=60)
        assert resp.status_code == 200 and resp.headers["content-type"] == "application/pdf", resp.status_code
        return time.perf_counter() - t0

    for _ in range(WARMUP):
        once()
    return _percentiles([once() for _ in range(REPS)])


def main() -> int:
    from playwright.sync_api import sync_playwright

    url = _db("national")
    year, biggest, name, full = _largest(url)
    proc, base = _serve(url)
    results = {"machine": {"python": platform.python_version(), "platform": platform.platform(),
                           "cpus": os.cpu_count(), "load_average": os.getloadavg()},
               "date": time.strftime("%Y-%m-%d %H:%M:%S"), "scale": "national", "database": "sqlite",
               "server": "gunicorn, 2 workers", "year": year, "largest": {"finess": biggest, "name": name},
               "largest_mco_ssr": full, "figures": {}}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="fr-FR")
            for label, finess in ((f"profil, plus gros établissement ({biggest})", biggest),
                                  (f"profil, plus gros MCO+SSR ({full})", full)):
                results["figures"][f"{label} — navigateur"] = time_page(page, base, f"/etablissement/{finess}")
            browser.close()
        for label, finess in (("PDF, plus gros établissement", biggest), ("PDF, plus gros MCO+SSR", full)):
            results["figures"][label] = time_pdf(base, f"/export/profil/{finess}.pdf?annee={year}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    results["machine"]["load_average_after"] = os.getloadavg()
    print(f"Plus gros établissement (séjours {year}) : {name} ({biggest})")
    print(f"{'mesure':62} {'p50 ms':>8} {'p95 ms':>8} {'n':>4}")
    for label, fig in results["figures"].items():
        print(f"{label:62} {fig['p50_ms']:8.1f} {fig['p95_ms']:8.1f} {fig['n']:4d}")
    print(f"charge de la machine (1, 5, 15 min) : {results['machine']['load_average']} avant, "
          f"{results['machine']['load_average_after']} après")
    (HERE / "profile_results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
