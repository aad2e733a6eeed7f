from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from analysis.store import SCHEMA_VERSION, Store, StoreError, quote_ident


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
