"""Rows and columns of the SSR view's grids (French headings, figures formatted for display,
raw values kept for sorting).

In presentation mode (`secrecy` flags given) a count cell may hold "< 11" or "masqué" and a rate
"secret statistique" instead of the number: the grid shows such text as is and sorts it below
every number ("< 11" between 0 and 11)."""
from __future__ import annotations

import math

import pandas as pd

from analytics.secrecy import MASK, SECRET, count_display
from text.format import fmt_dec, fmt_int, fmt_pct, fmt_pct_range, fmt_pts
from text.labels import STATUS_LABELS

_NUM = {"type": "numericColumn"}
# Sort on the raw number, show the French text.
_PCT = {**_NUM, "valueFormatter": {"function": "params.value == null ? '–' : "
                                   "(params.value).toLocaleString('fr-FR', {minimumFractionDigits: 1, "
                                   "maximumFractionDigits: 1}) + '\u00a0%'"}}
_INT = {**_NUM, "valueFormatter": {"function": "params.value == null ? '–' : "
                                   "Number(params.value).toLocaleString('fr-FR')"}}


# Presentation mode. A cell holds a number or a mask ("< 11", "masqué", "secret statistique"). The
# grid sorts on a numeric key from `valueGetter` (masks below every number, "< 11" as 5) and shows the
# cell's own value through `valueFormatter`. dash-ag-grid evaluates these strings without `typeof`
# (static-eval): a number is what equals Number() of itself. (A `comparator` given as a function
# string is dropped by dash-ag-grid 35, leaving the default comparator to mix numbers and text.)
def _sort_key(v: str) -> str:
    return f"({v} === Number({v}) ? {v} : ({v} === '{MASK}' ? 5 : ({v} == null ? -2 : -1)))"


def _masked_column(col: dict, pct: bool) -> dict:
    v = f"params.data.{col['field']}"
    number = (f"({v}).toLocaleString('fr-FR', {{minimumFractionDigits: 1, maximumFractionDigits: 1}}) + '\u00a0%'"
              if pct else f"Number({v}).toLocaleString('fr-FR')")
    return {**col, "valueGetter": {"function": _sort_key(v)},
            "valueFormatter": {"function": f"{v} == null ? '–' : ({v} === Number({v}) ? {number} : {v})"}}


def _masked_columns(columns: list[dict]) -> list[dict]:
    """The same columns, their counts and rates able to show "< 11", "masqué", "secret statistique"."""
    return [_masked_column(col, pct=col.get("valueFormatter") == _PCT["valueFormatter"])
            if col.get("valueFormatter") in (_INT["valueFormatter"], _PCT["valueFormatter"]) else col
            for col in columns]


def _pct(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x) * 100, 1)


def _interval(low, high) -> str:
    """'43,2 – 51,4' (percent, the unit being in the column heading)."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return "–"
    return f"{fmt_dec(low * 100, 1)} – {fmt_dec(high * 100, 1)}"


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


def territory_rows(table: pd.DataFrame, names: dict[str, str], secrecy: pd.DataFrame | None = None) -> list[dict]:
    """One row per territory with data (the grid and the CSV export show the same figures).

    `secrecy` (presentation mode): flags of `analytics.secrecy.nested_secrecy` indexed by code."""
    rows = []
    for r in table.itertuples():
        row = {
            "code": r.code, "libelle": names.get(r.code, r.code), "taux_pct": _pct(r.rate),
            "ic95": _interval(r.low, r.high) if r.stays else "–",
            "ic95_bas_pct": _pct(r.low), "ic95_haut_pct": _pct(r.high),
            "sejours_ssr": int(r.stays_with_ssr), "sejours": int(r.stays),
            "etablissements": int(r.n_establishments), "classe": int(r.classe),
        }
        if secrecy is not None:
            flags = secrecy.loc[r.code]
            _mask_counts(row, flags)
            if flags["rate_hidden"]:
                row.update(taux_pct=SECRET, ic95=SECRET, ic95_bas_pct=SECRET, ic95_haut_pct=SECRET, classe=None)
        rows.append(row)
    return rows


def _mask_counts(row: dict, flags) -> None:
    """Counts of stays as the presentation mode shows them ("< 11", "masqué" or the count)."""
    row["sejours_ssr"] = count_display(row["sejours_ssr"], bool(flags["num_small"]), bool(flags["num_secondary"]))
    row["sejours"] = count_display(row["sejours"], bool(flags["den_small"]), bool(flags["den_secondary"]))


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


def establishment_rows(estab: pd.DataFrame, secrecy: pd.DataFrame | None = None,
                       hidden_references: tuple[bool, bool] = (False, False),
                       labels: dict[str, tuple[str, str]] | None = None) -> list[dict]:
    """One row per establishment, highest rate first.

    Presentation mode: `secrecy` flags indexed by FINESS; `hidden_references` says whether the
    regional and the national rate are secret (a gap to them would give them away); `labels`
    (anonymised) maps FINESS to (the code of its profile's address, the name shown): no FINESS is
    sent. Rows whose rate is secret come last, in name order (their place among the rates would tell
    it)."""
    if secrecy is None:
        return _establishment_rows(estab)
    rows = []
    for r, row in zip(estab.itertuples(), _establishment_rows(estab)):
        flags = secrecy.loc[r.finess]
        _mask_counts(row, flags)
        if flags["rate_hidden"]:
            row.update(taux_pct=SECRET, ic95=SECRET, ecart_region=SECRET, ecart_france=SECRET)
        if hidden_references[0]:
            row["ecart_region"] = SECRET
        if hidden_references[1]:
            row["ecart_france"] = SECRET
        if labels is not None:
            code, name = labels.get(r.finess, ("", "Établissement ?"))
            text = _markdown_text(name)
            row.update(finess="", nom=name, lien=f"[{text}](/etablissement/{code})" if code else text)
        rows.append(row)
    shown = [row for row in rows if row["taux_pct"] != SECRET]
    return shown + sorted((row for row in rows if row["taux_pct"] == SECRET), key=lambda row: row["nom"])


def _markdown_text(text: str) -> str:
    """Plain text for a markdown cell (no link, no emphasis)."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>" else c for c in text)


def _establishment_rows(estab: pd.DataFrame) -> list[dict]:
    return [{
        "finess": r.finess,
        "nom": r.name,
        "lien": f"[{r.name.replace('[', '(').replace(']', ')')}](/etablissement/{r.finess})",
        "statut": STATUS_LABELS.get(r.legal_status, r.legal_status),
        "sejours": int(r.stays), "sejours_ssr": int(r.stays_with_ssr), "taux_pct": _pct(r.rate),
        "ic95": fmt_pct_range(r.low, r.high) if r.stays else "–",
        "ecart_region": fmt_pts(r.gap_region_pts / 100) if r.stays else "–",
        "ecart_france": fmt_pts(r.gap_france_pts / 100) if r.stays else "–",
    } for r in estab.itertuples()]


def national_text(row, secrecy: pd.Series | None = None) -> tuple[str, str]:
    """('38,2 %', '41 234 séjours suivis de SSR sur 108 000 séjours · IC 95 % … · 1 012 établissements').

    `secrecy` (presentation mode): the flags of the national total; a secret rate reads
    ('secret statistique', '< 11 séjours suivis de SSR sur 40 séjours · 3 établissements')."""
    if not row["stays"]:
        return "–", "pas de données"
    if secrecy is not None and secrecy["rate_hidden"]:
        counts = {"sejours_ssr": int(row["stays_with_ssr"]), "sejours": int(row["stays"])}
        _mask_counts(counts, secrecy)
        num, den = (v if isinstance(v, str) else fmt_int(v) for v in (counts["sejours_ssr"], counts["sejours"]))
        return SECRET, (f"{num} séjours suivis de SSR sur {den} séjours"
                        f" · {fmt_int(row['n_establishments'])} établissements")
    return fmt_pct(row["rate"]), (f"{fmt_int(row['stays_with_ssr'])} séjours suivis de SSR sur "
                                  f"{fmt_int(row['stays'])} séjours · IC 95 % {fmt_pct_range(row['low'], row['high'])}"
                                  f" · {fmt_int(row['n_establishments'])} établissements")
