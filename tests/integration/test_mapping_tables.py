"""`crossgen mapping` for rosters, programme and sessions exports: drafts that import as they are
when the file says everything, and that name what a person must decide when it does not."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.ingest.examples import EXAMPLES
from analysis.store.db import Store


def draft(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    capsys.readouterr()
    assert main(["mapping", str(path), *extra]) == 0
    return capsys.readouterr().out


def employees(db: Path) -> pd.DataFrame:
    with Store(db, read_only=True) as store:
        return store.query("select * exclude (generation) from employees order by employee_id")


def test_roster_with_its_own_headers(demo_copy: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """hris_mapped.csv: every header guessed from its words, the draft imports as written and
    stores what the hand-written mapping stores."""
    text = draft(EXAMPLES / "hris_mapped.csv", capsys, "--kind", "roster")
    raw = tomllib.loads(text)
    hand = tomllib.loads((EXAMPLES / "hris_mapped.toml").read_text())
    assert raw["roster"]["columns"] == hand["roster"]["columns"]
    assert "# DECIDE" not in text
    mapping = tmp_path / "draft.toml"
    mapping.write_text(text, encoding="utf-8")
    first = tmp_path / "first.duckdb"
    second = tmp_path / "second.duckdb"
    for db, used in ((first, EXAMPLES / "hris_mapped.toml"), (second, mapping)):
        assert main(["import", "roster", str(EXAMPLES / "hris_mapped.csv"), "--mapping",
                     str(used), "--db", str(db)]) == 0
    pd.testing.assert_frame_equal(employees(second), employees(first))


@pytest.mark.parametrize("name", ["hris_workday.xlsx", "bamboohr.csv"])
def test_known_rosters_draft_their_headers(tmp_path: Path, name: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    text = draft(EXAMPLES / name, capsys, "--kind", "roster")
    raw = tomllib.loads(text)
    assert raw["roster"]["columns"]["employee_id"] in ("Employee ID", "Employee #")
    mapping = tmp_path / "draft.toml"
    mapping.write_text(text, encoding="utf-8")
    assert main(["check", str(EXAMPLES / name), "--mapping", str(mapping), "--kind", "roster",
                 "--db", str(tmp_path / "none.duckdb")]) == 0


def test_connections_draft_lists_cohorts(demo_copy: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    text = draft(EXAMPLES / "chronus_connections.csv", capsys)
    raw = tomllib.loads(text)
    assert raw["programme"]["format"] == "platform"
    assert raw["programme"]["columns"]["closed_on"] == "Closed On"
    assert [c["program_name"] for c in raw["cohorts"]] == ["Reverse Mentoring 2026"]
    mapping = tmp_path / "draft.toml"
    mapping.write_text(text, encoding="utf-8")
    assert main(["import", "programme", str(EXAMPLES / "chronus_connections.csv"),
                 "--mapping", str(mapping), "--db", str(demo_copy)]) == 0
    with Store(demo_copy, read_only=True) as store:
        assert store.scalar("select count(*) from participants where cohort_id = ?",
                            ["reverse-mentoring-2026"]) == 8


def test_undecided_values_and_dates_are_marked(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "hr.csv"
    roster.write_text("Personnel Number,Entry Date,Exit Date,Exit Reason\n"
                      "P1,03/01/2020,,\nP2,04/02/2019,05/06/2024,Moved abroad\n"
                      "P3,01/01/2018,02/03/2023,Resigned\n", encoding="utf-8")
    text = draft(roster, capsys, "--kind", "roster")
    raw = tomllib.loads(text)
    assert raw["roster"]["columns"] == {"employee_id": "Personnel Number",
                                        "hire_date": "Entry Date",
                                        "termination_date": "Exit Date",
                                        "termination_type": "Exit Reason"}
    assert '# date_format = "day-first"  # DECIDE' in text
    assert '# "Moved abroad" = "voluntary"  # DECIDE' in text
    assert "Resigned" not in text.split("[roster.termination_types]")[1]
    meetings = tmp_path / "meetings.csv"
    meetings.write_text("Mentoring Connection Name,Meeting Start Time,Meeting Status\n"
                        "A,2026-01-05 10:00,Happened\nA,2026-01-12 10:00,Completed\n",
                        encoding="utf-8")
    text = draft(meetings, capsys)
    assert '# "Happened" = "held"  # DECIDE' in text and '"Completed" =' not in text


INDEPENDENT = Path(__file__).resolve().parents[1] / "data" / "independent"


def _answers(db: Path, admin: str) -> list[tuple[str, float]]:
    with Store(db, read_only=True) as store:
        got = store.query("select employee_id, value from responses "
                          "where administration_id = ? order by all", [admin])
    return list(got.itertuples(index=False, name=None))


def test_independent_company_imports_through_drafts(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Every kind of the independent company's files (tests/data/independent) through a draft
    a user has only finished the DECIDE construct lines of; the surveys land the answers their
    hand-written mappings land."""
    from tests.integration.test_mapping_drafts import copy_changed, fill

    db = tmp_path / "company.duckdb"
    for kind, name, extra in [("roster", "sf_employees.csv", ["--kind", "roster"]),
                              ("programme", "chronus_connections.csv", []),
                              ("sessions", "chronus_meetings.csv", [])]:
        mapping = tmp_path / f"{kind}.toml"
        mapping.write_text(draft(INDEPENDENT / name, capsys, *extra), encoding="utf-8")
        assert main(["import", kind, str(INDEPENDENT / name), "--mapping", str(mapping),
                     "--db", str(db)]) == 0, capsys.readouterr().err
    cohort = "reverse-mentoring-spring-2025"
    for name, hand, extra in [
            ("pulse_2025_01.csv", "pulse_2025_01.toml", []),
            ("programme_S25_pre.csv", "programme_survey.toml",
             ["--cohort", cohort, "--phase", "pre"])]:
        text = draft(INDEPENDENT / name, capsys, "--name", f"draft {name}",
                     *(["--kind", "programme-survey", *extra] if extra else []))
        mapping = tmp_path / f"{name}.toml"
        mapping.write_text(fill(text), encoding="utf-8")
        assert main(["import", "survey", str(INDEPENDENT / name), "--mapping", str(mapping),
                     "--db", str(db)]) == 0, capsys.readouterr().err
        assert main(["import", "survey", str(copy_changed(INDEPENDENT / name, tmp_path)),
                     "--mapping", str(INDEPENDENT / hand), "--db", str(db), *extra]) == 0
        hand_name = tomllib.loads((INDEPENDENT / hand).read_text())["survey"]["name"]
        hand_name = hand_name.replace("{cohort}", cohort).replace("{phase}", "pre")
        slug = "-".join(w for w in "".join(c if c.isalnum() else " " for c in
                                           hand_name.lower()).split())
        draft_slug = "-".join(w for w in "".join(c if c.isalnum() else " " for c in
                                                 f"draft {name}".lower()).split())
        assert _answers(db, draft_slug) == _answers(db, slug)
