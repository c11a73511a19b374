"""Form controls shared by the pages.

Native radio buttons (dash-bootstrap-components renders real <input type=radio> with <label for>)
in a fieldset with its legend: every choice visible, one click, keyboard and screen-reader friendly.
Dash 4's own Dropdown and RadioItems fail axe-core (aria-hidden-focus, nested-interactive).
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html


def options(labels: dict) -> list[dict]:
    """[{'label': French label, 'value': code}, …] from {code: label}."""
    return [{"label": v, "value": k} for k, v in labels.items()]


def segmented(legend: str, component_id: str, choices: list[dict], value,
              block_id: str | None = None) -> html.Fieldset:
    """A group of radio buttons styled as a segmented control (assets/atlas.css `.segmented`)."""
    extra = {"id": block_id} if block_id else {}
    return html.Fieldset([html.Legend(legend),
                          dbc.RadioItems(id=component_id, options=choices, value=value, inline=True,
                                         className="segmented", label_checked_class_name="seg-checked")],
                         className="control", **extra)


def url_state(query: dict, query_id: str, store_ids: list[str], hidden_ids: list[str]) -> list:
    """The invisible part of a page whose address is its view: the raw query kept as is (the page's
    sync callback checks it against the data and fills the controls), the page's stores, and the
    hidden targets of its clientside callbacks (URL writer, navigation)."""
    return ([dcc.Store(id=query_id, data={k: v for k, v in query.items() if isinstance(v, str)})]
            + [dcc.Store(id=i) for i in store_ids] + [html.Div(id=i, hidden=True) for i in hidden_ids])


def clicked_territory(trigger, map_id: str, table_id: str, click, cell) -> str | None:
    """The territory code a drill-down click names: a map shape's location, or the row id of the
    table beside the map (keyboard friendly); None for anything else (an empty or malformed click)."""
    if trigger == map_id:
        points = (click or {}).get("points") or [{}]
        return points[0].get("location") if isinstance(points[0], dict) else None
    if trigger == table_id:
        return (cell or {}).get("rowId")
    return None


def breadcrumb(path: list[tuple[str, str]], crumb_type: str) -> list:
    """'France › région › département': buttons whose pattern-matching id {"type": crumb_type,
    "code": code} names the territory to go back to ('' = France), for every drill-down view."""
    crumbs = [html.Button("France", id={"type": crumb_type, "code": ""}, className="crumb")]
    for code, label in path:
        crumbs += [html.Span("›", className="crumb-sep", **{"aria-hidden": "true"}),
                   html.Button(label, id={"type": crumb_type, "code": code}, className="crumb")]
    return crumbs
