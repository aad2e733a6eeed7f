"""Issue 24's independent check: a second company's exports, unchanged, through the documented
command line, and every figure its oracle expects held by ``crossgen metrics --json``.

The exports (``tests/data/independent``) come from ``tests/independent/make_company.py``; the
expected figures (``tests/independent/expected.json``) from ``tests/independent/oracle.py``,
which computes them from the generating tables with scipy, statsmodels and lifelines — never
crossgen code. n must be equal, deterministic estimates (means, CIs, effect sizes, shares,
survival, hazard ratios, alpha) within 1e-6 and p-values within 1e-4. The eNPS change is held on
its n and point estimate only: its bootstrap CI is not the same across implementations.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.independent import oracle
from tests.independent.company_db import DATA, STEPS, build_company_db, crossgen
from tests.independent.holding import mismatches

pytestmark = pytest.mark.xdist_group("independent")
TABLES = ["employees", "email_keys", "cohorts", "participants", "sessions", "administrations",
          "items", "responses", "construct_scores", "imports"]


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every file checked (``crossgen check``) and then imported, in the README's order."""
    return build_company_db(tmp_path_factory.mktemp("independent") / "harbourline.duckdb",
                            check=True)


@pytest.fixture(scope="module")
def results(company: Path) -> list[dict[str, Any]]:
    done = crossgen("metrics", "--db", str(company), "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["min_group_size"] == 5
    return list(payload["results"])


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    return dict(json.loads(oracle.EXPECTED.read_text(encoding="utf-8")))


def _admin_ids(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("select survey, administration_id from administrations")
                    .fetchall())


def test_every_expected_figure_is_held(company: Path, results: list[dict[str, Any]],
                                       expected: dict[str, Any]) -> None:
    """Each figure matched on metric, outcome, cohort, role and, for survey figures, the
    source (pulse or programme) and the administrations compared."""
    # references: tests/independent/oracle.py — scipy.stats.ttest_rel, scipy.stats.wilcoxon
    # (zero_method="pratt"), statsmodels mcnemar, statsmodels OLS y ~ treat * post
    # (cluster-robust, use_t), lifelines KaplanMeierFitter / logrank_test / CoxPHFitter,
    # statsmodels proportion_confint(method="wilson"), Cronbach's alpha by its formula, the
    # exact sign-flip distribution for the eNPS p
    figures = expected["figures"]
    problems = mismatches(figures, results, _admin_ids(company),
                          estimate_tol=expected["tolerance"]["estimate"],
                          p_tol=expected["tolerance"]["p_value"])
    assert problems == [], f"{len(problems)} of {len(figures)} figures not held:\n" \
        + "\n".join(problems[:40])
    sources = {(f["metric"], f.get("source")) for f in figures}
    assert len(figures) == 200
    assert {("paired_change", "pulse"), ("paired_change", "programme"),
            ("enps_change", "pulse"), ("top2box_change", "pulse")} <= sources


def test_cohort_dates_come_from_the_connections(company: Path,
                                                expected: dict[str, Any]) -> None:
    with duckdb.connect(str(company), read_only=True) as con:
        got = {c: (str(s), str(e)) for c, s, e in con.execute(
            "select cohort_id, start_date, end_date from cohorts").fetchall()}
    assert got == {c: (v["start_date"], v["end_date"])
                   for c, v in expected["cohorts"].items()}


def _snapshot(db: Path) -> dict[str, Any]:
    with duckdb.connect(str(db), read_only=True) as con:
        counts = {t: con.execute(f"select count(*) from {t}").fetchone() for t in TABLES}  # noqa: S608
        imports = con.execute("select * from imports order by import_id").fetchall()
    return {"counts": counts, "imports": imports}


def _refused(db: Path, kind: str, path: Path, *extra: str, column: str) -> str:
    """Import ``path``; it must be refused (exit 3) naming the file, a row, the column and a
    fix, and leave the database as it was."""
    before = _snapshot(db)
    done = crossgen("import", kind, str(path), *extra, "--db", str(db))
    assert done.returncode == 3, (done.returncode, done.stdout, done.stderr)
    message = done.stderr
    assert "Traceback" not in message
    assert re.search(rf"{re.escape(path.name)}, row \d+, column '{re.escape(column)}'",
                     message), message
    assert "Fix:" in message
    assert _snapshot(db) == before
    return message


def test_meetings_with_only_ambiguous_dates_are_refused(company: Path, tmp_path: Path) -> None:
    """A meetings log whose every date reads both ways (03/04/2025: 3 April or 4 March?)."""
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(company, db)
    text = (DATA / "chronus_meetings.csv").read_bytes().decode("cp1252")
    lines = text.splitlines(keepends=True)
    when = re.compile(r",(\d\d)/(\d\d)/(\d{4}) ")
    # the meetings whose day is 12 or less, renumbered so no file imported before holds them
    kept = [re.sub(r"^(\d+),", lambda m: f"9{m.group(1)},", line) for line in lines[1:]
            if (hit := when.search(line)) and int(hit.group(2)) <= 12]
    path = tmp_path / "chronus_meetings_ambiguous.csv"
    path.write_bytes("".join([lines[0], *kept]).encode("cp1252"))
    message = _refused(db, "sessions", path, column="Meeting Start Time")
    assert "date_format" in message


def test_pulse_missing_a_mapped_question_is_refused(company: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(company, db)
    source = DATA / "pulse_2026_01.csv"
    rows = source.read_bytes().decode("utf-8-sig").splitlines(keepends=True)
    # the whole column Q2_3 (the reverse-coded inclusion item) left out of the export
    header = rows[0].rstrip("\r\n").split(",")
    drop = header.index("Q2_3")
    kept = []
    for row in csv.reader(io.StringIO("".join(rows))):
        kept.append([c for i, c in enumerate(row) if i != drop])
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(kept)
    path = tmp_path / "pulse_2026_01_short.csv"
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    mapping = tmp_path / "pulse.toml"
    mapping.write_text((DATA / "pulse_2026_01.toml").read_text(encoding="utf-8")
                       .replace("January 2026", "January 2026 again"), encoding="utf-8")
    _refused(db, "survey", path, "--mapping", str(mapping), column="Q2_3")


def test_roster_missing_its_hire_date_column_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "fresh.duckdb"
    first = crossgen("import", *STEPS[0].args(DATA), "--db", str(db))
    assert first.returncode == 0, first.stderr
    text = (DATA / "sf_employees.csv").read_bytes().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    drop = table[0].index("Original Start Date")
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(
        [[c for i, c in enumerate(r) if i != drop] for r in table])
    path = tmp_path / "sf_employees_no_hire.csv"
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    _refused(db, "roster", path, "--mapping", str(DATA / "roster.toml"),
             column="Original Start Date")
