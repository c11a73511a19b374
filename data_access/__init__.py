"""SQL store: models, engine, queries, imports. No Dash here."""
