"""French texts of the secret statistique: how many figures a view masks, and why."""
from __future__ import annotations

from text.format import fmt_int

FEMININE = {"ligne"}


def masked_summary(primary: int, complement: int, secondary: int, unpublished: int = 0, noun: str = "ligne",
                   sep: str = ", ") -> str:
    """'3 lignes masquées : 1 de 1 à 10, 2 secondaires' (the Méthodes page says what each means) ('' when none);
    `sep` between the reasons (a line break in a legend)."""
    total = primary + complement + secondary + unpublished
    if not total:
        return ""
    parts = []
    if primary:
        parts.append(f"{fmt_int(primary)} de 1 à 10")
    if complement:
        parts.append(f"{fmt_int(complement)} par complément de 1 à 10")
    if secondary:
        parts.append(f"{fmt_int(secondary)} secondaire{'s' if secondary > 1 else ''}")
    if unpublished:
        parts.append(f"{fmt_int(unpublished)} non publiée{'s' if unpublished > 1 else ''} en présentation")
    plural = "s" if total > 1 else ""
    feminine = "e" if noun in FEMININE else ""
    head = f"{fmt_int(total)} {noun}{plural} masqué{feminine}{plural} :"
    return head + (" " if sep == ", " else sep) + sep.join(parts)

