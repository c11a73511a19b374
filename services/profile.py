"""The establishment profile /etablissement/<finess>: its view (FINESS, year, funnel gesture), what
it shows, and the PDF's data. The page's layout and callbacks and the PDF route all call this
module, so the PDF shows the same figures as the page.

Queries are cached per data version (data_access.cache); the national references of a year are
computed once and cached. In the presentation mode (security.presentation.current_mode) the
profile carries its masks (`Profile.secrecy`, analytics.profile_secrecy): the counts of stays and
patients of every establishment are suppressed together, linked over the régional, comparables and
national sums the profiles publish, so that no profile gives away a figure another one masks.
Anonymised, the establishment is 'Établissement K' and its address /etablissement/K
(`security.presentation.anonymous_names`, `resolve_finess`).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

import pandas as pd

from analytics import msap as msap_model
from analytics import profile as model
from analytics.profile_secrecy import (
    PLAIN,
    SECRET_RATE,
    ProfileSecrecy,
    indicator_secrecy,
    presentation_points,
    recourse_secrecy,
)
from config import current_settings
from data_access import ambulatory as ambulatory_data
from data_access import establishments, queries, territories
from data_access import msap as msap_data
from data_access import profile as data
from data_access.cache import cached, held
from security.presentation import Mode, anonymous_identities, anonymous_names, current_mode, departement_anchors
from services import ambulatoire
from services import secrecy as secrecy_masks
from services.ambulatoire import AmbulatorySection
from text.format import fmt_pct
from text.labels import STATUS_LABELS, fr_datetime

PATH = "/etablissement"


# ---------------------------------------------------------------------------
# Anonymised presentation mode: letters instead of names, no FINESS
# ---------------------------------------------------------------------------
def resolve_finess(raw, mode: Mode | None = None) -> str | None:
    """The FINESS an address names: a FINESS, or in the anonymised mode the code standing for one
    ('K' for 'Établissement K'), and then only the code; None otherwise."""
    names = anonymous_names(mode)
    if names is None:
        return model.normalise_finess(raw)
    # Anonymised: a FINESS names nothing (it would link the letter back to the establishment).
    wanted = str(raw or "").strip().upper()
    if wanted:
        return next((f for f, (alias, _label) in names.items() if alias == wanted), None)
    return None


def public_id(finess: str, mode: Mode | None = None) -> str:
    """What the addresses and downloads of the profile show for it: the FINESS, or its code when anonymised."""
    names = anonymous_names(mode)
    return names.get(finess, ("", ""))[0] if names is not None else finess


# ---------------------------------------------------------------------------
# The view: what the address asks for
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ProfileView:
    """The profile an address asks for: `finess` the FINESS it names (None: malformed, or no such
    anonymised code), `raw` the address's text, `year` the year shown (the one asked if it has
    data, else the latest), `geste` the funnel gesture asked (checked against the profile's
    gestures by `default_gesture`), `notices` the French notices about the address."""

    finess: str | None
    raw: str
    year: int | None
    years: tuple[int, ...]
    geste: str | None = None
    notices: tuple[str, ...] = ()
    public_id: str = ""


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


def parse_view(query: dict, mode: Mode | None = None) -> ProfileView:
    """The view of a query dict {finess, annee, geste} (an address's path parameter and query
    string; the page, its callbacks and the PDF route alike)."""
    mode = mode or current_mode()
    raw = str(query.get("finess") or "")[:40]
    code = resolve_finess(raw, mode)
    years = cached(data.years)
    year, notices = pick_year(query.get("annee"), years)
    geste = query.get("geste")
    geste = (geste.strip().upper()[:12] or None) if isinstance(geste, str) else None
    return ProfileView(finess=code, raw=raw, year=year, years=tuple(years), geste=geste, notices=tuple(notices),
                       public_id=public_id(code, mode) if code else "")


def query_string(year: int, gesture: str | None, default_gesture: str | None) -> str:
    """The address's query string of a view: the year, and the gesture unless it is the default one."""
    params: dict[str, int | str] = {"annee": year}
    if gesture and gesture != default_gesture:
        params["geste"] = gesture
    return "?" + urlencode(params)


def pdf_href(public: str, year: int) -> str:
    return f"/export/profil/{public}.pdf?annee={year}"


# ---------------------------------------------------------------------------
# Cached building blocks (fn(url, *args), see data_access.cache.cached)
# ---------------------------------------------------------------------------
def _sizes(url: str) -> pd.DataFrame:
    """Size classes of every establishment (terciles within activity × status)."""
    return model.size_classes(cached(establishments.directory))  # the directory the profile reads too


def _values_with_groups(url: str, year: int) -> pd.DataFrame:
    """The year's profile values of every establishment with its region and comparables group."""
    values = data.profile_values(url, year)
    d = cached(establishments.directory)
    return values.merge(d[["finess", "region_code", "departement_code"]], on="finess").merge(
        held(_sizes)[["finess", "activity", "legal_status", "size_class"]], on="finess")


def _references(url: str, year: int) -> dict[str, pd.DataFrame]:
    """The year's Région / France / Comparables references of every indicator and group."""
    return model.reference_tables(_values_with_groups(url, year), cached(data.profile_catalogue))


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
    return territories.departement_feature(url, code)  # its own geometry only, not every département's


def _msap_flags(url: str, finess: str, year: int, secret: bool = False) -> list[tuple[str, str]]:
    """Is the establishment flagged by the MSAP default rule (analytics.msap), per campaign, on the
    year's data? With `secret` (presentation mode), no rate the secret statistique covers."""
    out = []
    for campaign in ("SSR", "AMBU"):
        if year not in cached(msap_data.years, campaign):
            out.append((campaign, f"pas de données {year} pour cette campagne."))
            continue
        counts = _campaign_counts(campaign, year, finess, secret)
        secrets = None
        if secret:
            def secrets(gesture: str, group: pd.DataFrame, campaign: str = campaign) -> msap_model.Secrecy:
                masks, values = secrecy_masks.campaign_masks(campaign, year, [gesture], ["*"])
                return msap_model.secrecy(group, masks, values)
        _flagged, sentence = msap_model.default_rule_flag(counts, finess, campaign, secret=secrets)
        out.append((campaign, sentence))
    return out


def _campaign_counts(campaign: str, year: int, finess: str, secret: bool) -> pd.DataFrame:
    """msap_data.counts_by_gesture(campaign, year). For AMBU, the ambulatory section's frame (one row
    per establishment × group, its key); outside the presentation mode, `_ambulatory_rule_frame`:
    the default rule reads only the establishment's rows and each procedure's régional and national
    sums."""
    if campaign == "AMBU":
        if not secret:  # the masks (msap_model.secrecy) need every establishment's row
            return _ambulatory_rule_frame(finess, year)
        return cached(ambulatory_data.group_counts, int(year)).rename(columns={"ambulatory_stays": "cases"})
    return cached(msap_data.counts_by_gesture, campaign, year)


def _ambulatory_sums(url: str, year: int) -> pd.DataFrame:
    """The year's ambulatory counts of every procedure summed by région and comparables group:
    gesture, region_code, activity, legal_status, size_class, stays, ambulatory_stays (sums of
    counts: a few thousand rows, where the year has 26,000 at national scale). Every profile's
    région, France and comparables sums are sums of these rows."""
    frame = cached(ambulatory_data.group_counts, int(year))
    groups = held(_sizes)[["finess", "activity", "legal_status", "size_class"]]
    keys = ["gesture", "region_code", "activity", "legal_status", "size_class"]
    return (frame.drop(columns="legal_status").merge(groups, on="finess", how="left")
            .groupby(keys, dropna=False, sort=True, as_index=False)[["stays", "ambulatory_stays"]].sum())


def _ambulatory_counts(finess: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The establishment's ambulatory rows of `year` (gesture, stays, ambulatory_stays) and the
    year's sums by région and comparables group (`_ambulatory_sums`, held by the process for the
    data version: establishment-independent)."""
    return cached(ambulatory_data.own_counts, int(year), finess), held(_ambulatory_sums, int(year))


def _ambulatory_rule_frame(finess: str, year: int) -> pd.DataFrame:
    """For the MSAP default rule of one establishment (msap_model.default_rule_details: its own rows,
    each procedure's régional and national sums), a frame with the same sums as the year's: per
    procedure, the establishment's row, then the rest of its région and the rest of France as one
    row each (FINESS ''; the rest of France with no région)."""
    region = _region_of(finess)
    own, sums = _ambulatory_counts(finess, year)
    cols = ["stays", "ambulatory_stays"]
    france = sums.groupby("gesture", sort=True)[cols].sum()
    in_region = sums[sums["region_code"] == region].groupby("gesture", sort=True)[cols].sum().reindex(
        france.index, fill_value=0)
    mine = own.set_index("gesture")[cols].reindex(france.index, fill_value=0)
    parts = [own.assign(finess=finess, region_code=region),
             (in_region - mine).reset_index().assign(finess="", region_code=region),
             (france - in_region).reset_index().assign(finess="", region_code=None)]
    frame = pd.concat(parts, ignore_index=True).sort_values("gesture", kind="stable", ignore_index=True)
    return frame[["gesture", "finess", "region_code", *cols]].rename(columns={"ambulatory_stays": "cases"})


def _region_of(finess: str) -> str:
    d = cached(establishments.directory)
    return d.loc[d["finess"] == finess, "region_code"].iloc[0]


def _recourse_secrecy(url: str, year: int, gesture: str, _secondary: bool = True) -> dict:
    """The secret statistique of a gesture's SSR recourse counts for a year
    (analytics.profile_secrecy.recourse_secrecy)."""
    d = cached(establishments.directory)
    counts = cached(_recourse, year)
    grp = counts[counts["gesture"] == gesture].rename(columns={"stays_with_ssr": "cases"}).merge(
        d[["finess", "departement_code"]], on="finess", how="left")
    return recourse_secrecy(grp, secrecy_masks.ssr_masks(year), (gesture, secrecy_masks.ALL))


def _indicator_secrecy(url: str, year: int, secondary: bool = True) -> dict[str, dict]:
    """The masks of the year's SSR profile values (analytics.profile_secrecy.indicator_secrecy)."""
    return indicator_secrecy(_values_with_groups(url, year), cached(data.profile_catalogue), secondary)


def profile_secrecy(finess: str, info: dict, size_class: int, year: int, recourse: list[model.RecourseRow],
                    rows: list[model.ProfileRow]) -> ProfileSecrecy:
    """The presentation mode's masks of one profile (its cells and the sums of its groups)."""
    secret = ProfileSecrecy()
    for r in recourse:
        s = cached(_recourse_secrecy, year, r.gesture, secrecy_masks.secondary_on())
        secret.recourse[r.gesture] = {"own": s["cells"].get(finess, PLAIN),
                                      "region": s["region"].get(info["region_code"], PLAIN),
                                      "france": s["france"]}
    by_code = cached(_indicator_secrecy, year, secrecy_masks.secondary_on()) if rows else {}
    comparables = (info["activity"], info["legal_status"], int(size_class))
    for row in rows:
        masks = by_code.get(row.code)
        if masks is not None:
            secret.indicators[row.code] = {"own": masks["cells"].get(finess, PLAIN),
                                           "region": masks["region"].get(info["region_code"], PLAIN),
                                           "comparables": masks["comparables"].get(comparables, PLAIN),
                                           "france": masks["france"]}
    return secret


def _visible_series(finess: str, recourse: list[model.RecourseRow], rows: list[model.ProfileRow]):
    """The rows with their sparkline series cut of the years whose figure the secret statistique hides."""
    def recourse_hidden(year: int, gesture: str) -> bool:
        return cached(_recourse_secrecy, year, gesture, secrecy_masks.secondary_on())["cells"].get(finess, PLAIN).hidden

    def indicator_hidden(year: int, code: str) -> bool:
        entry = cached(_indicator_secrecy, year, secrecy_masks.secondary_on()).get(code)
        return entry is not None and entry["cells"].get(finess, PLAIN).hidden

    recourse = [replace(r, series=[(y, v) for y, v in r.series if not recourse_hidden(y, r.gesture)])
                for r in recourse]
    rows = [replace(r, series=[(y, v) for y, v in r.series if not indicator_hidden(y, r.code)]) for r in rows]
    return recourse, rows


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
    secrecy: ProfileSecrecy | None = None  # the presentation mode's masks; None: every figure shown
    public_id: str = ""  # the FINESS, or the code standing for it in the anonymised mode
    ambulatory: AmbulatorySection | None = None  # "Chirurgie ambulatoire" (services.ambulatoire)

    @property
    def is_mco(self) -> bool:
        return self.info["activity"] in ("MCO", "MCO+SSR")

    @property
    def is_ssr(self) -> bool:
        return self.info["activity"] in ("SSR", "MCO+SSR")

    @property
    def subtitle(self) -> str:
        info = self.shown or self.info
        parts = [info["category"], STATUS_LABELS.get(info["legal_status"], info["legal_status"]),
                 f"{info['commune']} ({info['departement_code']})" if info["commune"] else info["departement"],
                 info["region"]]
        return " · ".join(p for p in parts if p)

    @property
    def pdf_href(self) -> str:
        return pdf_href(self.public_id, self.year)


def load(view: ProfileView) -> Profile | None:
    """Everything the profile of a view shows, as the current mode shows it; None when the FINESS
    (or, anonymised, its code) is malformed or unknown."""
    mode = current_mode()
    code = view.finess
    if code is None:
        return None
    d = cached(establishments.directory)
    match = d[d["finess"] == code]
    if match.empty:
        return None
    info = match.iloc[0].to_dict()
    year = view.year if view.year is not None else dt.date.today().year
    sizes = held(_sizes).set_index("finess").loc[code]
    size = {"size_class": int(sizes["size_class"]), "class_min": int(sizes["class_min"]),
            "class_max": int(sizes["class_max"]), "class_n": int(sizes["class_n"]), "capacity": int(sizes["capacity"])}
    low, high = (None, None) if mode.anonymised else (size["class_min"], size["class_max"])
    comparables = model.comparables_text(info["activity"], STATUS_LABELS.get(info["legal_status"], info["legal_status"]),
                                         size["size_class"], low, high, size["class_n"])
    own = cached(_own_values, code, year)
    rows = []
    if not own.empty:  # no value this year (or no SSR activity): no table to show, no point to raise
        rows = model.profile_rows(code, own, held(_references, year), cached(data.profile_catalogue),
                                  {"region_code": info["region_code"], "activity": info["activity"],
                                   "legal_status": info["legal_status"], "size_class": size["size_class"]},
                                  cached(data.profile_series, code))
    mco = info["activity"] in ("MCO", "MCO+SSR")
    recourse = []
    if mco:
        recourse = model.recourse_rows(code, info["region_code"], cached(_recourse, year), cached(data.gestures),
                                       cached(data.recourse_series, code), held(_recourse_references, year))
    flags = []
    if mco:
        flags = cached(_msap_flags, code, year, True) if mode.masked else cached(_msap_flags, code, year)
    caqes_all = cached(data.caqes_results, code)
    caqes_year, caqes_rows = model.caqes_year(caqes_all, year)
    secrecy = None
    if mode.masked:
        secrecy = profile_secrecy(code, info, size["size_class"], year, recourse, rows)
        recourse, rows = _visible_series(code, recourse, rows)
        points = presentation_points(recourse, rows, caqes_rows, caqes_year, secrecy)
    else:
        points = model.attention_points(recourse, rows, caqes_rows, caqes_year)
    ambulatory = _ambulatory(code, info, size["size_class"], year, flags, mode) if mco else None
    if ambulatory is not None:  # after the SSR recourse points (the order stated on Méthodes)
        first = len(presentation_points(recourse, [], None, None, secrecy) if secrecy is not None
                    else model.attention_points(recourse, [], None, None))
        points = points[:first] + ambulatory.attention_points() + points[first:]
    names = anonymous_names(mode)
    shown = anonymised_identity(info, names) if names is not None else info
    status = queries.data_status(current_settings().database_url)
    return Profile(info=info, year=year, years=list(view.years), notices=list(view.notices), size=size,
                   comparables_text=comparables, profile_rows=rows, has_profile_values=not own.empty,
                   recourse_rows=recourse, msap_history=cached(data.msap_history, code), msap_flags=flags,
                   caqes_contracts=cached(data.caqes_contracts, code), caqes_year=caqes_year,
                   caqes_results=caqes_rows, caqes_history=caqes_all, points=points, data_version=status.version,
                   last_import=fr_datetime(status.last_import_at) if status.last_import_at else "",
                   sources=sources_lines(year, status.version, status.last_import_at), shown=shown, secrecy=secrecy,
                   public_id=public_id(code, mode), ambulatory=ambulatory)


def _ambulatory(finess: str, info: dict, size_class: int, year: int, flags: list[tuple[str, str]],
                mode: Mode) -> AmbulatorySection | None:
    """The ambulatory section, comparables being the same activity, status and size class."""
    if year not in ambulatoire.years():
        return None
    own, sums = _ambulatory_counts(finess, year)
    refs = pd.DataFrame({
        "gesture": sums["gesture"], "in_region": sums["region_code"] == info["region_code"],
        "comparable": ((sums["activity"] == info["activity"]) & (sums["legal_status"] == info["legal_status"])
                       & (sums["size_class"] == size_class)),
        "stays": sums["stays"], "ambulatory_stays": sums["ambulatory_stays"]})
    verdict = next((sentence for campaign, sentence in flags if campaign == "AMBU"), "")
    return ambulatoire.profile_section(finess, info["region_code"], year, own, refs, verdict, mode)


NOT_STATED = "non précisé"


def anonymised_identity(info: dict, names: dict[str, tuple[str, str]]) -> dict:
    """The identity as the anonymised mode shows it: the letter, no FINESS, commune nor category, the
    capacity as a band, the région, département, status and activity as far as the directory shows
    them (`security.presentation.anonymous_identities`: k-anonymous)."""
    code = info["finess"]
    ident = anonymous_identities()
    row = ident.loc[code] if code in ident.index else dict.fromkeys(ident.columns, "")
    return dict(info, finess="", name=names.get(code, ("", "Établissement ?"))[1], commune="", commune_code="",
                category="", latitude=None, longitude=None,
                legal_status=row["legal_status"] or NOT_STATED, activity=row["activity"] or NOT_STATED,
                departement_code=row["departement_code"],
                departement=info["departement"] if row["departement_code"] else NOT_STATED,
                region=info["region"] if row["region_code"] else NOT_STATED,
                capacity=row["capacity"] or NOT_STATED)


def load_profile(finess, annee=None) -> Profile | None:
    """The profile of a FINESS (or anonymised code) and a year asked (see `parse_view`, `load`)."""
    return load(parse_view({"finess": finess, "annee": annee}))


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
    """The funnel's gesture: the one asked if the profile has it, else the first atypical one
    (above the 99.8 % limit), else the first one; None without recourse rows."""
    codes = [r.gesture for r in profile.recourse_rows]
    if not codes:
        return None
    if wanted and wanted.upper() in codes:
        return wanted.upper()
    atypical = [r.gesture for r in profile.recourse_rows if r.above_998]
    return (atypical or codes)[0]


def gesture_options(profile: Profile) -> list[dict]:
    return [{"label": r.gesture if r.gesture != "COIFFE" else "Coiffe", "value": r.gesture}
            for r in profile.recourse_rows]


# ---------------------------------------------------------------------------
# The locator and the funnel (data; components.profile_charts draws them)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Locator:
    """The establishment's point (WGS84) and its département's GeoJSON feature (None if unknown)."""

    lat: float
    lon: float
    departement: dict | None


def locator(finess: str, anonymised: bool = False) -> Locator:
    """Anonymised: the point of the département (`departement_anchors`), not the establishment's."""
    d = cached(establishments.directory)
    info = d[d["finess"] == finess].iloc[0]
    lat, lon = float(info["latitude"]), float(info["longitude"])
    if anonymised:
        lat, lon = departement_anchors().get(info["departement_code"], (lat, lon))
    return Locator(lat, lon, cached(_departement_feature, info["departement_code"]))


@dataclass(frozen=True)
class Funnel:
    """A gesture's funnel for a year: every establishment's point (finess, stays, stays_with_ssr,
    rate), the national rate p0 (NaN when the secret statistique covers it: `hidden`), the limit
    curves (analytics.profile.funnel_curve) and the caption; `finess` is the one highlighted."""

    caption: str
    points: pd.DataFrame
    p0: float
    curve: pd.DataFrame
    finess: str

    @property
    def hidden(self) -> bool:
        return self.p0 != self.p0


def funnel(finess: str, year: int, gesture: str) -> Funnel:
    """A gesture's funnel for a year. In the presentation mode, an establishment whose rate is
    hidden is not drawn (the caption counts them), and the national rate is NaN when the secret
    statistique covers it."""
    counts = cached(_recourse, year)
    points, p0 = model.funnel_points(counts, gesture)
    total, note = len(points), ""
    if current_mode().masked:
        secret = cached(_recourse_secrecy, year, gesture, secrecy_masks.secondary_on())
        hidden = {f for f, shown in secret["cells"].items() if shown.hidden}
        points = points[~points["finess"].isin(hidden)]
        if total - len(points):
            note = f", dont {total - len(points)} non représentés (secret statistique)"
        if secret["france"].hidden:
            p0 = math.nan
    curve = model.funnel_curve(p0, int(points["stays"].max()) if len(points) else 2)
    label = cached(data.gestures).set_index("code")["label"].get(gesture, gesture)
    caption = (f"{label} ({gesture}), {year} : {total} établissements{note} ; limites à 95 % et 99,8 % autour du "
               f"taux national ({fmt_pct(p0) if p0 == p0 else SECRET_RATE})")
    return Funnel(caption, points, p0, curve, finess)


def funnel_names() -> dict[str, str]:
    """The names the interactive funnel's points show (the anonymised mode's labels when it applies)."""
    aliases = anonymous_names()
    if aliases is not None:
        return {f: label for f, (_code, label) in aliases.items()}
    d = cached(establishments.directory)
    return dict(zip(d["finess"], d["name"]))


# ---------------------------------------------------------------------------
# The PDF
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ProfileExport:
    """What the PDF shows: the profile, its locator and its funnel (None when there is no gesture
    or the secret statistique covers the national rate)."""

    profile: Profile
    locator: Locator
    funnel: Funnel | None

    @property
    def file_name(self) -> str:
        return f"profil-{self.profile.public_id}-{self.profile.year}.pdf"


def export(query: dict) -> ProfileExport | None:
    """The PDF's data for a query dict {finess, annee, geste}; None for an unknown or malformed FINESS."""
    view = parse_view(query)
    p = load(view)
    if p is None:
        return None
    gesture = default_gesture(p, view.geste)
    shown = funnel(p.info["finess"], p.year, gesture) if gesture else None
    return ProfileExport(p, locator(p.info["finess"], p.public_id != p.info["finess"]), shown if shown is not None and not shown.hidden else None)
