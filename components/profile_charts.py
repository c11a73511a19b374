"""The establishment profile's charts, shared by the page and the PDF: SVG sparklines, the SSR
recourse chart, the funnel plot and the locator (inline in the PDF, as data URIs on the page), and
the interactive funnel as a plotly figure (a plain dict: plotly's validating Figure objects cost
more than the data here). Figures arrive computed (analytics.profile, services.profile)."""
from __future__ import annotations

import base64
import html as html_text
import math
from collections.abc import Sequence

import pandas as pd

from analytics import profile as model
from analytics.profile_secrecy import SECRET_RATE, ProfileSecrecy, Shown, count_text, rate_counts_text, recourse_shown
from text.format import fmt_count, fmt_int, fmt_pct

BRAND = "#0b4f8a"
REGION_COLOR = "#c2410c"
FRANCE_COLOR = "#1d2733"
GREY = "#8a94a3"


# ---------------------------------------------------------------------------
# SVG (inline in the PDF, as data URIs on the page)
# ---------------------------------------------------------------------------
def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _esc(text: str) -> str:
    return html_text.escape(str(text), quote=True)


def sparkline_svg(points: Sequence[tuple[int, float]], width: int = 110, height: int = 28,
                  mark_year: int | None = None, target: float | None = None, color: str = BRAND) -> str:
    """A small line of values over the years (no axes); the `mark_year` point is drawn as a dot
    (else the last one); `target` adds a dashed horizontal line. Empty series: an empty box."""
    pts = [(int(y), float(v)) for y, v in points if v is not None and not pd.isna(v)]
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">')
    if not pts:
        return head + "</svg>"
    values = [v for _, v in pts] + ([target] if target is not None and not pd.isna(target) else [])
    lo, hi = min(values), max(values)
    if hi - lo < 1e-12:
        lo, hi = lo - 1, hi + 1
    years = [y for y, _ in pts]
    y0, y1 = min(years), max(years)
    pad = 3

    def xy(year, value):
        x = pad + (width - 2 * pad) * ((year - y0) / (y1 - y0) if y1 > y0 else 0.5)
        y = pad + (height - 2 * pad) * (1 - (value - lo) / (hi - lo))
        return round(x, 1), round(y, 1)

    parts = [head]
    if target is not None and not pd.isna(target):
        _, ty = xy(y0, target)
        parts.append(f'<line x1="{pad}" x2="{width - pad}" y1="{ty}" y2="{ty}" stroke="{REGION_COLOR}" '
                     f'stroke-width="1" stroke-dasharray="3 2"/>')
    coords = " ".join(f"{x},{y}" for x, y in (xy(*p) for p in pts))
    parts.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="1.6" '
                 f'stroke-linejoin="round"/>')
    mark = next(((y, v) for y, v in pts if y == mark_year), pts[-1])
    mx, my = xy(*mark)
    parts.append(f'<circle cx="{mx}" cy="{my}" r="2.6" fill="{color}"/>')
    parts.append("</svg>")
    return "".join(parts)


def sparkline_alt(points: Sequence[tuple[int, float]], unit: str, kind: str = "ratio") -> str:
    """'Évolution 2015–2024 : de 30,1 jours à 28,4 jours (10 années)'."""
    pts = [(y, v) for y, v in points if v is not None and not pd.isna(v)]
    if not pts:
        return "Pas de série"
    (ya, va), (yb, vb) = pts[0], pts[-1]
    return (f"Évolution {ya}–{yb} : de {model.fmt_value(va, unit, kind)} à {model.fmt_value(vb, unit, kind)} "
            f"({fmt_count(len(pts), 'année')})")


def recourse_chart_svg(rows: Sequence[model.RecourseRow], width: int = 680,
                       secret: ProfileSecrecy | None = None) -> str:
    """Dot-and-interval chart of the SSR recourse rates: per gesture, the establishment's rate (dot)
    with its Wilson 95 % interval (bar), the regional rate (orange diamond) and the national rate
    (dark tick); the funnel's 99.8 % upper limit for its volume as a dashed grey tick. A rate
    masked by the secret statistique (`secret`, presentation mode) is not drawn, nor what derives
    from it; the axis fits what is drawn."""
    label_w, value_w, row_h, top, bottom = 175, 150, 30, 8, 46
    plot_w = width - label_w - value_w
    height = top + row_h * max(len(rows), 1) + bottom
    drawn = []
    for r in rows:
        own, region, france = recourse_shown(secret, r)
        drawn += [r.high if not own.hidden else None, r.region[2] if not region.hidden else None,
                  r.france[2] if not france.hidden else None,
                  r.limits998[1] if not (own.den or france.hidden) else None]
    top_value = max([0.2] + [v for v in drawn if v is not None and not pd.isna(v)])
    axis_max = min(1.0, math.ceil(top_value * 10 + 0.5) / 10)

    def x(p):
        return round(label_w + plot_w * p / axis_max, 1)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="DejaVu Sans, Arial, sans-serif" font-size="11" role="img">']
    step = 0.1 if axis_max <= 0.6 else 0.2
    k = 0
    while k * step <= axis_max + 1e-9:
        p = k * step
        out.append(f'<line x1="{x(p)}" x2="{x(p)}" y1="{top}" y2="{top + row_h * len(rows)}" stroke="#e3e7ed"/>')
        out.append(f'<text x="{x(p)}" y="{top + row_h * len(rows) + 13}" text-anchor="middle" fill="#55606e">'
                   f'{_esc(fmt_pct(p, 0))}</text>')
        k += 1
    for i, r in enumerate(rows):
        own, region, france = recourse_shown(secret, r)
        cy = top + row_h * i + row_h / 2
        out.append(f'<text x="4" y="{cy + 4}" fill="#1d2733">{_esc(r.gesture)} · {_esc(count_text(r.stays, own.den))} '
                   f'séj.</text>')
        if r.limits998[1] == r.limits998[1] and not (own.den or france.hidden):
            lx = x(min(r.limits998[1], axis_max))
            out.append(f'<line x1="{lx}" x2="{lx}" y1="{cy - 10}" y2="{cy + 10}" stroke="{GREY}" '
                       f'stroke-dasharray="2 2" stroke-width="1.2"/>')
        if not france.hidden:
            fx = x(r.france[2])
            out.append(f'<line x1="{fx}" x2="{fx}" y1="{cy - 9}" y2="{cy + 9}" stroke="{FRANCE_COLOR}" '
                       f'stroke-width="2.2"/>')
        if not region.hidden:
            rx = x(r.region[2])
            out.append(f'<path d="M{rx},{cy - 6} L{rx + 6},{cy} L{rx},{cy + 6} L{rx - 6},{cy} Z" '
                       f'fill="{REGION_COLOR}"/>')
        if not own.hidden:
            out.append(f'<line x1="{x(r.low)}" x2="{x(r.high)}" y1="{cy}" y2="{cy}" stroke="{BRAND}" stroke-width="3" '
                       f'stroke-linecap="round" opacity="0.55"/>')
            out.append(f'<circle cx="{x(r.rate)}" cy="{cy}" r="5" fill="{BRAND}" stroke="#fff" stroke-width="1"/>')
        out.append(f'<text x="{width - value_w + 8}" y="{cy + 4}" fill="#1d2733">'
                   f'{_esc(rate_counts_text(r.with_ssr, r.stays, own))}</text>')
    ly = top + row_h * len(rows) + 32
    legend = [("dot", BRAND, "Établissement (IC 95 %)"), ("diamond", REGION_COLOR, "Région"),
              ("tick", FRANCE_COLOR, "France"), ("dash", GREY, "Limite 99,8 % de l'entonnoir")]
    lx = 4
    for kind, color, text in legend:
        if kind == "dot":
            out.append(f'<circle cx="{lx + 5}" cy="{ly - 4}" r="5" fill="{color}"/>')
        elif kind == "diamond":
            out.append(f'<path d="M{lx + 5},{ly - 10} L{lx + 11},{ly - 4} L{lx + 5},{ly + 2} L{lx - 1},{ly - 4} Z" '
                       f'fill="{color}"/>')
        elif kind == "tick":
            out.append(f'<line x1="{lx + 5}" x2="{lx + 5}" y1="{ly - 12}" y2="{ly + 4}" stroke="{color}" '
                       f'stroke-width="2.2"/>')
        else:
            out.append(f'<line x1="{lx + 5}" x2="{lx + 5}" y1="{ly - 12}" y2="{ly + 4}" stroke="{color}" '
                       f'stroke-dasharray="2 2" stroke-width="1.2"/>')
        out.append(f'<text x="{lx + 16}" y="{ly}" fill="#1d2733">{_esc(text)}</text>')
        lx += 16 + 7 * len(text) + 18
    out.append("</svg>")
    return "".join(out)


def recourse_chart_alt(rows: Sequence[model.RecourseRow], secret: ProfileSecrecy | None = None) -> str:
    def rate(value, shown: Shown) -> str:
        return SECRET_RATE if shown.hidden else fmt_pct(value)

    parts = []
    for r in rows:
        own, region, france = recourse_shown(secret, r)
        parts.append(f"{r.gesture} {rate(r.rate, own)} (région {rate(r.region[2], region)}, "
                     f"France {rate(r.france[2], france)})")
    return "Taux de recours au SSR par geste : " + " ; ".join(parts)


def _nice_step(span: float, target: int = 6) -> float:
    raw = span / target
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def funnel_svg(points: pd.DataFrame, p0: float, curve: pd.DataFrame, finess: str, width: int = 860,
               height: int = 330) -> str:
    """The funnel plot as SVG (page and PDF; no plotly.js needed): every establishment's rate (%)
    against its stays (grey dots), the 95 % (dashed) and 99.8 % (solid) limits around the national
    rate p0 (line), the establishment as a blue diamond. `points`: finess, stays, stays_with_ssr,
    rate; `curve`: analytics.profile.funnel_curve."""
    ml, mr, mt, mb = 52, 26, 10, 58
    pw, ph = width - ml - mr, height - mt - mb
    n_max = max(float(points["stays"].max()) if len(points) else 10, 10)
    x_step = _nice_step(n_max)
    x_max = math.ceil(n_max * 1.02 / x_step) * x_step
    top = max([p0 * 2, float(points["rate"].max()) if len(points) else 0, 0.1])
    y_max = min(1.0, math.ceil(top * 10 + 0.2) / 10)

    def X(n):
        return round(ml + pw * float(n) / x_max, 1)

    def Y(p):
        return round(mt + ph * (1 - min(max(float(p), 0), y_max) / y_max), 1)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="DejaVu Sans, Arial, sans-serif" font-size="11">',
           f'<defs><clipPath id="plot"><rect x="{ml}" y="{mt}" width="{pw}" height="{ph}"/></clipPath></defs>']
    y_step = 0.1 if y_max <= 0.6 else 0.2
    k = 0
    while k * y_step <= y_max + 1e-9:
        y = Y(k * y_step)
        out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{y}" y2="{y}" stroke="#eef1f5"/>'
                   f'<text x="{ml - 6}" y="{y + 4}" text-anchor="end" fill="#55606e">{_esc(fmt_pct(k * y_step, 0))}</text>')
        k += 1
    k = 0
    while k * x_step <= x_max + 1e-9:
        x = X(k * x_step)
        out.append(f'<line x1="{x}" x2="{x}" y1="{mt}" y2="{mt + ph}" stroke="#eef1f5"/>'
                   f'<text x="{x}" y="{mt + ph + 15}" text-anchor="middle" fill="#55606e">{_esc(fmt_int(k * x_step))}</text>')
        k += 1
    out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{mt + ph}" y2="{mt + ph}" stroke="#8a94a3"/>'
               f'<line x1="{ml}" x2="{ml}" y1="{mt}" y2="{mt + ph}" stroke="#8a94a3"/>')
    out.append(f'<text x="{ml + pw / 2}" y="{mt + ph + 31}" text-anchor="middle" fill="#1d2733">Séjours (volume)</text>'
               f'<text x="13" y="{mt + ph / 2}" text-anchor="middle" fill="#1d2733" '
               f'transform="rotate(-90 13 {mt + ph / 2})">Taux de recours (%)</text>')
    g = ['<g clip-path="url(#plot)">']
    others = points[points["finess"] != finess]
    # one path of zero-length round-capped segments (a dot each): far lighter to draw than 1,000 circles
    dots = " ".join(f"M{X(n)},{Y(r)}h0" for n, r in zip(others["stays"], others["rate"]))
    g.append(f'<path d="{dots}" stroke="#7a8595" stroke-opacity="0.45" stroke-width="4.8" stroke-linecap="round"/>')

    def path(col):
        return "M" + " L".join(f"{X(n)},{Y(v)}" for n, v in zip(curve["n"], curve[col]) if v == v)

    for col, dash, color in (("lo998", "", "#7a3b00"), ("hi998", "", "#7a3b00"), ("lo95", "5 3", "#c2410c"),
                             ("hi95", "5 3", "#c2410c")):
        g.append(f'<path d="{path(col)}" fill="none" stroke="{color}" stroke-width="1.5"'
                 + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
    g.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{Y(p0)}" y2="{Y(p0)}" stroke="{FRANCE_COLOR}" stroke-width="1.2"/>')
    mine = points[points["finess"] == finess]
    if not mine.empty:
        cx, cy = X(mine["stays"].iloc[0]), Y(mine["rate"].iloc[0])
        g.append(f'<path d="M{cx},{cy - 8} L{cx + 8},{cy} L{cx},{cy + 8} L{cx - 8},{cy} Z" fill="{BRAND}" '
                 f'stroke="#fff" stroke-width="1.5"/>')
    g.append("</g>")
    out += g
    ly = height - 10
    legend = [("solid", "#7a3b00", "Limites à 99,8 %"), ("dash", "#c2410c", "Limites à 95 %"),
              ("line", FRANCE_COLOR, f"France : {fmt_pct(p0)}"), ("dot", "#7a8595", "Autres établissements"),
              ("diamond", BRAND, "Cet établissement")]
    lx = ml
    for kind, color, text in legend:
        if kind in ("solid", "dash", "line"):
            out.append(f'<line x1="{lx}" x2="{lx + 22}" y1="{ly - 4}" y2="{ly - 4}" stroke="{color}" stroke-width="1.5"'
                       + (' stroke-dasharray="5 3"' if kind == "dash" else "") + "/>")
        elif kind == "dot":
            out.append(f'<circle cx="{lx + 11}" cy="{ly - 4}" r="3" fill="{color}" fill-opacity="0.6"/>')
        else:
            out.append(f'<path d="M{lx + 11},{ly - 11} L{lx + 18},{ly - 4} L{lx + 11},{ly + 3} L{lx + 4},{ly - 4} Z" '
                       f'fill="{color}"/>')
        out.append(f'<text x="{lx + 27}" y="{ly}" fill="#1d2733">{_esc(text)}</text>')
        lx += 27 + 6.6 * len(text) + 22
    out.append("</svg>")
    return "".join(out)


# ---------------------------------------------------------------------------
# Figures (dicts)
# ---------------------------------------------------------------------------
def funnel_figure(points: pd.DataFrame, p0: float, curve: pd.DataFrame, finess: str, names: dict[str, str],
                  title: str) -> dict:
    """Funnel plot: every establishment (grey) as rate (%) against stays, the 95 % and 99.8 %
    limits around the national rate p0, the establishment highlighted. `points`: finess,
    stays, stays_with_ssr, rate; `curve`: from analytics.profile.funnel_curve."""
    others = points[points["finess"] != finess]
    mine = points[points["finess"] == finess]
    n = curve["n"].tolist()

    def pct(s):
        return (s * 100).round(2).tolist()

    def limit(y, name, dash, color, legend=True):
        return {"type": "scatter", "mode": "lines", "x": n, "y": pct(y), "name": name, "legendgroup": name,
                "showlegend": legend, "hoverinfo": "skip", "line": {"color": color, "width": 1.4, "dash": dash}}

    traces = [
        limit(curve["hi998"], "Limites à 99,8 %", "solid", "#7a3b00"),
        limit(curve["lo998"], "Limites à 99,8 %", "solid", "#7a3b00", False),
        limit(curve["hi95"], "Limites à 95 %", "dash", "#c2410c"),
        limit(curve["lo95"], "Limites à 95 %", "dash", "#c2410c", False),
        {"type": "scatter", "mode": "lines", "x": [n[0], n[-1]], "y": [round(p0 * 100, 2)] * 2,
         "name": f"France : {fmt_pct(p0)}", "hoverinfo": "skip", "line": {"color": FRANCE_COLOR, "width": 1.2}},
        {"type": "scatter", "mode": "markers", "x": others["stays"].tolist(), "y": pct(others["rate"]),
         "name": "Autres établissements", "marker": {"color": "rgba(120,130,145,0.45)", "size": 5},
         "text": [f"{names.get(f, f)}<br>{fmt_pct(r)} ({x}/{s} séjours)" for f, r, x, s in
                  zip(others["finess"], others["rate"], others["stays_with_ssr"], others["stays"])],
         "hovertemplate": "%{text}<extra></extra>"},
    ]
    if not mine.empty:
        r = mine.iloc[0]
        traces.append({"type": "scatter", "mode": "markers", "x": [int(r["stays"])], "y": [round(r["rate"] * 100, 2)],
                       "name": "Cet établissement",
                       "marker": {"color": BRAND, "size": 14, "symbol": "diamond", "line": {"color": "#fff", "width": 1.5}},
                       "text": [f"{names.get(finess, finess)}<br>{fmt_pct(r['rate'])} "
                                f"({int(r['stays_with_ssr'])}/{int(r['stays'])} séjours)"],
                       "hovertemplate": "%{text}<extra></extra>"})
    layout = {"title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 14}},
              "margin": {"l": 56, "r": 10, "t": 40, "b": 46}, "height": 360,
              "xaxis": {"title": {"text": "Séjours (volume)"}, "rangemode": "tozero", "gridcolor": "#eef1f5"},
              "yaxis": {"title": {"text": "Taux de recours (%)"}, "rangemode": "tozero", "gridcolor": "#eef1f5"},
              "legend": {"orientation": "h", "y": -0.2, "font": {"size": 11}}, "separators": ", ",
              "paper_bgcolor": "white", "plot_bgcolor": "white", "hovermode": "closest",
              "font": {"family": "system-ui, Arial, sans-serif", "size": 12}}
    return {"data": traces, "layout": layout}


def rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [poly[0] for poly in geometry["coordinates"]]
    return []


def locator_svg(lat: float, lon: float, departement: dict | None, width: int = 300, height: int = 220) -> str:
    """A small locator drawn as SVG (offline, no map tiles, no WebGL): the département's outline
    and the establishment's point, in a local equirectangular projection (x scaled by cos(lat)),
    fitted to the box. `departement`: a GeoJSON feature (WGS84)."""
    all_rings = rings(departement["geometry"]) if departement else []
    xs = [p[0] for ring in all_rings for p in ring] + [lon]
    ys = [p[1] for ring in all_rings for p in ring] + [lat]
    k = math.cos(math.radians((min(ys) + max(ys)) / 2))
    span_x, span_y = max((max(xs) - min(xs)) * k, 1e-3), max(max(ys) - min(ys), 1e-3)
    pad = 12
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    ox = (width - span_x * scale) / 2
    oy = (height - span_y * scale) / 2

    def pt(x, y):
        return round(ox + (x - min(xs)) * k * scale, 1), round(oy + (max(ys) - y) * scale, 1)

    paths = []
    for ring in all_rings:
        coords = [pt(x, y) for x, y in ring[:: max(1, len(ring) // 400)]]
        paths.append("M" + " L".join(f"{x},{y}" for x, y in coords) + " Z")
    px, py = pt(lon, lat)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f'<path d="{" ".join(paths)}" fill="#e8eef6" stroke="#55606e" stroke-width="1.2" fill-rule="evenodd"/>'
            f'<circle cx="{px}" cy="{py}" r="9" fill="{REGION_COLOR}" opacity="0.25"/>'
            f'<circle cx="{px}" cy="{py}" r="5" fill="{REGION_COLOR}" stroke="#fff" stroke-width="1.5"/></svg>')
