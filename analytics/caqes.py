"""CAQES progress: attainment, status, score and incentive (issue 6, also on /methodes), and the
/caqes view built on them (URL state, selections, tables by establishment, territory, indicator).

Units: baseline, target and achieved are in the indicator's unit (mostly percentages 0–100);
`better` is the catalogue direction, 'higher' or 'lower'. Attainment, shares and scores are
fractions 0–1; savings and incentives are euros. Pure functions, no Dash, no SQL.

Definitions, for one establishment, indicator and year:

- attainment = (achieved − baseline) / (target − baseline), clipped to [0, 1] — the same formula
  serves both directions, since numerator and denominator change sign together for 'lower':
  1 when the target is reached or passed, 0 for no progress or worse. When the target equals
  the baseline: 1 if achieved is at least as good as the target, else 0;
- status: 'atteint' (achieved at least as good as the target), 'en progrès' (strictly better
  than the baseline, target not reached), 'non atteint' (otherwise);
- no achieved value yet (achieved empty): status 'non mesuré' in the UI and the export
  (`status` returns None), no attainment (NaN), and the indicator is left out of the score and
  of the status shares (which are shares of the *measured* results); it still counts among the
  indicators followed;
- score of an establishment for a year: the mean attainment of its measured indicators,
  weighted by the catalogue's `weight` (1 for every indicator in the demo catalogue, so
  national and regional indicators weigh the same); NaN when none is measured;
- incentive estimate: Σ savings_eur × the indicator's incentive_rate over the results with
  savings (a missing saving adds nothing), whatever the status.

Two values equal up to 1e-9 (in the indicator's unit) count as equal, so that 40.8 read back
from a database as 40.800000000000004 still reaches a target of 40.8.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from analytics.classes import Classification, classify
from analytics.perimeter import in_perimeter, parse_perimetre
from text import labels

ATTEINT, EN_PROGRES, NON_ATTEINT = "atteint", "en progrès", "non atteint"
NON_MESURE = "non mesuré"  # label of a result without an achieved value (status None)
STATUS_ORDER = (NON_ATTEINT, EN_PROGRES, ATTEINT)
EPS = 1e-9

ALL = "tous"
LEVELS = ("reg", "dep")
FRANCE = "FR"
LEVEL_LABELS = {"reg": "Régions", "dep": "Départements"}
# Labels of the catalogue's scopes and parts (volets); a part missing there is shown from its code.
SCOPE_LABELS = labels.CAQES_SCOPE_LABELS
PART_LABELS = labels.CAQES_PART_LABELS
PARAM_LABELS = {"annee": "année", "volet": "volet", "indicateur": "indicateur", "perimetre": "périmètre",
                "niveau": "niveau"}
MAP_METHOD, MAP_CLASSES = "quantiles", 4  # as the default of /ssr


# ---------------------------------------------------------------------------
# Definitions
# ---------------------------------------------------------------------------
def _missing(x) -> bool:
    return x is None or bool(pd.isna(x))


def _gain(value: float, reference: float, better: str) -> float:
    """How much better `value` is than `reference` in the indicator's direction (> 0 = better)."""
    return (value - reference) if better == "higher" else (reference - value)


def _check_direction(better: str) -> None:
    if better not in ("higher", "lower"):
        raise ValueError(f"direction inconnue : {better!r} (attendu : 'higher' ou 'lower')")


def attainment(baseline: float, target: float, achieved: float | None, better: str) -> float | None:
    """Share of the way from baseline to target, 0–1 (see the module docstring); None without
    an achieved value. A target reached gives 1 whatever the baseline (also when the target
    equals the baseline, or, in faulty data, lies on the wrong side of it: then 0 if not reached)."""
    if achieved is None or _missing(achieved) or _missing(baseline) or _missing(target):
        return None
    _check_direction(better)
    if _gain(achieved, target, better) >= -EPS:
        return 1.0
    span = _gain(target, baseline, better)
    if span <= EPS:
        return 0.0
    return float(min(1.0, max(0.0, _gain(achieved, baseline, better) / span)))


def status(baseline: float, target: float, achieved: float | None, better: str) -> str | None:
    """'atteint', 'en progrès' or 'non atteint'; None without an achieved value ('non mesuré')."""
    if achieved is None or _missing(achieved) or _missing(baseline) or _missing(target):
        return None
    _check_direction(better)
    if _gain(achieved, target, better) >= -EPS:
        return ATTEINT
    if _gain(achieved, baseline, better) > EPS:
        return EN_PROGRES
    return NON_ATTEINT


def status_label(value) -> str:
    """The status as shown and exported: None (no achieved value) is 'non mesuré'."""
    return NON_MESURE if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def with_attainment(results: pd.DataFrame) -> pd.DataFrame:
    """A copy of `results` (baseline, target, achieved, better) with `attainment` (0–1, NaN when
    achieved is missing) and `status` (ATTEINT, EN_PROGRES, NON_ATTEINT, None when missing).

    Vectorised; gives exactly `attainment` and `status` row by row (tested)."""
    out = results.copy()
    better = out["better"].to_numpy(dtype=object)
    bad = ~np.isin(better, ["higher", "lower"])
    if bad.any():
        raise ValueError(f"direction inconnue : {better[bad][0]!r} (attendu : 'higher' ou 'lower')")
    sign = np.where(better == "higher", 1.0, -1.0)
    b = out["baseline"].to_numpy(dtype=float)
    t = out["target"].to_numpy(dtype=float)
    a = out["achieved"].to_numpy(dtype=float)
    known = np.isfinite(a) & np.isfinite(b) & np.isfinite(t)
    span = sign * (t - b)
    reached = sign * (a - t) >= -EPS
    progress = sign * (a - b)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.clip(progress / np.where(span > EPS, span, 1.0), 0.0, 1.0)
    att = np.where(reached, 1.0, np.where(span > EPS, ratio, 0.0)) + 0.0  # + 0.0: no negative zero
    out["attainment"] = np.where(known, att, np.nan)
    labels = np.where(reached, ATTEINT, np.where(progress > EPS, EN_PROGRES, NON_ATTEINT)).astype(object)
    labels[~known] = None
    out["status"] = pd.Series(labels, index=out.index, dtype=object)
    return out


def score(attainments, weights=None) -> float:
    """Weighted mean attainment (0–1) of the indicators with a value; NaN when none has one."""
    a = np.asarray(attainments, dtype=float)
    w = np.ones_like(a) if weights is None else np.asarray(weights, dtype=float)
    ok = np.isfinite(a) & np.isfinite(w)
    if not ok.any() or w[ok].sum() == 0:
        return float("nan")
    return float((a[ok] * w[ok]).sum() / w[ok].sum())


def incentive(savings_eur, incentive_rates) -> float:
    """Estimated incentive in euros: Σ savings × rate over indicators with savings (missing = 0)."""
    s = np.asarray(savings_eur, dtype=float)
    r = np.asarray(incentive_rates, dtype=float)
    ok = np.isfinite(s) & np.isfinite(r)
    return float((s[ok] * r[ok]).sum())


def evaluate(results: pd.DataFrame) -> pd.DataFrame:
    """Results with catalogue columns (better, incentive_rate, weight…) plus `attainment`,
    `status` (None = non mesuré) and `incentive_eur` (savings_eur × incentive_rate, NaN without
    savings)."""
    out = with_attainment(results)
    out["incentive_eur"] = out["savings_eur"].astype(float) * out["incentive_rate"].astype(float)
    return out


# ---------------------------------------------------------------------------
# The /caqes view (its address)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CaqesView:
    """Everything a /caqes address says.

    `perimetre` is 'FR', 'R<region>' (R84) or 'D<département>' (D33, D2A, D971): region and
    département codes overlap ('24' is Centre-Val de Loire and Dordogne), so the letter says
    which. `niveau` ('reg' or 'dep') is the level the map shows: regions or départements of
    France, and always 'dep' inside a region or a département (the map then shows the region's
    départements).
    """

    annee: int | None = None
    volet: str = ALL
    indicateur: str = ALL
    perimetre: str = FRANCE
    niveau: str = "reg"

    @property
    def region(self) -> str | None:
        return self.perimetre[1:] if self.perimetre[:1] == "R" else None

    @property
    def departement(self) -> str | None:
        return self.perimetre[1:] if self.perimetre[:1] == "D" else None

    def query_string(self) -> str:
        """The canonical query string ('?annee=2024&volet=tous&indicateur=tous&perimetre=FR&niveau=reg')."""
        params = {"annee": self.annee, "volet": self.volet, "indicateur": self.indicateur,
                  "perimetre": self.perimetre, "niveau": self.niveau}
        return "?" + urlencode({k: v for k, v in params.items() if v is not None})


def part_label(code: str) -> str:
    return PART_LABELS.get(code, str(code).replace("_", " ").capitalize())


def normalise(view: CaqesView, available: pd.DataFrame) -> tuple[CaqesView, list[str]]:
    """Make the volet and indicator fit the year: `available` lists the indicators with results
    that year (code, label, part). A volet without indicator that year, or an indicator outside
    the year or the volet, falls back to 'tous' with a French notice."""
    notices = []
    parts = set(available["part"])
    codes = dict(zip(available["code"], available["part"]))
    if view.volet != ALL and view.volet not in parts:
        notices.append(f"Le volet « {part_label(view.volet)} » n'a pas d'indicateur en {view.annee} : "
                       f"tous les volets sont affichés.")
        view = replace(view, volet=ALL)
    if view.indicateur != ALL:
        part = codes.get(view.indicateur)
        if part is None:
            notices.append(f"L'indicateur « {view.indicateur} » n'a pas de résultat en {view.annee} : "
                           f"tous les indicateurs sont affichés.")
            view = replace(view, indicateur=ALL)
        elif view.volet != ALL and part != view.volet:
            label = dict(zip(available["code"], available["label"])).get(view.indicateur, view.indicateur)
            notices.append(f"L'indicateur « {label} » n'appartient pas au volet "
                           f"« {part_label(view.volet)} » : tous les indicateurs du volet sont affichés.")
            view = replace(view, indicateur=ALL)
    return view, notices


def parse_view(query: dict[str, str], years: list[int], catalogue: pd.DataFrame, available_by_year,
               regions: dict[str, str], departements: dict[str, str]) -> tuple[CaqesView, list[str]]:
    """Read a view from query parameters; unknown or malformed values fall back to defaults.

    `years`: years with results (default: the latest); `catalogue`: every indicator (code,
    part); `available_by_year(year)`: the indicators with results that year (code, label,
    part); `regions` and `departements` map codes to names. Returns the view and French notices
    naming each value that was ignored (a volet or indicator of the catalogue without result
    that year falls back to 'tous' with its own notice, see `normalise`).
    """
    notices: list[str] = []
    view = CaqesView(annee=max(years) if years else None)

    def bad(name: str, value: str) -> None:
        notices.append(f"Valeur « {value} » ignorée pour le paramètre {PARAM_LABELS[name]} : "
                       f"valeur par défaut utilisée.")

    def raw(name: str) -> str:  # "" when absent or blank
        value = query.get(name)
        return "" if value is None or str(value).strip() == "" else str(value).strip()[:60]

    if raw("annee"):
        year = int(raw("annee")) if raw("annee").isdigit() else None
        if year in years:
            view = replace(view, annee=year)
        else:
            bad("annee", raw("annee"))
    if raw("niveau"):
        if raw("niveau").lower() in LEVELS:
            view = replace(view, niveau=raw("niveau").lower())
        else:
            bad("niveau", raw("niveau"))
    if raw("perimetre"):
        perimetre, note = parse_perimetre(raw("perimetre"), regions, departements)
        if perimetre is None:
            bad("perimetre", raw("perimetre"))
        else:
            view = replace(view, perimetre=perimetre, niveau=view.niveau if perimetre == FRANCE else "dep")
            if note:
                notices.append(note)
    if raw("volet"):
        parts = {str(p).lower(): p for p in catalogue["part"]}
        volet = raw("volet").lower()
        if volet == ALL or volet in parts:
            view = replace(view, volet=parts.get(volet, ALL))
        else:
            bad("volet", raw("volet"))
    if raw("indicateur"):
        codes = {str(c).upper(): c for c in catalogue["code"]}
        wanted = raw("indicateur")
        if wanted.lower() == ALL or wanted.upper() in codes:
            view = replace(view, indicateur=codes.get(wanted.upper(), ALL))
        else:
            bad("indicateur", wanted)
    if view.annee is None:
        return replace(view, volet=ALL, indicateur=ALL), notices
    view, more = normalise(view, available_by_year(view.annee))
    return view, notices + more


def breadcrumb(view: CaqesView, dep_region: dict[str, str]) -> list[str]:
    """Codes from France down to the perimeter: [] (France), [region], or [region, département]."""
    if view.departement:
        return [dep_region[view.departement], view.departement]
    if view.region:
        return [view.region]
    return []


def map_level(view: CaqesView) -> str:
    """'reg' or 'dep': regions only for France at the regional level."""
    return view.niveau if view.perimetre == FRANCE else "dep"


def drill(view: CaqesView, code: str, level_shown: str) -> CaqesView:
    """The view after a click on territory `code` of a map (or table) showing `level_shown`."""
    return replace(view, perimetre=("R" if level_shown == "reg" else "D") + code, niveau="dep")


def with_perimeter(view: CaqesView, perimetre: str) -> CaqesView:
    """The view on another perimeter: France by regions, else the départements of a region."""
    return replace(view, perimetre=perimetre, niveau="reg" if perimetre == FRANCE else "dep")


# ---------------------------------------------------------------------------
# Selections and tables
# ---------------------------------------------------------------------------
def select(evaluated: pd.DataFrame, view: CaqesView, *, perimeter: bool = True) -> pd.DataFrame:
    """The evaluated results of the view's volet and indicator (and perimeter unless told not to),
    in establishment then catalogue order. One row per establishment × indicator."""
    keep = pd.Series(True, index=evaluated.index)
    if view.volet != ALL:
        keep &= evaluated["part"] == view.volet
    if view.indicateur != ALL:
        keep &= evaluated["indicator"] == view.indicateur
    if perimeter:
        keep &= in_perimeter(evaluated, view.perimetre)
    return evaluated[keep].sort_values(["finess", "position", "indicator"]).reset_index(drop=True)


def _status_counts(sel: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    flags = pd.DataFrame({
        "n_results": 1,
        "n_measured": sel["status"].notna().astype(int),
        "n_atteint": (sel["status"] == ATTEINT).astype(int),
        "n_en_progres": (sel["status"] == EN_PROGRES).astype(int),
        "n_non_atteint": (sel["status"] == NON_ATTEINT).astype(int),
    }, index=sel.index)
    flags["n_non_mesure"] = flags["n_results"] - flags["n_measured"]
    for col in by:
        flags[col] = sel[col]
    return flags.groupby(by, sort=True).sum().reset_index()


ESTABLISHMENT_COLUMNS = ["finess", "name", "region_code", "departement_code", "n_results", "n_measured",
                         "n_atteint", "n_en_progres", "n_non_atteint", "n_non_mesure", "score", "savings_eur",
                         "incentive_eur"]


def establishment_table(sel: pd.DataFrame) -> pd.DataFrame:
    """One row per establishment of a selection: counts of results by status, score (weighted
    mean attainment 0–1 of the measured ones, NaN if none), Σ savings and Σ incentive (euros)."""
    if sel.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ESTABLISHMENT_COLUMNS[:4] else float)
                             for c in ESTABLISHMENT_COLUMNS})
    counts = _status_counts(sel, ["finess"])
    work = sel.assign(_wa=sel["attainment"] * sel["weight"],
                      _w=np.where(sel["attainment"].notna(), sel["weight"], 0.0))
    grouped = work.groupby("finess", sort=True)
    sums = grouped[["name", "region_code", "departement_code"]].first()
    sums = sums.join(grouped[["_wa", "_w"]].sum()).join(grouped[["savings_eur", "incentive_eur"]].sum(min_count=1))
    sums["score"] = np.where(sums["_w"] > 0, sums["_wa"] / sums["_w"].where(sums["_w"] > 0, 1.0), np.nan)
    out = counts.merge(sums.reset_index(), on="finess")
    return out[ESTABLISHMENT_COLUMNS]


def with_change(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Establishment table of a year with `score_prev` (the same selection the year before) and
    `score_change` = score − score_prev (0–1 scale; NaN when either is missing)."""
    prev = previous[["finess", "score"]].rename(columns={"score": "score_prev"})
    out = current.merge(prev, on="finess", how="left")
    out["score_change"] = out["score"] - out["score_prev"]
    return out


def headline(sel: pd.DataFrame) -> dict:
    """Figures of a selection: n_establishments, n_indicators (distinct), n_results, n_measured,
    n_atteint, n_en_progres, n_non_atteint, n_non_mesure (counts), share_atteint,
    share_en_progres, share_non_atteint (ratios of counts over n_measured, NaN if 0), incentive_eur
    and savings_eur (Σ, euros), n_with_savings (results with savings)."""
    n_measured = int(sel["status"].notna().sum())
    counts = {s: int((sel["status"] == s).sum()) for s in (ATTEINT, EN_PROGRES, NON_ATTEINT)}

    def share(n):
        return n / n_measured if n_measured else float("nan")

    return {
        "n_establishments": int(sel["finess"].nunique()), "n_indicators": int(sel["indicator"].nunique()),
        "n_results": len(sel), "n_measured": n_measured,
        "n_atteint": counts[ATTEINT], "n_en_progres": counts[EN_PROGRES], "n_non_atteint": counts[NON_ATTEINT],
        "n_non_mesure": int(len(sel) - n_measured),
        "share_atteint": share(counts[ATTEINT]), "share_en_progres": share(counts[EN_PROGRES]),
        "share_non_atteint": share(counts[NON_ATTEINT]),
        "incentive_eur": incentive(sel["incentive_eur"], np.ones(len(sel))),
        "savings_eur": incentive(sel["savings_eur"], np.ones(len(sel))),
        "n_with_savings": int(sel["savings_eur"].notna().sum()),
    }


def territory_table(sel: pd.DataFrame, level: str, one_indicator: bool) -> tuple[pd.DataFrame, Classification]:
    """Figures of each territory (regions or départements by `level`) with contracted
    establishments in the selection: code, n_establishments, n_results, n_measured, n_atteint,
    n_en_progres, n_non_atteint, n_non_mesure, share_atteint (n_atteint / n_measured),
    mean_attainment (mean over the measured results), incentive_eur, value (what the map
    shows: mean_attainment for one indicator, else share_atteint) and classe (0 = no value)."""
    key = "region_code" if level == "reg" else "departement_code"
    columns = ["code", "n_establishments", "n_results", "n_measured", "n_atteint", "n_en_progres",
               "n_non_atteint", "n_non_mesure", "share_atteint", "mean_attainment", "incentive_eur", "value", "classe"]
    if sel.empty:
        table = pd.DataFrame({c: pd.Series(dtype=object if c == "code" else float) for c in columns})
        return table, classify([], MAP_METHOD, MAP_CLASSES)
    work = sel.rename(columns={key: "code"})
    counts = _status_counts(work, ["code"])
    grouped = work.groupby("code", sort=True)
    extra = pd.DataFrame({"n_establishments": grouped["finess"].nunique(),
                          "mean_attainment": grouped["attainment"].mean(),
                          "incentive_eur": grouped["incentive_eur"].sum(min_count=1)}).reset_index()
    table = counts.merge(extra, on="code")
    table["share_atteint"] = np.where(table["n_measured"] > 0,
                                      table["n_atteint"] / table["n_measured"].where(table["n_measured"] > 0, 1),
                                      np.nan)
    table["value"] = table["mean_attainment"] if one_indicator else table["share_atteint"]
    classification = classify(table["value"], MAP_METHOD, MAP_CLASSES)
    table["classe"] = classification.classes
    return table[columns], classification


def with_all_territories(table: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Reindex on every territory of the map (fixed order); a territory without contract gets
    zero counts and class 0."""
    out = pd.DataFrame({"code": codes}).merge(table, on="code", how="left")
    out["classe"] = out["classe"].fillna(0).astype(int)
    for col in ("n_establishments", "n_results", "n_measured", "n_atteint", "n_en_progres", "n_non_atteint",
                "n_non_mesure"):
        out[col] = out[col].fillna(0).astype(int)
    return out


INDICATOR_COLUMNS = ["indicator", "label", "part", "scope", "better", "position", "n_results", "n_measured",
                     "n_atteint", "n_en_progres", "n_non_atteint", "n_non_mesure", "min", "q1", "median", "q3",
                     "max", "mean"]


def indicator_distribution(sel: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator of a selection, national before regional then catalogue order:
    counts by status and the distribution of attainment (0–1) across the measured
    establishments: min, q1, median, q3 (linear quantiles), max, mean (NaN when none measured)."""
    if sel.empty:
        return pd.DataFrame({c: [] for c in INDICATOR_COLUMNS})
    counts = _status_counts(sel, ["indicator"])
    info = sel.groupby("indicator", sort=True).agg(label=("label", "first"), part=("part", "first"),
                                                   scope=("scope", "first"), better=("better", "first"),
                                                   position=("position", "first")).reset_index()
    stats = []
    for code, group in sel.groupby("indicator", sort=True):
        values = group["attainment"].dropna().to_numpy(dtype=float)
        if len(values):
            q = np.quantile(values, [0, 0.25, 0.5, 0.75, 1])
            stats.append((code, *q.tolist(), float(values.mean())))
        else:
            stats.append((code, *[np.nan] * 6))
    stats = pd.DataFrame(stats, columns=["indicator", "min", "q1", "median", "q3", "max", "mean"])
    out = info.merge(counts, on="indicator").merge(stats, on="indicator")
    out["_scope_rank"] = (out["scope"] != "national").astype(int)
    out = out.sort_values(["_scope_rank", "position", "indicator"]).reset_index(drop=True)
    return out[INDICATOR_COLUMNS]


EXPORT_COLUMNS = ["finess", "raison_sociale", "region", "departement", "annee", "volet", "indicateur", "libelle",
                  "valeur_initiale", "cible", "realise", "atteinte_pct", "statut", "economies_eur",
                  "interessement_eur"]


def result_rows(sel: pd.DataFrame, year: int) -> list[dict]:
    """One row per establishment × indicator, in the export's columns (EXPORT_COLUMNS): codes for
    region, département, volet and indicator; values in the indicator's unit; atteinte_pct =
    attainment × 100 (one decimal); statut with 'non mesuré'; euros rounded to the euro. Missing
    values are None."""
    if sel.empty:
        return []

    def values(series: pd.Series, digits: int | None = None) -> list:
        x = series.to_numpy(dtype=float)
        x = x if digits is None else np.round(x, digits)
        return [None if v != v else v for v in x.tolist()]

    def euros(series: pd.Series) -> list:
        return [None if v != v else int(v) for v in np.round(series.to_numpy(dtype=float)).tolist()]

    n = len(sel)
    columns = {
        "finess": sel["finess"].tolist(), "raison_sociale": sel["name"].tolist(),
        "region": sel["region_code"].tolist(), "departement": sel["departement_code"].tolist(),
        "annee": [int(year)] * n, "volet": sel["part"].tolist(), "indicateur": sel["indicator"].tolist(),
        "libelle": sel["label"].tolist(), "valeur_initiale": values(sel["baseline"]), "cible": values(sel["target"]),
        "realise": values(sel["achieved"]), "atteinte_pct": values(sel["attainment"] * 100, 1),
        "statut": [status_label(v) for v in sel["status"].tolist()],
        "economies_eur": euros(sel["savings_eur"]), "interessement_eur": euros(sel["incentive_eur"]),
    }
    return [dict(zip(EXPORT_COLUMNS, row)) for row in zip(*(columns[c] for c in EXPORT_COLUMNS))]


def history(results: pd.DataFrame) -> pd.DataFrame:
    """One establishment's evaluated results over the years (for the profile's charts), in
    catalogue then year order."""
    return evaluate(results).sort_values(["position", "indicator", "year"]).reset_index(drop=True)
