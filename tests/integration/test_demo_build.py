"""The demo travels the same path as a user's files and is deterministic."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.demo.generate import generate
from analysis.demo.spec import DemoSpec
from analysis.ingest import import_file
from analysis.ingest.demo_db import demo_files, kind_of
from analysis.store.db import Store
from tests.conftest import run_cli

# Tables whose contents depend on wall-clock time or the per-database secret, by design.
VOLATILE = {"imports", "meta", "email_keys", "schema_version"}


def _table(store: Store, name: str) -> pd.DataFrame:
    frame = store.query(f'select * from "{name}"')  # noqa: S608 - name from information_schema
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_two_demo_builds_have_identical_tables(tmp_path: Path) -> None:
    a, b = tmp_path / "A.duckdb", tmp_path / "B.duckdb"
    for db in (a, b):
        done = run_cli("demo", "--db", str(db))
        assert done.returncode == 0, done.stderr
    with Store(a, read_only=True) as sa, Store(b, read_only=True) as sb:
        names = set(sa.table_counts()) - VOLATILE
        assert {"employees", "responses", "sessions", "construct_scores"} <= names
        for name in sorted(names):
            pd.testing.assert_frame_equal(_table(sa, name), _table(sb, name), obj=name)
        # Keyed email hashes differ (each database has its own secret) but resolve the same.
        ka = sa.query("select employee_id from email_keys order by 1")
        kb = sb.query("select employee_id from email_keys order by 1")
        pd.testing.assert_frame_equal(ka, kb)


def test_the_command_and_the_server_text_mode_import_the_same_tables(
        demo_db: Path, tmp_path: Path) -> None:
    # the fixture imported in this process, text as objects (analysis/cache/textmode.py); the
    # command in its own, with pandas' Arrow text
    db = tmp_path / "cli.duckdb"
    done = run_cli("demo", "--db", str(db))
    assert done.returncode == 0, done.stderr
    with Store(db, read_only=True) as cli, Store(demo_db, read_only=True) as here:
        names = set(cli.table_counts()) - VOLATILE
        assert names == set(here.table_counts()) - VOLATILE
        for name in sorted(names):
            pd.testing.assert_frame_equal(_table(cli, name), _table(here, name), obj=name)


def test_generator_is_seeded(tmp_path: Path) -> None:
    spec = DemoSpec(employees=400, pairs_per_cohort=10)
    first = generate(tmp_path / "one", spec)
    second = generate(tmp_path / "two", spec)
    for p, q in zip(first, second, strict=True):
        if p.suffix == ".csv":
            assert p.read_bytes() == q.read_bytes(), p.name


def test_demo_database_contents(demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        counts = store.table_counts()
        assert counts["employees"] == 3000
        assert counts["cohorts"] == 3
        assert counts["participants"] == 300  # 150 pairs
        generations = set(store.query("select distinct generation from employees")["generation"])
        assert generations == {"Silent", "Boomers", "Gen X", "Millennials", "Gen Z"}
        assert store.scalar("select count(distinct department) from employees") == 8
        kinds = store.query("select kind, count(*) n from administrations group by 1 order by 1")
        assert kinds.set_index("kind")["n"].to_dict() == {"programme": 6, "pulse": 4}
        # No names or emails stored anywhere.
        for table in counts:
            text = store.query(f'select * from "{table}"').astype(str)  # noqa: S608
            assert not text.apply(lambda c: c.str.contains("@northwind.example")).any().any()
        assert store.meta("roster_as_of") == "2026-10-31"


def test_one_file_at_a_time_imports_what_the_batch_does(demo_db: Path, tmp_path: Path) -> None:
    # the fixture was built by import_files (the next survey checked while a file is written)
    db = tmp_path / "one-by-one.duckdb"
    with Store(db) as store:
        for path in demo_files():
            mapping = path.with_suffix(".toml")
            import_file(store, kind_of(path), path,
                        mapping=mapping if mapping.exists() else None)
    with Store(db, read_only=True) as single, Store(demo_db, read_only=True) as batch:
        names = set(single.table_counts()) - VOLATILE
        assert names == set(batch.table_counts()) - VOLATILE
        for name in sorted(names):
            pd.testing.assert_frame_equal(_table(single, name), _table(batch, name), obj=name)
        columns = "kind, file_name, sha256, format, rows_in, rows_accepted, rows_rejected"
        pd.testing.assert_frame_equal(
            single.query(f"select {columns} from imports order by import_id"),  # noqa: S608
            batch.query(f"select {columns} from imports order by import_id"))  # noqa: S608
