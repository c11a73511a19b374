"""read_frame shares equal strings of a column: the same values and dtypes, fewer objects, a smaller pickle."""
import pickle

import pandas as pd
from sqlalchemy import column, create_engine, select, table, text

from data_access.frames import _shared_strings, read_frame


def test_equal_strings_become_one_object_with_the_same_values_and_dtypes():
    rows = [("Hôpital " + "A" * (i % 3), None if i % 5 == 0 else f"R{i % 2}", i, i / 4) for i in range(200)]
    built = pd.DataFrame([tuple("".join(list(v)) if isinstance(v, str) else v for v in r) for r in rows],
                         columns=["name", "region", "n", "x"])
    shared = _shared_strings(built.copy())
    pd.testing.assert_frame_equal(shared, built, check_exact=True)
    assert shared.dtypes.equals(built.dtypes) and shared["region"].isna().sum() == 40
    assert len({id(v) for v in shared["name"]}) == 3 and len({id(v) for v in built["name"]}) == 200
    assert len(pickle.dumps(shared["name"])) < len(pickle.dumps(built["name"])) / 2  # one copy per value


def test_read_frame_returns_shared_strings():
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(text("create table t (code text, label text)"))
        conn.execute(text("insert into t values " + ", ".join(f"('{i}', 'libellé {i % 4}')" for i in range(100))))
        df = read_frame(conn, select(column("code"), column("label")).select_from(table("t")))
    assert df["label"].tolist() == [f"libellé {i % 4}" for i in range(100)]
    assert len({id(v) for v in df["label"]}) == 4 and df["code"].tolist() == [str(i) for i in range(100)]
