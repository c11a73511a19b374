"""Action follow-up, pure parts: the current step, the funnel ("reached at least that step") on a
hand-made history with corrections, and every validation rule of a step and of the imports."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics import actions as model
from data_access.validation import SPECS, References, validate

# A hand-made history, in recording order (the last entry of an establishment is its current step).
HISTORY = [
    ("A", "ciblee"), ("B", "ciblee"), ("C", "ciblee"), ("D", "ciblee"), ("E", "ciblee"), ("F", "ciblee"),
    ("G", "ciblee"),
    ("A", "contactee"), ("A", "entretien"), ("A", "profil_remis"), ("A", "msap_notifiee"), ("A", "controle"),
    ("B", "contactee"), ("B", "entretien"),
    ("B", "contactee"),  # correction: the interview was recorded by mistake
    ("C", "entretien"),  # contact not recorded: still counts as contacted
    ("D", "contactee"), ("D", "entretien"), ("D", "profil_remis"), ("D", "msap_notifiee"),
    ("D", "engagement"),  # correction of the outcome: a commitment, not an MSAP
    ("E", "contactee"), ("E", "entretien"), ("E", "profil_remis"), ("E", "contrat_signe"),
    ("E", "profil_remis"),  # correction: the contract is not signed yet
    ("F", "contactee"), ("F", "entretien"), ("F", "profil_remis"), ("F", "sans_suite"), ("F", "close"),
]


def test_current_step_is_the_latest_entry_and_the_outcome_survives_later_steps_only():
    states = model.states(HISTORY)
    assert {f: (s.step, s.outcome) for f, s in states.items()} == {
        "A": ("controle", "msap_notifiee"), "B": ("contactee", None), "C": ("entretien", None),
        "D": ("engagement", "engagement"), "E": ("profil_remis", None), "F": ("close", "sans_suite"),
        "G": ("ciblee", None)}
    assert model.state([]) == model.State("ciblee", None)


def test_funnel_counts_establishments_that_reached_at_least_each_step():
    counts = model.funnel(model.states(HISTORY).values())
    assert counts == {"ciblees": 7, "contactees": 6, "entretiens": 5, "profils_remis": 4, "msap_notifiees": 1,
                      "contrats_signes": 0, "engagements": 1, "sans_suite": 1, "controles": 2, "closes": 1}


def test_funnel_by_region_counts_targets_without_steps_and_sorts_names_as_french_reads_them():
    groups = {"A": "Occitanie", "B": "Île-de-France", "G": "Bretagne", "Z": "Bretagne"}
    by = model.funnel_by(groups, model.states(HISTORY))
    assert list(by) == ["Bretagne", "Île-de-France", "Occitanie"]
    assert by["Bretagne"]["ciblees"] == 2 and by["Bretagne"]["contactees"] == 0
    assert by["Île-de-France"]["contactees"] == 1 and by["Île-de-France"]["entretiens"] == 0
    assert by["Occitanie"]["controles"] == 1 and by["Occitanie"]["msap_notifiees"] == 1


def test_share_is_none_without_a_denominator():
    assert model.share(12, 39) == pytest.approx(12 / 39)
    assert model.share(0, 0) is None


TODAY = dt.date(2026, 6, 15)


@pytest.mark.parametrize("step, date, expected", [
    ("entretien", dt.date(2026, 3, 1), []),
    ("entretien", TODAY, []),
    ("rencontre", dt.date(2026, 3, 1), ["étape « rencontre » inconnue"]),
    (None, dt.date(2026, 3, 1), ["étape manquante"]),
    ("contactee", None, ["date manquante ou invalide"]),
    ("contactee", dt.date(2026, 6, 16), ["dans le futur"]),
    ("contactee", dt.date(2025, 12, 31), ["antérieure à l'année de la campagne (2026)"]),
])
def test_a_step_is_refused_in_french_when_unknown_undated_in_the_future_or_before_the_campaign(step, date, expected):
    problems = model.step_problems(step, date, 2026, TODAY)
    assert len(problems) == len(expected)
    for problem, fragment in zip(problems, expected):
        assert fragment in problem


@pytest.mark.parametrize("text, expected", [("2026-03-14", dt.date(2026, 3, 14)), ("14/03/2026", dt.date(2026, 3, 14)),
                                            ("2026-02-30", None), ("14.03.2026", None), (None, None), (3, None)])
def test_dates_are_read_in_both_accepted_formats(text, expected):
    assert model.parse_date(text) == expected


# --- Import validation ------------------------------------------------------------------------------

def _raw(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns).fillna("").astype(object)
    df.index = pd.RangeIndex(2, len(df) + 2)
    return df


def _problems(kind: str, rows: list[dict], refs: References) -> list[tuple[int, str, str]]:
    spec = SPECS[kind]
    _frame, problems, _total = validate(_raw(rows, spec.names), spec, refs)
    return [(p.line, p.column, p.message) for p in problems]


ESTABLISHMENTS = pd.DataFrame({"finess": ["330000021", "750000011"], "activity": ["MCO", "MCO"],
                               "region_code": ["75", "11"]}).set_index("finess")


def _action_refs() -> References:
    return References(establishments=ESTABLISHMENTS, campaign_years={"C1": 2026},
                      targets={("C1", "750000011")}, today=TODAY)


def _action(**kw) -> dict:
    return {"campaign": "C1", "finess": "750000011", "step": "contactee", "date": "2026-02-01", "by": "Mme Roux",
            "note": "", **kw}


def test_a_valid_history_passes_with_accents_and_french_dates_read():
    rows = [_action(step="Ciblée", finess="330000021", date="10/01/2026"), _action(finess="330000021"),
            _action(step="entretien", note="Entretien cordial\n- revoir les indications\tde SSR")]
    assert _problems("actions", rows, _action_refs()) == []


@pytest.mark.parametrize("row, column, fragment", [
    (_action(campaign="C9"), "campaign", "campagne « C9 » inconnue"),
    (_action(finess="330000099"), "finess", "établissement 330000099 inconnu"),
    (_action(finess="33000002"), "finess", "8 chiffres au lieu de 9"),
    (_action(finess="330000021"), "finess", "n'est pas sur la liste de la campagne C1"),
    (_action(step="rencontre"), "step", "étape « rencontre » : valeur inconnue"),
    (_action(date="2026-06-16"), "date", "dans le futur"),
    (_action(date="31/12/2025"), "date", "antérieure à l'année de la campagne C1 (2026)"),
    (_action(date="2026-13-01"), "date", "n'est pas une date valide"),
    (_action(by=""), "by", "valeur obligatoire manquante (réalisé par)"),
    (_action(by="x" * 101), "by", "101 caractères, au plus 100"),
    (_action(by="@moi"), "by", "risque d'injection"),
    (_action(note="=HYPERLINK(\"http://x\")"), "note", "risque d'injection"),
    (_action(note="ligne\x0bverticale"), "note", "caractère de contrôle"),
])
def test_each_action_rule_gives_a_french_message_with_its_line_and_column(row, column, fragment):
    problems = _problems("actions", [_action(step="ciblee", date="2026-01-05"), row], _action_refs())
    assert [(line, col) for line, col, _ in problems] == [(3, column)], problems
    assert fragment in problems[0][2]


def test_the_same_step_twice_on_the_same_day_is_a_duplicated_key():
    problems = _problems("actions", [_action(), _action(note="autre")], _action_refs())
    assert [(line, col) for line, col, _ in problems] == [(3, None)]
    assert "clé en double" in problems[0][2] and "déjà présente ligne 2" in problems[0][2]


def _campaign(**kw) -> dict:
    return {"code": "MSAP-SSR-2026", "label": "Campagne MSAP", "theme": "msap_ssr", "year": "2026",
            "perimeter": "R75", **kw}


def _campaign_refs() -> References:
    return References(regions=["11", "75"], departements=["2A", "33", "974"])


@pytest.mark.parametrize("row, column, fragment", [
    (_campaign(code="MSAP SSR"), "code", "de 1 à 30 lettres sans accent"),
    (_campaign(code="é-2026"), "code", "de 1 à 30 lettres sans accent"),
    (_campaign(label=""), "label", "valeur obligatoire manquante (libellé)"),
    (_campaign(theme="msap"), "theme", "thème « msap » : valeur inconnue"),
    (_campaign(year="1999"), "year", "année 1999 hors de la plage"),
    (_campaign(year="2026,5"), "year", "n'est pas un nombre entier"),
    (_campaign(perimeter="R99"), "perimeter", "périmètre « R99 » inconnu"),
    (_campaign(perimeter="33"), "perimeter", "périmètre « 33 » inconnu"),
])
def test_each_campaign_rule_gives_a_french_message_with_its_line_and_column(row, column, fragment):
    problems = _problems("campaigns", [_campaign(code="OK-1"), row], _campaign_refs())
    assert [(line, col) for line, col, _ in problems] == [(3, column)], problems
    assert fragment in problems[0][2]


def test_valid_campaigns_pass_with_every_kind_of_perimeter():
    rows = [_campaign(code=c, perimeter=p) for c, p in (("A", "FR"), ("B", "r75"), ("C", "D2A"), ("D", "D974"))]
    assert _problems("campaigns", rows, _campaign_refs()) == []
