"""The SSR view's grids (French headings; the rows, from `services.ssr`, hold raw values for
sorting and the grid formats them), its national figure, its breadcrumb, its notices and the value
of its address store.

In presentation mode (`masked`) a count cell may hold "masqué" and a rate "secret statistique"
instead of the number: the grid shows such text as is and sorts it below every number."""
from __future__ import annotations

from dash import html

from components import address

_NUM = {"type": "numericColumn"}
# Sort on the raw number, show the French text.
_PCT = {**_NUM, "valueFormatter": {"function": "params.value == null ? '–' : "
                                   "(params.value).toLocaleString('fr-FR', {minimumFractionDigits: 1, "
                                   "maximumFractionDigits: 1}) + '\u00a0%'"}}
_INT = {**_NUM, "valueFormatter": {"function": "params.value == null ? '–' : "
                                   "Number(params.value).toLocaleString('fr-FR')"}}


# Presentation mode. A cell holds a number or a mask ("masqué", "secret statistique"). The
# grid sorts on a numeric key from `valueGetter` (masks below every number) and shows the
# cell's own value through `valueFormatter`. dash-ag-grid evaluates these strings without `typeof`
# (static-eval): a number is what equals Number() of itself. (A `comparator` given as a function
# string is dropped by dash-ag-grid 35, leaving the default comparator to mix numbers and text.)
def _sort_key(v: str) -> str:
    return f"({v} === Number({v}) ? {v} : ({v} == null ? -2 : -1))"


def _masked_column(col: dict, pct: bool) -> dict:
    v = f"params.data.{col['field']}"
    number = (f"({v}).toLocaleString('fr-FR', {{minimumFractionDigits: 1, maximumFractionDigits: 1}}) + '\u00a0%'"
              if pct else f"Number({v}).toLocaleString('fr-FR')")
    return {**col, "valueGetter": {"function": _sort_key(v)},
            "valueFormatter": {"function": f"{v} == null ? '–' : ({v} === Number({v}) ? {number} : {v})"}}


def _masked_columns(columns: list[dict]) -> list[dict]:
    """The same columns, their counts and rates able to show "masqué", "secret statistique"."""
    return [_masked_column(col, pct=col.get("valueFormatter") == _PCT["valueFormatter"])
            if col.get("valueFormatter") in (_INT["valueFormatter"], _PCT["valueFormatter"]) else col
            for col in columns]


def territory_columns(level: str, masked: bool = False) -> list[dict]:
    noun = "Région" if level == "reg" else "Département"
    columns = [
        {"field": "libelle", "headerName": noun, "flex": 1, "minWidth": 150,
         "tooltipField": "libelle"},
        {"field": "taux_pct", "headerName": "Taux", **_PCT, "sort": "desc", "width": 82},
        {"field": "ic95", "headerName": "IC 95 % (%)", "sortable": False, "width": 112,
         "headerTooltip": "Intervalle de confiance à 95 % (Wilson)"},
        {"field": "sejours_ssr", "headerName": "SSR", "headerTooltip": "Séjours suivis d'un séjour SSR", **_INT,
         "width": 78},
        {"field": "sejours", "headerName": "Séjours", **_INT, "width": 86},
        {"field": "etablissements", "headerName": "Étab.", "headerTooltip": "Établissements MCO", **_INT,
         "width": 66},
        {"field": "classe", "headerName": "Cl.", "headerTooltip": "Classe de la carte (1 = taux les plus bas)",
         **_NUM, "width": 56},
    ]
    return _masked_columns(columns) if masked else columns


def establishment_columns(masked: bool = False) -> list[dict]:
    columns = [
        {"field": "finess", "headerName": "FINESS", "pinned": "left", "width": 110},
        {"field": "lien", "headerName": "Établissement", "cellRenderer": "markdown", "flex": 1, "minWidth": 240},
        {"field": "statut", "headerName": "Statut"},
        {"field": "sejours", "headerName": "Séjours", **_INT},
        {"field": "sejours_ssr", "headerName": "Suivis de SSR", **_INT},
        {"field": "taux_pct", "headerName": "Taux", **_PCT, "sort": "desc"},
        {"field": "ic95", "headerName": "IC 95 %", "sortable": False},
        {"field": "ecart_region", "headerName": "Écart région", "sortable": False},
        {"field": "ecart_france", "headerName": "Écart France", "sortable": False},
    ]
    return _masked_columns(columns) if masked else columns


def national_kpi(national: tuple[str, str]) -> list:
    """France's rate and the basis under it (`services.ssr.Tables.national`)."""
    rate, basis = national
    return [html.Div("France entière", className="kpi-label"), html.Div(rate, className="kpi-value"),
            html.Div(basis, className="kpi-basis")]


def notices(texts: list[str]):
    """The French notices of the values the address asked for and the page ignored (None: none)."""
    return html.Div([html.P(t) for t in texts], className="notice") if texts else None


def view_address(search: str) -> dict:
    """The address store's value (`components.address`) for the view's query string: a new
    drill-down focus is a new history entry (back steps back through drill-downs), any other
    change replaces the current entry."""
    return address.address("/ssr", search, push=("focus",))
