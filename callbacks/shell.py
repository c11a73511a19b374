"""The header's data version, refreshed on every navigation without a request of its own: every
page the router draws carries it (`with_data_version`), and a clientside callback copies it into
the header."""
from __future__ import annotations

import functools

from dash import ClientsideFunction, Input, Output, clientside_callback, html

from config import current_settings
from data_access import queries
from pages.ids import Shell as ids
from text import labels


def data_version_text():
    """'Données v12 · dernier import le 07/12/2026 à 17:51' (or why it cannot be read)."""
    try:
        status = queries.data_status(current_settings().database_url)
    except Exception:
        return html.Span(labels.DB_UNREACHABLE, className="warning")
    last = (labels.LAST_IMPORT.format(date=labels.fr_datetime(status.last_import_at))
            if status.last_import_at else labels.NO_IMPORT)
    return [html.Span(labels.DATA_VERSION.format(version=status.version)), " · ", html.Span(last)]


def with_data_version(layout):
    """A page's layout (a function of the address, or a component) followed by a hidden copy of the
    data version, for the header; Dash's router draws it (factory registers it for every page)."""
    @functools.wraps(layout if callable(layout) else data_version_text)
    def page(**address):
        content = layout(**address) if callable(layout) else layout
        return [content, html.Div(data_version_text(), id=ids.PAGE_DATA_VERSION, hidden=True)]

    page.carries_data_version = True  # type: ignore[attr-defined]
    return page


def carry_data_version(registry: dict) -> None:
    """Wrap every registered page's layout with `with_data_version` (once: apps built again in
    the same process share Dash's page registry)."""
    for page in registry.values():
        if not getattr(page["layout"], "carries_data_version", False):
            page["layout"] = with_data_version(page["layout"])


clientside_callback("function (version) { return version; }",
                    Output(ids.DATA_VERSION, "children"), Input(ids.PAGE_DATA_VERSION, "children"))


# The presentation switches reload the page with ?presentation= / ?anonyme= in its address: the
# server sets the session's mode from them (security.auth) and every figure is rebuilt in that mode.
clientside_callback(
    ClientsideFunction(namespace="atlas", function_name="switchMode"),
    Output(ids.MODE_SYNC, "children"),
    Input(ids.PRESENTATION, "value"), Input(ids.ANONYMISED, "value"),
    prevent_initial_call=True,
)
