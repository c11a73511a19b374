"""/etablissements: Dash wiring of the directory (services.etablissements): search as you type,
filters, a row opens the profile; the address keeps the search (shareable, and the back button
comes back to it)."""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, no_update

from components.address import address, navigate_callback, write_address_callback
from pages.ids import Etablissements as ids
from services import etablissements as service


@callback(Output(ids.DEPARTEMENT, "options"), Output(ids.DEPARTEMENT, "value"),
          Input(ids.REGION, "value"), State(ids.DEPARTEMENT, "value"), prevent_initial_call=True)
def fill_departements(region, current):
    """A region chosen: its départements (the layout has filled them for the address's view)."""
    return service.departement_options(region), service.departement_kept(region, current)


@callback(
    output={"rows": Output(ids.GRID, "rowData"), "count": Output(ids.COUNT, "children"),
            "columns": Output(ids.GRID, "columnDefs"), "address": Output(ids.ADDRESS, "data")},
    inputs={"q": Input(ids.SEARCH, "value"), "region": Input(ids.REGION, "value"),
            "departement": Input(ids.DEPARTEMENT, "value"), "statut": Input(ids.STATUT, "value"),
            "activite": Input(ids.ACTIVITE, "value")},
    state={"columns": State(ids.GRID, "columnDefs")},
)
def search(q, region, departement, statut, activite, columns):
    view = service.parse_view({"q": q, "region": region, "departement": departement, "statut": statut,
                               "activite": activite})
    found = service.search(view)
    shown = _anonymised_columns(columns) if found.anonymised and columns else no_update
    return {"rows": found.rows, "count": found.count_text, "columns": shown,
            "address": address(service.PATH, service.query_string(view))}


def _anonymised_columns(columns: list[dict]) -> list[dict]:
    """Anonymised: no FINESS column (the `finess` field holds the code of the profile's address), no
    commune, the capacity a text (a band of lits et places)."""
    out = []
    for c in columns:
        if c.get("field") in ("finess", "commune"):
            continue
        if c.get("field") == "lits_places":
            c = {k: v for k, v in c.items() if k not in ("type", "valueFormatter")}
        out.append(c)
    return out


# A row opens the profile, in the browser (assets/atlas-clientside.js, profileOfRow: the address of
# the row's link), then the router draws it.
clientside_callback(ClientsideFunction(namespace="atlas", function_name="profileOfRow"),
                    Output(ids.OPEN, "data"), Input(ids.GRID, "cellClicked"), prevent_initial_call=True)
navigate_callback(Input(ids.OPEN, "data"), ids.NAVIGATE)
write_address_callback(ids.ADDRESS, ids.URL_SYNC)
