"""Issue 13: what presentation mode costs per interaction once the masks are stored.

One /ssr age-band change (the recorded callback body, as tests/dash_bodies builds it) replayed on a
national demo database in-process (Flask test client, no network): server time in normal mode and
in presentation mode, cold (the app's cache emptied before each request; the masks themselves are
read from secrecy_masks, as every worker does) and warm. `python -m bench.secrecy_interaction DB`.
"""
from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPS = 30


def main(db: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from config import Settings
    from data_access.cache import cache
    from factory import create_app
    from security import accounts
    from tests.dash_bodies import ssr_view_body

    copy = Path(tempfile.mkdtemp()) / "atlas.sqlite"
    shutil.copy(db, copy)
    url = f"sqlite:///{copy}"
    accounts.create_user(url, "bench-presentation", "mot-de-passe-bench", "analyste")
    app = create_app(Settings(database_url=url, atlas_env="test", secret_key="x" * 40))
    server = app.server
    (recorded,) = json.loads((ROOT / "bench" / "requests" / "ssr_filter_change.json").read_text(encoding="utf-8"))
    view = {"geste": "PTG", "annee": 2024, "age": "tous", "niveau": "reg", "methode": "quantiles", "classes": 4,
            "statut": "tous", "focus": "", "points": False}
    key = {"level": "reg", "region": "", "points": False}
    out = {}
    for mode in ("normal", "presentation"):
        client = server.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        client.post("/login", data={"login": "bench-presentation", "password": "mot-de-passe-bench",
                                    "csrf_token": token, "suite": "/"})
        with client.session_transaction() as session:
            session["presentation"] = mode == "presentation"
        figure_key = {**key, "masque": True} if mode == "presentation" else key
        for temperature in ("cold", "warm"):
            times = []
            for i in range(REPS + 2):
                body = ssr_view_body(recorded, {**view, "age": ("<60", "60-74", "75+", "tous")[i % 4]}, figure_key)
                if temperature == "cold":
                    with server.app_context():
                        cache.clear()
                started = time.perf_counter()
                resp = client.post("/_dash-update-component", json=body)
                elapsed = time.perf_counter() - started
                assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
                if i >= 2:
                    times.append(elapsed * 1000)
            times.sort()
            out[f"{mode} {temperature}"] = {"p50_ms": round(statistics.median(times), 1),
                                             "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1)}
    for k, v in out.items():
        print(f"{k:<20} p50 {v['p50_ms']:>7} ms   p95 {v['p95_ms']:>7} ms")
    return out


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "data" / "atlas.sqlite"))
