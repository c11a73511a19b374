"""Action follow-up: the chain of steps, each establishment's current step, and campaign funnels.

Pure computation (no SQL, no Dash). The chain is
ciblee → contactee → entretien → profil_remis → one outcome (msap_notifiee | contrat_signe |
engagement | sans_suite) → controle → close.

History is never rewritten: a correction is a new entry. An establishment's **current step** is
its latest entry (entries in the order they were recorded). A funnel counts, for each step, the
establishments that **reached at least that step**: whose current step is that step or a later
one in the chain (a step left out, e.g. an interview recorded without a "contactée" before it,
counts as passed). An outcome column counts the establishments whose outcome is that one: the
latest outcome entry not corrected away by a later entry from before the outcomes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

STEPS = ("ciblee", "contactee", "entretien", "profil_remis", "msap_notifiee", "contrat_signe", "engagement",
         "sans_suite", "controle", "close")
OUTCOMES = ("msap_notifiee", "contrat_signe", "engagement", "sans_suite")
OUTCOME_RANK = 4
RANK = {"ciblee": 0, "contactee": 1, "entretien": 2, "profil_remis": 3, **dict.fromkeys(OUTCOMES, OUTCOME_RANK),
        "controle": 5, "close": 6}
THEMES = ("msap_ssr", "msap_ambu", "caqes", "transfert_ssr", "autre")

# The funnel's columns, in chain order (the CSV's and the screen's), with the step each counts.
FUNNEL_COLUMNS = ("ciblees", "contactees", "entretiens", "profils_remis", "msap_notifiees", "contrats_signes",
                  "engagements", "sans_suite", "controles", "closes")
COLUMN_STEP = dict(zip(FUNNEL_COLUMNS, STEPS))


@dataclass(frozen=True)
class State:
    """An establishment's position in a campaign: its current step and its outcome (None before
    an outcome, or when the chain skipped it)."""

    step: str
    outcome: str | None


def state(steps: Iterable[str]) -> State:
    """The state after `steps`, in the order they were recorded (an empty history: targeted)."""
    entries = [s for s in steps if s in RANK]
    if not entries:
        return State("ciblee", None)
    current = entries[-1]
    outcome = None
    if RANK[current] >= OUTCOME_RANK:
        # the latest outcome not followed by an entry from before the outcomes (which corrects it away)
        for step in reversed(entries):
            if RANK[step] < OUTCOME_RANK:
                break
            if step in OUTCOMES:
                outcome = step
                break
    return State(current, outcome)


def reached(st: State, column: str) -> bool:
    """Whether the establishment counts in funnel `column` ("reached at least that step")."""
    step = COLUMN_STEP[column]
    if step in OUTCOMES:
        return st.outcome == step
    return RANK[st.step] >= RANK[step]


def states(history: Iterable[tuple[str, str]]) -> dict[str, State]:
    """(finess, step) entries in recording order -> each establishment's state."""
    by_finess: dict[str, list[str]] = {}
    for finess, step in history:
        by_finess.setdefault(finess, []).append(step)
    return {f: state(s) for f, s in by_finess.items()}


def funnel(current: Iterable[State]) -> dict[str, int]:
    """Counts of establishments per funnel column (FUNNEL_COLUMNS order)."""
    counts = dict.fromkeys(FUNNEL_COLUMNS, 0)
    for st in current:
        for column in FUNNEL_COLUMNS:
            counts[column] += reached(st, column)
    return counts


def funnel_by(groups: Mapping[str, str], current: Mapping[str, State]) -> dict[str, dict[str, int]]:
    """Funnel counts per group (finess -> group, e.g. the region), groups in sorted order; an
    establishment of `groups` without a state is targeted only."""
    members: dict[str, list[State]] = {}
    for finess, group in groups.items():
        members.setdefault(group, []).append(current.get(finess, State("ciblee", None)))
    return {g: funnel(members[g]) for g in sorted(members, key=_folded)}


def _folded(text: str) -> tuple[str, str]:
    """Sort key in French reading order: accents folded ('Île-de-France' among the I)."""
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower(), text


def share(numerator: int, denominator: int) -> float | None:
    """numerator / denominator as a proportion (0–1), None when the denominator is 0."""
    return numerator / denominator if denominator else None


# --- Validation of one recorded step ---------------------------------------------------------

def step_problems(step: str | None, date: dt.date | None, campaign_year: int, today: dt.date) -> list[str]:
    """French reasons a step cannot be recorded as given ([] when it can): a step outside the
    chain, a missing date, a date in the future or before the campaign's year."""
    problems = []
    if not step:
        problems.append(f"étape manquante (étapes possibles : {', '.join(STEPS)})")
    elif step not in RANK:
        problems.append(f"étape « {step} » inconnue (étapes possibles : {', '.join(STEPS)})")
    if date is None:
        problems.append("date manquante ou invalide (AAAA-MM-JJ ou JJ/MM/AAAA)")
    elif date > today:
        problems.append(f"date du {date:%d/%m/%Y} dans le futur : une étape se saisit une fois faite")
    elif date.year < campaign_year:
        problems.append(f"date du {date:%d/%m/%Y} antérieure à l'année de la campagne ({campaign_year})")
    return problems


def parse_date(text) -> dt.date | None:
    """'2026-03-14' or '14/03/2026' -> date; anything else -> None."""
    if isinstance(text, dt.date):
        return text
    if not isinstance(text, str):
        return None
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
