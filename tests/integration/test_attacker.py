"""Issue 13, acceptance 1: an outside attacker who reads everything a presentation session of /ssr
publishes for one year (tests/attack.py: every /export/ssr.csv and the /ssr callback over every
gesture, age band, status and level, drilled into every département) and audits the masked counts
by linear programming recomputes none of them exactly, and bounds each sensitive count (1 to 10:
stays, SSR stays or their complement) to a range at least 5 wide. No published count is from 1 to
10, and no published row shows stays and SSR stays 1 to 10 apart.

The attacker is built from published outputs only (no import of the app's secrecy code). The test
reads the true counts from the database only to judge the attack (which cells are sensitive)."""
from __future__ import annotations

import csv
import io
import json
import shutil
import uuid

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from config import Settings
from tests import attack_ambu as ambu
from tests.attack import (
    AGE_BANDS,
    GESTURES,
    STATUSES,
    add_establishments,
    app_with,
    attack,
    collect,
    finess_of,
    parse_count,
    presentation_client,
    true_counts,
)
from tests.factories import add_ssr
from tests.msap_factories import add_ambulatory

YEAR = 2024
# (département, région): several départements per région, an overseas one
PLACES = [("33", "75"), ("24", "75"), ("40", "75"), ("75", "11"), ("92", "11"), ("69", "84"), ("38", "84"),
          ("974", "04")]


def _database(sqlite_template, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("attaque") / f"{uuid.uuid4().hex}.sqlite"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def _attack(dash_app, url: str, establishments, facts, **options):
    directory = add_establishments(url, establishments)
    add_ssr(url, [(f, YEAR, g, a, n, k) for f, g, a, n, k in facts])
    with app_with(dash_app, Settings(database_url=url, atlas_env="test", **options)) as server:
        publication = collect(presentation_client(server), YEAR, directory)
    report = attack(directory, publication, true_counts(url, YEAR, directory))
    print(f"\n{len(establishments)} établissements, {len(facts)} cellules feuilles, {publication.requests} requêtes "
          f"en {publication.seconds:.1f} s, {len(publication.facts)} faits publiés\n{report.summary()}")
    return report


def _assert_safe(report) -> None:
    problems = []
    if report.recovered:
        problems.append(f"{len(report.recovered)} comptes masqués recalculés exactement")
    if report.narrow:
        problems.append(f"{len(report.narrow)} comptes sensibles encadrés à moins de 5 "
                        f"(largeur minimale {report.min_width():.2f})")
    if report.shown_small:
        problems.append(f"{len(report.shown_small)} comptes de 1 à 10 publiés")
    if report.shown_complement:
        problems.append(f"{len(report.shown_complement)} compléments de 1 à 10 publiés")
    assert not problems, "Secret statistique percé : " + " ; ".join(problems) + "\n" + report.summary()


# ---------------------------------------------------------------------------
# Hand-made: small counts everywhere, two establishments in a département, one alone in another
# ---------------------------------------------------------------------------
HAND_ESTABLISHMENTS = [
    (finess_of("33", 1), "prive", "33"), (finess_of("33", 2), "public", "33"), (finess_of("24", 1), "public", "24"),
    (finess_of("75", 1), "prive", "75"), (finess_of("92", 1), "espic", "92"), (finess_of("69", 1), "public", "69"),
    (finess_of("69", 2), "prive", "69"), (finess_of("974", 1), "espic", "974"),
]


def _hand_facts():
    """Every establishment in every gesture and age band, counts cycling through small and medium
    values (the SSR stays cycling too, so that some complements are small)."""
    stays = [3, 25, 7, 60, 12, 1, 40, 9, 18, 5, 90, 14, 2, 33]
    ssr = [1, 20, 0, 15, 10, 1, 4, 8, 2, 5, 85, 6, 0, 30]
    facts, n = [], 0
    for finess, _status, _dep in HAND_ESTABLISHMENTS:
        for g in GESTURES:
            for a in AGE_BANDS:
                if n % 5 != 4:  # some leaves empty
                    s = stays[n % len(stays)]
                    facts.append((finess, g, a, s, min(s, ssr[(n * 3) % len(ssr)])))
                n += 1
    return facts


def test_hand_made_dataset_resists_the_attacker(dash_app, sqlite_template, tmp_path_factory):
    report = _attack(dash_app, _database(sqlite_template, tmp_path_factory), HAND_ESTABLISHMENTS, _hand_facts())
    _assert_safe(report)


# ---------------------------------------------------------------------------
# Random small datasets
# ---------------------------------------------------------------------------
COUNTS = st.one_of(st.integers(1, 10), st.integers(1, 10), st.integers(0, 14), st.integers(11, 90))


@st.composite
def datasets(draw):
    establishments, facts = [], []
    for k in range(draw(st.integers(3, 6))):
        dep, _region = draw(st.sampled_from(PLACES))
        finess = finess_of(dep, k + 1)
        establishments.append((finess, draw(st.sampled_from(STATUSES)), dep))
        for g in GESTURES:
            for a in AGE_BANDS:
                if draw(st.integers(0, 3)) == 3:  # some leaves empty (none in the simplest example)
                    continue
                stays = draw(COUNTS)
                ssr = draw(st.one_of(st.integers(0, min(stays, 10)), st.integers(0, stays),
                                     st.integers(max(0, stays - 10), stays)))
                facts.append((finess, g, a, stays, ssr))
    return establishments, facts


# no shrinking: each example costs some 30 to 60 s of requests, and the report names the leaks anyway
@settings(max_examples=5, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=datasets())
def test_random_datasets_resist_the_attacker(dash_app, sqlite_template, tmp_path_factory, data):
    establishments, facts = data
    report = _attack(dash_app, _database(sqlite_template, tmp_path_factory), establishments, facts)
    _assert_safe(report)


# ---------------------------------------------------------------------------
# The attacker works: primary suppression alone leaks, and it says so
# ---------------------------------------------------------------------------
def test_the_attacker_breaks_primary_suppression_alone(dash_app, sqlite_template, tmp_path_factory):
    """Gironde: a large clinic and a small hospital whose 5 PTG stays hide behind "< 11"; every
    other figure of theirs is large. Without secondary suppression, Gironde's PTG total minus the
    clinic's (or the hospital's 4 gestures minus its other 3) gives the 5 back."""
    large, small, other = finess_of("33", 1), finess_of("33", 2), finess_of("24", 1)
    establishments = [(large, "prive", "33"), (small, "public", "33"), (other, "public", "24")]
    facts = [(large, "PTG", "75+", 120, 40), (large, "PTH", "75+", 80, 30), (small, "PTG", "75+", 5, 2),
             (small, "PTH", "75+", 60, 20), (other, "PTG", "75+", 70, 25), (other, "PTH", "75+", 50, 15)]
    report = _attack(dash_app, _database(sqlite_template, tmp_path_factory), establishments, facts,
                     secondary_suppression=False)
    assert report.recovered or report.narrow, "l'attaquant n'a rien trouvé :\n" + report.summary()
    assert any(b.cell.code == small and b.true == 5 for b in report.recovered + report.narrow), report.summary()


# ---------------------------------------------------------------------------
# /msap: its thresholds must not read a masked row back
# ---------------------------------------------------------------------------
MSAP_RULE = {"campagne": "SSR", "annee": YEAR, "age": "tous", "methode": "ecart", "seuil": "99.8",
             "perimetre": "FR", "volume_min": 30, "ecart_pts": 10}
MSAP_COUNTS = ("sejours", "sejours_cibles")


def _msap_rows(client, params: dict) -> list[dict]:
    resp = client.get("/export/msap.csv", query_string=params)
    assert resp.status_code == 200, (params, resp.status_code)
    return list(csv.DictReader(io.StringIO(resp.get_data().decode("utf-8-sig")), delimiter=";"))


def test_msap_thresholds_do_not_read_masked_rows_back(dash_app, sqlite_template, tmp_path_factory):
    """Presentation mode, every gesture: sweeping volume_min from 0 to 30 and ecart_pts from 0 to 20
    over /export/msap.csv, a row whose counts are masked ("< 11" or any other text) reads the same at
    every step (its target flag, its reason, every column), and is listed at every step or at none,
    in the same place among the masked rows: else the step where it changes gives its stays or its
    rate away."""
    url = _database(sqlite_template, tmp_path_factory)
    add_establishments(url, HAND_ESTABLISHMENTS)
    add_ssr(url, [(f, YEAR, g, a, n, k) for f, g, a, n, k in _hand_facts()])
    sweep = [{"volume_min": v} for v in range(31)] + [{"ecart_pts": e} for e in range(21)]
    leaks, masked_rows = [], 0
    with app_with(dash_app, Settings(database_url=url, atlas_env="test")) as server:
        client = presentation_client(server)
        for gesture in GESTURES:
            seen: dict[str, set] = {}
            orders = set()
            steps = [(step, _msap_rows(client, {**MSAP_RULE, "geste": gesture, **step})) for step in sweep]
            masked = {r["finess"] for _step, rows in steps for r in rows
                      if any(parse_count(r[c])[0] != "eq" for c in MSAP_COUNTS)}
            assert all(r["finess"] for _step, rows in steps for r in rows), "the attacker expects FINESS"
            masked_rows += len(masked)
            for _step, rows in steps:
                listed = {r["finess"]: r for r in rows if r["finess"] in masked}
                orders.add(tuple(r["finess"] for r in rows if r["finess"] in masked))
                for finess in masked:
                    seen.setdefault(finess, set()).add(json.dumps(listed.get(finess), sort_keys=True))
            leaks += [f"{gesture} {finess}: {len(texts)} versions, e.g. {sorted(texts)[:2]}"
                      for finess, texts in seen.items() if len(texts) > 1]
            if len(orders) > 1:
                leaks.append(f"{gesture}: the masked rows' order changes with the thresholds: {sorted(orders)[:2]}")
    print(f"\n/msap : {masked_rows} lignes masquées suivies sur {len(sweep)} seuils × {len(GESTURES)} gestes")
    assert masked_rows, "no masked row: the sweep proves nothing"
    assert not leaks, f"{len(leaks)} lignes masquées changent avec les seuils :\n" + "\n".join(leaks[:8])


# ---------------------------------------------------------------------------
# /ambulatoire: the same attacker (tests/attack_ambu.py) over establishments × marker procedures
# ---------------------------------------------------------------------------
AMBU_PROCEDURES = ("CATARACTE", "HERNIE_INGUINALE", "CHOLECYSTECTOMIE")  # 3 of the 55 marker procedures
AMBU_ESTABLISHMENTS = [
    (finess_of("33", 1), "prive", "33"), (finess_of("33", 2), "public", "33"), (finess_of("33", 3), "espic", "33"),
    (finess_of("24", 1), "public", "24"), (finess_of("24", 2), "prive", "24"), (finess_of("40", 1), "public", "40"),
    (finess_of("75", 1), "prive", "75"), (finess_of("75", 2), "public", "75"), (finess_of("92", 1), "espic", "92"),
    (finess_of("69", 1), "public", "69"), (finess_of("69", 2), "prive", "69"), (finess_of("38", 1), "prive", "38"),
    (finess_of("974", 1), "espic", "974"), (finess_of("974", 2), "public", "974"),
]


def _ambu_facts():
    """(finess, procedure, stays, ambulatory stays): ambulatory and other stays cycling through small
    (1 to 10) and large values on different strides, so that small counts meet large complements and
    the other way round; some leaves empty."""
    ambulatory = [3, 150, 7, 1, 45, 9, 200, 4, 12, 6, 80, 2, 30, 10]
    other = [2, 8, 40, 5, 1, 120, 9, 3, 60, 7, 4, 25, 10, 6]
    facts, n = [], 0
    for finess, _status, _dep in AMBU_ESTABLISHMENTS:
        for procedure in AMBU_PROCEDURES:
            if n % 5 != 4:
                a, b = ambulatory[n % len(ambulatory)], other[(n * 3) % len(other)]
                facts.append((finess, procedure, a + b, a))
            n += 1
    return facts


def _attack_ambu(dash_app, url: str, establishments, facts, **options):
    directory = add_establishments(url, establishments)
    add_ambulatory(url, [(f, YEAR, p, n, k) for f, p, n, k in facts])
    procedures = sorted({p for _f, p, _n, _k in facts})
    with app_with(dash_app, Settings(database_url=url, atlas_env="test", **options)) as server:
        publication = ambu.collect(presentation_client(server), YEAR, directory, procedures,
                                   ambu.procedure_labels(url, procedures))
    report = ambu.attack(directory, procedures, publication, ambu.true_counts(url, YEAR, directory))
    print(f"\n/ambulatoire : {len(establishments)} établissements, {len(facts)} cellules feuilles, "
          f"{publication.requests} requêtes en {publication.seconds:.1f} s, {len(publication.facts)} faits publiés\n"
          f"{report.summary()}")
    return report


def test_ambulatory_hand_made_dataset_resists_the_attacker(dash_app, sqlite_template, tmp_path_factory):
    facts = _ambu_facts()
    small = [(a, n - a) for _f, _p, n, a in facts]
    assert sum(1 <= a <= 10 for a, _b in small) >= 10 and sum(1 <= b <= 10 for _a, b in small) >= 10
    report = _attack_ambu(dash_app, _database(sqlite_template, tmp_path_factory), AMBU_ESTABLISHMENTS, facts)
    assert report.masked_cells, "nothing masked: the attack proves nothing"
    _assert_safe(report)


def test_the_ambulatory_attacker_breaks_primary_suppression_alone(dash_app, sqlite_template, tmp_path_factory):
    """Gironde: a large clinic and a small hospital whose 5 cataract stays (3 ambulatory) are masked;
    every other figure of theirs is large. Without secondary suppression, Gironde's cataract total
    minus the clinic's (or the hospital's marker procedures minus its hernias) gives the 5 back."""
    large, small, other = finess_of("33", 1), finess_of("33", 2), finess_of("24", 1)
    establishments = [(large, "prive", "33"), (small, "public", "33"), (other, "public", "24")]
    facts = [(large, "CATARACTE", 200, 150), (large, "HERNIE_INGUINALE", 120, 60), (small, "CATARACTE", 5, 3),
             (small, "HERNIE_INGUINALE", 80, 40), (other, "CATARACTE", 90, 70), (other, "HERNIE_INGUINALE", 70, 30)]
    report = _attack_ambu(dash_app, _database(sqlite_template, tmp_path_factory), establishments, facts,
                          secondary_suppression=False)
    assert report.recovered or report.narrow, "l'attaquant n'a rien trouvé :\n" + report.summary()
    assert any(b.cell.code == small and b.true in (5, 3, 2) for b in report.recovered + report.narrow), report.summary()
