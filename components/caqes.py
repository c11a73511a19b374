"""Pieces of the CAQES view (/caqes): headline figures, grids, map texts and the indicators'
distribution chart. Figures arrive computed (analytics.caqes); nothing here queries the database.
(The profile's CAQES section lives in components/profile.py, on the same analytics.)"""
from __future__ import annotations

import pandas as pd
from dash import html

from analytics import caqes as model
from text.format import MISSING, NBSP, fmt_count, fmt_dec, fmt_int, fmt_pct, fmt_pts, is_missing, round_pct

STATUS_COLORS = {model.ATTEINT: "#1b7837", model.EN_PROGRES: "#d08c00", model.NON_ATTEINT: "#b2182b",
                 model.NON_MESURE: "#9e9e9e"}
SCOPE_COLORS = {"national": "#0b4f8a", "regional": "#c2410c"}
# ColorBrewer Blues (k + 1 classes minus the lightest): more targets reached = darker; the
# lightest class stays distinct from the grey of "pas de contrat".
_BLUES = {1: ["#3182bd"], 2: ["#9ecae1", "#3182bd"], 3: ["#bdd7e7", "#6baed6", "#2171b5"],
          4: ["#c6dbef", "#6baed6", "#2171b5", "#08306b"]}
NO_CONTRACT = "pas de contrat"
DIRECTION = {"higher": "plus haut = mieux", "lower": "plus bas = mieux"}


def palette(k: int) -> list[str]:
    return _BLUES[max(1, min(k, max(_BLUES)))]


def short_label(label: str, width: int = 46) -> str:
    """The catalogue label cut at a word boundary with '…' (the full label is in the hover)."""
    label = str(label)
    if len(label) <= width:
        return label
    cut = label[: width - 1].rsplit(" ", 1)[0].rstrip(" ,;:'’")
    return cut + "…"


def fmt_eur(value, compact: bool = False) -> str:
    """Euros: '12 345 €'; with compact, millions as '12,3 M€' and thousands as '45 k€'."""
    if is_missing(value):
        return MISSING
    v = float(value)
    if compact and abs(v) >= 1_000_000:
        return f"{fmt_dec(v / 1_000_000, 1)}{NBSP}M€"
    if compact and abs(v) >= 10_000:
        return f"{fmt_int(round(v / 1000))}{NBSP}k€"
    return f"{fmt_int(round(v))}{NBSP}€"


def fmt_value(value, unit: str | None) -> str:
    """A value in the indicator's unit: '45,3 %' (one decimal)."""
    if is_missing(value):
        return MISSING
    return f"{fmt_dec(value, 1)}{NBSP}{unit}" if unit else fmt_dec(value, 1)


# ---------------------------------------------------------------------------
# Controls, notices, breadcrumb
# ---------------------------------------------------------------------------
def notice(notices: list[str]) -> html.Div | None:
    """The French notices naming the values of the address that were ignored."""
    return html.Div([html.P(n) for n in notices], className="notice") if notices else None


def _perimeter_options(regions: dict[str, str], departements: dict[str, str]) -> list[dict]:
    return ([{"label": "France entière", "value": model.FRANCE}]
            + [{"label": f"Région — {name}", "value": f"R{code}"} for code, name in regions.items()]
            + [{"label": f"{code} — {name}", "value": f"D{code}"} for code, name in departements.items()])


def _volet_options(available: pd.DataFrame) -> list[dict]:
    parts = list(dict.fromkeys(available["part"]))
    return [{"label": "Tous", "value": model.ALL}] + [{"label": model.part_label(p), "value": p} for p in parts]


def control_options(controls, volet: str) -> dict[str, list[dict]]:
    """Options of the year, volet, indicator and perimeter controls, by control name, from what
    `controls` offers (services.caqes.Controls: years, the indicators of the view's year, regions,
    départements); the indicators offered are those of `volet`."""
    available = controls.available
    return {"annee": [{"label": str(y), "value": y} for y in controls.years], "volet": _volet_options(available),
            "indicateur": indicator_options(available, volet),
            "perimetre": _perimeter_options(controls.regions, controls.departements)}


# ---------------------------------------------------------------------------
# Headline figures
# ---------------------------------------------------------------------------
def _compare(now, before, kind: str) -> str:
    """The previous year's value and the change: '2023 : 1 130 (+12)', '2023 : 38,2 % (+4,5 pts)'."""
    if before is None:
        return ""
    if kind == "count":
        delta = int(now) - int(before)
        return f"{fmt_int(before)} ({'+' if delta > 0 else ''}{fmt_int(delta)})" if delta else f"{fmt_int(before)} (=)"
    if kind == "share":
        if is_missing(before):
            return MISSING
        return f"{fmt_pct(before)} ({fmt_pts(now - before) if not is_missing(now) else MISSING})"
    if kind == "eur":
        return fmt_eur(before, compact=True)
    return str(before)


def _card(label: str, value: str, basis, previous: str | None, prev_year: int | None, card_id: str) -> html.Div:
    children = [html.Div(label, className="kpi-label"), html.Div(value, className="kpi-value"),
                html.Div(basis, className="kpi-basis")]
    if prev_year is not None:
        text = f"{prev_year} : {previous}" if previous else f"{prev_year} : pas de résultat"
        children.append(html.Div(text, className="kpi-previous"))
    return html.Div(children, className="caqes-kpi", id=card_id)


def status_bar(h: dict) -> html.Div:
    """A 100 % bar of the measured results by status (widths are the shares), with its counts in words."""
    parts = []
    for status, key in ((model.ATTEINT, "n_atteint"), (model.EN_PROGRES, "n_en_progres"),
                        (model.NON_ATTEINT, "n_non_atteint")):
        n = h[key]
        if h["n_measured"] and n:
            parts.append(html.Span(style={"width": f"{100 * n / h['n_measured']:.2f}%",
                                          "background": STATUS_COLORS[status]},
                                   title=f"{status} : {fmt_int(n)}", className="caqes-bar-part"))
    return html.Div(parts, className="caqes-bar", **{"aria-hidden": "true"})


def headline(h: dict, prev: dict | None, year: int, prev_year: int | None, comparable: bool = True) -> list:
    """Four cards: contracted establishments, indicators followed, results by status, incentive,
    each with the previous year's value of the same selection (`prev`, None without results);
    `comparable` False says the two years share no indicator (contracts before and after 2022)."""
    p = prev if prev and prev["n_results"] else None
    other = "" if comparable or p is None else " (autres indicateurs)"
    cards = [
        _card("Établissements sous contrat", fmt_int(h["n_establishments"]),
              f"ayant des résultats {year} dans la sélection",
              _compare(h["n_establishments"], p["n_establishments"], "count") + other if p else None, prev_year,
              "caqes-kpi-etab"),
        _card("Indicateurs suivis", fmt_int(h["n_indicators"]),
              f"{fmt_count(h['n_results'], 'résultat')} (établissement × indicateur), dont "
              f"{fmt_int(h['n_non_mesure'])} non mesuré{'s' if h['n_non_mesure'] > 1 else ''}",
              (f"{fmt_int(p['n_indicators'])} ; {fmt_count(p['n_results'], 'résultat')}{other}" if p else None),
              prev_year, "caqes-kpi-ind"),
        _card("Résultats atteints", fmt_pct(h["share_atteint"]),
              [f"{fmt_int(h['n_atteint'])}/{fmt_int(h['n_measured'])} mesurés · en progrès "
               f"{fmt_int(h['n_en_progres'])} ({fmt_pct(h['share_en_progres'], 0)}) · non atteints "
               f"{fmt_int(h['n_non_atteint'])} ({fmt_pct(h['share_non_atteint'], 0)})", status_bar(h)],
              (f"{_compare(h['share_atteint'], p['share_atteint'], 'share')} ; "
               f"{fmt_int(p['n_atteint'])}/{fmt_int(p['n_measured'])}{other}" if p else None),
              prev_year, "caqes-kpi-status"),
        _card("Intéressement estimé", fmt_eur(h["incentive_eur"], compact=True) if h["n_with_savings"] else MISSING,
              (f"{fmt_eur(h['incentive_eur'])} pour {fmt_eur(h['savings_eur'], compact=True)} d'économies "
               f"({fmt_count(h['n_with_savings'], 'résultat')})") if h["n_with_savings"]
              else "aucune économie renseignée pour cette sélection",
              _compare(h["incentive_eur"], p["incentive_eur"], "eur") + other if p else None, prev_year,
              "caqes-kpi-eur"),
    ]
    return cards


# ---------------------------------------------------------------------------
# Map texts
# ---------------------------------------------------------------------------
def map_title(one_indicator: bool, indicator_label: str | None, volet_label: str, year: int) -> str:
    if one_indicator:
        return f"Atteinte moyenne — {short_label(indicator_label or '', 60)} — {year}"
    return f"Part des résultats atteints — {volet_label} — {year}"


def map_texts(t, volet_label: str, indicator_label: str | None, year: int | None) -> dict:
    """Hover texts, legend, colours and title of the map of territories `t` (services.caqes.Territories)."""
    one, full, classification = t.one_indicator, t.full, t.classification
    no_contract = int((full["n_results"] == 0).sum())
    no_value = int(((full["n_results"] > 0) & (full["classe"] == 0)).sum())
    return {
        "hover": [hover_text(t.names[c], r, one) for c, r in zip(t.codes, full.itertuples())],
        "legend": classification.legend_labels(noun=""),
        "colors": palette(max(classification.k, 1)),
        "legend_title": (("Atteinte moyenne" if one else "Part atteinte") + f" — classes{NBSP}:<br>"
                         + classification.method_label),
        "no_data_label": (NO_CONTRACT if not no_value else (f"{NO_CONTRACT} ou non mesuré" if no_contract
                                                             else "non mesuré")),
        "title": map_title(one, indicator_label, volet_label, year),
    }


def hover_text(name: str, r, one_indicator: bool) -> str:
    """Hover of a territory: the value with its counts, then the statuses and establishments."""
    lines = [f"<b>{name}</b>"]
    if not r.n_results:
        return "<br>".join(lines + [NO_CONTRACT])
    if not r.n_measured:
        lines.append("aucun résultat mesuré")
    elif one_indicator:
        lines.append(f"Atteinte moyenne : {fmt_pct(r.mean_attainment, 0)} "
                     f"({fmt_count(r.n_measured, 'établissement mesuré', 'établissements mesurés')})")
        lines.append(f"Atteints : {fmt_int(r.n_atteint)}/{fmt_int(r.n_measured)}")
    else:
        lines.append(f"Atteints : {fmt_pct(r.share_atteint)} ({fmt_int(r.n_atteint)}/{fmt_int(r.n_measured)} "
                     f"résultats mesurés)")
    if r.n_measured:
        lines.append(f"En progrès : {fmt_int(r.n_en_progres)} · non atteints : {fmt_int(r.n_non_atteint)}")
    if r.n_non_mesure:
        lines.append(f"Non mesurés : {fmt_int(r.n_non_mesure)}")
    lines.append(fmt_count(r.n_establishments, "établissement sous contrat", "établissements sous contrat"))
    return "<br>".join(lines)


# ---------------------------------------------------------------------------
# Grids
# ---------------------------------------------------------------------------
_NUM = {"type": "numericColumn"}
_PCT = {**_NUM, "valueFormatter": {"function": "params.value == null ? '–' : (params.value).toLocaleString('fr-FR', "
                                               "{minimumFractionDigits: 1, maximumFractionDigits: 1}) + '\u00a0%'"}}
_INT = {**_NUM, "valueFormatter": {"function": "params.value == null ? '–' : "
                                               "Number(params.value).toLocaleString('fr-FR')"}}
_EUR = {**_NUM, "valueFormatter": {"function": "params.value == null ? '–' : "
                                               "Number(params.value).toLocaleString('fr-FR') + '\u00a0€'"}}
_PTS = {**_NUM, "valueFormatter": {"function": "params.value == null ? '–' : (params.value > 0 ? '+' : '') + "
                                               "(params.value).toLocaleString('fr-FR', {minimumFractionDigits: 1, "
                                               "maximumFractionDigits: 1}) + '\u00a0pt' + "
                                               "(Math.abs(params.value) >= 2 ? 's' : '')"}}


def _pct(x, digits: int = 1):
    return round_pct(x, digits)



def territory_columns(level: str, one_indicator: bool) -> list[dict]:
    noun = "Région" if level == "reg" else "Département"
    value = ({"field": "valeur_pct", "headerName": "Atteinte moy.", "headerTooltip": "Atteinte moyenne des "
              "établissements mesurés", **_PCT, "sort": "desc", "width": 100} if one_indicator else
             {"field": "valeur_pct", "headerName": "% atteints", "headerTooltip": "Part des résultats mesurés qui "
              "atteignent leur cible", **_PCT, "sort": "desc", "width": 104})
    return [
        {"field": "libelle", "headerName": noun, "flex": 1, "minWidth": 130, "tooltipField": "libelle"},
        value,
        {"field": "atteints", "headerName": "Atteints", "headerTooltip": "Résultats atteints", **_INT, "width": 86},
        {"field": "mesures", "headerName": "Mesurés", "headerTooltip": "Résultats mesurés (réalisé connu)",
         **_INT, "width": 82},
        {"field": "etablissements", "headerName": "Étab.", "headerTooltip": "Établissements sous contrat", **_INT,
         "width": 64},
    ]


def territory_rows(table: pd.DataFrame, names: dict[str, str]) -> list[dict]:
    return [{"code": r.code, "libelle": names.get(r.code, r.code), "valeur_pct": _pct(r.value),
             "atteints": int(r.n_atteint), "mesures": int(r.n_measured), "etablissements": int(r.n_establishments),
             "resultats": int(r.n_results), "en_progres": int(r.n_en_progres), "non_atteints": int(r.n_non_atteint),
             "non_mesures": int(r.n_non_mesure), "classe": int(r.classe)}
            for r in table.itertuples()]


def establishment_columns(anonymised: bool = False) -> list[dict]:
    """Columns of the establishments grid; anonymised (presentation mode), no FINESS column (the
    `finess` field then holds the code of the profile's address)."""
    return [
        *[{"field": "finess", "headerName": "FINESS", "pinned": "left", "width": 106}] * (not anonymised),
        {"field": "lien", "headerName": "Établissement", "cellRenderer": "markdown", "flex": 1, "minWidth": 230,
         "tooltipField": "nom"},
        {"field": "departement", "headerName": "Dép.", "width": 70, "tooltipField": "departement_nom"},
        {"field": "score_pct", "headerName": "Score", "headerTooltip": "Atteinte moyenne pondérée des indicateurs "
         "mesurés", **_PCT, "width": 96, "sort": "asc"},
        {"field": "evolution_pts", "headerName": "Évolution du score", "headerTooltip": "Depuis l'année précédente "
         "(même sélection), en points", **_PTS, "width": 112},
        {"field": "atteints", "headerName": "Atteints", **_INT, "width": 96},
        {"field": "en_progres", "headerName": "En progrès", **_INT, "width": 100},
        {"field": "non_atteints", "headerName": "Non atteints", **_INT, "width": 100},
        {"field": "non_mesures", "headerName": "Non mesurés", **_INT, "width": 100},
        {"field": "interessement_eur", "headerName": "Intéressement estimé", **_EUR, "width": 130},
    ]


# ---------------------------------------------------------------------------
# Indicators: distribution of attainment across establishments
# ---------------------------------------------------------------------------
def indicator_figure(dist: pd.DataFrame) -> dict:
    """Horizontal box per indicator (attainment 0–100 % across the measured establishments:
    min, quartiles, max; the diamond is the mean), national indicators in blue above the
    regional ones in orange; counts by status in the hover and at the right."""
    if dist.empty:
        return {"data": [], "layout": {"height": 120, "xaxis": {"visible": False}, "yaxis": {"visible": False},
                                       "annotations": [{"text": "Aucun résultat pour cette sélection",
                                                        "showarrow": False, "font": {"size": 15}}],
                                       "paper_bgcolor": "white", "plot_bgcolor": "white"}}
    dist = dist.reset_index(drop=True)
    labels = [f"{short_label(r.label)}" for r in dist.itertuples()]
    # Duplicate short labels would merge two rows: make them unique with the code.
    seen: dict[str, int] = {}
    for i, lab in enumerate(labels):
        if lab in seen:
            labels[i] = f"{lab} ({dist.loc[i, 'indicator']})"
        seen[labels[i]] = i
    traces = []
    for scope, name in (("national", "Indicateurs nationaux"), ("regional", "Indicateurs régionaux")):
        part = dist[(dist["scope"] == scope) & (dist["n_measured"] > 0)]
        if part.empty:
            continue
        ys = [labels[i] for i in part.index]
        traces.append({
            "type": "box", "orientation": "h", "name": name, "legendgroup": scope, "y": ys,
            "q1": (part["q1"] * 100).round(1).tolist(), "median": (part["median"] * 100).round(1).tolist(),
            "q3": (part["q3"] * 100).round(1).tolist(), "lowerfence": (part["min"] * 100).round(1).tolist(),
            "upperfence": (part["max"] * 100).round(1).tolist(),
            "marker": {"color": SCOPE_COLORS[scope]}, "line": {"width": 1.5},
            "fillcolor": "rgba(11,79,138,0.18)" if scope == "national" else "rgba(194,65,12,0.18)",
            "hoverinfo": "skip", "width": 0.6,
        })
        hover = [_indicator_hover(r) for r in part.itertuples()]
        traces.append({
            "type": "scatter", "mode": "markers", "x": (part["mean"] * 100).round(1).tolist(), "y": ys,
            "marker": {"symbol": "diamond", "size": 9, "color": "white",
                       "line": {"color": SCOPE_COLORS[scope], "width": 2}},
            "name": f"{name} : moyenne", "legendgroup": scope, "showlegend": False,
            "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>",
        })
    annotations = [{"x": 1.0, "xref": "paper", "xanchor": "left", "y": labels[i], "yref": "y",
                    "text": f"{fmt_int(r.n_atteint)}/{fmt_int(r.n_measured)} atteints", "showarrow": False,
                    "font": {"size": 12, "color": "#55606e"}} for i, r in enumerate(dist.itertuples())]
    order = list(reversed(labels))  # first indicator at the top
    return {"data": traces, "layout": {
        "height": max(180, 90 + 30 * len(dist)), "margin": {"l": 10, "r": 130, "t": 10, "b": 50},
        "xaxis": {"range": [-2, 102], "title": {"text": "Atteinte de la cible (%) — 0 = aucun progrès, 100 = cible "
                                                        "atteinte"}, "ticksuffix": " %", "zeroline": False,
                  "gridcolor": "#e6e9ee"},
        "yaxis": {"categoryorder": "array", "categoryarray": order, "automargin": True, "tickfont": {"size": 12}},
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"}, "boxmode": "overlay",
        "annotations": annotations, "separators": ", ", "paper_bgcolor": "white", "plot_bgcolor": "white",
        "hovermode": "closest", "hoverlabel": {"bgcolor": "white", "align": "left"}, "showlegend": True,
    }}


def _indicator_hover(r) -> str:
    scope = model.SCOPE_LABELS.get(r.scope, r.scope)
    return "<br>".join([
        f"<b>{r.label}</b>", f"{model.part_label(r.part)} · indicateur {scope} · {DIRECTION.get(r.better, '')}",
        f"Atteinte : moyenne {fmt_pct(r.mean, 0)}, médiane {fmt_pct(r.median, 0)}, "
        f"quartiles {fmt_pct(r.q1, 0)} – {fmt_pct(r.q3, 0)}",
        f"{fmt_count(r.n_measured, 'établissement mesuré', 'établissements mesurés')} : "
        f"{fmt_int(r.n_atteint)} atteints, {fmt_int(r.n_en_progres)} en progrès, "
        f"{fmt_int(r.n_non_atteint)} non atteints",
        f"Non mesurés : {fmt_int(r.n_non_mesure)}",
    ])


def indicator_options(available: pd.DataFrame, volet: str) -> list[dict]:
    """'Tous les indicateurs' then the indicators with results (of the volet), national ones first."""
    rows = available if volet == model.ALL else available[available["part"] == volet]
    rows = rows.assign(_rank=(rows["scope"] != "national").astype(int)).sort_values(["_rank"], kind="stable")
    return [{"label": "Tous les indicateurs", "value": model.ALL}] + [
        {"label": f"{short_label(r.label, 70)} ({'nat.' if r.scope == 'national' else 'rég.'})", "value": r.code}
        for r in rows.itertuples()]


# ---------------------------------------------------------------------------
# The profile's CAQES section
# ---------------------------------------------------------------------------
PROFILE_CHART_ID = "caqes-profile-chart"
PROFILE_TABLE_ID = "caqes-profile-table"


def shown_year(results: pd.DataFrame, year: int | None) -> int | None:
    """The year whose results the section details: `year` if it has results, else the latest
    earlier one, else (no year asked) the latest; None without results."""
    if results.empty:
        return None
    years = sorted(int(y) for y in results["year"].unique())
    if year is None:
        return years[-1]
    earlier = [y for y in years if y <= int(year)]
    return earlier[-1] if earlier else None
