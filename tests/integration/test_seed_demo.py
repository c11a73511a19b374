"""`manage.py seed-demo` as the benchmarks use it: the SSR totals in use once it is done (campaigns and
actions are imported last), and `--no-masks` leaves the presentation masks to the first request."""
import subprocess
import sys

from sqlalchemy import func, select

from config import ROOT
from data_access import models, ssr_totals
from data_access.db import get_engine


def test_seed_demo_without_masks_leaves_the_ssr_totals_in_use(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    for args in (["init-db"], ["seed-demo", "--scale", "region", "--seed", "42", "--no-masks"]):
        done = subprocess.run([sys.executable, "manage.py", "--url", url, *args], capture_output=True, text=True,
                              cwd=ROOT, timeout=300)
        assert done.returncode == 0, done.stderr
    assert "--no-masks" in done.stdout
    with get_engine(url).connect() as conn:
        assert conn.scalar(select(func.count()).select_from(models.SecrecyMasks)) == 0
        assert ssr_totals.current(conn) and ssr_totals.check(conn) == []
        assert conn.scalar(select(func.count()).select_from(models.ImportBatch)
                           .where(models.ImportBatch.kind.in_(["campaigns", "actions"]))) == 2
