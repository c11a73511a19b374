"""The maps' geometry never travels in a callback answer: a figure names its boundaries' address
(GET /geo/<level>.json?v=<data version>, fetched once and kept by the browser), a filter change
recolours the map (Dash Patch), and a drill-down draws the region's départements of the same
address. The address serves what the maps draw, cached by the browser as long as the data version
holds."""
import json
from pathlib import Path

import brotli
from shapely.geometry import shape

from data_access import queries
from tests.conftest import app_on, signed_client
from tests.dash_bodies import ssr_view_body
from tests.factories import small_ssr_dataset

RECORDED = Path(__file__).resolve().parents[2] / "bench" / "requests" / "ssr_filter_change.json"


def _map_request(view: dict, figure_key: dict | None) -> dict:
    """/ssr's one callback (its recorded body) asked for `view` with the map holding `figure_key`."""
    (body,) = json.loads(RECORDED.read_text(encoding="utf-8"))
    return ssr_view_body(body, view, figure_key)


VIEW = {"geste": "PTG", "annee": 2024, "age": "tous", "niveau": "reg", "methode": "quantiles", "classes": 4,
        "statut": "tous", "focus": "", "points": False}
KEY = {"level": "reg", "region": "", "points": False}


def _figure(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.loads(response.get_data(as_text=True))["response"]["ssr-map"]["figure"]


def test_figures_name_the_geometry_and_a_filter_change_only_colours(dash_app, sqlite_url):
    small_ssr_dataset(sqlite_url)
    version = queries.data_status(sqlite_url).version
    with app_on(dash_app, sqlite_url) as server:
        client = signed_client(server)
        first = client.post("/_dash-update-component", json=_map_request(VIEW, None))
        assert '"coordinates"' not in first.get_data(as_text=True)
        figure = _figure(first)
        assert figure["data"][0]["geojson"] == f"/geo/reg.json?v={version}"
        assert len(figure["data"][0]["locations"]) == 18  # every region, insets included

        change = client.post("/_dash-update-component", json=_map_request({**VIEW, "geste": "TOUS", "age": "75+"}, KEY))
        text = change.get_data(as_text=True)
        assert '"coordinates"' not in text and '"geojson"' not in text
        payload = _figure(change)
        assert payload["__dash_patch_update"] == "__dash_patch_update"
        assert len(text) < 20_000, len(text)  # colours, hover texts and legend only

        drill = client.post("/_dash-update-component", json=_map_request({**VIEW, "focus": "75"}, KEY))
        assert '"coordinates"' not in drill.get_data(as_text=True)
        region = _figure(drill)["data"][0]
        assert region["geojson"] == f"/geo/dep.json?v={version}"
        # Nouvelle-Aquitaine's twelve départements, and nothing else drawn (nor framed on)
        assert region["locations"] == ["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"]


def test_the_geometry_address_serves_what_the_maps_draw(dash_app, sqlite_url):
    version = queries.data_status(sqlite_url).version
    with app_on(dash_app, sqlite_url) as server:
        client = signed_client(server)
        resp = client.get(f"/geo/dep.json?v={version}", headers={"Accept-Encoding": "identity"})
        assert resp.status_code == 200 and resp.mimetype == "application/json"
        assert resp.headers["Cache-Control"] == "private, max-age=31536000, immutable"
        layer = resp.get_json()
        ids = [f["id"] for f in layer["features"]]
        assert len(ids) == 101 and ids[:3] == ["01", "02", "03"] and "976" in ids and "2A" in ids
        # La Réunion moved into its inset, west of Brittany (its own longitude is 55° E)
        reunion = next(f for f in layer["features"] if f["id"] == "974")
        assert shape(reunion["geometry"]).bounds[2] < -5

        again = client.get(f"/geo/dep.json?v={version}", headers={"If-None-Match": resp.headers["ETag"]})
        assert again.status_code == 304 and not again.data

        packed = client.get(f"/geo/dep.json?v={version}", headers={"Accept-Encoding": "br"})
        assert packed.headers["Content-Encoding"] == "br"
        assert json.loads(brotli.decompress(packed.data)) == layer
        assert len(packed.data) < len(resp.data) / 3

        stale = client.get(f"/geo/reg.json?v={version - 1}")
        assert stale.status_code == 200 and stale.headers["Cache-Control"] == "private, no-cache"
        assert len(stale.get_json()["features"]) == 18


def test_the_geometry_address_refuses_what_it_does_not_serve(dash_app, sqlite_url):
    with app_on(dash_app, sqlite_url) as server:
        unknown = signed_client(server).get("/geo/communes.json?v=1")
        assert unknown.status_code == 404 and "erreur" in unknown.get_json()
        for path in ("/geo/dep.json", "/geo/../dep.json", "/geo/dep.json?v=%00", "/geo/%2e%2e.json"):
            assert signed_client(server).get(path).status_code in (200, 404), path
        anonymous = server.test_client().get("/geo/dep.json?v=1")
        assert anonymous.status_code in (401, 403) and "erreur" in anonymous.get_json()
