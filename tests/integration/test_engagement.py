"""Engagement numbers on a five-pair database, against values worked out by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from analysis.metrics import pair_queries
from analysis.metrics import registry as metrics
from analysis.metrics.engagement import ENGAGEMENT_METRICS, STALL_DAYS
from analysis.pages.pair_health import pair_health, statuses
from analysis.store.db import Store
from analysis.store.filters import Filters
from tests.conftest import run_cli
from tests.integration.tinydb import build_tiny

REL = 1e-9


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    return build_tiny(tmp_path / "tiny.duckdb")


def _rows(db: Path, **kwargs: object) -> dict[str, dict]:
    """Before the privacy step: cadence describes only 3 pairs here (suppressed for users)."""
    with Store(db, read_only=True) as store:
        frame = metrics.compute(store, Filters(**kwargs), metrics=list(ENGAGEMENT_METRICS))
    return {r["metric"]: r for r in frame.to_dict("records")}


def _wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson score interval written out (Wilson 1927), z from the normal quantile."""
    z = stats.norm.ppf(0.975)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_engagement_by_hand(tiny: Path) -> None:
    rows = _rows(tiny)
    # held per pair: P1 3, P2 1, P3 0 (no sessions counts as zero), P4 4, P5 2
    held = rows["sessions_held"]
    assert held["n"] == 5 and held["estimate"] == pytest.approx(2.0, rel=REL)
    half = stats.t.ppf(0.975, 4) * math.sqrt(2.5) / math.sqrt(5)  # sd² = 10 / 4 by hand
    assert held["ci_low"] == pytest.approx(2.0 - half, rel=REL)
    assert held["ci_high"] == pytest.approx(2.0 + half, rel=REL)
    # held minutes: 135, 60, 0, 140, 180
    assert rows["minutes_per_pair"]["estimate"] == pytest.approx(515 / 5, rel=REL)
    assert rows["median_sessions_per_pair"]["estimate"] == 2
    # gaps between held sessions: P1 10, 30 -> 20; P4 30, 20, 20 -> 20; P5 10 -> 10
    assert rows["cadence_days"]["estimate"] == 20 and rows["cadence_days"]["n"] == 3
    # 13 scheduled, 2 cancelled + 1 no-show
    cancel = rows["cancellation_rate"]
    assert cancel["estimate"] == pytest.approx(3 / 13, rel=REL)
    assert (cancel["ci_low"], cancel["ci_high"]) == pytest.approx(_wilson(3, 13), rel=1e-9)
    three = rows["share_pairs_3plus"]  # P1 and P4
    assert three["estimate"] == pytest.approx(0.4, rel=REL)
    assert (three["ci_low"], three["ci_high"]) == pytest.approx(_wilson(2, 5), rel=1e-9)
    # as of min(2024-06-30, 2024-03-31): P2 86 days, P3 90 days (from the start), P5 49 days
    stalled = rows["stalled_pairs"]
    assert stalled["estimate"] == pytest.approx(0.6, rel=REL) and stalled["count"] == 3


def test_pair_health_counts_statuses_and_hides_rows_of_few_pairs(tiny: Path) -> None:
    with Store(tiny, read_only=True) as store:
        pairs = pair_queries.pair_sessions(store, cohort="T1", stall_days=STALL_DAYS)
        status = dict(zip(pairs["pair_id"], statuses(pairs), strict=True))
        table = pair_health(store, Filters(), cohort="T1", min_group_size=3)
    # by hand: days since held P3 90, P2 86, P5 49 (stalled), P1 41 (> 21: slowing), P4 6
    assert status == {"P3": "stalled", "P2": "stalled", "P5": "stalled", "P1": "slowing",
                      "P4": "on track"}
    assert table["status"].tolist() == ["stalled", "slowing", "on track"]
    # slowing and on track hold one pair each; with them hidden, the cohort's 5 pairs minus
    # a shown stalled row would give the two: complementary suppression hides it too.
    assert table["suppressed"].all() and table["pairs"].isna().all()
    assert table["suppressed_reason"].str.len().gt(0).all()
    assert not any("pair_id" in c or "employee" in c for c in table.columns)


def test_pair_health_rows_equal_a_direct_count(demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        table = pair_health(store, Filters(), cohort="C2")
        pairs = pair_queries.pair_sessions(store, cohort="C2", stall_days=STALL_DAYS)
    shown = table[~table["suppressed"]]
    assert len(shown) >= 2 and (shown["pairs"] >= 5).all()
    for row in shown.to_dict("records"):
        # Reference: numpy on the per-pair rows of that status, thresholds by hand.
        days = pairs["days_since_held"].to_numpy(dtype=float)
        stalled = pairs["stalled"].to_numpy(dtype=bool)
        mask = {"stalled": stalled, "slowing": ~stalled & (days > 21),
                "on track": ~stalled & (days <= 21)}[row["status"]]
        assert row["pairs"] == mask.sum()
        assert row["median_sessions"] == np.median(pairs["held"].to_numpy()[mask])
        assert row["median_days_since"] == np.median(days[mask])
        assert row["share_cancelled"] == pytest.approx(
            pairs["cancelled"].to_numpy()[mask].sum() / pairs["scheduled"].to_numpy()[mask].sum())


def test_cadence_of_three_pairs_is_suppressed(tiny: Path) -> None:
    with Store(tiny, read_only=True) as store:
        frame = metrics.results(store, Filters(), metrics=["cadence_days", "sessions_held"])
    shown = frame.set_index("metric")
    assert bool(shown.loc["cadence_days", "suppressed"]) and not shown.loc["sessions_held",
                                                                            "suppressed"]


def test_slices_hide_small_groups(tiny: Path) -> None:
    done = run_cli("metrics", "--db", str(tiny), "--json", "--metric", "sessions_held",
                   "--by", "department")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["results"]
    assert {r["group"]["department"] for r in rows} == {"IT", "Sales"}
    assert all(r["suppressed"] and r["estimate"] is None for r in rows)  # 2 and 3 pairs
