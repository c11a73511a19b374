"""MSAP targeting: count block, grid columns (the rows, shared with the CSV and the workbook, come
from services.msap), funnel plot, sensitivity chart, map of flagged establishments. Pure
functions, no callbacks."""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import html

from analytics import msap as model
from analytics.funnel import LEVELS, funnel_limits
from analytics.secrecy import MASKED, SECRET, count_display
from components import france_map
from text.format import NBSP, fmt_count, fmt_dec, fmt_int, fmt_pct, fmt_pts

CASES_HEADINGS = {"SSR": ("Suivis de SSR", "Séjours suivis d'un séjour SSR"),
                  "AMBU": ("Ambulatoires", "Séjours en chirurgie ambulatoire (sortie le jour même)")}
FLAG_COLOR = "#c2410c"  # the app's accent (orange-red), readable on white and on a projector
OK_COLOR = "#5b7fa6"
SMALL_COLOR = "#b8bec6"
REF_COLOR = "#1d2733"
NEUTRAL_FILL = "#eceff3"


# ---------------------------------------------------------------------------
# Count and notices
# ---------------------------------------------------------------------------
def notices_block(notices: list[str]):
    """The French notices for values refused (none: nothing)."""
    return html.Div([html.P(n) for n in notices], className="notice") if notices else None


def count_block(evaluated: pd.DataFrame, rule: model.MsapRule, national: pd.Series,
                secret: model.Secrecy | None = None) -> list:
    """'12 établissements ciblés sur 340 examinés' and its basis (national rate; in the presentation
    mode `secret`, the national counts as the secret statistique allows)."""
    s = model.summary(evaluated)
    _singular, plural = model.CASES_NAMES[rule.campagne]
    details = []
    if s["below_volume"]:
        details.append(f"dont {fmt_int(s['below_volume'])} sous le volume minimal de {fmt_int(rule.volume_min)} "
                       f"séjours")
    if s.get("withheld"):
        details.append(f"{fmt_count(s['withheld'], 'non évalué', 'non évalués')} (secret statistique)")
    basis = (f"Taux national : {fmt_pct(national['rate'])} ({fmt_int(national['cases'])} {plural} sur "
             f"{fmt_count(national['stays'], 'séjour')})") if national["stays"] else "Pas de données"
    if secret is not None and national["stays"] and secret.national_hidden:
        cases = MASKED if secret.national_cases_masked else fmt_int(national["cases"])
        stays = MASKED if secret.national_stays_masked else fmt_int(national["stays"])
        basis = f"Taux national : {SECRET} ({cases} {plural} sur {stays}{NBSP}séjours)"
    return [html.Div([html.Span(fmt_count(s["flagged"], "établissement ciblé", "établissements ciblés"),
                                className="msap-count-value"),
                      html.Span(f" sur {fmt_int(s['examined'])}{NBSP}examiné{'s' if s['examined'] >= 2 else ''}",
                                className="msap-count-of")]),
            html.Div(" · ".join(details + [basis]), className="kpi-basis")]


# ---------------------------------------------------------------------------
# Grid columns (the rows: services.msap.table)
# ---------------------------------------------------------------------------
_NUM = {"type": "numericColumn"}
_FR1 = "(params.value).toLocaleString('fr-FR', {minimumFractionDigits: 1, maximumFractionDigits: 1})"
_PCT = {**_NUM, "valueFormatter": {"function": f"params.value == null ? '–' : {_FR1} + '\u00a0%'"}}
_PTS = {**_NUM, "valueFormatter": {"function": f"params.value == null ? '–' : (params.value > 0 ? '+' : '') + "
                                               f"{_FR1} + (Math.abs(params.value) < 2 ? '\u00a0pt' : '\u00a0pts')"}}
_INT = {**_NUM, "valueFormatter": {"function": "params.value == null ? '–' : "
                                               "Number(params.value).toLocaleString('fr-FR')"}}


# Presentation mode: a cell may hold a text ("masqué", "secret statistique"), shown as is.
_TEXT = "typeof params.value === 'string' ? params.value : "
_PCT_S = {**_NUM, "valueFormatter": {"function": _TEXT + _PCT["valueFormatter"]["function"]}}
_PTS_S = {**_NUM, "valueFormatter": {"function": _TEXT + _PTS["valueFormatter"]["function"]}}
_INT_S = {**_NUM, "valueFormatter": {"function": _TEXT + _INT["valueFormatter"]["function"]}}


def columns(campaign: str, presentation: bool = False, anonymised: bool = False) -> list[dict]:
    """Grid columns (French headings; raw numbers kept for sorting, shown the French way). In the
    presentation mode, number columns show the texts of the secret statistique as they are; when
    anonymised, no FINESS column (the `finess` field then holds the profile's address code)."""
    cols = _columns(campaign)
    if not presentation:
        return cols
    out = []
    for col in cols:
        if anonymised and col.get("field") == "finess":
            continue
        col = dict(col)
        for kind, text in ((_PCT, _PCT_S), (_PTS, _PTS_S), (_INT, _INT_S)):
            if col.get("valueFormatter") == kind["valueFormatter"]:
                col["valueFormatter"] = text["valueFormatter"]
        if col.get("colId") == "ic95":
            col["valueGetter"] = {"function": "typeof params.data.ic95_bas_pct === 'string' ? "
                                              "params.data.ic95_bas_pct : " + col["valueGetter"]["function"]}
        out.append(col)
    return out


def _columns(campaign: str) -> list[dict]:
    return [
        {"field": "finess", "headerName": "FINESS", "pinned": "left", "width": 106},
        {"colId": "etablissement", "headerName": "Établissement", "cellRenderer": "markdown", "pinned": "left",
         "width": 250, "tooltipField": "raison_sociale",
         # a markdown link built in the browser (not sent with every row): [name](/etablissement/<finess>)
         "valueGetter": {"function": "'[' + params.data.raison_sociale.replace(/[\\[\\]]/g, '') + "
                                     "'](/etablissement/' + params.data.finess + ')'"}},
        {"field": "cible", "headerName": "Ciblé", "width": 78,
         "cellClassRules": {"msap-cell-flagged": "params.value === 'oui'"}},
        {"field": "taux_pct", "headerName": "Taux", **_PCT, "width": 84},
        {"colId": "ic95", "headerName": "IC 95 % (%)", "sortable": False, "width": 112,
         "valueGetter": {"function": "params.data.ic95_bas_pct == null ? '–' : "
                                     f"{_FR1.replace('params.value', 'params.data.ic95_bas_pct')} + ' – ' + "
                                     f"{_FR1.replace('params.value', 'params.data.ic95_haut_pct')}"},
         "headerTooltip": "Intervalle de confiance à 95 % du taux (Wilson)"},
        {"field": "ecart_regional_pts", "headerName": "Écart région", **_PTS, "width": 112,
         "headerTooltip": "Taux de l'établissement − taux régional, en points"},
        {"field": "ecart_national_pts", "headerName": "Écart France", **_PTS, "width": 112,
         "headerTooltip": "Taux de l'établissement − taux national, en points"},
        {"field": "sejours", "headerName": "Séjours", **_INT, "width": 90},
        {"field": "sejours_cibles", "headerName": CASES_HEADINGS[campaign][0], **_INT, "width": 112,
         "headerTooltip": CASES_HEADINGS[campaign][1]},
        {"field": "taux_regional_pct", "headerName": "Taux régional", **_PCT, "width": 112},
        {"field": "taux_national_pct", "headerName": "Taux national", **_PCT, "width": 112},
        {"field": "motif", "headerName": "Motif", "width": 420, "tooltipField": "motif"},
        {"field": "msap_anterieure", "headerName": "MSAP antérieure", "width": 140,
         "headerTooltip": "MSAP notifiée lors d'une campagne précédente (année de campagne)"},
        {"field": "statut", "headerName": "Statut", "width": 170},
        {"field": "region", "headerName": "Région", "width": 170},
        {"field": "departement", "headerName": "Département", "width": 150},
    ]


# ---------------------------------------------------------------------------
# Funnel plot
# ---------------------------------------------------------------------------
def _funnel_hovertemplate(campaign: str) -> str:
    # numbers formatted by Plotly with layout.separators (decimal comma, thin space for thousands)
    _singular, plural = model.CASES_NAMES[campaign]
    return ("<b>%{customdata[1]}</b> (%{customdata[0]})<br>Taux : %{y:.1f}" + NBSP + "% (%{customdata[2]:,} "
            + plural + " / %{x:,} séjours)<br>Écart : %{customdata[3]:+.1f} pts région · "
            "%{customdata[4]:+.1f} pts France<br>%{customdata[5]} — cliquer pour ouvrir le profil<extra></extra>")


def _presentation_hovertemplate(campaign: str, anonymised: bool) -> str:
    # gaps arrive as French texts: one may be "secret statistique"
    _singular, plural = model.CASES_NAMES[campaign]
    who = "<b>%{customdata[1]}</b>" + ("" if anonymised else " (%{customdata[0]})")
    return (who + "<br>Taux : %{y:.1f}" + NBSP + "% (%{customdata[2]:,} " + plural + " / %{x:,} séjours)<br>"
            "Écart : %{customdata[3]} région · %{customdata[4]} France<br>%{customdata[5]} — cliquer pour ouvrir "
            "le profil<extra></extra>")


def _gap_texts(values, hidden) -> list[str]:
    return [SECRET if h else fmt_pts(v / 100) for v, h in zip(values, hidden)]


@lru_cache(maxsize=256)
def _limit_curves(national_rate: float, n_min: int, top: int) -> tuple[tuple, tuple]:
    """The funnel's limit curves, (x, ((high, low) in percent for each level of LEVELS)): every
    integer volume up to 200 (the limits zigzag with the discrete binomial), then a geometric grid.
    They depend on the national rate and the volumes' range only, not on the rule's thresholds:
    memoised (a pure function of its arguments), as a threshold change redraws the same curves."""
    grid = np.unique(np.concatenate([np.arange(n_min, min(top, 200) + 1),
                                     np.round(np.geomspace(min(top, 200), top, 120)).astype(int)]))
    curves = []
    for level in LEVELS:
        low, high = funnel_limits(national_rate, grid, level)
        curves.append((tuple(np.round(high * 100, 3).tolist()), tuple(np.round(low * 100, 3).tolist())))
    return tuple(grid.tolist()), tuple(curves)


def funnel_figure(evaluated: pd.DataFrame, rule: model.MsapRule, national_rate: float, height: int = 430,
                  secret: model.Secrecy | None = None, aliases: dict[str, tuple[str, str]] | None = None) -> dict:
    """Rate (%) against stays (log scale), with the national rate, its 95 % and 99.8 % limits
    (exact binomial, Spiegelhalter 2005) and, for the `ecart` method, the national rate ± the
    ecart. Each point's customdata starts with its FINESS (a click opens the profile).

    Presentation mode (`secret`): an establishment whose rate is hidden is not drawn (its place
    would tell its stays and rate; a note counts them), nor a hidden national or regional rate
    with what derives from it; the axes fit the points drawn; gaps are French texts. `aliases`
    (anonymised): FINESS -> (code of the profile's address, 'Établissement K').

    A plain figure dict (dcc.Graph takes it as is): building a thousand points through
    plotly.graph_objects' validation would cost more than the whole rule."""
    data: list[dict] = []
    full, not_drawn = evaluated, 0
    if secret is not None:
        keep = (~evaluated["withheld"] if "withheld" in evaluated.columns
                else ~evaluated["finess"].map(lambda f: bool(secret.row(f)["rate_hidden"])).astype(bool))
        evaluated, not_drawn = evaluated[keep], int((~keep).sum())
        if secret.national_hidden:
            national_rate = math.nan
    n_max = int(evaluated["stays"].max()) if len(evaluated) else 100
    n_min = max(1, int(evaluated["stays"].min())) if len(evaluated) else 1
    ends = [n_min, n_max * 1.1]
    if not math.isnan(national_rate):
        grid, curves = _limit_curves(float(national_rate), n_min, max(int(n_max * 1.1), n_min + 1))
        for level, dash_style, (high, low) in zip(LEVELS, ("dash", "solid"), curves):
            name = f"Limites à {model.SEUIL_LABELS['95' if level == 0.95 else '99.8']}"
            for i, values in enumerate((high, low)):
                data.append({"type": "scatter", "x": list(grid), "y": list(values),
                             "mode": "lines", "name": name, "legendgroup": name, "showlegend": i == 0,
                             "line": {"color": "#7a8594", "width": 1.3, "dash": dash_style}, "hoverinfo": "skip"})
        data.append({"type": "scatter", "x": ends, "y": [national_rate * 100] * 2, "mode": "lines",
                     "name": f"Taux national ({fmt_pct(national_rate)})", "line": {"color": REF_COLOR, "width": 2},
                     "hoverinfo": "skip"})
        regions = full.drop_duplicates("region_code")
        hidden = secret is not None and len(regions) == 1 and secret.region_hidden.get(regions["region_code"].iloc[0])
        if len(regions) == 1 and not hidden:  # a region or a département in the perimeter: its regional reference too
            regional = float(regions["region_rate"].iloc[0])
            data.append({"type": "scatter", "x": ends, "y": [regional * 100] * 2, "mode": "lines",
                         "hoverinfo": "skip", "name": f"Taux régional ({fmt_pct(regional)})",
                         "line": {"color": REF_COLOR, "width": 1.5, "dash": "dashdot"}})
        if rule.methode == "ecart":
            sign = 1 if rule.high_is_atypical else -1
            y = national_rate * 100 + sign * rule.ecart_pts
            data.append({"type": "scatter", "x": ends, "y": [y, y], "mode": "lines", "hoverinfo": "skip",
                         "name": f"National {'+' if sign > 0 else '−'} {model.points_label(rule.ecart_pts)}",
                         "line": {"color": FLAG_COLOR, "width": 1.3, "dash": "dot"}})
    groups = [
        ("Sous le volume minimal", ~evaluated["enough_volume"], SMALL_COLOR, 6, "circle-open",
         "sous le volume minimal"),
        ("Non ciblés", evaluated["enough_volume"] & ~evaluated["flagged"], OK_COLOR, 7, "circle", "non ciblé"),
        ("Ciblés", evaluated["flagged"], FLAG_COLOR, 10, "diamond", "<b>ciblé</b>"),
    ]
    template = (_funnel_hovertemplate(rule.campagne) if secret is None
                else _presentation_hovertemplate(rule.campagne, aliases is not None))
    # up to the highest rate plus a margin (the limits of the smallest volumes may go off the top)
    y_top = min(100, 10 * math.ceil((float(evaluated["rate"].max()) * 100 + 8) / 10)) if len(evaluated) else 100
    for name, mask, color, size, symbol, status in groups:
        sel = evaluated[mask]
        if secret is None:
            custom = list(zip(sel["finess"], sel["name"], sel["cases"].astype(int).tolist(),
                              sel["gap_region_pts"].round(3).tolist(), sel["gap_france_pts"].round(3).tolist(),
                              [status] * len(sel)))
        else:
            who = ([aliases.get(f, ("", "Établissement ?")) for f in sel["finess"]] if aliases is not None
                   else list(zip(sel["finess"], sel["name"])))
            region_hidden = [bool(secret.region_hidden.get(c, False)) for c in sel["region_code"]]
            custom = list(zip([w[0] for w in who], [w[1] for w in who], sel["cases"].astype(int).tolist(),
                              _gap_texts(sel["gap_region_pts"], region_hidden),
                              _gap_texts(sel["gap_france_pts"], [secret.national_hidden] * len(sel)),
                              [status] * len(sel)))
        data.append({"type": "scatter", "x": sel["stays"].astype(int).tolist(),
                     "y": (sel["rate"] * 100).round(4).tolist(), "mode": "markers",
                     "name": f"{name} ({fmt_int(len(sel))})",
                     "marker": {"color": color, "size": size, "symbol": symbol, "opacity": 0.85,
                                "line": {"width": 0.6, "color": "white" if symbol != "circle-open" else color}},
                     "customdata": [list(c) for c in custom], "hovertemplate": template})
    layout = {
        "height": height, "margin": {"l": 56, "r": 10, "t": 36, "b": 104}, "paper_bgcolor": "white",
        "plot_bgcolor": "white", "separators": ", ", "font": {"size": 13, "color": "#1d2733"},
        "title": {"text": f"Funnel plot — {model.RATE_NAMES[rule.campagne]} selon le volume", "x": 0.01,
                  "font": {"size": 15}},
        "xaxis": {"title": {"text": "Séjours (échelle logarithmique)", "standoff": 4}, "type": "log",
                  "gridcolor": "#e6e9ee",
                  "tickvals": [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
                  "ticktext": ["1", "2", "5", "10", "20", "50", "100", "200", "500", f"1{NBSP}000", f"2{NBSP}000",
                               f"5{NBSP}000", f"10{NBSP}000"]},
        "yaxis": {"title": {"text": "Taux (%)"}, "range": [0, y_top], "gridcolor": "#e6e9ee",
                  "ticksuffix": f"{NBSP}%"},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.25, "x": 0, "font": {"size": 12},
                   "itemclick": False, "itemdoubleclick": False},
        "hoverlabel": {"bgcolor": "white", "bordercolor": "#555", "align": "left"}, "hovermode": "closest",
    }
    if not_drawn:
        layout["annotations"] = [{
            "text": f"{fmt_count(not_drawn, 'établissement non représenté', 'établissements non représentés')} "
                    "(secret statistique)", "xref": "paper", "yref": "paper", "x": 1, "y": 1, "xanchor": "right",
            "yanchor": "bottom", "showarrow": False, "font": {"size": 12, "color": "#55606e"}}]
    return {"data": data, "layout": layout}


# ---------------------------------------------------------------------------
# Sensitivity
# ---------------------------------------------------------------------------
def sensitivity_figure(sens: pd.DataFrame, rule: model.MsapRule, height: int = 220) -> dict:
    """Bars: number flagged for each ecart (points) or funnel level; the rule's own value is dark."""
    if rule.methode == "ecart":
        labels = [fmt_dec(v, 0 if float(v).is_integer() else 1) for v in sens["value"]]
        title, axis = "Nombre ciblé selon l'écart exigé", "Écart exigé (points)"
    else:
        labels = [fmt_dec(v * 100, 1).replace(",0", "") + f"{NBSP}%" for v in sens["value"]]
        title, axis = "Nombre ciblé selon le seuil du funnel", "Niveau de la limite de contrôle"
    colors = ["#0b4f8a" if c else "#b9c7d8" for c in sens["current"]]
    flagged = [int(v) for v in sens["flagged"]]
    bar = {"type": "bar", "x": labels, "y": flagged, "marker": {"color": colors}, "text": flagged,
           "textposition": "outside", "cliponaxis": False, "textfont": {"size": 10},
           "hovertemplate": "%{x} : %{y} établissements ciblés<extra></extra>"}
    layout = {"height": height, "margin": {"l": 40, "r": 10, "t": 30, "b": 40}, "paper_bgcolor": "white",
              "plot_bgcolor": "white", "separators": ", ", "title": {"text": title, "x": 0.01, "font": {"size": 14}},
              "xaxis": {"title": {"text": axis}, "type": "category", "tickfont": {"size": 11}},
              "yaxis": {"rangemode": "tozero", "gridcolor": "#e6e9ee"}, "font": {"size": 12}, "showlegend": False,
              "uniformtext": {"minsize": 9, "mode": "show"}}
    return {"data": [bar], "layout": layout}


# ---------------------------------------------------------------------------
# Map of flagged establishments
# ---------------------------------------------------------------------------
def perimeter_map(layer: str | dict, codes: list[str], names: dict[str, str], whole_country: bool,
                  size: tuple[int, int]) -> go.Figure:
    """`map_base` of the perimeter's départements `codes` (`layer`: every département's geometry or
    its address): France with its overseas insets, or the region or département alone (only
    `codes` are drawn), framed on its own bounds."""
    return map_base(layer, codes, names, france_map.inset_frames("dep") if whole_country else [], size)


def map_base(layer: str | dict, codes: list[str], names: dict[str, str], frames, size: tuple[int, int]) -> go.Figure:
    """Départements in neutral grey (france_map.choropleth_figure with one class and no legend),
    the map over the whole width, the legend below it. The flagged points are appended with
    `flagged_points_trace` (data[POINTS_TRACE])."""
    fig = france_map.choropleth_figure(layer, codes, [1] * len(codes), [NEUTRAL_FILL],
                                       [f"<b>{names.get(c, c)}</b>" for c in codes], [""], "",
                                       uirevision="msap-map", frames=frames, size=size)
    fig.update_layout(geo=france_map.geo_layout("msap-map", domain_y=(0.08, 1), domain_x=(0, 1)),
                      margin={"l": 0, "r": 0, "t": 30, "b": 0},
                      separators=", ",
                      title={"text": "Établissements ciblés", "font": {"size": 15}, "y": 0.985},
                      legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 0, "yanchor": "bottom",
                              "title": {"text": ""}, "bgcolor": "rgba(255,255,255,0)"})
    return fig


def flagged_points_trace(evaluated: pd.DataFrame, campaign: str, secret: model.Secrecy | None = None,
                         aliases: dict[str, tuple[str, str]] | None = None) -> go.Scattergeo:
    """The flagged establishments as circles (area ∝ stays, france_map.establishment_points_trace),
    customdata [FINESS, name, cases, gap to the region, gap to France, rate %, stays].

    Presentation mode (`secret`): customdata holds French texts, a masked count or hidden rate as
    the secret statistique says, and a circle whose stays are masked gets the smallest size;
    `aliases` (anonymised): FINESS -> (code of the profile's address, 'Établissement K')."""
    pts = evaluated[evaluated["flagged"]]
    _singular, plural = model.CASES_NAMES[campaign]
    if secret is not None:
        return _presentation_points(pts, plural, secret, aliases)
    trace = france_map.establishment_points_trace(pts["latitude"], pts["longitude"], pts["stays"], [],
                                                  pts["departement_code"].tolist(), color=FLAG_COLOR,
                                                  max_size=18, min_size=7)
    custom = list(zip(pts["finess"], pts["name"], pts["cases"].astype(int).tolist(),
                      pts["gap_region_pts"].round(3).tolist(), pts["gap_france_pts"].round(3).tolist(),
                      (pts["rate"] * 100).round(4).tolist(), pts["stays"].astype(int).tolist()))
    trace.update(customdata=[list(c) for c in custom], hovertext=None, showlegend=True,
                 hovertemplate=("<b>%{customdata[1]}</b> (%{customdata[0]})<br>Taux : %{customdata[5]:.1f}" + NBSP
                                + "% (%{customdata[2]:,} " + plural + " / %{customdata[6]:,} séjours)<br>Écart : "
                                "%{customdata[3]:+.1f} pts région · %{customdata[4]:+.1f} pts France<br>"
                                "cliquer pour ouvrir le profil<extra></extra>"),
                 name=f"{fmt_count(len(pts), 'établissement ciblé', 'établissements ciblés')} (taille = séjours)")
    return trace


def _presentation_points(pts: pd.DataFrame, plural: str, secret: model.Secrecy,
                         aliases: dict[str, tuple[str, str]] | None) -> go.Scattergeo:
    flags = [secret.row(f) for f in pts["finess"]]
    sizes = [math.nan if f["stays_masked"] else float(n) for f, n in zip(flags, pts["stays"])]
    trace = france_map.establishment_points_trace(pts["latitude"], pts["longitude"], sizes, [],
                                                  pts["departement_code"].tolist(), color=FLAG_COLOR,
                                                  max_size=18, min_size=7)
    custom = []
    for f, r in zip(flags, pts.itertuples()):
        code, name = aliases.get(r.finess, ("", "Établissement ?")) if aliases is not None else (r.finess, r.name)
        hidden_rate = f["rate_hidden"]
        region = SECRET if hidden_rate or secret.region_hidden.get(r.region_code, False) else fmt_pts(
            r.gap_region_pts / 100)
        france = SECRET if hidden_rate or secret.national_hidden else fmt_pts(r.gap_france_pts / 100)
        custom.append([code, name,
                       count_display(fmt_int(r.cases), f["cases_masked"]),
                       region, france, SECRET if hidden_rate else fmt_pct(r.rate),
                       count_display(fmt_int(r.stays), f["stays_masked"])])
    who = "<b>%{customdata[1]}</b>" + ("" if aliases is not None else " (%{customdata[0]})")
    trace.update(customdata=custom, hovertext=None, showlegend=True,
                 hovertemplate=(who + "<br>Taux : %{customdata[5]} (%{customdata[2]} " + plural + " / "
                                "%{customdata[6]} séjours)<br>Écart : %{customdata[3]} région · %{customdata[4]} "
                                "France<br>cliquer pour ouvrir le profil<extra></extra>"),
                 name=f"{fmt_count(len(pts), 'établissement ciblé', 'établissements ciblés')} (taille = séjours)")
    return trace
