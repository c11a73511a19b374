"""Bodies for /_dash-update-component built from what the app itself publishes at /_dash-dependencies
(as the browser's renderer builds them), so a test can set any input or state to any value without
knowing the callback's Python name."""
from __future__ import annotations

import json
from typing import Any


def server_callbacks(client) -> list[dict]:
    """The callbacks run on the server (clientside ones never reach /_dash-update-component)."""
    deps = client.get("/_dash-dependencies").get_json()
    return [d for d in deps if not d.get("clientside_function")]


def ident(item: dict) -> str | dict:
    """The component id of a dependency (a pattern-matching id is published as JSON text)."""
    value = item["id"]
    return json.loads(value) if isinstance(value, str) and value.startswith("{") else value


def key(item: dict) -> str:
    """'ssr-annee.value'; a pattern-matching id is named by its type: 'ssr-crumb.n_clicks'."""
    value = ident(item)
    return f"{value.get('type', json.dumps(value, sort_keys=True)) if isinstance(value, dict) else value}" \
           f".{item['property']}"


def find(deps: list[dict], input_key: str) -> dict:
    """The one server callback that has `input_key` among its inputs."""
    found = [d for d in deps if input_key in [key(i) for i in d["inputs"]]]
    assert len(found) == 1, f"{len(found)} callbacks have the input {input_key}"
    return found[0]


def _outputs(output_key: str) -> list[dict] | dict:
    multi = output_key.startswith("..")
    outputs = []
    for part in output_key.strip(".").split("...") if multi else [output_key]:
        ident, prop = part.rsplit(".", 1)
        outputs.append({"id": json.loads(ident) if ident.startswith("{") else ident, "property": prop})
    return outputs if multi else outputs[0]


def _entry(item: dict, values: dict[str, Any]) -> Any:
    if isinstance(ident(item), dict):  # a wildcard input: the list of matching components (none by default)
        return values.get(key(item), [])
    return {"id": item["id"], "property": item["property"], "value": values.get(key(item))}


def body(dep: dict, values: dict[str, Any] | None = None, changed: list[str] | None = None) -> dict:
    """The request body for callback `dep`: every input and state is None (a wildcard: no component)
    unless `values` (keyed like `key`) says otherwise."""
    values = values or {}
    return {"output": dep["output"], "outputs": _outputs(dep["output"]),
            "inputs": [_entry(i, values) for i in dep["inputs"]],
            "state": [_entry(s, values) for s in dep["state"]],
            "changedPropIds": changed if changed is not None else [key(i) for i in dep["inputs"][:1]]}


PAGES_ROUTER = {"output": ".._pages_content.children..._pages_store.data..",
                "outputs": [{"id": "_pages_content", "property": "children"},
                            {"id": "_pages_store", "property": "data"}]}


def _walk(node, found: dict[str, Any]) -> None:
    if isinstance(node, list):
        for child in node:
            _walk(child, found)
    elif isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict) and isinstance(props.get("id"), str) and "type" in node:
            for prop, value in props.items():
                found.setdefault(f"{props['id']}.{prop}", value)
        for value in (props or node).values() if isinstance(props, dict) else node.values():
            _walk(value, found)


def page_content(client, path: str) -> Any:
    """The page the router draws for the address `path` (with its query), as the browser asks for it
    when it opens or navigates: the `_pages_content` children."""
    path, _, search = path.partition("?")
    sent = {**PAGES_ROUTER, "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                                       {"id": "_pages_location", "property": "search",
                                        "value": "?" + search if search else ""}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    resp = client.post("/_dash-update-component", json=sent)
    assert resp.status_code == 200, (path, resp.status_code)
    return resp.get_json()["response"]["_pages_content"]["children"]


def component_props(tree: Any) -> dict[str, dict[str, Any]]:
    """{id: props} of every component of a rendered tree with a string id."""
    found: dict[str, Any] = {}
    _walk(tree, found)
    out: dict[str, dict[str, Any]] = {}
    for name, value in found.items():
        component, _, prop = name.partition(".")
        out.setdefault(component, {})[prop] = value
    return out


def initial_values(client, paths: list[str]) -> dict[str, Any]:
    """Every component property of the shell and of these pages as first rendered ('ssr-annee.value':
    2024, …): a body built on them is the one the browser sends before the user touches anything."""
    found: dict[str, Any] = {}
    _walk(client.get("/_dash-layout").get_json(), found)
    for path in paths:
        _walk(page_content(client, path), found)
    return found


def settled_values(client, deps: list[dict], values: dict[str, Any], rounds: int = 2) -> dict[str, Any]:
    """`values` completed with what the callbacks answer to them (the stores a controller fills,
    'ssr-view.data', …), as the browser's chain of callbacks would after the first render."""
    values = dict(values)
    for _ in range(rounds):
        for dep in deps:
            resp = client.post("/_dash-update-component", json=body(dep, values))
            if resp.status_code != 200:
                continue
            for component, props in resp.get_json().get("response", {}).items():
                for prop, value in props.items():
                    values.setdefault(f"{component}.{prop}", value)
    return values


SSR_CONTROLS = ("geste", "annee", "age", "niveau", "methode", "classes", "statut", "points")


def ssr_view_body(recorded: dict, view: dict, figure_key: dict | None, shown: dict | None = None) -> dict:
    """A body of /ssr's one callback (callbacks.ssr.update_view, as recorded in bench/requests/) that
    asks for `view`: its controls set to the view's values, no click, the map holding `figure_key`'s
    geometry (None: nothing drawn yet, everything is answered). `shown` is the view on screen before
    the change (default: `view` itself when nothing is drawn, else `view` with another number of
    classes, so that the answer has the change to draw)."""
    if shown is None:
        shown = view if figure_key is None else {**view, "classes": 3 if view["classes"] != 3 else 4}
    values = {f"ssr-{name}.value": (["oui"] if view[name] else []) if name == "points" else view[name]
              for name in SSR_CONTROLS}
    values.update({"ssr-view.data": shown, "ssr-figure-key.data": figure_key})
    sent = {**recorded, "changedPropIds": []}
    sent["inputs"] = [[] if isinstance(i, list) else {**i, "value": values.get(f"{i['id']}.{i['property']}")}
                      for i in recorded["inputs"]]
    sent["state"] = [{**s, "value": values[f"{s['id']}.{s['property']}"]} for s in recorded["state"]]
    return sent
