"""/msap must not leak through its own parameters (issue 13): as iraps, sweep volume_min, ecart_pts
and seuil over the list, its CSV, the count, the funnel, the map and the sensitivity chart; for
every row whose count or rate is masked, everything shown about it (every column, its place in the
list, whether it is counted) is the same at every step, and the figures that move with the
thresholds are those of the rows shown only.

Written from the published outputs alone: a row is "masked" when one of its counts or its rate
reads as a secret text ("< 11", "masqué", "secret statistique"), whatever produces that text."""
from __future__ import annotations

import re

from analytics.secrecy import MASKED, SECRET
from tests.conftest import app_on, signed_client
from tests.factories import add_establishments, add_ssr
from tests.integration import test_presentation_pages as pages

N = "\u00a0"
SECRET_TEXTS = (MASKED, SECRET)
BASE = {**pages.RULE, "volume_min": 0}


def _dataset(url: str) -> None:
    """pages.dataset (B 5/8 "< 11", C 20/50 "masqué" in Gironde) and three more small cells in
    Paris and Dordogne, so that the masked rows straddle every threshold swept: G 9/10 (90 %),
    H 3/7 (43 %), I 25/30; and five larger ones."""
    pages.dataset(url)
    add_establishments(url, [("750000035", "Clinique des Buttes", "prive", "MCO", "75056"),
                             ("240000037", "Clinique du Bergeracois", "prive", "MCO", "24322"),
                             ("240000045", "Polyclinique de Sarlat", "prive", "MCO", "24322")])
    add_ssr(url, [("750000035", 2024, "PTG", "75+", 10, 9), ("240000037", 2024, "PTG", "<60", 7, 3),
                  ("240000045", 2024, "PTG", "75+", 30, 25)])
    # larger establishments of each status and place, so that the masks leave rows the rule applies to
    add_establishments(url, [("330000066", "Clinique Saint-Augustin", "prive", "MCO", "33063"),
                             ("240000052", "Clinique Francheville", "prive", "MCO", "24322"),
                             ("750000043", "Clinique Montsouris", "prive", "MCO", "75056"),
                             ("750000050", "Hôpital Cochin", "public", "MCO", "75056"),
                             ("240000060", "Hôpital de Bergerac", "public", "MCO", "24322")])
    add_ssr(url, [(f, 2024, "PTG", age, stays, ssr) for f, age, stays, ssr in (
        ("330000066", "75+", 150, 80), ("330000066", "<60", 30, 12), ("330000066", "60-74", 40, 20),
        ("240000052", "75+", 120, 50), ("240000052", "<60", 40, 15), ("240000052", "60-74", 50, 22),
        ("750000043", "<60", 140, 70), ("750000043", "75+", 60, 30), ("750000043", "60-74", 45, 25),
        ("750000050", "75+", 100, 45), ("750000050", "<60", 40, 20), ("750000050", "60-74", 60, 24),
        ("240000060", "75+", 90, 30), ("240000060", "<60", 35, 12), ("240000060", "60-74", 45, 15))])


def _masked(row: dict) -> bool:
    """A row the rule is not applied to: its counts or rate masked, or a reference its test uses."""
    return any(row[c] in SECRET_TEXTS for c in ("sejours", "sejours_cibles", "taux_pct")) or row["cible"] == "non évalué"


def _query(rule: dict) -> str:
    return (f"?campagne=SSR&annee=2024&geste=PTG&age=tous&volume_min={rule['volume_min']}&methode={rule['methode']}"
            f"&ecart_pts={rule['ecart_pts']:g}&seuil={rule['seuil']}&perimetre=FR")


def _sweep() -> list[dict]:
    rules = [{**BASE, "volume_min": v} for v in range(0, 31)]
    rules += [{**BASE, "ecart_pts": float(e)} for e in range(0, 21)]
    rules += [{**BASE, "methode": "funnel", "seuil": s, "volume_min": v}
              for s in ("95", "99.8") for v in (0, 3, 7, 8, 9, 10, 11, 30)]
    return rules


def _collect(server) -> list[tuple[dict, dict, list[dict]]]:
    """(rule, the page's callback response as iraps, the CSV of the same rule) for every step. The
    iraps role may not download the establishments' list: its CSV is an analyste's in the
    anonymised presentation mode (the same rows, by services.msap.table)."""
    iraps = signed_client(server, "iraps")
    presenting = pages.presenting(signed_client(server), anonymised=True)
    assert iraps.get("/export/msap.csv" + _query(BASE)).status_code == 403
    out = []
    for rule in _sweep():
        out.append((rule, pages.msap(iraps, rule), pages.csv_rows(presenting, "/export/msap.csv" + _query(rule))))
    return out


def _count_numbers(count) -> tuple[int, int, int, int]:
    """(flagged, examined, below the volume minimum, not evaluated) as the count block reads."""
    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):  # a component: its text is in its children
            yield from strings(value.get("props", {}).get("children") if "props" in value else value.get("children"))
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)

    text = " ".join(" ".join(strings(count)).replace(N, " ").split())
    flagged, examined = re.search(r"(\d+) établissements? ciblés? +sur (\d+) examinés?", text).groups()
    below = re.search(r"dont (\d+) sous le volume minimal", text)
    withheld = re.search(r"(\d+) non évalués? \(secret statistique\)", text)
    return int(flagged), int(examined), int(below.group(1)) if below else 0, int(withheld.group(1)) if withheld else 0


def test_a_sweep_of_the_thresholds_reads_nothing_of_the_masked_rows(dash_app, sqlite_url):
    _dataset(sqlite_url)
    with app_on(dash_app, sqlite_url) as server:
        results = _collect(server)
    reference_grid = None
    flagged_by_ecart = {}
    for rule, shown, csv in results:
        grid = shown["msap-table"]["rowData"]
        masked = [r for r in grid if _masked(r)]
        assert len(masked) >= 4, "the dataset must keep masked rows to test"  # B, C, G, H at least
        # 1. every masked row: all its columns and its place in the list, identical across the sweep
        where = {r["finess"]: (i, r) for i, r in enumerate(grid) if _masked(r)}
        csv_masked = {r["raison_sociale"]: (i, r) for i, r in enumerate(csv) if _masked(r)}
        assert len(csv_masked) == len(masked) and len(csv) == len(grid)
        if reference_grid is None:
            reference_grid, reference_csv = where, csv_masked
        assert where == reference_grid, rule
        assert csv_masked == reference_csv, rule
        # 2. the count moves with the rows shown only
        flagged, examined, below, withheld = _count_numbers(shown["msap-count"])
        shown_rows = [r for r in grid if not _masked(r)]
        assert examined == len(grid)
        assert flagged == sum(r["cible"] == "oui" for r in shown_rows)
        assert all(r["cible"] != "oui" for r in masked)
        assert below == sum("en dessous du volume minimal" in r["motif"] for r in shown_rows)
        assert withheld == len(masked)
        # 3. no masked row in the funnel nor on the map
        codes = {r["finess"] for r in masked}
        for trace in shown["msap-funnel"]["figure"]["data"] + [shown["msap-map"]["figure"]["data"][-1]]:
            for c in trace.get("customdata") or []:
                assert c[0] not in codes, (rule, c)
        if rule["methode"] == "ecart" and rule["volume_min"] == 0:
            flagged_by_ecart[rule["ecart_pts"]] = flagged
    # the sweep is a real one: the rows shown move with the thresholds (so the checks above can fail)
    states = {tuple((r["finess"], r["cible"], r["motif"]) for r in shown["msap-table"]["rowData"] if not _masked(r))
              for _rule, shown, _csv in results}
    assert len(states) >= 5
    # 4. the sensitivity chart counts the rows shown only: its bar at each ecart is the list's count
    sensitivity = next(s for r, s, _ in results if r == BASE)["msap-sensitivity"]["figure"]["data"][0]
    bars = {float(x.replace(",", ".")): y for x, y in zip(sensitivity["x"], sensitivity["y"])}
    assert len(flagged_by_ecart) == 21
    for ecart, flagged in flagged_by_ecart.items():
        assert bars[ecart] == flagged, (ecart, bars[ecart], flagged)
