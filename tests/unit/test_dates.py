"""Dates as the tools write them (analysis/ingest/dates.py), each against an independent reading:
the standard library's ``datetime.strptime`` with the format the tool uses, and openpyxl's
``from_excel`` for Excel serial numbers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl.utils.datetime import from_excel

from analysis.ingest.dates import birth_pivot, file_order, parse_dates
from analysis.ingest.problems import Problem

# (text as the tool writes it, the strptime format that reads it, the tool)
FORMS = [
    ("Mar 01, 2025", "%b %d, %Y", "Chronus text date"),
    ("March 1, 2025", "%B %d, %Y", "long US"),
    ("Saturday, March 1, 2025", "%A, %B %d, %Y", "long US with weekday"),
    ("1 March 2025", "%d %B %Y", "long UK"),
    ("01-Mar-2025", "%d-%b-%Y", "Oracle / SAP"),
    ("2025-03-01", "%Y-%m-%d", "ISO"),
    ("2025-03-01T14:42:05", "%Y-%m-%dT%H:%M:%S", "ISO with T"),
    ("2025-03-01T14:42:05Z", "%Y-%m-%dT%H:%M:%SZ", "ISO UTC"),
    ("2025-03-01T14:42:05.250+01:00", "%Y-%m-%dT%H:%M:%S.250+01:00", "ISO with fraction, zone"),
    ("2025-03-01 14:42:05 -0800", "%Y-%m-%d %H:%M:%S -0800", "ISO space and offset"),
    ("2025/03/01 2:42:05 PM GMT+1", "%Y/%m/%d %I:%M:%S %p GMT+1", "Google Forms"),
    ("03/13/2025 02:42 PM", "%m/%d/%Y %I:%M %p", "US with 12-hour time"),
    ("03/13/2025 12:05 AM", "%m/%d/%Y %I:%M %p", "US just after midnight"),
    ("13/03/2025 14:42", "%d/%m/%Y %H:%M", "UK with 24-hour time"),
    ("01.03.2025", "%d.%m.%Y", "European dots"),
    ("01.03.2025 08:15", "%d.%m.%Y %H:%M", "European dots with time"),
]


def read(values: list[str], **options: object) -> tuple[pd.Series, list[Problem]]:
    problems: list[Problem] = []
    rows = pd.Series(range(2, 2 + len(values)))
    got = parse_dates(pd.Series(values), file="export.csv", column="When", rows=rows,
                      problems=problems, **options)  # type: ignore[arg-type]
    return got, problems


@pytest.mark.parametrize(("text", "fmt", "tool"), FORMS, ids=[f[2] for f in FORMS])
def test_every_form_reads_as_strptime_does(text: str, fmt: str, tool: str) -> None:
    got, problems = read([text])
    assert problems == []
    # Reference: datetime.strptime(text, fmt), the zone dropped (the time as written).
    assert got.iloc[0].to_pydatetime() == dt.datetime.strptime(text, fmt), tool


@pytest.mark.parametrize("serial", [45717, 21916, 36526.75, 10000])
def test_excel_serial_numbers_read_as_openpyxl(serial: float) -> None:
    got, problems = read([str(serial)])
    assert problems == []
    assert got.iloc[0].to_pydatetime() == from_excel(serial)  # reference: openpyxl


def test_sept_and_full_month_names() -> None:
    got, problems = read(["1 Sept 2025", "Sept 3, 2025", "3 Septembre 2025"])
    # Reference: strptime reads 'Sep' (%b); 'Septembre' is no English month: refused.
    assert got.iloc[:2].tolist() == [pd.Timestamp(dt.datetime.strptime(t, "%d %b %Y"))
                                     for t in ("1 Sep 2025", "3 Sep 2025")]
    assert len(problems) == 1 and "'3 Septembre 2025'" in problems[0].message


def test_day_over_twelve_settles_the_column() -> None:
    got, problems = read(["03/01/2025", "04/02/2025", "25/12/2025"])
    assert problems == []
    assert got.dt.strftime("%Y-%m-%d").tolist() == ["2025-01-03", "2025-02-04", "2025-12-25"]
    got, problems = read(["03/01/2025", "12/25/2025"])
    assert got.dt.strftime("%Y-%m-%d").tolist() == ["2025-03-01", "2025-12-25"]


def test_ambiguous_column_is_refused_naming_column_row_and_fix() -> None:
    got, problems = read(["", "03/01/2025", "04/02/2025"], section="programme")
    assert len(problems) == 1 and got.isna().all()
    problem = problems[0]
    assert (problem.file, problem.row, problem.column) == ("export.csv", 3, "When")
    assert "'03/01/2025'" in problem.message and "12 or less" in problem.message
    assert 'date_format = "day-first"' in problem.fix and "[programme]" in problem.fix


@pytest.mark.parametrize(("date_format", "want"), [
    ("day-first", ["2025-01-03", "2025-02-04"]), ("month-first", ["2025-03-01", "2025-04-02"]),
    ("%d/%m/%Y", ["2025-01-03", "2025-02-04"]), ("%m/%d/%Y", ["2025-03-01", "2025-04-02"]),
])
def test_date_format_states_the_order(date_format: str, want: list[str]) -> None:
    got, problems = read(["03/01/2025", "04/02/2025"], date_format=date_format)
    assert problems == []
    assert got.dt.strftime("%Y-%m-%d").tolist() == want


def test_a_pattern_reads_what_no_built_in_form_does() -> None:
    got, problems = read(["20250301", "20251231"], date_format="%Y%m%d")
    assert problems == []
    assert got.tolist() == [pd.Timestamp(dt.datetime.strptime(t, "%Y%m%d"))
                            for t in ("20250301", "20251231")]


def test_the_files_other_columns_settle_an_ambiguous_one() -> None:
    hint = file_order([pd.Series(["01/15/2024"]), pd.Series(["03/01/2024"])])
    assert hint == "mdy"
    got, problems = read(["03/01/2024"], file_hint=hint)
    assert problems == [] and got.iloc[0] == pd.Timestamp("2024-03-01")
    # Columns that disagree settle nothing.
    assert file_order([pd.Series(["01/15/2024"]), pd.Series(["15/01/2024"])]) is None


def test_mixed_orders_and_unreadable_values_are_refused() -> None:
    _, problems = read(["03/14/2025", "14/03/2025"])
    assert len(problems) == 1 and "mixes day-first" in problems[0].message
    _, problems = read(["2025-03-01", "soon", "2025-02-30"])
    assert len(problems) == 1
    assert problems[0].row == 3 and "2 date(s) cannot be read" in problems[0].message


def test_two_digit_years_use_the_pivot() -> None:
    got, _ = read(["03/02/61", "03/02/09", "03/02/30"], date_format="day-first", pivot=30)
    assert got.dt.year.tolist() == [1961, 2009, 1930]
    got, _ = read(["03-Feb-68", "03-Feb-69"], pivot=69)  # strptime's %y: 68 -> 2068, 69 -> 1969
    assert got.dt.year.tolist() == [dt.datetime.strptime(y, "%y").year for y in ("68", "69")]
    assert birth_pivot(dt.date(2026, 12, 7)) == 13  # born 2012 is 14: '12' -> 2012, '13' -> 1913


def test_many_rows_repeat_few_texts() -> None:
    """1M rows are parsed as their distinct texts: same answer as row by row."""
    texts = ["01/25/2024 12:00 PM", "02/03/2024 08:30 AM", ""] * 200_000
    got, problems = read(texts)
    assert problems == []
    want = [dt.datetime.strptime(t, "%m/%d/%Y %I:%M %p") if t else pd.NaT for t in texts[:3]]
    assert got.iloc[:3].tolist()[:2] == want[:2] and pd.isna(got.iloc[2])
    assert got.notna().sum() == 400_000


def test_readme_lists_the_synonyms_table() -> None:
    """The README's 'Column names crossgen knows' is the table the readers use."""
    from pathlib import Path

    from analysis.ingest.synonyms import markdown_table

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- synonyms:start -->\n") + len("<!-- synonyms:start -->\n")
    assert readme[start:readme.index("\n<!-- synonyms:end -->")] == markdown_table()
