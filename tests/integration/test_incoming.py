"""Rows handed to DuckDB by the importers: cut into row groups, inserted in their order."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analysis.store.db import ROW_GROUP, incoming

ROWS = 3 * ROW_GROUP + 17  # several row groups and a short last one


def test_a_plain_insert_keeps_the_order_of_the_rows(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    con.execute("create table t (x bigint, s varchar)")
    x = np.random.default_rng(3).permutation(ROWS)
    rows = pa.table({"x": x, "s": pa.array(x.astype(str))})
    con.execute("begin")
    with incoming(con, incoming_rows=rows):
        con.execute("insert into t select x, s from incoming_rows")
    con.execute("commit")
    stored = con.execute("select x, s from t order by rowid").df()
    np.testing.assert_array_equal(stored["x"].to_numpy(), x)
    assert stored["s"].tolist() == x.astype(str).tolist()


def test_frames_are_taken_and_the_names_are_gone_afterwards_even_on_error(
        tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    frame = pd.DataFrame({"a": ["p", None, "r"], "b": [1.5, np.nan, 3.0]})
    with incoming(con, incoming_frame=frame):
        got = con.execute("select a, b from incoming_frame").fetchall()
    assert got == [("p", 1.5), (None, None), ("r", 3.0)]
    with pytest.raises(duckdb.Error), incoming(con, incoming_frame=frame):
        con.execute("select no_such_column from incoming_frame")
    with pytest.raises(duckdb.CatalogException):
        con.execute("select * from incoming_frame")
