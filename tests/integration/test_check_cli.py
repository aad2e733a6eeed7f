"""`crossgen check` on every example, on a broken file; examples and survey template up to date."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.ingest import import_file, samples
from analysis.ingest.examples import EXAMPLES, answers, demo_people, write_examples
from analysis.ingest.progress import Progress
from analysis.ingest.reading import read_grid
from analysis.ingest.template import TEMPLATE_DIR, mapping_toml, template_markdown
from analysis.store.codebook import (
    POST_ONLY_CONSTRUCTS,
    PROGRAMME_CONSTRUCTS,
    SCALE_LABELS,
    items_for,
)
from analysis.store.db import Store
from tests.conftest import run_cli

KINDS = {
    "qualtrics.csv": ("survey", "qualtrics"),
    "qualtrics_legacy.csv": ("survey", "qualtrics-legacy"),
    "surveymonkey_csv.csv": ("survey", "surveymonkey"),
    "surveymonkey_xlsx.xlsx": ("survey", "surveymonkey"),
    "msforms.xlsx": ("survey", "msforms"),
    "google_forms.csv": ("survey", "google-forms"),
    "crossgen_long.csv": ("survey", "crossgen-long"),
    "hris_workday.xlsx": ("roster", "workday"),
    "bamboohr.csv": ("roster", "bamboohr"),
    "platform_programme.csv": ("programme", "platform"),
    "platform_sessions.csv": ("sessions", "platform"),
    "crossgen_programme.csv": ("programme", "crossgen"),
    "crossgen_sessions.csv": ("sessions", "crossgen"),
    "chronus_connections.csv": ("programme", "platform"),
    "hris_mapped.csv": ("roster", "hris"),
    "warehouse_roster.parquet": ("roster", "hris"),
    "warehouse_survey.parquet": ("survey", "crossgen-long"),
}


def test_every_example_is_listed() -> None:
    found = {p.name for p in EXAMPLES.iterdir() if p.suffix in (".csv", ".xlsx", ".parquet")}
    assert found == set(KINDS)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_check_succeeds_on_example(demo_db: Path, name: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    with Store(demo_db, read_only=True) as store:
        before = store.table_counts()
    assert main(["check", str(EXAMPLES / name), "--db", str(demo_db)]) == 0
    out = capsys.readouterr().out
    kind, fmt = KINDS[name]
    assert f"{name}: {kind}, detected format '{fmt}'" in out
    assert "rows that would be rejected: 0" in out
    assert out.rstrip().endswith("OK: nothing was written.")
    if kind == "survey":
        assert "respondents matched to the roster: 12" in out
    with Store(demo_db, read_only=True) as store:
        assert store.table_counts() == before


def test_check_on_broken_file_exits_nonzero_with_problems(demo_db: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    text = (EXAMPLES / "google_forms.csv").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    # The header's question texts hold two line breaks: text line 4 is spreadsheet row 2.
    lines[3] = lines[3].replace("@northwind.example", "@elsewhere.example", 1)
    broken.write_text("".join(lines).replace("Strongly agree", "Totally", 1), encoding="utf-8")
    done = run_cli("check", str(broken), "--mapping", str(EXAMPLES / "google_forms.toml"),
                   "--db", str(demo_db))
    assert done.returncode == 3
    assert "crossgen check: 2 problem(s); nothing was written." in done.stderr
    assert "broken.csv, row 2, column 'Email Address': 1 respondent email(s)" in done.stderr
    assert "label(s) not in scale 'agree5': 'Totally'" in done.stderr
    assert "Traceback" not in done.stderr


def test_examples_match_their_generator(tmp_path: Path) -> None:
    fresh = write_examples(tmp_path)
    for path in fresh:
        committed = EXAMPLES / path.name
        if path.suffix in (".xlsx", ".parquet"):  # creation time, writer version: the cells
            pd.testing.assert_frame_equal(read_grid(path), read_grid(committed))
        else:
            assert path.read_bytes() == committed.read_bytes(), path.name
    for toml in [*tmp_path.glob("*.toml"), tmp_path / "README.md"]:
        assert toml.read_text() == (EXAMPLES / toml.name).read_text(), toml.name


def test_survey_template_matches_codebook() -> None:
    assert (TEMPLATE_DIR / "README.md").read_text(encoding="utf-8") == template_markdown()
    assert (TEMPLATE_DIR / "mapping.toml").read_text(encoding="utf-8") == mapping_toml()


@pytest.mark.parametrize("layout", ["qualtrics", "surveymonkey", "google", "msforms"])
def test_template_mapping_reads_each_tool(demo_copy: Path, tmp_path: Path, layout: str) -> None:
    """A pre survey asked with the template's wording imports with the template mapping in every
    tool; the post-only items may be absent."""
    items = items_for(PROGRAMME_CONSTRUCTS)
    frame = answers(items, demo_people(8), seed=5, start="2026-12-01 09:00")
    export = tmp_path / ("pre.xlsx" if layout == "msforms" else "pre.csv")
    {"qualtrics": lambda: samples.write_qualtrics(export, items, frame, key="id"),
     "surveymonkey": lambda: samples.write_surveymonkey(export, items, frame, key="email"),
     "google": lambda: samples.write_google_forms(export, items, frame),
     "msforms": lambda: samples.write_msforms(export, items, frame)}[layout]()
    answered = int(sum((frame[i.item_id] != "").sum() for i in items))
    with Store(demo_copy) as store:
        report = import_file(store, "survey", export, mapping=TEMPLATE_DIR / "mapping.toml",
                             cohort="C1", phase="pre")
        assert report.summary["answers"] == answered
        assert report.summary["optional questions not in this file"] == len(
            items_for(POST_ONLY_CONSTRUCTS))
        got = store.query("select item_id, value from responses where administration_id = "
                          "'reverse-mentoring-c1-pre' and employee_id = ? order by item_id",
                          [frame["employee_id"].iloc[0]])
    first = frame.iloc[0]
    want = sorted((i.item_id, float(SCALE_LABELS[i.scale].index(first[i.item_id])
                                     + (0 if i.scale == "likely11" else 1)))
                  for i in items if first[i.item_id] != "")
    assert list(got.itertuples(index=False, name=None)) == want


def test_progress_reports_stages(demo_copy: Path) -> None:
    stream = io.StringIO()
    with Store(demo_copy) as store, Progress(stream, delay=0.0, interval=0.01) as progress:
        import_file(store, "survey", EXAMPLES / "msforms.xlsx",
                    mapping=EXAMPLES / "msforms.toml", progress=progress)
    lines = stream.getvalue().splitlines()
    assert [line.split("] ")[1].split(" ")[0] for line in lines] == [
        "reading", "checking", "writing", "archiving", "done"]
    assert lines[-1].startswith("importing [####################] done")


def test_progress_is_silent_for_quick_imports(demo_copy: Path) -> None:
    stream = io.StringIO()
    with Store(demo_copy) as store, Progress(stream, delay=60.0) as progress:
        import_file(store, "sessions", EXAMPLES / "crossgen_sessions.csv", progress=progress)
    assert stream.getvalue() == ""
