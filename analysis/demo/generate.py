"""Seeded generator of a fictional company's reverse-mentoring programme, written as vendor exports.

The same generator feeds the demo database, the test fixtures and (at larger sizes) the benchmark,
so every path a user's file travels is exercised by the demo. Everything is vectorised: the
"enterprise" size (200,000 employees) must generate in seconds.

Files written into ``out_dir``:
- ``roster.xlsx``: HRIS (Workday-style) worker export, title and run-date rows above the header.
- ``programme.csv`` / ``sessions.csv``: mentoring-platform (Chronus-style) connection and meeting
  exports keyed by mentor and mentee email.
- ``pulse_<date>.csv`` and ``<cohort>_<phase>.csv``: Qualtrics CSV exports (three header rows,
  choice text), each with its mapping file ``*.toml`` beside it.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.store.codebook import (
    CONSTRUCTS,
    POST_ONLY_CONSTRUCTS,
    PROGRAMME_CONSTRUCTS,
    PULSE_CONSTRUCTS,
    SCALE_LABELS,
    Item,
    items_for,
)

DEPARTMENTS = ["Engineering", "Sales", "Marketing", "Finance", "Operations", "People",
               "Customer Success", "Legal"]
DEPARTMENT_WEIGHTS = [0.24, 0.18, 0.1, 0.1, 0.16, 0.06, 0.12, 0.04]
LEVELS = ["Associate", "Senior Associate", "Manager", "Senior Manager", "Director", "Executive"]
LOCATIONS = ["London", "Manchester", "Dublin", "Amsterdam"]
FIRST_NAMES = ["Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Robin",
               "Avery", "Quinn", "Rowan", "Kai", "Noor", "Ivo", "Lena", "Mina", "Oskar", "Pia",
               "Tomas"]
LAST_NAMES = ["Smith", "Jones", "Okafor", "Novak", "Garcia", "Kowalski", "Murphy", "Chen",
              "Haddad", "Silva", "Berg", "Dubois", "Rossi", "Tanaka", "Patel", "Müller"]
VOLUNTARY_REASONS = ["Voluntary > Resignation > Better Opportunity",
                     "Voluntary > Resignation > Relocation",
                     "Voluntary > Resignation > Career Change", "Voluntary > Retirement"]
INVOLUNTARY_REASONS = ["Involuntary > Termination > Performance",
                       "Involuntary > Reduction in Force"]
TOPICS = ["AI tools", "Social media", "Collaboration tools", "Data literacy", "Gen Z at work",
          "Career advice", "Strategy", "Presenting to leaders"]
EMAIL_DOMAIN = "northwind.example"


@dataclass(frozen=True)
class DemoSpec:
    """What to generate. Defaults are the demo company; the benchmark scales them up."""

    employees: int = 3000
    cohorts: int = 3
    pairs_per_cohort: int = 50
    seed: int = 20240115
    as_of: date = date(2026, 10, 31)
    first_cohort_start: date = date(2024, 1, 15)
    cohort_months: int = 6
    cohort_gap_months: int = 7
    pulse_waves: int = 4
    sessions_per_pair: float = 8.0
    pulse_constructs: list[str] = field(default_factory=lambda: list(PULSE_CONSTRUCTS))
    company: str = "Northwind Traders"
    # Benchmark knobs; the defaults are the demo's.
    roster_format: str = "xlsx"  # or "csv" (large HRIS exports usually are)
    meeting_gap_days: tuple[int, int] = (10, 25)
    extra_pulse_items: int = 0  # more agree5 items in an "engagement" construct
    mentor_born_from: int = 1985
    pulse_response_rate: float = 0.68


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


@dataclass
class Timeline:
    cohorts: pd.DataFrame  # cohort_id, name, start_date, end_date, cost
    pulses: pd.DataFrame  # survey, opened, closed


def build_timeline(spec: DemoSpec) -> Timeline:
    """Cohorts run back to back with a gap; pulse waves fall in the gaps, so each cohort has a
    pulse that closed before its start and one that opened after its end."""
    rows, pulses = [], []
    start = spec.first_cohort_start
    pulses.append(start - timedelta(days=70))
    for k in range(spec.cohorts):
        end = _add_months(start, spec.cohort_months)
        season = "Spring" if start.month < 7 else "Autumn"
        suffix = f" #{k + 1}" if spec.cohort_gap_months == 0 else ""
        rows.append({
            "cohort_id": f"C{k + 1}",
            "name": f"Reverse Mentoring {start.year} {season}{suffix}",
            "start_date": start,
            "end_date": end,
            "cost": float(spec.pairs_per_cohort * 1200 + 25000),
        })
        pulses.append(end + timedelta(days=10))
        start = _add_months(start, spec.cohort_gap_months)
    pulses = sorted(set(pulses))[: max(spec.pulse_waves, 2)]
    while len(pulses) < spec.pulse_waves:
        pulses.append(pulses[-1] + timedelta(days=180))
    pulse_frame = pd.DataFrame({
        "survey": [f"Pulse {d:%Y-%m}" for d in pulses],
        "opened": pulses,
        "closed": [d + timedelta(days=10) for d in pulses],
    })
    return Timeline(pd.DataFrame(rows), pulse_frame)


# -- people ------------------------------------------------------------------------------------


def _employees(spec: DemoSpec, rng: np.random.Generator) -> pd.DataFrame:
    n = spec.employees
    gen_bounds = np.array([[1940, 1945], [1946, 1964], [1965, 1980], [1981, 1996], [1997, 2004]])
    gen_idx = rng.choice(5, size=n, p=[0.01, 0.13, 0.33, 0.37, 0.16])
    birth_year = rng.integers(gen_bounds[gen_idx, 0], gen_bounds[gen_idx, 1] + 1)
    age_2024 = 2024 - birth_year
    # Seniority grows with age, with noise.
    seniority = np.clip((age_2024 - 22) / 7 + rng.normal(0, 1.1, n), 0, 5).round().astype(int)
    hire_year = np.maximum(birth_year + 21, 2000) + rng.integers(0, 20, n)
    hire_year = np.minimum(hire_year, 2025)
    hire_date = pd.to_datetime(
        pd.DataFrame({"year": hire_year, "month": rng.integers(1, 13, n), "day": 1})
    ) + pd.to_timedelta(rng.integers(0, 28, n), unit="D")
    birth_date = pd.to_datetime(
        pd.DataFrame({"year": birth_year, "month": rng.integers(1, 13, n), "day": 1})
    ) + pd.to_timedelta(rng.integers(0, 28, n), unit="D")
    first = np.array(FIRST_NAMES)[rng.integers(0, len(FIRST_NAMES), n)]
    last = np.array(LAST_NAMES)[rng.integers(0, len(LAST_NAMES), n)]
    ids = np.char.add("E", np.char.zfill(np.arange(1, n + 1).astype(str), 6))
    frame = pd.DataFrame({
        "employee_id": ids,
        "first": first,
        "last": last,
        "birth_date": birth_date,
        "birth_year": birth_year,
        "department": rng.choice(DEPARTMENTS, size=n, p=DEPARTMENT_WEIGHTS),
        "level_idx": seniority,
        "location": rng.choice(LOCATIONS, size=n, p=[0.45, 0.25, 0.15, 0.15]),
        "hire_date": hire_date,
    })
    frame["level"] = np.array(LEVELS)[frame["level_idx"]]
    frame["email"] = (
        frame["first"].str.lower() + "." + frame["last"].str.lower().str.replace("ü", "u")
        + "." + frame["employee_id"].str[1:].str.lstrip("0") + "@" + EMAIL_DOMAIN
    )
    base_salary = np.array([38000, 52000, 68000, 85000, 110000, 160000])
    frame["salary"] = (base_salary[seniority] * rng.lognormal(0, 0.12, n)).round(-2)
    # Latent traits: each person's baseline on every construct.
    frame["t_digital"] = np.clip(4.6 - 0.055 * (age_2024 - 22) + rng.normal(0, 0.55, n), 1, 5)
    frame["t_leadership"] = np.clip(2.0 + 0.45 * seniority + rng.normal(0, 0.5, n), 1, 5)
    frame["t_jobsat"] = np.clip(rng.normal(3.6, 0.7, n), 1, 5)
    frame["t_inclusion"] = np.clip(rng.normal(3.5, 0.65, n) - 0.1 * (gen_idx == 4), 1, 5)
    frame["t_intergen"] = np.clip(rng.normal(3.2, 0.6, n), 1, 5)
    return frame


def _participants(spec: DemoSpec, employees: pd.DataFrame, cohorts: pd.DataFrame,
                  rng: np.random.Generator) -> pd.DataFrame:
    """Junior mentors (Millennials / Gen Z, lower levels) paired with senior mentees."""
    taken = np.zeros(len(employees), dtype=bool)
    frames = []
    hire = employees["hire_date"].to_numpy()
    for cohort in cohorts.itertuples():
        start = np.datetime64(cohort.start_date)
        hired = hire <= start - np.timedelta64(60, "D")
        junior = ((employees["level_idx"] <= 1) & (employees["birth_year"] >= spec.mentor_born_from)
                  & hired)
        senior = (employees["level_idx"] >= 3) & hired
        pool_m = np.flatnonzero(junior.to_numpy() & ~taken)
        pool_s = np.flatnonzero(senior.to_numpy() & ~taken)
        k = min(spec.pairs_per_cohort, len(pool_m), len(pool_s))
        if k == 0:
            continue
        mentors = rng.choice(pool_m, size=k, replace=False)
        mentees = rng.choice(pool_s, size=k, replace=False)
        taken[mentors] = True
        taken[mentees] = True
        numbers = np.char.zfill(np.arange(1, k + 1).astype(str), 4)
        pair = np.char.add(f"{cohort.cohort_id}-P", numbers)
        for role, idx in (("mentor", mentors), ("mentee", mentees)):
            frames.append(pd.DataFrame({
                "cohort_id": cohort.cohort_id,
                "employee_idx": idx,
                "role": role,
                "pair_id": pair,
            }))
    return pd.concat(frames, ignore_index=True)


def _terminations(spec: DemoSpec, employees: pd.DataFrame, participants: pd.DataFrame,
                  cohorts: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Exponential time to exit from hire; participants leave less after their cohort starts."""
    n = len(employees)
    window_start = np.datetime64("2023-01-01")
    as_of = np.datetime64(spec.as_of)
    part_start = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    starts = participants.merge(cohorts[["cohort_id", "start_date"]], on="cohort_id")
    part_start[starts["employee_idx"].to_numpy()] = pd.to_datetime(starts["start_date"]).to_numpy()
    annual_vol = 0.13 + 0.05 * (employees["level_idx"].to_numpy() <= 1)
    annual_invol = 0.03
    base = np.maximum(employees["hire_date"].to_numpy(), window_start)
    days_vol = rng.exponential(365.0 / annual_vol)
    # Participants: half the hazard once their cohort has started (memoryless split at the start).
    is_part = ~np.isnat(part_start)
    offset = (part_start - base).astype("timedelta64[D]").astype(float)
    protected = is_part & (days_vol > offset)
    days_vol = np.where(protected, offset + (days_vol - offset) * 2.0, days_vol)
    days_invol = rng.exponential(365.0 / annual_invol, n)
    days = np.minimum(days_vol, days_invol)
    term = base + days.astype("timedelta64[D]")
    left = term <= as_of
    employees = employees.copy()
    employees["termination_date"] = np.where(left, term, np.datetime64("NaT"))
    voluntary = days_vol <= days_invol
    reason = np.where(
        voluntary,
        np.array(VOLUNTARY_REASONS)[rng.integers(0, len(VOLUNTARY_REASONS), n)],
        np.array(INVOLUNTARY_REASONS)[rng.integers(0, len(INVOLUNTARY_REASONS), n)],
    )
    employees["termination_reason"] = np.where(left, reason, "")
    return employees


# -- export writers ----------------------------------------------------------------------------


def _write_roster(path: Path, employees: pd.DataFrame, spec: DemoSpec) -> None:
    """Workday-style worker report: report title and run date above the header row."""
    title = [f"{spec.company} — All Workers (Active and Terminated)"]
    run_date = [f"Run Date: {spec.as_of.isoformat()}"]
    header = ["Employee ID", "Worker", "Work Email", "Date of Birth", "Supervisory Organization",
              "Management Level", "Location", "Hire Date", "Termination Date",
              "Primary Termination Reason", "Annual Base Pay"]
    frame = pd.DataFrame({
        "id": employees["employee_id"],
        "worker": employees["first"] + " " + employees["last"],
        "email": employees["email"],
        "dob": employees["birth_date"].dt.date,
        "dept": employees["department"],
        "level": employees["level"],
        "loc": employees["location"],
        "hire": employees["hire_date"].dt.date,
        "term": pd.to_datetime(employees["termination_date"]).dt.date,
        "reason": employees["termination_reason"].replace("", None),
        "salary": employees["salary"],
    })
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerows([title, run_date, [], header])
            frame.to_csv(fh, index=False, header=False, lineterminator="\n")
        return
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Workers")
    for row in (title, run_date, [], header):
        ws.append(row)
    frame = frame.astype(object).where(frame.notna(), None)
    for values in frame.itertuples(index=False, name=None):
        ws.append(list(values))
    wb.save(path)


def _write_programme(path: Path, participants: pd.DataFrame, employees: pd.DataFrame,
                     cohorts: pd.DataFrame) -> None:
    """Chronus-style connections export: one row per mentoring connection."""
    wide = participants.pivot_table(index=["cohort_id", "pair_id"], columns="role",
                                    values="employee_idx", aggfunc="first").reset_index()
    wide = wide.merge(cohorts, on="cohort_id")
    email = employees["email"].to_numpy()
    out = pd.DataFrame({
        "Program Name": wide["name"],
        "Program Start Date": pd.to_datetime(wide["start_date"]).dt.strftime("%m/%d/%Y"),
        "Program End Date": pd.to_datetime(wide["end_date"]).dt.strftime("%m/%d/%Y"),
        "Mentoring Connection Name": wide["pair_id"],
        "Mentor Email Address": email[wide["mentor"].astype(int)],
        "Mentee Email Address": email[wide["mentee"].astype(int)].astype(object),
        "Connection Status": "Closed",
    })
    # Platforms export emails as people typed them: mixed case must still resolve.
    out.loc[out.index % 7 == 3, "Mentee Email Address"] = (
        out.loc[out.index % 7 == 3, "Mentee Email Address"].str.upper()
    )
    out.to_csv(path, index=False)


def _sessions(spec: DemoSpec, participants: pd.DataFrame, cohorts: pd.DataFrame,
              rng: np.random.Generator) -> pd.DataFrame:
    """Meetings per pair: most pairs meet every two to three weeks, some stall, a few never meet."""
    pairs = participants.drop_duplicates("pair_id")[["cohort_id", "pair_id"]].merge(
        cohorts[["cohort_id", "start_date", "end_date"]], on="cohort_id"
    ).reset_index(drop=True)
    k = len(pairs)
    kind = rng.choice(3, size=k, p=[0.7, 0.22, 0.08])  # 0 regular, 1 stalls, 2 never meets
    planned = np.where(kind == 0, rng.poisson(spec.sessions_per_pair * 1.2, k),
                       np.where(kind == 1, rng.integers(1, 4, k), 0))
    pair_idx = np.repeat(np.arange(k), planned)
    seq = np.concatenate([np.arange(m) for m in planned]) if k else np.array([], dtype=int)
    start = pd.to_datetime(pairs["start_date"]).to_numpy()[pair_idx]
    gap = rng.integers(*spec.meeting_gap_days, len(pair_idx))
    when = start + ((seq + 1) * gap + rng.integers(0, 5, len(pair_idx))).astype("timedelta64[D]")
    end = pd.to_datetime(pairs["end_date"]).to_numpy()[pair_idx]
    keep = when <= end
    status = rng.choice(["Completed", "Cancelled", "No Show"], size=len(pair_idx),
                        p=[0.84, 0.11, 0.05])
    hour = rng.integers(8, 17, len(pair_idx)).astype("timedelta64[h]")
    frame = pd.DataFrame({
        "pair_idx": pair_idx,
        "cohort_id": pairs["cohort_id"].to_numpy()[pair_idx],
        "pair_id": pairs["pair_id"].to_numpy()[pair_idx],
        "when": when + hour,
        "minutes": np.where(status == "Completed", rng.choice([30, 45, 60, 60, 90],
                                                                  len(pair_idx)), 0),
        "status": status,
        "topic": rng.choice(TOPICS, len(pair_idx)),
    })[keep]
    return frame.reset_index(drop=True)


def _write_sessions(path: Path, sessions: pd.DataFrame, participants: pd.DataFrame,
                    employees: pd.DataFrame, cohorts: pd.DataFrame) -> None:
    email = employees["email"].to_numpy()
    roles = participants.pivot_table(index="pair_id", columns="role", values="employee_idx",
                                     aggfunc="first")
    frame = sessions.merge(roles, left_on="pair_id", right_index=True).merge(
        cohorts[["cohort_id", "name"]], on="cohort_id"
    ).sort_values(["when", "pair_id"], kind="stable")
    out = pd.DataFrame({
        "Meeting ID": np.arange(1, len(frame) + 1) + 500000,
        "Program Name": frame["name"],
        "Mentoring Connection Name": frame["pair_id"],
        "Mentor Email Address": email[frame["mentor"].astype(int)],
        "Mentee Email Address": email[frame["mentee"].astype(int)],
        "Meeting Start Time": pd.to_datetime(frame["when"]).dt.strftime("%m/%d/%Y %I:%M %p"),
        "Duration (Minutes)": frame["minutes"],
        "Meeting Status": frame["status"],
        "Meeting Topic": frame["topic"],
    })
    out.to_csv(path, index=False)


QUALTRICS_META = ["StartDate", "EndDate", "Status", "IPAddress", "Progress",
                  "Duration (in seconds)", "Finished", "RecordedDate", "ResponseId",
                  "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                  "ExternalReference", "LocationLatitude", "LocationLongitude",
                  "DistributionChannel", "UserLanguage"]
QUALTRICS_META_TEXT = ["Start Date", "End Date", "Response Type", "IP Address", "Progress",
                       "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
                       "Recipient Last Name", "Recipient First Name", "Recipient Email",
                       "External Data Reference", "Location Latitude", "Location Longitude",
                       "Distribution Channel", "User Language"]


def qualtrics_columns(items: list[Item]) -> list[tuple[str, str, str]]:
    """(column id, question text, ImportId) per item; matrix questions share a stem."""
    cols = []
    by_construct: dict[str, list[Item]] = {}
    for item in items:
        by_construct.setdefault(item.construct, []).append(item)
    for q, construct_items in enumerate(by_construct.values(), start=1):
        for j, item in enumerate(construct_items, start=1):
            if len(construct_items) == 1:
                cols.append((f"Q{q}", item.text, f"QID{q}"))
            else:
                stem = ("How much do you agree with each statement?"
                        if item.scale == "agree5" else "How would you rate your skill at:")
                cols.append((f"Q{q}_{j}", f"{stem}\n- {item.text}", f"QID{q}_{j}"))
    return cols


def _answers(items: list[Item], latent: pd.DataFrame, rng: np.random.Generator,
             *, skip_rate: float = 0.04) -> pd.DataFrame:
    """Choice-text answers per item from each respondent's latent construct score."""
    trait = {"skills.digital": "t_digital", "skills.leadership": "t_leadership",
             "satisfaction.job": "t_jobsat", "inclusion": "t_inclusion",
             "intergenerational": "t_intergen", "satisfaction.program": "t_progsat"}
    out = {}
    n = len(latent)
    for item in items:
        if item.construct == "enps":
            raw = np.clip(np.rint((latent["t_jobsat"].to_numpy() - 1) * 2.4 + 0.8
                                  + rng.normal(0, 1.3, n)), 0, 10)
        else:
            base = latent[trait.get(item.construct, "t_jobsat")].to_numpy()
            if item.reverse_coded:
                base = 6 - base
            raw = np.clip(np.rint(base + rng.normal(0, 0.6, n)), 1, 5)
        labels = np.array(SCALE_LABELS[item.scale], dtype=object)
        lo = 0 if item.scale == "likely11" else 1
        text = labels[(raw - lo).astype(int)]
        text[rng.random(n) < skip_rate] = ""
        out[item.item_id] = text
    return pd.DataFrame(out, index=latent.index)


def write_qualtrics(path: Path, items: list[Item], respondents: pd.DataFrame,
                    answers: pd.DataFrame, *, key: str, rng: np.random.Generator) -> None:
    """A Qualtrics 'export with choice text': ids row, question-text row, ImportId row, data."""
    cols = qualtrics_columns(items)
    n = len(respondents)
    submitted = pd.to_datetime(respondents["submitted_at"])
    duration = rng.integers(90, 900, n)
    started = submitted - pd.to_timedelta(duration, unit="s")
    finished = respondents.get("finished", pd.Series(1, index=respondents.index)).to_numpy()
    meta = pd.DataFrame({
        "StartDate": started.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
        "EndDate": submitted.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
        "Status": np.where(respondents["channel"].to_numpy() == "preview", 1, 0),
        "IPAddress": "",
        "Progress": np.where(finished == 1, 100, rng.integers(20, 90, n)),
        "Duration (in seconds)": duration,
        "Finished": finished,
        "RecordedDate": submitted.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
        "ResponseId": respondents["response_id"].to_numpy(),
        "RecipientLastName": "",
        "RecipientFirstName": "",
        "RecipientEmail": respondents["email"].to_numpy() if key == "email" else "",
        "ExternalReference": respondents["employee_id"].to_numpy() if key == "id" else "",
        "LocationLatitude": "",
        "LocationLongitude": "",
        "DistributionChannel": respondents["channel"].to_numpy(),
        "UserLanguage": "EN",
    })
    data = pd.concat([meta.reset_index(drop=True),
                      answers[[i.item_id for i in items]].reset_index(drop=True)], axis=1)
    data.columns = QUALTRICS_META + [c[0] for c in cols]
    if "comment" in respondents:
        data["Q99_TEXT"] = respondents["comment"].to_numpy()
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(list(data.columns))
        texts = QUALTRICS_META_TEXT + [c[1] for c in cols]
        imports = [json.dumps({"ImportId": m}) for m in
                   ["startDate", "endDate", "status", "ipAddress", "progress", "duration",
                    "finished", "recordedDate", "_recordId", "recipientLastName",
                    "recipientFirstName", "recipientEmail", "externalDataReference",
                    "locationLatitude", "locationLongitude", "distributionChannel",
                    "userLanguage"]] + [json.dumps({"ImportId": c[2]}) for c in cols]
        if "comment" in respondents:
            texts.append("What was the most valuable part of the programme, and what would "
                         "you change?")
            imports.append(json.dumps({"ImportId": "QID99_TEXT"}))
        writer.writerow(texts)
        writer.writerow(imports)
        data.to_csv(fh, index=False, header=False, lineterminator="\n")


def survey_mapping_toml(*, survey: str, kind: str, items: list[Item], key: str,
                        cohort: str | None = None, phase: str | None = None,
                        comment_column: str | None = None) -> str:
    """The mapping file a user would write for one of these Qualtrics exports."""
    lines = [
        "# crossgen mapping file: how to read one survey export.",
        "[survey]",
        f'name = "{survey}"',
        f'kind = "{kind}"',
        'format = "qualtrics"',
    ]
    if cohort:
        lines += [f'cohort = "{cohort}"', f'phase = "{phase}"']
    if key == "email":
        lines += ['key_column = "RecipientEmail"', 'key_type = "email"']
    else:
        lines += ['key_column = "ExternalReference"', 'key_type = "employee_id"']
    if comment_column:
        lines += [f'comment_columns = ["{comment_column}"]']
    for (column, _text, _iid), item in zip(qualtrics_columns(items), items, strict=True):
        lines += [
            "",
            "[[questions]]",
            f'column = "{column}"',
            f'item = "{item.item_id}"',
            f'construct = "{item.construct}"',
            f'scale = "{item.scale}"',
        ]
        if item.reverse_coded:
            lines.append("reverse_coded = true")
    return "\n".join(lines) + "\n"


def _respondents(pool: pd.DataFrame, opened: date, closed: date, *, rate: float,
                 rng: np.random.Generator, prefix: str) -> pd.DataFrame:
    """Who answers a wave: employed through the window, each with probability ``rate``."""
    opened_ts, closed_ts = pd.Timestamp(opened), pd.Timestamp(closed)
    employed = (pool["hire_date"] <= opened_ts) & (
        pool["termination_date"].isna() | (pool["termination_date"] > closed_ts)
    )
    answered = employed & (rng.random(len(pool)) < rate)
    chosen = pool[answered].copy()
    span = (closed_ts - opened_ts).total_seconds()
    chosen["submitted_at"] = opened_ts + pd.to_timedelta(
        rng.uniform(3600 * 8, span, len(chosen)), unit="s"
    ).floor("s")
    chosen["channel"] = "anonymous" if prefix.startswith("P") else "email"
    chosen["finished"] = np.where(rng.random(len(chosen)) < 0.03, 0, 1)
    chosen["response_id"] = [f"R_{prefix}{i:06d}" for i in range(len(chosen))]
    return chosen


def _preview_row(template: pd.DataFrame, when: date) -> pd.DataFrame:
    """The survey owner's own test response: Qualtrics marks it DistributionChannel=preview."""
    row = template.iloc[:1].copy()
    row["channel"] = "preview"
    row["finished"] = 1
    row["response_id"] = "R_preview000001"
    row["submitted_at"] = pd.Timestamp(when) + pd.Timedelta(hours=9)
    return row


def generate(out_dir: Path, spec: DemoSpec | None = None) -> list[Path]:
    """Write every export file for ``spec`` into ``out_dir``; return them in import order."""
    spec = spec or DemoSpec()
    rng = np.random.default_rng(spec.seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    timeline = build_timeline(spec)
    employees = _employees(spec, rng)
    participants = _participants(spec, employees, timeline.cohorts, rng)
    employees = _terminations(spec, employees, participants, timeline.cohorts, rng)
    written: list[Path] = []

    roster = out_dir / f"roster.{spec.roster_format}"
    _write_roster(roster, employees, spec)
    written.append(roster)
    programme = out_dir / "programme.csv"
    _write_programme(programme, participants, employees, timeline.cohorts)
    (out_dir / "programme.toml").write_text(_programme_mapping(timeline.cohorts))
    written.append(programme)
    sessions = _sessions(spec, participants, timeline.cohorts, rng)
    sessions_path = out_dir / "sessions.csv"
    _write_sessions(sessions_path, sessions, participants, employees, timeline.cohorts)
    written.append(sessions_path)

    # Programme effects on the latent traits, applied wave by wave.
    held = sessions[sessions["status"] == "Completed"].groupby("pair_id").size()
    part = participants.assign(held=participants["pair_id"].map(held).fillna(0).to_numpy())
    dose = np.minimum(part["held"].to_numpy(), 10) / 10
    people = employees.copy()
    people["t_progsat"] = 3.9
    effects = {
        "mentee": {"t_digital": 0.35 + 0.8 * dose, "t_intergen": 0.55, "t_inclusion": 0.3,
                   "t_jobsat": 0.15},
        "mentor": {"t_leadership": 0.2 + 0.6 * dose, "t_intergen": 0.45, "t_inclusion": 0.35,
                   "t_jobsat": 0.2},
    }

    pulse_items = items_for(spec.pulse_constructs) + [
        Item(f"engage_{i}", "engagement", f"Engagement statement {i}.", "agree5")
        for i in range(1, spec.extra_pulse_items + 1)
    ]
    cohort_end = dict(zip(timeline.cohorts["cohort_id"], timeline.cohorts["end_date"],
                          strict=True))
    waves = timeline.pulses.to_dict("records")
    prog_items = items_for(PROGRAMME_CONSTRUCTS)
    post_items = items_for(PROGRAMME_CONSTRUCTS + POST_ONLY_CONSTRUCTS)
    shift = pd.DataFrame(0.0, index=people.index,
                         columns=["t_digital", "t_leadership", "t_intergen", "t_inclusion",
                                  "t_jobsat"])
    events = sorted(
        [("pulse", w["opened"], w) for w in waves]
        + [("cohort", c.start_date, c) for c in timeline.cohorts.itertuples()],
        key=lambda e: (e[1], e[0] == "pulse"),
    )
    for kind, _when, payload in events:
        if kind == "pulse":
            wave = payload
            # Effects reach the latent traits once a cohort has ended before this wave.
            latent = people.copy()
            for cohort_id, end in cohort_end.items():
                if end <= wave["opened"]:
                    members = part[part["cohort_id"] == cohort_id]
                    for role, cols in effects.items():
                        rows = members[members["role"] == role]
                        for col, eff in cols.items():
                            value = eff if np.isscalar(eff) else np.asarray(eff)[rows.index]
                            shift.loc[rows["employee_idx"].to_numpy(), col] = value
            for col in shift.columns:
                latent[col] = np.clip(people[col] + shift[col] + 0.05, 1, 5)
            resp = _respondents(latent, wave["opened"], wave["closed"],
                                rate=spec.pulse_response_rate, rng=rng,
                                prefix=f"P{wave['opened']:%y%m}")
            resp = pd.concat([_preview_row(resp, wave["opened"]), resp])
            answers = _answers(pulse_items, resp, rng)
            stem = f"pulse_{wave['opened']:%Y-%m}"
            path = out_dir / f"{stem}.csv"
            write_qualtrics(path, pulse_items, resp, answers, key="id", rng=rng)
            (out_dir / f"{stem}.toml").write_text(survey_mapping_toml(
                survey=wave["survey"], kind="pulse", items=pulse_items, key="id"))
            written.append(path)
        else:
            cohort = payload
            members = part[part["cohort_id"] == cohort.cohort_id]
            if members.empty:  # too few people left to pair in a small company
                continue
            pool = people.loc[members["employee_idx"].to_numpy()].copy()
            pool["role"] = members["role"].to_numpy()
            for phase, when, rate, items in (
                ("pre", cohort.start_date - timedelta(days=14), 0.92, prog_items),
                ("post", cohort.end_date + timedelta(days=3), 0.82, post_items),
            ):
                latent = pool.copy()
                if phase == "post":
                    for role, cols in effects.items():
                        mask = (latent["role"] == role).to_numpy()
                        rows = members[members["role"] == role]
                        for col, eff in cols.items():
                            value = eff if np.isscalar(eff) else np.asarray(eff)[rows.index]
                            latent.loc[mask, col] = np.clip(latent.loc[mask, col] + value, 1, 5)
                    latent["t_progsat"] = np.clip(
                        3.3 + 0.12 * np.minimum(members["held"].to_numpy(), 10)
                        + rng.normal(0, 0.5, len(latent)), 1, 5)
                resp = _respondents(latent, when, when + timedelta(days=10), rate=rate, rng=rng,
                                    prefix=f"{cohort.cohort_id}{phase}")
                answers = _answers(items, resp, rng)
                if phase == "post":
                    resp["comment"] = rng.choice(
                        ["", "", "Learning how my mentee's team uses AI tools, changed how I "
                         "run meetings.", "More time together, please; monthly was too little.",
                         "Great match, but scheduling was hard, with travel."], len(resp))
                stem = f"{cohort.cohort_id.lower()}_{phase}"
                path = out_dir / f"{stem}.csv"
                write_qualtrics(path, items, resp, answers, key="email", rng=rng)
                (out_dir / f"{stem}.toml").write_text(survey_mapping_toml(
                    survey=f"{cohort.name} {phase}", kind="programme", items=items, key="email",
                    cohort=cohort.cohort_id, phase=phase,
                    comment_column="Q99_TEXT" if phase == "post" else None))
                written.append(path)
    (out_dir / "README.md").write_text(_readme(spec, written))
    return written


def _programme_mapping(cohorts: pd.DataFrame) -> str:
    lines = [
        "# crossgen mapping file for a mentoring-platform connections export.",
        "[programme]",
        'format = "platform"',
        "",
    ]
    for c in cohorts.itertuples():
        lines += [
            "[[cohorts]]",
            f'program_name = "{c.name}"',
            f'cohort_id = "{c.cohort_id}"',
            f"cost = {c.cost:.0f}",
            "",
        ]
    return "\n".join(lines)


def _readme(spec: DemoSpec, written: list[Path]) -> str:
    files = "\n".join(f"- `{p.name}`" for p in written)
    constructs = ", ".join(CONSTRUCTS)
    return (
        f"# Demo exports ({spec.company}, fictional)\n\n"
        f"Generated by `analysis.demo.generate` with seed {spec.seed}: {spec.employees} employees, "
        f"{spec.cohorts} cohorts of {spec.pairs_per_cohort} pairs. Constructs: {constructs}.\n"
        "Each survey export has its mapping file (`.toml`) beside it. `crossgen demo` imports "
        "them in this order:\n\n" + files + "\n"
    )
