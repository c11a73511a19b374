"""Re-identification (issue 13, acceptance 2): as iraps, no response — the HTML of every page, its
layout as the router renders it, the callbacks of every page for a set of filter combinations, the
export iraps may download, the map figures — contains a FINESS, an establishment's name or its
commune from the database, nor a point finer than its département; an anonymised profile cannot
be opened by its FINESS; and no row of the anonymised directory is unique on what it shows.

A hand-made dataset with distinctive names, in three communes whose names are no département's."""
from __future__ import annotations

import json
import re
from collections import Counter

import dash._callback as registry
from sqlalchemy import update

from components import france_map
from data_access import models, territories
from data_access.db import get_engine
from tests.conftest import app_on, signed_client
from tests.factories import COMMUNES as factory_communes
from tests.factories import add_establishments, add_ssr
from tests.integration import test_presentation_pages as pages

ESTABLISHMENTS = [  # (finess, name, status, activity, commune): Bordeaux and Talence (33), Bergerac (24), Saint-Paul (974)
    ("330000066", "Clinique Zéphyrine", "prive", "MCO", "33063"),
    ("330000074", "Hôpital Barnabé", "public", "MCO", "33063"),
    ("330000082", "Clinique Octavie", "prive", "MCO", "33522"),
    ("330000090", "Polyclinique Ursuline", "prive", "MCO", "33522"),
    ("330000108", "Centre Hilarion", "espic", "MCO+SSR", "33063"),
    ("240000052", "Hôpital Théodule", "public", "MCO", "24037"),
    ("240000060", "Clinique Eulalie", "prive", "MCO", "24037"),
    ("240000078", "Clinique Anatole", "prive", "MCO", "24037"),
    ("970400033", "Clinique Philomène", "espic", "MCO", "97415"),
    ("970400041", "Hôpital Séraphin", "public", "MCO", "97415"),
]
COMMUNES = ["Bordeaux", "Talence", "Bergerac", "Saint-Paul"]
FACTORY_COMMUNES = {"33522": ("33", "75"), "24037": ("24", "75"), "97415": ("974", "04")}
STAYS = [120, 8, 60, 45, 200, 90, 33, 5, 70, 150]
BEDS = [80, 250, 95, 60, 420, 310, 120, 45, 150, 500]  # each exact capacity is unique


def _dataset(url: str) -> None:
    factory_communes.update(FACTORY_COMMUNES)
    add_establishments(url, ESTABLISHMENTS)
    with get_engine(url).begin() as conn:
        for (finess, *_), beds in zip(ESTABLISHMENTS, BEDS):
            conn.execute(update(models.Establishment).where(models.Establishment.finess == finess).values(beds=beds))
        conn.execute(update(models.DataVersion).values(version=models.DataVersion.version + 1))
    rows = []
    for (finess, *_), stays in zip(ESTABLISHMENTS, STAYS):
        rows += [(finess, 2024, "PTG", "75+", stays, stays // 3), (finess, 2024, "PTH", "60-74", stays // 2, stays // 5),
                 (finess, 2023, "PTG", "75+", stays, stays // 4)]
    add_ssr(url, rows)


def _forbidden() -> list[str]:
    return ([f for f, *_ in ESTABLISHMENTS] + [name for _f, name, *_ in ESTABLISHMENTS]
            + [name.split(" ", 1)[1] for _f, name, *_ in ESTABLISHMENTS] + COMMUNES)


def _leaks(text: str) -> list[str]:
    text = json.dumps(json.loads(text), ensure_ascii=False) if text[:1] in "{[" else text  # \u escapes read
    return [w for w in _forbidden() if w in text or w.replace("é", "\\u00e9") in text]


def _post(client, key: str, inputs: list, state: list = ()) -> str:
    """POST the callback whose output key is `key` with these values in its declared order."""
    spec = registry.GLOBAL_CALLBACK_MAP.get(key) or _APP[0].callback_map[key]
    body = {"output": key, "outputs": [dict(zip(("id", "property"), o.rsplit(".", 1)))
                                       for o in key.strip(".").split("...")],
            "inputs": [v if isinstance(v, list) and isinstance(i.get("id"), str) and "ALL" in i["id"]
                       else {**i, "value": v} for i, v in zip(spec["inputs"], inputs)],
            "state": [{**i, "value": v} for i, v in zip(spec["state"], state)], "changedPropIds": []}
    if not key.startswith(".."):
        body["outputs"] = body["outputs"][0]
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code in (200, 204), (key, resp.status_code, resp.get_data(as_text=True)[:300])
    return resp.get_data(as_text=True)


def _key(dash_app, fragment: str) -> str:
    keys = [k for k in {**registry.GLOBAL_CALLBACK_MAP, **dash_app.callback_map} if fragment in k]
    assert len(keys) == 1, (fragment, keys)
    return keys[0]


def _allowed_points(url: str) -> set[tuple[float, float]]:
    """Where an anonymised point may be drawn: a département's point, moved into its inset."""
    out = set()
    for code, (lat, lon) in territories.departement_anchors(url).items():
        x, y = france_map.inset_point(lon, lat, code)
        out.add((round(x, 3), round(y, 3)))
    return out


def _points(figure_text: str) -> list[tuple[float, float]]:
    response = json.loads(figure_text)["response"]
    out = []
    for props in response.values():
        for value in props.values():
            data = value.get("data") if isinstance(value, dict) else None
            for trace in data or []:
                if isinstance(trace, dict) and trace.get("type") == "scattergeo" and trace.get("mode") == "markers":
                    out += [(round(x, 3), round(y, 3)) for x, y in zip(trace["lon"], trace["lat"])]
    return out


SSR_VIEWS = [dict(geste=g, annee=2024, age=a, niveau=n, methode="quantiles", classes=4, statut=s, focus=f, points=True)
             for g in ("PTG", "TOUS") for a in ("tous", "75+") for s in ("tous", "prive")
             for n, f in (("reg", ""), ("reg", "75"), ("dep", "33"), ("dep", "24"), ("dep", "974"))]
MSAP_RULES = [{**pages.RULE, **change} for change in (
    {}, {"volume_min": 0}, {"methode": "funnel"}, {"perimetre": "D33"}, {"perimetre": "R75", "volume_min": 5},
    {"geste": "TOUS"}, {"annee": 2023})]


_APP: list = []


def test_an_iraps_session_gives_no_establishment_away(dash_app, sqlite_url):
    _APP[:] = [dash_app]
    _dataset(sqlite_url)
    responses: dict[str, str] = {}
    map_figures: list[str] = []
    with app_on(dash_app, sqlite_url) as server:
        client = signed_client(server, "iraps")
        # a crafted request cannot switch the anonymisation off
        client.get("/ssr?presentation=non&anonyme=non")
        for path in ("/", "/ssr", "/msap", "/caqes", "/etablissements", "/donnees", "/methodes", "/_dash-layout"):
            resp = client.get(path + "?anonyme=non")
            assert resp.status_code == 200, path
            responses[path] = resp.get_data(as_text=True)
        router = _key(dash_app, "_pages_content.children")
        # the directory: every row, and its letters to open the profiles with
        directory = pages.etabs(client)
        responses["etabs"] = json.dumps(directory, ensure_ascii=False)
        letters = [r["finess"] for r in directory["etabs-grid"]["rowData"]]
        assert len(letters) == len(ESTABLISHMENTS) and all(re.fullmatch(r"[A-Z]{1,2}", c) for c in letters)
        for q in ("bordeaux", "zephyrine", "330000066"):  # neither a commune, a name nor a FINESS finds a row
            found = pages.etabs(client, q)  # (its address echoes the text typed: not checked)
            assert found["etabs-grid"]["rowData"] == [], q
            responses[f"etabs?q={q}"] = json.dumps([found["etabs-grid"], found["etabs-count"]], ensure_ascii=False)
        for path in ["/", "/ssr", "/msap", "/caqes", "/etablissements", "/methodes", "/donnees"] + [
                f"/etablissement/{c}" for c in letters]:
            responses[f"router {path}"] = _post(client, router, [path, "?anonyme=non"])
        for code in letters:
            for mode in ("image", "interactif"):
                responses[f"profile {code} {mode}"] = json.dumps(pages.profile(client, code, mode), ensure_ascii=False)
        for view in SSR_VIEWS:
            # /ssr's one callback answers the map (nothing drawn yet: the whole figure), grids and
            # series: each part kept under its own name, as when three callbacks drew them
            answer = json.loads(_post(client, _dash_key(dash_app, "ssr.update_view"), _ssr_inputs(view),
                                      [view, None]))["response"]
            series = {"ssr-series": answer.pop("ssr-series")}
            figure = json.dumps({"response": {"ssr-map": answer.pop("ssr-map"),
                                              "ssr-figure-key": answer.pop("ssr-figure-key")}}, ensure_ascii=False)
            responses[f"ssr.render_tables {view}"] = json.dumps({"response": answer}, ensure_ascii=False)
            responses[f"ssr.render_series {view}"] = json.dumps({"response": series}, ensure_ascii=False)
            responses[f"map {view}"] = figure
            map_figures.append(figure)
            query = (f"?geste={view['geste']}&annee=2024&age={view['age']}&niveau={view['niveau']}&methode=quantiles"
                     f"&classes=4&statut={view['statut']}&focus={view['focus']}&anonyme=non")
            resp = client.get("/export/ssr.csv" + query)
            assert resp.status_code == 200
            responses[f"ssr.csv {query}"] = resp.get_data().decode("utf-8-sig")
        for rule in MSAP_RULES:
            shown = pages.msap(client, rule)
            responses[f"msap {rule}"] = json.dumps(shown, ensure_ascii=False)
            map_figures.append(json.dumps({"response": {"msap-map": shown["msap-map"]}}))
        responses["caqes"] = json.dumps(pages.caqes(client, pages.CAQES_VIEW), ensure_ascii=False)
        # the exports of establishments are not for iraps
        for path in ("/export/msap.csv" + pages.QUERY, "/export/msap.xlsx" + pages.QUERY, "/export/caqes.csv",
                     f"/export/profil/{letters[0]}.pdf", "/export/profil/330000066.pdf"):
            assert client.get(path).status_code == 403, path
        # a FINESS opens no profile: the page says « introuvable » and nothing of the establishment
        by_finess = pages.profile(client, "330000066")
        routed = _post(client, router, ["/etablissement/330000066", ""])
    assert by_finess["etab-content"]["hidden"] is True and by_finess["etab-notfound"]["hidden"] is False
    assert "introuvable" in json.dumps(by_finess, ensure_ascii=False)
    for text in (json.dumps(by_finess, ensure_ascii=False), routed):
        assert not [w for w in _forbidden()[len(ESTABLISHMENTS):] if w in text]
    assert len(responses) > 150
    leaks = {name: found for name, text in responses.items() if (found := _leaks(text))}
    assert leaks == {}
    # every point drawn is a département's point
    allowed = _allowed_points(sqlite_url)
    drawn = [p for figure in map_figures for p in _points(figure)]
    assert drawn and set(drawn) <= allowed, sorted(set(drawn) - allowed)[:5]


def _ssr_inputs(view: dict) -> list:
    """The inputs of callbacks.ssr.update_view set to `view`'s controls, no click, no breadcrumb."""
    points = ["oui"] if view["points"] else []
    return [view["geste"], view["annee"], view["age"], view["niveau"], view["methode"], view["classes"],
            view["statut"], points, None, None, []]


def _dash_key(dash_app, name: str) -> str:
    from tests.conftest import dash_body

    return dash_body(dash_app, name, [])["output"]


def test_no_row_of_the_anonymised_directory_is_unique_on_what_it_shows(dash_app, sqlite_url):
    _dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        rows = pages.etabs(signed_client(server, "iraps"))["etabs-grid"]["rowData"]
        plain = pages.etabs(signed_client(server))["etabs-grid"]["rowData"]
    shown = [tuple(v for k, v in sorted(r.items()) if k not in ("finess", "nom", "lien")) for r in rows]
    assert all("commune" not in r for r in rows)
    counts = Counter(shown)
    # a tuple is unique only where what is published for every letter elsewhere anyway (région,
    # département, status, activity: the /ssr grid of a département, its filters, the /msap list)
    # is itself unique; everywhere else at least two establishments share what a row shows
    published = Counter((r["region"], r["departement"], r["statut"], r["activite"]) for r in rows)
    for r, t in zip(rows, shown):
        if published[(r["region"], r["departement"], r["statut"], r["activite"])] >= 2:
            assert counts[t] >= 2, r
    # the dataset is such that the exact capacity makes every row unique: the bands do not
    exact = Counter((r["departement"], r["statut"], r["activite"], r["lits_places"]) for r in plain)
    assert max(exact.values()) == 1
    assert {r["lits_places"] for r in rows} <= {"moins de 100", "100 à 299", "300 ou plus", "non précisé"}
    # Gironde's three private MCO establishments (80, 95 and 60 beds, 10 places each: 90, 105, 70):
    # « moins de 100 » for two, « 100 à 299 » for one; the one would be told apart, and the two by
    # elimination: no band is stated
    gironde = [r for r in rows if r["departement"] == "Gironde (33)" and r["statut"] == "Privé lucratif"]
    assert len(gironde) == 3 and {r["lits_places"] for r in gironde} == {"non précisé"}
