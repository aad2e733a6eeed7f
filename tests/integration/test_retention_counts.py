"""Retention from SQL counts (analysis.metrics.survival_queries.retention_counts) against
statsmodels called directly on the one-row-per-person population of the demo database."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from analysis.metrics import retention, survival_queries
from analysis.store.db import Store
from analysis.store.filters import Filters

TOL = 1e-9


@pytest.fixture(scope="module")
def store(demo_db: Path) -> Store:
    return Store(demo_db, read_only=True)


@pytest.fixture(scope="module")
def people(store: Store) -> pd.DataFrame:
    return survival_queries.retention_population(store, Filters())


def s_at(part: pd.DataFrame, t: float) -> tuple[float, float]:
    sf = SurvfuncRight(part["duration"], part["event"])  # reference: statsmodels on people
    i = int(np.searchsorted(sf.surv_times, t, side="right")) - 1
    return float(sf.surv_prob[i]), float(sf.surv_prob_se[i])


def test_counts_add_up_to_the_people(store, people):
    counts = survival_queries.retention_counts(store, Filters(), by="generation")
    by_hand = people.groupby(["cohort_id", "treat", "role", "generation", "duration", "event"],
                             dropna=False).size()  # pandas on one row per person
    mine = counts.set_index(["cohort_id", "treat", "role", "slice", "duration", "event"])["people"]
    assert mine.sum() == len(people)
    assert sorted(mine.to_numpy().tolist()) == sorted(by_hand.to_numpy().tolist())
    salaries = counts[counts["treat"] == 1].groupby("cohort_id")["salary_sum"].sum()
    expected = people[people["treat"] == 1].groupby("cohort_id")["salary"].sum()
    np.testing.assert_allclose(salaries.sort_index(), expected.sort_index(), rtol=TOL)


def test_sliced_cell_matches_statsmodels_on_people(store, people):
    rows = retention.retention_rows(store, Filters(), "generation")
    cohort = people["cohort_id"].iloc[0]
    generation = people.loc[people["treat"] == 1, "generation"].mode().iloc[0]
    cell = people[(people["cohort_id"] == cohort) & (people["generation"] == generation)]
    treated, comparison = cell[cell["treat"] == 1], cell[cell["treat"] == 0]

    def pick(metric: str) -> pd.Series:
        hit = rows[(rows["metric"] == metric) & (rows["cohort"] == cohort)
                   & (rows["role"] == "all")
                   & (rows["group"].map(lambda g: g == {"generation": generation}))]
        assert len(hit) == 1
        return hit.iloc[0]

    s1, se1 = s_at(treated, 365)
    s0, se0 = s_at(comparison, 365)
    assert pick("retention_12m")["estimate"] == pytest.approx(s1, rel=TOL)  # SurvfuncRight
    assert pick("retention_12m")["se"] == pytest.approx(se1, rel=TOL)  # SurvfuncRight
    diff = pick("retention_diff_12m")
    assert diff["estimate"] == pytest.approx(s1 - s0, rel=TOL)  # SurvfuncRight per arm
    assert diff["se"] == pytest.approx(np.hypot(se1, se0), rel=TOL)
    chi2, _ = survdiff(cell["duration"], cell["event"], cell["treat"])  # reference: survdiff
    assert pick("logrank")["chi2"] == pytest.approx(chi2, rel=TOL)
    cox = pick("cox_hr")
    fit = PHReg(cell["duration"].to_numpy(float), cell[["treat"]].to_numpy(float),
                status=cell["event"].to_numpy(float), ties="efron").fit()
    assert cox["coef"] == pytest.approx(fit.params[0], rel=1e-7)  # reference: PHReg efron
    assert cox["se"] == pytest.approx(fit.bse[0], rel=1e-7)  # reference: PHReg efron
    assert (cox["n_treated"], cox["n_comparison"]) == (len(treated), len(comparison))


def test_km_curves_match_survfuncright_on_people(store, people):
    cohort = people["cohort_id"].iloc[0]
    curves = retention.km_curves(store, Filters(), cohort=cohort, min_group_size=5)
    part = people[(people["cohort_id"] == cohort) & (people["treat"] == 1)]
    mine = curves[(curves["arm"] == "participants") & (curves["time"] > 0)]
    sf = SurvfuncRight(part["duration"], part["event"])  # reference: statsmodels on people
    keep = sf.n_risk >= 5
    np.testing.assert_allclose(mine["survival"], sf.surv_prob[keep], rtol=TOL)
    np.testing.assert_array_equal(mine["events"], sf.n_events[keep])
    np.testing.assert_array_equal(mine["at_risk"], sf.n_risk[keep])
    assert (mine["n"] == len(part)).all()


def test_km_monthly_reads_survfuncright_on_a_30_day_grid(store, people):
    cohort = people["cohort_id"].iloc[0]
    grid = retention.km_monthly(store, Filters(), cohort=cohort, min_group_size=5)
    part = people[(people["cohort_id"] == cohort) & (people["treat"] == 1)]
    mine = grid[grid["arm"] == "participants"]
    d, e = part["duration"].to_numpy(dtype=float), part["event"].to_numpy()
    sf = SurvfuncRight(d, e)  # reference: statsmodels on people, its step read at each day
    at = np.searchsorted(sf.surv_times, mine["time"].to_numpy(), side="right") - 1
    want = np.where(at >= 0, sf.surv_prob[np.clip(at, 0, None)], 1.0)
    np.testing.assert_allclose(mine["survival"], want, rtol=TOL)
    t = mine["time"].to_numpy()[:, None]
    np.testing.assert_array_equal(mine["at_risk"], (d >= t).sum(axis=1))  # by hand
    np.testing.assert_array_equal(mine["events"], ((e == 1) & (d <= t) & (d > t - 30)).sum(axis=1))
    assert (np.diff(mine["time"]) == 30).all() and (mine["at_risk"] >= 5).all()


@pytest.mark.parametrize("only", [["retention_diff_12m"], ["retention_12m", "cox_hr"],
                                  ["logrank"]])
def test_only_the_wanted_metrics_are_the_same_rows(store, only):
    every = retention.retention_rows(store, Filters(role="mentee"), "generation")
    some = retention.retention_rows(store, Filters(role="mentee"), "generation", only=only)
    want = every[every["metric"].isin(only)].reset_index(drop=True)
    assert set(some["metric"]) == set(only)
    # dtypes may differ: a count column is float beside other metrics' rows without one
    pd.testing.assert_frame_equal(some.reset_index(drop=True), want[some.columns],
                                  check_dtype=False)


def test_only_refuses_an_unknown_metric(store):
    with pytest.raises(ValueError, match="cox"):
        retention.retention_rows(store, Filters(), None, only=["cox"])
