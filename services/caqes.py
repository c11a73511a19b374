"""The /caqes view: its address (parse, validate, write back), the reference data of its controls,
and every figure it shows — headline, map, indicators' distribution, establishments grid — and
/export/caqes.csv, all from one selection (`selection`), so the file never disagrees with the grid.

CAQES figures are indicator values, results and euros, not counts of stays or patients: the
presentation mode leaves them as they are and only anonymises (letters for names, no FINESS)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from analytics import caqes as model
from analytics.caqes import CaqesView
from analytics.classes import Classification
from data_access import caqes as caqes_data
from data_access.cache import cached, per_request
from security.presentation import anonymous_names, current_mode
from services.territories import geo_names
from text.format import is_missing, round_pct

PROFILE_ANCHOR = "etab-caqes-section"  # id of the profile page's CAQES section
EXPORT_COLUMNS = model.EXPORT_COLUMNS  # the columns of /export/caqes.csv
CONTROLS = ("annee", "volet", "indicateur", "niveau", "perimetre")


# ---------------------------------------------------------------------------
# Reference data (cached per data version)
# ---------------------------------------------------------------------------
def years() -> list[int]:
    """Years with CAQES results, ascending."""
    return cached(caqes_data.years)


def available(year: int) -> pd.DataFrame:
    """The indicators with results in `year` (code, label, part, scope), catalogue order."""
    return cached(caqes_data.available, int(year))


def _no_indicator() -> pd.DataFrame:
    return pd.DataFrame({"code": [], "label": [], "part": [], "scope": []})


@dataclass(frozen=True)
class Controls:
    """What the controls of a view offer: the years, the indicators of the view's year, the territories."""

    years: list[int]
    available: pd.DataFrame
    regions: dict[str, str]
    departements: dict[str, str]


def controls(view: CaqesView) -> Controls:
    geo = geo_names()
    return Controls(years(), available(view.annee) if view.annee else _no_indicator(), geo.regions, geo.departements)


# ---------------------------------------------------------------------------
# The view: from an address, from the controls and clicks, back to an address
# ---------------------------------------------------------------------------
def parse_view(query: Mapping[str, str]) -> tuple[CaqesView, list[str]]:
    """The view of a query string (the page's address, or the export's) with French notices for the
    values ignored; values that are not strings (a repeated parameter) are ignored silently."""
    geo = geo_names()
    query = {k: v for k, v in query.items() if isinstance(v, str)}
    return model.parse_view(query, years(), cached(caqes_data.catalogue), available, geo.regions, geo.departements)


def query_string(view: CaqesView) -> str:
    """The view's canonical address: '?annee=2024&volet=tous&indicateur=tous&perimetre=FR&niveau=reg'
    (no annee without data)."""
    return view.query_string()


def with_controls(view: CaqesView, changed: str, annee, volet, indicateur, niveau, perimetre
                  ) -> tuple[CaqesView, list[str]]:
    """The view after the user changed the control `changed` (one of CONTROLS) to the values shown;
    the volet and indicator are then fitted to the year (with French notices)."""
    try:
        year = int(annee) if annee is not None else view.annee
    except (TypeError, ValueError):
        year = view.annee
    view = replace(view, annee=year, volet=volet or model.ALL, indicateur=indicateur or model.ALL)
    if changed == "niveau" and niveau in model.LEVELS:
        view = replace(view, perimetre=model.FRANCE, niveau=niveau)  # a map level of France
    elif changed == "perimetre" and perimetre and perimetre != view.perimetre:
        view = model.with_perimeter(view, perimetre)
    if view.annee is None:
        return view, []
    return model.normalise(view, available(view.annee))


def drill(view: CaqesView, code: str) -> CaqesView:
    """The view after a click on territory `code` of the map (or of the table beside it)."""
    return model.drill(view, code, model.map_level(view))


def with_perimeter(view: CaqesView, perimetre: str) -> CaqesView:
    """The view after a click on a breadcrumb ('' or 'FR': France)."""
    return model.with_perimeter(view, perimetre or model.FRANCE)


def breadcrumb(view: CaqesView) -> list[tuple[str, str]]:
    """(perimeter, label) from below France down to the view's perimeter: [], [('R75', region)],
    or [('R75', region), ('D33', 'Gironde (33)')]."""
    geo = geo_names()
    path = model.breadcrumb(view, geo.region_of)
    return [("R" + code, geo.regions[code]) if i == 0 else ("D" + code, f"{geo.departements[code]} ({code})")
            for i, code in enumerate(path)]


def scope_label(view: CaqesView) -> str:
    """'France entière', the region's name or 'Gironde (33)'."""
    crumbs = breadcrumb(view)
    return crumbs[-1][1] if crumbs else "France entière"


def labels(view: CaqesView) -> tuple[str, str | None]:
    """(volet label, indicator label or None for every indicator)."""
    volet = "tous les volets" if view.volet == model.ALL else model.part_label(view.volet)
    if view.indicateur == model.ALL:
        return volet, None
    cat = cached(caqes_data.catalogue).set_index("code")
    return volet, str(cat["label"].get(view.indicateur, view.indicateur))


# ---------------------------------------------------------------------------
# The selection behind every figure
# ---------------------------------------------------------------------------
def _evaluated_year(url: str, year: int, indicators: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The results of a year (of `indicators` only, when given) with attainment, status and
    incentive (analytics.caqes.evaluate, row by row: the same values whatever rows are read)."""
    return model.evaluate(caqes_data.year_results(url, year, indicators))


def _indicators(volet: str, indicateur: str) -> tuple[str, ...] | None:
    """The catalogue's codes a selection of this volet and indicator can hold (None: every one),
    so that a volet's view reads its own results rather than the year's (a cold view's cost is
    the reading: 16,700 rows a year at national scale, two years per view)."""
    if volet == model.ALL and indicateur == model.ALL:
        return None
    cat = cached(caqes_data.catalogue)
    keep = pd.Series(True, index=cat.index)
    if volet != model.ALL:
        keep &= cat["part"] == volet
    if indicateur != model.ALL:
        keep &= cat["code"] == indicateur
    return tuple(sorted(str(c) for c in cat.loc[keep, "code"]))


def _evaluated(year: int, volet: str = model.ALL, indicateur: str = model.ALL) -> pd.DataFrame:
    """The year's evaluated results that a view of this volet and indicator can select from
    (every perimeter), unpickled from the cache once per request (a callback selects from them
    several times)."""
    return per_request(("caqes.evaluated", int(year), volet, indicateur),
                       lambda: cached(_evaluated_year, int(year), _indicators(volet, indicateur)))


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if c in ("baseline", "target", "achieved", "savings_eur",
                                                           "incentive_rate", "weight") else object)
                         for c in caqes_data.YEAR_COLUMNS})


def selection(view: CaqesView, year: int | None = None) -> pd.DataFrame:
    """The evaluated results of the view (one row per establishment × indicator) for its year
    or `year`: the one source of the grid, the headline, the map and /export/caqes.csv."""
    year = view.annee if year is None else year
    if year is None or year not in years():
        return model.select(model.evaluate(_empty()), view)
    return per_request(("caqes.selection", view, int(year)), lambda: model.select(_evaluated(int(year), view.volet, view.indicateur), view))


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Headline:
    """The headline figures of the view's year (analytics.caqes.headline) and of the year before
    (None without it); `comparable` False when the two years share no indicator."""

    now: dict
    previous: dict | None
    year: int | None
    previous_year: int | None
    comparable: bool


def headline(view: CaqesView) -> Headline:
    sel = selection(view)
    previous_year = view.annee - 1 if view.annee and view.annee - 1 in years() else None
    prev_sel = selection(view, previous_year) if previous_year else None
    comparable = prev_sel is None or bool(set(prev_sel["indicator"]) & set(sel["indicator"]))
    return Headline(model.headline(sel), model.headline(prev_sel) if prev_sel is not None else None, view.annee,
                    (view.annee - 1) if view.annee else None, comparable)


@dataclass(frozen=True)
class Territories:
    """The territories the map shows (regions of France, départements of France or of a region):
    `table` has the territories with contracted establishments (analytics.caqes.territory_table),
    `full` every territory of the map in `codes` order (zero counts, class 0 without contract)."""

    level: str
    region: str  # '' for France
    names: dict[str, str]
    codes: list[str]
    table: pd.DataFrame
    full: pd.DataFrame
    classification: Classification
    one_indicator: bool

    @property
    def title(self) -> str:
        noun = "Régions" if self.level == "reg" else "Départements"
        return noun + (f" — {geo_names().regions[self.region]}" if self.region else "")


def territories(view: CaqesView) -> Territories:
    """The map's territories for the view: the perimeter does not filter them (a département shown
    is one of its region's), it only chooses the region whose départements are shown."""
    return per_request(("caqes.territories", view), lambda: _territories(view))


def _territories(view: CaqesView) -> Territories:
    geo = geo_names()
    level = model.map_level(view)
    path = model.breadcrumb(view, geo.region_of)
    region = path[0] if path else ""
    one = view.indicateur != model.ALL
    sel = selection(replace(view, perimetre=model.FRANCE))
    if region:
        sel = sel[sel["region_code"] == region]
    table, classification = model.territory_table(sel, level, one)
    names = geo.regions if level == "reg" else geo.departements
    codes = sorted(names) if not region else sorted(d for d, r in geo.region_of.items() if r == region)
    return Territories(level, region, names, codes, table, model.with_all_territories(table, codes), classification,
                       one)


def distribution(view: CaqesView) -> pd.DataFrame:
    """The attainment of each indicator of the view across its establishments."""
    return model.indicator_distribution(selection(view))


def establishment_table(view: CaqesView) -> pd.DataFrame:
    """The establishments of the view with their score, statuses, incentive and score change since
    the year before (same volet, indicator and perimeter)."""
    current = model.establishment_table(selection(view))
    previous = model.establishment_table(selection(view, view.annee - 1)) if view.annee else current.iloc[0:0]
    return model.with_change(current, previous)


def profile_href(finess: str, year: int | None) -> str:
    """The profile's CAQES section for a year."""
    query = f"?annee={year}" if year else ""
    return f"/etablissement/{finess}{query}#{PROFILE_ANCHOR}"


def _pct(x, digits: int = 1):
    return round_pct(x, digits)


def establishment_rows(view: CaqesView) -> list[dict]:
    """One row per contracted establishment of the view (the data behind the grid). Anonymised
    mode: the code of the profile's address instead of the FINESS, 'Établissement K' instead of the
    name, rows in the order of the letters (the FINESS order would give the départements away)."""
    deps = geo_names().departements
    aliases = anonymous_names()
    rows = []
    for r in establishment_table(view).itertuples():
        finess, name = (aliases.get(r.finess, ("", "Établissement ?")) if aliases is not None
                        else (r.finess, str(r.name)))
        safe = name.replace("[", "(").replace("]", ")")
        rows.append({
            "finess": finess, "nom": name, "lien": f"[{safe}]({profile_href(finess, view.annee)})",
            "departement": r.departement_code, "departement_nom": deps.get(r.departement_code, ""),
            "score_pct": _pct(r.score), "evolution_pts": _pct(r.score_change),
            "atteints": int(r.n_atteint), "en_progres": int(r.n_en_progres), "non_atteints": int(r.n_non_atteint),
            "non_mesures": int(r.n_non_mesure), "indicateurs": int(r.n_results),
            "interessement_eur": None if is_missing(r.incentive_eur) else round(float(r.incentive_eur)),
        })
    if aliases is not None:
        rows.sort(key=lambda row: (len(row["finess"]), row["finess"]))
    return rows


def export_rows(view: CaqesView) -> list[dict]:
    """/export/caqes.csv: one row per establishment × indicator of the view (same selection as the
    grid); anonymised, no FINESS and 'Établissement K' for the name."""
    rows = model.result_rows(selection(view), view.annee) if view.annee else []
    names = anonymous_names()
    if names is not None:
        rows = [dict(r, finess="", raison_sociale=names.get(r["finess"], ("", "Établissement ?"))[1]) for r in rows]
        rows.sort(key=lambda r: (len(r["raison_sociale"]), r["raison_sociale"]))
    return rows


def export_name(view: CaqesView) -> str:
    """The export's file name: 'caqes-2024-tous-tous-fr.csv'."""
    return f"caqes-{view.annee}-{view.volet}-{view.indicateur}-{view.perimetre}".lower().replace("_", "-") + ".csv"


def anonymised() -> bool:
    """Whether the current request shows establishments anonymised (no FINESS column)."""
    return current_mode().anonymised
