"""The establishment profile's pieces: SVG charts (shared by the page and the PDF), the funnel and
locator figures (plain dicts: plotly's validating Figure objects cost more than the data here),
and the HTML sections of the page. Figures arrive computed (analytics.profile); nothing here
queries or computes a reference."""
from __future__ import annotations

import base64
import html as html_text
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import dash_bootstrap_components as dbc
from dash import html

from analytics import caqes as caqes_rules
from analytics import profile as model
from analytics.secrecy import MASK, SECONDARY
from text.format import MISSING, NBSP, fmt_count, fmt_dec, fmt_int, fmt_pct, fmt_pct_range
from text.labels import ACTIVITY_LABELS, STATUS_LABELS
from components.navigation import can
from security import roles

BRAND = "#0b4f8a"
REGION_COLOR = "#c2410c"
FRANCE_COLOR = "#1d2733"
GREY = "#8a94a3"
MARK_SYMBOLS = {model.BETTER: "▲", model.WORSE: "▼", model.SIMILAR: "≈", model.NEUTRAL: ""}
MARK_CLASSES = {model.BETTER: "mark-better", model.WORSE: "mark-worse", model.SIMILAR: "mark-similar",
                model.NEUTRAL: "mark-neutral"}
MSAP_DECISIONS = {"ciblee": "Ciblée", "notifiee": "Notifiée (MSAP)", "levee": "Levée", "abandonnee": "Abandonnée"}
MSAP_CAMPAIGNS = {"SSR": "SSR après chirurgie orthopédique", "AMBU": "Chirurgie ambulatoire"}
CAQES_PARTS = {"produits_sante": "Produits de santé", "organisation": "Organisation des soins",
               "pertinence": "Pertinence", "socle": "Socle (bon usage)", "transports": "Transports",
               "qualite": "Qualité"}
CAQES_SCOPES = {"national": "national", "regional": "régional"}
SECRET_NOTICE = ("Secret statistique : aucun effectif de 1 à 10 (patients ou séjours) n'est diffusé hors de "
                 "l'Assurance Maladie, ni aucun taux dont le numérateur ou le dénominateur est compris entre 1 et 10 ; "
                 "lorsqu'un total permettrait de retrouver une case masquée par soustraction, une seconde case est "
                 "masquée.")
INTERVAL_NOTE = ("« Similaire » : la référence est dans l'intervalle de confiance à 95 % (Wilson) de l'établissement "
                 "pour les proportions d'événements comptés (réhospitalisations, recours au SSR) ; pour les autres "
                 "indicateurs (durées, actes, personnels déclarés, médianes), l'établissement est à moins de 5 % "
                 "(en relatif) de la référence. Sens « sans jugement » : aucun sens favorable défini.")
POINTS_NOTE = ("Ordre : taux de recours au SSR au-dessus de la limite à 99,8 % de l'entonnoir, puis taux de recours "
               "moins favorables que la région et la France au-delà de l'intervalle à 95 %, puis indicateurs du profil "
               "SSR moins favorables que la région et la France, puis indicateurs CAQES dont la cible n'est pas "
               "atteinte (non atteints d'abord, atteinte la plus faible d'abord).")


PRESENTATION_NOTICE = ("Mode présentation : « < 11 » signale un effectif de 1 à 10, « masqué » un effectif caché "
                       "pour qu'un total ne permette pas de retrouver un autre effectif masqué, « s » un taux ou un "
                       "ratio couvert par le secret statistique.")
SECRET_RATE = "s"  # a rate or ratio hidden by the secret statistique (as analytics.profile writes it)


# ---------------------------------------------------------------------------
# Secret statistique (presentation mode): what each figure of the profile may show
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Shown:
    """How the presentation mode shows a figure num/den: each count as is (None), "< 11" or
    "masqué"; the figure itself (rate, ratio) and what derives from it are hidden when either is."""

    num: str | None = None
    den: str | None = None

    @property
    def hidden(self) -> bool:
        return self.num is not None or self.den is not None

    @classmethod
    def of(cls, num_small: bool = False, num_masked: bool = False, den_small: bool = False,
           den_masked: bool = False) -> "Shown":
        def one(small, masked):
            return MASK if small else SECONDARY if masked else None
        return cls(one(num_small, num_masked), one(den_small, den_masked))


PLAIN = Shown()


@dataclass
class ProfileSecrecy:
    """What the presentation mode hides on one profile: `recourse[gesture]` and `indicators[code]`
    map 'own', 'region', 'france' (and 'comparables' for indicators) to a Shown. Built by
    callbacks.etablissement from the linked suppression of every establishment's counts."""

    recourse: dict[str, dict[str, Shown]] = field(default_factory=dict)
    indicators: dict[str, dict[str, Shown]] = field(default_factory=dict)

    def of_recourse(self, gesture: str, which: str) -> Shown:
        return self.recourse.get(gesture, {}).get(which, PLAIN)

    def of_indicator(self, code: str, which: str) -> Shown:
        return self.indicators.get(code, {}).get(which, PLAIN)


def _recourse_shown(secret: ProfileSecrecy | None, r: model.RecourseRow) -> tuple[Shown, Shown, Shown]:
    if secret is None:
        return PLAIN, PLAIN, PLAIN
    return tuple(secret.of_recourse(r.gesture, w) for w in ("own", "region", "france"))


def count_text(x, shown: str | None) -> str:
    """A count as shown: '12 345', '< 11' or 'masqué'."""
    return shown if shown else fmt_int(x)


def number_text(x, shown: str | None) -> str:
    """A numerator or denominator as shown (analytics.profile.fmt_number, or the mask)."""
    return shown if shown else model.fmt_number(x)


def rate_counts_text(x: int, n: int, shown: Shown = PLAIN) -> str:
    """'62,1 % (118/190)'; in the presentation mode 's (< 11/190)' or 's (masqué/190)'."""
    if shown.hidden:
        return f"{SECRET_RATE} ({count_text(x, shown.num)}/{count_text(n, shown.den)})"
    return model.fmt_rate_counts(x, n)


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
        own, region, france = _recourse_shown(secret, r)
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
        own, region, france = _recourse_shown(secret, r)
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
        own, region, france = _recourse_shown(secret, r)
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


# ---------------------------------------------------------------------------
# Page sections
# ---------------------------------------------------------------------------
def identity_items(info: dict) -> list[tuple[str, str]]:
    """(label, value) pairs of the identity block, shared by the page and the PDF (no FINESS when it
    is hidden, '' in the anonymised presentation mode)."""
    return [("FINESS", info["finess"])] * bool(info["finess"]) + [
        ("Statut", STATUS_LABELS.get(info["legal_status"], info["legal_status"])),
        ("Catégorie", info["category"]),
        ("Activité", ACTIVITY_LABELS.get(info["activity"], info["activity"])),
        ("Commune", f"{info['commune']} ({info['commune_code']})"),
        ("Département", f"{info['departement']} ({info['departement_code']})"),
        ("Région", info["region"]),
        ("Lits et places", f"{fmt_int(info['beds'])} lits, {fmt_int(info['places'])} places"),
    ]


def identity_block(info: dict) -> html.Dl:
    items = []
    for label, value in identity_items(info):
        items += [html.Dt(label), html.Dd(value)]
    return html.Dl(items, className="identity-list")


# Dash's renderer pays for every component of a callback's output, on every store update of the
# page load: a profile of ~700 components took seconds to mount. So a cell is ONE component: its
# lines as text ("value\nbasis\nbasis", CSS white-space: pre-line, the first line styled by
# ::first-line), its better/worse/similar mark as a class whose text CSS adds (::after), its
# sparkline as its background image, described by its aria-label.
MARK_CELL_CLASSES = {model.BETTER: "cell-better", model.WORSE: "cell-worse", model.SIMILAR: "cell-similar"}


def mark_class(mark: str | None) -> str:
    return MARK_CELL_CLASSES.get(mark, "")


def lines_cell(lines: Sequence[str], mark: str | None = None, header: bool = False, className: str = "",
               **kwargs):
    """A table cell showing `lines` (the first one emphasised) and the mark's label below (CSS).

    Value cells hold one text (the first line is short, styled by ::first-line); header cells
    (a label that may wrap over several lines) hold the label and a <small> with the other lines.
    """
    rest = "\n".join(line for line in lines[1:] if line)
    cls = " ".join(c for c in ("lines", className, mark_class(mark)) if c)
    if header:
        return html.Th([lines[0], html.Small(rest)] if rest else lines[0], className=cls + " head", **kwargs)
    return html.Td(lines[0] + ("\n" + rest if rest else ""), className=cls, **kwargs)


def figure_lines(fig: model.Figure, row: model.ProfileRow, reference: str | None = None,
                 shown: Shown = PLAIN) -> tuple[str, list[str]]:
    """(value, basis lines) of one cell of the SSR profile table, page and PDF alike; `shown` (the
    presentation mode) masks the counts of stays or patients and hides a value built on one."""
    value = SECRET_RATE if shown.hidden else model.fmt_value(fig.value, row.unit, row.kind)
    if reference:
        if shown.hidden and row.kind != "count":
            return value, [f"{number_text(fig.numerator, shown.num)}/{number_text(fig.denominator, shown.den)}",
                           f"{fmt_int(fig.n)} établ."]
        return value, model.ref_basis_lines(fig, row.kind)
    if row.kind == "count":
        return value, ["valeur de l'établissement"]
    if shown.hidden:
        return value, [f"({number_text(fig.numerator, shown.num)}/{number_text(fig.denominator, shown.den)})"]
    lines = [model.fmt_basis(fig, row.kind)]
    if row.interval == "wilson" and not pd.isna(fig.low):
        lines.append(f"IC 95 % {fmt_dec(fig.low, 1)} – {fmt_dec(fig.high, 1)}")
    return value, lines


def profile_mark(row: model.ProfileRow, reference: str, secret: ProfileSecrecy | None) -> str | None:
    """The better/worse/similar mark of a reference, none when either figure is hidden."""
    if secret is not None and (secret.of_indicator(row.code, "own").hidden
                               or secret.of_indicator(row.code, reference).hidden):
        return None
    return row.marks.get(reference)


def _value_cell(fig: model.Figure | None, row: model.ProfileRow, reference: str | None = None,
                secret: ProfileSecrecy | None = None) -> html.Td:
    if fig is None:
        return html.Td(MISSING, className="num")
    shown = secret.of_indicator(row.code, reference or "own") if secret is not None else PLAIN
    value, lines = figure_lines(fig, row, reference, shown)
    return lines_cell([value, *lines], profile_mark(row, reference, secret) if reference else None, className="num")


def _spark(points, year, alt, target=None, img: bool = False):
    """The sparkline as the cell's background, described by the cell's aria-label and title; with
    `img`, an <img class="sparkline"> with that description as alt text."""
    if not points:
        return html.Td(MISSING, className="spark-cell")
    uri = svg_data_uri(sparkline_svg(points, mark_year=year, target=target))
    if img:
        return html.Td(html.Img(src=uri, alt=alt, className="sparkline", width=110, height=28), className="spark-cell")
    return html.Td(className="spark-cell spark", title=alt, style={"backgroundImage": f"url({uri})"},
                   **{"aria-label": alt})


def profile_table(rows: Sequence[model.ProfileRow], comparables_tooltip: str, year: int,
                  secret: ProfileSecrecy | None = None) -> html.Div:
    """The four-column SSR profile table (with a sparkline of the establishment's series); `secret`:
    the presentation mode's masks."""
    head = html.Thead(html.Tr([
        html.Th("Indicateur", scope="col"),
        html.Th("Votre établissement", scope="col"),
        html.Th("Région", scope="col", title="Rapport des sommes (ratios) ou médiane (comptages) des établissements "
                                              "de la région"),
        html.Th("France", scope="col", title="Rapport des sommes (ratios) ou médiane (comptages) des établissements "
                                              "de France"),
        html.Th(html.Span("Comparables", className="has-tooltip", title=comparables_tooltip, tabIndex=0,
                          **{"aria-describedby": "etab-comparables-note"}), scope="col"),
        html.Th("Évolution", scope="col"),
    ]))
    body = []
    for r in rows:
        direction = {"higher": "plus élevé = plus favorable", "lower": "plus bas = plus favorable",
                     "neutral": "sans sens favorable"}[r.better]
        detail = (f"{r.numerator_label} / {r.denominator_label}" + (f" × {fmt_int(r.scale)}" if r.scale != 1 else "")
                  if r.kind == "ratio" else "comptage, comparé aux médianes")
        body.append(html.Tr([
            lines_cell([r.label, f"{detail} · {r.source} · {direction}"], header=True, scope="row"),
            _value_cell(r.own, r, secret=secret),
            _value_cell(r.refs["region"], r, "region", secret),
            _value_cell(r.refs["france"], r, "france", secret),
            _value_cell(r.refs["comparables"], r, "comparables", secret),
            _spark(r.series, year, sparkline_alt(r.series, r.unit, r.kind)),
        ]))
    return html.Div([
        html.Table([html.Caption(f"Profil SSR {year} : l'établissement et ses références"), head, html.Tbody(body)],
                   className="profile-table", id="etab-profile-table"),
        html.P(["Comparables : ", comparables_tooltip], className="note", id="etab-comparables-note"),
        html.P(INTERVAL_NOTE, className="note"),
    ], className="table-wrap")


def recourse_cells(r: model.RecourseRow, secret: ProfileSecrecy | None = None) -> dict:
    """The texts of one row of the SSR recourse table (page and PDF): own, region, france as
    (rate, 'x/n') pairs, ci, funnel as (position, range of the 99.8 % limits) or None when hidden,
    region_mark and france_mark (None when hidden)."""
    own, region, france = _recourse_shown(secret, r)

    def pair(value, x, n, shown: Shown) -> tuple[str, str]:
        return SECRET_RATE if shown.hidden else fmt_pct(value), f"{count_text(x, shown.num)}/{count_text(n, shown.den)}"

    funnel_hidden = own.hidden or france.hidden
    return {
        "own": pair(r.rate, r.with_ssr, r.stays, own),
        "ci": SECRET_RATE if own.hidden else fmt_pct_range(r.low, r.high),
        "region": pair(r.region[2], *r.region[:2], region), "france": pair(r.france[2], *r.france[:2], france),
        "region_mark": None if own.hidden or region.hidden else r.marks["region"],
        "france_mark": None if own.hidden or france.hidden else r.marks["france"],
        "funnel": None if funnel_hidden else (r.funnel_position, fmt_pct_range(*r.limits998)),
    }


def recourse_table(rows: Sequence[model.RecourseRow], year: int, secret: ProfileSecrecy | None = None) -> html.Table:
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in
                               ("Geste", "Votre établissement", "IC 95 %", "Région", "France", "Entonnoir",
                                "Évolution")]))
    body = []
    for r in rows:
        series = [(y, v * 100) for y, v in r.series]
        c = recourse_cells(r, secret)
        body.append(html.Tr([
            lines_cell([r.label, r.gesture], header=True, scope="row"),
            lines_cell([c["own"][0], f"({c['own'][1]} séjours)"], className="num"),
            html.Td(c["ci"], className="num nowrap"),
            lines_cell([c["region"][0], f"({c['region'][1]})"], c["region_mark"], className="num"),
            lines_cell([c["france"][0], f"({c['france'][1]})"], c["france_mark"], className="num"),
            lines_cell([c["funnel"][0], f"limites 99,8 % : {c['funnel'][1]}"] if c["funnel"]
                       else [SECRET_RATE, "secret statistique"], header=True, className="plain"),
            _spark(series, year, sparkline_alt(series, "%")),
        ]))
    return html.Table([html.Caption(f"Taux de recours au SSR {year}, tous âges (séjours suivis d'un séjour SSR / "
                                    f"séjours)"), head, html.Tbody(body)], className="profile-table",
                      id="etab-recourse-table")


def presentation_points(recourse: Sequence[model.RecourseRow], rows: Sequence[model.ProfileRow],
                        caqes: pd.DataFrame | None, caqes_year: int | None, secret: ProfileSecrecy) -> list[str]:
    """analytics.profile.attention_points as the presentation mode states them: the same points in
    the same order, with the masks of `secret` (secondary suppression included) instead of the
    figures they cover."""
    def rate(value, shown: Shown) -> str:
        return SECRET_RATE if shown.hidden else fmt_pct(value)

    def recourse_sentence(r: model.RecourseRow) -> str:
        own, region, france = _recourse_shown(secret, r)
        text = (f"Taux de recours au SSR après {r.label.lower()} ({r.gesture}) : "
                f"{rate_counts_text(r.with_ssr, r.stays, own)}, contre {rate(r.region[2], region)} en région et "
                f"{rate(r.france[2], france)} en France")
        if r.above_998:
            return text + f" ; au-dessus de la limite à 99,8{NBSP}% de l'entonnoir (établissement atypique)."
        if own.hidden:
            return text + f" ; au-delà de l'intervalle de confiance à 95{NBSP}%."
        return text + f" ; IC 95{NBSP}% {fmt_pct(r.low)} – {fmt_pct(r.high)}."

    def profile_sentence(r: model.ProfileRow) -> str:
        def ref(name: str) -> str:
            shown = secret.of_indicator(r.code, name)
            return SECRET_RATE if shown.hidden else model.fmt_value(r.refs[name].value, r.unit, r.kind)

        own, lines = figure_lines(r.own, r, None, secret.of_indicator(r.code, "own"))
        if r.kind == "count":
            return (f"{r.label} : {own}, contre une médiane de {ref('region')} en région et de {ref('france')} "
                    f"en France.")
        basis = lines[0] if lines and lines[0] else ""
        return (f"{r.label} : {own}{' ' + basis if basis else ''}, contre {ref('region')} en région et "
                f"{ref('france')} en France.")

    points = [recourse_sentence(r) for r in recourse if r.above_998]
    points += [recourse_sentence(r) for r in recourse
               if not r.above_998 and r.marks["region"] == model.WORSE and r.marks["france"] == model.WORSE]
    points += [profile_sentence(r) for r in rows if r.own is not None and r.worse_than_region_and_france]
    return points + model.attention_points([], [], caqes, caqes_year)


def points_list(points: Sequence[str], year: int) -> html.Div:
    if not points:
        return html.Div([html.P(f"Aucun point d'attention pour {year} selon les règles ci-dessous.",
                                className="lead"), html.P(POINTS_NOTE, className="note")])
    return html.Div([html.Ol([html.Li(p) for p in points], className="points", id="etab-points-list"),
                     html.P(POINTS_NOTE, className="note")])


def msap_block(history: pd.DataFrame, flags: list[tuple[str, str]]) -> html.Div:
    """Default-rule flags (campaign, sentence) and the decision history table."""
    flag_items = [html.Li([html.Strong(f"{MSAP_CAMPAIGNS.get(c, c)} : "), text]) for c, text in flags]
    children = [html.Ul(flag_items, className="flags")] if flag_items else []
    if history.empty:
        children.append(html.P("Aucune décision MSAP enregistrée pour cet établissement."))
        return html.Div(children)
    rows = []
    for r in history.itertuples():
        period = (f"du {_date(r.start_on)} au {_date(r.end_on)}" if r.start_on is not None and not pd.isna(r.start_on)
                  else "")
        rows.append(html.Tr([html.Td(MSAP_CAMPAIGNS.get(r.campaign, r.campaign)), html.Td(r.gesture or "tous"),
                             html.Td(str(r.year), className="num"), html.Td(MSAP_DECISIONS.get(r.decision, r.decision)),
                             html.Td(_date(r.decided_on)), html.Td(period)]))
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in
                               ("Campagne", "Geste", "Campagne de", "Décision", "Date", "Période de MSAP")]))
    children.append(html.Table([html.Caption("Historique des décisions MSAP"), head, html.Tbody(rows)],
                               className="profile-table compact"))
    return html.Div(children)


def _date(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else str(value)


def caqes_summary(results: pd.DataFrame) -> str:
    """'15 indicateurs : 9 atteints, 5 en progrès, 1 non atteint ; score 87 % ; intéressement estimé 12 340 €'."""
    known = results[results["status"].notna()]
    counts = known["status"].value_counts()
    score = caqes_rules.score(known["attainment"], known["weight"])
    incentive = caqes_rules.incentive(results["savings_eur"], results["incentive_rate"])
    parts = [fmt_count(int(counts.get(s, 0)), label, plural) for s, label, plural in
             ((caqes_rules.ATTEINT, "atteint", "atteints"), (caqes_rules.EN_PROGRES, "en progrès", "en progrès"),
              (caqes_rules.NON_ATTEINT, "non atteint", "non atteints"))]
    return (f"{fmt_count(len(results), 'indicateur')} : {', '.join(parts)} ; score (atteinte moyenne) "
            f"{fmt_pct(score, 0)} ; intéressement estimé {fmt_int(round(incentive))}{NBSP}€")


def caqes_block(contracts: pd.DataFrame, shown_year: int | None, results: pd.DataFrame, history: pd.DataFrame,
                year: int) -> html.Div:
    if contracts.empty:
        return html.Div(html.P("Pas de contrat CAQES enregistré pour cet établissement."))
    contract_items = [html.Li(f"Contrat {c.start_year}–{c.end_year}, signé le {_date(c.signed_on)} ; volets : "
                              + ", ".join(CAQES_PARTS.get(p, p) for p in str(c.parts).split("+")))
                      for c in contracts.itertuples()]
    children = [html.Ul(contract_items)]
    if shown_year is None or results.empty:
        children.append(html.P(f"Pas de résultat CAQES jusqu'en {year}."))
        return html.Div(children)
    if shown_year != year:
        children.append(html.P(f"Pas de résultat CAQES en {year} : derniers résultats, {shown_year}.", className="note"))
    children.append(html.P(caqes_summary(results), className="lead"))
    rows = []
    for r in results.to_dict("records"):
        unit = r["unit"] or ""
        past = history[history["indicator"] == r["indicator"]].sort_values("year")
        spark = [(int(y), float(a)) for y, a in zip(past["year"], past["achieved"]) if not pd.isna(a)]
        detail = (f"{CAQES_PARTS.get(r['part'], r['part'])} · {CAQES_SCOPES.get(r['scope'], r['scope'])} · "
                  f"{'plus haut' if r['better'] == 'higher' else 'plus bas'} = mieux")
        rows.append(html.Tr([
            lines_cell([r["label"], detail], header=True, scope="row"),
            html.Td(model.fmt_value(r["baseline"], unit), className="num"),
            html.Td(model.fmt_value(r["target"], unit), className="num"),
            html.Td(model.fmt_value(r["achieved"], unit), className="num"),
            html.Td(r["status"] or "non renseigné", className=f"status status-{(r['status'] or 'na').replace(' ', '-')}"),
            html.Td(fmt_pct(r["attainment"], 0), className="num"),
            html.Td(MISSING if pd.isna(r["savings_eur"]) else f"{fmt_int(round(r['savings_eur']))}{NBSP}€", className="num"),
            _spark(spark, shown_year, sparkline_alt(spark, unit) + f" ; cible {model.fmt_value(r['target'], unit)}",
                   target=r["target"], img=True),
        ]))
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in
                               ("Indicateur", "Valeur initiale", "Cible", "Réalisé", "Statut", "Atteinte",
                                "Économies", "Réalisé par année (cible en tirets)")]))
    children.append(html.Table([html.Caption(f"Indicateurs CAQES {shown_year}"), head, html.Tbody(rows)],
                               className="profile-table compact", id="etab-caqes-table"))
    return html.Div(children)


def header_block(info: dict, subtitle: str, notices: Sequence[str], pdf: str) -> list:
    """Title row (name, subtitle, PDF and search links) and the notices about the address."""
    return [
        html.Div([
            html.Div([html.H1(info["name"], id="etab-title"), html.P(subtitle, className="subtitle")]),
            html.Div([html.A("Profil en PDF", id="etab-pdf", href=pdf, className="button", target="_blank",
                             rel="noopener", hidden=not can(roles.EXPORT_ESTABLISHMENT)),
                      html.A("Tous les établissements", href="/etablissements", className="button")],
                     className="export-links no-print"),
        ], className="page-title"),
        html.Div([html.P(n) for n in notices], className="notice", role="status") if notices else None,
    ]


def top_block(p, locator: str) -> list:
    """Identity (with the locator), points d'attention, SSR profile, SSR recourse tables and chart.
    `p` is a callbacks.etablissement.Profile (its identity as the mode shows it, its masks in the
    presentation mode); `locator` the locator's SVG."""
    info = p.shown
    where = f"{info['commune']}, {info['departement']} ({info['departement_code']})"
    out = [
        html.Div([
            html.Section([html.H2("Identité"), identity_block(info)], className="profile-section identity"),
            html.Div(html.Img(src=svg_data_uri(locator), alt=f"Localisation : {where}", width=300, height=220),
                     className="locator"),
        ], className="identity-row"),
        html.Section([html.H2("Points d'attention"), points_list(p.points, p.year)], className="profile-section",
                     id="etab-points-section"),
    ]
    if p.is_ssr and p.has_profile_values:
        profile = profile_table(p.profile_rows, p.comparables_text, p.year, p.secrecy)
    elif p.is_ssr:
        profile = html.P(f"Pas d'indicateur du profil SSR pour {p.year}.")
    else:
        profile = html.P("Établissement sans activité SSR : pas de profil SSR (voir le recours au SSR ci-dessous).")
    out.append(html.Section([html.H2("Profil SSR"), profile], className="profile-section", id="etab-profile-section"))
    if p.is_mco:
        if p.recourse_rows:
            body = [recourse_table(p.recourse_rows, p.year, p.secrecy),
                    html.Img(src=svg_data_uri(recourse_chart_svg(p.recourse_rows, secret=p.secrecy)),
                             alt=recourse_chart_alt(p.recourse_rows, p.secrecy), className="recourse-chart")]
        else:
            body = [html.P(f"Aucun séjour pour les quatre gestes en {p.year}.")]
        out.append(html.Section([html.H2("Recours au SSR après chirurgie orthopédique"), *body],
                                className="profile-section", id="etab-recourse-section"))
    return out


def bottom_block(p) -> list:
    """MSAP, CAQES, sources and the secret-statistique notice."""
    out = []
    if p.is_mco or not p.msap_history.empty:
        out.append(html.Section([html.H2("Mise sous accord préalable (MSAP)"), msap_block(p.msap_history, p.msap_flags)],
                                className="profile-section", id="etab-msap-section"))
    out.append(html.Section([html.H2("CAQES"), caqes_block(p.caqes_contracts, p.caqes_year, p.caqes_results,
                                                            p.caqes_history, p.year)],
                            className="profile-section", id="etab-caqes-section"))
    notices = [SECRET_NOTICE] + ([PRESENTATION_NOTICE] if p.secrecy is not None else [])
    out.append(html.Footer([html.P(line) for line in p.sources] + [html.P(n) for n in notices],
                           className="profile-sources"))
    return out


def not_found(finess: str | None, query: str = "") -> html.Div:
    """The French 'établissement introuvable' block with a search box (a plain GET form to
    /etablissements, so it works without any callback)."""
    shown = (finess or "").strip()
    return html.Div([
        html.H1("Établissement introuvable"),
        html.P(f"Aucun établissement ne porte le numéro FINESS « {shown[:40]} »." if shown else
               "Aucun numéro FINESS n'a été indiqué.", className="lead"),
        html.P("Un numéro FINESS compte 9 caractères : le département (2 chiffres, 2A ou 2B) puis 7 chiffres."),
        html.Form([
            html.Label("Rechercher un établissement (nom, FINESS ou commune)", htmlFor="etab-notfound-q"),
            html.Div([dbc.Input(id="etab-notfound-q", name="q", type="search", value=query,
                                placeholder="ex. : clinique saint, 330000017, Périgueux"),
                      html.Button("Rechercher", type="submit", className="button")], className="search-row"),
        ], action="/etablissements", method="get", className="notfound-form"),
    ], className="not-found")
