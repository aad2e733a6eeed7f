"""``crossgen mapping`` on the independent company's surveys: the draft, with only the construct
lines a user must decide filled in, imports the file (issue 24, "Done when").

The constructs filled in are the ones the company's generator asked each question for; the
import must keep exactly the answers the generating tables hold for that survey (finished,
non-preview responses, answered items).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import duckdb
import numpy as np
import pytest

from tests.independent.company_db import DATA, STEPS, Step, crossgen
from tests.independent.make_company import PROGRAMME_QUESTIONS, PULSE_QUESTIONS, build_company

pytestmark = pytest.mark.xdist_group("independent")
SURVEYS = [s for s in STEPS if s.kind == "survey"]
DECIDE = re.compile(r'^# construct = "[^"\n]*"\s*# DECIDE.*$', re.MULTILINE)


@pytest.fixture(scope="module")
def before_surveys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The roster, the programme and its meetings imported: what a survey import needs."""
    db = tmp_path_factory.mktemp("drafts") / "harbourline.duckdb"
    for step in STEPS[:3]:
        done = crossgen("import", *step.args(DATA), "--db", str(db))
        assert done.returncode == 0, done.stderr
    return db


def _fill(draft: str) -> str:
    """Uncomment each DECIDE construct line with the construct its question was asked for."""
    constructs = {q.column: q.construct for q in PULSE_QUESTIONS + PROGRAMME_QUESTIONS}
    blocks = draft.split("[[questions]]")
    out = [blocks[0]]
    for block in blocks[1:]:
        column = tomllib.loads("x = " + block.split("column = ", 1)[1].split("\n", 1)[0])["x"]
        # a Qualtrics id, or a SurveyMonkey matrix row drafted as 'Question [Row]'
        asked = [c for k, c in constructs.items() if column in (k, f"[{k}]") or
                 column.endswith(f" [{k}]")]
        out.append(DECIDE.sub(f'construct = "{asked[0]}"', block))
    return "[[questions]]".join(out)


def _answers_in_truth(file: str) -> int:
    company = build_company()
    admin = company.administrations.set_index("file").loc[file, "admin"]
    rows = company.answers[(company.answers["admin"] == admin) & company.answers["finished"]
                           & ~company.answers["preview"]]
    items = [q.item for q in PULSE_QUESTIONS + PROGRAMME_QUESTIONS]
    return int(np.isfinite(rows[items].to_numpy(dtype=float)).sum())


@pytest.mark.parametrize("step", SURVEYS, ids=[s.file for s in SURVEYS])
def test_draft_with_constructs_filled_imports(step: Step, before_surveys: Path,
                                              tmp_path: Path) -> None:
    db = tmp_path / "db.duckdb"
    db.write_bytes(before_surveys.read_bytes())
    source = DATA / step.file
    wave = ["--cohort", str(step.cohort), "--phase", str(step.phase)] if step.cohort else []
    drafted = crossgen("mapping", str(source),
                       *(["--kind", "programme-survey", *wave] if wave else []))
    assert drafted.returncode == 0, drafted.stderr
    assert "DECIDE" in drafted.stdout  # some constructs are left to the user
    filled = _fill(drafted.stdout)
    assert DECIDE.search(filled) is None
    mapping = tmp_path / "draft.toml"
    mapping.write_text(filled, encoding="utf-8")
    done = crossgen("import", "survey", str(source), "--mapping", str(mapping), *wave,
                    "--db", str(db))
    assert done.returncode == 0, done.stderr + "\n" + filled
    with duckdb.connect(str(db), read_only=True) as con:
        answers = con.execute("select count(*) from responses").fetchone()
    assert answers is not None
    assert answers[0] == _answers_in_truth(step.file)


def test_drafts_of_the_roster_connections_and_meetings_import(tmp_path: Path) -> None:
    """Roster, programme and sessions drafts, unchanged, import the company as it was made:
    every employee's birth year, hire and exit with its type, each cohort's dates from its
    connections, every meeting with its status."""
    db = tmp_path / "drafted.duckdb"
    for step in [s for s in STEPS if s.kind != "survey"]:
        drafted = crossgen("mapping", str(DATA / step.file))
        assert drafted.returncode == 0, drafted.stderr
        assert DECIDE.search(drafted.stdout) is None
        mapping = tmp_path / f"{step.kind}.toml"
        mapping.write_text(drafted.stdout, encoding="utf-8")
        done = crossgen("import", step.kind, str(DATA / step.file), "--mapping", str(mapping),
                        "--db", str(db))
        assert done.returncode == 0, done.stderr + "\n" + drafted.stdout
    company = build_company()
    truth = company.employees.set_index("employee_id")
    with duckdb.connect(str(db), read_only=True) as con:
        people = con.execute("select employee_id, birth_year, hire_date, termination_date, "
                             "termination_type from employees order by employee_id").df()
        cohorts = dict(con.execute("select name, (start_date, end_date) from cohorts")
                       .fetchall())
        statuses = dict(con.execute("select status, count(*) from sessions group by all")
                        .fetchall())
    people = people.set_index("employee_id")
    assert list(people.index) == sorted(truth.index)
    assert (people["birth_year"] == truth.loc[people.index, "birth_year"]).all()
    assert (people["hire_date"].dt.date == truth.loc[people.index, "hire_date"]).all()
    gone = truth.loc[people.index, "termination_date"].map(lambda d: d is not None)
    assert (people["termination_date"].notna() == gone).all()
    assert (people.loc[gone, "termination_date"].dt.date
            == truth.loc[people.index[gone], "termination_date"]).all()
    assert (people["termination_type"].fillna("")
            == truth.loc[people.index, "termination_type"].fillna("")).all()
    pairs = company.pairs.groupby("program_name").agg(start=("start_date", "min"),
                                                      end=("closed_on", "max"))
    assert {n: (s, e) for n, (s, e) in cohorts.items()} == {
        n: (r.start, r.end) for n, r in pairs.iterrows()}
    made = company.meetings["status"].map(
        {"Completed": "held", "Cancelled": "cancelled", "No Show": "no_show"})
    assert statuses == made.value_counts().to_dict()
