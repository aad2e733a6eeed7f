"""Platform and HRIS exports as they come (issue 24, part 2), imported through `crossgen import`
on a real DuckDB file: connections dated one by one, a roster through its mapping, dates in
every form, Parquet unloads, and every refused case (file, row, column, fix; nothing written)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook
from openpyxl.utils.datetime import from_excel

from analysis.cli import EXIT_BAD_INPUT, main
from analysis.ingest.examples import EXAMPLES, demo_people
from analysis.store.db import Store
from tests.conftest import run_cli

EMPLOYEES = ("select employee_id, birth_year, generation, department, level, location, "
             "strftime(hire_date, '%Y-%m-%d') hire_date, "
             "strftime(termination_date, '%Y-%m-%d') termination_date, termination_type, salary "
             "from employees order by employee_id")


def snapshot(db: Path) -> tuple[dict[str, int], str, list[str]]:
    """Every table's row count, the people, cohorts and participants, the archived files."""
    with Store(db, read_only=True) as store:
        counts = store.table_counts()
        text = "".join(store.query(sql).to_csv() for sql in (
            EMPLOYEES, "select * from cohorts order by all",
            "select * from participants order by all"))
    archive = db.parent / f"{db.name}.archive"
    return counts, text, sorted(p.name for p in archive.glob("*")) if archive.exists() else []


def refused(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """`crossgen import …` exits 3, says nothing was written, and nothing was."""
    before = snapshot(db)
    assert main(["import", *args, "--db", str(db)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "nothing was written" in err and "Traceback" not in err
    assert snapshot(db) == before
    return err


def cohort(db: Path, cohort_id: str) -> list[object]:
    with Store(db, read_only=True) as store:
        got = store.query("select strftime(start_date, '%Y-%m-%d') s, "
                          "strftime(end_date, '%Y-%m-%d') e, cost from cohorts "
                          "where cohort_id = ?", [cohort_id])
    return got.iloc[0].tolist()


def connections(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def chronus_rows() -> list[dict[str, str]]:
    with (EXAMPLES / "chronus_connections.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_chronus_connections_give_the_cohorts_dates(demo_copy: Path) -> None:
    done = run_cli("import", "programme", str(EXAMPLES / "chronus_connections.csv"),
                   "--mapping", str(EXAMPLES / "chronus_connections.toml"),
                   "--db", str(demo_copy))
    assert done.returncode == 0, done.stderr
    # One connection is still open: it runs to the roster's run date ('Run Date: 2026-10-31').
    assert "open connections: 1, counted to 2026-10-31 (the roster's run date)" in done.stdout
    rows = chronus_rows()
    starts = [dt.datetime.strptime(r["Start Date"], "%b %d, %Y").date() for r in rows]
    assert cohort(demo_copy, "R26") == [min(starts).isoformat(), "2026-10-31", 24000.0]
    with Store(demo_copy, read_only=True) as store:
        assert store.scalar("select count(*) from participants where cohort_id = 'R26'") == 8


def test_closed_connections_end_at_the_latest_close(demo_copy: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    rows = chronus_rows()
    rows[-1]["Closed On"] = "Sep 18, 2026"
    rows[-1]["Status"] = "Closed"
    for r in rows:
        r["End Date"] = "Dec 31, 2026"  # the planned end: the actual close wins
    export = connections(tmp_path / "connections.csv", rows)
    assert main(["import", "programme", str(export), "--mapping",
                 str(EXAMPLES / "chronus_connections.toml"), "--db", str(demo_copy)]) == 0
    assert "open connections" not in capsys.readouterr().out
    closes = [dt.datetime.strptime(r["Closed On"], "%b %d, %Y").date() for r in rows]
    assert cohort(demo_copy, "R26")[:2] == ["2026-03-02", max(closes).isoformat()]


def test_other_platforms_end_columns_and_mapping_overrides(demo_copy: Path,
                                                           tmp_path: Path) -> None:
    rows = [{("Ended On" if k == "Closed On" else "Expiry Date" if k == "Status" else k): v
             for k, v in r.items()} for r in chronus_rows()]
    for r in rows:
        r["Expiry Date"] = "2026-09-30"  # planned; the open connection expired before as-of
    export = connections(tmp_path / "connections.csv", rows)
    mapping = tmp_path / "programme.toml"
    mapping.write_text('[programme]\nformat = "platform"\n\n[[cohorts]]\n'
                       'program_name = "Reverse Mentoring 2026"\ncohort_id = "R26"\n')
    assert main(["import", "programme", str(export), "--mapping", str(mapping),
                 "--db", str(demo_copy)]) == 0
    assert cohort(demo_copy, "R26")[:2] == ["2026-03-02", "2026-09-30"]

    # [[cohorts]] start_date / end_date win over the file (here as another cohort id).
    mapping.write_text(mapping.read_text().replace('"R26"', '"R26B"')
                       + "start_date = 2026-02-23\nend_date = 2026-08-31\n")
    rows[0]["Start Date"] = "2026-03-02"  # forms may differ from row to row
    export = connections(tmp_path / "connections2.csv", rows)
    assert main(["import", "programme", str(export), "--mapping", str(mapping),
                 "--db", str(demo_copy)]) == 0
    assert cohort(demo_copy, "R26B")[:2] == ["2026-02-23", "2026-08-31"]


def test_missing_connection_column_is_refused(demo_copy: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{k: v for k, v in r.items() if k != "Mentee Email"} for r in chronus_rows()]
    export = connections(tmp_path / "connections.csv", rows)
    err = refused(demo_copy, capsys, "programme", str(export))
    assert ("connections.csv, row 1, column 'Mentee Email Address': No mentee email column"
            in err)
    assert "[programme.columns] mentee_email" in err


def test_ambiguous_roster_dates_are_refused_then_read_with_date_format(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A Personio-style export with day-first dates whose days are all 12 or less."""
    export = tmp_path / "personio.csv"
    export.write_text(
        "Employee ID,First name,Last name,Email,Date of birth,Department,Hire date,"
        "Termination date,Termination type\r\n"
        "P-1,Anna,Schmidt,anna@firma.example,03/04/1988,Vertrieb,01/02/2019,,\r\n"
        "P-2,Jonas,Weber,jonas@firma.example,11/12/1979,Technik,05/06/2015,10/01/2024,"
        "Voluntary\r\n", encoding="utf-8")
    db = tmp_path / "firma.duckdb"
    Store(db).close()
    err = refused(db, capsys, "roster", str(export))
    assert "personio.csv, row 2, column 'Date of birth': The day/month order" in err
    assert 'date_format = "day-first" (or "month-first") under [roster]' in err
    mapping = tmp_path / "roster.toml"
    mapping.write_text('[roster]\ndate_format = "day-first"\n')
    assert main(["import", "roster", str(export), "--mapping", str(mapping),
                 "--db", str(db)]) == 0
    with Store(db, read_only=True) as store:
        got = store.query(EMPLOYEES)
    # Reference: strptime with the day-first format the mapping states.
    assert got["hire_date"].tolist() == [dt.datetime.strptime(d, "%d/%m/%Y").date().isoformat()
                                         for d in ("01/02/2019", "05/06/2015")]
    assert got["birth_year"].tolist() == [1988, 1979]
    assert got["termination_type"].tolist()[1] == "voluntary"


def test_mapped_roster_reads_as_the_workday_export(tmp_path: Path) -> None:
    """The same people exported by another HRIS (own headers, day-first dates, two-digit birth
    years, padded values, employment statuses) land exactly as from Workday."""
    one, two = tmp_path / "workday.duckdb", tmp_path / "mapped.duckdb"
    assert main(["import", "roster", str(EXAMPLES / "hris_workday.xlsx"), "--db", str(one)]) == 0
    assert main(["import", "roster", str(EXAMPLES / "hris_mapped.csv"), "--mapping",
                 str(EXAMPLES / "hris_mapped.toml"), "--db", str(two)]) == 0
    with Store(one, read_only=True) as a, Store(two, read_only=True) as b:
        want, got = a.query(EMPLOYEES), b.query(EMPLOYEES)
    got = got[got["employee_id"].isin(want["employee_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)
    assert want["termination_type"].notna().sum() == 2


def test_unmapped_termination_values_are_refused(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    lines = (EXAMPLES / "hris_mapped.csv").read_bytes().decode("utf-8").split("\r\n")
    leavers = [i for i, line in enumerate(lines) if "Terminated" in line]
    lines[leavers[0]] = lines[leavers[0]].replace("Voluntarily Terminated", "Mutual agreement")
    lines[leavers[-1]] = lines[leavers[-1]].replace("Terminated for Cause", "Moved abroad")
    export = tmp_path / "hris.csv"
    export.write_bytes("\r\n".join(lines).encode("utf-8"))
    db = tmp_path / "hris.duckdb"
    Store(db).close()
    err = refused(db, capsys, "roster", str(export), "--mapping",
                  str(EXAMPLES / "hris_mapped.toml"))
    assert (f"hris.csv, row {leavers[0] + 1}, column 'Employment Status': 2 termination(s) "
            "have a type or reason the mapping does not cover: 'Moved abroad', "
            "'Mutual agreement'") in err
    assert "[roster.termination_types]" in err


def refused_with_edited_mapping(tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str,
                                new: str) -> str:
    """hris_mapped.csv refused with its mapping edited (``old`` -> ``new``) on an empty DB."""
    mapping = tmp_path / "roster.toml"
    mapping.write_text((EXAMPLES / "hris_mapped.toml").read_text().replace(old, new))
    db = tmp_path / "hris.duckdb"
    Store(db).close()
    return refused(db, capsys, "roster", str(EXAMPLES / "hris_mapped.csv"), "--mapping",
                   str(mapping))


def test_mapping_naming_an_absent_column_is_refused(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    err = refused_with_edited_mapping(tmp_path, capsys, '"Entry Date"', '"Start of Employment"')
    assert ("hris_mapped.csv, row 1, column 'Start of Employment': The mapping names "
            "hire_date = 'Start of Employment'") in err


def test_unknown_key_column_says_how_to_map_it(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "hris.duckdb"
    Store(db).close()
    err = refused(db, capsys, "roster", str(EXAMPLES / "hris_mapped.csv"))
    assert "row 1, column 'Employee ID': No employee key column" in err
    assert '[roster.columns] employee_id = "Personnel Number"' in err


def test_excel_serial_dates_in_an_xlsx_roster(tmp_path: Path) -> None:
    export = tmp_path / "roster.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["Employee ID", "Birth Year", "Hire Date", "Termination Date",
               "Termination Type"])
    ws.append(["X1", 1980, 41275, 45717, "Resigned"])  # General-formatted cells: numbers
    ws.append(["X2", 1995, 44000.0, None, None])
    wb.save(export)
    db = tmp_path / "x.duckdb"
    assert main(["import", "roster", str(export), "--db", str(db)]) == 0
    with Store(db, read_only=True) as store:
        got = store.query(EMPLOYEES)
    assert got["hire_date"].tolist() == [from_excel(41275).date().isoformat(),  # openpyxl
                                         from_excel(44000).date().isoformat()]
    assert got["termination_date"].tolist()[0] == from_excel(45717).date().isoformat()
    assert got["termination_type"].tolist()[0] == "voluntary"


# --- Parquet, as warehouses unload it ----------------------------------------------------------


def test_warehouse_roster_parquet_matches_the_workday_rows(tmp_path: Path) -> None:
    one, two = tmp_path / "workday.duckdb", tmp_path / "parquet.duckdb"
    assert main(["import", "roster", str(EXAMPLES / "hris_workday.xlsx"), "--db", str(one)]) == 0
    assert main(["import", "roster", str(EXAMPLES / "warehouse_roster.parquet"),
                 "--db", str(two)]) == 0
    with Store(one, read_only=True) as a, Store(two, read_only=True) as b:
        want, got = a.query(EMPLOYEES), b.query(EMPLOYEES)
        assert b.scalar("select count(*) from email_keys") == len(got)
    want = want[want["employee_id"].isin(got["employee_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)


def test_warehouse_survey_parquet(demo_copy: Path) -> None:
    assert main(["import", "survey", str(EXAMPLES / "warehouse_survey.parquet"), "--mapping",
                 str(EXAMPLES / "warehouse_survey.toml"), "--db", str(demo_copy)]) == 0
    table = pq.read_table(EXAMPLES / "warehouse_survey.parquet").to_pandas()  # reference
    with Store(demo_copy, read_only=True) as store:
        got = store.query("select r.employee_id, r.item_id, r.value from responses r "
                          "join administrations a using (administration_id) "
                          "where a.survey = 'Example warehouse pulse' order by 1, 2")
    assert len(got) == len(table)
    want = table.sort_values(["EMPLOYEE_ID", "ITEM_ID"])
    assert got["value"].tolist() == want["VALUE"].astype(float).tolist()


def unload(path: Path, sql: str) -> Path:
    with duckdb.connect() as con:
        con.execute(f"copy ({sql}) to '{path}' (format parquet)")
    return path


def test_databricks_sessions_and_bigquery_programme_parquet(demo_copy: Path,
                                                            tmp_path: Path) -> None:
    ids = demo_people()["employee_id"].tolist()
    programme = unload(tmp_path / "programme.parquet", f"""
        select 'BQ1' as cohort_id, 'Warehouse cohort' as cohort_name,
               date '2026-02-02' as start_date, date '2026-07-31' as end_date,
               unnest(['{ids[0]}', '{ids[1]}']) as employee_id,
               unnest(['mentor', 'mentee']) as role, 'BQ1-P1' as pair_id""")
    sessions = unload(tmp_path / "sessions.parquet", """
        select 'dbx-' || i as session_id, 'BQ1-P1' as pair_id,
               timestamptz '2026-02-09 17:30:00+00' + i * interval 7 day as date,
               cast(45 as bigint) as duration_minutes,
               case when i = 2 then 'cancelled' else 'held' end as status, null as topic
        from range(4) t(i)""")
    assert main(["import", "programme", str(programme), "--db", str(demo_copy)]) == 0
    assert main(["import", "sessions", str(sessions), "--db", str(demo_copy)]) == 0
    assert cohort(demo_copy, "BQ1")[:2] == ["2026-02-02", "2026-07-31"]
    with Store(demo_copy, read_only=True) as store:
        got = store.query("select strftime(date, '%Y-%m-%d') d, status from sessions "
                          "where pair_id = 'BQ1-P1' order by d")
    assert got.values.tolist() == [["2026-02-09", "held"], ["2026-02-16", "held"],
                                   ["2026-02-23", "cancelled"], ["2026-03-02", "held"]]


def test_parquet_problems_are_refused_like_csv(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "w.duckdb"
    assert main(["import", "roster", str(EXAMPLES / "warehouse_roster.parquet"),
                 "--db", str(db)]) == 0
    data = (EXAMPLES / "warehouse_roster.parquet").read_bytes()
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(data[: len(data) // 2])
    err = refused(db, capsys, "roster", str(cut))
    assert "cut.parquet: The Parquet file cannot be read" in err
    keyless = unload(tmp_path / "keyless.parquet",
                     "select 'x' as PERSON, date '2020-01-01' as HIRE_DATE")
    err = refused(db, capsys, "roster", str(keyless))
    assert "keyless.parquet, row 1, column 'Employee ID': No employee key column" in err
    ambiguous = unload(tmp_path / "text_dates.parquet",
                       "select 'Z1' as EMPLOYEE_ID, '03/04/2020' as HIRE_DATE")
    err = refused(db, capsys, "roster", str(ambiguous))
    assert "text_dates.parquet, row 2, column 'HIRE_DATE': The day/month order" in err


def test_misspelt_mapping_key_is_refused(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    err = refused_with_edited_mapping(tmp_path, capsys, "date_format", "date_fromat")
    assert "roster.toml: [roster] has unknown key(s): date_fromat." in err


def test_survey_date_format_reads_day_first_submission_times(demo_copy: Path,
                                                             tmp_path: Path) -> None:
    """SurveyMonkey in a day-first locale: '6/3/2026 9:58:08 AM' is 6 March."""
    import re

    text = (EXAMPLES / "surveymonkey_csv.csv").read_bytes().decode("utf-8-sig")
    us = re.findall(r",(\d{1,2}/\d{1,2}/2026 \d{1,2}:\d\d:\d\d [AP]M),,", text)  # End Date
    export = tmp_path / "pulse.csv"
    export.write_bytes(re.sub(r"\b(\d{1,2})/(\d{1,2})/2026", r"\2/\1/2026", text)
                       .encode("utf-8-sig"))
    mapping = tmp_path / "pulse.toml"
    mapping.write_text((EXAMPLES / "surveymonkey_csv.toml").read_text().replace(
        "[survey]\n", '[survey]\ndate_format = "day-first"\n'))
    assert main(["import", "survey", str(export), "--mapping", str(mapping),
                 "--db", str(demo_copy)]) == 0
    with Store(demo_copy, read_only=True) as store:
        got = store.query("select opened, closed from administrations "
                          "where survey = 'Example SurveyMonkey pulse (CSV)'")
    # Reference: the original US texts read with strptime.
    stamps = [dt.datetime.strptime(t, "%m/%d/%Y %I:%M:%S %p") for t in us]
    assert len(stamps) == 12
    assert got.iloc[0].tolist() == [min(stamps), max(stamps)]
