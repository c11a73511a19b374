"""The establishment profile: references, comparables, judgements, SSR recourse and talking points.

Pure functions (no Dash, no SQL). Conventions:

- An indicator's VALUE is in its display unit: numerator / denominator × scale for a ratio
  indicator (REHOSP_30J: re-hospitalisations / stays × 100, a percentage 0–100), the
  numerator itself for a count indicator (NB_GMD_80: a number of GMD).
- References (Région, France, Comparables) of a ratio indicator are RATIOS OF SUMS:
  Σ numerators / Σ denominators × scale over the establishments of the group that have
  both (the establishment itself included); never a mean of ratios. A count indicator's
  reference is the MEDIAN of the group's values. Each reference carries its basis: the
  sums (ratio) and n, the number of establishments counted.
- Comparables: same activity (MCO, SSR, MCO+SSR), same legal status and same SIZE CLASS.
  Size classes are the terciles of capacity (beds + places) within each activity × status
  group over all of France (`size_classes`): class 1 up to the first tercile, class 2 up to
  the second, class 3 above. Terciles keep three classes of similar counts in every group,
  whatever its size (a fixed band such as "300 lits et plus" would be empty for SSR clinics).
- Judgement of the establishment against a reference (`judge`), by the catalogue direction
  `better` (higher | lower | neutral; neutral: no judgement):
    * proportions of counted events (`uses_wilson`: a ratio in % whose source is the PMSI,
      e.g. REHOSP_30J, and every SSR recourse rate): "similar" when the reference lies within
      the establishment's Wilson 95 % interval;
    * every other indicator (durations, acts per day, staff ratios: FTE are declared, not
      sampled, so no sampling interval applies; count indicators against a median):
      "similar" when the establishment is within ±5 % (relative) of the reference;
    * otherwise "better" or "worse" by the direction.
- Talking points (`attention_points`) come in this order, and in catalogue order within
  each group:
    1. SSR recourse rates above the 99.8 % limit of the funnel around the national rate
       (statistically atypical: the basis of an MSAP);
    2. other SSR recourse rates worse than both the regional and the national rate beyond
       the Wilson 95 % interval;
    (services.profile then inserts the ambulatory-surgery points of services.ambulatoire:
    marker procedures below their funnel's 99.8 % lower limit, then the 55 together 10 points
    or more below the regional target)
    3. SSR profile indicators worse than both the region and France (beyond the interval
       or the tolerance above);
    4. CAQES indicators of the year whose target is not reached: "non atteint" before
       "en progrès", lower attainment first, then catalogue order.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics import caqes as caqes_rules
from analytics.funnel import funnel_limits
from analytics.rates import wilson_interval
from analytics.secrecy import is_small
from text.format import MISSING, NBSP, fmt_dec, fmt_int, fmt_pct  # pure module: no Dash

TOLERANCE = 0.05  # relative gap under which a value is "similar" where no interval applies
REFERENCES = ("region", "france", "comparables")
REFERENCE_LABELS = {"region": "Région", "france": "France", "comparables": "Comparables"}
SIZE_CLASS_LABELS = {1: "petite taille", 2: "taille moyenne", 3: "grande taille"}
BETTER, WORSE, SIMILAR, NEUTRAL = "better", "worse", "similar", "neutral"
MARK_LABELS = {BETTER: "plus favorable", WORSE: "moins favorable", SIMILAR: "similaire",
               NEUTRAL: "sans jugement"}


# ---------------------------------------------------------------------------
# Size classes and comparables
# ---------------------------------------------------------------------------
def size_classes(est: pd.DataFrame) -> pd.DataFrame:
    """Size class of every establishment within its activity × legal status group.

    `est` has finess, activity, legal_status, beds, places (counts). Returns a frame
    aligned on `est` with finess, activity, legal_status, capacity (beds + places),
    size_class (1, 2, 3: up to the first tercile of the group's capacities, up to the
    second, above; terciles by linear interpolation, as numpy/pandas `quantile`),
    class_min and class_max (smallest and largest capacity in the class) and class_n
    (establishments in the class).
    """
    df = est[["finess", "activity", "legal_status"]].copy()
    df["capacity"] = (est["beds"].fillna(0) + est["places"].fillna(0)).astype("int64")
    group = df.groupby(["activity", "legal_status"], sort=False)["capacity"]
    q1 = group.transform(lambda s: s.quantile(1 / 3))
    q2 = group.transform(lambda s: s.quantile(2 / 3))
    df["size_class"] = np.where(df["capacity"] <= q1, 1, np.where(df["capacity"] <= q2, 2, 3)).astype("int64")
    cls = df.groupby(["activity", "legal_status", "size_class"], sort=False)["capacity"]
    df["class_min"] = cls.transform("min").astype("int64")
    df["class_max"] = cls.transform("max").astype("int64")
    df["class_n"] = cls.transform("size").astype("int64")
    return df


def comparables_text(activity: str, status_label: str, size_class: int, class_min: int | None, class_max: int | None,
                     class_n: int) -> str:
    """The tooltip of the Comparables column, e.g. 'Établissements SSR, privé lucratif, de taille
    moyenne (tiers central) : de 92 à 131 lits et places (145 établissements en France).' Without
    the bounds (None: the anonymised mode, where they would narrow the establishment's capacity):
    '… (tiers central des lits et places de ce groupe ; 145 établissements en France).'"""
    third = {1: "premier tiers", 2: "tiers central", 3: "dernier tiers"}[size_class]
    plural = "s" if class_n > 1 else ""
    if class_min is None or class_max is None:
        return (f"Établissements {activity}, {status_label.lower()}, de {SIZE_CLASS_LABELS[size_class]} ({third} "
                f"des lits et places de ce groupe ; {fmt_int(class_n)} établissement{plural} en France). Classes "
                f"de taille : terciles du nombre de lits et places parmi les établissements de même activité et "
                f"même statut.")
    return (f"Établissements {activity}, {status_label.lower()}, de {SIZE_CLASS_LABELS[size_class]} ({third} des "
            f"lits et places de ce groupe) : de {fmt_int(class_min)} à {fmt_int(class_max)} lits et places "
            f"({fmt_int(class_n)} établissement{plural} en France). Classes de taille : "
            f"terciles du nombre de lits et places parmi les établissements de même activité et même statut.")


# ---------------------------------------------------------------------------
# Values and references
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """A value in the indicator's unit with its basis: numerator and denominator (ratio; sums
    for a reference), n (establishments counted in a reference), and the Wilson 95 % bounds
    in the same unit where `uses_wilson` (else NaN)."""

    value: float
    numerator: float = math.nan
    denominator: float = math.nan
    n: int = 0
    low: float = math.nan
    high: float = math.nan


def uses_wilson(indicator: dict | pd.Series) -> bool:
    """True for a proportion of counted events: a ratio indicator in % (scale 100) whose source
    is the PMSI (counts of stays), such as REHOSP_30J. Staff shares (SAE) are declared FTE,
    not sampled counts: no sampling interval for them."""
    return (indicator["kind"] == "ratio" and str(indicator["unit"]).strip() == "%"
            and float(indicator["scale"]) == 100 and str(indicator["source"]).upper().startswith("PMSI"))


def _usable(values: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """values joined with the catalogue's kind and scale, keeping the rows a reference can use:
    ratio rows with a numerator and a denominator > 0, count rows with a numerator."""
    df = values.merge(catalogue[["code", "kind", "scale"]], left_on="indicator", right_on="code", how="inner")
    ratio = (df["kind"] == "ratio") & df["numerator"].notna() & (df["denominator"] > 0)
    count = (df["kind"] == "count") & df["numerator"].notna()
    return df[ratio | count]


def references(values: pd.DataFrame, catalogue: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Reference value of each indicator for each group.

    `values`: one row per establishment × indicator (finess, indicator, numerator,
    denominator, and the `by` columns); `catalogue`: code, kind, scale. Returns `by` +
    indicator, numerator and denominator (sums, ratio indicators only; NaN for counts),
    value (ratio: Σ numerator / Σ denominator × scale; count: median of the numerators)
    and n (establishments counted).
    """
    df = _usable(values, catalogue)
    keys = list(by) + ["indicator"]
    ratio = df[df["kind"] == "ratio"]
    sums = ratio.groupby(keys, sort=True).agg(numerator=("numerator", "sum"), denominator=("denominator", "sum"),
                                              n=("finess", "nunique"), scale=("scale", "first")).reset_index()
    sums["value"] = sums["numerator"] / sums["denominator"] * sums["scale"]
    count = df[df["kind"] == "count"]
    med = count.groupby(keys, sort=True).agg(value=("numerator", "median"), n=("finess", "nunique")).reset_index()
    med["numerator"] = np.nan
    med["denominator"] = np.nan
    cols = keys + ["numerator", "denominator", "value", "n"]
    out = pd.concat([sums[cols], med[cols]], ignore_index=True)
    out["n"] = out["n"].astype("int64")
    return out


def reference_tables(values: pd.DataFrame, catalogue: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The three references of every group at once (cache this per year).

    `values` has finess, indicator, numerator, denominator, region_code, activity,
    legal_status, size_class. Returns {'region': by region_code, 'france': one row per
    indicator, 'comparables': by activity, legal_status, size_class}.
    """
    return {"region": references(values, catalogue, ["region_code"]),
            "france": references(values, catalogue, []),
            "comparables": references(values, catalogue, ["activity", "legal_status", "size_class"])}


def own_figure(indicator: dict | pd.Series, numerator, denominator) -> Figure | None:
    """The establishment's own value (None when it has no usable value)."""
    if numerator is None or pd.isna(numerator):
        return None
    if indicator["kind"] == "count":
        return Figure(float(numerator))
    if denominator is None or pd.isna(denominator) or float(denominator) <= 0:
        return None
    scale = float(indicator["scale"])
    low = high = math.nan
    if uses_wilson(indicator):
        lo, hi = wilson_interval(float(numerator), float(denominator))
        low, high = lo * scale, hi * scale
    return Figure(float(numerator) / float(denominator) * scale, float(numerator), float(denominator), 0, low, high)


def judge(own: Figure | None, reference: Figure | None, better: str, tolerance: float = TOLERANCE) -> str | None:
    """'better', 'worse', 'similar', 'neutral' (direction neutral) or None (a value missing).

    Similar: the reference lies within the establishment's Wilson interval when it has one
    (finite low/high), else the establishment is within ±`tolerance` (relative) of the
    reference.
    """
    if own is None or reference is None or pd.isna(own.value) or pd.isna(reference.value):
        return None
    if better not in ("higher", "lower"):
        return NEUTRAL
    if np.isfinite(own.low) and np.isfinite(own.high):
        if own.low <= reference.value <= own.high:
            return SIMILAR
    elif abs(own.value - reference.value) <= tolerance * abs(reference.value):
        return SIMILAR
    higher = own.value > reference.value
    return BETTER if higher == (better == "higher") else WORSE


@dataclass
class ProfileRow:
    code: str
    label: str
    kind: str
    better: str
    unit: str
    scale: float
    source: str
    numerator_label: str
    denominator_label: str
    interval: str  # 'wilson' or 'tolerance'
    own: Figure | None
    refs: dict[str, Figure | None]
    marks: dict[str, str | None]
    series: list[tuple[int, float]] = field(default_factory=list)

    @property
    def worse_than_region_and_france(self) -> bool:
        return self.marks.get("region") == WORSE and self.marks.get("france") == WORSE


def _ref_table(table: pd.DataFrame, key: dict) -> pd.DataFrame:
    """The rows of a reference table for one group, indexed by indicator."""
    sel = pd.Series(True, index=table.index)
    for col, val in key.items():
        sel &= table[col] == val
    return table[sel].set_index("indicator")


def _ref_figure(rows: pd.DataFrame, indicator: str) -> Figure | None:
    if indicator not in rows.index or pd.isna(rows.at[indicator, "value"]):
        return None
    r = rows.loc[indicator]
    return Figure(float(r["value"]), float(r["numerator"]), float(r["denominator"]), int(r["n"]))


def series_values(series: pd.DataFrame, indicator: dict | pd.Series) -> list[tuple[int, float]]:
    """(year, value) of one indicator from an establishment's series (year, indicator,
    numerator, denominator), years without a usable value left out."""
    rows = series[series["indicator"] == indicator["code"]].sort_values("year")
    years = rows["year"].to_numpy()
    num = rows["numerator"].to_numpy(dtype=float)
    den = rows["denominator"].to_numpy(dtype=float)
    if indicator["kind"] == "count":
        return [(int(y), float(n)) for y, n in zip(years, num) if n == n]
    scale = float(indicator["scale"])
    return [(int(y), float(n / d * scale)) for y, n, d in zip(years, num, den) if n == n and d == d and d > 0]


def profile_rows(finess: str, values: pd.DataFrame, tables: dict[str, pd.DataFrame], catalogue: pd.DataFrame,
                 keys: dict, series: pd.DataFrame | None = None) -> list[ProfileRow]:
    """The four-column profile table of one establishment for one year.

    `values`: the year's values (finess, indicator, numerator, denominator); `tables`: from
    `reference_tables`; `keys`: the establishment's region_code, activity, legal_status and
    size_class; `series`: its values over the years (for the sparklines). One row per
    catalogue indicator, in catalogue order, even without a value.
    """
    own = values[values["finess"] == finess].set_index("indicator")
    group_keys = {"region": {"region_code": keys["region_code"]}, "france": {},
                  "comparables": {"activity": keys["activity"], "legal_status": keys["legal_status"],
                                  "size_class": keys["size_class"]}}
    groups = {name: _ref_table(tables[name], group_keys[name]) for name in REFERENCES}
    rows = []
    for ind in catalogue.to_dict("records"):
        code = ind["code"]
        fig = own_figure(ind, *(own.loc[code, ["numerator", "denominator"]] if code in own.index else (None, None)))
        refs = {name: _ref_figure(groups[name], code) for name in REFERENCES}
        marks = {name: judge(fig, refs[name], ind["better"]) for name in REFERENCES}
        rows.append(ProfileRow(
            code=code, label=ind["label"], kind=ind["kind"], better=ind["better"], unit=ind["unit"] or "",
            scale=float(ind["scale"]), source=ind["source"] or "", numerator_label=ind["numerator_label"] or "",
            denominator_label=ind["denominator_label"] or "",
            interval="wilson" if uses_wilson(ind) else "tolerance", own=fig, refs=refs, marks=marks,
            series=series_values(series, ind) if series is not None else []))
    return rows


# ---------------------------------------------------------------------------
# SSR recourse (MCO establishments)
# ---------------------------------------------------------------------------
@dataclass
class RecourseRow:
    gesture: str
    label: str
    stays: int
    with_ssr: int
    rate: float  # proportion 0-1
    low: float
    high: float
    region: tuple[int, int, float]  # (stays with SSR, stays, rate) summed over the region
    france: tuple[int, int, float]
    limits95: tuple[float, float]  # funnel limits around the national rate for this volume
    limits998: tuple[float, float]
    marks: dict[str, str | None]
    series: list[tuple[int, float]] = field(default_factory=list)

    @property
    def above_998(self) -> bool:
        return self.rate > self.limits998[1]

    @property
    def funnel_position(self) -> str:
        if self.rate > self.limits998[1]:
            return f"au-dessus de la limite à 99,8{NBSP}%"
        if self.rate > self.limits95[1]:
            return f"au-dessus de la limite à 95{NBSP}%"
        if self.rate < self.limits998[0]:
            return f"en dessous de la limite à 99,8{NBSP}%"
        if self.rate < self.limits95[0]:
            return f"en dessous de la limite à 95{NBSP}%"
        return "dans l'entonnoir"


def _sums(df: pd.DataFrame) -> tuple[int, int, float]:
    x, n = int(df["stays_with_ssr"].sum()), int(df["stays"].sum())
    return x, n, (x / n if n else math.nan)


def recourse_references(counts: pd.DataFrame) -> dict[tuple[str, str], tuple[int, int]]:
    """(stays with SSR, stays) summed per (gesture, region code) and per (gesture, '') for France,
    from `counts` (finess, gesture, stays, stays_with_ssr, region_code): cache it per year."""
    out = {}
    for (g, r), grp in counts.groupby(["gesture", "region_code"], sort=False):
        out[(g, r)] = (int(grp["stays_with_ssr"].sum()), int(grp["stays"].sum()))
    for g, grp in counts.groupby("gesture", sort=False):
        out[(g, "")] = (int(grp["stays_with_ssr"].sum()), int(grp["stays"].sum()))
    return out


def recourse_rows(finess: str, region_code: str, counts: pd.DataFrame, gestures: pd.DataFrame,
                  series: pd.DataFrame | None = None,
                  references: dict[tuple[str, str], tuple[int, int]] | None = None) -> list[RecourseRow]:
    """Each gesture the establishment performed in the year: its rate (stays followed by SSR /
    stays, all ages) with the Wilson 95 % interval, the regional and national rates (ratios of
    sums over the establishments of the region / of France, same gesture and year, all ages),
    the funnel limits around the national rate for its volume, and its judgement (recourse:
    lower is better; similar when the reference lies within its interval).

    `counts`: finess, gesture, stays, stays_with_ssr, region_code for every MCO establishment
    of the year; `gestures`: code, label in catalogue order; `series`: the establishment's
    year, gesture, stays, stays_with_ssr (for sparklines); `references`: `recourse_references(counts)`
    (computed here when not given).
    """
    references = references if references is not None else recourse_references(counts)
    own = counts[counts["finess"] == finess]
    rows = []
    for g in gestures.itertuples():
        mine = own[own["gesture"] == g.code]
        if mine.empty or int(mine["stays"].sum()) == 0:
            continue
        x, n, rate = _sums(mine)
        low, high = wilson_interval(x, n)
        rx, rn = references.get((g.code, region_code), (0, 0))
        fx, fn = references.get((g.code, ""), (0, 0))
        region = (rx, rn, rx / rn if rn else math.nan)
        france = (fx, fn, fx / fn if fn else math.nan)
        fig = Figure(rate, x, n, 0, low, high)
        marks = {"region": judge(fig, Figure(region[2]), "lower"), "france": judge(fig, Figure(france[2]), "lower")}
        spark = []
        if series is not None:
            s = series[(series["gesture"] == g.code) & (series["stays"] > 0)].sort_values("year")
            spark = [(int(r.year), r.stays_with_ssr / r.stays) for r in s.itertuples()]
        rows.append(RecourseRow(g.code, g.label, n, x, rate, low, high, region, france,
                                funnel_limits(france[2], n, 0.95), funnel_limits(france[2], n, 0.998), marks, spark))
    return rows


def funnel_curve(p0: float, n_max: int, points: int = 120) -> pd.DataFrame:
    """The funnel's limit curves for volumes 1..n_max (about `points` volumes, geometric
    spacing): n, lo95, hi95, lo998, hi998 (proportions 0-1), around the reference p0."""
    n = np.unique(np.round(np.geomspace(1, max(int(n_max), 2), points)).astype(int))
    lo95, hi95 = funnel_limits(p0, n, 0.95)
    lo998, hi998 = funnel_limits(p0, n, 0.998)
    return pd.DataFrame({"n": n, "lo95": lo95, "hi95": hi95, "lo998": lo998, "hi998": hi998})


def funnel_points(counts: pd.DataFrame, gesture: str) -> tuple[pd.DataFrame, float]:
    """All establishments with stays for a gesture (finess, stays, stays_with_ssr, rate) and the
    national rate (ratio of sums), for the funnel plot."""
    g = counts[(counts["gesture"] == gesture) & (counts["stays"] > 0)]
    pts = g.groupby("finess", as_index=False)[["stays", "stays_with_ssr"]].sum()
    pts["rate"] = pts["stays_with_ssr"] / pts["stays"]
    p0 = pts["stays_with_ssr"].sum() / pts["stays"].sum() if len(pts) else math.nan
    return pts, float(p0)


# ---------------------------------------------------------------------------
# CAQES
# ---------------------------------------------------------------------------
def caqes_year(results: pd.DataFrame, year: int) -> tuple[int | None, pd.DataFrame]:
    """The CAQES results to show for `year`: that year's, else the latest earlier year with
    results (None and an empty frame when there is none), with attainment and status."""
    if results.empty:
        return None, results
    years = sorted(int(y) for y in results["year"].unique() if int(y) <= int(year))
    if not years:
        return None, results.iloc[0:0]
    shown = years[-1]
    rows = caqes_rules.with_attainment(results[results["year"] == shown])
    return shown, rows.sort_values("position").reset_index(drop=True)


# ---------------------------------------------------------------------------
# Formatting shared by the page, the PDF and the talking points
# ---------------------------------------------------------------------------
def is_secret(x) -> bool:
    """A whole count from 1 to 10 (analytics.secrecy.is_small, the one threshold): never shown outside the insurer."""
    try:
        value = float(x)
    except (TypeError, ValueError):
        return False
    return is_small(value) and value == int(value)


def fmt_number(x, secret: bool = False) -> str:
    """A numerator or denominator: whole numbers as counts ('12 345'), others with one decimal
    ('12,3'); with `secret`, a whole number from 1 to 10 prints '< 11'."""
    if x is None or pd.isna(x):
        return MISSING
    if secret and is_secret(x):
        return "<" + NBSP + "11"
    if float(x) == int(float(x)):
        return fmt_int(int(float(x)))
    return fmt_dec(x, 1)


def value_digits(value: float) -> int:
    """Decimals for a value: 3 below 1 (0,075 ETP/lit), 2 below 10 (2,45 actes/jour), else 1 (30,4 jours)."""
    return 3 if abs(value) < 1 else 2 if abs(value) < 10 else 1


def fmt_value(value, unit: str, kind: str = "ratio") -> str:
    """A value in its unit: '12,4 %', '30,4 jours', '2,45 actes/jour', '34 GMD'."""
    if value is None or pd.isna(value):
        return MISSING
    text = fmt_int(round(float(value))) if kind == "count" and float(value) == round(float(value)) \
        else fmt_dec(value, 1 if kind == "count" else value_digits(value))
    return f"{text}{NBSP}{unit}" if unit else text


def fmt_basis(fig: Figure | None, kind: str, secret: bool = False) -> str:
    """'(12 345/410)' for a ratio, '' for an own count value; references use `fmt_ref_basis`."""
    if fig is None or kind == "count" or pd.isna(fig.numerator):
        return ""
    return f"({fmt_number(fig.numerator, secret)}/{fmt_number(fig.denominator, secret)})"


def fmt_ref_basis(fig: Figure | None, kind: str) -> str:
    """Basis of a reference: '(Σ 1 234 567/40 567 ; 143 établ.)' or 'médiane de 143 établ.'."""
    if fig is None:
        return ""
    if kind == "count":
        return f"médiane de {fmt_int(fig.n)} établ."
    return f"({fmt_number(fig.numerator)}/{fmt_number(fig.denominator)} ; {fmt_int(fig.n)} établ.)"


def ref_basis_lines(fig: Figure | None, kind: str) -> list[str]:
    """The basis of a reference on two short lines: ['7 987 121/286 062', '310 établ.'] for a
    ratio (sums of numerators / of denominators, establishments counted), ['médiane de 310 établ.']
    for a count."""
    if fig is None:
        return []
    if kind == "count":
        return [f"médiane de {fmt_int(fig.n)} établ."]
    return [f"{fmt_number(fig.numerator)}/{fmt_number(fig.denominator)}", f"{fmt_int(fig.n)} établ."]


def masked_rate(x: int, n: int, secret: bool) -> bool:
    """True when a rate x/n must be hidden (a numerator or denominator from 1 to 10)."""
    return secret and (is_secret(x) or is_secret(n))


def fmt_rate_counts(x: int, n: int, secret: bool = False) -> str:
    """'62,1 % (118/190)'; with `secret` and a count from 1 to 10: 's (< 11/25)'."""
    if masked_rate(x, n, secret):
        return f"s ({fmt_number(x, True)}/{fmt_number(n, True)})"
    return f"{fmt_pct(x / n if n else None)} ({fmt_int(x)}/{fmt_int(n)})"


# ---------------------------------------------------------------------------
# Points d'attention
# ---------------------------------------------------------------------------
def _ref_rate(ref: tuple[int, int, float], secret: bool) -> str:
    """A regional or national rate, 's' when built on a count from 1 to 10 (secret)."""
    return "s" if masked_rate(ref[0], ref[1], secret) else fmt_pct(ref[2])


def _recourse_sentence(r: RecourseRow, secret: bool) -> str:
    text = (f"Taux de recours au SSR après {r.label.lower()} ({r.gesture}) : {fmt_rate_counts(r.with_ssr, r.stays, secret)}"
            f", contre {_ref_rate(r.region, secret)} en région et {_ref_rate(r.france, secret)} en France")
    if r.above_998:
        return text + f" ; au-dessus de la limite à 99,8{NBSP}% de l'entonnoir (établissement atypique)."
    if masked_rate(r.with_ssr, r.stays, secret):
        return text + f" ; au-delà de l'intervalle de confiance à 95{NBSP}%."
    return text + f" ; IC 95{NBSP}% {fmt_pct(r.low)} – {fmt_pct(r.high)}."


def _profile_sentence(r: ProfileRow, secret: bool) -> str:
    figure, region, france = r.own, r.refs["region"], r.refs["france"]
    # only rows with a value worse than both references (hence with both) get a sentence
    assert figure is not None and region is not None and france is not None
    own = fmt_value(figure.value, r.unit, r.kind)
    basis = fmt_basis(figure, r.kind, secret)
    if r.kind == "count":
        return (f"{r.label} : {own}, contre une médiane de {fmt_value(region.value, r.unit, r.kind)} "
                f"en région et de {fmt_value(france.value, r.unit, r.kind)} en France.")
    if secret and (is_secret(figure.numerator) or is_secret(figure.denominator)):
        own = "s"
    return (f"{r.label} : {own}{' ' + basis if basis else ''}, contre "
            f"{fmt_value(region.value, r.unit)} en région et {fmt_value(france.value, r.unit)} "
            f"en France.")


def _caqes_sentence(r: dict, year: int) -> str:
    unit = r["unit"] or ""

    def v(x):
        return fmt_value(x, unit)

    return (f"CAQES {year} — {r['label']} : {v(r['achieved'])} réalisé pour une cible de {v(r['target'])} "
            f"(valeur initiale {v(r['baseline'])}), {r['status']} (atteinte {fmt_pct(r['attainment'], 0)}).")


def attention_points(recourse: list[RecourseRow], profile: list[ProfileRow], caqes: pd.DataFrame | None,
                     caqes_shown_year: int | None, secret: bool = False) -> list[str]:
    """The ordered talking points (plain French sentences with their figures); the order is
    the module docstring's. `caqes` is the frame of `caqes_year` (with attainment, status,
    position). With `secret` (the PDF), counts from 1 to 10 and the rates built on them are
    masked."""
    points = [_recourse_sentence(r, secret) for r in recourse if r.above_998]
    points += [_recourse_sentence(r, secret) for r in recourse
               if not r.above_998 and r.marks["region"] == WORSE and r.marks["france"] == WORSE]
    points += [_profile_sentence(r, secret) for r in profile if r.own is not None and r.worse_than_region_and_france]
    if caqes is not None and not caqes.empty and caqes_shown_year is not None:
        unmet = caqes[caqes["status"].isin([caqes_rules.NON_ATTEINT, caqes_rules.EN_PROGRES])].copy()
        unmet["rank"] = unmet["status"].map({caqes_rules.NON_ATTEINT: 0, caqes_rules.EN_PROGRES: 1})
        unmet = unmet.sort_values(["rank", "attainment", "position"], kind="stable")
        points += [_caqes_sentence(r, caqes_shown_year) for r in unmet.to_dict("records")]
    return points


# ---------------------------------------------------------------------------
# Directory search (/etablissements)
# ---------------------------------------------------------------------------
FILTER_ALL = "tous"  # the "no filter" value of the search page's selects


def fold(text: str) -> str:
    """Lower case without accents, punctuation as spaces: 'Hôpital Saint-Étienne' -> 'hopital saint etienne'."""
    import re
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = plain.replace("œ", "oe").replace("æ", "ae")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def search_keys(directory: pd.DataFrame) -> pd.Series:
    """The folded text searched for each establishment: name, FINESS, commune (name and code)."""
    return (directory["name"].map(fold) + " " + directory["finess"].str.lower() + " "
            + directory["commune"].map(fold) + " " + directory["commune_code"].str.lower())


def search(directory: pd.DataFrame, keys: pd.Series, query: str = "", region: str = "", departement: str = "",
           status: str = "", activity: str = "") -> pd.DataFrame:
    """Establishments matching every word of `query` (accent- and case-insensitive, anywhere in
    the name, FINESS or commune) and the filters ('' = all). `keys` is `search_keys(directory)`.
    Order: FINESS equal to the query first, then names starting with the query, then by name."""
    mask = pd.Series(True, index=directory.index)
    for col, value in (("region_code", region), ("departement_code", departement), ("legal_status", status),
                       ("activity", activity)):
        if value and value != FILTER_ALL:
            mask &= directory[col] == value
    folded = fold(query or "")
    for word in folded.split():
        mask &= keys.str.contains(word, regex=False)
    out = directory[mask].copy()
    if folded:
        names = out["name"].map(fold)
        out["_rank"] = np.where(out["finess"].str.lower() == folded.replace(" ", ""), 0,
                                np.where(names.str.startswith(folded), 1, 2))
        out["_name"] = names
        out = out.sort_values(["_rank", "_name"], kind="stable").drop(columns=["_rank", "_name"])
    return out


FINESS_PATTERN = r"(?:\d{2}|2[AB])\d{7}"


def normalise_finess(raw) -> str | None:
    """'330000017' or ' 2a0000017 ' -> the FINESS in upper case; anything else (wrong length,
    letters, another département pattern) -> None."""
    import re

    text = str(raw or "").strip().upper()
    return text if re.fullmatch(FINESS_PATTERN, text) else None
