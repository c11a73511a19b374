"""The header's data version, refreshed on every navigation."""
from dash import ClientsideFunction, Input, Output, callback, clientside_callback, html

from config import current_settings
from data_access import queries
from pages.ids import Shell as ids
from text import labels


@callback(Output(ids.DATA_VERSION, "children"), Input(ids.URL, "pathname"))
def show_data_version(_pathname):
    try:
        status = queries.data_status(current_settings().database_url)
    except Exception:
        return html.Span(labels.DB_UNREACHABLE, className="warning")
    last = (labels.LAST_IMPORT.format(date=labels.fr_datetime(status.last_import_at))
            if status.last_import_at else labels.NO_IMPORT)
    return [html.Span(labels.DATA_VERSION.format(version=status.version)), " · ", html.Span(last)]


# The presentation switches reload the page with ?presentation= / ?anonyme= in its address: the
# server sets the session's mode from them (security.auth) and every figure is rebuilt in that mode.
clientside_callback(
    ClientsideFunction(namespace="atlas", function_name="switchMode"),
    Output(ids.MODE_SYNC, "children"),
    Input(ids.PRESENTATION, "value"), Input(ids.ANONYMISED, "value"),
    prevent_initial_call=True,
)
