"""A /caqes view of one volet or one indicator reads only that part of the year's results, and
selects exactly what it selected from the whole year (same rows, order, values and types), on
both engines."""
from dataclasses import replace

import pandas as pd
import pytest

from analytics import caqes as model
from analytics.caqes import CaqesView
from data_access import caqes as caqes_data
from services import caqes as svc
from tests.conftest import app_on
from tests.integration.test_caqes_export import add_caqes

VIEWS = [CaqesView(annee=year, volet=volet, indicateur=indicator, perimetre=perimetre, niveau="dep")
         for year in (2023, 2024)
         for volet, indicator in [("tous", "tous"), ("produits_sante", "tous"), ("organisation", "tous"),
                                  ("pertinence", "tous"), ("produits_sante", "N_IPP"), ("tous", "R_PRADO"),
                                  ("organisation", "R_PRADO"), ("pertinence", "N_PERTINENCE_BIO")]
         for perimetre in ("FR", "R75", "D24")]


def test_a_volet_reads_only_its_indicators_results(db_url):
    add_caqes(db_url)
    read = caqes_data.year_results(db_url, 2024, ("N_IPP", "N_PERFADOM"))
    assert sorted(zip(read["finess"], read["indicator"])) == [
        ("240000011", "N_IPP"), ("330000017", "N_IPP"), ("330000017", "N_PERFADOM"), ("330000025", "N_IPP"),
        ("750000019", "N_IPP")]
    assert caqes_data.year_results(db_url, 2024, ()).empty


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: f"{v.annee}-{v.volet}-{v.indicateur}-{v.perimetre}")
def test_a_views_selection_is_the_one_selected_from_the_whole_year(dash_app, db_url, view):
    add_caqes(db_url)
    with app_on(dash_app, db_url) as server, server.test_request_context("/caqes"):
        selected = svc.selection(view)
        whole = model.select(model.evaluate(caqes_data.year_results(db_url, view.annee)), view)
        assert not (view.annee == 2024 and view.perimetre == "FR") or len(whole) > 0
        pd.testing.assert_frame_equal(selected, whole, check_exact=True)
        everywhere = replace(view, perimetre="FR")
        pd.testing.assert_frame_equal(
            svc.selection(everywhere),
            model.select(model.evaluate(caqes_data.year_results(db_url, view.annee)), everywhere),
            check_exact=True)
