"""One module per page (same name), plus shell.py for the frame. Small @dash.callback functions."""
