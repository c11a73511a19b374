"""MSAP targeting (mise sous accord préalable): the rule, its URL state, and the list it gives.

Pure functions (no Dash, no SQL). Rates, references and limits are proportions 0–1; gaps are in
percentage points (rate − reference) × 100; counts are stays. The input of every function is a
frame of per-establishment counts for one campaign, year, gesture selection and age selection
(data_access.msap.establishment_counts): finess, name, legal_status, region_code,
departement_code, latitude, longitude, stays, cases — `cases` being the stays followed by an SSR
stay (campaign SSR) or the ambulatory stays (campaign AMBU).

The rule (stated to the user by `rule_sentences`):

- references: the regional rate and the national rate are ratios of sums over EVERY
  establishment of the region / of France with data for the same campaign, year, gestures and
  ages — the establishment itself included, whatever its volume and whatever the perimeter;
- an establishment is examined when it lies in the perimeter and has at least one stay;
- `ecart`: flagged when stays ≥ volume_min and, for SSR (a high transfer rate is atypical),
  rate ≥ regional rate + ecart_pts AND rate ≥ national rate + ecart_pts; for AMBU (a low
  ambulatory rate is atypical), rate ≤ both references − ecart_pts. Bounds are inclusive and
  tested exactly on the integer counts (no floating-point rounding at the bound);
- `funnel`: flagged when stays ≥ volume_min and the rate is strictly beyond the control limit
  at the chosen level around the national rate, on the atypical side (above the upper limit for
  SSR, below the lower one for AMBU); limits are exact binomial ones with Spiegelhalter's
  interpolation (analytics.funnel), not the normal approximation.

Perimeter encoding in the URL: `FR` (France), `R<code>` a region (R75 = Nouvelle-Aquitaine),
`D<code>` a département (D33 = Gironde, D2A, D971). Region and département codes overlap ('24'
is Centre-Val de Loire and Dordogne, '75' Nouvelle-Aquitaine and Paris), so a bare code is read
as a département — every region code is also a département code — and canonicalised to D<code>;
when it is also a region code, a notice tells how to ask for the region.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import NamedTuple
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from analytics.funnel import funnel_limits
from analytics.perimeter import in_perimeter, parse_perimetre
from analytics.rates import wilson_interval
from analytics.ssr import AGE_BANDS, AGE_LABELS, ALL_AGES
from text import labels
from text.format import NBSP, fmt_count, fmt_dec, fmt_int, fmt_pct, fmt_pct_range, fmt_pts  # pure module: no Dash

ALL = "TOUS"
CAMPAIGNS = ("SSR", "AMBU")
CAMPAIGN_LABELS = labels.MSAP_CAMPAIGN_LABELS
METHODS = ("ecart", "funnel")
METHOD_LABELS = {"ecart": "Écart aux taux de référence", "funnel": "Funnel plot (limites de contrôle)"}
SEUILS = {"95": 0.95, "99.8": 0.998}  # URL value -> coverage of the funnel limits (proportion)
SEUIL_LABELS = {"95": f"95{NBSP}%", "99.8": f"99,8{NBSP}%"}
ECART_MAX = 50.0  # points: beyond, no establishment can be flagged in practice
VOLUME_MAX = 100_000
SENSITIVITY_ECARTS = tuple(range(0, 21))  # points, 0 to 20 by 1 (extended to the rule's own value)
SENSITIVITY_LEVELS = (0.80, 0.90, 0.95, 0.98, 0.99, 0.995, 0.998, 0.999)
RATE_NAMES = {"SSR": "taux de recours au SSR", "AMBU": "taux de chirurgie ambulatoire"}
CASES_NAMES = {"SSR": ("séjour suivi de SSR", "séjours suivis de SSR"),
               "AMBU": ("séjour ambulatoire", "séjours ambulatoires")}
PARAM_LABELS = {"campagne": "campagne", "annee": "année", "geste": "geste", "age": "âge",
                "volume_min": "volume minimal", "methode": "méthode", "ecart_pts": "écart (points)",
                "seuil": "seuil du funnel", "perimetre": "périmètre"}


# ---------------------------------------------------------------------------
# The rule and its URL
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MsapRule:
    """Everything a /msap address says (see the module docstring for the rule itself)."""

    campagne: str = "SSR"
    annee: int | None = None
    geste: str = "PTG"
    age: str = ALL_AGES  # SSR only
    volume_min: int = 30
    methode: str = "ecart"
    ecart_pts: float = 10.0
    seuil: str = "99.8"
    perimetre: str = "FR"

    @property
    def high_is_atypical(self) -> bool:
        """SSR: a high transfer rate is atypical; AMBU: a low ambulatory rate is."""
        return self.campagne == "SSR"

    @property
    def level(self) -> float:
        """Coverage of the funnel limit used by the rule (proportion: 0.95 or 0.998)."""
        return SEUILS[self.seuil]

    def gestures(self, catalogue: list[str]) -> list[str]:
        """Gesture codes summed: the one asked, or the whole campaign catalogue for TOUS."""
        return list(catalogue) if self.geste == ALL else [self.geste]

    @property
    def age_bands(self) -> list[str]:
        """Age bands summed (SSR); AMBU has none."""
        if self.campagne != "SSR":
            return []
        return list(AGE_BANDS) if self.age == ALL_AGES else [self.age]

    def query_string(self) -> str:
        """The canonical query string ('?campagne=SSR&annee=2024&geste=PTG&age=tous&…'); the
        clientside URL writer of the page builds the same one."""
        params = {"campagne": self.campagne, "annee": self.annee, "geste": self.geste}
        if self.campagne == "SSR":
            params["age"] = self.age
        params.update(volume_min=self.volume_min, methode=self.methode, ecart_pts=fmt_number(self.ecart_pts),
                      seuil=self.seuil, perimetre=self.perimetre)
        return "?" + urlencode({k: v for k, v in params.items() if v is not None})


def points_label(x: float) -> str:
    """10 -> '10 pts', 7.5 -> '7,5 pts', 1 -> '1 pt' (French plural: below 2, singular)."""
    return f"{fmt_dec(x, 0 if float(x).is_integer() else 1)}{NBSP}{'pt' if abs(x) < 2 else 'pts'}"


def fmt_number(x: float) -> str:
    """10.0 -> '10', 7.5 -> '7.5' (as JavaScript's String(x) writes it in the URL)."""
    return f"{float(x):g}"


def default_geste(campagne: str, catalogue: list[str]) -> str:
    """PTG (first gesture of the catalogue) for SSR; all groups summed (TOUS) for AMBU, whose
    campaign targets the rate over the whole list of marker gestures."""
    if campagne == "SSR" and catalogue:
        return catalogue[0]
    return ALL


def parse_ecart(raw) -> float | None:
    """'10', '7.5' or '7,5' -> points as a float with at most one decimal, 0 ≤ x ≤ ECART_MAX; else None."""
    try:
        value = float(str(raw).strip().replace(",", "."))
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value) or not 0 <= value <= ECART_MAX or abs(value * 10 - round(value * 10)) > 1e-9:
        return None
    return round(value, 1)


def parse_volume(raw) -> int | None:
    """'30' -> 30 (a whole number of stays, 0 ≤ x ≤ VOLUME_MAX); else None."""
    try:
        value = float(str(raw).strip())
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value) or value != int(value) or not 0 <= value <= VOLUME_MAX:
        return None
    return int(value)


def parse_rule(query: dict[str, str], years: dict[str, list[int]], catalogues: dict[str, list[str]],
               regions: dict[str, str], departements: dict[str, str]) -> tuple[MsapRule, list[str]]:
    """Read a rule from query parameters; unknown or malformed values fall back to defaults.

    `years` and `catalogues` give, per campaign, the years with data (the default is the latest)
    and the gesture codes; `regions` and `departements` map codes to names. Returns the rule and
    French notices naming each value ignored (or read in a particular way).
    """
    notices: list[str] = []

    def bad(name: str, value: str) -> None:
        notices.append(f"Valeur « {value} » ignorée pour le paramètre {PARAM_LABELS[name]} : "
                       f"valeur par défaut utilisée.")

    def raw(name: str) -> str:  # "" when absent or blank
        value = query.get(name)
        return "" if value is None or str(value).strip() == "" else str(value)

    campagne = "SSR"
    if raw("campagne"):
        if raw("campagne").upper() in CAMPAIGNS:
            campagne = raw("campagne").upper()
        else:
            bad("campagne", raw("campagne"))
    campaign_years = years.get(campagne, [])
    catalogue = list(catalogues.get(campagne, []))
    rule = MsapRule(campagne=campagne, annee=max(campaign_years) if campaign_years else None,
                    geste=default_geste(campagne, catalogue))
    changes: dict = {}
    if raw("annee"):
        try:
            annee = int(raw("annee"))
        except ValueError:
            annee = None
        if annee in campaign_years:
            changes["annee"] = annee
        else:
            bad("annee", raw("annee"))
    if raw("geste"):
        geste = raw("geste").upper()
        if geste in (*catalogue, ALL):
            changes["geste"] = geste
        else:
            bad("geste", raw("geste"))
    if raw("age") and campagne == "SSR":
        age = raw("age").replace(" ", "+")  # a '+' typed in an address arrives as a space
        if age in (ALL_AGES, *AGE_BANDS):
            changes["age"] = age
        else:
            bad("age", raw("age"))
    if raw("volume_min"):
        volume = parse_volume(raw("volume_min"))
        if volume is None:
            bad("volume_min", raw("volume_min"))
        else:
            changes["volume_min"] = volume
    if raw("methode"):
        if raw("methode").lower() in METHODS:
            changes["methode"] = raw("methode").lower()
        else:
            bad("methode", raw("methode"))
    if raw("ecart_pts"):
        ecart = parse_ecart(raw("ecart_pts"))
        if ecart is None:
            bad("ecart_pts", raw("ecart_pts"))
        else:
            changes["ecart_pts"] = ecart
    if raw("seuil"):
        seuil = raw("seuil").replace(",", ".")
        if seuil in SEUILS:
            changes["seuil"] = seuil
        else:
            bad("seuil", raw("seuil"))
    if raw("perimetre"):
        perimetre, note = parse_perimetre(raw("perimetre"), regions, departements)
        if perimetre is None:
            bad("perimetre", raw("perimetre"))
        else:
            changes["perimetre"] = perimetre
            if note:
                notices.append(note)
    return replace(rule, **changes), notices


# ---------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------
def references(counts: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """(national, regional) references as ratios of sums over every establishment given.

    national: a Series with stays, cases, rate; regional: one row per region_code with
    region_stays, region_cases, region_rate (proportions 0–1).
    """
    stays, cases = int(counts["stays"].sum()), int(counts["cases"].sum())
    national = pd.Series({"stays": stays, "cases": cases, "rate": cases / stays if stays else math.nan})
    regional = (counts.groupby("region_code", sort=True)[["stays", "cases"]].sum()
                .rename(columns={"stays": "region_stays", "cases": "region_cases"}).reset_index())
    with np.errstate(divide="ignore", invalid="ignore"):
        regional["region_rate"] = np.where(regional["region_stays"] > 0,
                                           regional["region_cases"] / regional["region_stays"].where(
                                               regional["region_stays"] > 0, 1), np.nan)
    return national, regional


def _tenths(points: float) -> int:
    return round(float(points) * 10)


def _beyond_by(cases, stays, ref_cases, ref_stays, ecart_tenths, high: bool) -> np.ndarray:
    """Exact test of rate − ref ≥ ecart (high) or ref − rate ≥ ecart (low), ecart in tenths of a point.

        k/n − K/N ≥ e/1000   ⟺   1000 (k N − K n) ≥ e n N      (n, N > 0; all integers)
    """
    k, n = np.asarray(cases, dtype=np.int64), np.asarray(stays, dtype=np.int64)
    kk, nn = np.asarray(ref_cases, dtype=np.int64), np.asarray(ref_stays, dtype=np.int64)
    diff = k * nn - kk * n
    if not high:
        diff = -diff
    e = np.asarray(ecart_tenths, dtype=np.int64)
    return 1000 * diff[..., None] >= e * (n * nn)[..., None] if e.ndim else 1000 * diff >= e * n * nn


def evaluate(counts: pd.DataFrame, rule: MsapRule,
             refs: tuple[pd.Series, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Every establishment examined under the rule, flagged or not, with its reason.

    Returns the columns of `counts` plus: rate, low, high (Wilson 95 %), region_stays,
    region_cases, region_rate, national_rate (references, proportions 0–1), gap_region_pts,
    gap_france_pts (points), limit_low, limit_high (funnel limits at the rule's level around the
    national rate, for the establishment's stays), enough_volume, flagged (bools) and reason (one
    French sentence). Ordered flagged first, then from the most atypical gap, then by stays.
    `refs`: references(counts) when the caller has them already.
    """
    national, regional = refs if refs is not None else references(counts)
    examined = counts[(counts["stays"] > 0) & in_perimeter(counts, rule.perimetre)]
    return _evaluated(examined, national, regional, rule)


def _evaluated(examined: pd.DataFrame, national: pd.Series, regional: pd.DataFrame, rule: MsapRule) -> pd.DataFrame:
    """`evaluate` of the rows `examined` against references computed beforehand (row by row: a row's
    figures do not depend on the other rows examined)."""
    return _judged(examined.merge(regional, on="region_code", how="left"), national, rule)


def _judged(out: pd.DataFrame, national, rule: MsapRule, *, ordered: bool = True) -> pd.DataFrame:
    """`evaluate`'s columns for rows that carry their regional references (region_stays,
    region_cases, region_rate); `national` maps stays, cases and rate to one value for every row,
    or to one value per row (arrays, rows of several gestures). `ordered`: in evaluate's order."""
    out["rate"] = out["cases"] / out["stays"]
    out["low"], out["high"] = wilson_interval(out["cases"], out["stays"])
    out["national_rate"] = national["rate"]
    out["gap_region_pts"] = (out["rate"] - out["region_rate"]) * 100
    out["gap_france_pts"] = (out["rate"] - out["national_rate"]) * 100
    out["limit_low"], out["limit_high"] = _limits(out["stays"].to_numpy(), national, rule.level)
    out["enough_volume"] = out["stays"] >= rule.volume_min
    out["flagged"] = out["enough_volume"] & _rule_test(out, national, rule)
    out["reason"] = reasons(out, rule)
    if not ordered:
        return out
    high = rule.high_is_atypical
    sign = 1 if high else -1
    out["_atypical"] = np.minimum(sign * out["gap_region_pts"], sign * out["gap_france_pts"])
    out = out.sort_values(["flagged", "_atypical", "stays", "finess"], ascending=[False, False, False, True],
                          kind="stable")
    return out.drop(columns="_atypical").reset_index(drop=True)


def _limits(stays: np.ndarray, national, level: float):
    """Funnel limits at `level` around the national rate for each row's stays (NaN without national stays)."""
    if np.ndim(national["rate"]) == 0:
        if len(stays) and national["stays"] > 0:
            low, high = _memo_limits(float(national["rate"]), tuple(stays.tolist()), level)
            return low.copy(), high.copy()
        return np.nan, np.nan
    low, high = np.full(len(stays), np.nan), np.full(len(stays), np.nan)
    for i, (p0, n, own) in enumerate(zip(national["rate"], national["stays"], stays)):
        if n > 0:
            low[i], high[i] = funnel_limits(p0, own, level)
    return low, high


@lru_cache(maxsize=64)
def _memo_limits(p0: float, stays: tuple, level: float) -> tuple[np.ndarray, np.ndarray]:
    """funnel_limits of every row's stays: the same at every change of the ecart or the volume
    minimum (the binomial quantiles are a good part of a cold evaluation), so memoised, a pure
    function of its arguments."""
    return funnel_limits(p0, np.asarray(stays), level)


def _rule_test(out: pd.DataFrame, national: pd.Series, rule: MsapRule) -> np.ndarray:
    """The rule's test on rates, volume aside (bool per row)."""
    high = rule.high_is_atypical
    if not len(out):
        return np.zeros(0, dtype=bool)
    if rule.methode == "ecart":
        e = _tenths(rule.ecart_pts)
        by_region = _beyond_by(out["cases"], out["stays"], out["region_cases"], out["region_stays"], e, high)
        by_france = _beyond_by(out["cases"], out["stays"], national["cases"], national["stays"], e, high)
        return by_region & by_france
    return (out["rate"] > out["limit_high"]).to_numpy() if high else (out["rate"] < out["limit_low"]).to_numpy()


def reason(r, rule: MsapRule) -> str:
    """One French sentence saying why the establishment (a row of `evaluate`) is flagged or not."""
    return reasons(pd.DataFrame([r._asdict()]), rule)[0]


# The same rates come back at every change of a threshold: memoise their French formatting (exact
# Decimal rounding, the slow part of building a thousand reasons). Pure function of a float: nothing
# here depends on the data or the worker.
_fmt_pct = lru_cache(maxsize=1 << 16)(fmt_pct)
_fmt_pts = lru_cache(maxsize=1 << 16)(fmt_pts)


class _ReasonRow(NamedTuple):
    national_rate: float
    region_rate: float
    rate: float
    enough_volume: bool
    stays: int
    gap_region_pts: float
    gap_france_pts: float
    flagged: bool
    limit_low: float
    limit_high: float


def reasons(frame: pd.DataFrame, rule: MsapRule) -> list[str]:
    """`reason` for every row of `frame` (the columns of `evaluate`), constants formatted once."""
    side = "au-dessus" if rule.high_is_atypical else "en dessous"
    threshold = points_label(rule.ecart_pts)
    level = SEUIL_LABELS[rule.seuil]
    which = "haute" if rule.high_is_atypical else "basse"
    volume = fmt_int(rule.volume_min)
    out = []
    # the needed columns only, as Python lists (itertuples would box every column of every row)
    for r in map(_ReasonRow._make, zip(*(frame[c].tolist() for c in _ReasonRow._fields))):
        # the references of the row's own gesture and region (the same for every row of `evaluate`)
        national, region_pct = _fmt_pct(r.national_rate), _fmt_pct(r.region_rate)
        rate = _fmt_pct(r.rate)
        if not r.enough_volume:
            out.append(f"Non ciblé : {fmt_count(r.stays, 'séjour')}, en dessous du volume minimal de {volume}.")
        elif rule.methode == "ecart":
            gaps = (f"{_fmt_pts(r.gap_region_pts / 100)} par rapport au taux régional ({region_pct}) "
                    f"et {_fmt_pts(r.gap_france_pts / 100)} par rapport au taux national ({national})")
            if r.flagged:
                out.append(f"Ciblé : taux de {rate}, soit {gaps} : au moins {threshold} {side} des deux.")
            else:
                out.append(f"Non ciblé : taux de {rate}, soit {gaps} : l'écart de {threshold} {side} des deux "
                           f"n'est pas atteint.")
        elif r.flagged:
            limit = r.limit_high if rule.high_is_atypical else r.limit_low
            out.append(f"Ciblé : taux de {rate}, {side} de la limite {which} à {level} du funnel ({fmt_pct(limit)} "
                       f"pour {fmt_count(r.stays, 'séjour')}, autour du taux national de {national}).")
        else:
            limits = f"{fmt_pct_range(r.limit_low, r.limit_high)} pour {fmt_count(r.stays, 'séjour')}"
            favourable = r.rate < r.limit_low if rule.high_is_atypical else r.rate > r.limit_high
            if favourable:
                out.append(f"Non ciblé : taux de {rate}, hors des limites à {level} du funnel ({limits}) mais du "
                           f"côté favorable.")
            else:
                out.append(f"Non ciblé : taux de {rate}, dans les limites à {level} du funnel ({limits}).")
    return out


def summary(evaluated: pd.DataFrame) -> dict:
    """Counts for the results heading: examined, flagged, below the volume minimum, and withheld (the
    presentation mode's rows the rule is not applied to: column `withheld`, 0 without it)."""
    if "withheld" not in evaluated.columns:
        return {"examined": len(evaluated), "flagged": int(evaluated["flagged"].sum()),
                "below_volume": int((~evaluated["enough_volume"]).sum())}
    held = evaluated["withheld"].astype(bool)
    return {"examined": len(evaluated), "flagged": int((evaluated["flagged"] & ~held).sum()),
            "below_volume": int((~evaluated["enough_volume"] & ~held).sum()), "withheld": int(held.sum())}


def summary_text(evaluated: pd.DataFrame) -> str:
    """'12 établissements ciblés sur 845 examinés'."""
    s = summary(evaluated)
    flagged = fmt_count(s["flagged"], "établissement ciblé", "établissements ciblés")
    examined = f"{fmt_int(s['examined'])} examiné" + ("s" if s["examined"] >= 2 else "")
    return f"{flagged} sur {examined}"


# ---------------------------------------------------------------------------
# Sensitivity: how fragile is the list?
# ---------------------------------------------------------------------------
def sensitivity(counts: pd.DataFrame, rule: MsapRule, exclude: frozenset = frozenset(),
                refs: tuple[pd.Series, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Number flagged as the rule's threshold varies, everything else fixed, among the establishments
    examined but those of `exclude` (FINESS; the presentation mode's withheld rows), the references
    still over every establishment.

    `ecart`: one row per ecart in points (0 to 20 by 1, plus the rule's own value, extended up to
    it when it is above 20): columns value (points), flagged, current (bool). `funnel`: one row
    per level of SENSITIVITY_LEVELS (plus the rule's): value (coverage, proportion), flagged,
    current. `refs`: references(counts) when the caller has them already.
    """
    national, regional = refs if refs is not None else references(counts)
    examined = counts[(counts["stays"] > 0) & in_perimeter(counts, rule.perimetre)
                      & ~counts["finess"].isin(exclude)].merge(regional, on="region_code", how="left")
    enough = (examined["stays"] >= rule.volume_min).to_numpy()
    high = rule.high_is_atypical
    if rule.methode == "ecart":
        top = max(SENSITIVITY_ECARTS[-1], math.ceil(rule.ecart_pts))
        values = sorted({float(v) for v in range(top + 1)} | {float(rule.ecart_pts)})
        tenths = np.array([_tenths(v) for v in values], dtype=np.int64)
        if len(examined):
            by_region = _beyond_by(examined["cases"], examined["stays"], examined["region_cases"],
                                   examined["region_stays"], tenths, high)
            by_france = _beyond_by(examined["cases"], examined["stays"], national["cases"], national["stays"],
                                   tenths, high)
            flagged = ((by_region & by_france) & enough[:, None]).sum(axis=0)
        else:
            flagged = np.zeros(len(values), dtype=int)
        current = [v == float(rule.ecart_pts) for v in values]
    else:
        values = sorted(set(SENSITIVITY_LEVELS) | {rule.level})
        flagged = []
        rate = (examined["cases"] / examined["stays"]).to_numpy()
        for level in values:
            if not len(examined) or not national["stays"]:
                flagged.append(0)
                continue
            low, high_limit = funnel_limits(national["rate"], examined["stays"].to_numpy(), level)
            beyond = rate > high_limit if high else rate < low
            flagged.append(int((beyond & enough).sum()))
        current = [v == rule.level for v in values]
    return pd.DataFrame({"value": values, "flagged": np.asarray(flagged, dtype=int), "current": current})


# ---------------------------------------------------------------------------
# Previous MSAP
# ---------------------------------------------------------------------------
def previous_msap(notified: pd.DataFrame, rule: MsapRule, gestures: list[str]) -> dict[str, str]:
    """finess -> 'oui (2019, 2022)' for establishments notified an MSAP in an earlier campaign.

    `notified` holds the campaign's notifications (finess, gesture, year). A list built on year N's
    counts prepares campaign N + 1, so earlier campaigns are those of year ≤ N. Only notifications
    for one of `gestures` (or for the whole campaign, gesture '') count; with TOUS the gesture is
    named ('oui (2019 PTG, 2022 PTH)'). Establishments absent from the dict had none ('non').
    """
    if notified is None or notified.empty:
        return {}
    if rule.annee is None:  # no year of data: no campaign before it either
        return {}
    rows = notified[(notified["year"] <= int(rule.annee)) & notified["gesture"].isin([*gestures, ""])]
    out: dict[str, str] = {}
    for finess, group in rows.sort_values(["year", "gesture"]).groupby("finess", sort=True):
        if rule.geste == ALL:
            items = [f"{y} {g}".strip() for y, g in zip(group["year"], group["gesture"])]
        else:
            items = [str(y) for y in group["year"]]
        out[finess] = "oui (" + ", ".join(dict.fromkeys(items)) + ")"
    return out


# ---------------------------------------------------------------------------
# The rule in plain French
# ---------------------------------------------------------------------------
def perimeter_label(perimetre: str, regions: dict[str, str], departements: dict[str, str]) -> str:
    """'France entière', 'région Nouvelle-Aquitaine', 'département Gironde (33)'."""
    if perimetre == "FR":
        return "France entière"
    if perimetre[:1] == "R":
        return f"région {regions.get(perimetre[1:], perimetre[1:])}"
    return f"département {departements.get(perimetre[1:], perimetre[1:])} ({perimetre[1:]})"


def rule_sentences(rule: MsapRule, gesture_label: str, perimeter: str) -> list[str]:
    """The rule as a few French sentences (for the page and the export's second sheet)."""
    rate_name = RATE_NAMES[rule.campagne]
    age = ""
    if rule.campagne == "SSR" and rule.age != ALL_AGES:
        age = f", patients de {AGE_LABELS[rule.age][0].lower()}{AGE_LABELS[rule.age][1:]}"
    scope = f"{gesture_label}, année {rule.annee}{age}"
    volume = f"au moins {fmt_count(rule.volume_min, 'séjour')}"
    if rule.methode == "ecart":
        points = points_label(rule.ecart_pts)
        if rule.high_is_atypical:
            test = (f"son {rate_name} dépasse d'au moins {points} à la fois le taux de sa région et le taux "
                    f"national (bornes incluses)")
        else:
            test = (f"son {rate_name} est inférieur d'au moins {points} à la fois au taux de sa région et au "
                    f"taux national (bornes incluses)")
    else:
        level = SEUIL_LABELS[rule.seuil]
        side, which = ("au-dessus", "haute") if rule.high_is_atypical else ("en dessous", "basse")
        test = (f"son {rate_name} est strictement {side} de la limite de contrôle {which} à {level} du funnel "
                f"plot autour du taux national (limites binomiales exactes de Spiegelhalter, 2005, "
                f"interpolées ; pas d'approximation normale)")
    return [
        f"Un établissement est ciblé s'il a réalisé {volume} ({scope}) et si {test}.",
        "Les taux de référence, régional et national, sont des rapports de sommes sur tous les "
        "établissements de la région et de la France, l'établissement lui-même compris, quel que soit le "
        "périmètre affiché.",
        f"Périmètre des établissements examinés : {perimeter}.",
    ]


# ---------------------------------------------------------------------------
# The default rule, for the establishment profile
# ---------------------------------------------------------------------------
DEFAULT_RULE = MsapRule()  # ecart, 10 points, at least 30 stays, all ages, France


def default_rule_flag(counts_frame: pd.DataFrame, finess: str, campaign: str = "SSR", *,
                      ecart_pts: float = DEFAULT_RULE.ecart_pts,
                      volume_min: int = DEFAULT_RULE.volume_min,
                      secret: Callable[[str, pd.DataFrame], Secrecy] | None = None) -> tuple[bool, str]:
    """Is `finess` flagged under the default rule, and why (one French sentence)?

    The default rule is the page's default: method `ecart`, 10 points above (SSR) or below (AMBU)
    both the regional and the national rate, at least 30 stays, all ages — applied GESTURE BY
    GESTURE, as MSAP decisions are (an atypical PTG rate must not hide behind a low LCA rate in a
    sum). `counts_frame` is data_access.msap.counts_by_gesture(campaign, year) (national: every
    establishment, since the references need them): one row per establishment × gesture with a
    `gesture` column; without that column the frame is taken as a single gesture selection.
    Flagged when flagged on at least one gesture. With `secret` (presentation mode: gesture, its
    national frame -> its Secrecy), a rate or gap covered by the secret statistique is not stated.
    """
    details = default_rule_details(counts_frame, finess, campaign, ecart_pts=ecart_pts, volume_min=volume_min)
    rule = MsapRule(campagne=campaign, ecart_pts=float(ecart_pts), volume_min=int(volume_min))
    points = points_label(rule.ecart_pts)
    side = "au-dessus" if rule.high_is_atypical else "en dessous"
    criterion = (f"écart d'au moins {points} {side} des taux régional et national, au moins "
                 f"{fmt_count(rule.volume_min, 'séjour')}")
    if details.empty:
        return False, f"Non ciblé par la règle par défaut : aucun séjour pour cette campagne ({criterion})."
    flagged = details[details["flagged"]]
    if flagged.empty:
        return False, (f"Non ciblé par la règle par défaut ({criterion}) sur "
                       f"{'aucun des ' + str(len(details)) + ' gestes' if len(details) > 1 else 'ce geste'}.")
    parts = [f"{g} (taux {fmt_pct(r)}, {fmt_pts(gr / 100)} / région, {fmt_pts(gf / 100)} / France)"
             for g, r, gr, gf in zip(flagged["gesture"], flagged["rate"], flagged["gap_region_pts"],
                                     flagged["gap_france_pts"])]
    if secret is not None:
        parts = [_secret_part(counts_frame, finess, r, secret) for r in flagged.itertuples()]
    return True, f"Ciblé par la règle par défaut ({criterion}) pour {_and(parts)}."


def _secret_part(counts_frame: pd.DataFrame, finess: str, r, secret: Callable[[str, pd.DataFrame], Secrecy]) -> str:
    """One gesture of default_rule_flag's sentence in presentation mode."""
    group = counts_frame[counts_frame["gesture"] == r.gesture] if "gesture" in counts_frame.columns else counts_frame
    s = secret(r.gesture, group)
    if s.row(finess)["rate_hidden"]:
        return f"{r.gesture} (taux couvert par le secret statistique)"
    region = ("taux régional couvert par le secret statistique" if s.region_hidden.get(r.region_code, False)
              else f"{fmt_pts(r.gap_region_pts / 100)} / région")
    france = ("taux national couvert par le secret statistique" if s.national_hidden
              else f"{fmt_pts(r.gap_france_pts / 100)} / France")
    return f"{r.gesture} (taux {fmt_pct(r.rate)}, {region}, {france})"


def default_rule_details(counts_frame: pd.DataFrame, finess: str, campaign: str = "SSR", *,
                         ecart_pts: float = DEFAULT_RULE.ecart_pts,
                         volume_min: int = DEFAULT_RULE.volume_min) -> pd.DataFrame:
    """The rows of `evaluate` for `finess`, one per gesture (column `gesture`; '' without one), in
    the frame's gesture order. Each gesture's references are over the whole frame; each row of
    `evaluate` depends on them and on its own counts only, so the establishment's rows of every
    gesture are judged at once."""
    rule = MsapRule(campagne=campaign, ecart_pts=float(ecart_pts), volume_min=int(volume_min))
    frame = counts_frame if "gesture" in counts_frame.columns else counts_frame.assign(gesture="")
    own = frame[(frame["finess"] == finess) & (frame["stays"] > 0)]
    if own.empty:
        return pd.DataFrame(columns=["gesture", "flagged", "reason"])
    # gestures in the order of their first row in the frame (the sentence names them in that order)
    first = {g: i for i, g in reversed(list(enumerate(frame["gesture"])))}
    own = own.iloc[np.argsort([first[g] for g in own["gesture"]], kind="stable")].reset_index(drop=True)
    national = frame.groupby("gesture", sort=False)[["stays", "cases"]].sum().reindex(own["gesture"])
    regional = (frame[frame["region_code"] == own["region_code"].iloc[0]]
                .groupby("gesture", sort=False)[["stays", "cases"]].sum().reindex(own["gesture"]))
    own["region_stays"] = regional["stays"].to_numpy()
    own["region_cases"] = regional["cases"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        own["region_rate"] = np.where(own["region_stays"] > 0,
                                      own["region_cases"] / own["region_stays"].where(own["region_stays"] > 0, 1),
                                      np.nan)
    stays, cases = national["stays"].to_numpy(), national["cases"].to_numpy()
    rates = np.array([int(c) / int(n) if n else math.nan for c, n in zip(cases, stays)], dtype=float)
    return _judged(own, {"stays": stays, "cases": cases, "rate": rates}, rule, ordered=False)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


# ---------------------------------------------------------------------------
# Secret statistique (presentation mode, issue 7)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Secrecy:
    """What the presentation mode hides of a counts frame (one campaign, year, gestures, ages).

    The cells are each establishment's stays and cases; their départemental, régional and national
    sums are published (the national basis of the page, the profile's references, /ssr's tables), so
    its masks are those of the whole reach (services.secrecy), as /ssr's, so that no page shows a
    figure another one masks). `cells` is indexed by FINESS with
    stays_small, stays_masked, cases_small, cases_masked and rate_hidden (bools);
    `region_stays_masked[code]` and `region_cases_masked[code]` say a régional sum is masked,
    `region_hidden[code]` that the regional rate is hidden, `national_hidden` the national one."""

    cells: pd.DataFrame
    region_stays_masked: dict
    region_cases_masked: dict
    national_stays_masked: bool
    national_cases_masked: bool

    @property
    def national_hidden(self) -> bool:
        return self.national_stays_masked or self.national_cases_masked

    @cached_property
    def region_hidden(self) -> dict:
        return {code: masked or self.region_cases_masked.get(code, False)
                for code, masked in self.region_stays_masked.items()}

    @cached_property
    def _rows(self) -> dict[str, dict]:
        return self.cells.to_dict("index")

    def row(self, finess: str) -> dict:
        """The flags of one establishment (all False when it has no counts)."""
        return self._rows.get(finess) or dict.fromkeys(
            ("stays_small", "stays_masked", "cases_small", "cases_masked", "rate_hidden"), False)


def secrecy(counts: pd.DataFrame, masks, values: tuple[str, ...]) -> Secrecy:
    """What the presentation mode hides of `counts` (finess, region_code, departement_code, stays,
    cases; one row per establishment), read from the masks of the whole reach
    (analytics.secrecy.Suppression; `values` the reach's value of each dimension for the selection,
    secrecy.ALL for "tous"): the same masks as /ssr's and the profile's, so that no page shows what
    another masks. A masked row is masked whole (stays, cases, rate)."""
    from analytics.secrecy import view_secrecy

    frame = counts.assign(region_code=counts["region_code"].fillna("").astype(str),
                          departement_code=counts["departement_code"].fillna("").astype(str))
    nested = view_secrecy(masks, frame, ["region_code", "departement_code", "finess"], "cases", "stays", "*", values)
    est, regions, total = nested.level(2), nested.level(0), nested.total.iloc[0]
    masked = est["masked"].astype(bool)
    cells = pd.DataFrame({"stays_small": False, "stays_masked": masked, "cases_small": False, "cases_masked": masked,
                          "rate_hidden": masked}, index=est.index.astype(str))
    region_masked = dict(zip(regions.index, regions["masked"].astype(bool).tolist()))
    return Secrecy(cells=cells, region_stays_masked=region_masked, region_cases_masked=dict(region_masked),
                   national_stays_masked=bool(total["masked"]), national_cases_masked=bool(total["masked"]))


def secret_reasons(frame: pd.DataFrame, rule: MsapRule, secret: Secrecy) -> list[str]:
    """`reason` of each row of `frame` (evaluate's columns, with its `reason`) as the presentation
    mode may state it: no masked count, no hidden rate, no hidden reference."""
    volume = fmt_int(rule.volume_min)
    out = []
    for r in frame.itertuples():
        flags = secret.row(r.finess)
        status = "Ciblé" if r.flagged else "Non ciblé"
        refs_hidden = secret.national_hidden or (rule.methode == "ecart"
                                                 and secret.region_hidden.get(r.region_code, False))
        if not r.enough_volume:
            if flags["stays_masked"]:
                stays = "moins de 11 séjours" if flags["stays_small"] else "nombre de séjours masqué"
                out.append(f"Non ciblé : {stays} (secret statistique), en dessous du volume minimal de {volume}.")
            else:
                out.append(r.reason)
        elif flags["rate_hidden"]:
            out.append(f"{status} : taux couvert par le secret statistique.")
        elif refs_hidden:
            out.append(f"{status} : taux de {fmt_pct(r.rate)} ; taux de référence couverts par le secret statistique.")
        else:
            out.append(r.reason)
    return out
