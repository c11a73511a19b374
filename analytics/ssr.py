"""The SSR recourse view: its URL state, and rates by territory and establishment.

Pure functions (no Dash, no SQL). Rates are proportions 0–1; counts are stays.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

import pandas as pd

from analytics.classes import Classification, classify
from analytics.rates import ratio_of_sums

GESTURES = ("PTG", "PTH", "LCA", "COIFFE")
AGE_BANDS = ("<60", "60-74", "75+")
STATUSES = ("public", "espic", "prive")
METHODS = ("quantiles", "jenks", "egaux")
LEVELS = ("reg", "dep")
ALL = "TOUS"
ALL_AGES = "tous"
ALL_STATUSES = "tous"

GESTURE_LABELS = {"PTG": "Prothèse totale de genou (PTG)", "PTH": "Prothèse totale de hanche (PTH)",
                  "LCA": "Ligament croisé antérieur (LCA)", "COIFFE": "Coiffe des rotateurs",
                  ALL: "Les 4 gestes"}
AGE_LABELS = {ALL_AGES: "Tous âges", "<60": "Moins de 60 ans", "60-74": "60 à 74 ans", "75+": "75 ans et plus"}
STATUS_LABELS = {ALL_STATUSES: "Tous statuts", "public": "Public", "espic": "ESPIC", "prive": "Privé"}
LEVEL_LABELS = {"reg": "Régions", "dep": "Départements"}
PARAM_LABELS = {"geste": "geste", "annee": "année", "age": "âge", "niveau": "niveau", "methode": "méthode",
                "classes": "nombre de classes", "statut": "statut", "focus": "territoire"}


@dataclass(frozen=True)
class SsrView:
    """Everything a /ssr address says.

    `focus` is '' (France) or the territory drilled into, read with `niveau`: a region code when
    niveau is 'reg', a département code when it is 'dep' (region and département codes overlap:
    '24' is Centre-Val de Loire and Dordogne).
    """

    geste: str = "PTG"
    annee: int | None = None
    age: str = ALL_AGES
    niveau: str = "reg"
    methode: str = "quantiles"
    classes: int = 4
    statut: str = ALL_STATUSES
    focus: str = ""
    points: bool = False

    @property
    def gestures(self) -> list[str]:
        return list(GESTURES) if self.geste == ALL else [self.geste]

    @property
    def age_bands(self) -> list[str]:
        return list(AGE_BANDS) if self.age == ALL_AGES else [self.age]

    @property
    def statuses(self) -> list[str]:
        return list(STATUSES) if self.statut == ALL_STATUSES else [self.statut]

    def query_string(self) -> str:
        """The canonical query string of this view ('?geste=PTG&annee=2023&age=%3C60…')."""
        params = {"geste": self.geste, "annee": self.annee, "age": self.age, "niveau": self.niveau,
                  "methode": self.methode, "classes": self.classes, "statut": self.statut}
        if self.focus:
            params["focus"] = self.focus
        if self.points:
            params["points"] = "oui"
        return "?" + urlencode({k: v for k, v in params.items() if v is not None})


def parse_view(query: dict[str, str], years: list[int], regions: dict[str, str],
               departements: dict[str, str]) -> tuple[SsrView, list[str]]:
    """Read a view from query parameters; unknown or malformed values fall back to defaults.

    `years` are the years with data (the default is the latest); `regions` and
    `departements` map codes to the parent region ('' for regions). Returns the
    view and French notices naming each value that was ignored.
    """
    notices: list[str] = []
    view = SsrView(annee=max(years) if years else None)

    def bad(name: str, value: str) -> None:
        notices.append(f"Valeur « {value} » ignorée pour le paramètre {PARAM_LABELS[name]} : "
                       f"valeur par défaut utilisée.")

    def pick(name: str, allowed, cast=str):
        raw = query.get(name)
        if raw is None or raw == "":
            return None
        try:
            value = cast(raw)
        except (TypeError, ValueError):
            bad(name, raw)
            return None
        if value not in allowed:
            bad(name, raw)
            return None
        return value

    changes = {
        "geste": pick("geste", (*GESTURES, ALL), lambda s: s.upper()),
        "annee": pick("annee", years, int),
        "age": pick("age", (ALL_AGES, *AGE_BANDS), lambda s: s.replace(" ", "+")),
        "niveau": pick("niveau", LEVELS),
        "methode": pick("methode", METHODS),
        "classes": pick("classes", range(3, 8), int),
        "statut": pick("statut", (ALL_STATUSES, *STATUSES)),
    }
    view = replace(view, **{k: v for k, v in changes.items() if v is not None})
    focus = pick("focus", regions if view.niveau == "reg" else departements, lambda s: s.upper())
    if focus:
        view = replace(view, focus=focus)
    if query.get("points") == "oui":
        view = replace(view, points=True)
    return view, notices


def breadcrumb(view: SsrView, departements: dict[str, str]) -> list[str]:
    """Codes from France down to the focus: [] (France), [region], or [region, département]."""
    if not view.focus:
        return []
    if view.niveau == "dep":
        return [departements[view.focus], view.focus]
    return [view.focus]


def territory_table(counts: pd.DataFrame, view: SsrView,
                    departements: dict[str, str]) -> tuple[str, pd.DataFrame, Classification]:
    """Rates of the territories the map shows, with their classes.

    `counts` has one row per establishment (finess, region_code,
    departement_code, stays, stays_with_ssr) for the view's filters. France:
    regions or départements by `view.niveau`; a region in focus: its
    départements; a département in focus: still its region's départements (the
    map stays on the region, the table lists establishments). Returns the level
    shown ('reg' or 'dep') and a frame: code, stays_with_ssr, stays, rate, low,
    high, n_establishments, classe (0 = no data, 1 = lowest rates), and the classification.
    """
    path = breadcrumb(view, departements)
    if path:
        level, region = "dep", path[0]
        counts = counts[counts["region_code"] == region]
    else:
        level = view.niveau
    key = "region_code" if level == "reg" else "departement_code"
    table = ratio_of_sums(counts.rename(columns={key: "code"}), ["code"], "stays_with_ssr", "stays")
    table = table[["code", "stays_with_ssr", "stays", "rate", "low", "high", "n_establishments"]]
    classification = classify(table["rate"], view.methode, view.classes)
    table["classe"] = classification.classes
    return level, table, classification


def national_rate(counts: pd.DataFrame) -> pd.Series:
    """France as a whole (overseas included): one row of ratio_of_sums."""
    return ratio_of_sums(counts, [], "stays_with_ssr", "stays").iloc[0]


def establishment_table(counts: pd.DataFrame, departement: str) -> pd.DataFrame:
    """Establishments of a département with their rate, Wilson interval and gaps to the regional and
    national rates in percentage points (rate − reference, × 100)."""
    france = national_rate(counts)
    estab = counts[counts["departement_code"] == departement].copy()
    if estab.empty:
        return estab.assign(rate=[], low=[], high=[], gap_region_pts=[], gap_france_pts=[])
    region = estab["region_code"].iloc[0]
    regional = national_rate(counts[counts["region_code"] == region])
    rates = ratio_of_sums(estab, ["finess"], "stays_with_ssr", "stays")[["finess", "rate", "low", "high"]]
    estab = estab.merge(rates, on="finess", how="left")
    estab["gap_region_pts"] = (estab["rate"] - regional["rate"]) * 100
    estab["gap_france_pts"] = (estab["rate"] - france["rate"]) * 100
    return estab.sort_values(["rate", "stays"], ascending=[False, False], na_position="last").reset_index(drop=True)


def with_all_territories(table: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Reindex on every territory of the map (fixed order); territories without data get class 0."""
    out = pd.DataFrame({"code": codes}).merge(table, on="code", how="left")
    out["classe"] = out["classe"].fillna(0).astype(int)
    for col in ("stays_with_ssr", "stays", "n_establishments"):
        out[col] = out[col].fillna(0).astype(int)
    return out


def rate_series(counts_by_year: pd.DataFrame, region: str | None, departement: str | None) -> pd.DataFrame:
    """Rate by year of a territory (or France) and of France: year, rate, low, high, france_rate.

    `counts_by_year` has year, region_code, departement_code, stays, stays_with_ssr.
    """
    france = ratio_of_sums(counts_by_year, ["year"], "stays_with_ssr", "stays")[["year", "rate"]]
    sel = counts_by_year
    if departement:
        sel = sel[sel["departement_code"] == departement]
    elif region:
        sel = sel[sel["region_code"] == region]
    own = ratio_of_sums(sel, ["year"], "stays_with_ssr", "stays")
    return own.merge(france.rename(columns={"rate": "france_rate"}), on="year", how="right").sort_values("year")

