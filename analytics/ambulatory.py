"""The ambulatory-surgery view (virage ambulatoire): its URL state, rates by territory and
establishment against the regional targets, and the secret statistique of its counts.

Pure functions (no Dash, no SQL). Rates are proportions 0-1 (ambulatory stays / stays, a ratio
of sums, never a mean of rates); targets are percentages 0-100 as the programmes write them;
gaps to a target or a reference are in percentage points (rate × 100 − target). Counts are stays.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from analytics.classes import Classification, classify
from analytics.rates import ratio_of_sums

ALL = "TOUS"  # every marker procedure of the list of 55
ALL_STATUSES = "tous"
STATUSES = ("public", "espic", "prive")
METHODS = ("quantiles", "jenks", "egaux")
LEVELS = ("reg", "dep")
COLOURINGS = ("taux", "ecart")  # the map coloured by the rate, or by the gap to target
STATUS_LABELS = {ALL_STATUSES: "Tous statuts", "public": "Public", "espic": "ESPIC", "prive": "Privé"}
LEVEL_LABELS = {"reg": "Régions", "dep": "Départements"}
COLOURING_LABELS = {"taux": "Taux ambulatoire", "ecart": "Écart à la cible"}
PARAM_LABELS = {"geste": "geste", "annee": "année", "niveau": "niveau", "methode": "méthode",
                "classes": "nombre de classes", "statut": "statut", "focus": "territoire", "couleur": "coloration"}
# Classes of the gap to target (points), fixed so that the colour says the side of the target:
# upper bounds of classes 1..5, the last open.
GAP_BOUNDS = (-5.0, -2.0, 0.0, 2.0)
GAP_LABELS = ("5 points ou plus sous la cible", "2 à 5 points sous la cible", "0 à 2 points sous la cible",
              "0 à 2 points au-dessus", "2 points ou plus au-dessus")
FAR_BELOW_TARGET_PTS = 10.0  # profile: an establishment this far below its target is a point d'attention


@dataclass(frozen=True)
class AmbuView:
    """Everything a /ambulatoire address says. `focus` is '' (France), a region code (niveau
    'reg') or a département code (niveau 'dep'), as on /ssr."""

    annee: int | None = None
    geste: str = ALL
    statut: str = ALL_STATUSES
    niveau: str = "reg"
    methode: str = "quantiles"
    classes: int = 4
    couleur: str = "taux"
    focus: str = ""

    @property
    def statuses(self) -> list[str]:
        return list(STATUSES) if self.statut == ALL_STATUSES else [self.statut]

    def groups(self, markers: list[str]) -> list[str]:
        """The procedures summed: the view's one, or every marker procedure (`markers`)."""
        return list(markers) if self.geste == ALL else [self.geste]

    def query_string(self) -> str:
        """The canonical query string ('?annee=2024&geste=TOUS&statut=tous&niveau=reg…')."""
        params = {"annee": self.annee, "geste": self.geste, "statut": self.statut, "niveau": self.niveau,
                  "methode": self.methode, "classes": self.classes, "couleur": self.couleur}
        if self.focus:
            params["focus"] = self.focus
        return "?" + urlencode({k: v for k, v in params.items() if v is not None})


def parse_view(query: dict[str, str], years: list[int], procedures: list[str], regions: dict[str, str],
               region_of: dict[str, str]) -> tuple[AmbuView, list[str]]:
    """Read a view from query parameters; unknown or malformed values fall back to the defaults
    (latest year, every marker procedure, France by region) with a French notice each."""
    notices: list[str] = []
    view = AmbuView(annee=max(years) if years else None)

    def pick(name: str, allowed, cast=str):
        raw = query.get(name)
        if raw is None or raw == "":
            return None
        try:
            value = cast(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or value not in allowed:
            notices.append(f"Valeur « {raw} » ignorée pour le paramètre {PARAM_LABELS[name]} : "
                           "valeur par défaut utilisée.")
            return None
        return value

    changes = {
        "annee": pick("annee", years, int),
        "geste": pick("geste", (ALL, *procedures), lambda s: s.strip().upper()),
        "statut": pick("statut", (ALL_STATUSES, *STATUSES), lambda s: s.strip().lower()),
        "niveau": pick("niveau", LEVELS),
        "methode": pick("methode", METHODS),
        "classes": pick("classes", range(3, 8), int),
        "couleur": pick("couleur", COLOURINGS),
    }
    view = replace(view, **{k: v for k, v in changes.items() if v is not None})
    focus = pick("focus", regions if view.niveau == "reg" else region_of, lambda s: s.strip().upper())
    if focus:
        view = replace(view, focus=focus)
    return view, notices


def breadcrumb(view: AmbuView, region_of: dict[str, str]) -> list[str]:
    """Codes from France down to the focus: [], [region] or [region, département]."""
    if not view.focus:
        return []
    return [region_of[view.focus], view.focus] if view.niveau == "dep" else [view.focus]


def drill(view: AmbuView, code: str) -> AmbuView:
    """The view after a click on territory `code` of the map or of its table: a region of France
    opens its départements, a département its establishments."""
    if code == view.focus:
        return view
    shows_regions = view.niveau == "reg" and not view.focus
    return replace(view, focus=code, niveau="reg" if shows_regions else "dep")


# ---------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------
def applicable(view: AmbuView, targets: pd.DataFrame) -> pd.DataFrame:
    """The targets that apply to the view: a programme's target is set on the rate of ALL the marker
    procedures, so a view of one procedure has none (its rate is not compared with it); a view of
    one legal status is compared with the region's target (which sector lags)."""
    return targets if view.geste == ALL else targets.iloc[0:0]


def regional_targets(targets: pd.DataFrame, year: int | None) -> dict[str, float]:
    """region_code -> the regional target (percent) of `year`."""
    sel = targets[(targets["year"] == year) & (targets["departement_code"] == "")]
    return dict(zip(sel["region_code"], sel["target_pct"].astype(float)))


def departement_targets(targets: pd.DataFrame, year: int | None, region_of: dict[str, str]) -> dict[str, float]:
    """departement_code -> the target that applies to it in `year`: its local target, else its region's."""
    regional = regional_targets(targets, year)
    out = {d: regional[r] for d, r in region_of.items() if r in regional}
    local = targets[(targets["year"] == year) & (targets["departement_code"] != "")]
    out.update(dict(zip(local["departement_code"], local["target_pct"].astype(float))))
    return out


def gap_pts(rate, target_pct):
    """Gap to target in points: rate (proportion) × 100 − target (percent); NaN without either."""
    rate = np.asarray(rate, dtype=float)
    target = np.asarray(target_pct, dtype=float)
    return rate * 100 - target


def gap_classes(gaps) -> list[int]:
    """Class 1..5 of each gap (GAP_BOUNDS: below −5, −5 to −2, −2 to 0, 0 to 2, 2 points and more);
    0 without a gap. A gap equal to a bound goes to the class above it (0 is 'above the target')."""
    values = np.asarray(gaps, dtype=float)
    classes = np.searchsorted(np.asarray(GAP_BOUNDS), values, side="right") + 1
    return np.where(np.isnan(values), 0, classes).astype(int).tolist()


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------
def territory_table(counts: pd.DataFrame, view: AmbuView, region_of: dict[str, str],
                    targets: pd.DataFrame) -> tuple[str, pd.DataFrame, Classification]:
    """Rates of the territories the map shows, with targets, gaps and classes.

    `counts`: one row per establishment (finess, region_code, departement_code, stays,
    ambulatory_stays). France: regions or départements by `view.niveau`; a region or a
    département in focus: the région's départements. Returns the level shown and a frame: code,
    ambulatory_stays, stays, rate, low, high, n_establishments, target_pct, gap_pts, classe (class
    of the rate, 0 = no data), gap_classe (class of the gap, 0 = no target), and the
    classification of the rates."""
    path = breadcrumb(view, region_of)
    if path:
        level = "dep"
        counts = counts[counts["region_code"] == path[0]]
    else:
        level = view.niveau
    key = "region_code" if level == "reg" else "departement_code"
    table = ratio_of_sums(counts.rename(columns={key: "code"}), ["code"], "ambulatory_stays", "stays")
    table = table[["code", "ambulatory_stays", "stays", "rate", "low", "high", "n_establishments"]]
    goal = (regional_targets(targets, view.annee) if level == "reg"
            else departement_targets(targets, view.annee, region_of))
    table["target_pct"] = table["code"].map(goal).astype(float)
    table["gap_pts"] = gap_pts(table["rate"], table["target_pct"])
    classification = classify(table["rate"], view.methode, view.classes)
    table["classe"] = classification.classes
    table["gap_classe"] = gap_classes(table["gap_pts"])
    return level, table, classification


def national_rate(counts: pd.DataFrame) -> pd.Series:
    """France as a whole (overseas included): one row of ratio_of_sums."""
    return ratio_of_sums(counts, [], "ambulatory_stays", "stays").iloc[0]


def establishment_table(counts: pd.DataFrame, departement: str, target_pct: float | None) -> pd.DataFrame:
    """Establishments of a département: rate, Wilson interval, gap to the regional rate and to the
    target in points (rate − reference, × 100), lowest rates first (the ones the shift waits for)."""
    estab = counts[counts["departement_code"] == departement].copy()
    if estab.empty:
        return estab.assign(rate=[], low=[], high=[], gap_region_pts=[], gap_target_pts=[], target_pct=[])
    regional = national_rate(counts[counts["region_code"] == estab["region_code"].iloc[0]])
    rates = ratio_of_sums(estab, ["finess"], "ambulatory_stays", "stays")[["finess", "rate", "low", "high"]]
    estab = estab.merge(rates, on="finess", how="left")
    estab["gap_region_pts"] = (estab["rate"] - regional["rate"]) * 100
    estab["target_pct"] = np.nan if target_pct is None else float(target_pct)
    estab["gap_target_pts"] = gap_pts(estab["rate"], estab["target_pct"])
    return estab.sort_values(["rate", "stays"], ascending=[True, False], na_position="last").reset_index(drop=True)


def with_all_territories(table: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Reindex on every territory of the map (fixed order); territories without data get class 0."""
    out = pd.DataFrame({"code": codes}).merge(table, on="code", how="left")
    for col in ("classe", "gap_classe", "ambulatory_stays", "stays", "n_establishments"):
        out[col] = out[col].fillna(0).astype(int)
    return out


def rate_series(by_year: pd.DataFrame, region: str | None, departement: str | None,
                targets: pd.DataFrame) -> pd.DataFrame:
    """Rate by year of the territory in focus (France without one) and of France, with the target
    that applied to it each year: year, ambulatory_stays, stays, rate, low, high, france_rate,
    target_pct (NaN for France, or a year without target)."""
    france = ratio_of_sums(by_year, ["year"], "ambulatory_stays", "stays")[["year", "rate"]]
    sel = by_year
    if departement:
        sel = sel[sel["departement_code"] == departement]
    elif region:
        sel = sel[sel["region_code"] == region]
    own = ratio_of_sums(sel, ["year"], "ambulatory_stays", "stays")
    out = own.merge(france.rename(columns={"rate": "france_rate"}), on="year", how="right").sort_values("year")
    goal = []
    for year in out["year"]:
        if departement:
            goal.append(departement_targets(targets, int(year), {departement: region or ""}).get(departement, np.nan))
        elif region:
            goal.append(regional_targets(targets, int(year)).get(region, np.nan))
        else:
            goal.append(np.nan)
    out["target_pct"] = np.asarray(goal, dtype=float)
    return out.reset_index(drop=True)
