"""`crossgen report --out table.csv|.xlsx`: the chart numbers, no formula injection, no ids."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.report import sheets
from analysis.store.db import Store
from tests.conftest import run_cli

EVIL_NAME = '=HYPERLINK("http://evil.example","x")'


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+2", "'=1+2"), ("+1", "'+1"), ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("plain", "plain"), ("a=b", "a=b"), (-0.5, -0.5), (3, 3), (None, None),
])
def test_neutralise(value: object, expected: object) -> None:
    assert sheets.neutralise(value) == expected


@pytest.fixture()
def evil_db(demo_copy: Path) -> Path:
    """The demo with a cohort name crafted as a spreadsheet formula."""
    with Store(demo_copy) as store:
        store.execute("update cohorts set name = ? where cohort_id = 'C1'", [EVIL_NAME])
    return demo_copy


def test_csv_numbers_behind_the_charts(evil_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "table.csv"
    made = run_cli("report", "--db", str(evil_db), "--out", str(out))
    assert made.returncode == 0, made.stderr
    text = out.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    payload = json.loads(run_cli("metrics", "--db", str(evil_db), "--json").stdout)
    expected = pd.DataFrame(payload["results"])
    if "scenario" in expected:  # a metric with scenarios (ROI) charts its base scenario
        expected = expected[expected["scenario"].isna() | (expected["scenario"] == "base")]
    assert {r["outcome"] for r in rows} == set(expected["outcome"])  # every outcome's chart
    names = {r["cohort_name"] for r in rows}
    assert "'" + EVIL_NAME in names and EVIL_NAME not in names
    for row in rows:
        assert not row["cohort_name"].startswith(tuple("=+-@"))
        match = expected[(expected["outcome"] == row["outcome"])
                         & (expected["metric"] == row["metric"])
                         & (expected["cohort"] == row["cohort"])
                         & (expected["role"] == row["role"])].iloc[0]
        if match["suppressed"]:
            assert row["estimate"] == row["n"] == ""
        else:
            # Numbers stay numbers: negative estimates are not quote-prefixed.
            assert float(row["estimate"]) == pytest.approx(match["estimate"], rel=1e-12)
            assert int(row["n"]) == match["n"]
    assert any(float(r["estimate"]) < 0 for r in rows if r["estimate"])
    assert not re.search(r"E\d{6}|@\w+\.\w+", text.replace("'" + EVIL_NAME, ""))


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers(evil_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "table.xlsx"
    made = run_cli("report", "--db", str(evil_db), "--cohort", "C1", "--out", str(out))
    assert made.returncode == 0, made.stderr
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    name_col, est_col = header.index("cohort_name") + 1, header.index("estimate") + 1
    for row in sheet.iter_rows(min_row=2):
        name, estimate = row[name_col - 1], row[est_col - 1]
        assert name.data_type == "s" and name.value == "'" + EVIL_NAME  # never a formula
        assert estimate.value is None or estimate.data_type == "n"
    assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)
