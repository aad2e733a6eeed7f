"""Cube row selection gives the rows data.select_people (pandas comparisons) gives."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from analysis.cache.cubes import Cube
from analysis.metrics.data import CODED, select_people
from analysis.store.filters import Filters

VALUES = {
    "cohort_id": ["C1", "C2", "C10"],
    "role": ["mentor", "mentee"],
    "construct": ["skills.digital", "inclusion", "enps"],
    "source": ["programme", "pulse"],
    "generation": ["Gen Z", "Millennials", "Gen X", None],
    "department": ["Sales", "People", "Legal", None],
    "level": ["Associate", "Manager", None],
}


def people(rng: random.Random, size: int) -> pd.DataFrame:
    frame = pd.DataFrame({c: [rng.choice(v) for _ in range(size)] for c, v in VALUES.items()})
    return frame.assign(before=np.arange(size, dtype=float))


def random_state(rng: random.Random) -> tuple[Filters, str | None]:
    def some(column: str) -> tuple[str, ...]:
        choices = [v for v in VALUES[column] if v] + ["Absent"]
        return tuple(rng.sample(choices, rng.randint(0, 2)))

    filters = Filters(cohort=rng.choice([None, "C1", "C10", "C99"]),
                      role=rng.choice([None, "mentor", "mentee"]),
                      generation=some("generation"), department=some("department"),
                      level=some("level"))
    return filters, rng.choice([None, "inclusion", "enps", "absent"])


@pytest.mark.parametrize("categories", [False, True])
def test_where_keeps_the_rows_select_people_keeps(categories: bool) -> None:
    rng = random.Random(4)
    frame = people(rng, 400)
    if categories:  # as data.coded_scores holds them
        frame = frame.astype(dict.fromkeys(CODED, "category"))
    cube = Cube.of(frame[list(CODED)], measures=())
    for _ in range(300):
        filters, construct = random_state(rng)
        expected = select_people(frame, filters, construct=construct)
        rows = cube.where(filters, cohort_id=filters.cohort, role=filters.role,
                          construct=construct)
        pd.testing.assert_frame_equal(frame.take(rows).reset_index(drop=True),
                                      expected.reset_index(drop=True))
