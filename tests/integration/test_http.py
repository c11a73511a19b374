"""Plain HTTP checks of the shell: health, pages, offline assets."""
import re

import pytest

from config import Settings


def test_health_reports_the_database_and_data_version(client):
    resp = client.get("/health")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["data_version"] == 0


def test_health_answers_503_when_the_database_is_unreachable(dash_app, client):
    config = dash_app.server.config
    saved = config["ATLAS_SETTINGS"]
    config["ATLAS_SETTINGS"] = Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:9/absent")
    try:
        resp = client.get("/health")
    finally:
        config["ATLAS_SETTINGS"] = saved
    assert resp.status_code == 503
    assert resp.get_json() == {"status": "error", "database": "injoignable"}


@pytest.mark.parametrize("path", ["/", "/donnees", "/methodes"])
def test_pages_are_served_in_french_with_only_local_scripts(client, path):
    resp = client.get(path)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert '<html lang="fr">' in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, "the page references its scripts"
    assert all(s.startswith("/") for s in sources), [s for s in sources if not s.startswith("/")]
