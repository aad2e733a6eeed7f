"""A second fictional company for the independent check of issue 24: Harbourline Logistics.

Seeded and self-contained: it shares no code with ``analysis/demo/generate.py`` and imports nothing
from ``analysis``. :func:`build_company` returns the generating tables (the truth the oracle reads);
:func:`write_exports` writes them in vendor layouts the demo does not use:

- ``sf_employees.csv``: an SAP SuccessFactors-style employee export (``Person ID External``,
  ``Employee Status`` + ``Event Reason`` instead of a termination type, birth dates with two-digit
  years, European dotted hire/termination dates, values padded with spaces);
- ``chronus_connections.csv``: mentoring connections with per-connection ``Start Date`` and
  ``Closed On`` written as ``Mar 03, 2025`` (no programme dates anywhere);
- ``chronus_meetings.csv``: the meetings log in Windows-1252, attendees' names with accents;
- ``pulse_2025_01.csv`` … : org-wide Qualtrics pulse surveys (three header rows, choice text), the
  only place job satisfaction, inclusion, intergenerational understanding and eNPS are asked;
- ``programme_<cohort>_<phase>.csv``: the programme's SurveyMonkey surveys (two header rows,
  matrix questions, keyed by email) asking digital and leadership skills, and programme
  satisfaction after.

Run ``python -m tests.independent.make_company`` to write them into ``tests/data/independent``;
the output is byte-identical on every run (a test holds it). The mapping files beside them are
written by hand, as a user would from the README.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20_241_124
EMPLOYEES = 1_200
AS_OF = date(2026, 10, 1)  # the export's day: someone is hired on it, nothing happens after
OUT = Path(__file__).resolve().parents[1] / "data" / "independent"

DEPARTMENTS = ["Operations", "Finance", "Technology", "Sales", "People", "Customer Care"]
LEVELS = ["Associate", "Senior Associate", "Team Lead", "Manager", "Director", "Vice President"]
LOCATIONS = ["Rotterdam", "Lyon", "Leeds", "Porto"]
FIRST = ["José", "Zoë", "Søren", "Anaïs", "Björn", "Chloé", "François", "Inês", "Jürgen", "Łucja",
         "Mário", "Noémie", "Ørjan", "Renée", "Sérgio", "Thaís", "Ulrike", "Žofia", "Amélie",
         "Bartholomew", "Camille", "Dmitri", "Eva", "Farah", "Grace", "Hugo", "Isla", "Jonas",
         "Kofi", "Lena", "Malik", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Sami", "Tomás"]
LAST = ["Müller", "García", "Dubois", "Nováková", "Østergaard", "Gonçalves", "Brontë",
        "Šimková", "Fernández", "Lefèvre", "Åberg", "Kowalczyk", "Ibáñez", "O'Neill", "Smith",
        "Okafor", "Van der Berg", "Rossi", "Haddad", "Nguyen", "Schröder", "Jansen", "Moreau"]
# cp1252 has no Ł/ł: a real Windows export would have replaced it; so does this one.
CP1252_SAFE = str.maketrans({"Ł": "L", "ł": "l"})
# letters NFKD does not take apart, spelled as people spell them in an address
ASCII_LETTERS = str.maketrans({"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "ß": "ss"})

VOLUNTARY_REASONS = ["Resigned", "Voluntarily Terminated", "Resignation - Better Opportunity",
                     "Retired"]
INVOLUNTARY_REASONS = ["Terminated for Cause", "Redundancy", "End of Contract"]


@dataclass(frozen=True)
class Cohort:
    cohort_id: str  # what the user's programme mapping calls it
    program_name: str  # as the platform exports it
    start_window: tuple[date, date]  # connections start within
    close_window: tuple[date, date]  # and close within
    pairs: int
    cost: float


COHORTS = [
    Cohort("S25", "Reverse Mentoring Spring 2025", (date(2025, 2, 3), date(2025, 2, 14)),
           (date(2025, 6, 16), date(2025, 6, 27)), 40, 52_000.0),
    Cohort("A25", "Reverse Mentoring Autumn 2025", (date(2025, 8, 4), date(2025, 8, 15)),
           (date(2025, 12, 8), date(2025, 12, 19)), 38, 48_000.0),
]


@dataclass(frozen=True)
class Wave:
    admin: str  # the administration's name in its mapping file
    file: str
    opens: date
    closes: date


PULSES = [
    Wave("Harbourline pulse January 2025", "pulse_2025_01.csv", date(2025, 1, 13),
         date(2025, 1, 31)),
    Wave("Harbourline pulse July 2025", "pulse_2025_07.csv", date(2025, 7, 7), date(2025, 7, 25)),
    Wave("Harbourline pulse January 2026", "pulse_2026_01.csv", date(2026, 1, 12),
         date(2026, 1, 30)),
]


@dataclass(frozen=True)
class Question:
    item: str
    construct: str
    column: str  # Qualtrics column id, or SurveyMonkey matrix row text
    text: str
    labels: tuple[str, ...]  # scale points in order, value = minimum + position
    minimum: int
    reverse: bool = False
    post_only: bool = False


AGREE = ("Strongly disagree", "Somewhat disagree", "Neither agree nor disagree",
         "Somewhat agree", "Strongly agree")
SM_AGREE = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
            "Strongly agree")
LIKELY = ("0 - Not at all likely", *[str(i) for i in range(1, 10)], "10 - Extremely likely")
SKILL = ("Beginner", "Basic", "Intermediate", "Advanced", "Expert")
CONFIDENT = ("Not at all confident", "Slightly confident", "Moderately confident",
             "Very confident", "Completely confident")

PULSE_QUESTIONS = [
    Question("hl_jobsat_1", "satisfaction.job", "Q1_1", "I am satisfied with my job.", AGREE, 1),
    Question("hl_jobsat_2", "satisfaction.job", "Q1_2",
             "I would choose to work here again.", AGREE, 1),
    Question("hl_incl_1", "inclusion", "Q2_1", "I feel I belong at Harbourline.", AGREE, 1),
    Question("hl_incl_2", "inclusion", "Q2_2", "My ideas are heard, whatever my age.", AGREE, 1),
    Question("hl_incl_3", "inclusion", "Q2_3", "I sometimes feel left out at work.", AGREE, 1,
             reverse=True),
    Question("hl_gen_1", "intergenerational", "Q3_1",
             "I understand how colleagues of other generations like to work.", AGREE, 1),
    Question("hl_gen_2", "intergenerational", "Q3_2",
             "I learn from colleagues much older or younger than me.", AGREE, 1),
    Question("hl_enps", "enps", "Q4",
             "How likely are you to recommend Harbourline as a place to work?", LIKELY, 0),
]
PULSE_BLOCKS = {"Q1": "Thinking about your work at Harbourline, how much do you agree?",
                "Q2": "How much do you agree with each statement about your team?",
                "Q3": "Working across generations: how much do you agree?"}

SKILLS_Q = "How would you rate your skill at each of these today?"
CONFIDENCE_Q = "How confident are you doing each of the following?"
PROGRAMME_Q = "Looking back on the programme, how much do you agree?"
PROGRAMME_QUESTIONS = [
    Question("hl_dig_ai", "skills.digital", "Using AI assistants in my daily work",
             SKILLS_Q, SKILL, 1),
    Question("hl_dig_social", "skills.digital", "Sharing our work on social media",
             SKILLS_Q, SKILL, 1),
    Question("hl_dig_collab", "skills.digital", "Working together in online collaboration tools",
             SKILLS_Q, SKILL, 1),
    Question("hl_dig_data", "skills.digital", "Reading data dashboards", SKILLS_Q, SKILL, 1),
    Question("hl_lead_upward", "skills.leadership", "Explaining my ideas to senior leaders",
             CONFIDENCE_Q, CONFIDENT, 1),
    Question("hl_lead_present", "skills.leadership", "Presenting to a large group",
             CONFIDENCE_Q, CONFIDENT, 1),
    Question("hl_lead_persuade", "skills.leadership", "Persuading people who disagree with me",
             CONFIDENCE_Q, CONFIDENT, 1),
    Question("hl_prog_sat", "satisfaction.program", "Overall, I am satisfied with the programme.",
             PROGRAMME_Q, SM_AGREE, 1, post_only=True),
    Question("hl_prog_recommend", "satisfaction.program",
             "I would recommend the programme to a colleague.", PROGRAMME_Q, SM_AGREE, 1,
             post_only=True),
]


@dataclass
class Company:
    employees: pd.DataFrame  # one row per employee, with names, email and the truth
    pairs: pd.DataFrame  # one row per connection
    meetings: pd.DataFrame  # one row per scheduled meeting
    administrations: pd.DataFrame  # one row per survey file
    answers: pd.DataFrame  # one row per response: admin, employee_id, flags, one column per item
    as_of: date


def _day(start: date, days: np.ndarray) -> list[date]:
    return [start + timedelta(days=int(d)) for d in days]


def _employees(rng: np.random.Generator) -> pd.DataFrame:
    n = EMPLOYEES
    ids = [str(40_001 + i) for i in range(n)]
    first = rng.choice(np.array(FIRST, dtype=object), n)
    last = rng.choice(np.array(LAST, dtype=object), n)
    ascii_names = [unicodedata.normalize("NFKD", f"{f}.{s}".translate(ASCII_LETTERS))
                   .encode("ascii", "ignore").decode() for f, s in zip(first, last, strict=True)]
    emails = [f"{a.lower().replace(' ', '').replace(chr(39), '')}.{i}@harbourline.example"
              for a, i in zip(ascii_names, ids, strict=True)]
    birth_year = rng.integers(1961, 2004, n)
    birth = [date(int(y), int(m), int(d)) for y, m, d in
             zip(birth_year, rng.integers(1, 13, n), rng.integers(1, 29, n), strict=True)]
    # older people hold more senior levels
    seniority = np.clip((2004 - birth_year) / 43 * 5 + rng.normal(0, 0.9, n), 0, 5).round()
    level = np.array(LEVELS, dtype=object)[seniority.astype(int)]
    earliest = np.array([max(date(2004, 1, 5), date(int(y) + 21, 9, 1)) for y in birth_year])
    span = np.array([(date(2026, 9, 1) - e).days for e in earliest])
    hire = [e + timedelta(days=int(s)) for e, s in
            zip(earliest, (rng.beta(1.3, 1.8, n) * span).astype(int), strict=True)]
    hire[n - 1] = AS_OF  # the latest date in the roster is the export's day
    salary = (32_000 + 14_000 * seniority + rng.normal(0, 4_000, n)).round(-2)
    frame = pd.DataFrame({
        "employee_id": ids, "first_name": first, "last_name": last, "email": emails,
        "birth_date": birth, "birth_year": birth_year, "department":
        rng.choice(np.array(DEPARTMENTS, dtype=object), n, p=[0.3, 0.12, 0.2, 0.18, 0.06, 0.14]),
        "level": level, "location": rng.choice(np.array(LOCATIONS, dtype=object), n),
        "salary": salary, "hire_date": hire,
    })
    # exits: voluntary at ~9% a year, involuntary ~3%, from January 2024 (earlier leavers
    # are not in the export); participants' later exits are redrawn in _pairs
    frame["termination_date"], frame["termination_type"] = _exits(
        rng, frame["hire_date"], np.ones(n), start=date(2024, 1, 2))
    return frame


def _exits(rng: np.random.Generator, since: pd.Series, hazard: np.ndarray, *,
           start: date) -> tuple[list[date | None], list[str | None]]:
    """A voluntary and an involuntary exit time per person from ``start`` (or the hire date, if
    later); whichever comes first before the as-of date, else none."""
    n = len(since)
    base = np.array([max(start, s) for s in since])
    voluntary = rng.exponential(365 / 0.09 / hazard, n)
    involuntary = rng.exponential(365 / 0.03, n)
    first = np.minimum(voluntary, involuntary).astype(int) + 1
    when = [b + timedelta(days=int(d)) for b, d in zip(base, first, strict=True)]
    kind = np.where(voluntary < involuntary, "voluntary", "involuntary")
    dates = [w if w < AS_OF else None for w in when]
    kinds = [k if d is not None else None for k, d in zip(kind, dates, strict=True)]
    return dates, kinds


def _pairs(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    """Mentors: younger associates; mentees: senior leaders; nobody in two cohorts."""
    taken: set[str] = set()
    rows = []
    for cohort in COHORTS:
        start0 = cohort.start_window[0]
        employed = ((people["hire_date"] <= start0 - timedelta(days=120))
                    & people["termination_date"].map(lambda d, s=start0: d is None or d > s)
                    & ~people["employee_id"].isin(taken))
        young = people[employed & (people["birth_year"] >= 1988)
                       & people["level"].isin(LEVELS[:3])]
        senior = people[employed & (people["birth_year"] <= 1982)
                        & people["level"].isin(LEVELS[3:])]
        mentors = rng.choice(young["employee_id"].to_numpy(), cohort.pairs, replace=False)
        mentees = rng.choice(senior["employee_id"].to_numpy(), cohort.pairs, replace=False)
        taken |= set(mentors) | set(mentees)
        starts = _day(cohort.start_window[0], rng.integers(
            0, (cohort.start_window[1] - cohort.start_window[0]).days + 1, cohort.pairs))
        closes = _day(cohort.close_window[0], rng.integers(
            0, (cohort.close_window[1] - cohort.close_window[0]).days + 1, cohort.pairs))
        # the first connection opens on the window's first day and one closes on its last
        starts[0], closes[-1] = cohort.start_window[0], cohort.close_window[1]
        for i in range(cohort.pairs):
            rows.append({"cohort_id": cohort.cohort_id, "program_name": cohort.program_name,
                         "pair_id": f"{cohort.cohort_id} connection {i + 1:02d}",
                         "mentor_id": mentors[i], "mentee_id": mentees[i],
                         "start_date": starts[i], "closed_on": closes[i],
                         "engagement": float(rng.gamma(3.0, 0.45))})
    return pd.DataFrame(rows)


def _retain(rng: np.random.Generator, people: pd.DataFrame, pairs: pd.DataFrame) -> None:
    """Participants leave voluntarily at about half the usual rate after their cohort starts."""
    for cohort in COHORTS:
        mine = pairs[pairs["cohort_id"] == cohort.cohort_id]
        ids = pd.concat([mine["mentor_id"], mine["mentee_id"]])
        where = people["employee_id"].isin(ids).to_numpy()
        start = cohort.start_window[0]
        since = pd.Series([start] * int(where.sum()))
        dates, kinds = _exits(rng, since, np.full(int(where.sum()), 0.5), start=start)
        people.loc[where, "termination_date"] = pd.Series(dates, dtype=object).to_numpy()
        people.loc[where, "termination_type"] = pd.Series(kinds, dtype=object).to_numpy()


def _meetings(rng: np.random.Generator, pairs: pd.DataFrame, people: pd.DataFrame
              ) -> pd.DataFrame:
    names = dict(zip(people["employee_id"], people["first_name"] + " " + people["last_name"],
                     strict=True))
    rows = []
    meeting = 7_700_001
    for pair in pairs.itertuples():
        scheduled = int(rng.poisson(pair.engagement * 3.2))
        span = (pair.closed_on - pair.start_date).days
        days = np.sort(rng.integers(0, span + 1, scheduled))
        status = rng.choice(np.array(["Completed", "Cancelled", "No Show"], dtype=object),
                            scheduled, p=[0.8, 0.13, 0.07])
        for day, state in zip(days, status, strict=True):
            when = datetime.combine(pair.start_date + timedelta(days=int(day)),
                                    datetime.min.time()) + timedelta(
                minutes=int(rng.integers(8 * 4, 17 * 4)) * 15)
            rows.append({"meeting_id": str(meeting), "program_name": pair.program_name,
                         "pair_id": pair.pair_id, "start_time": when,
                         "minutes": int(rng.choice([30, 45, 60, 90])) if state == "Completed"
                         else 0,
                         "status": state, "title": "Reverse mentoring catch-up",
                         "attendees": f"{names[pair.mentor_id]}; {names[pair.mentee_id]}"})
            meeting += 1
    return pd.DataFrame(rows)


def _likert(latent: np.ndarray, rng: np.random.Generator, *, points: int, noise: float,
            missing: float) -> np.ndarray:
    """Answers on 1..points (or 0..10 for points=11, as the latent says) with NaN for skipped."""
    low = 0 if points == 11 else 1
    value = np.clip(np.rint(latent + rng.normal(0, noise, len(latent))), low, low + points - 1)
    return np.where(rng.random(len(latent)) < missing, np.nan, value)


def _pulses(rng: np.random.Generator, people: pd.DataFrame, pairs: pd.DataFrame,
            ) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    n = len(people)
    trait = {c: rng.normal(0, 1, n) for c in ("satisfaction.job", "inclusion",
                                              "intergenerational", "enps")}
    centre = {"satisfaction.job": 3.5, "inclusion": 3.6, "intergenerational": 3.2, "enps": 7.2}
    spread = {"satisfaction.job": 0.7, "inclusion": 0.6, "intergenerational": 0.7, "enps": 1.8}
    gain = {"satisfaction.job": 0.25, "inclusion": 0.35, "intergenerational": 0.6, "enps": 0.9}
    ends = {c.cohort_id: c.close_window[1] for c in COHORTS}
    joined = pd.concat([pairs[["cohort_id", "mentor_id"]].set_axis(["cohort_id", "id"], axis=1),
                        pairs[["cohort_id", "mentee_id"]].set_axis(["cohort_id", "id"], axis=1)])
    finished_at = people["employee_id"].map(
        dict(zip(joined["id"], joined["cohort_id"].map(ends), strict=True)))
    frames: list[pd.DataFrame] = []
    admins: list[dict[str, object]] = []
    for w, wave in enumerate(PULSES):
        employed = ((people["hire_date"] < wave.opens)
                    & people["termination_date"].map(lambda d, o=wave.closes: d is None or d > o))
        after = finished_at.map(lambda e, o=wave.opens: isinstance(e, date) and e <= o)
        answered = employed & (rng.random(n) < np.where(finished_at.notna(), 0.88, 0.74))
        frame = pd.DataFrame({"admin": wave.admin, "employee_id": people["employee_id"]})
        drift = 0.05 * w
        for q in PULSE_QUESTIONS:
            c = q.construct
            latent = (centre[c] + spread[c] * trait[c] + drift
                      + np.where(after, gain[c], 0.0))
            value = _likert(latent, rng, points=len(q.labels), noise=0.75 if c != "enps"
                            else 1.0, missing=0.05)
            frame[q.item] = (q.minimum + len(q.labels) - 1) - value + q.minimum \
                if q.reverse else value
        frame = frame[answered.to_numpy()].reset_index(drop=True)
        m = len(frame)
        frame["finished"] = rng.random(m) >= 0.03
        # an unfinished response answered only the first block
        later = [q.item for q in PULSE_QUESTIONS[2:]]
        frame.loc[~frame["finished"], later] = np.nan
        frame["preview"] = False
        span = (wave.closes - wave.opens).days * 86_400 - 3_600
        frame["submitted"] = [datetime.combine(wave.opens, datetime.min.time())
                              + timedelta(seconds=8 * 3600 + int(s))
                              for s in np.sort(rng.integers(0, span, m))]
        frame["duration"] = rng.integers(120, 900, m)
        frames.append(frame)
        admins.append({"admin": wave.admin, "kind": "pulse", "cohort_id": None, "phase": None,
                       "file": wave.file})
    return pd.concat(frames, ignore_index=True), admins


def _programme_surveys(rng: np.random.Generator, people: pd.DataFrame, pairs: pd.DataFrame,
                       meetings: pd.DataFrame) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    held = meetings[meetings["status"] == "Completed"].groupby("pair_id").size()
    frames: list[pd.DataFrame] = []
    admins: list[dict[str, object]] = []
    for cohort in COHORTS:
        mine = pairs[pairs["cohort_id"] == cohort.cohort_id]
        ids = np.concatenate([mine["mentor_id"], mine["mentee_id"]])
        role = np.array(["mentor"] * len(mine) + ["mentee"] * len(mine))
        dose = np.tile(mine["pair_id"].map(held).fillna(0).to_numpy(), 2)
        digital = np.where(role == "mentee", 2.2, 3.8) + rng.normal(0, 0.6, len(ids))
        leading = np.where(role == "mentor", 2.6, 4.0) + rng.normal(0, 0.6, len(ids))
        satisfied = 3.9 + 0.08 * dose + rng.normal(0, 0.6, len(ids))
        for phase in ("pre", "post"):
            post = phase == "post"
            answered = rng.random(len(ids)) < (0.8 if post else 0.92)
            frame = pd.DataFrame({"admin": f"programme_{cohort.cohort_id}_{phase}",
                                  "employee_id": ids})
            for q in PROGRAMME_QUESTIONS:
                if q.post_only and not post:
                    continue
                if q.construct == "skills.digital":
                    latent = digital + (np.where(role == "mentee", 0.09, 0.02) * dose
                                        if post else 0)
                elif q.construct == "skills.leadership":
                    latent = leading + (np.where(role == "mentor", 0.07, 0.01) * dose
                                        if post else 0)
                else:
                    latent = satisfied
                frame[q.item] = _likert(latent, rng, points=5, noise=0.55, missing=0.06)
            frame = frame[answered].reset_index(drop=True)
            m = len(frame)
            frame["finished"] = True
            frame["preview"] = False
            opens = (cohort.start_window[0] - timedelta(days=10) if not post
                     else cohort.close_window[1] + timedelta(days=3))
            frame["submitted"] = [datetime.combine(opens, datetime.min.time())
                                  + timedelta(seconds=7 * 3600 + int(s))
                                  for s in np.sort(rng.integers(0, 9 * 86_400, m))]
            frame["duration"] = rng.integers(60, 600, m)
            frames.append(frame)
            admins.append({"admin": f"programme_{cohort.cohort_id}_{phase}", "kind": "programme",
                           "cohort_id": cohort.cohort_id, "phase": phase,
                           "file": f"programme_{cohort.cohort_id}_{phase}.csv"})
    return pd.concat(frames, ignore_index=True), admins


def build_company(seed: int = SEED) -> Company:
    """The generating tables, the same for the same seed."""
    rng = np.random.default_rng(seed)
    people = _employees(rng)
    pairs = _pairs(rng, people)
    _retain(rng, people, pairs)
    meetings = _meetings(rng, pairs, people)
    pulse, pulse_admins = _pulses(rng, people, pairs)
    programme, programme_admins = _programme_surveys(rng, people, pairs, meetings)
    answers = pd.concat([pulse, programme], ignore_index=True)
    admins = pd.DataFrame(pulse_admins + programme_admins)
    return Company(people, pairs.drop(columns="engagement"), meetings, admins, answers, AS_OF)


# --- writing the exports --------------------------------------------------------------------

def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _text_date(d: date | None) -> str:
    return "" if d is None else d.strftime("%b %d, %Y")


def _roster(company: Company, rng: np.random.Generator) -> str:
    e = company.employees
    header = ["Person ID External", "First Name", "Last Name", "Email Address", "Date of Birth",
              "Division", "Pay Grade", "Location", "Original Start Date", "Employee Status",
              "Event Reason", "Termination Date", "Annual Salary", "Currency"]
    rows = [header]
    pad = rng.random(len(e)) < 0.15
    vol = rng.choice(np.array(VOLUNTARY_REASONS, dtype=object), len(e))
    invol = rng.choice(np.array(INVOLUNTARY_REASONS, dtype=object), len(e))
    for i, r in enumerate(e.itertuples()):
        gone = r.termination_date is not None
        reason = "" if not gone else (vol[i] if r.termination_type == "voluntary" else invol[i])
        rows.append([
            f" {r.employee_id}" if pad[i] else r.employee_id, r.first_name, r.last_name,
            r.email, r.birth_date.strftime("%d-%b-%y"),
            f"  {r.department} " if pad[i] else r.department,
            f"{r.level}  " if pad[i] else r.level, r.location,
            r.hire_date.strftime("%d.%m.%Y"),
            "Terminated" if gone else "Active", reason,
            r.termination_date.strftime("%d.%m.%Y") if gone else "",
            f"{r.salary:.2f}", "EUR",
        ])
    return _csv(rows)


def _connections(company: Company) -> str:
    e = company.employees.set_index("employee_id")
    rows = [["Program Name", "Mentoring Connection Name", "Mentor Name", "Mentor Email Address",
             "Mentee Name", "Mentee Email Address", "Connection Status", "Start Date",
             "Closed On"]]
    for p in company.pairs.itertuples():
        mentor, mentee = e.loc[p.mentor_id], e.loc[p.mentee_id]
        rows.append([p.program_name, p.pair_id, f"{mentor.first_name} {mentor.last_name}",
                     mentor.email, f"{mentee.first_name} {mentee.last_name}",
                     mentee.email.upper(), "Closed", _text_date(p.start_date),
                     _text_date(p.closed_on)])
    return _csv(rows)


def _meeting_rows(company: Company) -> str:
    rows = [["Meeting ID", "Program Name", "Mentoring Connection Name", "Meeting Title",
             "Attendees", "Meeting Start Time", "Duration (Minutes)", "Meeting Status"]]
    for m in company.meetings.itertuples():
        rows.append([m.meeting_id, m.program_name, m.pair_id, m.title,
                     m.attendees.translate(CP1252_SAFE),
                     m.start_time.strftime("%m/%d/%Y %I:%M %p"), str(m.minutes), m.status])
    return _csv(rows)


def _label(q: Question, value: float) -> str:
    return "" if np.isnan(value) else q.labels[int(value) - q.minimum]


def _qualtrics(company: Company, wave: Wave, rng: np.random.Generator) -> str:
    e = company.employees.set_index("employee_id")
    answers = company.answers[company.answers["admin"] == wave.admin]
    meta = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
            "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
            "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
            "DistributionChannel", "UserLanguage"]
    meta_text = ["Start Date", "End Date", "Response Type", "IP Address", "Progress",
                 "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
                 "Recipient Last Name", "Recipient First Name", "Recipient Email",
                 "External Data Reference", "Location Latitude", "Location Longitude",
                 "Distribution Channel", "User Language"]
    ids = meta + [q.column for q in PULSE_QUESTIONS]
    texts = meta_text + [
        (f"{PULSE_BLOCKS[q.column.split('_')[0]]} - {q.text}" if "_" in q.column else q.text)
        for q in PULSE_QUESTIONS]
    imports = ([json.dumps({"ImportId": m.lower() if m != "ResponseId" else "_recordId"})
                for m in meta]
               + [json.dumps({"ImportId": f"QID{q.column[1:]}"}) for q in PULSE_QUESTIONS])
    rows = [ids, texts, imports]
    stamp = "%Y-%m-%d %H:%M:%S"
    # a preview answered by the survey's owner while testing, before the wave opened
    preview_at = datetime.combine(wave.opens, datetime.min.time()) - timedelta(days=2)
    rows.append([preview_at.strftime(stamp), preview_at.strftime(stamp), "Survey Preview", "",
                 "100", "64", "1", preview_at.strftime(stamp), "R_preview0000001", "", "", "",
                 "", "", "", "preview", "EN",
                 *[q.labels[-1] for q in PULSE_QUESTIONS]])
    for i, r in enumerate(answers.itertuples(index=False)):
        person = e.loc[r.employee_id]
        start = r.submitted - timedelta(seconds=int(r.duration))
        values = [_label(q, getattr(r, q.item)) for q in PULSE_QUESTIONS]
        rows.append([start.strftime(stamp), r.submitted.strftime(stamp), "IP Address",
                     "", "100" if r.finished else str(int(rng.integers(20, 60))),
                     str(int(r.duration)), "1" if r.finished else "0",
                     r.submitted.strftime(stamp), f"R_{wave.opens:%y%m}{i:06d}x",
                     person.last_name, person.first_name, person.email, r.employee_id,
                     "", "", "email", "EN", *values])
    return _csv(rows)


def _surveymonkey(company: Company, admin: str, rng: np.random.Generator) -> str:
    e = company.employees.set_index("employee_id")
    post = admin.endswith("_post")
    questions = [q for q in PROGRAMME_QUESTIONS if post or not q.post_only]
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
            "Email Address", "First Name", "Last Name", "Custom Data 1"]
    top, sub, last = list(meta), [""] * len(meta), None
    for q in questions:
        top.append(q.text if q.text != last else "")
        sub.append(q.column)
        last = q.text
    rows = [top, sub]
    answers = company.answers[company.answers["admin"] == admin]
    stamp = "%m/%d/%Y %I:%M:%S %p"
    for i, r in enumerate(answers.itertuples(index=False)):
        person = e.loc[r.employee_id]
        email = person.email.upper() if rng.random() < 0.1 else person.email
        start = r.submitted - timedelta(seconds=int(r.duration))
        rows.append([str(114_000_000_000 + i * 7 + len(admin)), "452100987",
                     start.strftime(stamp).lstrip("0"), r.submitted.strftime(stamp).lstrip("0"),
                     "", email, "", "", "",
                     *[_label(q, getattr(r, q.item)) for q in questions]])
    return _csv(rows)


def render(company: Company, seed: int = SEED) -> dict[str, bytes]:
    """Every export file's bytes, by file name."""
    rng = np.random.default_rng(seed + 1)
    files = {"sf_employees.csv": _roster(company, rng).encode("utf-8-sig"),
             "chronus_connections.csv": _connections(company).encode("utf-8"),
             "chronus_meetings.csv": _meeting_rows(company).encode("cp1252")}
    for wave in PULSES:
        files[wave.file] = _qualtrics(company, wave, rng).encode("utf-8-sig")
    for admin in company.administrations.query("kind == 'programme'").itertuples():
        files[str(admin.file)] = _surveymonkey(company, str(admin.admin), rng).encode("utf-8")
    return files


def write_exports(folder: Path = OUT, *, seed: int = SEED) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in render(build_company(seed), seed).items():
        (folder / name).write_bytes(data)
        written.append(folder / name)
    return written


if __name__ == "__main__":
    for path in write_exports():
        print(path)
