"""Données page: datasets loaded and import history."""
import dash_ag_grid as dag
import pandas as pd
from dash import Input, Output, callback, html

from config import current_settings
from data_access import queries
from pages.ids import Donnees as ids
from pages.ids import Shell
from security import roles
from security.presentation import current_role
from text import labels
from text.format import fmt_int

_GRID_STYLE = {"height": "320px"}
_INT = {"type": "numericColumn", "valueFormatter": {"function": "Number(params.value).toLocaleString('fr-FR')"}}


@callback(Output(ids.SUMMARY, "children"), Output(ids.DATASETS, "children"), Output(ids.HISTORY, "children"),
          Input(Shell.URL, "pathname"))
def show_datasets(_pathname):
    url = current_settings().database_url
    counts = queries.dataset_counts(url)
    admin = roles.allows(current_role(), roles.ADMIN)
    history = queries.import_history(url) if admin else None
    total = int(counts["rows"].sum())
    summary = f"{fmt_int(total)} lignes au total dans {int((counts['rows'] > 0).sum())} jeux de données."
    rows = [{"jeu": labels.DATASET_LABELS[r.kind], "code": r.kind, "lignes": int(r.rows),
             "annees": f"{int(r.first_year)}–{int(r.last_year)}" if pd.notna(r.first_year) else "–"}
            for r in counts.itertuples()]
    datasets = dag.AgGrid(
        id="donnees-datasets-grid",
        rowData=rows,
        columnDefs=[{"field": "jeu", "headerName": "Jeu de données", "flex": 2},
                    {"field": "code", "headerName": "Code d'import", "flex": 1},
                    {"field": "lignes", "headerName": "Lignes", "flex": 1, **_INT},
                    {"field": "annees", "headerName": "Années", "flex": 1}],
        columnSize="responsiveSizeToFit", dashGridOptions={"domLayout": "autoHeight"},
    )
    if history is None:
        return summary, datasets, html.P("L'historique des imports est réservé aux administrateurs.")
    hist_rows = [{"quand": labels.fr_datetime(r.imported_at), "jeu": labels.DATASET_LABELS.get(r.kind, r.kind),
                  "fichier": r.file_name, "inserees": int(r.rows_inserted), "maj": int(r.rows_updated),
                  "par": r.user, "sha256": r.sha256[:12]} for r in history.itertuples()]
    hist = dag.AgGrid(
        id="donnees-history-grid",
        rowData=hist_rows,
        columnDefs=[{"field": "quand", "headerName": "Date"}, {"field": "jeu", "headerName": "Jeu de données"},
                    {"field": "fichier", "headerName": "Fichier"},
                    {"field": "inserees", "headerName": "Lignes ajoutées", **_INT},
                    {"field": "maj", "headerName": "Lignes mises à jour", **_INT},
                    {"field": "par", "headerName": "Par"}, {"field": "sha256", "headerName": "Empreinte SHA-256"}],
        columnSize="responsiveSizeToFit", style=_GRID_STYLE,
    )
    return summary, datasets, hist
