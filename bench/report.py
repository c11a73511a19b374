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
    if value >= target:
        return f"met, {_n(value - target)} {unit} above"
    return f"MISSED, {_n(target - value)} {unit} short ({value / target:.0%} of it)"


def targets(results: dict) -> list[tuple[str, str, str, str, str]]:
    """(figure, where, measured, target, verdict) for every target that has a measurement."""
    rows = []
    configs = results["configs"]

    def server(key, name, temp):
        return configs.get(key, {}).get("server", {}).get(f"{name}|{temp}")

    for key in ("national|sqlite", "national|postgresql"):
        if f := server(key, "ssr_filter", "cold"):
            rows.append(("server, /ssr filter change, cold, p95", config_label(key), f"{f['p95_ms']:.0f} ms",
                         "≤ 50 ms", _at_most(f["p95_ms"], 50, "ms")))
        if f := server(key, "ssr_filter", "warm"):
            rows.append(("server, /ssr filter change, warm, p95", config_label(key), f"{f['p95_ms']:.0f} ms",
                         "≤ 10 ms", _at_most(f["p95_ms"], 10, "ms")))
    for key in ("stress|sqlite", "stress|postgresql"):
        if f := server(key, "ssr_filter", "cold"):
            rows.append(("server, /ssr filter change, cold, p95", config_label(key), f"{f['p95_ms']:.0f} ms",
                         "≤ 150 ms", _at_most(f["p95_ms"], 150, "ms")))
    for key in ("national|sqlite", "stress|sqlite"):
        browser = configs.get(key, {}).get("browser", {})
        for name, label in CONTROLS.items():
            if f := browser.get("controls", {}).get(name):
                rows.append((f"browser, {label}, p95", config_label(key), f"{f['p95_ms']:.0f} ms", "≤ 300 ms",
                             _at_most(f["p95_ms"], 300, "ms")))
        for name, label in LOADS.items():
            if f := browser.get("loads", {}).get(name):
                rows.append((f"first load {label}, p95", config_label(key), f"{f['p95_ms'] / 1000:.2f} s",
                             "≤ 1.5 s", _at_most(f["p95_ms"] / 1000, 1.5, "s", "{:.2f}")))
                mb = f["bytes_transferred"] / 1e6
                rows.append((f"first load {label}, bytes", config_label(key), f"{mb:.2f} MB", "≤ 1.5 MB",
                             _at_most(mb, 1.5, "MB", "{:.2f}")))
    for key, cfg in configs.items():
        if mem := cfg.get("memory"):
            peak = max(w["peak_rss_mb"] for w in mem)
            rows.append(("peak resident memory per worker", config_label(key), f"{peak:.0f} MB", "≤ 300 MB",
                         _at_most(peak, 300, "MB")))
    imp = results.get("imports", {}).get("engines", {})
    for engine, target in (("postgresql", 100_000), ("sqlite", 50_000)):
        if f := imp.get(engine):
            for mode, label in (("new", "new rows"), ("reimport", "re-import")):
                v = f[mode]["rows_per_s_p50"]
                rows.append((f"import national ssr_recourse, {label}, p50",
                             "PostgreSQL" if engine == "postgresql" else "SQLite", f"{_n(v)} rows/s",
                             f"≥ {_n(target)}/s", _at_least(v, target, "rows/s")))
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
            cells.append(f"{f['bytes_transferred'] / 1e6:.2f} MB" if f else "—")
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
