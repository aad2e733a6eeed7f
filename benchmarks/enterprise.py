"""The "enterprise" dataset of DESIGN.md, in the same vendor export formats as the demo.

200,000 employees, 20 cohorts, 20,000 pairs, about 1,000,000 sessions, 3 pulse waves of 30 items
for every employee (about 18M answers). ``spec(n)`` scales every count with the head count n:
the people employed when a pulse wave runs. The roster export also lists everyone who joined or
left over the years the generator covers (about 1.65 rows per head), as an HRIS export does.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.demo.generate import generate
from analysis.demo.spec import DemoSpec
from analysis.store.codebook import CONSTRUCTS, PULSE_CONSTRUCTS, items_for

ITEMS_PER_WAVE = 30
# Roster rows per head employed at a wave: the demo generator's hiring and turnover leave about
# 61% of the roster employed at each wave (measured: 122k / 109k / 121k respondents at 97% from a
# 200,000-row roster).
ROSTER_PER_HEAD = 1.65


def spec(employees: int, *, seed: int = 7) -> DemoSpec:
    pulse = list(CONSTRUCTS)  # every construct in every pulse wave
    base_items = len(items_for(pulse))
    return DemoSpec(
        employees=round(employees * ROSTER_PER_HEAD),
        cohorts=20,
        pairs_per_cohort=max(employees // 200, 5),  # 20,000 pairs at 200,000 employees
        seed=seed,
        cohort_months=12,
        cohort_gap_months=0,  # cohorts run side by side, so every cohort has both waves
        pulse_waves=3,
        sessions_per_pair=58.0,  # about 1,000,000 sessions at 200,000 employees
        meeting_gap_days=(2, 7),
        pulse_constructs=pulse if base_items <= ITEMS_PER_WAVE else list(PULSE_CONSTRUCTS),
        extra_pulse_items=max(ITEMS_PER_WAVE - base_items, 0),
        roster_format="csv",
        company="Globex Enterprise",
        mentor_born_from=1975,
        pulse_response_rate=0.97,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=200_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    for path in generate(args.out, spec(args.employees)):
        print(path)


if __name__ == "__main__":
    main()
