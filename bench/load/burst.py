"""A burst: N signed-in clients without think time, each sending a mix of pages, Dash layout and
callbacks and the five exports as fast as the server answers (issue 14: the pool ran dry, exports went
unaudited). Used by `make load` (phase "burst") and tests/integration/test_burst.py.

Loopback only, bounded by a number of rounds or a duration; each request has a client timeout.
"""
from __future__ import annotations

import concurrent.futures
import statistics
import threading
import time
from dataclasses import dataclass

import requests

OK_STATUSES = (200, 204)  # 204: a callback with nothing to update
CLIENT_TIMEOUT_S = 120


@dataclass(frozen=True)
class Outcome:
    name: str
    path: str
    status: int  # 0: no answer (connection error, client timeout)
    seconds: float

    @property
    def is_export(self) -> bool:
        return self.path.startswith("/export/")


def pages_content_body(dependencies: list[dict], path: str, search: str = "") -> dict:
    """The body the browser posts to render page `path` (Dash pages' own callback), built from the
    server's /_dash-dependencies so it follows the app's registry."""
    spec = next(d for d in dependencies if "_pages_content.children" in d["output"])
    key = spec["output"]
    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1))) for o in key.strip(".").split("...")]
    values = {"pathname": path, "search": search}
    return {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
            "inputs": [{**i, "value": values.get(i["property"])} for i in spec["inputs"]],
            "state": [], "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"]}


def request_mix(dependencies: list[dict], finess: str, year: int = 2024) -> list[tuple[str, str, str, dict | None]]:
    """Ten requests (name, method, path, json body): three pages, the layout, two page renders and
    the five exports; each client starts at another offset, so every kind runs concurrently."""
    ssr = f"?geste=PTG&annee={year}"
    return [
        ("page /ssr", "GET", f"/ssr{ssr}", None),
        ("layout", "GET", "/_dash-layout", None),
        ("callback /ssr", "POST", "/_dash-update-component", pages_content_body(dependencies, "/ssr", ssr)),
        ("export ssr.csv", "GET", f"/export/ssr.csv{ssr}", None),
        ("page /msap", "GET", "/msap", None),
        ("callback /msap", "POST", "/_dash-update-component", pages_content_body(dependencies, "/msap")),
        ("export msap.csv", "GET", "/export/msap.csv", None),
        ("export msap.xlsx", "GET", "/export/msap.xlsx", None),
        ("export caqes.csv", "GET", "/export/caqes.csv", None),
        ("export profil.pdf", "GET", f"/export/profil/{finess}.pdf", None),
    ]


def clone(session: requests.Session) -> requests.Session:
    """Another client with the same signed-in cookies."""
    other = requests.Session()
    other.cookies.update(session.cookies)
    return other


def run(base: str, sessions: list[requests.Session], mix: list[tuple[str, str, str, dict | None]],
        rounds: int | None = None, seconds: float | None = None) -> list[Outcome]:
    """Every session sends the mix in a loop, without pause: `rounds` requests each, or for `seconds`.
    Returns one outcome per request."""
    assert rounds or seconds, "a burst is bounded"
    deadline = time.monotonic() + seconds if seconds else None
    start = threading.Barrier(len(sessions))

    def client(index: int) -> list[Outcome]:
        session, out = sessions[index], []
        start.wait()
        i = index
        while (rounds is None or len(out) < rounds) and (deadline is None or time.monotonic() < deadline):
            name, method, path, body = mix[i % len(mix)]
            t0 = time.perf_counter()
            try:
                status = session.request(method, base + path, json=body, allow_redirects=False,
                                         timeout=CLIENT_TIMEOUT_S).status_code
            except requests.RequestException:
                status = 0
            out.append(Outcome(name, path, status, time.perf_counter() - t0))
            i += 1
        return out

    with concurrent.futures.ThreadPoolExecutor(len(sessions)) as pool:
        return [o for outcomes in pool.map(client, range(len(sessions))) for o in outcomes]


def summary(outcomes: list[Outcome], seconds: float) -> dict:
    """Counts, errors (anything but 200/204, or no answer) by status, latency percentiles (ms)."""
    times = sorted(o.seconds for o in outcomes)
    q = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else times * 99
    errors: dict[str, int] = {}
    for o in outcomes:
        if o.status not in OK_STATUSES:
            errors[f"{o.status} {o.name}"] = errors.get(f"{o.status} {o.name}", 0) + 1
    return {"requests": len(outcomes), "seconds": round(seconds, 1),
            "rps": round(len(outcomes) / seconds, 2) if seconds else None,
            "errors": sum(errors.values()), "errors_by_kind": errors,
            "exports_served": sum(1 for o in outcomes if o.is_export and o.status == 200),
            "p50_ms": round(q[49] * 1000), "p95_ms": round(q[94] * 1000), "max_ms": round(times[-1] * 1000)}


def exports_audited(database_url: str) -> int:
    """Export events in the audit trail (the burst's count is the difference before/after)."""
    from sqlalchemy import func, select

    from data_access import models
    from data_access.db import get_engine

    with get_engine(database_url).connect() as conn:
        return conn.scalar(select(func.count()).select_from(models.AuditEvent)
                           .where(models.AuditEvent.event.like("export_%")))
