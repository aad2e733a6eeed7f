"""People at risk under the Kaplan–Meier chart: counted from the population, not the curve."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from statsmodels.duration.survfunc import SurvfuncRight

from analysis.metrics import survival_queries
from analysis.pages import retention
from analysis.store.db import Store
from analysis.store.filters import Filters


def test_at_risk_counts_by_hand() -> None:
    durations = [0, 3, 3, 5, 8, 10]
    # Hand count of durations >= day: day 0 all six; day 3 five; day 4 three (5, 8, 10);
    # day 10 one; day 11 nobody.
    assert retention.at_risk_counts(durations, days=(0, 3, 4, 10, 11)).tolist() == [6, 5, 3, 1, 0]


def _statsmodels_at_risk(durations: np.ndarray, days: tuple[int, ...]) -> list[int]:
    """Reference: statsmodels' SurvfuncRight n_risk (people with duration >= t at each distinct
    time, every time made an event), read at the first distinct time on or after each day."""
    sf = SurvfuncRight(durations, np.ones_like(durations))
    idx = np.searchsorted(sf.surv_times, np.asarray(days, dtype=float), side="left")
    return [int(sf.n_risk[i]) if i < sf.surv_times.size else 0 for i in idx]


def test_at_risk_table_equals_statsmodels_and_hides_small_counts(demo_db: Path) -> None:
    store = Store(demo_db, read_only=True)
    filters = Filters(cohort="C2")
    table = retention.at_risk_table(store, filters).set_index("arm")
    people = survival_queries.retention_population(store, filters)
    people = people[people["cohort_id"] == "C2"]
    days = retention.AT_RISK_DAYS
    for arm, treat in (("participants", 1), ("comparison", 0)):
        durations = people.loc[people["treat"] == treat, "duration"].to_numpy(dtype=float)
        want = _statsmodels_at_risk(durations, days)  # statsmodels SurvfuncRight.n_risk
        shown = table.loc[arm, [str(d) for d in days]].to_numpy(dtype=float)
        expected = np.array([w if w >= 5 else np.nan for w in want], dtype=float)
        np.testing.assert_array_equal(shown, expected)


def test_small_arm_is_hidden_entirely(demo_db: Path) -> None:
    store = Store(demo_db, read_only=True)
    table = retention.at_risk_table(store, Filters(cohort="C2", generation=("Silent",)),
                                    min_group_size=5).set_index("arm")
    values = table.to_numpy(dtype=float)
    assert np.isnan(values[0]).all()  # participants: fewer than 5 Silent generation people
    shown = values[~np.isnan(values)]
    assert (shown >= 5).all()
