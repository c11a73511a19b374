"""The /msap view (MSAP targeting): the rule read from an address, the controls' choices, the list
(grid, CSV and workbook share `table`), the funnel, sensitivity and map data, and the exports.

The page layout, the Dash callbacks and /export/msap.csv|.xlsx all read the rule with `parse_view`
and the rows with `table`, so the file can never disagree with the grid. Pure validation lives in
analytics.msap; this module gathers the reference data it checks against (years, catalogues,
territories, all cached per data version) and the presentation mode of the request."""
from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from analytics import msap as model
from analytics.secrecy import SECRET, count_display
from analytics.ssr import AGE_LABELS
from data_access import msap as msap_data
from data_access.cache import cached, per_request
from security.presentation import Mode, anonymous_names, current_mode, departement_anchors
from services import secrecy as secrecy_masks
from services.territories import geo_names
from text.format import fmt_count, fmt_int, round_half_up, round_pct
from text.labels import STATUS_LABELS

# The CSV columns, in order (issue 5); the screen grid shows the same rows.
COLUMNS = ["finess", "raison_sociale", "region", "departement", "statut", "sejours", "sejours_cibles", "taux_pct",
           "taux_regional_pct", "taux_national_pct", "ecart_regional_pts", "ecart_national_pts", "ic95_bas_pct",
           "ic95_haut_pct", "cible", "motif", "msap_anterieure"]
RATE_COLUMNS = ("taux_pct", "ic95_bas_pct", "ic95_haut_pct", "ecart_regional_pts", "ecart_national_pts")
# What a funnel or map point may carry to open a profile: a FINESS, or the code standing for it in
# the anonymised presentation mode ('K', 'AB'); a département of the map carries neither.
PROFILE_CODE = re.compile(r"^([0-9AB]{9}|[A-Z]{1,3})$")


# ---------------------------------------------------------------------------
# Reference data (cached per data version)
# ---------------------------------------------------------------------------
def catalogue(campaign: str) -> list[tuple[str, str]]:
    """(code, label) of the campaign's gestures (SSR) or gesture groups (AMBU)."""
    return cached(msap_data.gestures, campaign)


def years() -> dict[str, list[int]]:
    """Years with data, ascending, per campaign."""
    return {c: cached(msap_data.years, c) for c in model.CAMPAIGNS}


def codes(campaign: str) -> list[str]:
    return [code for code, _ in catalogue(campaign)]


# ---------------------------------------------------------------------------
# The view and its address
# ---------------------------------------------------------------------------
AGE_NOTICE = ("Mode présentation : les établissements ne sont pas détaillés par tranche d'âge (secret "
              "statistique), tous âges sont montrés.")


def parse_view(query: Mapping[str, str]) -> tuple[model.MsapRule, list[str]]:
    """The rule an address asks for (malformed values replaced by defaults, with French notices). In
    presentation mode, all ages: an establishment by age band is not in what services.secrecy
    publishes (as on /ssr)."""
    names = geo_names()
    rule, notices = model.parse_rule(dict(query), years(), {c: codes(c) for c in model.CAMPAIGNS}, names.regions,
                                     names.departements)
    if current_mode().masked and rule.age != model.ALL_AGES:
        rule, notices = replace(rule, age=model.ALL_AGES), [*notices, AGE_NOTICE]
    return rule, notices


def query_string(rule: model.MsapRule) -> str:
    """'?campagne=SSR&annee=2024&geste=PTG&age=tous&volume_min=30&methode=ecart&ecart_pts=10&seuil=99.8
    &perimetre=FR' (age for SSR only): the page's address, its export links, the workbook's rule."""
    return rule.query_string()


def rule_of(data) -> model.MsapRule:
    """The rule a page's store holds; the default rule for anything else (a hand-made request)."""
    try:
        return model.MsapRule(**data)
    except TypeError:
        return parse_view({})[0]


def control_options(rule: model.MsapRule) -> tuple[list[dict], list[dict]]:
    """The year and gesture choices of the rule's campaign ({'label', 'value'} as dbc.Select takes them)."""
    campaign_catalogue = catalogue(rule.campagne)
    all_label = (f"Les {len(campaign_catalogue)} gestes réunis" if rule.campagne == "SSR"
                 else f"Les {len(campaign_catalogue)} groupes réunis")
    gestures = [{"label": f"{label} ({code})", "value": code} for code, label in campaign_catalogue]
    gestures.append({"label": all_label, "value": model.ALL})
    return [{"label": str(y), "value": str(y)} for y in years()[rule.campagne]], gestures


def perimeter_options() -> list[dict]:
    names = geo_names()
    return ([{"label": "France entière", "value": "FR"}]
            + [{"label": f"Région — {name}", "value": f"R{code}"} for code, name in names.regions.items()]
            + [{"label": f"Département — {code} {name}", "value": f"D{code}"}
               for code, name in names.departements.items()])


def control_values(rule: model.MsapRule) -> dict:
    """Each control's value for the rule, by query parameter (the year as the select's string)."""
    ecart = int(rule.ecart_pts) if float(rule.ecart_pts).is_integer() else rule.ecart_pts
    return {"campagne": rule.campagne, "annee": str(rule.annee) if rule.annee is not None else None,
            "geste": rule.geste, "age": rule.age, "volume_min": rule.volume_min, "methode": rule.methode,
            "ecart_pts": ecart, "seuil": rule.seuil, "perimetre": rule.perimetre}


def hidden_blocks(rule: model.MsapRule) -> dict[str, bool]:
    """Which optional controls the rule hides: the age (AMBU), the ecart (funnel), the seuil (ecart)."""
    return {"age": rule.campagne != "SSR", "ecart": rule.methode != "ecart", "seuil": rule.methode != "funnel"}


@dataclass(frozen=True)
class Change:
    """A user's change of one control: the new rule, French notices for a refused value, the
    controls to set (a refused number put back, the new campaign's year and gesture) and whether
    the year and gesture choices change (another campaign)."""

    rule: model.MsapRule
    notices: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    new_options: bool = False


def _quoted(value) -> str:
    """' (« -3 »)' for a value the browser passed on, '' when it sent nothing (an empty or
    out-of-range number field gives None)."""
    return "" if value is None or value == "" else f" (« {value} »)"


def _choice(value, allowed, current: str) -> str:
    """`value` if it is one of `allowed` (a control's choices), else the current one."""
    return value if isinstance(value, str) and value in allowed else current


def apply_controls(rule: model.MsapRule, changed: str | None, controls: Mapping) -> Change:
    """The rule after the user changed the control of parameter `changed`; `controls` holds every
    control's value by query parameter. The controls only offer valid values; anything else (a
    hand-made request) keeps the current value, and a refused number is put back with a notice."""
    campagne = controls.get("campagne")
    if changed == "campagne" and campagne != rule.campagne and campagne in model.CAMPAIGNS:
        # Another campaign: its own years and gestures (the year is kept when it has data).
        campaign_years = years()[campagne]
        new = replace(rule, campagne=campagne,
                      annee=rule.annee if rule.annee in campaign_years else max(campaign_years, default=None),
                      geste=model.default_geste(campagne, codes(campagne)))
        values = control_values(new)
        return Change(new, values={"annee": values["annee"], "geste": values["geste"]}, new_options=True)
    notices: list[str] = []
    reset: dict = {}
    volume_min, ecart_pts = controls.get("volume_min"), controls.get("ecart_pts")
    volume = model.parse_volume(volume_min) if volume_min is not None else None
    ecart = model.parse_ecart(ecart_pts) if ecart_pts is not None else None
    if volume is None:
        notices.append(f"Volume minimal invalide{_quoted(volume_min)} : un nombre entier de séjours entre 0 et "
                       f"{fmt_int(model.VOLUME_MAX)} est attendu ; {rule.volume_min} conservé.")
        volume = reset["volume_min"] = rule.volume_min
    if ecart is None:
        notices.append(f"Écart invalide{_quoted(ecart_pts)} : un nombre de points entre 0 et "
                       f"{int(model.ECART_MAX)} (une décimale au plus) est attendu ; "
                       f"{model.points_label(rule.ecart_pts)} conservé.")
        ecart = rule.ecart_pts
        reset["ecart_pts"] = control_values(rule)["ecart_pts"]
    names = geo_names()
    annee, geste, perimetre = controls.get("annee"), controls.get("geste"), controls.get("perimetre")
    year = int(str(annee)) if str(annee).isdigit() and int(str(annee)) in years()[rule.campagne] else rule.annee
    new = replace(rule, annee=year,
                  geste=_choice(geste, (*codes(rule.campagne), model.ALL), rule.geste),
                  age=_choice(controls.get("age"), AGE_LABELS, rule.age), volume_min=volume,
                  methode=_choice(controls.get("methode"), model.METHODS, rule.methode),
                  ecart_pts=ecart,
                  seuil=_choice(controls.get("seuil"), model.SEUILS, rule.seuil),
                  perimetre=(model.parse_perimetre(perimetre, names.regions, names.departements)[0]
                             or rule.perimetre) if perimetre else rule.perimetre)
    return Change(new, notices, reset)


def profile_path(code) -> str | None:
    """'/etablissement/<code>' for a clicked point's FINESS (or its anonymised code), else None."""
    return f"/etablissement/{code}" if isinstance(code, str) and PROFILE_CODE.match(code) else None


# ---------------------------------------------------------------------------
# The list: one function for the grid, the CSV and the workbook
# ---------------------------------------------------------------------------
def gesture_label(rule: model.MsapRule) -> str:
    """'prothèse totale de genou (PTG)', 'les 4 gestes réunis', 'les 8 groupes de gestes marqueurs réunis'."""
    campaign_catalogue = catalogue(rule.campagne)
    if rule.geste == model.ALL:
        if rule.campagne == "SSR":
            return f"les {len(campaign_catalogue)} gestes réunis"
        return f"les {len(secrecy_masks.marker_codes())} gestes marqueurs réunis"
    label = dict(campaign_catalogue).get(rule.geste, rule.geste)
    return f"{label[:1].lower()}{label[1:]} ({rule.geste})"


def _selection(rule: model.MsapRule) -> tuple:
    # "all" of the AMBU campaign is the 55 marker procedures, as on /ambulatoire (not a procedure outside them)
    every = secrecy_masks.marker_codes() if rule.campagne == "AMBU" else codes(rule.campagne)
    return (rule.campagne, rule.annee, tuple(rule.gestures(every)), tuple(rule.age_bands))


def counts(rule: model.MsapRule) -> pd.DataFrame:
    """Per-establishment counts of the whole of France for the rule's campaign, year, gestures, ages."""
    return cached(msap_data.establishment_counts, *_selection(rule))


def references(rule: model.MsapRule) -> tuple[pd.Series, pd.DataFrame]:
    """analytics.msap.references of the rule's counts, once per request (the list, the heading and
    the sensitivity all compare with them)."""
    return per_request(("msap-references", _selection(rule)), lambda: model.references(counts(rule)))


def _secrecy(url: str, campaign: str, year: int, gestures: tuple[str, ...], ages: tuple[str, ...],
             _secondary: bool) -> model.Secrecy:
    masks, values = secrecy_masks.campaign_masks(campaign, year, gestures, ages)
    return model.secrecy(cached(msap_data.establishment_counts, campaign, year, gestures, ages), masks, values)


def secrecy(rule: model.MsapRule) -> model.Secrecy:
    """The presentation mode's masks of the rule's counts: the year's reach masks (services.secrecy),
    the same as /ssr's, /ambulatoire's and the profile's (cached per data version)."""
    return cached(_secrecy, *_selection(rule), secrecy_masks.secondary_on())


def table_rows(evaluated: pd.DataFrame, regions: dict[str, str], departements: dict[str, str],
               previous: dict[str, str]) -> list[dict]:
    """One row per establishment examined (analytics.msap.evaluate order), with the CSV columns
    (rates and gaps in percent / points rounded to 1 decimal, `cible` oui|non); the grid builds the
    link to each profile from `finess` and `raison_sociale`."""
    e = evaluated
    columns = {
        "finess": e["finess"].tolist(), "raison_sociale": e["name"].tolist(),
        "region": _each(e["region_code"], lambda c: regions.get(c, c)),
        "departement": _each(e["departement_code"], lambda c: departements.get(c, c)),
        "statut": _each(e["legal_status"], lambda s: STATUS_LABELS.get(s, s)),
        "sejours": e["stays"].astype(int).tolist(), "sejours_cibles": e["cases"].astype(int).tolist(),
        "taux_pct": _each(e["rate"], _round_pct), "taux_regional_pct": _each(e["region_rate"], _round_pct),
        "taux_national_pct": _each(e["national_rate"], _round_pct),
        "ecart_regional_pts": _each(e["gap_region_pts"], _round_half_up),
        "ecart_national_pts": _each(e["gap_france_pts"], _round_half_up),
        "ic95_bas_pct": _each(e["low"], _round_pct), "ic95_haut_pct": _each(e["high"], _round_pct),
        "cible": ["oui" if f else "non" for f in e["flagged"].tolist()], "motif": list(e["reason"]),
        "msap_anterieure": [previous.get(f, "non") for f in e["finess"].tolist()],
    }
    # Every examined establishment has stays, so no rate, reference or bound is missing; plain Python
    # ints and floats (JSON and the CSV writer), one dict per row built from the columns.
    return [dict(zip(COLUMNS, values)) for values in zip(*(columns[c] for c in COLUMNS))]


# The same rates come back at every change of a threshold (and the same reference rates on every
# row): memoise their exact Decimal rounding, pure functions of a float (as analytics.msap does
# for their French text), and apply them once per distinct value of a column.
_round_pct = lru_cache(maxsize=1 << 16)(round_pct)
_round_half_up = lru_cache(maxsize=1 << 16)(round_half_up)


def _each(values: pd.Series, fn) -> list:
    """[fn(v) for v in values] as plain Python objects, fn called once per distinct value (0.0 and
    -0.0, equal as keys, each get their own: a rounding keeps the sign of a zero)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    results = [fn(u) for u in uniques.tolist()]
    out = [results[i] for i in codes.tolist()]
    if values.dtype.kind == "f":
        for i in np.flatnonzero(values.to_numpy() == 0).tolist():
            out[i] = fn.__wrapped__(values.iat[i]) if hasattr(fn, "__wrapped__") else fn(values.iat[i])
    return out


NOT_EVALUATED = "non évalué"
NOT_EVALUATED_REASON = ("Non évalué : séjours ou taux couverts par le secret statistique (ni le volume minimal ni "
                        "l'écart ne sont testés, quel que soit le réglage).")


def withheld(evaluated: pd.DataFrame, secret: model.Secrecy, rule: model.MsapRule) -> pd.Series:
    """Presentation mode: the rows the rule is not applied to (bool per row of `evaluated`), because
    the volume test, the targeting flag and the place in the order would depend on a masked value
    and a sweep of volume_min, ecart_pts or seuil would read it back: a row whose stays, cases or
    rate are masked, or whose test uses a reference the secret statistique hides (the national
    rate; the regional one for the ecart method). Depends on the secret flags only, not on the
    rule's thresholds."""
    def out(r) -> bool:
        f = secret.row(r.finess)
        return bool(f["rate_hidden"] or f["stays_masked"] or f["cases_masked"] or secret.national_hidden
                    or (rule.methode == "ecart" and secret.region_hidden.get(r.region_code, False)))

    return pd.Series([out(r) for r in evaluated.itertuples()], index=evaluated.index, dtype=bool)


def presentation_frame(evaluated: pd.DataFrame, secret: model.Secrecy, rule: model.MsapRule) -> pd.DataFrame:
    """`evaluated` with a `withheld` column (`withheld`) and those rows neither flagged nor below the
    volume minimum: counts, funnel, map and sensitivity then ignore them whatever the thresholds."""
    hold = withheld(evaluated, secret, rule)
    return evaluated.assign(withheld=hold, flagged=evaluated["flagged"] & ~hold,
                            enough_volume=evaluated["enough_volume"] | hold)


def presentation_rows(evaluated: pd.DataFrame, rows: list[dict], secret: model.Secrecy, rule: model.MsapRule,
                      aliases: dict[str, tuple[str, str]] | None = None) -> list[dict]:
    """`table_rows` as the presentation mode shows them (grid, CSV and workbook alike): the stays and
    cases of a row the reach masks (services.secrecy) as "masqué";
    a rate built on a masked count, its interval and gaps, and a hidden regional or national rate
    as "secret statistique"; the reason restated without them. The rows `withheld` (their own
    figures or their references masked) are "non évalué" and come last, by name (the letter when
    anonymised): nothing shown of them, nor their place, moves with the rule's thresholds.
    `evaluated` is `presentation_frame`'s (or evaluate's, then passed through it). `aliases` (anonymised mode): FINESS -> (code of the
    profile's address, 'Établissement K'), put in `finess` and `raison_sociale`."""
    if "withheld" not in evaluated.columns:
        evaluated = presentation_frame(evaluated, secret, rule)
    reasons = model.secret_reasons(evaluated, rule, secret)
    shown, held = [], []
    for row, e, reason in zip(rows, evaluated.itertuples(), reasons):
        f = secret.row(e.finess)
        out = dict(row, motif=reason)
        out["sejours"] = count_display(row["sejours"], f["stays_masked"])
        out["sejours_cibles"] = count_display(row["sejours_cibles"], f["cases_masked"])
        hidden = list(RATE_COLUMNS) if f["rate_hidden"] else []
        if secret.region_hidden.get(e.region_code, False):
            hidden += ["taux_regional_pct", "ecart_regional_pts"]
        if secret.national_hidden:
            hidden += ["taux_national_pct", "ecart_national_pts"]
        out.update(dict.fromkeys(hidden, SECRET))
        if aliases is not None:
            out["finess"], out["raison_sociale"] = aliases.get(e.finess, ("", "Établissement ?"))
        if e.withheld:
            out.update(cible=NOT_EVALUATED, motif=NOT_EVALUATED_REASON)
            held.append(out)
        else:
            shown.append(out)
    return shown + sorted(held, key=lambda r: (len(r["finess"]) if aliases is not None else 0,
                                               r["raison_sociale"], r["finess"]))


def table(rule: model.MsapRule) -> tuple[pd.DataFrame, list[dict]]:
    """(evaluate's frame, the rows) of every establishment examined: the grid, /export/msap.csv and
    /export/msap.xlsx all show these rows — in the presentation mode, as the secret statistique
    allows (`presentation_frame`, `presentation_rows`), and anonymised with every point at its
    département's (security.presentation.departement_anchors)."""
    names = geo_names()
    evaluated = model.evaluate(counts(rule), rule, references(rule))
    notified = cached(msap_data.notified, rule.campagne)
    previous = model.previous_msap(notified, rule, rule.gestures(codes(rule.campagne)))
    mode = current_mode()
    if mode.masked:
        evaluated = presentation_frame(evaluated, secrecy(rule), rule)
    if mode.anonymised:
        evaluated = _at_departement(evaluated)
    rows = table_rows(evaluated, names.regions, names.departements, previous)
    if mode.masked:
        rows = presentation_rows(evaluated, rows, secrecy(rule), rule, anonymous_names(mode))
    return evaluated, rows


def _at_departement(evaluated: pd.DataFrame) -> pd.DataFrame:
    anchors = departement_anchors()
    where = [anchors.get(c, (float("nan"), float("nan"))) for c in evaluated["departement_code"]]
    return evaluated.assign(latitude=[w[0] for w in where], longitude=[w[1] for w in where])


@dataclass(frozen=True)
class Results:
    """Everything the page shows for a rule, from one evaluation. `secret` and `aliases` are set in
    the presentation mode (masked; anonymised) for the figures to hide what the rows hide."""

    evaluated: pd.DataFrame
    rows: list[dict]
    national: pd.Series  # national cases, stays, rate (proportion)
    sensitivity: pd.DataFrame
    secret: model.Secrecy | None
    aliases: dict[str, tuple[str, str]] | None
    mode: Mode


def results(rule: model.MsapRule) -> Results:
    evaluated, rows = table(rule)
    national, _ = references(rule)
    mode = current_mode()
    # presentation mode: the sensitivity counts the rows the rule is applied to only
    excluded = frozenset(evaluated.loc[evaluated["withheld"], "finess"]) if mode.masked else frozenset()
    return Results(evaluated, rows, national, model.sensitivity(counts(rule), rule, excluded, references(rule)),
                   secrecy(rule) if mode.masked else None, anonymous_names(mode), mode)


def map_departements(perimetre: str) -> list[str]:
    """The départements the map draws for the perimeter, sorted (all of them for France)."""
    names = geo_names()
    kind, code = perimetre[:1], perimetre[1:]
    if kind == "R":
        return sorted(d for d, region in names.region_of.items() if region == code)
    return [code] if kind == "D" else sorted(names.departements)


def rule_text(rule: model.MsapRule) -> list[str]:
    """The rule in French sentences (page and workbook)."""
    names = geo_names()
    return model.rule_sentences(rule, gesture_label(rule),
                                model.perimeter_label(rule.perimetre, names.regions, names.departements))


def parameters(rule: model.MsapRule) -> list[tuple[str, str]]:
    """(parameter, value) pairs for the workbook's « Règle » sheet, with the address to reproduce it."""
    names = geo_names()
    pairs = [("Campagne (campagne)", f"{model.CAMPAIGN_LABELS[rule.campagne]} ({rule.campagne})"),
             ("Année des données (annee)", str(rule.annee)),
             ("Geste (geste)", f"{gesture_label(rule)} ({rule.geste})")]
    if rule.campagne == "SSR":
        pairs.append(("Âge (age)", f"{AGE_LABELS[rule.age]} ({rule.age})"))
    pairs += [("Volume minimal (volume_min)", fmt_count(rule.volume_min, "séjour")),
              ("Méthode (methode)", f"{model.METHOD_LABELS[rule.methode]} ({rule.methode})")]
    if rule.methode == "ecart":
        pairs.append(("Écart exigé (ecart_pts)", model.points_label(rule.ecart_pts)))
    else:
        pairs.append(("Seuil du funnel (seuil)", model.SEUIL_LABELS[rule.seuil]))
    pairs += [("Périmètre (perimetre)", f"{model.perimeter_label(rule.perimetre, names.regions, names.departements)} "
                                        f"({rule.perimetre})"),
              ("Adresse de la liste", "/msap" + query_string(rule))]
    return pairs


# ---------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------
def export_rows(rule: model.MsapRule) -> list[dict]:
    """The rows of /export/msap.csv and .xlsx: the grid's (none without data), without the profile's
    address code that stands for the FINESS in the anonymised grid."""
    if rule.annee is None:
        return []
    _evaluated, rows = table(rule)
    if current_mode().anonymised:
        rows = [dict(r, finess="") for r in rows]
    return rows


def export_name(rule: model.MsapRule) -> str:
    """The exported file's name without extension: 'ciblage-msap-ssr-ptg-2024'."""
    return f"ciblage-msap-{rule.campagne.lower()}-{rule.geste.lower()}-{rule.annee}"


XLSX_HEADINGS = {
    "finess": "FINESS", "raison_sociale": "Raison sociale", "region": "Région", "departement": "Département",
    "statut": "Statut", "sejours": "Séjours", "sejours_cibles": "Séjours ciblés (numérateur)",
    "taux_pct": "Taux (%)", "taux_regional_pct": "Taux régional (%)", "taux_national_pct": "Taux national (%)",
    "ecart_regional_pts": "Écart régional (pts)", "ecart_national_pts": "Écart national (pts)",
    "ic95_bas_pct": "IC 95 % bas (%)", "ic95_haut_pct": "IC 95 % haut (%)", "cible": "Ciblé",
    "motif": "Motif", "msap_anterieure": "MSAP antérieure",
}
_WIDTHS = {"finess": 12, "raison_sociale": 38, "region": 24, "departement": 20, "statut": 24, "motif": 90,
           "msap_anterieure": 18}


def workbook(rule: model.MsapRule, rows: list[dict]) -> bytes:
    """`rows` (export_rows, made safe for a spreadsheet by the caller) as /export/msap.xlsx."""
    return workbook_bytes(rows, parameters(rule), rule_text(rule))


def workbook_bytes(rows: list[dict], parameters: list[tuple[str, str]], sentences: list[str]) -> bytes:
    """The list as a formatted workbook: sheet « Établissements » (the CSV columns, French headings,
    frozen header, filters, flagged rows highlighted) and sheet « Règle » (the rule in French and
    each parameter with its value)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Établissements"
    ws.append([XLSX_HEADINGS[c] for c in COLUMNS])
    header_fill = PatternFill("solid", fgColor="0B4F8A")
    flag_fill = PatternFill("solid", fgColor="FDE6D8")
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        ws.append([row[c] for c in COLUMNS])
        if row["cible"] == "oui":
            for cell in ws[ws.max_row]:
                cell.fill = flag_fill
    for i, col in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = _WIDTHS.get(col, 14)
        if col.endswith("_pct") or col.endswith("_pts"):
            for cell in ws[letter][1:]:
                cell.number_format = "0.0"
        elif col.startswith("sejours"):
            for cell in ws[letter][1:]:
                cell.number_format = "#,##0"
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(ws.max_row, 1)}"

    rs = wb.create_sheet("Règle")
    rs.append(["Règle de ciblage MSAP"])
    rs["A1"].font = Font(bold=True, size=14)
    for sentence in sentences:
        rs.append([sentence])
        rs.cell(rs.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    rs.append([])
    rs.append(["Paramètre", "Valeur"])
    for cell in rs[rs.max_row]:
        cell.font = Font(bold=True)
    for name, value in parameters:
        rs.append([name, value])
    rs.column_dimensions["A"].width = 60
    rs.column_dimensions["B"].width = 60
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
