"""The demo company's shape: its departments, levels, names and reasons, the size of the run
(:class:`DemoSpec`) and its calendar of cohorts and pulse waves (:func:`build_timeline`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from analysis.store.codebook import (
    PULSE_CONSTRUCTS,
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
