"""Rows and columns of the SSR view's grids (French headings, figures formatted for display,
raw values kept for sorting)."""
from __future__ import annotations

import math

import pandas as pd

from components.format import fmt_dec, fmt_int, fmt_pct, fmt_pct_range, fmt_pts
from components.labels import STATUS_LABELS

_NUM = {"type": "numericColumn"}
# Sort on the raw number, show the French text.
_PCT = {**_NUM, "valueFormatter": {"function": "params.value == null ? '–' : "
                                   "(params.value).toLocaleString('fr-FR', {minimumFractionDigits: 1, "
                                   "maximumFractionDigits: 1}) + '\u00a0%'"}}
_INT = {**_NUM, "valueFormatter": {"function": "params.value == null ? '–' : "
                                   "Number(params.value).toLocaleString('fr-FR')"}}


def _pct(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x) * 100, 1)


def _interval(low, high) -> str:
    """'43,2 – 51,4' (percent, the unit being in the column heading)."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return "–"
    return f"{fmt_dec(low * 100, 1)} – {fmt_dec(high * 100, 1)}"


def territory_columns(level: str) -> list[dict]:
    noun = "Région" if level == "reg" else "Département"
    return [
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


def territory_rows(table: pd.DataFrame, names: dict[str, str]) -> list[dict]:
    """One row per territory with data (the grid and the CSV export show the same figures)."""
    rows = []
    for r in table.itertuples():
        rows.append({
            "code": r.code, "libelle": names.get(r.code, r.code), "taux_pct": _pct(r.rate),
            "ic95": _interval(r.low, r.high) if r.stays else "–",
            "ic95_bas_pct": _pct(r.low), "ic95_haut_pct": _pct(r.high),
            "sejours_ssr": int(r.stays_with_ssr), "sejours": int(r.stays),
            "etablissements": int(r.n_establishments), "classe": int(r.classe),
        })
    return rows


def establishment_columns() -> list[dict]:
    return [
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


def establishment_rows(estab: pd.DataFrame) -> list[dict]:
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


def national_text(row) -> tuple[str, str]:
    """('38,2 %', '41 234 séjours suivis de SSR sur 108 000 séjours · IC 95 % … · 1 012 établissements')."""
    if not row["stays"]:
        return "–", "pas de données"
    return fmt_pct(row["rate"]), (f"{fmt_int(row['stays_with_ssr'])} séjours suivis de SSR sur "
                                  f"{fmt_int(row['stays'])} séjours · IC 95 % {fmt_pct_range(row['low'], row['high'])}"
                                  f" · {fmt_int(row['n_establishments'])} établissements")
