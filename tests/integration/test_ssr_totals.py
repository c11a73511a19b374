"""The SSR totals kept by the imports (data_access/ssr_totals.py), on SQLite and PostgreSQL:
they equal sums written by hand from tests/data/good/ after an import, a re-import that changes
counts and an establishments import that changes a legal status; a rejected import leaves them
unchanged; the SSR queries give the same frames from the totals as from the facts."""
from __future__ import annotations

from itertools import product
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select, update

from data_access import models, ssr, ssr_totals
from data_access.db import get_engine
from data_access.imports import ImportRejected, import_file
from tests.factories import add_ssr

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
T = models.TOTAL


def departement_totals(url: str) -> dict[tuple, tuple[int, int]]:
    """(gesture, age_band, legal_status, year, departement) -> (stays, stays_with_ssr)."""
    d = models.SsrDepartementTotal
    with get_engine(url).connect() as conn:
        return {(r.gesture, r.age_band, r.legal_status, r.year, r.departement_code): (r.stays, r.stays_with_ssr)
                for r in conn.execute(select(d))}


def establishment_totals(url: str) -> dict[tuple, tuple[int, int]]:
    """(year, gesture, finess) -> (stays, stays_with_ssr), every age band."""
    e = models.SsrEstablishmentTotal
    with get_engine(url).connect() as conn:
        return {(r.year, r.gesture, r.finess): (r.stays, r.stays_with_ssr) for r in conn.execute(select(e))}


def consistent(url: str) -> bool:
    with get_engine(url).connect() as conn:
        return ssr_totals.current(conn) and ssr_totals.check(conn) == []


def import_good(url: str) -> None:
    import_file(url, "establishments", GOOD / "establishments.csv")
    import_file(url, "ssr_recourse", GOOD / "ssr_recourse.csv")


def test_totals_after_an_import_are_the_hand_computed_sums(db_url):
    import_good(db_url)

    dep, est = departement_totals(db_url), establishment_totals(db_url)
    # Paris 2022, PTG 40 + 210 + 150 stays, 9 + 88 + 97 with SSR, at every rollup that contains them
    for key in [("PTG", T, T), (T, T, T), ("PTG", T, "public"), (T, T, "public")]:
        assert dep[(*key, 2022, "75")] == (400, 194)
    assert dep[("PTG", "<60", "public", 2022, "75")] == (40, 9)
    # Gironde 2022: PTG 640/412 and PTH 300/145 in one private clinic
    assert dep[(T, T, T, 2022, "33")] == (940, 557)
    assert dep[(T, "75+", "prive", 2022, "33")] == (300, 145)
    assert (T, T, "public", 2022, "33") not in dep  # no public establishment with stays there
    # 2023, PTG 60-74, France: 220 + 655 + 95 stays, 81 + 398 + 51 with SSR
    assert sum(v[0] for k, v in dep.items() if k[:4] == ("PTG", "60-74", T, 2023)) == 970
    assert sum(v[1] for k, v in dep.items() if k[:4] == ("PTG", "60-74", T, 2023)) == 530
    assert est[(2022, "PTG", "750000011")] == est[(2022, T, "750000011")] == (400, 194)
    assert est[(2022, "PTG", "330000021")] == (640, 412)
    assert est[(2022, T, "330000021")] == (940, 557)
    assert est[(2023, "LCA", "2A0000041")] == est[(2023, T, "2A0000041")] == (60, 4)
    # gesture totals: Paris and Bordeaux in 2022 and 2023, three others in 2023; per gesture, one more
    # for Bordeaux's PTH in 2022
    assert len(est) == 7 + 8
    assert consistent(db_url)


def test_a_follow_up_import_keeps_the_totals_in_use(db_url, tmp_path):
    # campaigns and actions write no SSR fact and no establishment: the totals stay consistent with
    # the new data version, so the SSR views keep reading them (they read the facts otherwise).
    import_good(db_url)
    before = departement_totals(db_url)
    campaigns = tmp_path / "campagnes.csv"
    campaigns.write_text("code;label;theme;year;perimeter\nFR-2025;MSAP SSR France;msap_ssr;2025;FR\n",
                         encoding="utf-8")
    report = import_file(db_url, "campaigns", campaigns)
    with get_engine(db_url).connect() as conn:
        version = conn.scalar(select(models.DataVersion.version))
        state = conn.scalar(select(models.DerivedState.data_version).where(models.DerivedState.name == "ssr_totals"))
    assert report.data_version == version == state
    assert consistent(db_url) and departement_totals(db_url) == before


def test_a_follow_up_import_does_not_vouch_for_stale_totals(db_url, tmp_path):
    # totals already stale (facts written outside the imports) stay stale: only consistent totals
    # are carried to the new version.
    import_good(db_url)
    add_ssr(db_url, [("750000011", 2022, "PTH", "<60", 5, 1)])
    campaigns = tmp_path / "campagnes.csv"
    campaigns.write_text("code;label;theme;year;perimeter\nFR-2025;MSAP SSR France;msap_ssr;2025;FR\n",
                         encoding="utf-8")
    import_file(db_url, "campaigns", campaigns)
    with get_engine(db_url).connect() as conn:
        assert not ssr_totals.current(conn)


def test_a_reimport_that_changes_counts_updates_the_totals(db_url, tmp_path):
    import_good(db_url)
    changed = tmp_path / "ssr_recourse_v2.csv"
    lines = (GOOD / "ssr_recourse.csv").read_text(encoding="utf-8").splitlines()
    lines = [x.replace("330000021,2022,PTG,60-74,640,412", "330000021,2022,PTG,60-74,640,400") for x in lines]
    lines.append("330000021,2023,PTH,75+,310,120")
    changed.write_text("\n".join(lines) + "\n", encoding="utf-8")

    import_file(db_url, "ssr_recourse", changed)

    dep, est = departement_totals(db_url), establishment_totals(db_url)
    assert dep[(T, T, T, 2022, "33")] == (940, 545)
    assert dep[("PTG", "60-74", "prive", 2022, "33")] == (640, 400)
    assert dep[(T, T, T, 2023, "33")] == (655 + 310, 398 + 120)
    assert dep[("PTH", T, "prive", 2023, "33")] == (310, 120)  # a new row
    assert est[(2022, T, "330000021")] == (940, 545)
    assert est[(2023, "PTH", "330000021")] == (310, 120)  # a new row
    assert est[(2023, T, "330000021")] == (655 + 310, 398 + 120)
    assert dep[(T, T, T, 2022, "75")] == (400, 194)  # untouched
    assert consistent(db_url)


def test_a_reimport_of_the_same_file_changes_nothing(db_url):
    import_good(db_url)
    before = departement_totals(db_url), establishment_totals(db_url)
    import_file(db_url, "ssr_recourse", GOOD / "ssr_recourse.csv")
    assert (departement_totals(db_url), establishment_totals(db_url)) == before
    assert consistent(db_url)


def test_an_establishment_changing_legal_status_moves_its_counts(db_url, tmp_path):
    import_good(db_url)
    moved = tmp_path / "establishments_v2.csv"
    text = (GOOD / "establishments.csv").read_text(encoding="utf-8")
    chartrons = "Clinique des Chartrons (fictive),"
    moved.write_text(text.replace(chartrons + "prive,", chartrons + "public,"), encoding="utf-8")

    import_file(db_url, "establishments", moved)

    dep = departement_totals(db_url)
    assert dep[(T, T, "public", 2022, "33")] == (940, 557)
    assert (T, T, "prive", 2022, "33") not in dep
    assert dep[(T, T, T, 2022, "33")] == (940, 557)
    assert consistent(db_url)


def test_a_rejected_import_leaves_the_totals_unchanged(db_url):
    import_good(db_url)
    before = departement_totals(db_url), establishment_totals(db_url)
    with pytest.raises(ImportRejected):
        import_file(db_url, "ssr_recourse", BAD / "ssr_recourse__stays_with_ssr_gt_stays.csv")
    with pytest.raises(ImportRejected):
        import_file(db_url, "ssr_recourse", BAD / "ssr_recourse__unknown_finess.csv")
    assert (departement_totals(db_url), establishment_totals(db_url)) == before
    assert consistent(db_url)


def test_facts_written_outside_the_imports_are_read_from_the_facts_until_the_next_import(db_url):
    import_good(db_url)
    add_ssr(db_url, [("974000031", 2024, "PTH", "75+", 33, 11)])  # bumps the data version, not the totals

    with get_engine(db_url).connect() as conn:
        assert not ssr_totals.current(conn)
    assert 2024 in ssr.years(db_url)
    counts = ssr.establishment_counts(db_url, 2024, ["PTH"], ["75+"], ["public"])
    assert counts[["finess", "stays", "stays_with_ssr"]].values.tolist() == [["974000031", 33, 11]]

    import_file(db_url, "caqes_contracts", GOOD / "caqes_contracts.csv")  # any import rebuilds them
    assert consistent(db_url)
    assert departement_totals(db_url)[(T, T, T, 2024, "974")] == (33, 11)


FILTERS = [
    (tuple(gestures), tuple(ages), tuple(statuses))
    for gestures, ages, statuses in product(
        [["PTG"], ["PTG", "PTH", "LCA", "COIFFE"], ["PTG", "PTH"], ["COIFFE", "LCA", "PTH", "PTG", "PTG"]],
        [["60-74"], ["<60", "60-74", "75+"], ["<60", "75+"]],
        [["public"], ["public", "espic", "prive"], ["espic", "prive"]])
]


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df.sort_values(keys).reset_index(drop=True)


def test_queries_read_the_same_figures_from_the_totals_and_from_the_facts(db_url):
    import_good(db_url)
    from_totals = {}
    for f in FILTERS:
        from_totals[f] = ([_sorted(ssr.establishment_counts(db_url, y, *f), ["finess"]) for y in (2022, 2023)],
                          _sorted(ssr.counts_by_year(db_url, *f), ["year", "departement_code"]))
    years = ssr.years(db_url)
    with get_engine(db_url).begin() as conn:  # as if the facts had been written behind the imports' back
        conn.execute(update(models.DataVersion).values(version=models.DataVersion.version + 1))

    assert ssr.years(db_url) == years == [2022, 2023]
    for f in FILTERS:
        estab, by_year = from_totals[f]
        for y, frame in zip((2022, 2023), estab):
            pd.testing.assert_frame_equal(frame, _sorted(ssr.establishment_counts(db_url, y, *f), ["finess"]))
        pd.testing.assert_frame_equal(by_year, _sorted(ssr.counts_by_year(db_url, *f), ["year", "departement_code"]))
    # and one figure by hand: Gironde 2022, four gestures, all ages and statuses
    by_year = from_totals[(("PTG", "PTH", "LCA", "COIFFE"), ("<60", "60-74", "75+"), ("public", "espic", "prive"))][1]
    row = by_year[(by_year["year"] == 2022) & (by_year["departement_code"] == "33")]
    assert row[["stays", "stays_with_ssr"]].values.tolist() == [[940, 557]]
