"""Build a DuckDB of the independent company through the documented command line.

``build_company_db(path)`` imports the committed exports of ``tests/data/independent`` the way
the README tells a user to (roster, programme, sessions, then surveys), each with the mapping
file a user would write, every step a ``crossgen import`` child process. Other tests (privacy on
a second dataset, issue 23) can reuse it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.independent.make_company import COHORTS, OUT, PULSES

REPO = Path(__file__).resolve().parents[2]
DATA = OUT


@dataclass(frozen=True)
class Step:
    kind: str  # roster | programme | sessions | survey
    file: str
    mapping: str | None = None
    cohort: str | None = None
    phase: str | None = None

    def args(self, folder: Path) -> list[str]:
        out = [self.kind, str(folder / self.file)]
        if self.mapping:
            out += ["--mapping", str(folder / self.mapping)]
        if self.cohort:
            out += ["--cohort", self.cohort, "--phase", str(self.phase)]
        return out


STEPS = [
    Step("roster", "sf_employees.csv", "roster.toml"),
    Step("programme", "chronus_connections.csv", "programme.toml"),
    Step("sessions", "chronus_meetings.csv"),
    *[Step("survey", w.file, w.file.replace(".csv", ".toml")) for w in PULSES],
    *[Step("survey", f"programme_{c.cohort_id}_{phase}.csv", "programme_survey.toml",
           c.cohort_id, phase) for c in COHORTS for phase in ("pre", "post")],
]


def crossgen(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``crossgen ARGS`` in a child process, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "analysis.cli", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=REPO, env=dict(os.environ),
                          check=False)


def build_company_db(db: Path, *, folder: Path = DATA, check: bool = False) -> Path:
    """Import every file of the company into ``db`` (with ``check``, ``crossgen check`` each
    file first, against the database as it is then); raises with crossgen's message when a
    command fails."""
    for step in STEPS:
        commands = [["check", "--kind", *step.args(folder)]] if check else []
        commands.append(["import", *step.args(folder)])
        for command in commands:
            done = crossgen(*command, "--db", str(db))
            if done.returncode != 0:
                raise RuntimeError(f"crossgen {' '.join(command[:2])} {step.file} failed "
                                   f"({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return db
