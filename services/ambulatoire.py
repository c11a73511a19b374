"""The /ambulatoire view (virage ambulatoire): its address (parse, validate, write back), the
controls' choices, and every figure it shows — national figure, map, territories grid,
establishments of a département with the MSAP AMBU default-rule flag, series against the
target — and /export/ambulatoire.csv, from the same rows as the grid (`territory_rows`).

Presentation mode (`security.presentation.current_mode()`): the secret statistique of
the reach masks of services.secrecy over France > régions > départements > établissements
(ambulatory stays, stays, and the stays without ambulatory care, from 1 to 10), anonymised names."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from analytics import ambulatory as model
from analytics import msap as msap_model
from analytics import secrecy as secrecy_model
from analytics.ambulatory import AmbuView
from analytics.classes import Classification, classify
from analytics.secrecy import SECRET, NestedSecrecy
from data_access import ambulatory as data
from data_access.cache import cached
from security.presentation import Mode, anonymous_names, current_mode
from services import secrecy as secrecy_masks
from services.territories import geo_names
from text.format import fmt_dec, fmt_int, fmt_pct, fmt_pct_range, fmt_pts, is_missing, round_half_up, round_pct

PATH = "/ambulatoire"
EXPORT_COLUMNS = ["code", "libelle", "etablissements", "sejours", "sejours_ambulatoires", "taux_pct",
                  "ic95_bas_pct", "ic95_haut_pct", "cible_pct", "ecart_cible_pts", "classe"]
KEYS = ["region_code", "departement_code", "finess"]
UNKNOWN_ALIAS = "Établissement ?"


# ---------------------------------------------------------------------------
# Reference data (cached per data version)
# ---------------------------------------------------------------------------
def catalogue() -> pd.DataFrame:
    """code, label, specialty, marker_number, position of every procedure, list order."""
    return cached(data.catalogue)


def markers() -> list[str]:
    """The codes of the 55 marker procedures ("all marker procedures" sums these)."""
    return secrecy_masks.marker_codes()


def procedure_label(code: str) -> str:
    if code == model.ALL:
        return f"Les {len(markers())} gestes marqueurs"
    cat = catalogue().set_index("code")
    return str(cat["label"].get(code, code))


def procedure_options() -> list[dict]:
    """The procedure control's choices: all marker procedures, then each by specialty."""
    cat = catalogue()
    options = [{"label": procedure_label(model.ALL), "value": model.ALL}]
    for specialty, group in cat.groupby("specialty", sort=True):
        for r in group.itertuples():
            number = f"{r.marker_number} · " if r.marker_number else ""
            options.append({"label": f"{specialty} — {number}{r.label}", "value": r.code})
    return options


def years() -> list[int]:
    return cached(data.years)


def targets() -> pd.DataFrame:
    return cached(data.targets)


# ---------------------------------------------------------------------------
# The view
# ---------------------------------------------------------------------------
def parse_view(query: Mapping[str, str]) -> tuple[AmbuView, list[str]]:
    """The view of a query string (the page's address or the export's), with French notices for
    the values ignored; a repeated parameter (not a string) is ignored silently."""
    geo = geo_names()
    query = {k: v for k, v in query.items() if isinstance(v, str)}
    view, notices = model.parse_view(query, years(), catalogue()["code"].tolist(), geo.regions, geo.region_of)
    if current_mode().masked and view.statut != model.ALL_STATUSES:  # no status breakdown (services.secrecy)
        view, notices = replace(view, statut=model.ALL_STATUSES), [*notices, STATUS_NOTICE]
    return view, notices


STATUS_NOTICE = ("Mode présentation : les taux ne sont pas détaillés par statut (secret statistique), "
                 "tous les statuts sont montrés.")


def query_string(view: AmbuView) -> str:
    return view.query_string()


def view_of(data_: dict | None) -> AmbuView:
    return AmbuView(**(data_ or {}))


def _choice(value, allowed, current: str) -> str:
    """`value` when it is one of `allowed`, else `current` (a control value the page never offers)."""
    return str(value) if value in allowed else current


def _integer(value, current):
    try:
        return int(value) if value is not None else current
    except (TypeError, ValueError):
        return current


def with_controls(view: AmbuView, values: Mapping) -> AmbuView:
    """The view after a control change (values: annee, geste, statut, niveau, methode, classes,
    couleur as the controls show them). A new level starts again from France."""
    niveau = _choice(values.get("niveau"), model.LEVELS, view.niveau)
    annee = _integer(values.get("annee"), view.annee)
    classes = _integer(values.get("classes"), view.classes)
    return replace(
        view, annee=annee if annee in years() else view.annee,
        geste=_choice(values.get("geste"), (model.ALL, *catalogue()["code"]), view.geste),
        statut=_choice(values.get("statut"), tuple(model.STATUS_LABELS), view.statut),
        methode=_choice(values.get("methode"), model.METHODS, view.methode),
        classes=classes if 3 <= classes <= 7 else view.classes,
        couleur=_choice(values.get("couleur"), model.COLOURINGS, view.couleur),
        niveau=niveau, focus=view.focus if niveau == view.niveau else "")


def view_notices(view: AmbuView) -> list[str]:
    """What the view itself needs said: the gap colouring of one procedure has no target to show."""
    if view.couleur == "ecart" and view.geste != model.ALL:
        return [f"Les cibles régionales portent sur l'ensemble des {len(markers())} gestes marqueurs : pour un seul "
                "geste, la carte colorée par l'écart à la cible reste grise (choisissez « "
                f"{procedure_label(model.ALL)} » ou la coloration par le taux)."]
    return []


def drill(view: AmbuView, code: str) -> AmbuView:
    return model.drill(view, code)


def with_focus(view: AmbuView, code: str) -> AmbuView:
    """A breadcrumb: '' is France (the level kept), a region code its départements."""
    return replace(view, focus=code, niveau="reg" if code else view.niveau)


def breadcrumb(view: AmbuView) -> list[tuple[str, str]]:
    """(code, label) from below France down to the focus."""
    geo = geo_names()
    path = model.breadcrumb(view, geo.region_of)
    return [(c, geo.regions[c] if i == 0 else f"{geo.departements[c]} ({c})") for i, c in enumerate(path)]


def title(view: AmbuView) -> str:
    statut = "" if view.statut == model.ALL_STATUSES else f", {model.STATUS_LABELS[view.statut]}"
    return f"{procedure_label(view.geste)} — {view.annee}{statut}"


# ---------------------------------------------------------------------------
# Counts and their secrecy
# ---------------------------------------------------------------------------
def _selection(view: AmbuView, year: int | None = None) -> tuple:
    return (view.annee if year is None else year, tuple(view.groups(markers())), tuple(view.statuses))


def counts(view: AmbuView, year: int | None = None) -> pd.DataFrame:
    """One row per establishment of the view (its procedures, statuses and year, or `year`)."""
    year, groups, statuses = _selection(view, year)
    if year is None:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ("stays", "ambulatory_stays") else object)
                             for c in data.ESTABLISHMENT_COLUMNS})
    return cached(data.establishment_counts, year, groups, statuses)


def _nested(_url: str, year: int, groups: tuple, statuses: tuple, _secondary: bool) -> NestedSecrecy:
    frame = cached(data.establishment_counts, year, groups, statuses)
    masks, values = secrecy_masks.ambulatory_masks(year, groups[0] if len(groups) == 1 else secrecy_masks.ALL)
    status = statuses[0] if len(statuses) == 1 else secrecy_masks.ALL
    return secrecy_model.view_secrecy(masks, frame, KEYS, "ambulatory_stays", "stays", status, values)


def secrecy(view: AmbuView, year: int | None = None) -> NestedSecrecy:
    """The presentation mode's masks of the view's territories, read from the year's reach masks
    (services.secrecy: the same as /msap's AMBU campaign and the profiles')."""
    return cached(_nested, *_selection(view, year), secrecy_masks.secondary_on())


# ---------------------------------------------------------------------------
# Territories
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Territories:
    """The map's territories: `table` those with data (analytics.ambulatory.territory_table), `full`
    every territory of the map in `codes` order; `flags` the secrecy of the table's rows (by code)
    in presentation mode, else None."""

    level: str
    region: str
    names: dict[str, str]
    codes: list[str]
    table: pd.DataFrame
    full: pd.DataFrame
    classification: Classification
    flags: pd.DataFrame | None
    all_markers: bool = True  # the view sums every marker procedure (the targets apply)

    @property
    def title(self) -> str:
        noun = "Régions" if self.level == "reg" else "Départements"
        text = noun + (f" — {geo_names().regions[self.region]}" if self.region else "")
        if self.flags is not None:  # presentation mode: how many rows are masked, and why
            text += secrecy_masks.masked_note(self.flags, self.table["code"].tolist())
        return text


def territories(view: AmbuView, mode: Mode | None = None) -> Territories:
    mode = current_mode() if mode is None else mode
    geo = geo_names()
    level, table, classification = model.territory_table(counts(view), view, geo.region_of,
                                                         model.applicable(view, targets()))
    flags = None
    if mode.masked:
        # classes over the rates shown only: a class bound must not give a secret rate away
        flags = secrecy(view).levels[0 if level == "reg" else 1]
        hidden = flags["rate_hidden"].reindex(table["code"], fill_value=False).to_numpy(dtype=bool)
        classification = classify(table["rate"].where(~hidden), view.methode, view.classes)
        gaps = table["gap_pts"].where(~hidden)
        table = table.assign(classe=classification.classes, gap_classe=model.gap_classes(gaps))
    path = model.breadcrumb(view, geo.region_of)
    region = path[0] if path else ""
    names = geo.regions if level == "reg" else geo.departements
    codes = sorted(names) if not region else sorted(d for d, r in geo.region_of.items() if r == region)
    return Territories(level, region, names, codes, table, model.with_all_territories(table, codes),
                       classification, flags, view.geste == model.ALL)


def _pct(x) -> float | None:
    return round_pct(x)


def _pts(x) -> float | None:
    rounded = round_half_up(x, 1)
    return None if rounded is None else rounded + 0.0  # + 0.0: no '-0,0'



def _interval(low, high) -> str:
    if is_missing(low) or is_missing(high):
        return "–"
    return f"{fmt_dec(low * 100, 1)} – {fmt_dec(high * 100, 1)}"


def _shown(value, masked) -> int | str:
    return secrecy_model.count_display(int(value), bool(masked))


def territory_rows(view: AmbuView, mode: Mode | None = None) -> tuple[Territories, list[dict]]:
    """One row per territory with data: the grid beside the map and /export/ambulatoire.csv."""
    t = territories(view, mode)
    rows = []
    for r in t.table.itertuples():
        row = {"code": r.code, "libelle": t.names.get(r.code, r.code), "etablissements": int(r.n_establishments),
               "sejours": int(r.stays), "sejours_ambulatoires": int(r.ambulatory_stays), "taux_pct": _pct(r.rate),
               "ic95": _interval(r.low, r.high), "ic95_bas_pct": _pct(r.low), "ic95_haut_pct": _pct(r.high),
               "cible_pct": _pts(r.target_pct), "ecart_cible_pts": _pts(r.gap_pts), "classe": int(r.classe)}
        if t.flags is not None and r.code in t.flags.index:
            f = t.flags.loc[r.code]
            row["sejours"] = _shown(r.stays, f["masked"])
            row["sejours_ambulatoires"] = _shown(r.ambulatory_stays, f["masked"])
            if f["rate_hidden"]:
                row.update(taux_pct=SECRET, ic95=SECRET, ic95_bas_pct=SECRET, ic95_haut_pct=SECRET,
                           ecart_cible_pts=None if row["cible_pct"] is None else SECRET, classe=None)
        rows.append(row)
    return t, rows


def export_rows(view: AmbuView) -> list[dict]:
    """/export/ambulatoire.csv: the grid's rows in code order."""
    _t, rows = territory_rows(view)
    return sorted(rows, key=lambda r: r["code"])


def export_name(view: AmbuView) -> str:
    return f"chirurgie-ambulatoire-{view.geste}-{view.annee}.csv".lower().replace("_", "-")


# ---------------------------------------------------------------------------
# National figure, map texts
# ---------------------------------------------------------------------------
def national(view: AmbuView, mode: Mode | None = None) -> tuple[str, str]:
    """('62,3 %', '1 234 567 séjours ambulatoires sur 1 981 000 séjours · IC 95 % … · 1 001 établissements')."""
    mode = current_mode() if mode is None else mode
    row = model.national_rate(counts(view))
    if not row["stays"]:
        return "–", "pas de données"
    if mode.masked:
        f = secrecy(view).total.iloc[0]
        amb = _shown(row["ambulatory_stays"], f["masked"])
        stays = _shown(row["stays"], f["masked"])
        if f["rate_hidden"]:
            return SECRET, (f"{_count_text(amb)} séjours ambulatoires sur {_count_text(stays)} séjours"
                            f" · {fmt_int(row['n_establishments'])} établissements")
    return fmt_pct(row["rate"]), (f"{fmt_int(row['ambulatory_stays'])} séjours ambulatoires sur "
                                  f"{fmt_int(row['stays'])} séjours · IC 95 % {fmt_pct_range(row['low'], row['high'])}"
                                  f" · {fmt_int(row['n_establishments'])} établissements")


def _count_text(value) -> str:
    return value if isinstance(value, str) else fmt_int(value)


def map_hover(t: Territories) -> list[str]:
    """One hover text per territory of the map: rate with counts and interval, the target and the
    gap to it; in presentation mode the counts masked and a secret rate not stated."""
    out = []
    for code, r in zip(t.codes, t.full.itertuples()):
        lines = [f"<b>{t.names[code]}</b>"]
        f = t.flags.loc[code] if t.flags is not None and code in t.flags.index else None
        if not r.stays:
            lines.append("pas de données")
        elif f is not None and f["rate_hidden"]:
            amb = _shown(r.ambulatory_stays, f["masked"])
            stays = _shown(r.stays, f["masked"])
            lines += ["Taux ambulatoire : secret statistique", f"({_count_text(amb)}/{_count_text(stays)} séjours)"]
        else:
            amb, stays = int(r.ambulatory_stays), int(r.stays)
            if f is not None:
                amb = _shown(amb, f["masked"])
                stays = _shown(stays, f["masked"])
            lines += [f"Taux ambulatoire : {fmt_pct(r.rate)} ({_count_text(amb)}/{_count_text(stays)} séjours)",
                      f"IC 95 % : {fmt_pct_range(r.low, r.high)}"]
        if not is_missing(r.target_pct):
            lines.append(f"Cible : {fmt_dec(r.target_pct, 1)} %")
            if r.stays and not (f is not None and f["rate_hidden"]):
                lines.append(f"Écart à la cible : {fmt_pts(r.gap_pts / 100)}")
        else:
            lines.append("Pas de cible pour cette année" if t.all_markers else "Cible : fixée sur l'ensemble des gestes marqueurs")
        if r.stays:
            lines.append(f"{fmt_int(r.n_establishments)} établissement{'s' if r.n_establishments > 1 else ''}")
        out.append("<br>".join(lines))
    return out


def map_classes(view: AmbuView, t: Territories) -> tuple[list[int], list[str], str]:
    """(class of each territory of the map, legend labels, legend title) for the view's colouring;
    a territory whose rate is secret gets class -1 (france_map.SECRET_CLASS)."""
    if view.couleur == "ecart":
        classes = t.full["gap_classe"].astype(int).tolist()
        legend, heading = list(model.GAP_LABELS), "Écart à la cible"
    else:
        classes = t.full["classe"].astype(int).tolist()
        legend = t.classification.legend_labels(noun="")
        heading = f"Classes : {t.classification.method_label}"
    if t.flags is not None:
        for i, (code, _r) in enumerate(zip(t.codes, t.full.itertuples())):
            if code in t.flags.index and t.flags.at[code, "rate_hidden"]:
                classes[i] = -1
    return classes, legend, heading


# ---------------------------------------------------------------------------
# Establishments of a département
# ---------------------------------------------------------------------------
def _default_rule(_url: str, year: int, departement: str) -> dict[str, list[str]]:
    """FINESS -> the procedures on which the MSAP AMBU default rule (analytics.msap.DEFAULT_RULE:
    10 points below both the regional and the national rate, at least 30 stays) flags it, for the
    establishments of `departement`, procedure by procedure as MSAP decisions are taken."""
    frame = cached(data.group_counts, year).rename(columns={"ambulatory_stays": "cases"})
    rule = replace(msap_model.DEFAULT_RULE, campagne="AMBU", geste=msap_model.ALL, perimetre="D" + departement)
    local = set(frame.loc[frame["departement_code"] == departement, "gesture"])
    flagged: dict[str, list[str]] = {}
    for gesture, group in frame[frame["gesture"].isin(local)].groupby("gesture", sort=True):
        ev = msap_model.evaluate(group.drop(columns="gesture"), rule)
        for finess in ev.loc[ev["flagged"], "finess"]:
            flagged.setdefault(finess, []).append(str(gesture))
    return flagged


def default_rule_flags(year: int, departement: str) -> dict[str, list[str]]:
    return cached(_default_rule, int(year), departement)


def _evaluable(year: int, procedure: str, finess: str, region: str) -> bool:
    """Presentation mode: may the default rule's verdict on this procedure be stated? Only when the
    establishment's, its région's and France's figures of it are all published (the verdict is a
    function of them: a masked one would show through it)."""
    masks, (value,) = secrecy_masks.ambulatory_masks(year, procedure)
    return not any(masks.is_masked(level, code, secrecy_masks.ALL, value)
                   for level, code in (("etab", finess), ("reg", region), ("fr", "")))


def establishment_rows(view: AmbuView, mode: Mode | None = None) -> tuple[str, list[dict]] | None:
    """(title, rows) of the establishments of the département in focus (None at another level)."""
    mode = current_mode() if mode is None else mode
    geo = geo_names()
    path = model.breadcrumb(view, geo.region_of)
    if len(path) != 2 or view.annee is None:
        return None
    region, dep = path
    goal = model.departement_targets(model.applicable(view, targets()), view.annee, geo.region_of).get(dep)
    table = model.establishment_table(counts(view), dep, goal)
    flags = default_rule_flags(view.annee, dep)
    labels = {code: procedure_label(code) for code in catalogue()["code"]}
    secret = secrecy(view) if mode.masked else None
    aliases = anonymous_names(mode) if mode.masked else None
    rows = []
    for r in table.itertuples():
        msap = flags.get(r.finess, [])
        if secret is not None:  # the rule is stated only where its figures are published (as on /msap)
            msap = [g for g in msap if _evaluable(view.annee, g, r.finess, region)]
        row = {"id": r.finess, "finess": r.finess, "nom": r.name, "lien": f"[{_link_text(r.name)}]({profile_href(r.finess, view.annee)})",
               "statut": model.STATUS_LABELS.get(r.legal_status, r.legal_status),
               "sejours": int(r.stays), "sejours_ambulatoires": int(r.ambulatory_stays), "taux_pct": _pct(r.rate),
               "ic95": fmt_pct_range(r.low, r.high) if r.stays else "–",
               "ecart_region": fmt_pts(r.gap_region_pts / 100) if r.stays else "–",
               "ecart_cible": "–" if is_missing(r.gap_target_pts) else fmt_pts(r.gap_target_pts / 100),
               "msap": (f"Ciblé ({len(msap)} geste{'s' if len(msap) > 1 else ''})" if msap else "Non ciblé"),
               "msap_detail": ", ".join(labels.get(g, g) for g in msap)}
        if secret is not None:
            f = secret.levels[2].loc[r.finess]
            row["sejours"] = _shown(r.stays, f["masked"])
            row["sejours_ambulatoires"] = _shown(r.ambulatory_stays, f["masked"])
            if f["rate_hidden"]:
                row.update(taux_pct=SECRET, ic95=SECRET, ecart_region=SECRET, ecart_cible=SECRET)
            if secret.levels[0]["rate_hidden"].get(region, False):
                row["ecart_region"] = SECRET
            if aliases is not None:
                code, name = aliases.get(r.finess, ("", UNKNOWN_ALIAS))
                row.update(id=code or name, finess="", nom=name,
                           lien=f"[{_link_text(name)}]({profile_href(code, view.annee)})" if code else name)
        rows.append(row)
    if secret is not None:  # a secret rate's place among the others would tell it
        shown = [row for row in rows if row["taux_pct"] != SECRET]
        rows = shown + sorted((row for row in rows if row["taux_pct"] == SECRET), key=lambda row: row["nom"])
    goal_text = f" · cible {fmt_dec(goal, 1)} %" if goal is not None else ""
    count = f"{len(rows)} établissement{'s' if len(rows) > 1 else ''}"
    note = "" if secret is None else secrecy_masks.masked_note(secret.levels[2], table["finess"].tolist(), noun="établissement")
    return f"Établissements — {geo.departements[dep]} ({dep}) : {count}{goal_text}{note}", rows


PROFILE_ANCHOR = "etab-ambu-section"  # id of the profile page's ambulatory section


def profile_href(code: str, year: int | None) -> str:
    """The profile's ambulatory section for a year (code: a FINESS, or a letter when anonymised)."""
    return f"/etablissement/{code}" + (f"?annee={year}" if year else "") + f"#{PROFILE_ANCHOR}"


def _link_text(name: str) -> str:
    return str(name).replace("[", "(").replace("]", ")")


# ---------------------------------------------------------------------------
# Series
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Series:
    """The series of the view's territory (France without focus): years, rates in percent (None where
    secret), intervals, the target line and the hover counts (masked in presentation mode)."""

    name: str | None
    years: list[int]
    france: list[float | None]
    own: list[float | None]
    low: list[float | None]
    high: list[float | None]
    target: list[float | None]
    counts: list[list]


def series(view: AmbuView, mode: Mode | None = None) -> Series:
    mode = current_mode() if mode is None else mode
    geo = geo_names()
    by_year = cached(data.counts_by_year, tuple(view.groups(markers())), tuple(view.statuses))
    path = model.breadcrumb(view, geo.region_of)
    region = path[0] if path else None
    dep = path[1] if len(path) == 2 else None
    s = model.rate_series(by_year, region, dep, model.applicable(view, targets()))
    years_ = [int(y) for y in s["year"]]

    def pct(col) -> list:
        return [None if is_missing(v) else round(float(v) * 100, 2) for v in s[col]]

    france, own, low, high = pct("france_rate"), pct("rate"), pct("low"), pct("high")
    counts_ = s[["ambulatory_stays", "stays"]].fillna(0).astype(int).values.tolist()
    if mode.masked:
        for i, year in enumerate(years_):
            secret = secrecy(view, year)
            if bool(secret.total["rate_hidden"].iloc[0]):
                france[i] = None
            level, code = (secret.levels[1], dep) if dep else (secret.levels[0], region)
            if code and code in level.index:
                f = level.loc[code]
                counts_[i] = [_shown(counts_[i][0], f["masked"]),
                              _shown(counts_[i][1], f["masked"])]
                if f["rate_hidden"]:
                    own[i] = low[i] = high[i] = None
    name = (f"{geo.departements[dep]} ({dep})" if dep else geo.regions[region]) if region else None
    target = [None if is_missing(v) else float(v) for v in s["target_pct"]]
    return Series(name, years_, france, own, low, high, target, counts_)


def anonymised() -> bool:
    return current_mode().anonymised


__all__ = ["EXPORT_COLUMNS", "PATH", "Series", "Territories", "breadcrumb", "catalogue", "counts", "drill",
           "establishment_rows", "export_name", "export_rows", "map_classes", "map_hover", "markers", "national",
           "parse_view", "procedure_label", "procedure_options", "query_string", "secrecy", "series", "territories",
           "territory_rows", "title", "with_controls", "with_focus", "years"]


# ---------------------------------------------------------------------------
# The profile's "Chirurgie ambulatoire" section (services.profile calls it for a surgical establishment)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ProcedureRow:
    """One line of the profile's ambulatory table, as the current mode shows it: `cells` are the
    display texts (own, ci, region, france, comparables as (rate, basis) pairs; funnel as
    (position, limits)); `below_998` and `far_below_target` feed the points d'attention (False
    when the rate is secret); `sentence` is the point's text."""

    code: str
    label: str
    number: str
    cells: dict
    below_998: bool = False
    far_below_target: bool = False
    sentence: str = ""


@dataclass(frozen=True)
class AmbulatorySection:
    year: int
    total: ProcedureRow | None  # the 55 marker procedures together, with the regional target
    rows: list[ProcedureRow]
    target_text: str
    verdict: str  # the MSAP AMBU default rule's sentence (services.profile's, the MSAP section's own)

    def attention_points(self) -> list[str]:
        """Procedures below the funnel's 99.8 % lower limit (list order), then the marker procedures'
        rate far below the regional target."""
        points = [r.sentence for r in self.rows if r.below_998]
        if self.total is not None and self.total.far_below_target:
            points.append(self.total.sentence)
        return points


def _secret_cells(_url: str, year: int, code: str, _secondary: bool = True) -> dict:
    """The masks of one procedure's counts of a year (or of the 55 marker procedures), read from the
    reach masks: {'cells': FINESS -> masked, 'region': code -> masked, 'france': masked}."""
    frame = cached(data.group_counts, year)
    frame = frame[frame["gesture"].isin(markers())] if code == model.ALL else frame[frame["gesture"] == code]
    frame = frame.groupby(["region_code", "departement_code", "finess"], as_index=False)[
        ["stays", "ambulatory_stays"]].sum()
    masks, values = secrecy_masks.ambulatory_masks(year, code)
    s = secrecy_model.view_secrecy(masks, frame, KEYS, "ambulatory_stays", "stays", secrecy_masks.ALL, values)

    def masked(df: pd.DataFrame) -> dict:
        return {k: bool(m) for k, m in zip(df.index, df["masked"])}

    return {"cells": masked(s.levels[2]), "region": masked(s.levels[0]), "france": bool(s.total["masked"].iloc[0])}


def _pair(amb: int, stays: int, masked: bool = False) -> tuple[str, str]:
    rate = SECRET if masked else (fmt_pct(amb / stays) if stays else "–")
    return rate, f"{_count_text(_shown(amb, masked))}/{_count_text(_shown(stays, masked))}"


def _interval_text(amb: int, stays: int, masked: bool = False) -> str:
    from analytics.rates import wilson_interval

    if masked or not stays:
        return SECRET if masked else "–"
    return fmt_pct_range(*wilson_interval(amb, stays))


Sums = dict[str, tuple[int, int]]  # 'own', 'region', 'france', 'comparables' -> (ambulatory stays, stays)


def _reference_sums(own: pd.DataFrame, refs: pd.DataFrame) -> pd.DataFrame:
    """Per procedure (index), the ambulatory stays and stays (columns (part, count)) of the
    establishment (`own`, its rows) and of its région, France and its comparables (`refs`: sums by
    part of the country with in_region and comparable flags; see profile_section), in one grouping."""
    cols = ["ambulatory_stays", "stays"]
    values = refs[cols]
    parts = {"own": own[cols].groupby(own["gesture"]).sum(),
             "region": values.mul(refs["in_region"], axis=0).groupby(refs["gesture"]).sum(),
             "france": values.groupby(refs["gesture"]).sum(),
             "comparables": values.mul(refs["comparable"], axis=0).groupby(refs["gesture"]).sum()}
    return pd.concat(parts, axis=1).fillna(0).astype("int64")


def _sums_of(table: pd.DataFrame, gestures: list[str]) -> Sums:
    """The sums of the procedures `gestures` (integers) from `_reference_sums`' table."""
    rows = table.index.get_indexer(gestures)
    total = table.to_numpy()[rows[rows >= 0]].sum(axis=0)
    at = {c: i for i, c in enumerate(table.columns)}
    return {part: (int(total[at[(part, "ambulatory_stays")]]), int(total[at[(part, "stays")]]))
            for part in ("own", "region", "france", "comparables")}


def _procedure_row(code: str, label: str, number: str, sums: Sums, finess: str, region: str, year: int,
                   secret: dict | None, target_pct: float | None) -> ProcedureRow:
    from analytics.funnel import funnel_limits

    amb, stays = sums["own"]
    sums = {k: sums[k] for k in ("region", "france", "comparables")}
    f_own = bool(secret and secret["cells"].get(finess, False))
    f_ref = {"region": bool(secret and secret["region"].get(region, False)),
             "france": bool(secret and secret["france"]), "comparables": False}
    if secret:  # the comparables' sum is not in the reach (services.secrecy): not published in presentation mode
        f_ref["comparables"] = True
    p0 = sums["france"][0] / sums["france"][1] if sums["france"][1] else float("nan")
    low95, _h95 = funnel_limits(p0, [stays], 0.95) if stays else ([float("nan")], None)
    low998, high998 = funnel_limits(p0, [stays], 0.998) if stays else ([float("nan")], [float("nan")])
    rate = amb / stays if stays else float("nan")
    hidden = f_own or f_ref["france"]
    if not stays:
        position = "pas de séjour"
    elif rate < low998[0]:
        position = "sous la limite basse à 99,8 % (atypique)"
    elif rate < low95[0]:
        position = "sous la limite basse à 95 %"
    elif rate > high998[0]:
        position = "au-dessus de la limite haute à 99,8 %"
    else:
        position = "dans les limites"
    cells = {"own": _pair(amb, stays, f_own), "ci": _interval_text(amb, stays, f_own),
             **{k: _pair(*sums[k], f_ref[k]) for k in sums},
             **{f"{k}_ci": _interval_text(*sums[k], f_ref[k]) for k in sums},
             "funnel": (SECRET, "secret statistique") if hidden else (position, fmt_pct_range(low998[0], high998[0])),
             "target": "–" if target_pct is None else f"{fmt_dec(target_pct, 1)} %",
             "gap": "–"}
    below = bool(stays) and not hidden and rate < low998[0]
    far = False
    if target_pct is not None and stays and not f_own:
        gap = rate * 100 - target_pct
        cells["gap"] = fmt_pts(gap / 100)
        far = stays >= msap_model.DEFAULT_RULE.volume_min and gap <= -model.FAR_BELOW_TARGET_PTS
    refs = f", contre {cells['region'][0]} en région et {cells['france'][0]} en France"
    if code == model.ALL:
        sentence = (f"Chirurgie ambulatoire des {len(markers())} gestes marqueurs : {cells['own'][0]} "
                    f"({cells['own'][1]} séjours){refs} ; {cells['gap']} par rapport à la cible régionale "
                    f"{year} de {cells['target']}.")
    else:
        sentence = (f"Chirurgie ambulatoire — {label} : {cells['own'][0]} ({cells['own'][1]} séjours){refs} ; "
                    "sous la limite basse à 99,8 % de l'entonnoir (établissement atypique).")
    return ProcedureRow(code, label, number, cells, below, far, sentence)


def profile_section(finess: str, region: str, year: int, own: pd.DataFrame, refs: pd.DataFrame, verdict: str = "",
                    mode: Mode | None = None) -> AmbulatorySection | None:
    """The ambulatory section of an establishment's profile for `year`: each procedure it performed
    (with stays), the 55 marker procedures together against the regional target, Votre
    établissement / Région / France / Comparables with Wilson intervals, the position in the
    procedure's funnel (limits around the national rate), and the MSAP AMBU default-rule verdict
    (`verdict`, the sentence the profile's MSAP section states). None when the establishment has no
    ambulatory-surgery stay that year.

    `own` is the establishment's rows of the year (gesture, stays, ambulatory_stays); `refs` the
    year's counts summed by part of the country (gesture, in_region, comparable, stays,
    ambulatory_stays; every establishment in one row per procedure, in_region: in `region`,
    comparable: in the establishment's comparables group): sums of integer counts, so the same
    figures as summing every establishment's row."""
    mode = current_mode() if mode is None else mode
    if year not in years():
        return None
    performed = set(own.loc[own["stays"] > 0, "gesture"])
    if not performed:
        return None
    cat = catalogue().set_index("code")
    marker_set = set(markers())
    rows = []
    table = _reference_sums(own, refs)
    for code in [c for c in cat.index if c in performed]:
        secret = cached(_secret_cells, int(year), code, secrecy_masks.secondary_on()) if mode.masked else None
        rows.append(_procedure_row(code, str(cat.at[code, "label"]), str(cat.at[code, "marker_number"]),
                                   _sums_of(table, [code]), finess, region, year, secret, None))
    target = model.regional_targets(targets(), year).get(region)
    total = None
    if performed & marker_set:
        secret = cached(_secret_cells, int(year), model.ALL, secrecy_masks.secondary_on()) if mode.masked else None
        total = _procedure_row(model.ALL, procedure_label(model.ALL), "", _sums_of(table, sorted(marker_set)),
                               finess, region, year, secret, target)
    target_text = (f"Cible régionale {year} : {fmt_dec(target, 1)} % (sur les {len(marker_set)} gestes marqueurs)"
                   if target is not None else f"Pas de cible régionale enregistrée pour {year}.")
    return AmbulatorySection(int(year), total, rows, target_text, verdict)
