"""/caqes opens on the view of its address (controls, notices and the view's store filled by the
layout, no round trip), the controls and clicks change the view and its address, a row opens the
profile's CAQES section."""
from dataclasses import asdict

import pytest

from analytics.caqes import CaqesView
from tests.conftest import app_on, dash_body, find_component, signed_client
from tests.integration.test_caqes_export import LAC, add_caqes

VIEW_2024 = asdict(CaqesView(annee=2024))


def _text(component) -> str:
    if component is None or isinstance(component, str):
        return component or ""
    children = getattr(component, "children", None)
    return " ".join(_text(c) for c in (children if isinstance(children, list) else [children]))


def test_the_layout_renders_the_view_of_the_address_with_its_notices(dash_app, sqlite_url):
    import pages.caqes as page

    add_caqes(sqlite_url)
    with app_on(dash_app, sqlite_url) as server, server.test_request_context("/caqes"):
        tree = page.layout(annee="1990", volet="organisation", perimetre="24", niveau="commune")
    assert find_component(tree, "caqes-view").data == {"annee": 2024, "volet": "organisation", "indicateur": "tous",
                                              "perimetre": "D24", "niveau": "dep"}
    assert find_component(tree, "caqes-address").data == {
        "path": "/caqes", "search": "?annee=2024&volet=organisation&indicateur=tous&perimetre=D24&niveau=dep",
        "push": []}
    notices = _text(find_component(tree, "caqes-notices"))
    assert "« 1990 »" in notices and "« commune »" in notices and "perimetre=R24" in notices
    annee, volet = find_component(tree, "caqes-annee"), find_component(tree, "caqes-volet")
    assert annee.value == 2024 and [o["value"] for o in annee.options] == [2023, 2024]
    assert volet.value == "organisation"
    indicators = find_component(tree, "caqes-indicateur")
    assert indicators.value == "tous" and [o["value"] for o in indicators.options] == ["tous", "R_PRADO"]
    assert find_component(tree, "caqes-perimetre").value == "D24" and find_component(tree, "caqes-niveau").value == "dep"


def _sync(client, dash_app, changed: str, values: dict, current: dict) -> dict:
    # the page's one callback, its map drawn (the figure key of France's regions)
    body = dash_body(dash_app, "caqes.update_view", [*values.values(), None, None, []],
                     [current, {"level": "reg", "region": ""}])
    body["inputs"][-1] = []  # no breadcrumb button rendered yet
    body["changedPropIds"] = [changed]
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code in (200, 204), resp.get_data(as_text=True)[:300]
    return resp.get_json()["response"] if resp.status_code == 200 else {}


def test_a_control_change_updates_the_view_its_address_and_the_controls(dash_app, sqlite_url):
    add_caqes(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        client = signed_client(server)
        values = {"annee": 2024, "volet": "organisation", "indicateur": "N_IPP", "niveau": "reg", "perimetre": "FR"}
        out = _sync(client, dash_app, "caqes-volet.value", values, VIEW_2024)
        # N_IPP is not an indicator of the volet: back to every indicator of it, with a notice
        assert out["caqes-view"]["data"] == {**VIEW_2024, "volet": "organisation"}
        assert out["caqes-address"]["data"] == {
            "path": "/caqes", "search": "?annee=2024&volet=organisation&indicateur=tous&perimetre=FR&niveau=reg",
            "push": ["perimetre"]}
        assert "n'appartient pas au volet" in str(out["caqes-notices"]["children"])
        assert [o["value"] for o in out["caqes-indicateur"]["options"]] == ["tous", "R_PRADO"]
        assert out["caqes-indicateur"]["value"] == "tous"
        # the same values as the view shown: nothing to do
        assert _sync(client, dash_app, "caqes-volet.value", {**values, "volet": "tous", "indicateur": "tous"},
                     VIEW_2024) == {}


@pytest.mark.parametrize("col, expected", [("score_pct", f"/etablissement/{LAC}?annee=2024#etab-caqes-section"),
                                           ("lien", None)])
def test_a_row_opens_the_profile_s_caqes_section(dash_app, sqlite_url, col, expected):
    with app_on(dash_app, sqlite_url) as server:
        body = dash_body(dash_app, "caqes.open_row", [{"rowId": LAC, "colId": col}], [VIEW_2024])
        resp = signed_client(server).post("/_dash-update-component", json=body)
    if expected is None:  # the name column is a link of its own
        assert resp.status_code == 204
    else:
        assert resp.status_code == 200 and resp.get_json()["response"]["caqes-target"]["data"] == expected
