"""Programme (who is paired with whom, in which cohort) and session logs.

Two layouts each: crossgen's own CSV keyed by employee id, and mentoring-platform exports
(Chronus style) keyed by mentor and mentee email, resolved through the roster case-insensitively.
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
    parse_dates,
    parse_numbers,
    refuse_duplicate_headers,
    spreadsheet_rows,
)
from analysis.ingest.connections import cohort_dates, override_dates, platform_columns
from analysis.ingest.dates import file_order
from analysis.ingest.keys import resolve
from analysis.ingest.mapping import SessionsMapping, programme_mapping, sessions_mapping
from analysis.ingest.plan import Plan
from analysis.ingest.problems import ImportFailed, Problem, fail, first_few
from analysis.ingest.reading import read_grid
from analysis.ingest.synonyms import SESSION_FIELDS, aliases, status_words
from analysis.store.db import Store, incoming

STATUS = status_words("sessions", "status")


def _frame(path: Path, data: bytes) -> tuple[pd.DataFrame, pd.Series]:
    grid = read_grid(path, data)
    header = [c.strip() for c in grid.iloc[0]]
    refuse_duplicate_headers(header, file=path.name, row=1)
    body = grid.iloc[1:]
    body = body[non_blank_rows(body)]
    body.columns = pd.Index(header)
    return body, spreadsheet_rows(body.index)


def _require(body: pd.DataFrame, file: str, names: list[str], fix: str) -> dict[str, str]:
    found, missing = {}, []
    for name in names:
        hit = find_column(list(body.columns), [name])
        if hit is None:
            missing.append(name)
        else:
            found[name] = hit
    if missing:
        raise fail(file, f"Missing column(s): {', '.join(missing)}.", fix, row=1)
    return found


def _resolve_emails(store: Store, file: str, emails: pd.Series, rows: pd.Series, column: str,
                    problems: list[Problem]) -> pd.Series:
    key = store.meta("email_hash_key") or ""
    ids = resolve(store, email_hash(emails, key), by="email_hash")
    unknown = ids.isna() & (emails.str.strip() != "")
    if unknown.any():
        problems.append(Problem(
            file, f"{int(unknown.sum())} email(s) are not in the roster: "
                  f"{first_few(sorted(set(emails[unknown].str.lower())))}.",
            "Import a roster that includes these people first, or correct the addresses.",
            row=int(rows[unknown].iloc[0]), column=column))
    return ids


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def plan_programme(store: Store, path: Path, data: bytes, *, mapping: Path | None) -> Plan:
    file = path.name
    body, rows = _frame(path, data)
    spec = programme_mapping(mapping)
    problems: list[Problem] = []
    summary: dict[str, object] = {}
    header = list(body.columns)
    platform = (spec.format == "platform" or bool(spec.columns)
                or find_column(header, aliases("programme", "mentor_email")) is not None)
    if platform:
        cols = platform_columns(header, spec, file)
        mentor = _resolve_emails(store, file, body[cols["mentor_email"]], rows,
                                 cols["mentor_email"], problems)
        mentee = _resolve_emails(store, file, body[cols["mentee_email"]], rows,
                                 cols["mentee_email"], problems)
        names = body[cols["program_name"]].str.strip()
        by_name = {c.program_name: c for c in spec.cohorts}
        cohort_ids = names.map(lambda n: by_name[n].cohort_id if n in by_name else _slug(n))
        pair = body[cols["connection"]].str.strip()
        people = pd.concat([
            pd.DataFrame({"cohort_id": cohort_ids, "employee_id": mentor, "role": "mentor",
                          "pair_id": pair, "row": rows}),
            pd.DataFrame({"cohort_id": cohort_ids, "employee_id": mentee, "role": "mentee",
                          "pair_id": pair, "row": rows}),
        ])
        cohorts = cohort_dates(store, body, rows, cols,
                               pd.DataFrame({"cohort_id": cohort_ids, "name": names}), spec,
                               file, problems, summary)
        fmt = "platform"
    else:
        cols = _require(body, file, ["cohort_id", "employee_id", "role"],
                        "Use crossgen's programme CSV (cohort_id, cohort_name, start_date, "
                        "end_date, employee_id, role, pair_id) or a platform connections export.")
        people = pd.DataFrame({
            "cohort_id": body[cols["cohort_id"]].str.strip(),
            "employee_id": body[cols["employee_id"]].str.strip(),
            "role": body[cols["role"]].str.strip().str.lower(),
            "pair_id": body[find_column(list(body.columns), ["pair_id"]) or cols["cohort_id"]]
            .str.strip(),
            "row": rows,
        })
        bad_role = ~people["role"].isin(["mentor", "mentee", "comparison"])
        if bad_role.any():
            roles = first_few(sorted(set(people["role"][bad_role])))
            problems.append(Problem(file, f"Unknown role(s): {roles}.",
                                    "Use mentor, mentee or comparison.",
                                    row=int(people["row"][bad_role].iloc[0]), column=cols["role"]))
        people.loc[people["role"] == "comparison", "pair_id"] = None
        known = store.query("select employee_id from employees")["employee_id"]
        # as objects: pandas' arrow-string isin takes seconds against a roster-sized value set
        unknown = ~people["employee_id"].astype(object).isin(known.astype(object)).to_numpy()
        if unknown.any():
            missing = first_few(sorted(set(people["employee_id"][unknown])))
            problems.append(Problem(file, f"{int(unknown.sum())} employee id(s) are not in the "
                                          f"roster: {missing}.",
                                    "Import the roster first, or correct the ids.",
                                    row=int(people["row"][unknown].iloc[0]),
                                    column=cols["employee_id"]))
        dates = {}
        for name in ("cohort_name", "start_date", "end_date"):
            hit = find_column(list(body.columns), [name])
            if hit is None:
                raise fail(file, f"Missing column: {name}.", "Add the column.", row=1)
            dates[name] = body[hit]
        read = {"file": file, "rows": rows, "problems": problems,
                "date_format": spec.date_format, "section": "programme",
                "file_hint": file_order([dates["start_date"], dates["end_date"]])}
        cohorts = pd.DataFrame({
            "cohort_id": people["cohort_id"].iloc[: len(body)].to_numpy(),
            "name": dates["cohort_name"].str.strip().to_numpy(),
            "start_date": parse_dates(dates["start_date"], column="start_date",
                                      **read).to_numpy(),
            "end_date": parse_dates(dates["end_date"], column="end_date", **read).to_numpy(),
        }).groupby(["cohort_id", "name"], as_index=False).agg(
            start_date=("start_date", "min"), end_date=("end_date", "max"))
        cohorts = override_dates(cohorts, spec)
        fmt = "crossgen"
    dup = people[people.duplicated(["cohort_id", "employee_id"], keep=False)
                 & people["employee_id"].notna()]
    if len(dup):
        problems.append(Problem(file, f"{dup['employee_id'].nunique()} person(s) appear twice in "
                                      "one cohort.",
                                "Each person takes one role in one pair per cohort.",
                                row=int(dup["row"].iloc[0])))
    if problems:
        raise ImportFailed(problems)
    costs = {c.cohort_id: c.cost for c in spec.cohorts}
    cohorts["cost"] = cohorts["cohort_id"].map(costs).astype(float)

    def write(con: duckdb.DuckDBPyConnection, import_id: int) -> None:
        with incoming(con, incoming_cohorts=cohorts, incoming_people=people.drop(columns="row")):
            con.execute("insert or replace into cohorts select cohort_id, name, "
                        "cast(start_date as date), cast(end_date as date), cost "
                        "from incoming_cohorts")
            con.execute("insert into participants select cohort_id, employee_id, role, pair_id "
                        "from incoming_people")

    summary = {"cohorts": len(cohorts),
               "participants": int(people["employee_id"].nunique()),
               "pairs": int(people["pair_id"].dropna().nunique()), **summary}
    return Plan(fmt, len(body), len(body), write, summary=summary)


def _session_columns(header: list[str], spec: SessionsMapping, file: str) -> dict[str, str]:
    """Field -> header: the mapping's [sessions.columns], else the synonyms."""
    found: dict[str, str] = {}
    problems = []
    for name in SESSION_FIELDS:
        wanted = [spec.columns[name]] if name in spec.columns else aliases("sessions", name)
        hit = find_column(header, wanted)
        if hit is not None:
            found[name] = hit
        elif name in spec.columns or name in ("connection", "date", "status"):
            problems.append(Problem(
                file, f"No {name} column ({' or '.join(map(repr, wanted[:3]))}).",
                "Export the meetings report with connection, start time and status (or use "
                "crossgen's sessions CSV: session_id, pair_id, date, duration_minutes, status, "
                f'topic), or name your header under [sessions.columns] {name} = "…".',
                row=1, column=wanted[0]))
    if problems:
        raise ImportFailed(problems)
    return found


def plan_sessions(store: Store, path: Path, data: bytes, *, mapping: Path | None) -> Plan:
    file = path.name
    body, rows = _frame(path, data)
    problems: list[Problem] = []
    columns = list(body.columns)
    spec = sessions_mapping(mapping)
    cols = _session_columns(columns, spec, file)
    fmt = "crossgen" if find_column(columns, ["pair_id"]) == cols["connection"] else "platform"
    pair = body[cols["connection"]].str.strip()
    when_col, status_col = cols["date"], cols["status"]
    minutes_col, topic_col = cols.get("duration"), cols.get("topic")
    id_col = cols.get("session_id")
    when = parse_dates(body[when_col], file=file, column=when_col, rows=rows, problems=problems,
                       date_format=spec.date_format, section="sessions")
    status_text = body[status_col].str.strip().str.lower()
    status = map_values(status_text, {**STATUS, **spec.statuses})
    bad = status.isna()
    if bad.any():
        problems.append(Problem(file, f"Unknown meeting status(es): "
                                      f"{first_few(sorted(set(body[status_col][bad])))}.",
                                "Use Completed/Held, Cancelled/Declined or No Show, or map "
                                "each value under [sessions.statuses] in a mapping file.",
                                row=int(rows[bad].iloc[0]), column=status_col))
    minutes = (parse_numbers(body[minutes_col], file=file, column=minutes_col, rows=rows,
                             problems=problems) if minutes_col else float("nan"))
    pairs = store.query("select distinct pair_id, cohort_id from participants "
                        "where pair_id is not null")
    cohort = map_values(pair, dict(zip(pairs["pair_id"], pairs["cohort_id"], strict=True)))
    unknown = cohort.isna()
    if unknown.any():
        problems.append(Problem(file, f"{int(unknown.sum())} meeting(s) belong to pairs not in "
                                      f"the programme: {first_few(sorted(set(pair[unknown])))}.",
                                "Import the programme file with these pairs first.",
                                row=int(rows[unknown].iloc[0])))
    if problems:
        raise ImportFailed(problems)
    frame = pd.DataFrame({
        "session_id": (body[id_col].str.strip() if id_col else None),
        "cohort_id": cohort,
        "pair_id": pair,
        "date": when,
        "duration_minutes": minutes,
        "status": status,
        "topic": body[topic_col].str.strip() if topic_col else None,
    })
    if id_col is None:
        frame["session_id"] = path.stem + ":" + rows.astype(str)

    def write(con: duckdb.DuckDBPyConnection, import_id: int) -> None:
        with incoming(con, incoming_sessions=frame):
            con.execute("insert into sessions select session_id, cohort_id, pair_id, "
                        "cast(date as date), duration_minutes, status, topic "
                        "from incoming_sessions")

    summary: dict[str, object] = {"held": int((status == "held").sum()),
                                  "pairs": int(pair.nunique())}
    return Plan(fmt, len(body), len(frame), write, summary=summary)
