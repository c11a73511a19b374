"""The /ssr view as a first Dash app would do it — the naive peer of `make bench` (issue 15).

One callback per change: a pandas query of the raw facts (ssr_recourse joined with the establishments),
a groupby, and `px.choropleth_map` rebuilt with the regions' geometry read and sent again every time.
No cache, no Patch, no aggregate table, no compression: nothing Atlas does to be fast. Same database,
same figure of interest (share of stays followed by SSR, by region, for a gesture, an age band, a year).

Served by `bench.peers.measure` as `gunicorn bench.peers.naive_ssr:server` with DATABASE_URL set.
"""
from __future__ import annotations

import json
import os

import pandas as pd
import plotly.express as px
from dash import Dash, Input, Output, dcc, html
from sqlalchemy import create_engine

engine = create_engine(os.environ["DATABASE_URL"])
app = Dash(__name__)
server = app.server

app.layout = html.Div([
    html.H1("Recours au SSR"),
    dcc.RadioItems(id="geste", options=["PTG", "PTH", "LCA", "COIFFE"], value="PTG", inline=True),
    dcc.RadioItems(id="age", options=[{"label": "Tous âges", "value": "tous"}, {"label": "< 60 ans", "value": "<60"},
                                      {"label": "60-74 ans", "value": "60-74"}, {"label": "75 ans et +", "value": "75+"}],
                   value="tous", inline=True),
    dcc.Dropdown(id="annee", options=list(range(2015, 2025)), value=2024, clearable=False),
    dcc.Graph(id="carte"),
])


@app.callback(Output("carte", "figure"), Input("geste", "value"), Input("age", "value"), Input("annee", "value"))
def carte(geste, age, annee):
    facts = pd.read_sql("SELECT s.*, e.region_code FROM ssr_recourse s JOIN establishments e ON e.finess = s.finess",
                        engine)
    facts = facts[(facts.gesture == geste) & (facts.year == annee)]
    if age != "tous":
        facts = facts[facts.age_band == age]
    by_region = facts.groupby("region_code")[["stays", "stays_with_ssr"]].sum().reset_index()
    by_region["taux"] = by_region.stays_with_ssr / by_region.stays * 100
    regions = pd.read_sql("SELECT code, name, geometry FROM regions", engine)
    geojson = {"type": "FeatureCollection",
               "features": [{"type": "Feature", "id": r.code, "properties": {"nom": r.name},
                             "geometry": json.loads(r.geometry)} for r in regions.itertuples()]}
    df = by_region.merge(regions[["code", "name"]], left_on="region_code", right_on="code")
    fig = px.choropleth_map(df, geojson=geojson, locations="code", color="taux", hover_name="name",
                            map_style="white-bg", center={"lat": 46.6, "lon": 2.5}, zoom=4.2,
                            color_continuous_scale="Blues", labels={"taux": "Recours au SSR (%)"})
    fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0})
    return fig

