"""`crossgen metrics --json` against scipy on scores recomputed independently from raw answers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.store.db import Store
from tests.conftest import run_cli

REQUIRED_KEYS = {"outcome", "metric", "cohort", "cohort_name", "role", "group", "n", "estimate",
                 "ci_low", "ci_high", "p_value", "p_adjusted", "effect_size", "method",
                 "suppressed"}


def _independent_scores(db: Path) -> pd.DataFrame:
    """Construct scores from the raw responses in pandas (not the materialised table)."""
    with Store(db, read_only=True) as store:
        answers = store.query(
            "select a.cohort_id, a.phase, r.employee_id, r.item_id, r.value "
            "from responses r join administrations a using (administration_id) "
            "where a.kind = 'programme'")
        items = store.query("select * from items")
        people = store.query("select cohort_id, employee_id, role from participants")
    answers = answers.merge(items, on="item_id")
    answers["value"] = np.where(answers["reverse_coded"],
                                answers["scale_min"] + answers["scale_max"] - answers["value"],
                                answers["value"])
    asked = answers.groupby(["cohort_id", "phase", "construct"])["item_id"].nunique()
    per = answers.groupby(["cohort_id", "phase", "employee_id", "construct"]).agg(
        score=("value", "mean"), k=("value", "size")).reset_index()
    per["asked"] = per.set_index(["cohort_id", "phase", "construct"]).index.map(asked)
    per = per[per["k"] * 2 >= per["asked"]]
    wide = per.pivot_table(index=["cohort_id", "employee_id", "construct"], columns="phase",
                           values="score").reset_index()
    return wide.merge(people, on=["cohort_id", "employee_id"])


@pytest.fixture(scope="module")
def payload(demo_db: Path) -> dict:
    done = run_cli("metrics", "--db", str(demo_db), "--json", timeout=900)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_json_shape(payload: dict) -> None:
    assert payload["min_group_size"] == 5
    assert payload["filters"] == {}
    assert payload["results"]
    for row in payload["results"]:
        assert set(row) >= REQUIRED_KEYS


def test_paired_change_matches_ttest_rel(payload: dict, demo_db: Path) -> None:
    scores = _independent_scores(demo_db)
    rows = [r for r in payload["results"] if r["metric"] == "paired_change"
            and r["source"] == "programme"
            and r["group"] == {} and r["cohort"] != "all" and not r["suppressed"]]
    assert len(rows) >= 3 * 6 * 3  # cohorts × constructs × (mentor, mentee, all)
    for row in rows:
        part = scores[(scores["cohort_id"] == row["cohort"])
                      & (scores["construct"] == row["outcome"])]
        if row["role"] != "all":
            part = part[part["role"] == row["role"]]
        part = part.dropna(subset=["pre", "post"])
        # Reference: scipy.stats.ttest_rel(after, before) and its t-based 95% CI.
        ref = stats.ttest_rel(part["post"], part["pre"])
        ci = ref.confidence_interval(0.95)
        assert row["n"] == len(part)
        assert row["estimate"] == pytest.approx((part["post"] - part["pre"]).mean(), rel=1e-9)
        assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-6)
        assert row["ci_low"] == pytest.approx(ci.low, rel=1e-6)
        assert row["ci_high"] == pytest.approx(ci.high, rel=1e-6)


def test_small_slices_are_suppressed(demo_db: Path) -> None:
    done = run_cli("metrics", "--db", str(demo_db), "--json", "--cohort", "C1", "--by",
                   "generation")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["results"]
    hidden = [r for r in rows if r["suppressed"]]
    assert hidden, "the demo has generations with fewer than 5 mentors in a cohort"
    for row in hidden:
        assert row["estimate"] is None and row["n"] is None and row["p_value"] is None
    for row in rows:
        assert row["suppressed"] or row["n"] >= 5


def test_errors_are_clean(tmp_path: Path) -> None:
    done = run_cli("metrics", "--db", str(tmp_path / "missing.duckdb"), "--json")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "no such database" in done.stderr
