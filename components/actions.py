"""UI pieces of the action follow-up: campaign cards with their funnel chart and regional table,
the establishments grid, the step form and the histories. Pure functions of plain data (the rows
of services.actions); every text is a Dash child, so notes are shown escaped."""
from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from analytics.actions import FUNNEL_COLUMNS
from text import actions as labels
from text.format import fmt_int, fmt_pct

CHART_CONFIG = {"displaylogo": False, "displayModeBar": False}


def notice(message: str | None, ok: bool = False):
    if not message:
        return None
    return html.P(message, className="action-ok" if ok else "notice", role="status")


def funnel_figure(total: dict[str, int], height: int = 280) -> go.Figure:
    """Horizontal bars, chain order top to bottom: how many establishments reached at least each
    step, with the share of those targeted."""
    targeted = total.get("ciblees", 0)
    names = [labels.FUNNEL_LABELS[c] for c in FUNNEL_COLUMNS]
    values = [total.get(c, 0) for c in FUNNEL_COLUMNS]
    text = [f"{fmt_int(v)} ({fmt_pct(v / targeted, 0)})" if targeted else fmt_int(v) for v in values]
    fig = go.Figure(go.Bar(x=values, y=names, orientation="h", text=text, textposition="outside",
                           marker_color=["#0b4f8a"] * 4 + ["#c2410c"] * 4 + ["#1f7a3a"] * 2,
                           hovertemplate="%{y} : %{x}<extra></extra>", cliponaxis=False))
    fig.update_layout(margin={"l": 10, "r": 60, "t": 6, "b": 6}, height=height, plot_bgcolor="#fff",
                      paper_bgcolor="#fff", font={"size": 12 if height > 240 else 11},
                      xaxis={"rangemode": "tozero", "gridcolor": "#e5e9ef", "showticklabels": False,
                             "range": [0, max(values + [1]) * 1.3]},
                      yaxis={"autorange": "reversed"})
    return fig


def _ratio_text(row: dict, num: str, den: str) -> str:
    return fmt_pct(row[num] / row[den], 0) if row.get(den) else "–"


def region_columns() -> list[dict]:
    cols = [{"field": "region", "headerName": "Région", "pinned": "left", "minWidth": 170}]
    for c in FUNNEL_COLUMNS:
        cols.append({"field": c, "headerName": labels.FUNNEL_LABELS[c], "type": "numericColumn", "width": 118})
    for num, den, label in labels.RATIOS:
        cols.append({"field": f"{num}_sur_{den}", "headerName": label, "type": "numericColumn", "width": 115})
    return cols


def region_rows(rows: list[dict], total: dict[str, int] | None = None) -> list[dict]:
    """The export rows with the reported ratios as text; a last 'Total' row when given."""
    out = []
    for row in rows + ([{"region": "Total", **total}] if total is not None and len(rows) > 1 else []):
        out.append({**row, **{f"{n}_sur_{d}": _ratio_text(row, n, d) for n, d, _ in labels.RATIOS}})
    return out


def region_grid(grid_id, rows: list[dict], total: dict[str, int]) -> dag.AgGrid:
    return dag.AgGrid(id=grid_id, rowData=region_rows(rows, total), columnDefs=region_columns(),
                      className="ag-theme-alpine", style={"height": None}, getRowId="params.data.region",
                      defaultColDef={"resizable": True, "sortable": False, "suppressHeaderMenuButton": True,
                                     "wrapHeaderText": True, "autoHeaderHeight": True},
                      dashGridOptions={"domLayout": "autoHeight", "rowHeight": 30,
                                       "localeText": {"noRowsToShow": "Aucun établissement ciblé"}})


def ratio_list(total: dict[str, int]) -> html.Dl:
    """The ratios the regional programmes report ("rencontrés / ciblés"…), with their counts."""
    items = []
    for num, den, label in labels.RATIOS:
        items += [html.Dt(label), html.Dd([html.Strong(_ratio_text(total, num, den)),
                                           f" ({fmt_int(total[num])} / {fmt_int(total[den])})"])]
    return html.Dl(items, className="campaign-ratios")


def campaign_card(funnel, *, heading_level: str = "h2", link: bool = True, grid: bool = True) -> html.Section:
    """A campaign: title (a link to its page), theme, year, perimeter, where the list comes from,
    the funnel chart and the regional table ("rencontrés / ciblés"…)."""
    c, total = funnel.campaign, funnel.total
    heading = getattr(html, heading_level.upper())
    title = dcc.Link(f"{c.code} — {c.label}", href=f"/actions/{c.code}") if link else f"{c.code} — {c.label}"
    source = ([html.A("règle de ciblage /msap (la rejouer)", href=c.rule_query)] if c.rule_query
              else ["liste importée ou saisie"])
    met = total["entretiens"]
    headline = (f"{fmt_int(met)} établissement{'s' if met > 1 else ''} rencontré{'s' if met > 1 else ''} sur "
                f"{fmt_int(total['ciblees'])} ciblé{'s' if total['ciblees'] > 1 else ''}"
                + (f" ({fmt_pct(met / total['ciblees'], 0)})" if total["ciblees"] else ""))
    body = [heading(title, className="campaign-title"),
            html.P([labels.THEME_LABELS.get(c.theme, c.theme), f" · {c.year} · périmètre {c.perimeter} · "]
                   + source, className="figure-count"),
            html.P(headline, className="campaign-headline"),
            html.Div([dcc.Graph(figure=funnel_figure(total, 280 if grid else 220), config=CHART_CONFIG,
                                style={"height": "280px" if grid else "220px"},
                                id={"type": "actions-funnel", "code": c.code}, className="campaign-chart"),
                      ratio_list(total) if grid else None], className="campaign-top")]
    if grid:
        body.append(region_grid({"type": "actions-regions", "code": c.code}, funnel.regions, total))
    return html.Section(body, className="card campaign-card", **{"aria-label": f"Campagne {c.code}"})


def establishment_columns() -> list[dict]:
    return [
        {"field": "lien", "headerName": "Établissement", "minWidth": 240, "flex": 2,
         "cellRenderer": "markdown", "tooltipField": "raison_sociale"},
        {"field": "finess", "headerName": "FINESS", "width": 110},
        {"field": "region", "headerName": "Région", "width": 170},
        {"field": "departement", "headerName": "Département", "width": 170},
        {"field": "etape_label", "headerName": "Étape actuelle", "width": 180},
        {"field": "issue", "headerName": "Issue", "width": 150},
        {"field": "depuis", "headerName": "Depuis le", "width": 110},
        {"field": "saisi_par", "headerName": "Saisi par", "width": 140},
    ]


def establishment_grid(grid_id: str) -> dag.AgGrid:
    return dag.AgGrid(id=grid_id, rowData=[], columnDefs=establishment_columns(), className="ag-theme-alpine",
                      style={"height": "420px"}, getRowId="params.data.finess",
                      defaultColDef={"resizable": True, "sortable": True, "suppressHeaderMenuButton": True},
                      dashGridOptions={"rowHeight": 30, "tooltipShowDelay": 300,
                                       "localeText": {"noRowsToShow": "Aucun établissement"}})


def grid_rows(rows: list[dict]) -> list[dict]:
    """Establishment rows with the name as a link to the profile (markdown, escaped by the grid)."""
    return [{**r, "lien": f"[{_md(r['raison_sociale'])}](/etablissement/{r['finess']})"} for r in rows]


def _md(text: str) -> str:
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!<>|" else ch for ch in str(text))


def _field(label: str, control, hint: str | None = None) -> html.Div:
    return html.Div([html.Label(label, htmlFor=control.id, className="control-label"), control]
                    + ([html.Span(hint, className="control-hint")] if hint else []), className="control")


def step_form(ns, step_options: list[dict], today_iso: str, *, first: list | None = None) -> html.Div:
    """The fields of "Enregistrer une étape" (ids from namespace `ns`): `first` holds what comes
    before the step (the establishments, or the campaign)."""
    return html.Div([
        html.Div((first or []) + [
            _field("Étape", dbc.Select(id=ns.STEP, options=step_options, value="contactee", className="select")),
            _field("Date", dbc.Input(id=ns.DATE, type="date", value=today_iso, max=today_iso, className="date-input")),
            _field("Contrôle conforme ?", dbc.Select(id=ns.CONFORME, value=None, className="select",
                                                     options=[{"label": "—", "value": ""},
                                                              {"label": "Conforme", "value": "oui"},
                                                              {"label": "Non conforme", "value": "non"}]),
                   "pour un contrôle a posteriori"),
        ], className="controls"),
        html.Div([
            _field("Médecin-conseil (entretien)", dbc.Input(id=ns.MEDECIN, type="text", maxLength=100,
                                                           className="text-input")),
            _field("Participants (entretien)", dbc.Input(id=ns.PARTICIPANTS, type="text", maxLength=500,
                                                        className="text-input wide")),
        ], className="controls"),
        _field("Note (synthèse, confidentielle)", dcc.Textarea(id=ns.NOTE, value="", maxLength=10_000,
                                                              className="note-input", rows=3)),
        html.Button("Enregistrer l'étape", id=ns.SUBMIT, n_clicks=0, className="button primary", type="button"),
        html.Div(id=ns.MESSAGE, **{"aria-live": "polite"}),
    ], className="step-form")


def history_table(rows: list[dict], *, campaign: bool = False, establishment: bool = True) -> html.Div:
    """Recorded steps, newest first (corrections included: history is never rewritten)."""
    if not rows:
        return html.P("Aucune étape enregistrée.", className="figure-count")
    head = (["Campagne"] if campaign else []) + (["Établissement"] if establishment else []) + [
        "Date", "Étape", "Saisi par", "Détails", "Note"]
    body = []
    for r in reversed(rows):
        details = "; ".join(x for x in (f"médecin-conseil : {r['medecin']}" if r.get("medecin") else "",
                                        f"participants : {r['participants']}" if r.get("participants") else "",
                                        r.get("conforme", "")) if x)
        cells = ([r["campagne"]] if campaign else []) + ([f"{r['raison_sociale']} ({r['finess']})"]
                                                         if establishment else [])
        cells += [_fr_date(r["date"]), r["libelle_etape"], r["saisi_par"], details]
        body.append(html.Tr([html.Td(c) for c in cells] + [html.Td(r["note"], className="note-cell")]))
    return html.Div(html.Table([html.Thead(html.Tr([html.Th(h, scope="col") for h in head])), html.Tbody(body)],
                               className="history-table"), className="history-wrap")


def _fr_date(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" if len(iso) == 10 else iso


def profile_section(campaigns: list, campaign_options: list[dict], step_options: list[dict], today_iso: str,
                    ns) -> html.Section:
    """The profile's "Suivi des actions": the establishment's state in each campaign targeting it,
    its history there, and the form to record a step."""
    if not campaigns:
        return html.Section([html.H2("Suivi des actions"),
                             html.P("Cet établissement n'est sur la liste d'aucune campagne. Ajoutez-le depuis la page "
                                    "d'une campagne (Suivi des actions) ou créez une campagne depuis le ciblage MSAP.",
                                    className="figure-count")],
                            className="profile-section actions-section")
    states = html.Ul([html.Li([dcc.Link(p.campaign.code, href=f"/actions/{p.campaign.code}"),
                               f" — {p.campaign.label} : ", html.Strong(labels.STEP_LABELS[p.state.step]),
                               (f" (issue : {labels.STEP_LABELS[p.state.outcome]})" if p.state.outcome else "")])
                      for p in campaigns])
    first = [_field("Campagne", dbc.Select(id=ns.CAMPAIGN, options=campaign_options,
                                           value=campaign_options[0]["value"], className="select"))]
    return html.Section([
        html.H2("Suivi des actions"), states,
        html.H3("Enregistrer une étape"),
        step_form(ns, step_options, today_iso, first=first),
        html.H3("Historique"),
        html.Div(id=ns.HISTORY),
    ], className="profile-section actions-section no-print")
