"""The recorded journeys (bench/load/requests/*.json) and how requests and responses are identified;
no locust import here (locust patches the standard library with gevent when imported)."""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUESTS_DIR = Path(os.environ.get("ATLAS_LOAD_REQUESTS", HERE / "requests"))
END_ID = re.compile(r"([?&])endId=[^&]*&?")


def load_journeys(directory: Path = REQUESTS_DIR) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))}


def request_key(method: str, path: str, body) -> str:
    """Identity of a recorded request (the page-load id Dash adds to callback URLs left out)."""
    path = END_ID.sub(r"\1", path).rstrip("?&")
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")) if body is not None else ""
    return hashlib.sha256(f"{method} {path} {canonical}".encode()).hexdigest()


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def request_name(req: dict) -> str:
    """Statistics name: the page path, or the first output of a callback."""
    path = req["path"].split("?")[0]
    if req["method"] == "POST" and path == "/_dash-update-component":
        outputs = req["body"].get("outputs")
        first = outputs[0] if isinstance(outputs, list) else outputs
        out = f"{first['id']}.{first['property']}" if isinstance(first["id"], str) else first["property"]
        return f"callback {out}"
    if path.startswith("/etablissement/"):
        return "/etablissement/[finess]"
    if path.startswith("/export/profil/"):
        return "/export/profil/[finess].pdf"
    return path
