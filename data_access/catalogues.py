"""Reference catalogues shipped as CSV files in data_access/reference/ (data, not code)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_access import models

REFERENCE = Path(__file__).resolve().parent / "reference"

# table -> CSV file name; loaded in this order (foreign keys)
CATALOGUES: dict[type[models.Base], str] = {
    models.Gesture: "gestures.csv",
    models.AgeBand: "age_bands.csv",
    models.AmbulatoryGroup: "ambulatory_groups.csv",
    models.ProfileIndicator: "profile_indicators.csv",
    models.CaqesIndicator: "caqes_indicators.csv",
}


def read_catalogue(file_name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / file_name, dtype=str, keep_default_na=False)
