"""HRIS rosters (Workday, BambooHR; CSV and XLSX; title rows; encodings) and programme files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.ingest import import_file, samples
from analysis.store.db import Store

PEOPLE = pd.DataFrame({
    "employee_id": ["B001", "B002", "B003", "B004"],
    "first": ["José", "Zoë", "Ann", "Bo"],
    "last": ["Müller", "Brontë", "Lee", "Ng"],
    "email": ["jose@ex.example", "zoe@ex.example", "ann@ex.example", "bo@ex.example"],
    "birth_date": pd.to_datetime(["1961-02-03", "1999-12-31", "1984-07-01", "1975-05-05"]),
    "department": ["Ventes Générales", "Engineering", "Finance", "Finance"],
    "level": ["Director", "Associate", "Manager", "Manager"],
    "location": ["Zürich", "London", "London", "Dublin"],
    "hire_date": pd.to_datetime(["2001-04-02", "2022-09-01", "2015-01-12", "2010-03-01"]),
    "termination_date": pd.to_datetime([None, "2025-06-30", "2024-01-31", None]),
    "termination_type": ["", "Voluntary", "Involuntary", ""],
    "termination_reason": ["", "Resignation", "Layoff", ""],
})
WANT = pd.DataFrame({
    "employee_id": ["B001", "B002", "B003", "B004"],
    "birth_year": [1961, 1999, 1984, 1975],
    "generation": ["Boomers", "Gen Z", "Millennials", "Gen X"],
    "department": ["Ventes Générales", "Engineering", "Finance", "Finance"],
    "location": ["Zürich", "London", "London", "Dublin"],
    "hire_date": ["2001-04-02", "2022-09-01", "2015-01-12", "2010-03-01"],
    "termination_date": [None, "2025-06-30", "2024-01-31", None],
    "termination_type": [None, "voluntary", "involuntary", None],
})


def employees(store: Store) -> pd.DataFrame:
    got = store.query("select employee_id, birth_year, generation, department, location, "
                      "strftime(hire_date, '%Y-%m-%d') hire_date, "
                      "strftime(termination_date, '%Y-%m-%d') termination_date, termination_type "
                      "from employees order by employee_id")
    return as_text(got.astype({"birth_year": int}))


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Compare as the strings a person reads; missing values as ''."""
    return frame.astype(object).where(frame.notna(), "").astype(str)


@pytest.mark.parametrize(("name", "encoding"), [
    ("bamboohr.csv", "cp1252"), ("bamboohr.csv", "utf-8"), ("bamboohr.csv", "utf-8-sig"),
    ("bamboohr.xlsx", "utf-8"),
])
def test_bamboohr_roster_lands_exact_rows(tmp_path: Path, name: str, encoding: str) -> None:
    export = tmp_path / name
    samples.write_bamboohr(export, PEOPLE, as_of="11/01/2026", encoding=encoding)
    with Store(tmp_path / "db.duckdb") as store:
        report = import_file(store, "roster", export)
        assert report.format == "bamboohr"
        pd.testing.assert_frame_equal(employees(store), as_text(WANT))
        assert store.meta("roster_as_of") == "2026-11-01"
        # Names and full dates of birth are never stored.
        text = store.query("select * from employees").astype(str).to_string()
        assert "Müller" not in text and "1961-02-03" not in text
        # Emails only as keyed hashes, which still resolve (case-insensitively).
        assert store.scalar("select count(*) from email_keys") == 4


def test_workday_reasons_and_run_date(tmp_path: Path) -> None:
    from analysis.demo.exports import _write_roster
    from analysis.demo.spec import DemoSpec

    people = PEOPLE.assign(
        salary=[150000.0, 40000.0, 70000.0, 72000.0],
        termination_reason=["", "Voluntary > Resignation > Better Opportunity",
                            "Involuntary > Reduction in Force", ""])
    export = tmp_path / "workday.xlsx"
    _write_roster(export, people, DemoSpec(company="Example Ltd"))
    with Store(tmp_path / "db.duckdb") as store:
        report = import_file(store, "roster", export)
        assert report.format == "workday"
        pd.testing.assert_frame_equal(employees(store), as_text(WANT))
        assert store.meta("roster_as_of") == "2026-10-31"


def test_termination_without_type_is_flagged(tmp_path: Path) -> None:
    export = tmp_path / "roster.csv"
    samples.write_bamboohr(export, PEOPLE.assign(termination_type="", termination_reason=""),
                           as_of="11/01/2026")
    with Store(tmp_path / "db.duckdb") as store:
        report = import_file(store, "roster", export)
    (warning,) = report.warnings
    assert "2 termination(s) have no voluntary/involuntary type" in warning.message
    assert (warning.file, warning.row, warning.column) == ("roster.csv", 5, "Termination Date")


def test_platform_programme_and_sessions(demo_copy: Path) -> None:
    from analysis.ingest.examples import EXAMPLES, demo_people

    people = demo_people()
    with Store(demo_copy) as store:
        import_file(store, "programme", EXAMPLES / "platform_programme.csv",
                    mapping=EXAMPLES / "platform_programme.toml")
        cohort = store.query("select cohort_id, name, strftime(start_date, '%Y-%m-%d') s, "
                             "strftime(end_date, '%Y-%m-%d') e, cost from cohorts "
                             "where cohort_id = 'P27'")
        assert cohort.iloc[0].tolist() == ["P27", "Reverse Mentoring 2027 Pilot", "2027-01-11",
                                           "2027-06-30", 18000.0]
        got = store.query("select employee_id, role, pair_id from participants "
                          "where cohort_id = 'P27' order by pair_id, role")
        ids = people["employee_id"].tolist()
        assert got.values.tolist() == [
            [ids[1], "mentee", "Pilot 2027 pair 1"], [ids[0], "mentor", "Pilot 2027 pair 1"],
            [ids[3], "mentee", "Pilot 2027 pair 2"], [ids[2], "mentor", "Pilot 2027 pair 2"],
            [ids[5], "mentee", "Pilot 2027 pair 3"], [ids[4], "mentor", "Pilot 2027 pair 3"]]
        import_file(store, "sessions", EXAMPLES / "platform_sessions.csv")
        got = store.query("select session_id, pair_id, strftime(date, '%Y-%m-%d') d, "
                          "duration_minutes, status from sessions "
                          "where session_id like '9000%' order by session_id")
        assert got.values.tolist() == [
            ["900001", "C1-P0001", "2024-02-05", 45.0, "held"],
            ["900002", "C1-P0001", "2024-02-26", 60.0, "held"],
            ["900003", "C1-P0002", "2024-02-07", 0.0, "cancelled"],
            ["900004", "C1-P0003", "2024-02-08", 30.0, "held"]]


def test_crossgen_programme_and_sessions(demo_copy: Path) -> None:
    from analysis.ingest.examples import EXAMPLES

    with Store(demo_copy) as store:
        import_file(store, "programme", EXAMPLES / "crossgen_programme.csv")
        assert store.scalar("select count(*) from participants where cohort_id = 'X27'") == 6
        import_file(store, "sessions", EXAMPLES / "crossgen_sessions.csv")
        got = store.query("select session_id, pair_id, status from sessions "
                          "where session_id like 'ex-%' order by 1")
        assert got.values.tolist() == [["ex-1", "C1-P0004", "held"],
                                       ["ex-2", "C1-P0004", "held"],
                                       ["ex-3", "C1-P0005", "no_show"]]
