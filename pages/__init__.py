"""One module per page: dash.register_page(...) and a layout function; no logic, no queries."""
