"""A tiny crossgen database written row by row, small enough to compute every number by hand."""

from __future__ import annotations

from pathlib import Path

from analysis.store.db import Store

# Cohort T1 runs 2024-01-01 .. 2024-06-30; the roster is as of 2024-03-31, so the engagement
# "as of" date is min(end, as-of) = 2024-03-31.
COHORT = ("T1", "Tiny cohort", "2024-01-01", "2024-06-30", 10000.0)
ROSTER_AS_OF = "2024-03-31"

# pair -> [(date, minutes, status)]
SESSIONS: dict[str, list[tuple[str, float, str]]] = {
    "P1": [("2024-01-10", 60, "held"), ("2024-01-20", 30, "held"), ("2024-02-19", 45, "held"),
           ("2024-03-01", 60, "cancelled")],
    "P2": [("2024-01-05", 60, "held"), ("2024-01-25", 60, "no_show")],
    "P3": [],
    "P4": [("2024-01-15", 50, "held"), ("2024-02-14", 40, "held"), ("2024-03-05", 30, "held"),
           ("2024-03-25", 20, "held")],
    "P5": [("2024-02-01", 90, "held"), ("2024-02-11", 90, "held"), ("2024-02-20", 60, "cancelled")],
}


def build_tiny(path: Path) -> Path:
    """Five pairs (ten people) in one cohort with the sessions above; no surveys."""
    with Store(path) as store, store.transaction() as con:
        con.execute("insert into cohorts values (?, ?, ?, ?, ?)", list(COHORT))
        con.execute("insert into meta values ('roster_as_of', ?)", [ROSTER_AS_OF])
        for i, pair in enumerate(SESSIONS, start=1):
            for role, gen in (("mentor", "Gen Z"), ("mentee", "Gen X")):
                emp = f"{pair}-{role}"
                con.execute(
                    "insert into employees (employee_id, birth_year, generation, department, "
                    "level, hire_date, salary) values (?, ?, ?, ?, ?, '2020-01-01', ?)",
                    [emp, 1999 if gen == "Gen Z" else 1970, gen, "Sales" if i <= 3 else "IT",
                     "Staff" if role == "mentor" else "Director", 50000.0],
                )
                con.execute("insert into participants values ('T1', ?, ?, ?)", [emp, role, pair])
            for j, (day, minutes, status) in enumerate(SESSIONS[pair]):
                con.execute("insert into sessions values (?, 'T1', ?, ?, ?, ?, null)",
                            [f"{pair}-{j}", pair, day, minutes, status])
    return path
