"""The address of a view, written by the browser (assets/atlas-clientside.js, namespace `atlas`).

A page's service builds the query string of its validated view (`services.<view>.query_string`);
the page keeps it in a store shaped by `address()`, and `write_address_callback` wires the one
shared clientside writer to it. Row clicks that open another page go through `navigate_callback`.
"""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, clientside_callback


def address(path: str, search: str, push: tuple[str, ...] = ()) -> dict:
    """The store value the clientside writer reads: the page's path, the query string ("?a=1&b=2",
    built by the service) and the parameters whose change is a new history entry (a drill-down)."""
    return {"path": path, "search": search, "push": list(push)}


def write_address_callback(store_id: str, sink_id: str) -> None:
    """Register the clientside callback that writes the store's address into the browser's."""
    clientside_callback(ClientsideFunction(namespace="atlas", function_name="writeAddress"),
                        Output(sink_id, "children"), Input(store_id, "data"))


def navigate_callback(url_input: Input, sink_id: str) -> None:
    """Register the clientside callback that opens the app address given by `url_input` (a string
    property, e.g. a store holding "/etablissement/<finess>") without reloading the page."""
    clientside_callback(ClientsideFunction(namespace="atlas", function_name="navigate"),
                        Output(sink_id, "children"), url_input, prevent_initial_call=True)
