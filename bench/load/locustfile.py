"""The load scenario: signed-in users browsing /ssr, /msap, /caqes and establishment profiles.

Each user signs in through the form, then plays recorded journeys (bench/load/requests/*.json: the page
GET, /_dash-layout, /_dash-dependencies, every Dash callback request and the exports, as Chromium sent
them), thinking 3 to 10 s between two steps and between two journeys. Static files are fetched the way
the browser of a returning user does: never for Dash's versioned bundles (cached for a year), again
(conditional GET) on every page load for the others unless the server allowed keeping them (max-age).
Callbacks of a step are sent one after the other (the browser sends some in parallel).

Consistency check: for every request whose response depends only on the data (ATLAS_LOAD_REFS maps
it to the digests of its response on the data before and after the import), a response must equal
one of the two: a response mixing old and new figures matches neither and counts as a violation.

Run by `python -m bench.load` (which sets the ATLAS_LOAD_* variables); alone:
    locust -f bench/load/locustfile.py --headless -u 50 -r 10 --run-time 60s --host http://127.0.0.1:8050
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

HERE = Path(__file__).resolve().parent
if str(HERE.parents[1]) not in sys.path:  # locust puts this file's folder on the path, not the project's
    sys.path.insert(0, str(HERE.parents[1]))
from bench.load.journeys import digest, load_journeys, request_key, request_name  # noqa: E402
from bench.load.serving import sign_in  # noqa: E402

THINK = (float(os.environ.get("ATLAS_LOAD_THINK_MIN", "3")), float(os.environ.get("ATLAS_LOAD_THINK_MAX", "10")))
ACCOUNTS = [a for a in os.environ.get("ATLAS_LOAD_ACCOUNTS", "").split(",") if a]
PASSWORD = os.environ.get("ATLAS_LOAD_PASSWORD", "")
STATIC_MODE = os.environ.get("ATLAS_LOAD_STATIC", "browser")  # browser | none (a proxy serves them)
VERSIONED = re.compile(r"\.v\d+(_\d+)*m\d+\.")  # Dash bundle addresses carry the package version
WEIGHTS = {"ssr": 3, "ssr_departements": 1, "msap": 2, "caqes": 2, "profile": 3}  # profile_* share "profile"


JOURNEYS = load_journeys()
REFS: dict[str, list[str]] = (json.loads(Path(os.environ["ATLAS_LOAD_REFS"]).read_text())
                              if os.environ.get("ATLAS_LOAD_REFS") else {})
CHECKS = {"checked": 0, "violations": 0, "matched_before": 0, "matched_after": 0, "examples": [],
          "steps": {}, "sign_in_failures": 0}
_accounts = itertools.count()


def _choices() -> tuple[list[str], list[float]]:
    names = list(JOURNEYS)
    profiles = [n for n in names if n.startswith("profile")]
    weights = [WEIGHTS["profile"] / len(profiles) if n.startswith("profile") else WEIGHTS.get(n, 1) for n in names]
    return names, weights


class AtlasUser(HttpUser):
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.browser_cache: dict[str, str | None] = {}  # url -> ETag, or None when cached for good
        if ACCOUNTS:
            login = ACCOUNTS[next(_accounts) % len(ACCOUNTS)]
            try:
                sign_in(self.client, self.host, login, PASSWORD)
            except Exception as exc:  # counted, and the user's requests will fail with 401
                CHECKS["sign_in_failures"] += 1
                events.request.fire(request_type="POST", name="/login", response_time=0, response_length=0,
                                    exception=exc, context={})

    @task
    def journey(self) -> None:
        names, weights = _choices()
        name = random.choices(names, weights)[0]
        for i, step in enumerate(JOURNEYS[name]["steps"]):
            if i:
                gevent.sleep(random.uniform(*THINK))
            t0 = time.perf_counter()
            self.static(step.get("static", []))
            for req in step["requests"]:
                self.send(req)
            journey = "profile" if name.startswith("profile") else name
            label = re.sub(r"\d{9}", "[finess]", f"{journey}: {step['name']}")
            CHECKS["steps"].setdefault(label, []).append(time.perf_counter() - t0)

    def static(self, urls: list[str]) -> None:
        """What the browser of a returning user asks for on a page load: nothing for the files whose
        address carries a version (kept for a year), a conditional GET for the others unless the last
        answer allowed keeping them (max-age)."""
        if STATIC_MODE == "none":
            return
        for url in urls:
            if VERSIONED.search(url) or self.browser_cache.get(url, "") is None:
                continue
            headers = {"If-None-Match": self.browser_cache[url]} if self.browser_cache.get(url) else {}
            with self.client.get(url, headers=headers, name="static files (revalidated)", catch_response=True) as resp:
                if resp.status_code not in (200, 304):
                    resp.failure(f"HTTP {resp.status_code}")
                    continue
                cache_control = resp.headers.get("Cache-Control", "")
                fresh = re.search(r"max-age=(\d+)", cache_control)
                if fresh and int(fresh.group(1)) >= 3600 and "no-cache" not in cache_control:
                    self.browser_cache[url] = None
                else:
                    self.browser_cache[url] = resp.headers.get("ETag") or self.browser_cache.get(url) or ""

    def send(self, req: dict) -> None:
        kwargs = {"json": req["body"]} if req["method"] == "POST" else {}
        with self.client.request(req["method"], req["path"], name=request_name(req), catch_response=True,
                                 allow_redirects=False, **kwargs) as resp:
            if resp.status_code not in (200, 204):
                resp.failure(f"HTTP {resp.status_code}")
                return
            refs = REFS.get(request_key(req["method"], req["path"], req.get("body")))
            if refs:
                self.check(req, resp.content, refs)

    @staticmethod
    def check(req: dict, content: bytes, refs: list[str]) -> None:
        CHECKS["checked"] += 1
        value = digest(content)
        if value == refs[0]:
            CHECKS["matched_before"] += 1
        elif value in refs[1:]:
            CHECKS["matched_after"] += 1
        else:
            CHECKS["violations"] += 1
            if len(CHECKS["examples"]) < 5:
                CHECKS["examples"].append({"request": request_name(req), "path": req["path"],
                                           "response_start": content[:2000].decode("utf-8", "replace")})


@events.test_stop.add_listener
def _write_checks(environment, **_kw) -> None:
    out = os.environ.get("ATLAS_LOAD_CHECKS")
    if out:
        Path(out).write_text(json.dumps(CHECKS, ensure_ascii=False), encoding="utf-8")
