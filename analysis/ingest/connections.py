"""A mentoring platform's connections export: which header is what, and each cohort's dates.

Platforms date each connection, not the programme: Chronus writes ``Start Date`` and
``Closed On`` (others ``Ended On``, ``End Date``, ``Expiry Date``). A cohort runs from its
earliest connection start to its latest close. A connection without a close runs to the
as-of date: ``[programme] as_of`` in the mapping, else the roster's as-of date (its report's
run date, else the latest hire or termination date in the roster: the date retention uses),
else the day of the import. A planned end (expiry) counts when it lies before the as-of date;
``start_date`` / ``end_date`` under ``[[cohorts]]`` override what the file says.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis.ingest.columns import find_column
from analysis.ingest.dates import file_order, parse_dates
from analysis.ingest.mapping import ProgrammeMapping
from analysis.ingest.problems import ImportFailed, Problem
from analysis.ingest.synonyms import PROGRAMME_FIELDS, aliases
from analysis.store.db import Store

REQUIRED = ("program_name", "connection", "mentor_email", "mentee_email")
DATE_FIELDS = ("program_start", "program_end", "start_date", "closed_on", "planned_end")


def platform_columns(header: list[str], spec: ProgrammeMapping, file: str) -> dict[str, str]:
    """Field -> the file's header: the mapping's ``[programme.columns]`` first, then the
    synonyms; a required field found nowhere is refused."""
    found: dict[str, str] = {}
    problems: list[Problem] = []
    for name in PROGRAMME_FIELDS:
        wanted = [spec.columns[name]] if name in spec.columns else aliases("programme", name)
        hit = find_column(header, wanted)
        if hit is not None:
            found[name] = hit
        elif name in spec.columns:
            problems.append(Problem(file, f"The mapping names {name} = {spec.columns[name]!r}, "
                                          "which is not a column of this file.",
                                    f"Correct {name} under [programme.columns] to one of the "
                                    f"headers: {', '.join(map(repr, header[:8]))}.",
                                    row=1, column=spec.columns[name]))
        elif name in REQUIRED:
            problems.append(Problem(file, f"No {name.replace('_', ' ')} column (such as "
                                          f"{aliases('programme', name)[0]!r}).",
                                    f"Export the connections report with it, or name your "
                                    f"header in the mapping: [programme.columns] {name} = "
                                    '"…", then pass --mapping.',
                                    row=1, column=aliases("programme", name)[0]))
    if problems:
        raise ImportFailed(problems)
    return found


def as_of_date(store: Store, spec: ProgrammeMapping) -> tuple[dt.date, str]:
    """Where open connections end, and why that date."""
    if spec.as_of is not None:
        return spec.as_of, "[programme] as_of in the mapping"
    found = store.query(
        "select try_cast((select value from meta where key = 'roster_as_of') as date) as run, "
        "greatest(max(hire_date), max(termination_date)) as latest from employees")
    run, latest = found["run"].iloc[0], found["latest"].iloc[0]
    if not pd.isna(run):
        return pd.Timestamp(run).date(), "the roster's run date"
    if not pd.isna(latest):
        return pd.Timestamp(latest).date(), "the roster's latest hire or termination date"
    return dt.date.today(), "the day of the import (no roster dates)"


def cohort_dates(store: Store, body: pd.DataFrame, rows: pd.Series, cols: dict[str, str],
                 frame: pd.DataFrame, spec: ProgrammeMapping, file: str,
                 problems: list[Problem], summary: dict[str, object]) -> pd.DataFrame:
    """cohort_id, name, start_date, end_date per cohort of ``frame`` (cohort_id, name per row)."""
    present = [f for f in DATE_FIELDS if f in cols]
    hint = file_order([body[cols[f]] for f in present])
    parsed = {f: parse_dates(body[cols[f]], file=file, column=cols[f], rows=rows,
                             problems=problems, date_format=spec.date_format, file_hint=hint,
                             section="programme").to_numpy() for f in present}
    nat = pd.Series(pd.NaT, index=body.index, dtype="datetime64[us]").to_numpy()
    start = pd.Series(parsed.get("program_start", parsed.get("start_date", nat)))
    if "program_end" in parsed:
        end = pd.Series(parsed["program_end"])
    else:
        as_of, why = as_of_date(store, spec)
        cap = pd.Timestamp(as_of)
        planned = pd.Series(parsed.get("planned_end", nat))
        end = pd.Series(parsed.get("closed_on", nat)).fillna(planned.where(planned <= cap))
        still_open = end.isna()
        end = end.fillna(cap)
        if still_open.any():
            summary["open connections"] = (f"{int(still_open.sum())}, counted to {as_of} "
                                           f"({why})")
    per_row = frame.assign(start_date=start.to_numpy(), end_date=end.to_numpy())
    cohorts = per_row.groupby(["cohort_id", "name"], as_index=False, sort=True).agg(
        start_date=("start_date", "min"), end_date=("end_date", "max"))
    cohorts = override_dates(cohorts, spec)
    undated = cohorts["start_date"].isna()
    if undated.any() and not problems:
        first = frame["cohort_id"].isin(cohorts["cohort_id"][undated])
        problems.append(Problem(
            file, f"No start date for cohort(s) {', '.join(cohorts['cohort_id'][undated])}: the "
                  "file has no connection start dates for them.",
            "Export the connections with their 'Start Date', or set start_date = 2025-03-01 "
            "under the cohort's [[cohorts]] in the mapping.",
            row=int(rows[first.to_numpy()].iloc[0]), column=cols.get("start_date")))
    backwards = cohorts["end_date"] < cohorts["start_date"]
    if backwards.any() and not problems:
        problems.append(Problem(
            file, f"Cohort(s) {', '.join(cohorts['cohort_id'][backwards])} would end before they "
                  "start (open connections counted to the as-of date).",
            "Set end_date under the cohort's [[cohorts]] in the mapping, or as_of under "
            "[programme].", column=cols.get("start_date")))
    return cohorts


def override_dates(cohorts: pd.DataFrame, spec: ProgrammeMapping) -> pd.DataFrame:
    """``start_date`` / ``end_date`` under a cohort's ``[[cohorts]]`` replace the file's."""
    cohorts = cohorts.copy()
    for c in spec.cohorts:
        here = cohorts["cohort_id"] == c.cohort_id
        if c.start_date is not None:
            cohorts.loc[here, "start_date"] = pd.Timestamp(c.start_date)
        if c.end_date is not None:
            cohorts.loc[here, "end_date"] = pd.Timestamp(c.end_date)
    return cohorts
