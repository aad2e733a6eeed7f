"""HRIS roster exports (Workday, BambooHR style, or crossgen's own CSV) -> employees.

Names are dropped; a date of birth is reduced to its year; emails are kept only as a keyed hash.
A later roster export updates the people it names (terminations arrive over time).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from analysis.ingest.columns import (
    email_hash,
    find_column,
    map_values,
    non_blank_rows,
    parse_numbers,
    parse_one_date,
    refuse_duplicate_headers,
    spreadsheet_rows,
)
from analysis.ingest.dates import birth_pivot, file_order, order_of, parse_dates
from analysis.ingest.mapping import roster_mapping
from analysis.ingest.plan import Plan
from analysis.ingest.problems import ImportFailed, Problem, fail, first_few
from analysis.ingest.reading import read_grid
from analysis.ingest.synonyms import ROSTER_FIELDS, aliases, termination_pattern
from analysis.store.codebook import GENERATION_CASE
from analysis.store.db import Store, incoming

# Every header the tools write for each field (analysis/ingest/synonyms.py, one table per tool).
ALIASES: dict[str, list[str]] = {name: aliases("roster", name) for name in ROSTER_FIELDS}
RUN_DATE = re.compile(r"(run date|run on|as of|report date|effective date|generated on|"
                      r"generated|created on)\s*:?\s*(.+)", re.IGNORECASE)
VOLUNTARY = termination_pattern("voluntary")
INVOLUNTARY = termination_pattern("involuntary")
TWO_DIGIT_YEAR = r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2}\b|^\d{1,2}[-\s][A-Za-z]{3,9}\.?[-\s]\d{2}\b"
FORMATS = {"employee #": "bamboohr", "supervisory organization": "workday", "worker": "workday",
           "employee id": "hris"}


def _termination_type(reasons: list[pd.Series], index: pd.Index, *,
                      value_map: dict[str, str]) -> pd.Series:
    """voluntary / involuntary / other from the first column that says so (type before
    reason): the mapping's value map first, then the built-in words."""
    kind = pd.Series(None, index=index, dtype=object)
    for reason in reasons:
        text = reason.astype(str).str.strip().str.lower()
        found = map_values(text, value_map)
        words = found.isna()
        found[words & text.str.contains(VOLUNTARY, regex=True)] = "voluntary"
        found[words & text.str.contains(INVOLUNTARY, regex=True)] = "involuntary"
        kind = kind.where(kind.notna(), found)
    return kind


def _header_row(grid: pd.DataFrame, key_names: list[str]) -> int | None:
    for idx in range(min(15, len(grid))):
        cells = [c for c in grid.iloc[idx] if c.strip()]
        if find_column(cells, key_names) is not None:
            return idx
    return None


def plan_roster(store: Store, path: Path, data: bytes, *, mapping: Path | None) -> Plan:
    file = path.name
    spec = roster_mapping(mapping)
    grid = read_grid(path, data)
    key_names = [spec.columns["employee_id"]] if "employee_id" in spec.columns else ALIASES[
        "employee_id"]
    header_idx = _header_row(grid, key_names)
    if header_idx is None:
        if "employee_id" in spec.columns:
            raise fail(file, f"The key column {spec.columns['employee_id']!r} named in the "
                             "mapping is not in the first 15 rows.",
                       "Correct employee_id under [roster.columns] to the export's header.",
                       row=1, column=spec.columns["employee_id"])
        raise fail(file, "No employee key column (such as 'Employee ID') in the first 15 rows.",
                   "Name the key column in a mapping file: [roster.columns] employee_id = "
                   "\"Personnel Number\" (your header), then pass --mapping.",
                   row=1, column="Employee ID")
    as_of = None
    for idx in range(header_idx):
        for cell in grid.iloc[idx]:
            match = RUN_DATE.search(cell)
            if match and as_of is None:
                as_of = parse_one_date(match.group(2),
                                       day_first=order_of(spec.date_format) == "dmy")
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
    col: dict[str, str | None] = {k: find_column(header, v) for k, v in ALIASES.items()}
    for name, wanted in spec.columns.items():
        col[name] = find_column(header, [wanted])
        if col[name] is None:
            problems.append(Problem(file, f"The mapping names {name} = {wanted!r}, which is not "
                                          "a column of this file.",
                                    f"Correct {name} under [roster.columns] to one of the "
                                    f"headers: {first_few(header, 8)}.",
                                    row=header_idx + 1, column=wanted))
    if problems:
        raise ImportFailed(problems)
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

    date_cols = [c for c in (col["birth_date"], col["hire_date"], col["termination_date"]) if c]
    dates = {"file": file, "rows": rows, "problems": problems, "date_format": spec.date_format,
             "file_hint": file_order([body[c] for c in date_cols])}
    out = pd.DataFrame({"employee_id": ids})
    pivot = spec.two_digit_year_pivot
    summary: dict[str, object] = {}
    if (year_col := col["birth_year"]) is not None and "birth_date" not in spec.columns:
        out["birth_year"] = parse_numbers(body[year_col], file=file, column=year_col, rows=rows,
                                          problems=problems)
    elif (born_col := col["birth_date"]) is not None:
        pivot = birth_pivot() if pivot is None else pivot
        born = parse_dates(body[born_col], column=born_col, pivot=pivot, **dates)
        out["birth_year"] = born.dt.year.astype(float)
        if body[born_col].str.strip().str.contains(TWO_DIGIT_YEAR, regex=True).any():
            summary["two-digit birth years"] = (f"00-{pivot - 1:02d} read as 20YY, "
                                                f"{pivot:02d}-99 as 19YY")
    else:
        out["birth_year"] = float("nan")
    for name in ("department", "level", "location"):
        picked = col[name]
        out[name] = body[picked].str.strip().replace("", None) if picked else None
    for name in ("hire_date", "termination_date"):
        if (date_col := col[name]) is not None:
            out[name] = parse_dates(body[date_col], column=date_col, **dates)
        else:
            out[name] = pd.NaT
    if col["hire_date"] is None:
        problems.append(Problem(file, "No hire date column.",
                                "Include 'Hire Date' in the export (retention needs it), or "
                                "name it in the mapping: [roster.columns] hire_date = \"…\"."))
    if "termination_type" in spec.columns:
        reason_cols = [col["termination_type"]]
    else:
        reason_cols = [find_column(header, [a]) for a in ALIASES["termination_type"]]
    reasons = [body[c] for c in dict.fromkeys(c for c in reason_cols if c is not None)]
    out["termination_type"] = _termination_type(reasons, body.index,
                                                value_map=spec.termination_types)
    terminated = out["termination_date"].notna()
    warnings: list[Problem] = []
    untyped = terminated & out["termination_type"].isna()
    if untyped.any() and mapping is not None and reasons:
        # A mapping states what exits mean: a value it does not cover is a question to the user.
        values = sorted(set(reasons[0][untyped].str.strip()))
        problems.append(Problem(
            file, f"{int(untyped.sum())} termination(s) have a type or reason the mapping does "
                  f"not cover: {first_few(values, 8)}.",
            "Add each value under [roster.termination_types] in the mapping, e.g. "
            f"{values[0]!r} = \"voluntary\" (or \"involuntary\", or \"other\").",
            row=int(rows[untyped].iloc[0]), column=str(reason_cols[0])))
    elif untyped.any():
        # A termination with no recognisable reason stays unknown (neither event nor censored).
        warnings.append(Problem(
            file, f"{int(untyped.sum())} termination(s) have no voluntary/involuntary type, so "
                  "retention cannot count them as voluntary exits.",
            "Include 'Termination Type' (BambooHR) or 'Primary Termination Reason' (Workday) "
            "in the report, or map a status/reason column in [roster.termination_types].",
            row=int(rows[untyped].iloc[0]), column=col["termination_date"]))
    # 'other' (mapped on purpose) is stored as no type; types on people still employed are not.
    out["termination_type"] = out["termination_type"].where(
        terminated & out["termination_type"].isin(["voluntary", "involuntary"]), None)
    salary_col = col["salary"]
    out["salary"] = (
        parse_numbers(body[salary_col], file=file, column=salary_col, rows=rows,
                      problems=problems) if salary_col else float("nan")
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

    summary = {"employees": len(out), **summary}
    if as_of is not None and not pd.isna(as_of):
        summary["as_of"] = as_of.date().isoformat()
    used = {v for v in col.values() if v} | {str(c) for c in reason_cols if c}
    ignored = [c for c in header if c and c not in used]
    if ignored:
        summary["columns not stored"] = ", ".join(ignored)
    fmt = next((f for h, f in FORMATS.items() if find_column(header, [h])), "hris")
    return Plan(fmt, len(body), len(out), write, warnings=warnings, summary=summary)
