"""Fuzz of /_dash-update-component (hypothesis, bounded and reproducible): bodies built from the
app's own /_dash-dependencies, each input and state given values of the wrong type or shape, and
bodies that are not JSON or miss keys, never produce a 500 or a trace, as analyste, iraps and admin.

About 200 examples in all (`derandomize`: the same ones on every run)."""
from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import dash_bodies
from tests.conftest import app_on, signed_client
from tests.factories import small_ssr_dataset
from tests.msap_factories import add_ambulatory

FUZZ = settings(max_examples=50, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.filter_too_much, HealthCheck.data_too_large])

# Values of every JSON type and shape: wrong types for any input (None, numbers, huge ints, unicode,
# lists, dicts, nested), plus the shapes Dash components really send (clickData, cellClicked, stores).
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 3000), st.integers(min_value=-(2 ** 200), max_value=2 ** 200),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([0, -1, 1e308, -0.0, 2024, 2022, 1999]),
    st.text(max_size=12), st.sampled_from(["", "PTG", "TOUS", "tous", "75", "974", "01", "2A", "oui", "dep",
                                           "reg", "quantiles", "/ssr", "?annee=2024", "330000017", "é\u0000☃🏥",
                                           "x" * 300]),
)
plausible = st.one_of(
    st.fixed_dictionaries({"points": st.lists(st.fixed_dictionaries(
        {"location": scalars, "pointNumber": scalars, "customdata": st.lists(scalars, max_size=3)}), max_size=2)}),
    st.fixed_dictionaries({"rowIndex": scalars, "colId": scalars, "value": scalars,
                           "data": st.dictionaries(st.text(max_size=6), scalars, max_size=3)}),
)
junk = st.recursive(st.one_of(scalars, plausible),
                    lambda inner: st.one_of(st.lists(inner, max_size=4),
                                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                    max_leaves=12)


def assert_no_500_and_no_trace(resp, sent) -> None:
    text = resp.get_data(as_text=True)
    assert resp.status_code < 500, (resp.status_code, text[:300], json.dumps(sent, default=str)[:600])
    assert "Traceback" not in text and 'File "' not in text, (text[:500], json.dumps(sent, default=str)[:600])
    if resp.status_code == 400:
        assert resp.get_json() == {"erreur": "Requête invalide."}


@pytest.fixture(scope="module")
def fuzz_server(dash_app, sqlite_template, tmp_path_factory):
    """The session's app on a small database with SSR and ambulatory facts (so callbacks get far)."""
    path = tmp_path_factory.mktemp("fuzz") / "atlas.sqlite"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    small_ssr_dataset(url)
    add_ambulatory(url, [("330000017", 2024, "CATARACTE", 300, 240), ("240000011", 2024, "CATARACTE", 100, 30),
                         ("750000019", 2024, "HERNIE_INGUINALE", 60, 33), ("970400017", 2024, "CATARACTE", 12, 11)])
    with app_on(dash_app, url) as server:
        yield server


@pytest.fixture(scope="module")
def fuzz_clients(fuzz_server):
    return {role: signed_client(fuzz_server, role) for role in ("analyste", "iraps", "admin")}


PAGES = ["/", "/ssr", "/msap", "/caqes", "/etablissements", "/etablissement/330000017", "/donnees", "/admin"]
# examples per server callback for each role: about 200 in all with the structural test below
EXAMPLES = {"analyste": 4, "iraps": 3, "admin": 2}


@pytest.fixture(scope="module")
def deps(fuzz_clients):
    found = dash_bodies.server_callbacks(fuzz_clients["analyste"])
    assert len(found) >= 15  # every page's server callbacks, not an empty list
    return found


@pytest.fixture(scope="module")
def baseline(fuzz_clients, deps):
    """What the browser would send before the user touches anything (every page rendered, the stores
    filled by their controllers): a junk value then reaches the code behind one valid input."""
    admin = fuzz_clients["admin"]
    values = dash_bodies.initial_values(admin, PAGES)
    values.update({"shell-url.pathname": "/", "_pages_location.pathname": "/ssr", "_pages_location.search": ""})
    values = dash_bodies.settled_values(admin, deps, values)
    answers = {d["output"]: admin.post("/_dash-update-component", json=dash_bodies.body(d, values)).status_code
               for d in deps}
    refused = {output: status for output, status in answers.items() if status not in (200, 204)}
    assert len(refused) <= 2, refused  # the baseline really is what the callbacks accept (204: nothing to update)
    assert list(answers.values()).count(200) >= len(deps) // 2, answers
    return values


@st.composite
def wrong_bodies(draw, dep, baseline):
    """A body for callback `dep`: one input or state (at least) gets junk, each other one keeps its
    baseline value, becomes None or gets junk too."""
    items = dep["inputs"] + dep["state"]
    target = draw(st.sampled_from(items))
    values = {}
    for item in items:
        name = dash_bodies.key(item)
        choice = "junk" if item is target else draw(st.sampled_from(["baseline", "baseline", "none", "junk"]))
        values[name] = draw(junk) if choice == "junk" else None if choice == "none" else baseline.get(name)
    keys = [dash_bodies.key(i) for i in dep["inputs"]]
    changed = draw(st.one_of(st.just([dash_bodies.key(target)]), st.lists(st.sampled_from(keys), max_size=3)))
    return dash_bodies.body(dep, values, changed)


@pytest.mark.parametrize("role", sorted(EXAMPLES))
def test_wrong_types_and_shapes_for_every_callback_input_never_give_a_500(fuzz_clients, deps, baseline, role):
    client = fuzz_clients[role]
    for dep in deps:
        @settings(FUZZ, max_examples=EXAMPLES[role])
        @given(sent=wrong_bodies(dep, baseline))
        def run(sent):
            assert_no_500_and_no_trace(client.post("/_dash-update-component", json=sent), sent)

        run()


def _drop_or_retype(body: dict, draw) -> dict:
    body = dict(body)
    for name in draw(st.lists(st.sampled_from(sorted(body)), max_size=3, unique=True)):
        if draw(st.booleans()):
            del body[name]
        else:
            body[name] = draw(junk)
    return body


def test_malformed_json_and_missing_keys_never_give_a_500(fuzz_clients, deps):
    client = fuzz_clients["analyste"]
    valid = [dash_bodies.body(d) for d in deps]

    @settings(FUZZ, max_examples=40)
    @given(data=st.data())
    def run(data):
        kind = data.draw(st.sampled_from(["bytes", "text", "truncated", "missing keys", "any json"]))
        if kind == "bytes":
            raw, sent = data.draw(st.binary(max_size=200)), "bytes"
        elif kind == "text":
            raw = sent = data.draw(st.text(max_size=200))
        elif kind == "truncated":
            whole = json.dumps(data.draw(st.sampled_from(valid)))
            raw = sent = whole[:data.draw(st.integers(0, len(whole) - 1))]
        elif kind == "missing keys":
            sent = _drop_or_retype(data.draw(st.sampled_from(valid)), data.draw)
            raw = json.dumps(sent)
        else:
            sent = data.draw(junk)
            raw = json.dumps(sent)
        resp = client.post("/_dash-update-component", data=raw, content_type="application/json")
        assert_no_500_and_no_trace(resp, sent)

    run()
