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


def key(item: dict) -> str:
    """'ssr-annee.value'; a pattern-matching id is named by its type: 'ssr-crumb.n_clicks'."""
    ident = item["id"]
    return f"{ident.get('type', json.dumps(ident, sort_keys=True)) if isinstance(ident, dict) else ident}" \
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
    if isinstance(item["id"], dict):  # a wildcard input: the list of matching components (none by default)
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
