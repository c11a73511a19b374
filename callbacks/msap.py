"""MSAP targeting, Dash wiring only: the controls change the rule (its address follows), the rule
gives the count, the list, the funnel, the sensitivity and the map (services.msap computes them),
a clicked establishment opens its profile."""
from __future__ import annotations

from dataclasses import asdict, astuple

from dash import Input, Output, Patch, State, callback, ctx, dcc, html, no_update

from analytics import msap as model
from components import france_map
from components import msap as view
from components.address import address, navigate_callback, write_address_callback
from data_access.cache import cached
from pages.ids import Msap as ids
from pages.ids import MsapCampaign
from security.presentation import cache_key, current_mode
from services import actions as actions_service
from services import msap as service
from services.territories import geo_names

MAP_SIZE = (500, 430)  # px: the map panel at 1280 px wide
# query parameter -> its control, in the order of the address
CONTROLS = {"campagne": ids.CAMPAGNE, "annee": ids.ANNEE, "geste": ids.GESTE, "age": ids.AGE,
            "volume_min": ids.VOLUME_MIN, "methode": ids.METHODE, "ecart_pts": ids.ECART_PTS, "seuil": ids.SEUIL,
            "perimetre": ids.PERIMETRE}
PARAMETERS = {control: name for name, control in CONTROLS.items()}
BLOCKS = {"age": ids.AGE_BLOCK, "ecart": ids.ECART_BLOCK, "seuil": ids.SEUIL_BLOCK}


def page_address(rule) -> dict:
    """The RULE's address for the shared clientside writer (a parameter change replaces the entry)."""
    return address("/msap", service.query_string(rule))


RESULTS = {"count": Output(ids.COUNT, "children"), "rule_text": Output(ids.RULE_TEXT, "children"),
           "rows": Output(ids.TABLE, "rowData"), "columns": Output(ids.TABLE, "columnDefs"),
           "funnel": Output(ids.FUNNEL, "figure"), "sensitivity": Output(ids.SENSITIVITY, "figure"),
           "map": Output(ids.MAP, "figure"), "map_key": Output(ids.MAP_KEY, "data"),
           "csv": Output(ids.EXPORT_CSV, "href"), "xlsx": Output(ids.EXPORT_XLSX, "href")}


@callback(
    output={"rule": Output(ids.RULE, "data"), "address": Output(ids.ADDRESS, "data"),
            "years": Output(ids.ANNEE, "options"), "gestures": Output(ids.GESTE, "options"),
            "notices": Output(ids.NOTICES, "children"),
            "values": {name: Output(control, "value") for name, control in CONTROLS.items()},
            "hidden": {name: Output(block, "hidden") for name, block in BLOCKS.items()},
            "results": RESULTS},
    inputs={"controls": {name: Input(control, "value") for name, control in CONTROLS.items()},
            "current": State(ids.RULE, "data"), "map_key": State(ids.MAP_KEY, "data")},
    prevent_initial_call=True,  # the layout renders the address's rule, its controls, notices and results
)
def update_rule(controls, current, map_key):
    """The one place the rule changes after the first render, from the controls, and everything
    the rule gives, in one answer (the results only when the rule changed, or when the page holds
    no map yet: `map_key` None)."""
    change = service.apply_controls(service.rule_of(current), PARAMETERS.get(ctx.triggered_id), controls)
    years, gestures = service.control_options(change.rule) if change.new_options else (no_update, no_update)
    changed = asdict(change.rule) != current
    results = (render_results(asdict(change.rule), map_key) if changed or map_key is None
               else dict.fromkeys(RESULTS, no_update))
    return {"rule": asdict(change.rule) if changed else no_update,
            "address": page_address(change.rule) if changed else no_update,
            "years": years, "gestures": gestures, "notices": view.notices_block(change.notices),
            "values": {name: change.values.get(name, no_update) for name in CONTROLS},
            "hidden": service.hidden_blocks(change.rule), "results": results}


write_address_callback(ids.ADDRESS, ids.URL_SYNC)


def _clicked_code(click):
    """The FINESS (or its anonymised code) a funnel point's customdata starts with, or a map point's
    customdata is; whatever else was clicked (a département of the map) gives something else."""
    points = (click or {}).get("points") or [{}]
    custom = points[0].get("customdata") if isinstance(points[0], dict) else None
    return custom[0] if isinstance(custom, list) and custom else custom


@callback(Output(ids.PROFILE, "data"), Input(ids.FUNNEL, "clickData"), Input(ids.MAP, "clickData"),
          prevent_initial_call=True)
def open_profile(funnel_click, map_click):
    """A click on an establishment (funnel or map point) opens its profile."""
    path = service.profile_path(_clicked_code(map_click if ctx.triggered_id == ids.MAP else funnel_click))
    return path or no_update


navigate_callback(Input(ids.PROFILE, "data"), ids.NAVIGATE)


def render_results(rule_data, map_key) -> dict:
    """Everything the rule gives, from one evaluation: count, rule, grid, funnel, sensitivity, map
    (the layout draws the first rule with it too). The finished parts are cached on the data
    version, the rule and the mode; the map is a patch of its points when `map_key` names the
    perimeter drawn."""
    rule = service.rule_of(rule_data)
    if rule.annee is None:
        return {"count": html.P("Aucune donnée pour cette campagne."), "rule_text": None, "rows": [],
                "columns": view.columns(rule.campagne), "funnel": {}, "sensitivity": {}, "map": no_update,
                "map_key": no_update, "csv": no_update, "xlsx": no_update}
    finished = cached(_finished_results, astuple(rule), cache_key(current_mode()))
    points = finished.pop("points")
    if map_key == rule.perimetre:
        patch = Patch()
        patch["data"][france_map.POINTS_TRACE] = points
        return {**finished, "map": patch.to_plotly_json(), "map_key": no_update}
    fig = view.perimeter_map(france_map.geometry_url("dep"), service.map_departements(rule.perimetre),
                             geo_names().departements, rule.perimetre == "FR", MAP_SIZE)
    fig.add_trace(points)
    return {**finished, "map": fig, "map_key": rule.perimetre}


def _finished_results(_url: str, fields: tuple, _mode_key: tuple) -> dict:
    """The results of a rule but the map's geometry, as plain data (cached; the mode is the request's,
    named in the key)."""
    rule = model.MsapRule(*fields)
    res = service.results(rule)
    query = service.query_string(rule)
    return {"count": _json_ready(view.count_block(res.evaluated, rule, res.national, res.secret)),
            "rule_text": _json_ready([html.H2("Règle appliquée", className="msap-rule-title")]
                                     + [html.P(s) for s in service.rule_text(rule)]),
            "rows": res.rows, "columns": view.columns(rule.campagne, res.mode.masked, res.mode.anonymised),
            "funnel": view.funnel_figure(res.evaluated, rule, res.national["rate"], secret=res.secret,
                                         aliases=res.aliases),
            "sensitivity": view.sensitivity_figure(res.sensitivity, rule),
            "points": view.flagged_points_trace(res.evaluated, rule.campagne, res.secret,
                                                res.aliases).to_plotly_json(),
            "csv": "/export/msap.csv" + query, "xlsx": "/export/msap.xlsx" + query}


def _json_ready(value):
    """Dash components as the JSON they are sent as (plain dicts and lists). Plotly's encoder sends
    an answer that is plain data straight to orjson; one component (or Patch) anywhere makes it walk
    the whole answer, the thousand grid rows included, in Python first (~12 ms of a parameter change)."""
    if hasattr(value, "to_plotly_json"):
        return _json_ready(value.to_plotly_json())
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    return value


@callback(Output(MsapCampaign.CODE, "value"), Output(MsapCampaign.LABEL, "value"),
          Input(MsapCampaign.SUMMARY, "n_clicks"), State(ids.RULE, "data"), prevent_initial_call=True)
def propose_campaign(_opened, rule_data):
    """Opening "Créer une campagne" proposes a code and label for the rule shown (not on every rule
    change: a control change stays one request)."""
    proposed = actions_service.msap_defaults(service.rule_of(rule_data))
    return proposed["code"], proposed["label"]


@callback(Output(MsapCampaign.MESSAGE, "children"), Input(MsapCampaign.SUBMIT, "n_clicks"),
          State(ids.RULE, "data"), State(MsapCampaign.CODE, "value"), State(MsapCampaign.LABEL, "value"),
          prevent_initial_call=True)
def create_msap_campaign(n_clicks, rule_data, code, label):
    """"Créer une campagne avec cette liste": the rule's flagged establishments, frozen, with its address."""
    actions_service.require()
    if not n_clicks:
        return no_update
    outcome = actions_service.create_from_msap(service.rule_of(rule_data), code, label)
    if not outcome.ok:
        return html.P(outcome.message, className="notice", role="status")
    return html.P([outcome.message, " ", dcc.Link("Ouvrir la campagne", href=f"/actions/{(code or '').strip()}")],
                  className="action-ok", role="status")
