"""The directory /etablissements: its view (search text and filters), its rows, its address.

Search as you type, accent-folded in Python on the cached directory (analytics.profile.search).
The directory holds no count of stays or patients (beds and places are capacities): the
presentation mode leaves it as it is, except anonymised, where names are letters, the FINESS and
commune columns go, the capacity is a band, the other attributes are k-anonymous
(analytics.anonymity) and the search reads the letters only (a name or commune typed would give its
letter away)."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd

from analytics import profile as model
from analytics.anonymity import WITHHELD
from analytics.profile import FILTER_ALL as ALL
from data_access import establishments
from data_access.cache import cached
from security.presentation import anonymous_identities, anonymous_names
from text.format import fmt_count
from text.labels import ACTIVITY_LABELS, STATUS_LABELS

PATH = "/etablissements"
MAX_ROWS = 3000  # the whole national directory fits; the stress scale is cut (and says so)
MAX_QUERY = 100  # characters of the search text kept
NOT_STATED = "non précisé"  # an anonymised value shared by too few establishments to be shown


@dataclass(frozen=True)
class DirectoryView:
    """The search text and the filters (codes; ALL: no filter), each checked against the directory."""

    q: str = ""
    region: str = ALL
    departement: str = ALL
    statut: str = ALL
    activite: str = ALL


def directory_with_keys(url: str):
    """The directory and its folded search keys, computed once per data version."""
    d = establishments.directory(url)
    return d, model.search_keys(d)


def _names() -> tuple[pd.DataFrame, pd.DataFrame]:
    d, _ = cached(directory_with_keys)
    regions = d.drop_duplicates("region_code").sort_values("region")[["region_code", "region"]]
    deps = d.drop_duplicates("departement_code").sort_values("departement_code")[
        ["departement_code", "departement", "region_code"]]
    return regions, deps


def _departements(region: str) -> pd.DataFrame:
    _, deps = _names()
    return deps[deps["region_code"] == region] if region and region != ALL else deps


def parse_view(query: dict) -> DirectoryView:
    """The view of a query dict {q, region, departement, statut, activite} (the address's query
    string or the controls' values): a value that is not a known code is no filter."""
    def text(key: str) -> str:
        value = query.get(key)
        return value if isinstance(value, str) else ""

    def known(key: str, codes) -> str:
        value = text(key)
        return value if value in codes else ALL

    regions, _ = _names()
    region = known("region", set(regions["region_code"]))
    return DirectoryView(q=text("q")[:MAX_QUERY], region=region,
                         departement=known("departement", set(_departements(region)["departement_code"])),
                         statut=known("statut", STATUS_LABELS), activite=known("activite", ACTIVITY_LABELS))


def query_string(view: DirectoryView) -> str:
    """The address's query string of a view ('' when nothing is searched nor filtered)."""
    params = {k: v for k, v in (("q", view.q), ("region", view.region), ("departement", view.departement),
                                ("statut", view.statut), ("activite", view.activite)) if v and v != ALL}
    return "?" + urlencode(params) if params else ""


# ---------------------------------------------------------------------------
# The filters' options
# ---------------------------------------------------------------------------
def region_options() -> list[dict]:
    regions, _ = _names()
    return [{"label": "Toutes les régions", "value": ALL}] + [
        {"label": r.region, "value": r.region_code} for r in regions.itertuples()]


def departement_options(region: str) -> list[dict]:
    """The départements of a region (every one for ALL)."""
    return [{"label": "Tous les départements", "value": ALL}] + [
        {"label": f"{r.departement_code} – {r.departement}", "value": r.departement_code}
        for r in _departements(region).itertuples()]


def departement_kept(region: str, current: str | None) -> str:
    """The département selected once the region changes: the current one if it is in the region."""
    return current if current is not None and current in set(_departements(region)["departement_code"]) else ALL


def status_options() -> list[dict]:
    return [{"label": "Tous les statuts", "value": ALL}] + [{"label": v, "value": k} for k, v in STATUS_LABELS.items()]


def activity_options() -> list[dict]:
    return [{"label": "Toutes les activités", "value": ALL}] + [
        {"label": v, "value": k} for k, v in ACTIVITY_LABELS.items()]


# ---------------------------------------------------------------------------
# The rows
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchResult:
    rows: list[dict]
    count_text: str
    anonymised: bool  # the FINESS column goes (the `finess` field holds the code of the profile's address)


def rows(found: pd.DataFrame) -> list[dict]:
    return [{"finess": r.finess, "nom": r.name,
             "lien": f"[{r.name.replace('[', '(').replace(']', ')')}](/etablissement/{r.finess})",
             "commune": r.commune, "departement": f"{r.departement} ({r.departement_code})", "region": r.region,
             "statut": STATUS_LABELS.get(r.legal_status, r.legal_status),
             "activite": ACTIVITY_LABELS.get(r.activity, r.activity), "lits_places": int(r.beds + r.places)}
            for r in found.itertuples()]


def anonymised_directory(d: pd.DataFrame, names: dict[str, tuple[str, str]]):
    """The directory as the anonymised mode shows it and its search keys (the letters only): FINESS
    -> the profile's code, name -> 'Établissement K', in the order of the letters; no commune; the
    région, département, status, activity and a capacity band as far as at least K establishments
    share them (`security.presentation.anonymous_identities`), else « non précisé » (and the
    filters do not find them under the value withheld)."""
    identities = anonymous_identities().reindex(d["finess"])
    regions = dict(zip(d["region_code"], d["region"]))
    deps = dict(zip(d["departement_code"], d["departement"]))
    out = d.assign(finess=d["finess"].map(lambda f: names.get(f, ("", ""))[0]),
                   name=d["finess"].map(lambda f: names.get(f, ("", "Établissement ?"))[1]),
                   commune="", commune_code="",
                   region_code=identities["region_code"].fillna(WITHHELD).to_numpy(),
                   departement_code=identities["departement_code"].fillna(WITHHELD).to_numpy(),
                   legal_status=identities["legal_status"].fillna(WITHHELD).to_numpy(),
                   activity=identities["activity"].fillna(WITHHELD).to_numpy(),
                   capacity=identities["capacity"].fillna(WITHHELD).to_numpy())
    out = out.assign(region=out["region_code"].map(lambda c: regions.get(c, "")),
                     departement=out["departement_code"].map(lambda c: deps.get(c, "")),
                     latitude=None, longitude=None, beds=0, places=0)
    out = out.assign(_len=out["finess"].str.len()).sort_values(["_len", "finess"], kind="stable").drop(columns="_len")
    return out, out["name"].map(model.fold)


def anonymised_rows(found: pd.DataFrame) -> list[dict]:
    """The anonymised grid's rows: no FINESS (the field holds the profile's code), no commune, the
    capacity as a band; a withheld value reads « non précisé »."""
    def stated(label: str) -> str:
        return label or NOT_STATED

    return [{"finess": r.finess, "nom": r.name, "lien": f"[{r.name}](/etablissement/{r.finess})",
             "departement": stated(f"{r.departement} ({r.departement_code})" if r.departement_code else ""),
             "region": stated(r.region), "statut": stated(STATUS_LABELS.get(r.legal_status, r.legal_status)),
             "activite": stated(ACTIVITY_LABELS.get(r.activity, r.activity)), "lits_places": stated(r.capacity)}
            for r in found.itertuples()]


def search(view: DirectoryView) -> SearchResult:
    """The establishments of a view as the current mode shows them (at most MAX_ROWS, the count says so)."""
    d, keys = cached(directory_with_keys)
    names = anonymous_names()
    if names is not None:
        d, keys = anonymised_directory(d, names)

    def value(v):
        return "" if v in (None, ALL) else v

    found = model.search(d, keys, view.q, value(view.region), value(view.departement), value(view.statut),
                         value(view.activite))
    total = len(found)
    text = fmt_count(total, "établissement trouvé", "établissements trouvés")
    if total > MAX_ROWS:
        text += f" (les {MAX_ROWS} premiers sont listés : précisez la recherche)"
    shown = found.head(MAX_ROWS)
    return SearchResult(anonymised_rows(shown) if names is not None else rows(shown), text, names is not None)
