"""/etablissement/<finess>: the profile a médecin-conseil brings to a confraternal interview.

`load_profile` gathers everything (the page's callbacks and the PDF route both use it, so the PDF
shows the same figures as the page). Queries are cached per data version (data_access.cache);
the national references of a year are computed once and cached.

In the presentation mode (security.presentation.current_mode) the profile carries its masks
(`Profile.secrecy`): the counts of stays and patients of every establishment are suppressed
together, linked over the régional, comparables and national sums the profiles publish, so that
no profile gives away a figure another one masks. Anonymised, the establishment is 'Établissement K'
and its address /etablissement/K (`security.presentation.anonymous_names`, `resolve_finess`).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

import pandas as pd
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from analytics import msap as msap_model
from analytics import profile as model
from analytics.secrecy import counts_people, is_small, linked_suppression
from components import profile as ui
from text.format import fmt_pct
from text.labels import STATUS_LABELS, fr_datetime
from config import current_settings
from data_access import establishments, queries, territories
from data_access import profile as data
from data_access.cache import cached
from pages.ids import Etablissement as ids
from security import audit
from security.presentation import Mode, anonymous_names, current_mode



# ---------------------------------------------------------------------------
# Anonymised presentation mode: letters instead of names, no FINESS
# ---------------------------------------------------------------------------
def resolve_finess(raw, mode: Mode | None = None) -> str | None:
    """The FINESS an address names: a FINESS, or in the anonymised mode the code standing for one
    ('K' for 'Établissement K'); None otherwise."""
    code = model.normalise_finess(raw)
    if code is not None:
        return code
    names = anonymous_names(mode)
    wanted = str(raw or "").strip().upper()
    if names and wanted:
        return next((f for f, (alias, _label) in names.items() if alias == wanted), None)
    return None


def public_id(finess: str, mode: Mode | None = None) -> str:
    """What the addresses and downloads of the profile show for it: the FINESS, or its code when anonymised."""
    names = anonymous_names(mode)
    return names.get(finess, ("", ""))[0] if names is not None else finess



# ---------------------------------------------------------------------------
# Cached building blocks (fn(url, *args), see data_access.cache.cached)
# ---------------------------------------------------------------------------
def _sizes(url: str) -> pd.DataFrame:
    """Size classes of every establishment (terciles within activity × status)."""
    return model.size_classes(establishments.directory(url))


def _references(url: str, year: int) -> dict[str, pd.DataFrame]:
    """The year's Région / France / Comparables references of every indicator and group."""
    values = data.profile_values(url, year)
    sizes = cached(_sizes)
    d = cached(establishments.directory)
    values = values.merge(d[["finess", "region_code"]], on="finess").merge(
        sizes[["finess", "activity", "legal_status", "size_class"]], on="finess")
    return model.reference_tables(values, cached(data.profile_catalogue))


def _own_values(url: str, finess: str, year: int) -> pd.DataFrame:
    s = cached(data.profile_series, finess)
    return s[s["year"] == year].assign(finess=finess)


def _recourse(url: str, year: int) -> pd.DataFrame:
    """Stays per establishment and gesture (all ages) with the establishment's region."""
    counts = data.recourse(url, year)
    d = cached(establishments.directory)
    return counts.merge(d[["finess", "region_code"]], on="finess", how="left")


def _recourse_references(url: str, year: int) -> dict:
    """Regional and national SSR recourse sums per gesture for a year (all ages)."""
    return model.recourse_references(cached(_recourse, year))


def _departement_feature(url: str, code: str) -> dict | None:
    fc = cached(territories.feature_collection, "dep")
    return next((f for f in fc["features"] if f["id"] == code), None)


def _msap_flags(url: str, finess: str, year: int, secret: bool = False) -> list[tuple[str, str]]:
    """Is the establishment flagged by the MSAP default rule (analytics.msap), per campaign,
    on the year's data? The rule lives in the MSAP module; without it, a labelled placeholder.
    With `secret` (presentation mode), no rate the secret statistique covers."""
    try:
        from analytics import msap as rules
        from data_access import msap as msap_data
    except ImportError:  # the MSAP module is not there (yet)
        return msap_flag_placeholder()
    flag = getattr(rules, "default_rule_flag", None)
    if flag is None:
        return msap_flag_placeholder()
    out = []
    for campaign in ("SSR", "AMBU"):
        if year not in cached(msap_data.years, campaign):
            out.append((campaign, f"pas de données {year} pour cette campagne."))
            continue
        counts = cached(msap_data.counts_by_gesture, campaign, year)
        _flagged, sentence = flag(counts, finess, campaign, secret=True) if secret else flag(counts, finess, campaign)
        out.append((campaign, sentence))
    return out


def _recourse_secrecy(url: str, year: int, gesture: str) -> dict:
    """The secret statistique of a gesture's SSR recourse counts for a year: the cells of /msap's
    SSR list for that gesture and all ages (analytics.msap.secrecy, over the départemental,
    régional and national sums), as {"cells": {finess: Shown}, "region": {code: Shown}, "france":
    Shown} (cells not listed are shown)."""
    d = cached(establishments.directory)
    counts = cached(_recourse, year)
    grp = counts[counts["gesture"] == gesture].rename(columns={"stays_with_ssr": "cases"}).merge(
        d[["finess", "departement_code"]], on="finess", how="left")
    if grp.empty:
        return {"cells": {}, "region": {}, "france": ui.PLAIN}
    grp["region_code"] = grp["region_code"].fillna("")
    s = msap_model.secrecy(grp)
    cells = {f: ui.Shown.of(r["cases_small"], r["cases_masked"], r["stays_small"], r["stays_masked"])
             for f, r in s.cells.to_dict("index").items() if r["rate_hidden"]}
    sums = grp.groupby("region_code")[["cases", "stays"]].sum()
    region = {code: ui.Shown.of(is_small(sums.at[code, "cases"]), s.region_cases_masked.get(code, False),
                                is_small(sums.at[code, "stays"]), s.region_stays_masked.get(code, False))
              for code in sums.index}
    france = ui.Shown.of(is_small(grp["cases"].sum()), s.national_cases_masked, is_small(grp["stays"].sum()),
                         s.national_stays_masked)
    return {"cells": cells, "region": region, "france": france}


def _indicator_secrecy(url: str, year: int) -> dict[str, dict]:
    """The secret statistique of the year's SSR profile values: for each ratio indicator whose
    numerator or denominator counts stays or patients (analytics.secrecy.counts_people), the
    linked suppression of that count over the régional, comparables and national sums, as
    {code: {"cells": {finess: Shown}, "region": {code: Shown}, "comparables": {(activity, status,
    size class): Shown}, "france": Shown}}. Other counts (days, acts, FTE, beds) are not masked."""
    values = data.profile_values(url, year)
    sizes = cached(_sizes)
    d = cached(establishments.directory)
    values = values.merge(d[["finess", "region_code"]], on="finess").merge(
        sizes[["finess", "activity", "legal_status", "size_class"]], on="finess")
    out = {}
    for ind in cached(data.profile_catalogue).itertuples():
        people = counts_people(ind.numerator_label), counts_people(ind.denominator_label)
        if ind.kind != "ratio" or not any(people):
            continue
        rows = values[(values["indicator"] == ind.code) & values["numerator"].notna() & (values["denominator"] > 0)]
        keys = [rows["region_code"].tolist(),
                list(zip(rows["activity"], rows["legal_status"], rows["size_class"].astype(int).tolist())),
                ["FR"] * len(rows)]
        none = [False] * len(rows)
        flags = []
        for column, counted in zip(("numerator", "denominator"), people):
            if counted:
                linked = linked_suppression(rows[column].tolist(), keys)
                totals = []
                for k, labels in enumerate(keys):
                    sums: dict = {}
                    for value, g in zip(rows[column].tolist(), labels):
                        sums[g] = sums.get(g, 0.0) + value
                    totals.append({g: (is_small(sums[g]), linked.totals[k][g]) for g in linked.totals[k]})
                flags.append((linked.small, linked.masked, totals))
            else:
                flags.append((none, none, [{g: (False, False) for g in labels} for labels in keys]))
        (num_small, num_masked, num_totals), (den_small, den_masked, den_totals) = flags
        cells = {f: ui.Shown.of(num_small[i], num_masked[i], den_small[i], den_masked[i])
                 for i, f in enumerate(rows["finess"]) if num_masked[i] or den_masked[i]}
        groups = [{g: ui.Shown.of(*num_totals[k][g], *den_totals[k][g]) for g in num_totals[k]} for k in range(3)]
        out[ind.code] = {"cells": cells, "region": groups[0], "comparables": groups[1],
                         "france": groups[2].get("FR", ui.PLAIN)}
    return out


def profile_secrecy(finess: str, info: dict, size_class: int, year: int, recourse: list[model.RecourseRow],
                    rows: list[model.ProfileRow]) -> ui.ProfileSecrecy:
    """The presentation mode's masks of one profile (its cells and the sums of its groups)."""
    secret = ui.ProfileSecrecy()
    for r in recourse:
        s = cached(_recourse_secrecy, year, r.gesture)
        secret.recourse[r.gesture] = {"own": s["cells"].get(finess, ui.PLAIN),
                                      "region": s["region"].get(info["region_code"], ui.PLAIN),
                                      "france": s["france"]}
    by_code = cached(_indicator_secrecy, year) if rows else {}
    comparables = (info["activity"], info["legal_status"], int(size_class))
    for r in rows:
        s = by_code.get(r.code)
        if s is not None:
            secret.indicators[r.code] = {"own": s["cells"].get(finess, ui.PLAIN),
                                         "region": s["region"].get(info["region_code"], ui.PLAIN),
                                         "comparables": s["comparables"].get(comparables, ui.PLAIN),
                                         "france": s["france"]}
    return secret


def _visible_series(finess: str, recourse: list[model.RecourseRow], rows: list[model.ProfileRow]):
    """The rows with their sparkline series cut of the years whose figure the secret statistique hides."""
    def recourse_hidden(year: int, gesture: str) -> bool:
        return cached(_recourse_secrecy, year, gesture)["cells"].get(finess, ui.PLAIN).hidden

    def indicator_hidden(year: int, code: str) -> bool:
        entry = cached(_indicator_secrecy, year).get(code)
        return entry is not None and entry["cells"].get(finess, ui.PLAIN).hidden

    recourse = [replace(r, series=[(y, v) for y, v in r.series if not recourse_hidden(y, r.gesture)])
                for r in recourse]
    rows = [replace(r, series=[(y, v) for y, v in r.series if not indicator_hidden(y, r.code)]) for r in rows]
    return recourse, rows


def msap_flag_placeholder() -> list[tuple[str, str]]:
    """PLACEHOLDER used only when analytics.msap has no `default_rule_flag`."""
    return [("SSR", "ciblage par la règle par défaut non disponible (module MSAP absent).")]


# ---------------------------------------------------------------------------
# The whole profile
# ---------------------------------------------------------------------------
@dataclass
class Profile:
    info: dict
    year: int
    years: list[int]
    notices: list[str]
    size: dict
    comparables_text: str
    profile_rows: list[model.ProfileRow]
    has_profile_values: bool
    recourse_rows: list[model.RecourseRow]
    msap_history: pd.DataFrame
    msap_flags: list[tuple[str, str]]
    caqes_contracts: pd.DataFrame
    caqes_year: int | None
    caqes_results: pd.DataFrame
    caqes_history: pd.DataFrame
    points: list[str]
    data_version: int = 0
    last_import: str = ""
    sources: list[str] = field(default_factory=list)
    shown: dict = field(default_factory=dict)  # the identity as the mode shows it (name, FINESS or '')
    secrecy: ui.ProfileSecrecy | None = None  # the presentation mode's masks; None: every figure shown
    public_id: str = ""  # the FINESS, or the code standing for it in the anonymised mode

    @property
    def is_mco(self) -> bool:
        return self.info["activity"] in ("MCO", "MCO+SSR")

    @property
    def is_ssr(self) -> bool:
        return self.info["activity"] in ("SSR", "MCO+SSR")

    def points_for(self, secret: bool) -> list[str]:
        """The talking points; with `secret`, counts 1–10 masked by analytics.profile's own rule (no
        secondary suppression: the presentation mode builds `points` with the profile's masks)."""
        if not secret:
            return self.points
        return model.attention_points(self.recourse_rows, self.profile_rows, self.caqes_results, self.caqes_year,
                                      secret=True)


def pick_year(raw, years: list[int]) -> tuple[int | None, list[str]]:
    """The year asked in the address if it has data, else the latest one (with a notice)."""
    latest = years[-1] if years else None
    if raw in (None, ""):
        return latest, []
    try:
        year = int(str(raw).strip())
    except ValueError:
        year = None
    if year in years:
        return year, []
    return latest, [f"Année « {str(raw)[:12]} » non disponible : {latest} est affichée."]


def load_profile(finess: str | None, annee=None) -> Profile | None:
    """Everything the profile shows for an establishment and a year, as the current mode shows it;
    None when the FINESS (or, anonymised, its code) is malformed or unknown."""
    mode = current_mode()
    code = resolve_finess(finess, mode)
    if code is None:
        return None
    d = cached(establishments.directory)
    match = d[d["finess"] == code]
    if match.empty:
        return None
    info = match.iloc[0].to_dict()
    years = cached(data.years)
    year, notices = pick_year(annee, years)
    if year is None:
        year = dt.date.today().year
    sizes = cached(_sizes).set_index("finess").loc[code]
    size = {"size_class": int(sizes["size_class"]), "class_min": int(sizes["class_min"]),
            "class_max": int(sizes["class_max"]), "class_n": int(sizes["class_n"]), "capacity": int(sizes["capacity"])}
    comparables = model.comparables_text(info["activity"], STATUS_LABELS.get(info["legal_status"], info["legal_status"]),
                                         size["size_class"], size["class_min"], size["class_max"], size["class_n"])
    catalogue = cached(data.profile_catalogue)
    own = cached(_own_values, code, year)
    rows = []
    if not own.empty:  # no value this year (or no SSR activity): no table to show, no point to raise
        rows = model.profile_rows(code, own, cached(_references, year), catalogue,
                                  {"region_code": info["region_code"], "activity": info["activity"],
                                   "legal_status": info["legal_status"], "size_class": size["size_class"]},
                                  cached(data.profile_series, code))
    recourse = []
    if info["activity"] in ("MCO", "MCO+SSR"):
        recourse = model.recourse_rows(code, info["region_code"], cached(_recourse, year), cached(data.gestures),
                                       cached(data.recourse_series, code), cached(_recourse_references, year))
    history = cached(data.msap_history, code)
    if info["activity"] not in ("MCO", "MCO+SSR"):
        flags = []
    else:
        flags = cached(_msap_flags, code, year, True) if mode.masked else cached(_msap_flags, code, year)
    contracts = cached(data.caqes_contracts, code)
    caqes_all = cached(data.caqes_results, code)
    caqes_year, caqes_rows = model.caqes_year(caqes_all, year)
    secrecy = None
    if mode.masked:
        secrecy = profile_secrecy(code, info, size["size_class"], year, recourse, rows)
        recourse, rows = _visible_series(code, recourse, rows)
        points = ui.presentation_points(recourse, rows, caqes_rows, caqes_year, secrecy)
    else:
        points = model.attention_points(recourse, rows, caqes_rows, caqes_year)
    names = anonymous_names(mode)
    shown = dict(info, finess="", name=names.get(code, ("", "Établissement ?"))[1]) if names is not None else info
    status = queries.data_status(current_settings().database_url)
    return Profile(info=info, year=year, years=years, notices=notices, size=size, comparables_text=comparables,
                   profile_rows=rows, has_profile_values=not own.empty, recourse_rows=recourse, msap_history=history,
                   msap_flags=flags, caqes_contracts=contracts, caqes_year=caqes_year, caqes_results=caqes_rows,
                   caqes_history=caqes_all, points=points, data_version=status.version,
                   last_import=fr_datetime(status.last_import_at) if status.last_import_at else "",
                   sources=sources_lines(year, status.version, status.last_import_at), shown=shown, secrecy=secrecy,
                   public_id=public_id(code, mode))


def sources_lines(year: int, version: int, last_import) -> list[str]:
    when = f", dernier import le {fr_datetime(last_import)}" if last_import else ""
    return [
        f"Sources : PMSI MCO et SSR {year} (séjours, activité), SAE {year} (personnels, lits et places), "
        f"contrats et résultats CAQES, décisions MSAP de l'Assurance Maladie. Données v{version}{when}.",
        "Références : région et France = rapports des sommes des numérateurs et des dénominateurs des "
        "établissements (indicateurs de ratio) ou médianes (indicateurs de comptage) ; comparables = même activité, "
        "même statut et même tiers de taille (lits et places). Taux de recours au SSR : séjours suivis d'un séjour "
        "SSR / séjours, tous âges, intervalle de Wilson à 95 % ; entonnoir : limites binomiales exactes "
        "(Spiegelhalter 2005) autour du taux national.",
    ]


def default_gesture(profile: Profile, wanted: str | None) -> str | None:
    codes = [r.gesture for r in profile.recourse_rows]
    if not codes:
        return None
    if wanted and wanted.upper() in codes:
        return wanted.upper()
    atypical = [r.gesture for r in profile.recourse_rows if r.above_998]
    return (atypical or codes)[0]


def pdf_href(finess: str, year: int) -> str:
    return f"/export/profil/{finess}.pdf?annee={year}"


# ---------------------------------------------------------------------------
# Callbacks
# ---------------------------------------------------------------------------
_OUTPUTS = [
    Output(ids.CONTENT, "hidden"), Output(ids.NOT_FOUND, "hidden"), Output(ids.NOT_FOUND, "children"),
    Output(ids.HEADER, "children"), Output(ids.ANNEE, "options"), Output(ids.ANNEE, "value"),
    Output(ids.TOP, "children"), Output(ids.FUNNEL_BLOCK, "hidden"), Output(ids.FUNNEL_GESTE, "options"),
    Output(ids.FUNNEL_GESTE, "value"), Output(ids.FUNNEL_DEFAULT, "data"), Output(ids.FUNNEL, "children"),
    Output(ids.FUNNEL_KEY, "data"), Output(ids.BOTTOM, "children"),
]


@callback(*_OUTPUTS, Input(ids.FINESS, "data"), Input(ids.ANNEE, "value"), State(ids.FUNNEL_GESTE, "value"),
          State(ids.FUNNEL_MODE, "value"))
def render_profile(store, annee, geste, mode):
    """The whole profile in one response (few outputs, few components: Dash's renderer cost grows
    with both)."""
    store = store or {}
    annee_asked = store.get("annee") if ctx.triggered_id in (None, ids.FINESS) or annee is None else annee
    p = load_profile(store.get("finess") or store.get("raw"), annee_asked)
    if p is None:
        return (True, False, ui.not_found(store.get("raw") or store.get("finess")), *[no_update] * (len(_OUTPUTS) - 3))
    info = p.info
    audit.log_event("profil_consulte", target=info["finess"],
                    detail=f"année {p.year}" + (" · mode présentation" if current_mode().masked else ""))
    subtitle = (f"{info['category']} · {STATUS_LABELS.get(info['legal_status'], info['legal_status'])} · "
                f"{info['commune']} ({info['departement_code']}) · {info['region']}")
    gesture = default_gesture(p, geste if ctx.triggered_id == ids.ANNEE else store.get("geste"))
    gesture_options = [{"label": r.gesture if r.gesture != "COIFFE" else "Coiffe", "value": r.gesture}
                       for r in p.recourse_rows]
    # The funnel comes with the profile (no second round trip); render_funnel redraws it on a gesture change.
    funnel = funnel_view(info["finess"], p.year, gesture, mode) if gesture else None
    return (False, True, None, ui.header_block(p.shown, subtitle, p.notices, pdf_href(p.public_id, p.year)),
            [{"label": str(y), "value": y} for y in p.years], p.year,
            ui.top_block(p, locator(info["finess"])), not p.recourse_rows, gesture_options, gesture,
            default_gesture(p, None), funnel, [p.public_id, p.year, gesture, mode], ui.bottom_block(p))


def locator(finess: str) -> str:
    """The locator's SVG for an establishment of the directory (cached)."""
    return cached(_locator, finess)


def _locator(url: str, finess: str) -> str:
    """The locator's SVG (département outline and point), cached per establishment."""
    d = cached(establishments.directory)
    info = d[d["finess"] == finess].iloc[0]
    feature = cached(_departement_feature, info["departement_code"])
    return ui.locator_svg(float(info["latitude"]), float(info["longitude"]), feature)


FUNNEL_SECRET = "Entonnoir non affiché : le taux national de ce geste est couvert par le secret statistique."


def funnel_parts(finess: str, year: int, gesture: str) -> tuple[str, pd.DataFrame, float, pd.DataFrame]:
    """(caption, points, national rate, limit curves) of a gesture's funnel for a year. In the
    presentation mode, an establishment whose rate is hidden is not drawn (the caption counts
    them), and the national rate is NaN when the secret statistique covers it."""
    counts = cached(_recourse, year)
    points, p0 = model.funnel_points(counts, gesture)
    total, note = len(points), ""
    if current_mode().masked:
        secret = cached(_recourse_secrecy, year, gesture)
        hidden = {f for f, shown in secret["cells"].items() if shown.hidden}
        points = points[~points["finess"].isin(hidden)]
        if total - len(points):
            note = f", dont {total - len(points)} non représentés (secret statistique)"
        if secret["france"].hidden:
            p0 = math.nan
    curve = model.funnel_curve(p0, int(points["stays"].max()) if len(points) else 2)
    label = cached(data.gestures).set_index("code")["label"].get(gesture, gesture)
    caption = (f"{label} ({gesture}), {year} : {total} établissements{note} ; limites à 95 % et 99,8 % autour du "
               f"taux national ({fmt_pct(p0) if p0 == p0 else ui.SECRET_RATE})")
    return caption, points, p0, curve


def funnel_svg(finess: str, year: int, gesture: str) -> tuple[str, str] | None:
    """(caption, SVG) of the funnel, for the page and the PDF; None when the secret statistique
    covers the national rate (presentation mode)."""
    caption, points, p0, curve = funnel_parts(finess, year, gesture)
    if p0 != p0:
        return None
    return caption, ui.funnel_svg(points, p0, curve, finess)


def funnel_view(finess: str, year: int, gesture: str, mode: str) -> list:
    """The funnel's caption and its SVG image, or the interactive plotly graph."""
    caption, points, p0, curve = funnel_parts(finess, year, gesture)
    head = html.P(caption, id="etab-funnel-title", className="funnel-title")
    if p0 != p0:
        return [head, html.P(FUNNEL_SECRET, className="note")]
    if mode == "interactif":
        d = cached(establishments.directory)
        aliases = anonymous_names()
        names = ({f: label for f, (_code, label) in aliases.items()} if aliases is not None
                 else dict(zip(d["finess"], d["name"])))
        fig = ui.funnel_figure(points, p0, curve, finess, names, "")
        return [head, dcc.Graph(figure=fig, config={"displaylogo": False, "scrollZoom": False,
                                                    "modeBarButtonsToRemove": ["select2d", "lasso2d"]},
                                style={"height": "360px"})]
    mine = points[points["finess"] == finess]
    where = "" if mine.empty else (f" ; cet établissement : {fmt_pct(mine['rate'].iloc[0])} pour "
                                   f"{int(mine['stays'].iloc[0])} séjours")
    return [head, html.Img(src=ui.svg_data_uri(ui.funnel_svg(points, p0, curve, finess)), className="funnel-img",
                           alt=f"Entonnoir : {caption}{where}", width=860, height=330)]


@callback(Output(ids.FUNNEL, "children", allow_duplicate=True), Output(ids.FUNNEL_KEY, "data", allow_duplicate=True),
          Input(ids.FUNNEL_GESTE, "value"), Input(ids.FUNNEL_MODE, "value"), State(ids.ANNEE, "value"),
          State(ids.FINESS, "data"), State(ids.FUNNEL_KEY, "data"), prevent_initial_call=True)
def render_funnel(gesture, mode, annee, store, shown):
    """A gesture or display chosen by the user; nothing to do when render_profile has just drawn it."""
    store = store or {}
    finess = resolve_finess(store.get("finess") or store.get("raw"))
    key = [public_id(finess) if finess else None, int(annee) if annee else None, gesture, mode]
    if not gesture or not annee or not finess or shown == key:
        return no_update, no_update
    return funnel_view(finess, int(annee), gesture, mode), key


# The address follows the year and the funnel's gesture (replaceState: no new history entry).
clientside_callback(
    """
    function(annee, geste, defaultGeste) {
        if (!annee || !window.location.pathname.startsWith('/etablissement/')) {
            return window.dash_clientside.no_update;
        }
        const params = new URLSearchParams();
        params.set('annee', annee);
        if (geste && geste !== defaultGeste) { params.set('geste', geste); }
        const search = '?' + params.toString();
        if (window.location.search !== search) {
            window.history.replaceState({}, '', window.location.pathname + search + window.location.hash);
        }
        return search;
    }
    """,
    Output(ids.URL_SYNC, "children"),
    Input(ids.ANNEE, "value"), Input(ids.FUNNEL_GESTE, "value"), State(ids.FUNNEL_DEFAULT, "data"),
)
