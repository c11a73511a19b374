"""Action follow-up, Dash wiring only: /actions (campaign cards, new campaign), /actions/<code>
(filters, grid, step form, adding establishments) and the profile's section. services.actions
checks the role (403 for iraps), the presentation mode, the step and the optimistic version."""
from __future__ import annotations

from urllib.parse import urlencode

from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from components import actions as view
from components.address import address, write_address_callback
from pages.ids import Action, Actions, ActionsProfile, Etablissement
from services import actions as service
from text import actions as labels


def _message(outcome: service.Outcome, link: str | None = None):
    if outcome.ok and link:
        return html.P([outcome.message, " ", dcc.Link("Ouvrir la campagne", href=link)], className="action-ok",
                      role="status")
    return view.notice(outcome.message, ok=outcome.ok)


# --- /actions ----------------------------------------------------------------------------------

@callback(Output(Actions.CAMPAIGNS, "children"), Input(Actions.VIEW, "data"))
def render_campaigns(view_data):
    """Every campaign of the year (all years without one) with its funnel and regional table."""
    service.require()
    if service.hidden_by_presentation():
        return view.notice(labels.NOT_IN_PRESENTATION)
    year = (view_data or {}).get("annee")
    funnels = service.funnels(year if isinstance(year, int) else None, fresh=True)
    if not funnels:
        return html.P("Aucune campagne pour l'instant : créez-en une depuis le ciblage MSAP (« Créer une campagne "
                      "avec cette liste »), importez-en (manage.py import campaigns) ou ci-dessous.",
                      className="figure-count")
    return [view.campaign_card(f) for f in funnels]


@callback(Output(Actions.NEW_MESSAGE, "children"), Input(Actions.NEW_SUBMIT, "n_clicks"),
          State(Actions.NEW_CODE, "value"), State(Actions.NEW_LABEL, "value"), State(Actions.NEW_THEME, "value"),
          State(Actions.NEW_YEAR, "value"), State(Actions.NEW_PERIMETER, "value"), prevent_initial_call=True)
def create_campaign(n_clicks, code, label, theme, year, perimeter):
    service.require()
    if not n_clicks:
        raise PreventUpdate
    outcome = service.create(code, label, theme, year, perimeter)
    return _message(outcome, f"/actions/{(code or '').strip()}" if outcome.ok else None)


# --- /actions/<code> ------------------------------------------------------------------------------

@callback(
    output={"rows": Output(Action.TABLE, "rowData"), "count": Output(Action.COUNT, "children"),
            "targets": Output(Action.TARGETS, "options"), "versions": Output(Action.VERSIONS, "data"),
            "history": Output(Action.HISTORY, "children"), "address": Output(Action.ADDRESS, "data")},
    inputs={"etape": Input(Action.ETAPE, "value"), "region": Input(Action.REGION, "value"),
            "refresh": Input(Action.REFRESH, "data"), "added": Input(Action.ADD_REFRESH, "data"),
            "code_data": State(Action.CODE, "data")},
)
def render_campaign(etape, region, refresh, added, code_data):
    """The campaign's establishments as they are now (after any write), filtered; the versions shown."""
    service.require()
    code = (code_data or {}).get("code")
    if service.hidden_by_presentation() or service.campaign(code, fresh=True) is None:
        raise PreventUpdate
    rows = service.establishment_rows(code, fresh=True)
    chosen = {k: v for k, v in (("etape", etape), ("region", region)) if isinstance(v, str) and v != "toutes"}
    filters, _notices = service.parse_filters(chosen, rows)
    shown = service.filtered(rows, filters)
    search = {k: v for k, v in filters.items() if v}
    return {"rows": view.grid_rows(shown),
            "count": f"{len(shown)} établissement{'s' if len(shown) > 1 else ''} affiché{'s' if len(shown) > 1 else ''}"
                     f" sur {len(rows)} de la liste",
            "targets": [{"label": f"{r['raison_sociale']} ({r['finess']})", "value": r["finess"]} for r in rows],
            "versions": {r["finess"]: r["version"] for r in rows},
            "history": view.history_table(service.step_rows(code, fresh=True)),
            "address": address(f"/actions/{code}", ("?" + urlencode(search)) if search else "")}


write_address_callback(Action.ADDRESS, Action.URL_SYNC)


@callback(Output(Action.MESSAGE, "children"), Output(Action.REFRESH, "data"),
          Input(Action.SUBMIT, "n_clicks"),
          State(Action.CODE, "data"), State(Action.TARGETS, "value"), State(Action.STEP, "value"),
          State(Action.DATE, "value"), State(Action.MEDECIN, "value"), State(Action.PARTICIPANTS, "value"),
          State(Action.CONFORME, "value"), State(Action.NOTE, "value"), State(Action.VERSIONS, "data"),
          State(Action.REFRESH, "data"), prevent_initial_call=True)
def record_campaign_step(n_clicks, code_data, selected, step, date, medecin, participants, conforme, note,
                         versions, refresh):
    """Record one step for the establishments chosen, against the versions the page showed."""
    service.require()
    if not n_clicks:
        raise PreventUpdate
    versions = versions if isinstance(versions, dict) else {}
    seen = {str(f): versions.get(str(f), -1) for f in (selected or [])}
    outcome = service.record((code_data or {}).get("code"), seen,
                             {"etape": step, "date": date, "medecin": medecin, "participants": participants,
                              "conforme": conforme, "note": note})
    return _message(outcome), (refresh or 0) + 1


@callback(Output(Action.ADD_MESSAGE, "children"), Output(Action.ADD_REFRESH, "data"),
          Input(Action.ADD_SUBMIT, "n_clicks"), State(Action.CODE, "data"), State(Action.ADD_FINESS, "value"),
          State(Action.ADD_REFRESH, "data"), prevent_initial_call=True)
def add_campaign_targets(n_clicks, code_data, finess_text, added):
    service.require()
    if not n_clicks:
        raise PreventUpdate
    outcome = service.add_by_hand((code_data or {}).get("code"), finess_text)
    return _message(outcome), (added or 0) + (1 if outcome.ok else 0)


# --- The profile's section ------------------------------------------------------------------------

def profile_actions(store: dict | None):
    """The establishment's campaigns, its state and history in each, the step form: drawn by the
    profile's layout (pages/etablissement.py), no callback. Nothing for a role without the
    follow-up (iraps), nor in presentation mode."""
    if not service.allowed():
        return None
    finess = (store or {}).get("finess")
    if service.hidden_by_presentation() or not finess:
        return None
    campaigns = service.profile_campaigns(finess, fresh=True)
    section = view.profile_section(campaigns, service.campaign_options(campaigns), service.step_options(),
                                   service.today().isoformat(), ActionsProfile)
    if not campaigns:  # no form, no history: the stores that drive them would feed nothing
        return section
    return [dcc.Store(id=ActionsProfile.VERSIONS, data={p.campaign.code: p.version for p in campaigns}),
            dcc.Store(id=ActionsProfile.REFRESH, data=0), section]


@callback(Output(ActionsProfile.HISTORY, "children"), Output(ActionsProfile.VERSIONS, "data"),
          Input(ActionsProfile.REFRESH, "data"), State(Etablissement.FINESS, "data"), prevent_initial_call=True)
def refresh_profile_actions(_refresh, store):
    """A step recorded: the history and the versions read again (the layout drew them first)."""
    service.require()
    finess = (store or {}).get("finess")
    if service.hidden_by_presentation() or not finess:
        raise PreventUpdate
    campaigns = service.profile_campaigns(finess, fresh=True)
    rows = [s for p in campaigns for s in p.steps]
    return (view.history_table(rows, campaign=True, establishment=False),
            {p.campaign.code: p.version for p in campaigns})


@callback(Output(ActionsProfile.MESSAGE, "children"), Output(ActionsProfile.REFRESH, "data"),
          Input(ActionsProfile.SUBMIT, "n_clicks"),
          State(Etablissement.FINESS, "data"), State(ActionsProfile.CAMPAIGN, "value"),
          State(ActionsProfile.STEP, "value"), State(ActionsProfile.DATE, "value"),
          State(ActionsProfile.MEDECIN, "value"), State(ActionsProfile.PARTICIPANTS, "value"),
          State(ActionsProfile.CONFORME, "value"), State(ActionsProfile.NOTE, "value"),
          State(ActionsProfile.VERSIONS, "data"), State(ActionsProfile.REFRESH, "data"), prevent_initial_call=True)
def record_profile_step(n_clicks, store, code, step, date, medecin, participants, conforme, note, versions, refresh):
    """"Enregistrer une étape" on the profile: one establishment, the campaign chosen."""
    service.require()
    if not n_clicks:
        raise PreventUpdate
    finess = (store or {}).get("finess")
    versions = versions if isinstance(versions, dict) else {}
    outcome = service.record(code, {str(finess): versions.get(code, -1)} if finess else {},
                             {"etape": step, "date": date, "medecin": medecin, "participants": participants,
                              "conforme": conforme, "note": note})
    return _message(outcome), (refresh or 0) + 1
