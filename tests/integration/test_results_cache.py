"""The dashboard's results cache: a cohort's rows taken from the every-cohort view (the
overview's trend) are the rows computing that cohort alone gives."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.metrics import data
from analysis.pages import common
from analysis.store.db import Store
from analysis.store.filters import Filters

OTHER_FILTERS = [Filters(), Filters(role="mentee"), Filters(generation=("Gen Z", "Millennials")),
                 Filters(role="mentor", department=("Sales",)), Filters(level=("Manager",))]


@pytest.mark.parametrize("pooled", [False, True])
@pytest.mark.parametrize("by", [None, "generation"])
def test_a_cohort_taken_from_every_cohort_equals_the_cohort_alone(
        demo_db: Path, pooled: bool, by: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    def not_again(*args: object, **options: object) -> None:
        raise AssertionError("computed again: the cohort's rows were not taken from the view")

    with Store(demo_db, read_only=True) as store:
        cohorts = list(data.cohorts(store)["cohort_id"])
        shown = 0
        for others in OTHER_FILTERS:
            alone = {}
            for cohort in cohorts:
                common.clear_cache()
                alone[cohort] = common.results(store, others.with_values(cohort=cohort),
                                               ["paired_change"], by=by)
            common.clear_cache()
            every = common.results(store, others, ["paired_change"], by=by, pooled=pooled)
            monkeypatch.setattr(common.metrics, "results", not_again)
            assert set(every["cohort"]) >= {c for c in cohorts if not alone[c].empty}
            for cohort in cohorts:
                taken = common.results(store, others.with_values(cohort=cohort),
                                       ["paired_change"], by=by)
                assert taken is not alone[cohort]
                pd.testing.assert_frame_equal(taken, alone[cohort])
                shown += len(taken)
            monkeypatch.undo()
        assert shown > 0
        common.clear_cache()
