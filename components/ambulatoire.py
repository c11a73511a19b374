"""UI pieces of the /ambulatoire view: grid columns, the national figure, the breadcrumb, the map's
gap colours and the series figure (pure functions; the figures come from services.ambulatoire).

In presentation mode a count cell may hold "masqué" and a rate "secret statistique": the grids
sort such text below every number, as /ssr's do."""
from __future__ import annotations

from dash import html

# Diverging, red below the target to blue above it (ColorBrewer RdBu, 5 classes): the gap colouring.
GAP_COLORS = ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#4393c3"]

_NUM = {"type": "numericColumn"}
_PCT_TEXT = "(params.value).toLocaleString('fr-FR', {minimumFractionDigits: 1, maximumFractionDigits: 1})"
_PCT = {**_NUM, "valueFormatter": {"function": f"params.value == null ? '–' : {_PCT_TEXT} + '\u00a0%'"}}
_PTS = {**_NUM, "valueFormatter": {"function": "params.value == null ? '–' : (params.value > 0 ? '+' : '') + "
                                               f"{_PCT_TEXT} + '\u00a0pts'"}}
_INT = {**_NUM, "valueFormatter": {"function": "params.value == null ? '–' : Number(params.value).toLocaleString('fr-FR')"}}


def _sort_key(v: str) -> str:
    # numbers as themselves, masks below every number (dash-ag-grid evaluates
    # these strings without `typeof`: a number is what equals Number() of itself)
    return f"({v} === Number({v}) ? {v} : ({v} == null ? -1000 : -999))"


def _maskable(col: dict) -> dict:
    """A count, rate or gap column able to show "masqué", "secret statistique"."""
    v = f"params.data.{col['field']}"
    formatter = col["valueFormatter"]["function"].replace("params.value", v)
    return {**col, "valueGetter": {"function": _sort_key(v)},
            "valueFormatter": {"function": f"{v} == null ? '–' : ({v} === Number({v}) ? ({formatter}) : {v})"}}


def _columns(columns: list[dict], masked: bool) -> list[dict]:
    return [_maskable(c) if masked and "valueFormatter" in c else c for c in columns]


def territory_columns(level: str, masked: bool = False) -> list[dict]:
    noun = "Région" if level == "reg" else "Département"
    return _columns([
        {"field": "libelle", "headerName": noun, "flex": 1, "minWidth": 100, "tooltipField": "libelle"},
        {"field": "taux_pct", "headerName": "Taux", **_PCT, "sort": "asc", "width": 82,
         "headerTooltip": "Taux de chirurgie ambulatoire (séjours ambulatoires / séjours)"},
        {"field": "ic95", "headerName": "IC 95 %", "sortable": False, "width": 100,
         "headerTooltip": "Intervalle de confiance à 95 % (Wilson), en %"},
        {"field": "cible_pct", "headerName": "Cible", **_PCT, "width": 76,
         "headerTooltip": "Cible régionale de l'année (ou cible locale du département), sur les 55 gestes marqueurs"},
        {"field": "ecart_cible_pts", "headerName": "Écart", **_PTS, "width": 86,
         "headerTooltip": "Écart à la cible, en points (taux − cible)"},
        {"field": "sejours", "headerName": "Séjours", **_INT, "width": 84},
        # the map's class (the export's `classe`) is in the rows; the legend shows it, the side panel has no room
    ], masked)


def establishment_columns(masked: bool = False, anonymised: bool = False) -> list[dict]:
    columns = [
        {"field": "lien", "headerName": "Établissement", "cellRenderer": "markdown", "flex": 1, "minWidth": 230,
         "pinned": "left"},
        {"field": "statut", "headerName": "Statut", "width": 90},
        {"field": "sejours", "headerName": "Séjours", **_INT, "width": 92},
        {"field": "sejours_ambulatoires", "headerName": "Ambulatoires", **_INT, "width": 124},
        {"field": "taux_pct", "headerName": "Taux", **_PCT, "sort": "asc", "width": 80},
        {"field": "ic95", "headerName": "IC 95 %", "sortable": False, "width": 150},
        {"field": "ecart_region", "headerName": "Écart région", "sortable": False, "width": 110},
        {"field": "ecart_cible", "headerName": "Écart cible", "sortable": False, "width": 104},
        {"field": "msap", "headerName": "MSAP AMBU", "tooltipField": "msap_detail", "width": 140,
         "headerTooltip": "Règle par défaut de la campagne MSAP chirurgie ambulatoire : au moins 10 points sous "
                          "les taux régional et national, au moins 30 séjours, geste par geste"},
    ]
    if not anonymised:
        columns.insert(0, {"field": "finess", "headerName": "FINESS", "width": 108, "pinned": "left"})
    return _columns(columns, masked)


def kpi(rate: str, basis: str) -> list:
    return [html.Div("France entière", className="kpi-label"), html.Div(rate, className="kpi-value"),
            html.Div(basis, className="kpi-basis")]


def notice(notices: list[str]) -> html.Div | None:
    return html.Div([html.P(n) for n in notices], className="notice") if notices else None


def series_figure(s) -> dict:
    """France, the territory in focus with its interval, and the target line (services.ambulatoire.Series),
    as a plain figure dict (plotly's validating go.Figure costs more than the data here)."""
    traces = [{"type": "scatter", "x": s.years, "y": s.france, "name": "France", "mode": "lines+markers",
               "line": {"color": "#555", "dash": "dash", "width": 2},
               "hovertemplate": "France %{x} : %{y:.1f} %<extra></extra>"}]
    if s.name:
        high = [None if h is None or o is None else round(h - o, 2) for h, o in zip(s.high, s.own)]
        low = [None if lo is None or o is None else round(o - lo, 2) for lo, o in zip(s.low, s.own)]
        traces.append({
            "type": "scatter", "x": s.years, "y": s.own, "name": s.name, "mode": "lines+markers",
            "line": {"color": "#0b4f8a", "width": 3},
            "error_y": {"type": "data", "symmetric": False, "thickness": 1, "array": high, "arrayminus": low},
            "customdata": s.counts,
            "hovertemplate": s.name + " %{x} : %{y:.1f} % (%{customdata[0]}/%{customdata[1]} séjours)<extra></extra>"})
        if any(t is not None for t in s.target):
            traces.append({"type": "scatter", "x": s.years, "y": s.target, "name": "Cible", "mode": "lines+markers",
                           "line": {"color": "#b2182b", "dash": "dot", "width": 2}, "marker": {"symbol": "diamond"},
                           "hovertemplate": "Cible %{x} : %{y:.1f} %<extra></extra>"})
    return {"data": traces, "layout": {
        "margin": {"l": 50, "r": 10, "t": 30, "b": 40},
        "yaxis": {"title": {"text": "Taux ambulatoire (%)"}, "rangemode": "tozero"},
        "xaxis": {"dtick": 1}, "legend": {"orientation": "h", "y": 1.12}, "separators": ", ",
        "paper_bgcolor": "white", "plot_bgcolor": "white", "hovermode": "x unified"}}
