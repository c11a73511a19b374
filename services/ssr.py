"""The /ssr view as data: its address, and everything the page and /export/ssr.csv show.

`parse_view` reads and validates the view from a query dict (the page layout, the callbacks and
the export route call it alike); `query_string` writes it back. The rest loads the counts of a
view and returns plain rows and figure data (components/ render them as Dash components and
Plotly figures).

Presentation mode (`security.presentation.Mode.masked`, decided on the server for every response):
the masks of services.secrecy, one suppression over everything a presentation session can reach in
a year, read by the map, the grids, the series, the points and the CSV (no status breakdown)."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from analytics import secrecy
from analytics import ssr as model
from analytics.classes import classify
from analytics.secrecy import SECRET
from analytics.ssr import SsrView
from data_access import ssr as ssr_data
from data_access.cache import cached, per_request
from security.presentation import Mode, anonymous_names, current_mode, departement_anchors
from services import secrecy as masks
from services.territories import geo_names
from text.format import fmt_dec, fmt_int, fmt_pct, fmt_pct_range, fmt_pts, round_pct
from text.labels import STATUS_LABELS
from text.secrecy import masked_summary

UNKNOWN_ALIAS = "Établissement ?"
EXPORT_PATH = "/export/ssr.csv"


# ---------------------------------------------------------------------------
# The view and its address
# ---------------------------------------------------------------------------
def years() -> list[int]:
    """Years with data, oldest first."""
    return list(cached(ssr_data.years))


STATUS_NOTICE = ("Mode présentation : les taux ne sont pas détaillés par statut (secret statistique), "
                 "tous les statuts sont montrés.")
AGE_NOTICE = ("Mode présentation : les tranches d'âge ne sont détaillées que pour la France et les régions "
              "(secret statistique), tous âges sont montrés.")


def parse_view(query: Mapping[str, str]) -> tuple[SsrView, list[str]]:
    """The view a query dict asks for, checked against the data, and a French notice for every value
    ignored (`analytics.ssr.parse_view` with the years and territories of the database). In
    presentation mode the view stays within what services.secrecy publishes: every status together,
    and age bands for France and the régions only (not drilled into a territory)."""
    geo = geo_names()
    strings = {k: v for k, v in query.items() if isinstance(v, str)}
    view, notices = model.parse_view(strings, years(), geo.regions, geo.region_of)
    if current_mode().masked:
        if view.statut != model.ALL_STATUSES:
            view, notices = replace(view, statut=model.ALL_STATUSES), [*notices, STATUS_NOTICE]
        if view.age != model.ALL_AGES and (view.niveau == "dep" or view.focus):
            view, notices = replace(view, age=model.ALL_AGES), [*notices, AGE_NOTICE]
    return view, notices


def query_string(view: SsrView) -> str:
    """'?geste=PTG&annee=2024&age=tous&niveau=reg&methode=quantiles&classes=4&statut=tous'
    (then `focus` when set, `points=oui` when on)."""
    return view.query_string()


def view_of(data: dict) -> SsrView:
    """The view kept in the page's store (a dict of `SsrView`'s fields)."""
    return SsrView(**data)


def drill_down(view: SsrView, code: str | None) -> SsrView:
    """A territory clicked on the map or in the table beside it: regions of France open their
    départements; a département opens its establishments."""
    if not code or code == view.focus:
        return view
    shows_regions = view.niveau == "reg" and not view.focus
    return replace(view, focus=code, niveau="reg" if shows_regions else "dep")


def climb_to(view: SsrView, code: str) -> SsrView:
    """A breadcrumb step: France ('') or a region."""
    return replace(view, focus=code, niveau="reg" if code else view.niveau)


def with_controls(view: SsrView, geste: str, annee: int | None, age: str, niveau: str, methode: str,
                  classes, statut: str, points) -> SsrView:
    """The controls' values; a new level starts again from France (a focus is only meaningful at
    its own level)."""
    focus = view.focus if niveau == view.niveau else ""
    return replace(view, geste=geste, annee=annee, age=age, niveau=niveau, methode=methode,
                   classes=int(classes), statut=statut, points=bool(points), focus=focus)


def title(view: SsrView) -> str:
    """The map's title: 'Prothèse totale de genou (PTG) — 2024, 75 ans et plus, Public'."""
    age = "" if view.age == model.ALL_AGES else f", {model.AGE_LABELS[view.age].lower()}"
    statut = "" if view.statut == model.ALL_STATUSES else f", {model.STATUS_LABELS[view.statut]}"
    return f"{model.GESTURE_LABELS[view.geste]} — {view.annee}{age}{statut}"


# ---------------------------------------------------------------------------
# Counts and their secrecy (cached on the data version)
# ---------------------------------------------------------------------------
def _counts(view: SsrView) -> pd.DataFrame:
    """The view's establishment counts, read from the cache once per request (map, grids, points)."""
    return per_request(("ssr.counts", view.annee, tuple(view.gestures), tuple(view.age_bands), tuple(view.statuses)),
                       lambda: cached(ssr_data.establishment_counts, view.annee, tuple(view.gestures),
                                      tuple(view.age_bands), tuple(view.statuses)))


def _secrecy(view: SsrView, year: int | None = None) -> secrecy.NestedSecrecy:
    """The masks of the view's territories (of `year`, default the view's) at every level, read from
    the year's masks over the whole reach (services.secrecy)."""
    year = view.annee if year is None else year
    return cached(_view_secrecy, year, tuple(view.gestures), tuple(view.age_bands), tuple(view.statuses),
                  masks.secondary_on())


def _view_secrecy(_url: str, year: int, gestures: tuple, age_bands: tuple, statuses: tuple,
                  _secondary: bool) -> secrecy.NestedSecrecy:
    counts = cached(ssr_data.establishment_counts, year, gestures, age_bands, statuses)
    return secrecy.view_secrecy(masks.ssr_masks(year), counts, ["region_code", "departement_code", "finess"],
                                "stays_with_ssr", "stays", masks.ssr_status(statuses),
                                masks.ssr_values(gestures, age_bands))


def _territories(view: SsrView, mode: Mode):
    """model.territory_table, and in presentation mode the secrecy flags of its rows (by code) with
    classes computed over the rates shown only (a class bound must not reveal a secret rate). Once
    per request: the map and the grid beside it show the same table."""
    return per_request(("ssr.territories", view, mode.masked), lambda: _territory_table(view, mode))


def _territory_table(view: SsrView, mode: Mode):
    level, table, classification = model.territory_table(_counts(view), view, geo_names().region_of)
    if not mode.masked:
        return level, table, classification, None
    flags = _secrecy(view).levels[0 if level == "reg" else 1]
    hidden = flags["rate_hidden"].reindex(table["code"], fill_value=False).to_numpy(dtype=bool)
    classification = classify(table["rate"].where(~hidden), view.methode, view.classes)
    return level, table.assign(classe=classification.classes), classification, flags


def _shown(value, masked):
    return secrecy.count_display(int(value), bool(masked))


# ---------------------------------------------------------------------------
# Grids, national figure, breadcrumb and the CSV
# ---------------------------------------------------------------------------
def territory_rows(view: SsrView, mode: Mode | None = None) -> tuple[str, list[dict]]:
    """The level shown ('reg' or 'dep') and the table behind the map: the grid beside it and
    /export/ssr.csv both use it."""
    mode = mode or current_mode()
    geo = geo_names()
    level, table, _, flags = _territories(view, mode)
    return level, _territory_rows(table, geo.regions if level == "reg" else geo.departements, flags)


def export_rows(view: SsrView) -> list[dict]:
    """The rows of /export/ssr.csv: the grid's, sorted by code."""
    _level, rows = territory_rows(view)
    return sorted(rows, key=lambda r: r["code"])


@dataclass(frozen=True)
class Tables:
    """What the side panel and the establishments block show for a view."""

    level: str  # 'reg' or 'dep'
    title: str  # 'Régions', 'Départements — Nouvelle-Aquitaine'
    rows: list[dict]  # the territory grid
    national: tuple[str, str]  # France's rate and the basis under it
    crumbs: list[tuple[str, str]]  # (code, name) from the region down to the focus
    export_href: str
    establishments_title: str | None = None  # a département in focus: its establishments
    establishments: list[dict] | None = None


def tables(view: SsrView, mode: Mode | None = None) -> Tables:
    mode = mode or current_mode()
    geo = geo_names()
    counts = _counts(view)
    level, rows = territory_rows(view, mode)
    secret = _secrecy(view) if mode.masked else None
    national = _national_text(model.national_rate(counts), secret.total.iloc[0] if secret is not None else None)
    path = model.breadcrumb(view, geo.region_of)
    # [region] or [region, département]: a département's code may also be a region's (75 is Paris
    # and Nouvelle-Aquitaine), so each step is named from its own list.
    crumbs = [(code, geo.regions[code] if i == 0 else f"{geo.departements[code]} ({code})")
              for i, code in enumerate(path)]
    scope = f" — {geo.regions[path[0]]}" if path else ""
    note = ""
    if secret is not None:
        note = masks.masked_note(secret.levels[0 if level == "reg" else 1], [r["code"] for r in rows])
    tables_ = Tables(level=level, title=("Régions" if level == "reg" else "Départements") + scope + note, rows=rows,
                     national=national, crumbs=crumbs, export_href=EXPORT_PATH + query_string(view))
    if len(path) < 2:
        return tables_
    estab = model.establishment_table(counts, path[1])
    if secret is None:
        estab_rows = _establishment_rows(estab)
    else:
        regional = secret.levels[0]["rate_hidden"]
        references = (bool(regional.get(path[0], False)), bool(secret.total["rate_hidden"].iloc[0]))
        aliases = anonymous_names(mode)
        labels = None if aliases is None else {f: aliases.get(f, ("", UNKNOWN_ALIAS)) for f in estab["finess"]}
        estab_rows = _masked_establishment_rows(estab, secret.levels[2], references, labels)
    estab_note = "" if secret is None else masks.masked_note(secret.levels[2], estab["finess"].tolist(), noun="établissement")
    return replace(tables_, establishments_title=f"Établissements MCO — {geo.departements[path[1]]} ({len(estab)})"
                   + estab_note,
                   establishments=estab_rows)


def _pct(x) -> float | None:
    return round_pct(x, 1)


def _interval(low, high) -> str:
    """'43,2 – 51,4' (percent, the unit being in the column heading)."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return "–"
    return f"{fmt_dec(low * 100, 1)} – {fmt_dec(high * 100, 1)}"


def _territory_rows(table: pd.DataFrame, names: dict[str, str], flags: pd.DataFrame | None = None) -> list[dict]:
    """One row per territory with data (the grid and the CSV export show the same figures).

    `flags` (presentation mode): the view's masks (analytics.secrecy.NestedSecrecy) indexed by code.
    A count cell may then hold "masqué" and a rate "secret statistique" instead of the number."""
    rows = []
    for r in table.itertuples():
        row = {
            "code": r.code, "libelle": names.get(r.code, r.code), "taux_pct": _pct(r.rate),
            "ic95": _interval(r.low, r.high) if r.stays else "–",
            "ic95_bas_pct": _pct(r.low), "ic95_haut_pct": _pct(r.high),
            "sejours_ssr": int(r.stays_with_ssr), "sejours": int(r.stays),
            "etablissements": int(r.n_establishments), "classe": int(r.classe),
        }
        if flags is not None:
            f = flags.loc[r.code]
            _mask_counts(row, f)
            if f["rate_hidden"]:
                row.update(taux_pct=SECRET, ic95=SECRET, ic95_bas_pct=SECRET, ic95_haut_pct=SECRET, classe=None)
        rows.append(row)
    return rows


def _mask_counts(row: dict, flags) -> None:
    """Counts of stays as the presentation mode shows them ("masqué" or the count)."""
    row["sejours_ssr"] = secrecy.count_display(row["sejours_ssr"], bool(flags["masked"]))
    row["sejours"] = secrecy.count_display(row["sejours"], bool(flags["masked"]))


def _masked_establishment_rows(estab: pd.DataFrame, flags: pd.DataFrame, hidden_references: tuple[bool, bool],
                               labels: dict[str, tuple[str, str]] | None) -> list[dict]:
    """Presentation mode: `flags` indexed by FINESS; `hidden_references` says whether the regional
    and the national rate are secret (a gap to them would give them away); `labels` (anonymised)
    maps FINESS to (the code of its profile's address, the name shown): no FINESS is sent. Rows
    whose rate is secret come last, in name order (their place among the rates would tell it)."""
    rows = []
    for r, row in zip(estab.itertuples(), _establishment_rows(estab)):
        f = flags.loc[r.finess]
        _mask_counts(row, f)
        if f["rate_hidden"]:
            row.update(taux_pct=SECRET, ic95=SECRET, ecart_region=SECRET, ecart_france=SECRET)
        if hidden_references[0]:
            row["ecart_region"] = SECRET
        if hidden_references[1]:
            row["ecart_france"] = SECRET
        if labels is not None:
            code, name = labels.get(r.finess, ("", UNKNOWN_ALIAS))
            text = _markdown_text(name)
            row.update(finess="", nom=name, lien=f"[{text}](/etablissement/{code})" if code else text)
        rows.append(row)
    shown = [row for row in rows if row["taux_pct"] != SECRET]
    return shown + sorted((row for row in rows if row["taux_pct"] == SECRET), key=lambda row: row["nom"])


def _markdown_text(text: str) -> str:
    """Plain text for a markdown cell (no link, no emphasis)."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>" else c for c in text)


def _establishment_rows(estab: pd.DataFrame) -> list[dict]:
    """One row per establishment, highest rate first."""
    return [{
        "finess": r.finess,
        "nom": r.name,
        "lien": f"[{r.name.replace('[', '(').replace(']', ')')}](/etablissement/{r.finess})",
        "statut": STATUS_LABELS.get(r.legal_status, r.legal_status),
        "sejours": int(r.stays), "sejours_ssr": int(r.stays_with_ssr), "taux_pct": _pct(r.rate),
        "ic95": fmt_pct_range(r.low, r.high) if r.stays else "–",
        "ecart_region": fmt_pts(r.gap_region_pts / 100) if r.stays else "–",
        "ecart_france": fmt_pts(r.gap_france_pts / 100) if r.stays else "–",
    } for r in estab.itertuples()]


def _national_text(row, flags: pd.Series | None = None) -> tuple[str, str]:
    """('38,2 %', '41 234 séjours suivis de SSR sur 108 000 séjours · IC 95 % … · 1 012 établissements').

    `flags` (presentation mode): the flags of the national total; a secret rate reads
    ('secret statistique', 'masqué séjours suivis de SSR sur 40 séjours · 3 établissements')."""
    if not row["stays"]:
        return "–", "pas de données"
    if flags is not None and flags["rate_hidden"]:
        counts = {"sejours_ssr": int(row["stays_with_ssr"]), "sejours": int(row["stays"])}
        _mask_counts(counts, flags)
        num, den = (_count_text(counts["sejours_ssr"]), _count_text(counts["sejours"]))
        return SECRET, (f"{num} séjours suivis de SSR sur {den} séjours"
                        f" · {fmt_int(row['n_establishments'])} établissements")
    return fmt_pct(row["rate"]), (f"{fmt_int(row['stays_with_ssr'])} séjours suivis de SSR sur "
                                  f"{fmt_int(row['stays'])} séjours · IC 95 % {fmt_pct_range(row['low'], row['high'])}"
                                  f" · {fmt_int(row['n_establishments'])} établissements")


def _count_text(value) -> str:
    return value if isinstance(value, str) else fmt_int(value)


# ---------------------------------------------------------------------------
# The map: shading of the territories, establishment points
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MapShading:
    """The territories the map draws and their classes, for `components.ssr_figures`.

    `table` is reindexed on `codes` (every territory of the map, fixed order; no data = class 0)
    with code, name, stays_with_ssr, stays, low, high, n_establishments, classe. `secret` maps the
    code of each territory whose rate is secret to its counts as shown ("masqué" or the
    count); `key` names the geometry drawn (a change of key redraws the figure, else a patch)."""

    level: str
    region: str  # '' (France) or the region in focus
    codes: list[str]
    table: pd.DataFrame
    legend: list[str]
    k: int
    method_label: str
    title: str
    masked: bool
    secret: dict[str, tuple]
    key: dict
    secret_label: str | None = None  # presentation mode: the legend's line, with how many are masked and why


def map_shading(view: SsrView, mode: Mode | None = None) -> MapShading:
    mode = mode or current_mode()
    geo = geo_names()
    level, table, classification, flags = _territories(view, mode)
    path = model.breadcrumb(view, geo.region_of)
    region = path[0] if path else ""
    names = geo.regions if level == "reg" else geo.departements
    codes = sorted(names) if not region else sorted(d for d, r in geo.region_of.items() if r == region)
    full = model.with_all_territories(table, codes)
    full.insert(1, "name", [names[c] for c in codes])
    key = {"level": level, "region": region, "points": view.points}
    secret = {}
    if mode.masked:
        key["masque"] = True  # another legend slot: a change of mode redraws the figure
        for code, r in zip(codes, full.itertuples()):
            if code in flags.index and flags.at[code, "rate_hidden"]:
                f = flags.loc[code]
                secret[code] = (_shown(r.stays_with_ssr, f["masked"]), _shown(r.stays, f["masked"]))
    secret_label = None
    if mode.masked:
        primary, complement, secondary, unpublished = masks.reason_counts(flags, codes)
        summary = masked_summary(primary, complement, secondary, unpublished, noun="territoire", sep="<br>")
        secret_label = "Secret statistique" + (f" :<br>{summary}" if summary else "")
    return MapShading(level=level, region=region, codes=codes, table=full, secret_label=secret_label,
                      legend=classification.legend_labels(noun=""), k=classification.k,
                      method_label=classification.method_label, title=title(view), masked=mode.masked,
                      secret=secret, key=key)


def map_key(view: SsrView, mode: Mode | None = None) -> dict:
    """The geometry the map of `view` draws, as `MapShading.key` names it (level, region in focus,
    points layer, mode): the page redraws the figure when it changes, else patches it."""
    mode = mode or current_mode()
    path = model.breadcrumb(view, geo_names().region_of)
    key = {"level": "dep" if path else view.niveau, "region": path[0] if path else "", "points": view.points}
    return {**key, "masque": True} if mode.masked else key


@dataclass(frozen=True)
class Points:
    """Establishments with stays, as circles: position, size (stays; None = the smallest circle, a
    masked volume), hover text, département (for the overseas insets)."""

    latitude: pd.Series
    longitude: pd.Series
    sizes: pd.Series
    texts: list[str]
    departements: list[str]


def points(view: SsrView, region: str, mode: Mode | None = None) -> Points:
    """The establishments of France, or of the region in focus. Presentation mode: masked counts and
    rates in the hover texts, letters for names when anonymised, and the smallest circle for a
    masked volume (its size would give the count)."""
    mode = mode or current_mode()
    pts = _counts(view)
    pts = pts[pts["stays"] > 0]
    if region:
        pts = pts[pts["region_code"] == region]
    if not mode.masked:
        texts = [f"<b>{r.name}</b><br>{fmt_pct(r.stays_with_ssr / r.stays)} ({r.stays_with_ssr}/{r.stays} séjours)"
                 for r in pts.itertuples()]
        return Points(pts["latitude"], pts["longitude"], pts["stays"], texts, pts["departement_code"].tolist())
    if mode.anonymised:
        return _departement_points(view, pts)
    flags = _secrecy(view).levels[2].reindex(pts["finess"])
    aliases = anonymous_names(mode)
    texts = []
    for r, f in zip(pts.itertuples(), flags.itertuples()):
        name = aliases.get(r.finess, ("", UNKNOWN_ALIAS))[1] if aliases is not None else r.name
        rate = SECRET if f.rate_hidden else fmt_pct(r.stays_with_ssr / r.stays)
        num, den = _shown(r.stays_with_ssr, f.masked), _shown(r.stays, f.masked)
        texts.append(f"<b>{name}</b><br>{rate} ({_count_text(num)}/{_count_text(den)} séjours)")
    masked_volume = flags["masked"].to_numpy(dtype=bool)
    sizes = pts["stays"].astype(float).where(~masked_volume)
    return Points(pts["latitude"], pts["longitude"], sizes, texts, pts["departement_code"].tolist())


def _departement_points(view: SsrView, pts: pd.DataFrame) -> Points:
    """Anonymised: one circle per département with establishments, at the département's point
    (security.presentation.departement_anchors), sized and described by the département's counts
    as the secret statistique shows them: no establishment's position, name or count."""
    anchors = departement_anchors()
    names = geo_names().departements
    by_dep = pts.groupby("departement_code", sort=True).agg(
        stays=("stays", "sum"), stays_with_ssr=("stays_with_ssr", "sum"), n=("finess", "size"))
    flags = _secrecy(view).levels[1].reindex(by_dep.index)
    lat, lon, sizes, texts = [], [], [], []
    for code, r, f in zip(by_dep.index, by_dep.itertuples(), flags.itertuples()):
        a_lat, a_lon = anchors.get(code, (math.nan, math.nan))
        lat.append(a_lat)
        lon.append(a_lon)
        sizes.append(math.nan if f.masked else float(r.stays))
        rate = SECRET if f.rate_hidden else fmt_pct(r.stays_with_ssr / r.stays)
        num, den = _shown(r.stays_with_ssr, f.masked), _shown(r.stays, f.masked)
        texts.append(f"<b>{names.get(code, code)}</b><br>{fmt_int(r.n)} établissement{'s' if r.n >= 2 else ''}"
                     f" · {rate} ({_count_text(num)}/{_count_text(den)} séjours)")
    index = by_dep.index
    return Points(pd.Series(lat, index=index), pd.Series(lon, index=index), pd.Series(sizes, index=index), texts,
                  list(index))


# ---------------------------------------------------------------------------
# The series by year
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Series:
    """Rates by year in percent (None = not shown): France, and the territory in focus (`name`,
    None when France is shown alone) with its interval's half-widths and its counts as shown."""

    years: list[int]
    france: list[float | None]
    name: str | None
    own: list[float | None]
    high: list[float | None]
    low: list[float | None]
    counts: list[list]


def series(view: SsrView, mode: Mode | None = None) -> Series:
    mode = mode or current_mode()
    geo = geo_names()
    by_year = cached(ssr_data.counts_by_year, tuple(view.gestures), tuple(view.age_bands), tuple(view.statuses))
    path = model.breadcrumb(view, geo.region_of)
    region = path[0] if path else None
    departement = path[1] if len(path) == 2 else None
    frame = model.rate_series(by_year, region, departement)
    years_ = frame["year"].tolist()
    france = (frame["france_rate"] * 100).round(2).tolist()
    own = (frame["rate"] * 100).round(2).tolist()
    high = ((frame["high"] - frame["rate"]) * 100).round(2).tolist()
    low = ((frame["rate"] - frame["low"]) * 100).round(2).tolist()
    counts = frame[["stays_with_ssr", "stays"]].fillna(0).astype(int).values.tolist()
    if mode.masked:
        # A year whose counts are masked shows no rate (nor interval); its hover counts are masked.
        france_hidden, flags = _series_secrecy(view, years_, region, departement)
        france = [None if h else y for y, h in zip(france, france_hidden)]
        for i, f in enumerate(flags):
            if f is not None:
                counts[i] = [_shown(counts[i][0], f["masked"]), _shown(counts[i][1], f["masked"])]
                if f["rate_hidden"]:
                    own[i] = high[i] = low[i] = None
    name = (geo.departements[departement] if departement else geo.regions[path[0]]) if path else None
    return Series(years=years_, france=france, name=name, own=own, high=high, low=low, counts=counts)


def _series_secrecy(view: SsrView, years_: list[int], region: str | None, departement: str | None):
    """For each year: is France's rate secret, and the masks of the territory in focus (None when
    none is in focus), read from that year's reach masks directly (no year's table is built)."""
    gesture, age = masks.ssr_values(view.gestures, view.age_bands)
    status = masks.ssr_status(view.statuses)
    level, code = ("dep", departement) if departement else ("reg", region)
    france: list[bool] = []
    own: list[dict[str, bool] | None] = []
    for year in years_:
        year_masks = masks.ssr_masks(int(year))
        france.append(year_masks.is_masked("fr", "", status, gesture, age))
        if code:
            hidden = year_masks.is_masked(level, code, status, gesture, age)
            own.append({"masked": hidden, "rate_hidden": hidden})
        else:
            own.append(None)
    return france, own
