"""/etablissements: search as you type (accent-folded in Python on the cached directory), filters,
a row opens the profile.

The directory holds no count of stays or patients (beds and places are capacities): the
presentation mode leaves it as it is, except anonymised, where names are letters, the FINESS column
goes, and the search reads the letters and the communes only (a name typed would give its letter
away)."""
from __future__ import annotations

from dash import Input, Output, State, callback, clientside_callback, no_update

from analytics import profile as model
from analytics.profile import FILTER_ALL as ALL
from text.format import fmt_count
from text.labels import ACTIVITY_LABELS, STATUS_LABELS
from data_access import establishments
from data_access.cache import cached
from pages.ids import Etablissements as ids
from security.presentation import anonymous_names, current_mode

MAX_ROWS = 3000  # the whole national directory fits; the stress scale is cut (and says so)


def directory_with_keys(url: str):
    """The directory and its folded search keys, computed once per data version."""
    d = establishments.directory(url)
    return d, model.search_keys(d)


def _names():
    d, _ = cached(directory_with_keys)
    regions = d.drop_duplicates("region_code").sort_values("region")[["region_code", "region"]]
    deps = d.drop_duplicates("departement_code").sort_values("departement_code")[
        ["departement_code", "departement", "region_code"]]
    return regions, deps


@callback(Output(ids.REGION, "options"), Output(ids.REGION, "value"),
          Input(ids.QUERY, "data"))
def fill_regions(query):
    regions, _ = _names()
    options = [{"label": "Toutes les régions", "value": ALL}] + [
        {"label": r.region, "value": r.region_code} for r in regions.itertuples()]
    wanted = (query or {}).get("region", "")
    return options, wanted if wanted in set(regions["region_code"]) else ALL


@callback(Output(ids.DEPARTEMENT, "options"), Output(ids.DEPARTEMENT, "value"),
          Input(ids.REGION, "value"), State(ids.QUERY, "data"), State(ids.DEPARTEMENT, "value"))
def fill_departements(region, query, current):
    _, deps = _names()
    if region and region != ALL:
        deps = deps[deps["region_code"] == region]
    options = [{"label": "Tous les départements", "value": ALL}] + [
        {"label": f"{r.departement_code} – {r.departement}", "value": r.departement_code} for r in deps.itertuples()]
    codes = set(deps["departement_code"])
    wanted = current if current and current != ALL else (query or {}).get("departement", "")
    return options, wanted if wanted in codes else ALL


def rows(found) -> list[dict]:
    return [{"finess": r.finess, "nom": r.name,
             "lien": f"[{r.name.replace('[', '(').replace(']', ')')}](/etablissement/{r.finess})",
             "commune": r.commune, "departement": f"{r.departement} ({r.departement_code})", "region": r.region,
             "statut": STATUS_LABELS.get(r.legal_status, r.legal_status),
             "activite": ACTIVITY_LABELS.get(r.activity, r.activity), "lits_places": int(r.beds + r.places)}
            for r in found.itertuples()]


def anonymised_directory(d, names: dict[str, tuple[str, str]]):
    """The directory as the anonymised mode shows it (FINESS -> the profile's code, name ->
    'Établissement K', in the order of the letters) and its search keys (letters and communes)."""
    out = d.assign(finess=d["finess"].map(lambda f: names.get(f, ("", ""))[0]),
                   name=d["finess"].map(lambda f: names.get(f, ("", "Établissement ?"))[1]))
    out = out.assign(_len=out["finess"].str.len()).sort_values(["_len", "finess"], kind="stable").drop(columns="_len")
    keys = out["name"].map(model.fold) + " " + out["commune"].map(model.fold) + " " + out["commune_code"].str.lower()
    return out, keys


@callback(Output(ids.GRID, "rowData"), Output(ids.COUNT, "children"), Output(ids.GRID, "columnDefs"),
          Input(ids.SEARCH, "value"), Input(ids.REGION, "value"), Input(ids.DEPARTEMENT, "value"),
          Input(ids.STATUT, "value"), Input(ids.ACTIVITE, "value"), State(ids.GRID, "columnDefs"))
def search(query, region, departement, statut, activite, columns):
    d, keys = cached(directory_with_keys)
    names = anonymous_names()
    if names is not None:
        d, keys = anonymised_directory(d, names)

    def value(v):
        return "" if v in (None, ALL) else v

    found = model.search(d, keys, (query or "")[:100], value(region), value(departement), value(statut),
                         value(activite))
    total = len(found)
    text = fmt_count(total, "établissement trouvé", "établissements trouvés")
    if total > MAX_ROWS:
        text += f" (les {MAX_ROWS} premiers sont listés : précisez la recherche)"
    # anonymised: no FINESS column (the `finess` field holds the code of the profile's address)
    shown = ([c for c in columns or [] if c.get("field") != "finess"] if current_mode().anonymised and columns
             else no_update)
    return rows(found.head(MAX_ROWS)), text, shown


# A row opens the profile (as a dcc.Link would: pushState, then tell Dash's router); the name
# column is also a real link, for the keyboard.
clientside_callback(
    """
    function(cell) {
        // the name column holds a real link, which navigates by itself
        if (!cell || !cell.rowId || cell.colId === 'lien') { return window.dash_clientside.no_update; }
        const href = '/etablissement/' + encodeURIComponent(cell.rowId);
        window.history.pushState({}, '', href);
        window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
        window.scrollTo(0, 0);
        return href;
    }
    """,
    Output(ids.NAVIGATE, "children"),
    Input(ids.GRID, "cellClicked"),
    prevent_initial_call=True,
)

# The address keeps the search (shareable, and the back button comes back to it).
clientside_callback(
    """
    function(q, region, dep, statut, activite) {
        if (!window.location.pathname.startsWith('/etablissements')) { return window.dash_clientside.no_update; }
        const params = new URLSearchParams();
        const set = (k, v) => { if (v && v !== 'tous') { params.set(k, v); } };
        set('q', q); set('region', region); set('departement', dep); set('statut', statut);
        set('activite', activite);
        const search = params.toString() ? '?' + params.toString() : '';
        if (window.location.search !== search) {
            window.history.replaceState({}, '', window.location.pathname + search);
        }
        return search;
    }
    """,
    Output(ids.URL_SYNC, "children"),
    Input(ids.SEARCH, "value"), Input(ids.REGION, "value"), Input(ids.DEPARTEMENT, "value"),
    Input(ids.STATUT, "value"), Input(ids.ACTIVITE, "value"),
)
