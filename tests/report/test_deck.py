"""The board pack built from the demo database, opened back with python-pptx and unzipped."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import threading
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pptx.util import Emu

from analysis.metrics import registry as metrics
from analysis.metrics import sources
from analysis.report.content import build_content, outcome_label, primary_metric
from analysis.report.deck import build_deck
from analysis.store.codebook import CONSTRUCTS
from analysis.store.db import Store
from analysis.store.filters import Filters
from tests.conftest import run_cli

GENERATED = datetime(2026, 1, 2, 9, 30, tzinfo=UTC)
EMPLOYEE_ID = re.compile(rb"E\d{6}")
EMAIL = re.compile(rb"[\w.+-]+@[\w-]+\.[\w.-]+")
ROLE_OF_SERIES = {"Mentees": "mentee", "Mentors": "mentor", "All participants": "all",
                  "Comparison group": "comparison"}


def _build(db: Path, filters: Filters, k: int = 5) -> tuple[bytes, pd.DataFrame]:
    with Store(db, read_only=True) as store:
        content = build_content(store, filters, min_group_size=k, generated=GENERATED)
        return build_deck(content), metrics.results(store, filters, min_group_size=k)


@pytest.fixture(scope="module")
def deck(demo_db: Path) -> tuple[bytes, pd.DataFrame]:
    return _build(demo_db, Filters())


def _expected_outcomes(results: pd.DataFrame) -> list[str]:
    present = set(results["outcome"])
    first_seen = list(dict.fromkeys(results["outcome"]))
    return [o for o in CONSTRUCTS if o in present] + [o for o in first_seen
                                                      if o not in CONSTRUCTS]


def _chart_source(results: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The metrics rows an outcome's chart must show: its main metric (base scenario)."""
    rows = results[(results["outcome"] == outcome) & sources.preferred(results)]  # one source
    rows = rows[rows["metric"] == primary_metric(rows)]
    if "scenario" in rows and rows["scenario"].notna().any():
        rows = rows[rows["scenario"] == "base"]
    return rows


def _charts(prs: Presentation) -> dict[str, object]:
    out = {}
    for slide in prs.slides:
        charts = [s.chart for s in slide.shapes if s.has_chart]
        if charts:
            assert len(charts) == 1
            out[slide.shapes.title.text] = charts[0]
    return out


def _check_chart_values(chart: object, rows: pd.DataFrame) -> None:
    """Every bar is the metric's estimate for its cohort (category) and role (series)."""
    categories = list(chart.plots[0].categories)  # type: ignore[attr-defined]
    cohort_of = dict(zip(rows["cohort_name"].fillna(rows["cohort"]), rows["cohort"],
                         strict=False))
    assert set(categories) == set(cohort_of)
    for series in chart.plots[0].series:  # type: ignore[attr-defined]
        role = ROLE_OF_SERIES[series.name]
        for category, value in zip(categories, series.values, strict=True):
            row = rows[(rows["cohort"] == cohort_of[category]) & (rows["role"] == role)]
            assert len(row) == 1
            expected = row["estimate"].iloc[0]
            if pd.isna(expected):
                assert value is None  # suppressed: an empty point, no number
            else:
                assert value == pytest.approx(float(expected), rel=1e-12)


def test_slides_titles_and_native_charts_match_metrics(deck: tuple[bytes, pd.DataFrame]) -> None:
    data, results = deck
    prs = Presentation(io.BytesIO(data))
    assert (prs.slide_width, prs.slide_height) == (Emu(12192000), Emu(6858000))  # 16:9
    outcomes = _expected_outcomes(results)
    labels = [outcome_label(o) for o in outcomes]
    titles = [slide.shapes.title.text for slide in prs.slides]
    assert titles == ["Reverse mentoring: did it work?", "Did the programme pay off?",
                      "Headline outcomes", *labels,
                      "Methods", "Tests used", "Cohorts, data and n"]
    charts = _charts(prs)
    assert list(charts) == labels  # one native chart per outcome slide, nowhere else
    for outcome, label in zip(outcomes, labels, strict=True):
        rows = _chart_source(results, outcome)
        _check_chart_values(charts[label], rows)
        # The embedded workbook (what "Edit data" opens) holds the same numbers.
        book = openpyxl.load_workbook(io.BytesIO(
            charts[label].part.chart_workbook.xlsx_part.blob))  # type: ignore[attr-defined]
        sheet = [row for row in book.active.iter_rows(values_only=True)]
        series_names = list(sheet[0][1:])
        for row in sheet[1:]:
            for name, value in zip(series_names, row[1:], strict=True):
                match = rows[(rows["cohort_name"].fillna(rows["cohort"]) == row[0])
                             & (rows["role"] == ROLE_OF_SERIES[name])]["estimate"]
                assert (value is None) if match.isna().all() else \
                    value == pytest.approx(float(match.iloc[0]))


def test_footer_sentence_and_n_under_each_chart(deck: tuple[bytes, pd.DataFrame],
                                                demo_db: Path) -> None:
    prs = Presentation(io.BytesIO(deck[0]))
    with Store(demo_db, read_only=True) as store:
        hashes = store.query("select sha256 from imports")["sha256"]
    import hashlib

    snapshot = hashlib.sha256("\n".join(sorted(hashes)).encode()).hexdigest()
    for slide in prs.slides:
        text = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        assert f"data snapshot {snapshot[:12]}" in text and "02 Jan 2026" in text
        if any(s.has_chart for s in slide.shapes):
            assert "95% CI" in text and "n (" in text
    methods = "\n".join(s.text_frame.text for s in prs.slides[-3].shapes if s.has_text_frame)
    for words in ("Holm", "fewer than 5 people", "95%"):
        assert words in methods
    tests = [c.text for s in prs.slides[-2].shapes if s.has_table for r in s.table.rows
             for c in r.cells]
    assert any("paired t-test" in text for text in tests)
    appendix = prs.slides[-1]
    cells = [c.text for s in appendix.shapes if s.has_table for r in s.table.rows
             for c in r.cells]
    assert {"C1", "C2", "C3", "15 Jan 2024"} <= set(cells)
    assert any(snapshot in s.text_frame.text for s in appendix.shapes if s.has_text_frame)


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    # Embedded workbooks are zips themselves: scan their parts too.
    for name, blob in list(parts.items()):
        if name.endswith(".xlsx"):
            with zipfile.ZipFile(io.BytesIO(blob)) as inner:
                parts.update({f"{name}!{n}": inner.read(n) for n in inner.namelist()})
    return parts


def test_no_employee_id_or_email_anywhere_in_the_package(deck: tuple[bytes, pd.DataFrame],
                                                         demo_db: Path) -> None:
    parts = _parts(deck[0])
    assert any(name.endswith(".xlsx") for name in parts)
    with Store(demo_db, read_only=True) as store:
        ids = set(store.query("select employee_id from employees")["employee_id"])
        hashes = set(store.query("select email_hash from email_keys")["email_hash"])
    assert ids and all(EMPLOYEE_ID.fullmatch(i.encode()) for i in list(ids)[:50])
    for name, blob in parts.items():
        assert not EMPLOYEE_ID.search(blob), name
        assert not EMAIL.search(blob), name
        text = blob.decode("utf-8", "ignore")
        assert not any(h in text for h in list(hashes)[:200]), name


def test_suppressed_values_never_reach_the_deck(demo_db: Path) -> None:
    k = 26  # hides several single-role groups of a cohort (demo: 24-30 per role)
    data, results = _build(demo_db, Filters(), k=k)
    with Store(demo_db, read_only=True) as store:
        raw = metrics.compute(store, Filters())
    hidden = raw[raw["n"] < k]
    assert len(hidden) and results["suppressed"].sum() >= len(hidden)
    # The charts' own metrics (other measures may coincide in value with a shown one).
    charted = {(o, primary_metric(raw[raw["outcome"] == o])) for o in raw["outcome"].unique()}
    hidden = hidden[[(o, m) in charted for o, m in zip(hidden["outcome"], hidden["metric"],
                                                       strict=True)]]
    text = b"".join(_parts(data).values()).decode("utf-8", "ignore")
    # Values with many digits cannot turn up by coincidence (a short one like 0.32 could).
    for value in hidden["estimate"].dropna():
        for form in {repr(float(value)), f"{value:.15g}"}:
            if len(form) >= 10:
                assert form not in text
    prs = Presentation(io.BytesIO(data))
    outcome_of = {outcome_label(o): o for o in results["outcome"].unique()}
    for label, chart in _charts(prs).items():
        _check_chart_values(chart, _chart_source(results, outcome_of[label]))


def test_cohort_filter_and_cli_deck_match_metrics_json(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.pptx"
    made = run_cli("report", "--db", str(demo_db), "--cohort", "C2", "--out", str(out))
    assert made.returncode == 0, made.stderr
    payload = json.loads(run_cli("metrics", "--db", str(demo_db), "--cohort", "C2",
                                 "--json").stdout)
    results = pd.DataFrame(payload["results"]).astype({"estimate": float})
    results = results[results["group"].map(lambda g: not g)]
    prs = Presentation(str(out))
    assert any("Reverse Mentoring 2024 Autumn" in s.text_frame.text
               for s in prs.slides[0].shapes if s.has_text_frame)
    charts = _charts(prs)
    assert len(charts) == results["outcome"].nunique()
    outcome_of = {outcome_label(o): o for o in results["outcome"].unique()}
    for label, chart in charts.items():
        assert list(chart.plots[0].categories) == ["Reverse Mentoring 2024 Autumn"]
        _check_chart_values(chart, _chart_source(results, outcome_of[label]))


def test_report_cli_leaves_no_thread_on_the_database(demo_db: Path, tmp_path: Path) -> None:
    # A daemon thread still querying DuckDB when the process exits aborts it ("terminate called
    # without an active exception"): the command must not start the dashboard's warm-up.
    from analysis import cli
    from dashboard import model

    previous = model._db
    try:
        code = cli.main(["report", "--db", str(demo_db), "--no-images",
                         "--out", str(tmp_path / "deck.pptx")])
        assert code == 0
        assert (tmp_path / "deck.pptx").stat().st_size > 0
        assert not [t for t in threading.enumerate() if t.name == "crossgen-warm"]
    finally:
        if previous is not None:
            model.configure(previous)


def test_report_cli_rejects_unknown_format_and_cohort(demo_db: Path, tmp_path: Path) -> None:
    bad = run_cli("report", "--db", str(demo_db), "--out", str(tmp_path / "deck.key"))
    assert bad.returncode == 2 and "--out must end in .pptx, .csv, .xlsx" in bad.stderr
    bad = run_cli("report", "--db", str(demo_db), "--cohort", "C9", "--out",
                  str(tmp_path / "deck.pptx"))
    assert bad.returncode == 2 and "no cohort 'C9'" in bad.stderr
    assert "Traceback" not in bad.stderr and not (tmp_path / "deck.pptx").exists()


@pytest.mark.slow
def test_libreoffice_renders_every_slide(deck: tuple[bytes, pd.DataFrame],
                                         tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    # `make test` installs both (scripts/system-deps.sh): missing, the test fails, never skips
    if soffice is None:
        pytest.fail("LibreOffice is not installed: run `make test` or apt-get install "
                    "libreoffice-impress", pytrace=False)
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is not installed: run `make test` or apt-get install poppler-utils",
                    pytrace=False)
    source = tmp_path / "deck.pptx"
    source.write_bytes(deck[0])
    profile = (tmp_path / "lo-profile").as_uri()  # own profile: parallel runs do not collide
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "deck.pdf"
    assert pdf.exists()
    subprocess.run(["pdftoppm", "-r", "24", "-png", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(Presentation(io.BytesIO(deck[0])).slides)
    for page in pages:
        with Image.open(page) as image:
            grey = image.convert("L")
            assert grey.getextrema()[0] < 128, f"{page.name} is blank"  # something drawn
