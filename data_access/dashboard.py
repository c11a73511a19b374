"""National totals by year for the home page's headline figures (counts only; rates are computed
by the caller from these sums)."""
from __future__ import annotations

import pandas as pd

from analytics.ssr import AGE_BANDS
from data_access import models, ssr


def ssr_national(url: str, gesture: str) -> pd.DataFrame:
    """year, stays, stays_with_ssr for `gesture`, France, every age and status, ascending years."""
    df = ssr.counts_by_year(url, [gesture], list(AGE_BANDS), list(models.LEGAL_STATUSES))
    return (df.groupby("year", as_index=False)[["stays", "stays_with_ssr"]].sum()
            .sort_values("year").reset_index(drop=True))
