"""The profile reads the establishment's ambulatory rows and the year's sums by région × comparables
group instead of every row of the year: the same integers, so the same sentences and figures."""
from __future__ import annotations

from tests.conftest import app_on
from tests.integration.test_ambulatoire_export import _dataset


def test_the_default_rule_on_the_establishment_s_rows_and_sums_says_what_it_says_on_every_row(dash_app, db_url):
    from analytics import msap as msap_model
    from data_access import ambulatory as ambulatory_data
    from data_access.cache import cached
    from services import profile

    _dataset(db_url)
    with app_on(dash_app, db_url) as server, server.test_request_context("/"):
        frame = cached(ambulatory_data.group_counts, 2024).rename(columns={"ambulatory_stays": "cases"})
        finesses = sorted(set(frame["finess"]))
        assert len(finesses) > 2
        for finess in finesses:
            compact = profile._ambulatory_rule_frame(finess, 2024)
            for ecart in (0.0, 10.0):
                kept = msap_model.default_rule_flag(compact, finess, "AMBU", ecart_pts=ecart, volume_min=1)
                assert kept == msap_model.default_rule_flag(frame, finess, "AMBU", ecart_pts=ecart, volume_min=1)


def test_the_section_s_sums_are_those_of_every_row(dash_app, db_url):
    from data_access import ambulatory as ambulatory_data
    from data_access.cache import cached
    from services import ambulatoire, profile

    _dataset(db_url)
    with app_on(dash_app, db_url) as server, server.test_request_context("/"):
        frame = cached(ambulatory_data.group_counts, 2024)
        sizes = cached(profile._sizes).set_index("finess")
        for finess in sorted(set(frame["finess"])):
            info = sizes.loc[finess]
            region = frame.loc[frame["finess"] == finess, "region_code"].iloc[0]
            same = set(sizes.index[(sizes["activity"] == info["activity"])
                                   & (sizes["legal_status"] == info["legal_status"])
                                   & (sizes["size_class"] == info["size_class"])])
            own, sums = profile._ambulatory_counts(finess, 2024)
            refs = sums.assign(in_region=sums["region_code"] == region,
                               comparable=(sums["activity"] == info["activity"])
                               & (sums["legal_status"] == info["legal_status"])
                               & (sums["size_class"] == info["size_class"]))
            table = ambulatoire._reference_sums(own, refs)
            for gestures in [[g] for g in sorted(set(frame["gesture"]))] + [sorted(set(frame["gesture"]))]:
                rows = frame[frame["gesture"].isin(gestures)]

                def pair(df):
                    return int(df["ambulatory_stays"].sum()), int(df["stays"].sum())

                assert ambulatoire._sums_of(table, gestures) == {
                    "own": pair(rows[rows["finess"] == finess]), "region": pair(rows[rows["region_code"] == region]),
                    "france": pair(rows), "comparables": pair(rows[rows["finess"].isin(same)])}
