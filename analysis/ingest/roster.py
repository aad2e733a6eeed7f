"""HRIS roster exports (Workday, BambooHR style, or crossgen's own CSV) -> employees.

Names are dropped; a date of birth is reduced to its year; emails are kept only as a keyed hash.
A later roster export updates the people it names (terminations arrive over time).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from analysis.codebook import GENERATION_CASE
from analysis.ingest.columns import (
    email_hash,
    find_column,
    non_blank_rows,
    parse_dates,
    parse_numbers,
    parse_one_date,
    refuse_duplicate_headers,
    spreadsheet_rows,
)
from analysis.ingest.problems import ImportFailed, Problem, fail, first_few
from analysis.ingest.reading import read_grid
from analysis.ingest.runner import Plan
from analysis.store import Store, incoming

ALIASES: dict[str, list[str]] = {
    "employee_id": ["employee_id", "Employee ID", "Employee Number", "Employee #", "Worker ID",
                    "EEID", "Employee Id"],
    "email": ["email", "Work Email", "Work Email Address", "Email", "Email Address",
              "Primary Work Email"],
    "birth_date": ["Date of Birth", "Birth Date", "DOB", "Birthdate"],
    "birth_year": ["birth_year", "Birth Year", "Year of Birth"],
    "department": ["department", "Department", "Supervisory Organization", "Division",
                   "Cost Center"],
    "level": ["level", "Management Level", "Job Level", "Level", "Grade", "Job Grade"],
    "location": ["location", "Location", "Work Location", "Office"],
    "hire_date": ["hire_date", "Hire Date", "Original Hire Date", "Start Date"],
    "termination_date": ["termination_date", "Termination Date", "Term Date", "End Date"],
    "termination_reason": ["termination_type", "Termination Type", "Primary Termination Reason",
                           "Termination Reason", "Term Reason", "Termination Category"],
    "salary": ["salary", "Annual Base Pay", "Annual Salary", "Salary", "Base Salary"],
}
RUN_DATE = re.compile(r"(run date|run on|as of|report date|effective date|generated on|"
                      r"generated|created on)\s*:?\s*(.+)", re.IGNORECASE)
# Workday reasons start 'Voluntary > …' / 'Involuntary > …'; BambooHR types are single words.
VOLUNTARY = r"^(?:voluntary|resign|retire|quit|left for)"
INVOLUNTARY = (r"^(?:involuntary|terminat|dismiss|fired|lay ?off|laid off|reduction in force|"
               r"redundan|end of (?:contract|assignment))")
FORMATS = {"employee #": "bamboohr", "supervisory organization": "workday", "worker": "workday",
           "employee id": "hris"}


def _termination_type(reasons: list[pd.Series], index: pd.Index) -> pd.Series:
    """voluntary / involuntary from the first column that says so (type before reason)."""
    kind = pd.Series(None, index=index, dtype=object)
    for reason in reasons:
        text = reason.astype(str).str.strip().str.lower()
        found = pd.Series(None, index=index, dtype=object)
        found[text.str.contains(VOLUNTARY, regex=True)] = "voluntary"
        found[text.str.contains(INVOLUNTARY, regex=True)] = "involuntary"
        kind = kind.where(kind.notna(), found)
    return kind


def plan_roster(store: Store, path: Path, data: bytes, *, mapping: Path | None) -> Plan:
    file = path.name
    grid = read_grid(path, data)
    header_idx = None
    for idx in range(min(15, len(grid))):
        cells = [c for c in grid.iloc[idx] if c.strip()]
        if find_column(cells, ALIASES["employee_id"]) is not None:
            header_idx = idx
            break
    if header_idx is None:
        raise fail(file, "No employee key column (such as 'Employee ID') in the first 15 rows.",
                   "Export the roster with an 'Employee ID' column, or name the key column "
                   "employee_id.", row=1, column="Employee ID")
    as_of = None
    for idx in range(header_idx):
        for cell in grid.iloc[idx]:
            match = RUN_DATE.search(cell)
            if match and as_of is None:
                as_of = parse_one_date(match.group(2))
    header = [c.strip() for c in grid.iloc[header_idx]]
    refuse_duplicate_headers(header, file=file, row=header_idx + 1)
    body = grid.iloc[header_idx + 1:]
    body = body[non_blank_rows(body)]
    body.columns = pd.Index(header)
    rows = spreadsheet_rows(body.index)
    if body.empty:
        raise fail(file, "The roster has a header row but no employees.",
                   "Export the report again with its rows (check the report's filters).",
                   row=header_idx + 2)
    problems: list[Problem] = []
    col = {k: find_column(header, v) for k, v in ALIASES.items()}
    key = col["employee_id"]
    assert key is not None
    ids = body[key].str.strip()
    if (ids == "").any():
        problems.append(Problem(file, f"{int((ids == '').sum())} row(s) have no employee id.",
                                "Fill in the employee id, or delete rows that are not people.",
                                row=int(rows[ids == ""].iloc[0]), column=key))
    dup = ids[ids.duplicated(keep=False) & (ids != "")]
    if len(dup):
        problems.append(Problem(file, f"Employee ids appear twice: {first_few(sorted(set(dup)))}.",
                                "Keep one row per employee.",
                                row=int(rows[dup.index[0]]), column=key))

    out = pd.DataFrame({"employee_id": ids})
    if (year_col := col["birth_year"]) is not None:
        out["birth_year"] = parse_numbers(body[year_col], file=file, column=year_col, rows=rows,
                                          problems=problems)
    elif (born_col := col["birth_date"]) is not None:
        born = parse_dates(body[born_col], file=file, column=born_col, rows=rows,
                           problems=problems)
        out["birth_year"] = born.dt.year.astype(float)
    else:
        out["birth_year"] = float("nan")
    for name in ("department", "level", "location"):
        out[name] = body[col[name]].str.strip().replace("", None) if col[name] else None
    for name in ("hire_date", "termination_date"):
        if (date_col := col[name]) is not None:
            out[name] = parse_dates(body[date_col], file=file, column=date_col, rows=rows,
                                    problems=problems)
        else:
            out[name] = pd.NaT
    if col["hire_date"] is None:
        problems.append(Problem(file, "No hire date column.",
                                "Include 'Hire Date' in the export: retention needs it."))
    reason_cols = [c for c in (find_column(header, [a]) for a in ALIASES["termination_reason"])
                   if c is not None]
    out["termination_type"] = _termination_type([body[c] for c in dict.fromkeys(reason_cols)],
                                                body.index)
    # A termination with no recognisable reason stays unknown (neither event nor censored early).
    warnings: list[Problem] = []
    untyped = out["termination_date"].notna() & out["termination_type"].isna()
    if untyped.any():
        warnings.append(Problem(
            file, f"{int(untyped.sum())} termination(s) have no voluntary/involuntary type, so "
                  "retention cannot count them as voluntary exits.",
            "Include 'Termination Type' (BambooHR) or 'Primary Termination Reason' (Workday) "
            "in the report.", row=int(rows[untyped].iloc[0]),
            column=col["termination_date"]))
    out["salary"] = (
        parse_numbers(body[col["salary"]], file=file, column=col["salary"], rows=rows,
                      problems=problems) if col["salary"] else float("nan")
    )
    bad_years = out["birth_year"].notna() & ~out["birth_year"].between(1900, 2015)
    if bad_years.any():
        problems.append(Problem(file, f"{int(bad_years.sum())} birth year(s) are implausible.",
                                "Check the date-of-birth column (years 1900 to 2015).",
                                row=int(rows[bad_years].iloc[0]),
                                column=col["birth_date"] or col["birth_year"]))
    if problems:
        raise ImportFailed(problems)
    email_key = store.meta("email_hash_key") or ""
    hashes = email_hash(body[col["email"]], email_key) if col["email"] else None

    def write(con: duckdb.DuckDBPyConnection, import_id: int) -> None:
        frame = out.assign(import_id=import_id)
        with incoming(con, incoming_roster=frame):
            con.execute(
                "insert or replace into employees select employee_id, "  # noqa: S608 - constant SQL
                "cast(birth_year as integer), "
                f"{GENERATION_CASE}, department, level, location, "
                "cast(hire_date as date), cast(termination_date as date), termination_type, "
                "salary, import_id from incoming_roster"
            )
        if hashes is not None:
            keys = pd.DataFrame({"email_hash": hashes, "employee_id": ids}).dropna()
            with incoming(con, incoming_keys=keys):
                con.execute("insert or replace into email_keys select email_hash, employee_id "
                            "from incoming_keys")
        if as_of is not None and not pd.isna(as_of):
            store.set_meta(con, "roster_as_of", as_of.date().isoformat())

    summary: dict[str, object] = {"employees": len(out)}
    if as_of is not None and not pd.isna(as_of):
        summary["as_of"] = as_of.date().isoformat()
    ignored = [c for c in header if c and c not in {v for v in col.values() if v}]
    if ignored:
        summary["columns not stored"] = ", ".join(ignored)
    fmt = next((f for h, f in FORMATS.items() if find_column(header, [h])), "hris")
    return Plan(fmt, len(body), len(out), write, warnings=warnings, summary=summary)
