"""MSAP targeting: URL state, the list (grid and exports share `table`), funnel plot, map, sensitivity."""
from __future__ import annotations

from dataclasses import asdict, replace

import pandas as pd
from dash import Input, Output, Patch, State, callback, clientside_callback, ctx, html, no_update

from analytics import msap as model
from analytics.ssr import AGE_LABELS
from callbacks.ssr import territories_geojson
from components import france_map
from components import msap as view
from analytics.secrecy import MASK, SECONDARY, SECRET, is_small
from text.format import NBSP, fmt_count, fmt_int, fmt_pct
from data_access import msap as msap_data
from data_access import territories
from data_access.cache import cached
from pages.ids import Msap as ids
from security.presentation import anonymous_names, current_mode

MAP_SIZE = (500, 430)  # px: the map panel at 1280 px wide
CONTROLS = [ids.CAMPAGNE, ids.ANNEE, ids.GESTE, ids.AGE, ids.VOLUME_MIN, ids.METHODE, ids.ECART_PTS, ids.SEUIL,
            ids.PERIMETRE]


# ---------------------------------------------------------------------------
# Reference data (cached per data version)
# ---------------------------------------------------------------------------
def _geo_names() -> tuple[dict[str, str], dict[str, str]]:
    regs = cached(territories.regions)
    deps = cached(territories.departements)
    return dict(zip(regs["code"], regs["name"])), dict(zip(deps["code"], deps["name"]))


def _catalogue(campaign: str) -> list[tuple[str, str]]:
    return cached(msap_data.gestures, campaign)


def _years() -> dict[str, list[int]]:
    return {c: cached(msap_data.years, c) for c in model.CAMPAIGNS}


def _codes() -> dict[str, list[str]]:
    return {c: [code for code, _ in _catalogue(c)] for c in model.CAMPAIGNS}


def rule_from_query(query: dict[str, str]) -> tuple[model.MsapRule, list[str]]:
    """The rule an address asks for (malformed values replaced by defaults, with French notices)."""
    regions, departements = _geo_names()
    return model.parse_rule(query, _years(), _codes(), regions, departements)


def gesture_label(rule: model.MsapRule) -> str:
    """'prothèse totale de genou (PTG)', 'les 4 gestes réunis', 'les 8 groupes de gestes réunis'."""
    catalogue = _catalogue(rule.campagne)
    if rule.geste == model.ALL:
        noun = "gestes" if rule.campagne == "SSR" else "groupes de gestes marqueurs"
        return f"les {len(catalogue)} {noun} réunis"
    label = dict(catalogue).get(rule.geste, rule.geste)
    return f"{label[:1].lower()}{label[1:]} ({rule.geste})"


# ---------------------------------------------------------------------------
# The list: one function for the grid, the CSV and the workbook
# ---------------------------------------------------------------------------
def counts(rule: model.MsapRule) -> pd.DataFrame:
    """Per-establishment counts of the whole of France for the rule's campaign, year, gestures, ages."""
    return cached(msap_data.establishment_counts, rule.campagne, rule.annee,
                  tuple(rule.gestures([c for c, _ in _catalogue(rule.campagne)])), tuple(rule.age_bands))


def table(rule: model.MsapRule) -> tuple[pd.DataFrame, list[dict]]:
    """(evaluate's frame, the rows) of every establishment examined: the grid, /export/msap.csv and
    /export/msap.xlsx all show these rows — in the presentation mode, as the secret statistique
    allows (components.msap.presentation_rows)."""
    regions, departements = _geo_names()
    evaluated = model.evaluate(counts(rule), rule)
    notified = cached(msap_data.notified, rule.campagne)
    previous = model.previous_msap(notified, rule, rule.gestures([c for c, _ in _catalogue(rule.campagne)]))
    rows = view.table_rows(evaluated, regions, departements, previous)
    mode = current_mode()
    if mode.masked:
        rows = view.presentation_rows(evaluated, rows, secrecy(rule), rule, anonymous_names(mode))
    return evaluated, rows


def export_table(rule: model.MsapRule) -> list[dict]:
    """The rows of /export/msap.csv and .xlsx: the grid's, without the profile's address code that
    stands for the FINESS in the anonymised grid."""
    _evaluated, rows = table(rule)
    if current_mode().anonymised:
        rows = [dict(r, finess="") for r in rows]
    return rows


def _secrecy(url: str, campaign: str, year: int, gestures: tuple[str, ...], ages: tuple[str, ...]) -> model.Secrecy:
    return model.secrecy(cached(msap_data.establishment_counts, campaign, year, gestures, ages))


def secrecy(rule: model.MsapRule) -> model.Secrecy:
    """The secret statistique of the rule's counts (national frame; cached per data version)."""
    return cached(_secrecy, rule.campagne, rule.annee, tuple(rule.gestures([c for c, _ in _catalogue(rule.campagne)])),
                  tuple(rule.age_bands))


def rule_text(rule: model.MsapRule) -> list[str]:
    regions, departements = _geo_names()
    return model.rule_sentences(rule, gesture_label(rule), model.perimeter_label(rule.perimetre, regions, departements))


def parameters(rule: model.MsapRule) -> list[tuple[str, str]]:
    """(parameter, value) pairs for the workbook's « Règle » sheet, with the address to reproduce it."""
    regions, departements = _geo_names()
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
    pairs += [("Périmètre (perimetre)", f"{model.perimeter_label(rule.perimetre, regions, departements)} "
                                        f"({rule.perimetre})"),
              ("Adresse de la liste", "/msap" + rule.query_string())]
    return pairs


# ---------------------------------------------------------------------------
# URL <-> controls
# ---------------------------------------------------------------------------
def _control_options(rule: model.MsapRule) -> tuple[list[dict], list[dict]]:
    years = _years()[rule.campagne]
    catalogue = _catalogue(rule.campagne)
    all_label = (f"Les {len(catalogue)} gestes réunis" if rule.campagne == "SSR"
                 else f"Les {len(catalogue)} groupes réunis")
    gestures = [{"label": f"{label} ({code})", "value": code} for code, label in catalogue]
    gestures.append({"label": all_label, "value": model.ALL})
    return [{"label": str(y), "value": str(y)} for y in years], gestures


def _perimeter_options() -> list[dict]:
    regions, departements = _geo_names()
    return ([{"label": "France entière", "value": "FR"}]
            + [{"label": f"Région — {name}", "value": f"R{code}"} for code, name in regions.items()]
            + [{"label": f"Département — {code} {name}", "value": f"D{code}"}
               for code, name in departements.items()])


def _values(rule: model.MsapRule) -> list:
    ecart = int(rule.ecart_pts) if float(rule.ecart_pts).is_integer() else rule.ecart_pts
    return [rule.campagne, str(rule.annee) if rule.annee is not None else None, rule.geste, rule.age,
            rule.volume_min, rule.methode, ecart, rule.seuil, rule.perimetre]


def _hidden(rule: model.MsapRule) -> tuple[bool, bool, bool]:
    return rule.campagne != "SSR", rule.methode != "ecart", rule.methode != "funnel"


def _quoted(value) -> str:
    """' (« -3 »)' for a value the browser passed on, '' when it sent nothing (an empty or
    out-of-range number field gives None)."""
    return "" if value is None or value == "" else f" (« {value} »)"


def _notice(notices: list[str]):
    return html.Div([html.P(n) for n in notices], className="notice") if notices else None


@callback(
    Output(ids.RULE, "data"), Output(ids.ANNEE, "options"), Output(ids.GESTE, "options"),
    Output(ids.PERIMETRE, "options"), Output(ids.NOTICES, "children"),
    *[Output(c, "value") for c in CONTROLS],
    Output(ids.AGE_BLOCK, "hidden"), Output(ids.ECART_BLOCK, "hidden"), Output(ids.SEUIL_BLOCK, "hidden"),
    Input(ids.QUERY, "data"), *[Input(c, "value") for c in CONTROLS],
    State(ids.RULE, "data"),
)
def sync_rule(query, campagne, annee, geste, age, volume_min, methode, ecart_pts, seuil, perimetre, current):
    """The one place the rule changes: from the address on load, then from the controls."""
    keep = [no_update] * len(CONTROLS)
    if current is None or ctx.triggered_id == ids.QUERY:
        rule, notices = rule_from_query(query or {})
        years, gestures = _control_options(rule)
        return (asdict(rule), years, gestures, _perimeter_options(), _notice(notices), *_values(rule),
                *_hidden(rule))
    rule = model.MsapRule(**current)
    notices: list[str] = []
    if ctx.triggered_id == ids.CAMPAGNE and campagne != rule.campagne and campagne in model.CAMPAIGNS:
        # Another campaign: its own years and gestures (the year is kept when it has data).
        years = _years()[campagne]
        codes = _codes()[campagne]
        rule = replace(rule, campagne=campagne, annee=rule.annee if rule.annee in years else max(years),
                       geste=model.default_geste(campagne, codes))
        year_options, gesture_options = _control_options(rule)
        values = _values(rule)
        return (asdict(rule), year_options, gesture_options, no_update, None, *keep[:1], values[1], values[2],
                *keep[3:], *_hidden(rule))
    volume = model.parse_volume(volume_min) if volume_min is not None else None
    ecart = model.parse_ecart(ecart_pts) if ecart_pts is not None else None
    reset = list(keep)
    if volume is None:
        notices.append(f"Volume minimal invalide{_quoted(volume_min)} : un nombre entier de séjours entre 0 et "
                       f"{fmt_int(model.VOLUME_MAX)} est attendu ; {rule.volume_min} conservé.")
        volume = rule.volume_min
        reset[CONTROLS.index(ids.VOLUME_MIN)] = rule.volume_min
    if ecart is None:
        notices.append(f"Écart invalide{_quoted(ecart_pts)} : un nombre de points entre 0 et "
                       f"{int(model.ECART_MAX)} (une décimale au plus) est attendu ; "
                       f"{model.points_label(rule.ecart_pts)} conservé.")
        ecart = rule.ecart_pts
        reset[CONTROLS.index(ids.ECART_PTS)] = _values(rule)[CONTROLS.index(ids.ECART_PTS)]
    # The controls only offer valid values; anything else (a hand-made request) keeps the current value.
    regions, departements = _geo_names()
    year = int(annee) if str(annee).isdigit() and int(annee) in _years()[rule.campagne] else rule.annee
    new = replace(rule, annee=year,
                  geste=geste if geste in (*_codes()[rule.campagne], model.ALL) else rule.geste,
                  age=age if age in AGE_LABELS else rule.age, volume_min=volume,
                  methode=methode if methode in model.METHODS else rule.methode, ecart_pts=ecart,
                  seuil=seuil if seuil in model.SEUILS else rule.seuil,
                  perimetre=(model.parse_perimetre(perimetre, regions, departements)[0] or rule.perimetre)
                  if perimetre else rule.perimetre)
    data = asdict(new) if asdict(new) != current else no_update
    return (data, no_update, no_update, no_update, _notice(notices), *reset, *_hidden(new))


# The address follows the rule (replaceState: a parameter change is not a new history entry).
clientside_callback(
    """
    function(rule) {
        if (!rule) { return window.dash_clientside.no_update; }
        const p = new URLSearchParams();
        p.set('campagne', rule.campagne); p.set('annee', rule.annee); p.set('geste', rule.geste);
        if (rule.campagne === 'SSR') { p.set('age', rule.age); }
        p.set('volume_min', rule.volume_min); p.set('methode', rule.methode);
        p.set('ecart_pts', String(rule.ecart_pts)); p.set('seuil', rule.seuil); p.set('perimetre', rule.perimetre);
        const search = '?' + p.toString();
        if (window.location.search !== search) {
            window.history.replaceState(window.history.state, '', window.location.pathname + search);
        }
        return search;
    }
    """,
    Output(ids.URL_SYNC, "children"),
    Input(ids.RULE, "data"),
)

# A click on an establishment (a funnel point, whose customdata starts with its FINESS, or a map point,
# whose customdata is its FINESS) opens its profile; a click on a département of the map does nothing.
clientside_callback(
    """
    function(funnelClick, mapClick) {
        const trig = window.dash_clientside.callback_context.triggered;
        if (!trig || !trig.length) { return window.dash_clientside.no_update; }
        const data = trig[0].prop_id.startsWith('msap-map.') ? mapClick : funnelClick;
        const point = data && data.points && data.points[0];
        const custom = point && point.customdata;
        const finess = Array.isArray(custom) ? custom[0] : custom;
        // a FINESS, or the code standing for it in the anonymised presentation mode ('K', 'AB')
        if (typeof finess === 'string' && /^([0-9AB]{9}|[A-Z]{1,3})$/.test(finess)) {
            window.location.assign('/etablissement/' + finess);
        }
        return window.dash_clientside.no_update;
    }
    """,
    Output(ids.NAVIGATE, "children"),
    Input(ids.FUNNEL, "clickData"), Input(ids.MAP, "clickData"),
    prevent_initial_call=True,
)


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------
def _count_block(evaluated: pd.DataFrame, rule: model.MsapRule, national: pd.Series,
                 secret: model.Secrecy | None = None):
    s = model.summary(evaluated)
    singular, plural = model.CASES_NAMES[rule.campagne]
    details = []
    if s["below_volume"]:
        details.append(f"dont {fmt_int(s['below_volume'])} sous le volume minimal de {fmt_int(rule.volume_min)} "
                       f"séjours")
    basis = (f"Taux national : {fmt_pct(national['rate'])} ({fmt_int(national['cases'])} {plural} sur "
             f"{fmt_count(national['stays'], 'séjour')})") if national["stays"] else "Pas de données"
    if secret is not None and national["stays"] and secret.national_hidden:
        cases = MASK if is_small(national["cases"]) else SECONDARY if secret.national_cases_masked else fmt_int(
            national["cases"])
        stays = MASK if is_small(national["stays"]) else SECONDARY if secret.national_stays_masked else fmt_int(
            national["stays"])
        basis = f"Taux national : {SECRET} ({cases} {plural} sur {stays}{NBSP}séjours)"
    return [html.Div([html.Span(fmt_count(s["flagged"], "établissement ciblé", "établissements ciblés"),
                                className="msap-count-value"),
                      html.Span(f" sur {fmt_int(s['examined'])}{NBSP}examiné{'s' if s['examined'] >= 2 else ''}",
                                className="msap-count-of")]),
            html.Div(" · ".join(details + [basis]), className="kpi-basis")]


@callback(
    Output(ids.COUNT, "children"), Output(ids.RULE_TEXT, "children"), Output(ids.TABLE, "rowData"),
    Output(ids.TABLE, "columnDefs"), Output(ids.FUNNEL, "figure"), Output(ids.SENSITIVITY, "figure"),
    Output(ids.MAP, "figure"), Output(ids.MAP_KEY, "data"),
    Output(ids.EXPORT_CSV, "href"), Output(ids.EXPORT_XLSX, "href"),
    Input(ids.RULE, "data"), State(ids.MAP_KEY, "data"), prevent_initial_call=True,
)
def render_results(rule_data, map_key):
    """Everything the rule gives, from one evaluation: count, rule, grid, funnel, sensitivity, map."""
    rule = model.MsapRule(**rule_data)
    if rule.annee is None:
        return (html.P("Aucune donnée pour cette campagne."), None, [], view.columns(rule.campagne), {}, {},
                no_update, no_update, no_update, no_update)
    evaluated, rows = table(rule)
    national, _ = model.references(counts(rule))
    text = [html.H2("Règle appliquée", className="msap-rule-title")] + [html.P(s) for s in rule_text(rule)]
    query = rule.query_string()
    mode = current_mode()
    secret = secrecy(rule) if mode.masked else None
    aliases = anonymous_names(mode)
    figure, key = map_figure(evaluated, rule, map_key)
    return (_count_block(evaluated, rule, national, secret), text, rows,
            view.columns(rule.campagne, mode.masked, mode.anonymised),
            view.funnel_figure(evaluated, rule, national["rate"], secret=secret, aliases=aliases),
            view.sensitivity_figure(model.sensitivity(counts(rule), rule), rule), figure, key,
            "/export/msap.csv" + query, "/export/msap.xlsx" + query)


def map_figure(evaluated: pd.DataFrame, rule: model.MsapRule, map_key):
    """(figure or Patch, new key): the départements are redrawn only when the perimeter changes;
    otherwise only the flagged points are patched (the geometry is not sent again)."""
    mode = current_mode()
    points = view.flagged_points_trace(evaluated, rule.campagne, secrecy(rule) if mode.masked else None,
                                       anonymous_names(mode))
    if map_key == rule.perimetre:
        patch = Patch()
        patch["data"][france_map.POINTS_TRACE] = points.to_plotly_json()
        return patch, no_update
    _regions, departements = _geo_names()
    layer = territories_geojson("dep")
    codes = sorted(departements)
    frames, bounds = france_map.inset_frames("dep"), None
    if rule.perimetre != "FR":
        deps = cached(territories.departements)
        kind, code = rule.perimetre[:1], rule.perimetre[1:]
        codes = sorted(deps.loc[deps["region_code"] == code, "code"]) if kind == "R" else [code]
        layer = {**layer, "features": [f for f in layer["features"] if f["id"] in set(codes)]}
        frames, bounds = [], france_map.geojson_bounds(layer)
    fig = view.map_base(layer, codes, departements, frames, MAP_SIZE, bounds)
    fig.add_trace(points)
    return fig, rule.perimetre
