"""The `perimetre` URL parameter shared by /msap and /caqes.

Region and département codes overlap ('24' is Centre-Val de Loire and Dordogne, '75' Nouvelle-Aquitaine
and Paris), so a perimeter is written 'FR', 'R75' (a region) or 'D33' (a département).
"""
from __future__ import annotations

import pandas as pd

FRANCE = "FR"


def parse_perimetre(raw: str, regions: dict[str, str], departements: dict[str, str]
                    ) -> tuple[str | None, str | None]:
    """(canonical perimeter or None if invalid, an informative French notice or None).

    'FR'; 'R75' a region; 'D33' a département; a bare '33' is read as the département D33
    (every region code is also a département code), with a notice when it is also a region's."""
    text = str(raw).strip().upper()
    if text == FRANCE:
        return FRANCE, None
    if text[:1] == "R" and text[1:] in regions:
        return text, None
    if text[:1] == "D" and text[1:] in departements:
        return text, None
    if text in departements:
        note = None
        if text in regions:
            note = (f"Périmètre « {raw} » lu comme le département {departements[text]} ; pour la région "
                    f"{regions[text]}, utiliser perimetre=R{text}.")
        return "D" + text, note
    return None, None


def in_perimeter(frame: pd.DataFrame, perimetre: str) -> pd.Series:
    """Boolean mask of the rows of `frame` (region_code, departement_code) inside the perimeter."""
    if perimetre == FRANCE:
        return pd.Series(True, index=frame.index)
    column = "region_code" if perimetre[:1] == "R" else "departement_code"
    return frame[column] == perimetre[1:]
