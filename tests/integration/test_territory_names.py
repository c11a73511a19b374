"""Territory names are held per process for the data version a request reads (services.territories)."""
from sqlalchemy import update

from data_access import models
from data_access.db import get_engine
from services import territories
from tests.conftest import app_on


def _rename_bretagne(url: str, name: str, bump: bool) -> None:
    with get_engine(url).begin() as conn:
        conn.execute(update(models.Region).where(models.Region.code == "53").values(name=name))
        if bump:
            conn.execute(update(models.DataVersion).values(version=models.DataVersion.version + 1))


def test_names_follow_the_data_version(dash_app, sqlite_url):
    with app_on(dash_app, sqlite_url) as server:
        with server.test_request_context("/"):
            assert territories.geo_names().regions["53"] == "Bretagne"
        _rename_bretagne(sqlite_url, "Bretagne (renommée)", bump=False)
        with server.test_request_context("/"):  # same version: the names this process holds
            assert territories.geo_names().regions["53"] == "Bretagne"
        _rename_bretagne(sqlite_url, "Bretagne (renommée)", bump=True)
        with server.test_request_context("/"):  # a new version (an import): read again
            names = territories.geo_names()
            assert names.regions["53"] == "Bretagne (renommée)"
            assert names.region_of["35"] == "53" and names.departements["35"] == "Ille-et-Vilaine"
