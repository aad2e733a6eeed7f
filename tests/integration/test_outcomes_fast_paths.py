"""The all-cells paths of analysis.metrics.outcomes (Cronbach's alpha from aggregates, eNPS from 3×3
tables) against the per-cell functions and hand formulas on the demo database."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.metrics import item_queries, outcomes
from analysis.metrics import registry as metrics
from analysis.metrics.slicing import role_groups, slices
from analysis.stats import cronbach_alpha
from analysis.store.db import Store
from analysis.store.filters import Filters


def _hand_alpha(wide: pd.DataFrame) -> float:
    wide = wide.dropna()
    k = wide.shape[1]
    # hand formula (pingouin-style): k/(k−1)·(1 − Σ item variances / variance of the total)
    return k / (k - 1) * (1 - wide.var(ddof=1).sum() / wide.sum(axis=1).var(ddof=1))


def _wide(cell: pd.DataFrame) -> pd.DataFrame:
    return cell.pivot(index="employee_id", columns="item_id", values="value")


@pytest.mark.parametrize(("role", "by"), [(None, None), (None, "generation"),
                                          ("mentee", "department")])
def test_cronbach_rows_equal_cronbach_alpha_per_cell(demo_db: Path, role: str | None,
                                                     by: str | None) -> None:
    filters = Filters(role=role)
    with Store(demo_db, read_only=True) as store:
        fast = outcomes.cronbach_rows(store, filters, by)
        answers = item_queries.item_answers(store, filters, programme_only=True)
    # the programme surveys' rows (the pulse waves': tests/integration/test_pulse_outcomes.py)
    fast = fast[fast["source"] == "programme"].reset_index(drop=True)
    per_construct = answers.groupby("construct")["item_id"].nunique()
    answers = answers[answers["construct"].isin(per_construct[per_construct >= 2].index)]
    expected = []
    keys = ["cohort_id", "construct", "administration_id", "phase"]
    for (cohort, construct, admin, _phase), part in answers.groupby(keys, sort=True):
        for role_name, role_part in role_groups(part, filters, by):
            for group, cell in slices(role_part, by):
                expected.append((cohort, construct, admin, role_name, group, cell))
    assert len(fast) == len(expected) > 0
    checked = 0
    for (cohort, construct, admin, role_name, group, cell), (_, row) in zip(
            expected, fast.iterrows(), strict=True):
        assert (row["cohort"], row["outcome"], row["administration_id"], row["role"],
                row["group"]) == (cohort, construct, admin, role_name, group)
        want = cronbach_alpha(_wide(cell)).iloc[0]  # reference: the per-table function
        assert (row["n"], row["items"], row["method"], row["warning"]) == (
            want["n"], want["n_items"], want["method"], want["warning"])
        for col in ("estimate", "ci_low", "ci_high"):
            assert row[col] == pytest.approx(want[col], rel=1e-9, abs=1e-12, nan_ok=True)
        if np.isfinite(row["estimate"]):
            assert row["estimate"] == pytest.approx(_hand_alpha(_wide(cell)), rel=1e-9,
                                                    abs=1e-12)
            checked += 1
    assert checked > 0


def test_reliability_equals_cronbach_alpha_per_administration(demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        fast = outcomes.reliability(store, Filters())
        answers = item_queries.item_answers(store, Filters(), programme_only=False)
    assert len(fast) > 0
    for _, row in fast.iterrows():
        part = answers[(answers["administration_id"] == row["administration_id"])
                       & (answers["construct"] == row["construct"])]
        want = cronbach_alpha(_wide(part)).iloc[0]  # reference: the per-table function
        assert row["n"] == want["n"] and row["n_items"] == want["n_items"]
        assert row["estimate"] == pytest.approx(want["estimate"], rel=1e-9, nan_ok=True)
        assert row["estimate"] == pytest.approx(_hand_alpha(_wide(part)), rel=1e-9)
        assert pd.isna(row["phase"]) if pd.isna(part["phase"].iloc[0]) else (
            row["phase"] == part["phase"].iloc[0])


def _enps(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return 100 * (np.mean(x >= 9, axis=axis) - np.mean(x <= 6, axis=axis))


def test_enps_rows_match_per_cell_references(demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        fast = outcomes.enps_rows(store, Filters(), "generation")
        scores = outcomes.programme_scores(store, Filters())
    scores = scores[scores["construct"] == "enps"].dropna(subset=["before", "after"])
    assert set(fast["source"]) == {"programme", "pulse"}  # eNPS is in both
    checked = 0
    for _, row in fast[fast["role"] == "all"].iterrows():
        part = scores[(scores["cohort_id"] == row["cohort"]) & (scores["source"] == row["source"])
                      & (scores["generation"] == row["group"]["generation"])]
        b, a = part["before"].to_numpy(), part["after"].to_numpy()
        assert row["n"] == len(part)
        if not len(part):  # a cell nobody answered both waves of
            continue
        assert row["estimate"] == pytest.approx(_enps(a) - _enps(b), abs=1e-9)  # by hand
        if len(part) >= 20:
            # reference: scipy.stats.bootstrap(paired=True, method="BCa") on the raw pairs;
            # different draws, so within Monte-Carlo error and the 100/n grid of the statistic
            ref = stats.bootstrap((b, a), lambda x, y, axis=-1: _enps(y, axis) - _enps(x, axis),
                                  paired=True, vectorized=True, method="BCa",
                                  rng=np.random.default_rng(1))
            tol = max(0.3 * ref.standard_error, 2 * 100 / len(part))
            assert row["ci_low"] == pytest.approx(ref.confidence_interval.low, abs=tol)
            assert row["ci_high"] == pytest.approx(ref.confidence_interval.high, abs=tol)
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("filters", [Filters(), Filters(role="mentor"),
                                     Filters(generation=("Millennials", "Gen Z"))])
def test_unpooled_results_are_each_cohorts_rows(demo_db: Path, filters: Filters) -> None:
    # The overview's cohort trend asks for each cohort's rows only: the same rows (estimates,
    # Holm within cohort × role, privacy decisions) as the full results, without cohort 'all'.
    with Store(demo_db, read_only=True) as store:
        every = metrics.results(store, filters, metrics=["paired_change"])
        each = metrics.results(store, filters, metrics=["paired_change"], pooled=False)
        with pytest.raises(ValueError, match="pooled"):
            metrics.compute(store, filters, metrics=["did"], pooled=False)
    assert (every["cohort"] == metrics.ALL_COHORTS).any()
    assert not (each["cohort"] == metrics.ALL_COHORTS).any()
    want = every[every["cohort"] != metrics.ALL_COHORTS].reset_index(drop=True)
    pd.testing.assert_frame_equal(each, want)
