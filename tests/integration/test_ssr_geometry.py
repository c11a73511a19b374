"""A filter change recolours the map without resending its geometry (Dash Patch), while a new
level or drill-down sends the geometry once."""
import json
from pathlib import Path

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


def test_first_draw_sends_the_geometry_and_a_filter_change_only_colours(dash_app, sqlite_url):
    small_ssr_dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        client = signed_client(server)
        first = client.post("/_dash-update-component", json=_map_request(VIEW, None))
        assert first.status_code == 200
        assert '"coordinates"' in first.get_data(as_text=True)

        change = client.post("/_dash-update-component", json=_map_request({**VIEW, "geste": "TOUS", "age": "75+"}, KEY))
        assert change.status_code == 200
        text = change.get_data(as_text=True)
        assert '"coordinates"' not in text and '"geojson"' not in text
        payload = json.loads(text)["response"]["ssr-map"]["figure"]
        assert payload["__dash_patch_update"] == "__dash_patch_update"
        assert len(text) < 20_000, len(text)  # colours, hover texts and legend only

        drill = client.post("/_dash-update-component", json=_map_request({**VIEW, "focus": "75"}, KEY))
        assert '"coordinates"' in drill.get_data(as_text=True)  # a drill-down draws the region once
