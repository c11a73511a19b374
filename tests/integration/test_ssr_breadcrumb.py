"""The breadcrumb names each step from its own list: 18 départements share their code with a region
(75 is Paris and Nouvelle-Aquitaine, 01 Ain and Guadeloupe)."""
import pytest

from tests.conftest import app_on, signed_client
from tests.factories import small_ssr_dataset


@pytest.mark.parametrize(("focus", "niveau", "expected"), [
    ("75", "reg", [("75", "Nouvelle-Aquitaine")]),
    ("75", "dep", [("11", "Île-de-France"), ("75", "Paris (75)")]),
    ("33", "dep", [("75", "Nouvelle-Aquitaine"), ("33", "Gironde (33)")]),
    ("01", "dep", [("84", "Auvergne-Rhône-Alpes"), ("01", "Ain (01)")]),
])
def test_breadcrumb_names_regions_and_departements_apart(dash_app, sqlite_url, focus, niveau, expected):
    from services import ssr

    small_ssr_dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        client = signed_client(server)
        page = client.get(f"/ssr?geste=PTG&annee=2024&niveau={niveau}&focus={focus}")
        assert page.status_code == 200
        with server.test_request_context("/ssr"):
            view, notices = ssr.parse_view({"geste": "PTG", "annee": "2024", "niveau": niveau, "focus": focus})
            assert notices == []
            assert ssr.tables(view).crumbs == expected
