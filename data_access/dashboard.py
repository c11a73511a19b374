"""National totals by year for the home page's headline figures (counts only; rates are computed
by the caller from these sums)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from analytics.ssr import AGE_BANDS
from data_access import models, ssr
from data_access.db import connect


def ssr_national(url: str, gesture: str) -> pd.DataFrame:
    """year, stays, stays_with_ssr for `gesture`, France, every age and status, ascending years."""
    df = ssr.counts_by_year(url, [gesture], list(AGE_BANDS), list(models.LEGAL_STATUSES))
    return (df.groupby("year", as_index=False)[["stays", "stays_with_ssr"]].sum()
            .sort_values("year").reset_index(drop=True))


def ambulatory_national(url: str) -> pd.DataFrame:
    """year, stays, ambulatory_stays summed over every gesture group, France, ascending years."""
    A = models.AmbulatorySurgery
    stmt = (select(A.year, func.sum(A.stays), func.sum(A.ambulatory_stays)).group_by(A.year).order_by(A.year))
    with connect(url) as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["year", "stays", "ambulatory_stays"]).astype("int64")
