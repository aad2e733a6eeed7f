from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.store.db import SCHEMA_VERSION, Store, StoreError, quote_ident


def test_new_database_has_every_table(tmp_path: Path) -> None:
    with Store(tmp_path / "x.duckdb") as store:
        tables = set(store.table_counts())
    assert {"employees", "cohorts", "participants", "sessions", "administrations", "items",
            "responses", "imports"} <= tables


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    Store(db).close()
    con = duckdb.connect(str(db))
    con.execute("insert into schema_version (version) values (?)", [SCHEMA_VERSION + 1])
    con.close()
    with pytest.raises(StoreError, match="newer crossgen"):
        Store(db)


def test_older_schema_is_upgraded(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create table schema_version (version integer primary key, applied_at timestamp)")
    con.close()
    with Store(db) as store:
        assert store.scalar("select max(version) from schema_version") == SCHEMA_VERSION


def test_transaction_rolls_back(tmp_path: Path) -> None:
    with Store(tmp_path / "x.duckdb") as store:
        with pytest.raises(RuntimeError), store.transaction() as con:
            con.execute("insert into cohorts values ('C1', 'x', date '2024-01-01', "
                        "date '2024-06-01', null)")
            raise RuntimeError("boom")
        assert store.scalar("select count(*) from cohorts") == 0


def test_quote_ident() -> None:
    assert quote_ident('we"ird') == '"we""ird"'
    with pytest.raises(ValueError):
        quote_ident("")


def test_values_are_bound(tmp_path: Path) -> None:
    with Store(tmp_path / "x.duckdb") as store:
        hostile = "x'); drop table employees; --"
        assert store.scalar("select ?", [hostile]) == hostile
        assert "employees" in store.table_counts()


@pytest.mark.parametrize("select", [
    "select * from (values ('a', 1.5, 2.5::float), (null, null, null)) t(s, f, g)",
    "select 'a' as s where false",  # empty text: object in DuckDB's own conversion
    "select * from (values (1, 'a'), (null, 'b')) t(i, s)",  # nullable integer: Int32
    "select date '2024-01-02' as d, 2.5::decimal(4, 1) as x, interval 2 day as t",
    "select 'x' || i::varchar as s, i * 0.5 as f from range(1000) r(i)",
])
def test_query_frames_match_duckdbs_own_conversion(tmp_path: Path, select: str) -> None:
    # reference: DuckDB's fetchdf on a plain connection, column dtypes and values
    with Store(tmp_path / "c.duckdb") as store:
        got = store.query(select)
    expected = duckdb.connect().execute(select).fetchdf()
    assert list(got.dtypes) == list(expected.dtypes)
    pd.testing.assert_frame_equal(got, expected)
