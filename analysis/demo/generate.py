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

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.demo.exports import (
    _answers,
    _programme_mapping,
    _write_programme,
    _write_roster,
    _write_sessions,
    survey_mapping_toml,
    write_qualtrics,
)
from analysis.demo.spec import (
    DEPARTMENT_WEIGHTS,
    DEPARTMENTS,
    EMAIL_DOMAIN,
    FIRST_NAMES,
    INVOLUNTARY_REASONS,
    LAST_NAMES,
    LEVELS,
    LOCATIONS,
    TOPICS,
    VOLUNTARY_REASONS,
    DemoSpec,
    build_timeline,
)
from analysis.store.codebook import (
    CONSTRUCTS,
    POST_ONLY_CONSTRUCTS,
    PROGRAMME_CONSTRUCTS,
    Item,
    items_for,
)

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
