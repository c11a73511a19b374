"""/ssr and /export/ssr.csv in presentation mode (IRAPS): the secret statistique is applied on the
server to the CSV and to every callback response (map, grids, series), through real requests.

Hand-computed figures use tests.factories.small_ssr_dataset (PTG 2024):
  Nouvelle-Aquitaine (75): Gironde (33) = Clinique du Lac 60/100 + CHU de Bordeaux 30/120,
                           Dordogne (24) = CH de Périgueux 10/50            -> 100/270
  Île-de-France (11):      Paris (75) = Hôpital privé de Paris 40/80        -> 40/80
  La Réunion (04):         (974) = Clinique de Saint-Denis 9/30             -> 9/30
  France: 149/380 (SSR stays / stays).
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import uuid
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import app_on, signed_client
from tests.dash_bodies import ssr_view_body
from tests.factories import COMMUNES as COMMUNE_PLACES
from tests.factories import add_establishments, add_ssr, small_ssr_dataset

RECORDED = Path(__file__).resolve().parents[2] / "bench" / "requests" / "ssr_filter_change.json"
VIEW = {"geste": "PTG", "annee": 2024, "age": "tous", "niveau": "reg", "methode": "quantiles", "classes": 4,
        "statut": "tous", "focus": "", "points": False}
MASKS = ("masqué",)
SECRET = "secret statistique"
SECRET_TRACE = 10
HOVER_COUNTS = re.compile(r"\(([^()/]+)/([^()/]+) séjours\)")
COUNT = "(masqué|[0-9\u00a0]+)"
DEP_REGION = {"33": "75", "24": "75", "75": "11", "974": "04"}


def _client(server, presentation: bool = False, anonyme: bool = False, role: str = "analyste"):
    client = signed_client(server, role)
    with client.session_transaction() as session:
        session["presentation"] = presentation
        session["anonyme"] = anonyme
        session["anon_salt"] = "sel-de-seance"
    return client


def _csv(client, query: str) -> dict[str, dict]:
    resp = client.get("/export/ssr.csv" + query)
    assert resp.status_code == 200
    return {r["code"]: r for r in csv.DictReader(io.StringIO(resp.get_data().decode("utf-8-sig")), delimiter=";")}


def _post(client, prefix: str, view: dict, state=None) -> dict:
    """The answer of /ssr's one callback (its recorded body) for `view`, the map holding `state`'s
    geometry (None: nothing drawn, every part answered); `prefix` names the part read (kept for
    the readers: one callback answers them all)."""
    resp = client.post("/_dash-update-component", json=_body(prefix, view, state))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    return resp.get_json()["response"]


def _map(client, view, key=None) -> dict:
    return _post(client, "..ssr-map.", view, key)["ssr-map"]["figure"]


def _recolour(client, view: dict, masked: bool) -> dict:
    """The map patch of a filter change (no geometry: quick) as {location: value}."""
    region = DEP_REGION[view["focus"]] if view["niveau"] == "dep" and view["focus"] else view["focus"]
    key = {"level": "dep" if region or view["niveau"] == "dep" else "reg", "region": region,
           "points": view["points"], **({"masque": True} if masked else {})}
    patch = _post(client, "..ssr-map.", view, key)["ssr-map"]["figure"]
    assert patch["__dash_patch_update"] == "__dash_patch_update"
    return {tuple(op["location"]): op["params"]["value"] for op in patch["operations"]}


def _tables(client, view) -> dict:
    return _post(client, "..ssr-national.", view)


def _series(client, view) -> list[dict]:
    return _post(client, "ssr-series.", view)["ssr-series"]["figure"]["data"]


def _text(component) -> str:
    """All the text of a Dash component tree as sent in a response."""
    if isinstance(component, list):
        return " ".join(_text(c) for c in component)
    if isinstance(component, dict):
        return _text(component.get("props", {}).get("children"))
    return "" if component is None else str(component)


def _no_small_count(value) -> bool:
    """A count as displayed: 0, 11 or more, or a mask."""
    if value in MASKS:
        return True
    number = int(str(value).replace("\u00a0", "").replace(" ", ""))
    return number == 0 or number >= 11


def _hover_counts_ok(texts) -> bool:
    return all(_no_small_count(a) and _no_small_count(b) for t in texts for a, b in HOVER_COUNTS.findall(t or ""))


# ---------------------------------------------------------------------------
# Hand-computed expectations
# ---------------------------------------------------------------------------
def test_region_csv_shows_real_counts_normally_and_masks_them_in_presentation(dash_app, sqlite_url):
    small_ssr_dataset(sqlite_url)
    query = "?geste=PTG&annee=2024&niveau=reg"
    with app_on(dash_app, sqlite_url) as server:
        normal = _csv(_client(server), query)
        shown = _csv(_client(server, presentation=True), query)
    assert (normal["04"]["sejours_ssr"], normal["04"]["sejours"], normal["04"]["taux_pct"]) == ("9", "30", "30,0")
    assert normal["11"]["sejours_ssr"] == "40"
    hidden = {"sejours_ssr": "masqué", "sejours": "masqué", "taux_pct": SECRET, "ic95_bas_pct": SECRET,
              "ic95_haut_pct": SECRET, "classe": ""}
    # La Réunion's 9 SSR stays are masked, its stays too (a masked row is masked whole). France
    # (149/380) is published, so a second région goes with it: Nouvelle-Aquitaine, whose Dordogne
    # (10/50) is masked anyway; what a reader can prove is then SSR(La Réunion) + SSR(Dordogne) =
    # 149 - 40 - 90 = 19, each from 0 to 19.
    assert shown["04"] == {**normal["04"], **hidden}
    assert shown["75"] == {**normal["75"], **hidden}
    # Île-de-France is unchanged, but alone in its class: classes only use the rates shown
    assert shown["11"] == {**normal["11"], "classe": "1"}
    assert shown["04"]["etablissements"] == "1"  # establishments are counted, not secret


def test_departement_csv_groups_departements_by_their_region(dash_app, sqlite_url):
    small_ssr_dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        rows = _csv(_client(server, presentation=True), "?geste=PTG&annee=2024&niveau=dep")
    # Dordogne's 10 and La Réunion's 9 are masked; Gironde (90/220) and Paris (40/80) are shown:
    # Nouvelle-Aquitaine, masked, does not give Dordogne back.
    assert {c: r["sejours_ssr"] for c, r in rows.items()} == {"24": "masqué", "33": "90", "75": "40",
                                                             "974": "masqué"}
    assert {c: r["sejours"] for c, r in rows.items()} == {"24": "masqué", "33": "220", "75": "80", "974": "masqué"}
    assert [c for c, r in rows.items() if r["taux_pct"] == SECRET] == ["24", "974"]


def test_a_departement_by_age_band_is_not_published_in_presentation(dash_app, sqlite_url):
    """services.secrecy's reach: age bands for France and the régions only; asking for a
    département's shows all ages (what the reach publishes), not the age band."""
    small_ssr_dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        normal = _csv(_client(server), "?geste=PTG&annee=2024&niveau=dep&age=60-74")
        rows = _csv(_client(server, presentation=True), "?geste=PTG&annee=2024&niveau=dep&age=60-74")
        every_age = _csv(_client(server, presentation=True), "?geste=PTG&annee=2024&niveau=dep")
        regions = _csv(_client(server, presentation=True), "?geste=PTG&annee=2024&niveau=reg&age=60-74")
    assert normal["33"]["sejours"] == "120"
    assert rows == every_age and rows["33"]["sejours"] == "220"
    assert regions["75"]["sejours"] == "120" and regions["11"]["sejours"] == "80"  # régions by age: published


def test_the_status_filter_is_not_offered_in_presentation(dash_app, sqlite_url):
    small_ssr_dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        public = _csv(_client(server, presentation=True), "?geste=PTG&annee=2024&niveau=reg&statut=public")
        everyone = _csv(_client(server, presentation=True), "?geste=PTG&annee=2024&niveau=reg")
        plain = _csv(_client(server), "?geste=PTG&annee=2024&niveau=reg&statut=public")
    assert public == everyone
    assert set(plain) == {"75"}  # the normal mode still filters


def test_map_greys_secret_regions_and_masks_their_hover(dash_app, sqlite_url):
    small_ssr_dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        normal = _map(_client(server), VIEW)
        shown = _map(_client(server, presentation=True), VIEW)
    choro = dict(zip(shown["data"][0]["locations"], zip(shown["data"][0]["z"], shown["data"][0]["hovertext"])))
    plain = dict(zip(normal["data"][0]["locations"], normal["data"][0]["hovertext"]))
    assert "(9/30 séjours)" in plain["04"] and "30,0" in plain["04"]
    assert choro["04"][0] == choro["75"][0] == -1 and choro["11"][0] == 1 and choro["01"][0] == 0
    assert "secret statistique" in choro["04"][1] and "(masqué/masqué séjours)" in choro["04"][1]
    assert "30,0" not in choro["04"][1] and "IC 95" not in choro["04"][1]
    assert choro["11"][1] == plain["11"]  # a territory shown is as in the normal mode
    legend = shown["data"][SECRET_TRACE]
    assert legend["name"].startswith("Secret statistique") and legend["visible"] is True
    assert len(normal["data"]) == SECRET_TRACE  # the normal figure has no such slot
    assert _hover_counts_ok(shown["data"][0]["hovertext"])


def test_a_filter_change_in_presentation_mode_only_recolours(dash_app, sqlite_url):
    small_ssr_dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        client = _client(server, presentation=True)
        first = client.post("/_dash-update-component", json=_body("..ssr-map.", VIEW, None))
        assert _geometry(first) == "/geo/reg.json"  # a whole figure
        key = first.get_json()["response"]["ssr-figure-key"]["data"]
        assert key == {"level": "reg", "region": "", "points": False, "masque": True}
        change = client.post("/_dash-update-component", json=_body("..ssr-map.", {**VIEW, "geste": "TOUS"}, key))
        text = change.get_data(as_text=True)
        assert '"geojson"' not in text and "__dash_patch_update" in text
        # the mode is part of the key: the normal mode redraws the figure without the secret slot
        normal = _client(server).post("/_dash-update-component", json=_body("..ssr-map.", VIEW, key))
        assert _geometry(normal) == "/geo/reg.json"


def test_a_crafted_request_from_an_iraps_session_gets_masked_data(dash_app, sqlite_url):
    """The role forces the mode: asking for the plain mode in the address, the session or the request
    changes nothing for iraps (and the same requests from an analyst show the real counts)."""
    small_ssr_dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        iraps = _client(server, presentation=False, role="iraps")
        assert iraps.get("/ssr?presentation=non&anonyme=non").status_code == 200
        with iraps.session_transaction() as session:
            assert session["presentation"] is False  # what the session asks for...
        tables = _tables(iraps, {**VIEW, "niveau": "reg"})
        csv_rows = _csv(iraps, "?geste=PTG&annee=2024&niveau=reg&presentation=non")
        analyst = _tables(_client(server, presentation=False), {**VIEW, "niveau": "reg"})
    regions = {r["code"]: r for r in tables["ssr-table"]["rowData"]}  # ...is not what it gets
    assert (regions["04"]["sejours_ssr"], regions["04"]["taux_pct"]) == ("masqué", SECRET)
    assert regions["75"]["sejours_ssr"] == "masqué"
    assert (csv_rows["04"]["sejours_ssr"], csv_rows["04"]["taux_pct"]) == ("masqué", SECRET)
    plain = {r["code"]: r for r in analyst["ssr-table"]["rowData"]}
    assert (plain["04"]["sejours_ssr"], plain["04"]["taux_pct"]) == (9, 30.0)


def _geometry(response) -> str | None:
    """The address of the geometry a whole map figure names (None in a Patch)."""
    figure = response.get_json()["response"]["ssr-map"]["figure"]
    return None if "data" not in figure else figure["data"][0]["geojson"].partition("?")[0]


def _body(prefix, view, state):
    (body,) = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert prefix.strip(".").split(".")[0] in body["output"], prefix
    return ssr_view_body(body, view, state)


def test_tables_mask_counts_and_anonymise_establishments(dash_app, sqlite_url):
    small_ssr_dataset(sqlite_url)
    gironde = {**VIEW, "niveau": "dep", "focus": "33"}
    with app_on(dash_app, sqlite_url) as server:
        normal = _tables(_client(server), gironde)
        shown = _tables(_client(server, presentation=True, anonyme=True), gironde)
    assert "39,2" in _text(shown["ssr-national"]["children"])  # France 149/380, shown
    plain = {r["finess"]: r for r in normal["ssr-establishments"]["rowData"]}
    assert plain["330000025"]["sejours_ssr"] == 30 and "CHU de Bordeaux" in plain["330000025"]["lien"]
    rows = shown["ssr-establishments"]["rowData"]
    assert [r["finess"] for r in rows] == ["", ""]
    for r in rows:  # the letters of the profile page, which opens the same pseudonymous profile
        letter = re.fullmatch(r"Établissement ([A-Z]+)", r["nom"]).group(1)
        assert r["lien"] == f"[Établissement {letter}](/etablissement/{letter})"
    text = json.dumps(shown, ensure_ascii=False)
    assert "Clinique du Lac" not in text and "CHU de Bordeaux" not in text and "330000" not in text
    lac, chu = sorted(rows, key=lambda r: -r["taux_pct"])
    # Gironde (90/220) is shown, and both its establishments (no count from 1 to 10 among them)
    assert (lac["sejours_ssr"], lac["sejours"], lac["taux_pct"]) == (60, 100, 60.0)
    assert (chu["sejours_ssr"], chu["sejours"], chu["taux_pct"]) == (30, 120, 25.0)
    # Nouvelle-Aquitaine's rate is masked (its gap would give it back); France's is shown
    assert lac["ecart_region"] == SECRET and lac["ecart_france"] == plain["330000017"]["ecart_france"]
    columns = {c["field"]: c for c in shown["ssr-establishments"]["columnDefs"]}
    assert "valueGetter" in columns["sejours_ssr"] and "valueGetter" in columns["taux_pct"]
    assert all("valueGetter" not in c for c in normal["ssr-establishments"]["columnDefs"])
    departements = {r["code"]: r for r in shown["ssr-table"]["rowData"]}
    assert departements["24"]["sejours_ssr"] == "masqué" and departements["33"]["sejours_ssr"] == 90


def test_presentation_without_anonymisation_keeps_names(dash_app, sqlite_url):
    small_ssr_dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        shown = _tables(_client(server, presentation=True), {**VIEW, "niveau": "dep", "focus": "24"})
    (row,) = shown["ssr-establishments"]["rowData"]
    assert row["finess"] == "240000011" and "Périgueux" in row["lien"] and "/etablissement/240000011" in row["lien"]
    assert (row["sejours_ssr"], row["sejours"], row["taux_pct"]) == ("masqué", "masqué", SECRET)


def test_series_hides_a_year_whose_counts_are_small(dash_app, sqlite_url):
    small_ssr_dataset(sqlite_url)
    dordogne = {**VIEW, "niveau": "dep", "focus": "24"}
    with app_on(dash_app, sqlite_url) as server:
        normal = _series(_client(server), dordogne)
        shown = _series(_client(server, presentation=True), dordogne)
    assert normal[1]["x"] == shown[1]["x"] == [2023, 2024]
    # 2023: 12/40 = 30 %, shown; 2024: 10/50, secret
    assert normal[1]["y"] == [30.0, 20.0] and normal[1]["customdata"] == [[12, 40], [10, 50]]
    assert shown[1]["y"] == [30.0, None] and shown[1]["customdata"] == [[12, 40], ["masqué", "masqué"]]
    assert shown[1]["error_y"]["array"][1] is None and shown[1]["error_y"]["array"][0] is not None
    assert shown[0]["y"] == normal[0]["y"]  # France is shown both years


def test_points_layer_masks_hover_and_volume(dash_app, sqlite_url):
    small_ssr_dataset(sqlite_url)
    view = {**VIEW, "points": True}
    with app_on(dash_app, sqlite_url) as server:
        normal = _map(_client(server), view)
        named = _map(_client(server, presentation=True), view)
        shown = _map(_client(server, presentation=True, anonyme=True), view)
    plain_points = normal["data"][10]
    assert any("(10/50 séjours)" in t for t in plain_points["hovertext"])
    # presentation, not anonymised: each establishment's circle, its hover masked
    named_points = named["data"][11]
    assert _hover_counts_ok(named_points["hovertext"])
    assert sum("secret statistique" in t for t in named_points["hovertext"]) >= 2
    # circles sized as in the normal mode, but for the masked ones (Périgueux, Saint-Denis: the smallest)
    sizes, plain_sizes = named_points["marker"]["size"], plain_points["marker"]["size"]
    assert sizes[1:4] == plain_sizes[1:4] and sizes[0] == sizes[4] == min(sizes) < min(plain_sizes)
    # anonymised (issue 13): one circle per département at the département's point, no establishment
    points = shown["data"][11]
    assert _hover_counts_ok(points["hovertext"])
    assert not any("Périgueux" in t or "Clinique" in t or "Établissement" in t for t in points["hovertext"])
    assert sum("secret statistique" in t for t in points["hovertext"]) >= 2
    assert len(points["lon"]) == 4 and len(set(zip(points["lon"], points["lat"]))) == 4  # 33, 24, 75, 974
    assert any(t.startswith("<b>Gironde</b><br>2 établissements") for t in points["hovertext"])


def test_presentation_mode_without_data(dash_app, sqlite_url):
    with app_on(dash_app, sqlite_url) as server:
        client = _client(server, presentation=True)
        assert _csv(client, "") == {}
        view = {**VIEW, "annee": None}
        assert _map(client, view)["data"][SECRET_TRACE]["visible"] is False
        assert _tables(client, view)["ssr-table"]["rowData"] == []
        assert _series(client, view)[0]["x"] == []


# ---------------------------------------------------------------------------
# Random small datasets: nothing from 1 to 10 leaves the server, the rest is unchanged
# ---------------------------------------------------------------------------
COMMUNES = ["33063", "24322", "75056", "97411"]


@st.composite
def datasets(draw):
    establishments, facts = [], []
    for k in range(draw(st.integers(1, 6))):
        commune = draw(st.sampled_from(COMMUNES))
        prefix = "9704" if commune == "97411" else commune[:2]
        finess = f"{prefix}{k:0{9 - len(prefix)}d}"
        establishments.append((finess, f"Établissement test {k}", draw(st.sampled_from(["public", "prive", "espic"])),
                               "MCO", commune))
        for year in (2023, 2024):
            stays = draw(st.one_of(st.integers(0, 14), st.integers(0, 90)))
            ssr = draw(st.one_of(st.integers(0, min(stays, 12)), st.integers(0, stays)))
            facts.append((finess, year, "PTG", draw(st.sampled_from(["<60", "60-74", "75+"])), stays, ssr))
    return establishments, facts


def _check_csv(normal: dict, shown: dict) -> None:
    assert normal.keys() == shown.keys()
    for code, row in shown.items():
        masked = False
        for field in ("sejours", "sejours_ssr"):
            assert _no_small_count(row[field])
            if row[field] in MASKS:
                masked = True
            else:
                assert row[field] == normal[code][field]
        assert (row["taux_pct"] == SECRET) == masked
        for field in ("taux_pct", "ic95_bas_pct", "ic95_haut_pct", "etablissements", "libelle"):
            assert row[field] in (SECRET, normal[code][field])


def _check_rows(normal: list[dict], shown: list[dict], key: str) -> None:
    plain = {r[key]: r for r in normal}
    for row in shown:
        masked = False
        for field in ("sejours", "sejours_ssr"):
            assert _no_small_count(row[field])
            masked |= row[field] in MASKS
            if row[field] not in MASKS:
                assert row[field] == plain[row[key]][field]
        assert (row["taux_pct"] == SECRET) == masked
        if not masked:
            assert row["taux_pct"] == plain[row[key]]["taux_pct"] and row["ic95"] == plain[row[key]]["ic95"]


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=datasets())
def test_random_datasets_leak_no_small_count(dash_app, sqlite_template, tmp_path_factory, data):
    establishments, facts = data
    path = tmp_path_factory.mktemp("presentation") / f"{uuid.uuid4().hex}.sqlite"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    add_establishments(url, establishments)
    add_ssr(url, facts)
    departements = sorted({COMMUNE_PLACES[e[4]][0] for e in establishments})
    with app_on(dash_app, url) as server:
        normal, shown = _client(server), _client(server, presentation=True)
        for query in ("?geste=PTG&annee=2024&niveau=reg", "?geste=PTG&annee=2024&niveau=dep",
                      "?geste=PTG&annee=2023&age=75%2B&niveau=reg"):
            _check_csv(_csv(normal, query), _csv(shown, query))
        # a département by age band is not published: presentation mode shows all ages instead
        _check_csv(_csv(normal, "?geste=PTG&annee=2023&niveau=dep"),
                   _csv(shown, "?geste=PTG&annee=2023&age=75%2B&niveau=dep"))
        for view in ({**VIEW, "points": True}, *({**VIEW, "niveau": "dep", "focus": d, "points": True}
                                                 for d in departements)):
            plain_map, secret_map = _recolour(normal, view, False), _recolour(shown, view, True)
            hover, z = secret_map[("data", 0, "hovertext")], secret_map[("data", 0, "z")]
            assert _hover_counts_ok(hover)
            for cls, text, plain_text in zip(z, hover, plain_map[("data", 0, "hovertext")]):
                assert (cls == -1) == ("secret statistique" in text)
                if cls != -1:
                    assert text == plain_text  # a territory shown is unchanged
            points = secret_map[("data", 11)]
            assert _hover_counts_ok(points["hovertext"])
            for text, size in zip(points["hovertext"], points["marker"]["size"]):
                if HOVER_COUNTS.search(text).group(2) in MASKS:
                    assert size == 4  # the smallest circle: its size would give the stays
            plain_tables, secret_tables = _tables(normal, view), _tables(shown, view)
            _check_rows(plain_tables["ssr-table"]["rowData"], secret_tables["ssr-table"]["rowData"], "code")
            if view["focus"]:
                _check_rows(plain_tables["ssr-establishments"]["rowData"],
                            secret_tables["ssr-establishments"]["rowData"], "finess")
            national = _text(secret_tables["ssr-national"]["children"])
            counts = re.findall(COUNT + " séjours suivis de SSR sur " + COUNT + " séjours", national)
            assert all(_no_small_count(a) and _no_small_count(b) for a, b in counts)
            series = _series(shown, view)
            for trace in series:
                for cell in trace.get("customdata") or []:
                    assert all(_no_small_count(v) for v in cell)
