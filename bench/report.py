"""The printed tables: targets (met or missed, with the margin) and how each figure grows with the scale.

`python -m bench.report` prints them again from bench/results.json.
"""
from __future__ import annotations

import json
import sys

from bench.common import HERE

INTERACTIONS = {
    "ssr_filter": "/ssr filter change (age)",
    "ssr_drill_region": "/ssr drill-down France → region",
    "ssr_drill_departement": "/ssr drill-down region → dép.",
    "msap_parameter": "/msap parameter change (gap)",
    "caqes_volet": "/caqes volet change",
    "profile_open": "open a profile",
    "profile_pdf": "profile PDF",
}
CONTROLS = {"ssr_age": "/ssr age → map", "caqes_volet": "/caqes volet → map", "msap_ecart": "/msap gap → list"}
LOADS = {"ssr": "/ssr", "msap": "/msap", "caqes": "/caqes", "etablissements": "/etablissements",
         "profil": "/etablissement/<finess>"}


def config_label(key: str) -> str:
    scale, engine = key.split("|")
    return f"{'SQLite' if engine == 'sqlite' else 'PG'} {scale}"


# --- targets ---------------------------------------------------------------------------------------

def _at_most(value: float, target: float, unit: str, fmt: str = "{:.0f}") -> str:
    if value <= target:
        return f"met, {fmt.format(target - value)} {unit} under"
    return f"MISSED, {fmt.format(value - target)} {unit} over (×{value / target:.1f})"


def _n(value: float) -> str:
    """12 345: thousands separated by a space."""
    return f"{value:,.0f}".replace(",", " ")


def _at_least(value: float, target: float, unit: str) -> str:
    def n(v):
        return _n(v) if abs(v) >= 100 else f"{v:.2f}"
    if value >= target:
        return f"met, {n(value - target)} {unit} above"
    return f"MISSED, {n(target - value)} {unit} short ({value / target:.0%} of it)"


MISSING = "not measured"


def _row(figure: str, where: str, value: float | None, target: float, unit: str, fmt: str = "{:.0f}",
         at_least: bool = False, why: str = MISSING) -> tuple[str, str, str, str, str]:
    sign = "≥" if at_least else "≤"
    if value is None:
        return (figure, where, "—", f"{sign} {fmt.format(target)} {unit}", why)
    verdict = _at_least(value, target, unit) if at_least else _at_most(value, target, unit, fmt)
    return (figure, where, f"{fmt.format(value)} {unit}", f"{sign} {fmt.format(target)} {unit}", verdict)


def _load_report() -> dict | None:
    path = HERE / "load" / "last-report.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def targets(results: dict) -> list[tuple[str, str, str, str, str]]:
    """(figure, where, measured, target, verdict) for every target of issue 15 (p95 unless said;
    "not measured" with the reason when this run has no figure for it)."""
    rows = []
    configs = results["configs"]

    def server(key, name, temp):
        f = configs.get(key, {}).get("server", {}).get(f"{name}|{temp}")
        return f["p95_ms"] if f else None

    # one user action = at most one request to /_dash-update-component
    for key in ("national|sqlite",):
        for name, label in INTERACTIONS.items():
            n = configs.get(key, {}).get("requests", {}).get(name)
            if name != "profile_pdf":
                rows.append(_row(f"requests per action, {label}", config_label(key), n, 1, "req"))
    # server time per action
    for key, cold, warm in (("national|sqlite", 20, 5), ("national|postgresql", 40, None)):
        for name in ("ssr_filter", "ssr_drill_region", "ssr_drill_departement"):
            rows.append(_row(f"server, {INTERACTIONS[name]}, cold", config_label(key), server(key, name, "cold"),
                             cold, "ms"))
            if warm:
                rows.append(_row(f"server, {INTERACTIONS[name]}, warm", config_label(key),
                                 server(key, name, "warm"), warm, "ms"))
        for name in ("msap_parameter", "caqes_volet"):
            rows.append(_row(f"server, {INTERACTIONS[name]}, cold", config_label(key), server(key, name, "cold"),
                             40, "ms"))
        rows.append(_row("server, open a profile, cold", config_label(key), server(key, "profile_open", "cold"),
                         250, "ms"))
        rows.append(_row("server, profile PDF, cold", config_label(key), server(key, "profile_pdf", "cold"),
                         1000, "ms"))
    for engine in ("sqlite", "postgresql"):
        nat, st = server(f"national|{engine}", "ssr_filter", "cold"), server(f"stress|{engine}", "ssr_filter", "cold")
        rows.append(_row("server, /ssr filter change cold, stress / national", f"{'SQLite' if engine == 'sqlite' else 'PG'}",
                         st / nat if nat and st else None, 2, "×", "{:.1f}"))
    # browser
    browser = configs.get("national|sqlite", {}).get("browser", {})
    for name, label, target in (("ssr_age", "/ssr age → map repainted", 150),
                                ("msap_ecart", "/msap gap → view updated", 250),
                                ("caqes_volet", "/caqes volet → map repainted", 250)):
        f = browser.get("controls", {}).get(name)
        rows.append(_row(f"browser, {label}", "SQLite national", f and f["p95_ms"], target, "ms"))
    f = browser.get("controls", {}).get("ssr_drill")
    rows.append(_row("browser, /ssr drill-down click → new map", "SQLite national", f and f["p95_ms"], 300, "ms"))
    f = browser.get("loads", {}).get("ssr")
    rows.append(_row("first load /ssr, navigation → map drawn", "SQLite national", f and f["p95_ms"] / 1000, 1.5,
                     "s", "{:.2f}"))
    rows.append(_row("first load /ssr, bytes, cold cache", "SQLite national", f and f["bytes_transferred"] / 1e3,
                     900, "KB"))
    rows.append(_row("first load /ssr, bytes, warm cache", "SQLite national", f and f.get("bytes_warm", 0) / 1e3
                     if f and "bytes_warm" in f else None, 100, "KB"))
    # memory
    for scale in ("national", "stress"):
        for engine in ("sqlite", "postgresql"):
            mem = configs.get(f"{scale}|{engine}", {}).get("memory")
            if scale == "national" or mem:
                rows.append(_row("peak resident memory per worker", config_label(f"{scale}|{engine}"),
                                 max(w["peak_rss_mb"] for w in mem) if mem else None, 250, "MB"))
    for engine in ("sqlite", "postgresql"):
        nat, st = (configs.get(f"{s}|{engine}", {}).get("memory") for s in ("national", "stress"))
        if nat and st:
            rows.append(_row("peak memory, stress / national", "SQLite" if engine == "sqlite" else "PG",
                             max(w["peak_rss_mb"] for w in st) / max(w["peak_rss_mb"] for w in nat), 1.5, "×",
                             "{:.2f}"))
    # load (make load writes bench/load/last-report.json; shown from its last run)
    load = _load_report()
    where = f"make load, {load['date']}" if load else "make load"
    why = "not measured (run `make load`)"
    agg = {ph: next((x for x in v.get("stats", []) if x["name"] == "Aggregated"), None)
           for ph, v in (load or {}).get("phases", {}).items()}
    steady, during = agg.get("steady"), agg.get("import")
    rows.append(_row("load, 50 users, errors", where, steady and steady["failures"], 0, "errors", why=why))
    rows.append(_row("load, 50 users, throughput", where, steady and steady["rps"], 60, "req/s", "{:.1f}",
                     at_least=True, why=why))
    rows.append(_row("load, 50 users, p95 browsing", where, steady and steady["p95_ms"], 250, "ms", why=why))
    rows.append(_row("load, 50 users, p95 during a national import", where, during and during["p95_ms"], 500, "ms",
                     why=why))
    # ratios against the peers (same run, alternated request by request)
    for key in ("national|sqlite", "national|postgresql"):
        peers = configs.get(key, {}).get("peers", {})
        nv = peers.get("naive")
        if nv is not None or key == "national|sqlite":
            err = f"not measured: {nv['error'][:120]}" if nv and "error" in nv else MISSING
            ok = nv and "error" not in nv
            rows.append(_row("naive Dash peer / Atlas, server time p50", config_label(key),
                             nv["ratio_p50"] if ok else None, 10, "×", "{:.1f}", at_least=True, why=err))
            rows.append(_row("naive Dash peer / Atlas, bytes per interaction", config_label(key),
                             nv["bytes"]["ratio"] if ok else None, 20, "×", "{:.1f}", at_least=True, why=err))
    ss = configs.get("national|postgresql", {}).get("peers", {}).get("superset")
    if ss and "error" not in ss:
        rows.append(_row(f"Superset {ss['version']} chart-data / Atlas interaction, p50", "PG national",
                         ss["ratio_p50"], 5, "×", "{:.2f}", at_least=True))
    else:
        rows.append(_row("Superset chart-data / Atlas interaction, p50", "PG national", None, 5, "×", "{:.2f}",
                         at_least=True, why=f"not measured: {ss['error'][:160]}" if ss else
                         "not measured (no PostgreSQL national run, or BENCH_PEERS=0)"))
    return rows


# --- growth with the scale -------------------------------------------------------------------------

def growth(results: dict) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Columns (configurations) and rows (figure, one cell per configuration: "p50 / p95")."""
    configs = results["configs"]
    order = sorted(configs, key=lambda k: (k.split("|")[1] != "sqlite", ("region", "national", "stress").index(
        k.split("|")[0])))
    rows = []

    reps = results["settings"]["reps"]

    def cell(f, scale=1.0, digits=0):
        if not f:
            return "—"
        n = f" (n={f['n']})" if f["n"] < reps else ""
        return f"{f['p50_ms'] * scale:.{digits}f} / {f['p95_ms'] * scale:.{digits}f}{n}"

    for name, label in INTERACTIONS.items():
        for temp in ("cold", "warm"):
            rows.append((f"server ms, {label} ({temp})",
                         [cell(configs[k].get("server", {}).get(f"{name}|{temp}")) for k in order]))
    for name, label in CONTROLS.items():
        rows.append((f"browser ms, {label}",
                     [cell(configs[k].get("browser", {}).get("controls", {}).get(name)) for k in order]))
    for name, label in LOADS.items():
        rows.append((f"first load s, {label}",
                     [cell(configs[k].get("browser", {}).get("loads", {}).get(name), 1 / 1000, 2) for k in order]))
    for name, label in LOADS.items():
        cells = []
        for k in order:
            f = configs[k].get("browser", {}).get("loads", {}).get(name)
            total = f" ({f['bytes_ready'] / 1e6:.2f} MB with the grids)" if f and "bytes_ready" in f else ""
            cells.append(f"{f['bytes_transferred'] / 1e6:.2f} MB{total}" if f else "—")
        rows.append((f"first load bytes, {label}", cells))
    cells = []
    for k in order:
        mem = configs[k].get("memory")
        cells.append(" / ".join(f"{w['peak_rss_mb']:.0f}" for w in mem) + " MB" if mem else "—")
    rows.append(("peak RSS of the 2 workers (VmHWM)", cells))
    # how the p95 grows on SQLite: national / region and stress / national
    pairs = [(a, b) for a, b in (("region|sqlite", "national|sqlite"), ("national|sqlite", "stress|sqlite"))
             if a in configs and b in configs]
    short = {"region": "reg", "national": "nat", "stress": "str"}
    columns = [config_label(k) for k in order] + [f"×{short[b.split('|')[0]]}/{short[a.split('|')[0]]}"
                                                  for a, b in pairs]
    out = []
    for label, cells in rows:
        extra = []
        for a, b in pairs:
            va, vb = _p95(cells[order.index(a)]), _p95(cells[order.index(b)])
            extra.append(f"×{vb / va:.1f}" if va and vb else "")
        out.append((label, cells + extra))
    return columns, out


def _p95(cell: str) -> float | None:
    """The p95 of a "p50 / p95" cell, the value of a "12.3 MB" cell, the first worker of a memory cell."""
    try:
        if " / " in cell:
            part = cell.split(" / ")[1].split()[0]
            return float(part)
        return float(cell.split()[0])
    except (ValueError, IndexError):
        return None


def render(results: dict) -> str:
    out = []
    m = results["machine"]
    out.append(f"Atlas GDR — make bench, {results['date']} — {m['cpu']} ({m['cpus']} cores, {m['memory_gb']} GB), "
               f"Python {m['python']}, SQLite {m['sqlite']}, {m.get('postgresql') or 'no PostgreSQL'}, "
               f"{m.get('chromium')}")
    s = results["settings"]
    load_start = tuple(round(x, 1) for x in m["load_average_start"])
    load_end = tuple(round(x, 1) for x in results.get("load_average_end", ()))
    out.append(f"{s['reps']} measured repetitions after {s['warmup']} warm-up (fewer, at least {s['min_reps']}, when a "
               f"figure's repetitions exceed {s['figure_budget_s']:.0f} s in all: n shown; imports: "
               f"{s['import_reps']}); gunicorn, {s['workers']} workers; Redis cache {s['redis_url']} (cold: FLUSHDB "
               f"before each repetition); load average (1, 5, 15 min) {load_start} at start, {load_end} at end; "
               f"{results.get('duration_s', 0) / 60:.1f} min in all")
    out.append("")
    out.append("Targets (reported, not asserted)")
    rows = targets(results)
    header = ("figure", "where", "measured", "target", "verdict")
    widths = [max(len(r[i]) for r in [*rows, header]) for i in range(5)]
    out.append("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    out.append("  ".join("-" * w for w in widths))
    for r in rows:
        out.append("  ".join(v.ljust(w) for v, w in zip(r, widths)))
    out.append("")
    out.append("Each figure by scale (p50 / p95; server and browser in ms; ×: growth of the p95 on SQLite)")
    columns, grows = growth(results)
    w0 = max(len(r[0]) for r in grows)
    wc = [max(len(c), *(len(r[1][i]) for r in grows)) for i, c in enumerate(columns)]
    out.append(" " * w0 + "  " + "  ".join(c.rjust(w) for c, w in zip(columns, wc)))
    for label, cells in grows:
        out.append(label.ljust(w0) + "  " + "  ".join(c.rjust(w) for c, w in zip(cells, wc)))
    for key, cfg in results["configs"].items():
        if "error" in cfg:
            out.append(f"{config_label(key)}: FAILED, no figures ({cfg['error'].splitlines()[0][:300]})")
    if "imports_error" in results:
        out.append(f"import: FAILED ({results['imports_error'].splitlines()[0][:300]})")
    imp = results.get("imports")
    if imp:
        out.append("")
        out.append(f"Import of the national ssr_recourse file ({_n(imp['rows'])} rows, {imp['file_mb']} MB CSV), rows/s "
                   f"p50 / p95 (seconds per import at p50):")
        for engine, f in imp["engines"].items():
            parts = [f"{mode} {_n(f[mode]['rows_per_s_p50'])} / {_n(f[mode]['rows_per_s_p95'])} "
                     f"({f[mode]['p50_ms'] / 1000:.2f} s, n={f[mode]['n']})" for mode in ("new", "reimport")]
            out.append(f"  {engine:10} " + "; ".join(parts) + f"; `manage.py import` re-import, process start "
                       f"included: {f['cli_reimport_s']} s")
    return "\n".join(out)


if __name__ == "__main__":
    print(render(json.loads((HERE / "results.json").read_text(encoding="utf-8"))))
    sys.exit(0)
