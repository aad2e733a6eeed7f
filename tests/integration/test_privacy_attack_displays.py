"""The subtraction attack on the dashboard's banded displays and curves.

On the demo database (three cohorts of 50 pairs among 3,000 employees) this publishes, under no
filter, a one-value and a two-value slice filter, each cohort (and none) and the roles:

* the individual-change histogram of digital skills (every shown bin count) together with the
  paired-change n of the same views and of every breakdown (what the bins add up to);
* the Kaplan–Meier curves on the retention page (at-risk and exit counts of every grid point)
  and the at-risk table;
* the pair-health table (pairs per cohort × status) with the published pair counts.

Every count becomes a 0/1 vector over the finest groups, built here from the raw data (people:
cohort × role × generation × department × level × bin, or × arm × month of exit; pairs: each
pair). An attacker may add and subtract any of them. The tests assert that nothing under the
minimum is shown, that no hidden small group and no finest group of 1–4 is such a combination
(reference: numpy least squares), and that with the minimum-size rule alone — what these
displays applied before — the same attack recovers a small group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from analysis.metrics import data, pair_queries, survival_queries
from analysis.metrics import registry as metrics
from analysis.metrics import retention as survival
from analysis.metrics.engagement import STALL_DAYS
from analysis.pages import change_bins, outcomes, pair_health, retention
from analysis.store.db import Store
from analysis.store.filters import SLICE_DIMENSIONS, Filters
from tests.integration.test_privacy_attack_arms import (
    DIMS,
    Attack,
    K,
    _count,
    _filters,
    _slices,
    combinations_of,
)

OUTCOME = "skills.digital"
COHORTS = (None, "C1", "C2", "C3")
pytestmark = pytest.mark.slow


def _views(store: Store, roles: tuple[str | None, ...]) -> list[Filters]:
    return [Filters(cohort=c, role=r, **{d: getattr(f, d) for d in DIMS})
            for f in _filters(store) for c in COHORTS for r in roles]


def _conditions(filters: Filters) -> dict[str, tuple[str, ...]]:
    return {d: getattr(filters, d) for d in DIMS if getattr(filters, d)}


# -- histogram ------------------------------------------------------------------------------------

def _histogram(store: Store) -> tuple[Attack, Attack]:
    scores = data.paired_scores(store, Filters(), construct=OUTCOME)
    people = _slices(change_bins.binned(scores, change_bins.scales(store))).assign(family="pc")
    atoms = _count(people, ["family", "cohort_id", "role", *DIMS, "bin"]).rename(
        columns={"cohort_id": "cohort"})
    published, naive = Attack(atoms), Attack(atoms)
    for attack in (published, naive):
        def arms(row: dict[str, Any], cond: dict[str, tuple[str, ...]],
                 attack: Attack = attack) -> list[tuple[str, np.ndarray]]:
            return [("n", attack.person("pc", row["cohort"], row["role"], cond))]
        attack.arms = arms
    for filters in _views(store, (None, "mentee")):
        frame = outcomes.distribution(store, filters, "skills", min_group_size=K)
        frame = frame[frame["outcome"] == OUTCOME]
        view = {"cohort": filters.cohort or "all", "role": filters.role or "all"}
        for row in frame.to_dict("records"):
            cond = {**_conditions(filters), "bin": (int(row["bin"]),)}
            where = f"bin {row['bin_low']} {filters}"
            published.add({**view, "n": row["count"], "suppressed": row["suppressed"]}, cond,
                          where)
        # Before: a bin was hidden only when it held fewer than k people (the minimum alone).
        counts = change_bins.binned(data.paired_scores(store, filters, construct=OUTCOME),
                                    change_bins.scales(store))["bin"].value_counts()
        for b, n in counts.items():
            naive.add({**view, "n": float(n) if n >= K else np.nan, "suppressed": n < K},
                      {**_conditions(filters), "bin": (int(b),)}, f"naive bin {b} {filters}")
    # What the bins add up to: the paired change's n under every filter and breakdown.
    for filters in _filters(store):
        for by in (None, *SLICE_DIMENSIONS):
            rows = metrics.results(store, filters, by=by, metrics=["paired_change"],
                                   min_group_size=K, units_for=list(metrics.REGISTRY))
            rows = rows[rows["outcome"] == OUTCOME]
            for row in rows.to_dict("records"):
                cond = {**_conditions(filters), **{d: (str(v),) for d, v in row["group"].items()}}
                for attack in (published, naive):
                    attack.add(row, cond, f"paired_change by={by} {filters}")
    return published, naive


@pytest.fixture(scope="module")
def histogram(demo_db: Path) -> tuple[Attack, Attack]:
    with Store(demo_db, read_only=True) as store:
        return _histogram(store)


def test_no_small_bin_follows_from_the_histograms_and_totals(
        histogram: tuple[Attack, Attack]) -> None:
    histogram[0].assert_holds(shown=100, hidden=50)


def test_minimum_size_alone_lets_the_attack_recover_a_small_bin(
        histogram: tuple[Attack, Attack]) -> None:
    assert histogram[1].leaks()


# -- Kaplan–Meier curves --------------------------------------------------------------------------

def _km(store: Store) -> tuple[list[np.ndarray], list[np.ndarray], list[tuple[np.ndarray, str]]]:
    """Shown group vectors (published, minimum-size rule alone) and targets, over people per
    cohort × arm × role × slices.

    Why the group level suffices: every grid point of a curve counts the curve's group within a
    set of durations (still at risk, or exited in the last 30 days). To an attacker who does not
    know when each person left, people censored in the first 30 days are covered only by the
    counts at day 0, so a combination of grid counts that equals a whole group must already do
    so at day 0: the group level is exactly what the curves give about groups. Each curve's
    counts are checked here against the people themselves."""
    people = _slices(survival_queries.retention_population(store, Filters()))
    people["arm"] = np.where(people["treat"] == 1, "participants", "comparison")
    keys = ["cohort_id", "arm", "role", *DIMS]
    atoms = _count(people, keys)
    n = atoms["n"].to_numpy(dtype=float)
    atom_of = people.merge(atoms.reset_index()[[*keys, "index"]], on=keys)
    shown: list[np.ndarray] = []
    naive: list[np.ndarray] = []
    hidden: list[tuple[np.ndarray, str]] = []

    def group(cohort: str, arm: str, role: str | None,
              conditions: dict[str, tuple[str, ...]]) -> np.ndarray:
        ok = (atoms["arm"] == arm).to_numpy().copy()
        if cohort != metrics.ALL_COHORTS:
            ok &= (atoms["cohort_id"] == cohort).to_numpy()
        if arm == "participants" and role not in (None, "all"):
            ok &= (atoms["role"] == role).to_numpy()
        for dim, values in conditions.items():
            ok &= atoms[dim].isin(values).to_numpy()
        return ok

    members = pair_queries.pair_members(store, Filters())
    each = [Filters(cohort=c, role=r, department=(str(v),)) for c in COHORTS[1:]
            for r in (None, "mentor", "mentee")
            for v in members["department"].dropna().unique()]  # every department filter too
    for filters in [*_views(store, (None, "mentor")), *each]:
        if filters.cohort is None:
            continue
        curves = retention.curves(store, filters)
        risk = retention.at_risk_table(store, filters, min_group_size=K).set_index("arm")
        fresh = survival.km_monthly(store, filters, cohort=filters.cohort, min_group_size=K)
        for arm in ("participants", "comparison"):
            member = group(filters.cohort, arm, filters.role, _conditions(filters))
            durations = atom_of.loc[member[atom_of["index"]], ["duration", "event"]]
            d, e = durations["duration"].to_numpy(), durations["event"].to_numpy()
            curve = curves[curves["arm"] == arm]
            if curve.empty and 0 < member @ n < K:
                hidden.append((member.astype(float), f"{arm} {filters}"))
            for row in curve.to_dict("records"):  # reference: counted on the people directly
                t = row["time"]
                assert row["at_risk"] >= K and row["at_risk"] == (d >= t).sum(), (arm, filters)
                assert row["events"] == ((e == 1) & (d <= t) & (d > t - 30)).sum(), arm
            if not curve.empty:
                assert curve["at_risk"].iloc[0] == member @ n
                shown.append(member.astype(float))
            for day, value in risk.loc[arm].items():
                assert value != value or (value >= K and value == (d >= int(day)).sum())
                if value == value and not curve.empty:
                    continue  # the same group, within durations (see above)
                assert value != value, (arm, day, filters)  # no counts of a hidden curve
            # Before: a curve was drawn whenever its arm held k people (the minimum alone).
            if not fresh[fresh["arm"] == arm].empty:
                naive.append(member.astype(float))
    # The 12-month retention rows of the same groups and of every breakdown are published too.
    for filters in _filters(store):
        for by in (None, *SLICE_DIMENSIONS):
            rows = metrics.results(store, filters, by=by, metrics=["retention_12m"],
                                   min_group_size=K, units_for=list(metrics.REGISTRY))
            for row in rows[~rows["suppressed"]].to_dict("records"):
                arm = "comparison" if row["role"] == "comparison" else "participants"
                cond = {**_conditions(filters), **{d: (str(v),) for d, v in row["group"].items()}}
                member = group(row["cohort"], arm, row["role"], cond)
                assert row["n"] == member @ n
                shown.append(member.astype(float))
                naive.append(member.astype(float))
    small = [(np.eye(len(n))[i], f"atom {i}") for i in np.flatnonzero((n > 0) & (n < K))]
    return shown, naive, small + hidden


@pytest.fixture(scope="module")
def km(demo_db: Path) -> tuple[list[np.ndarray], list[np.ndarray], list[tuple[np.ndarray, str]]]:
    with Store(demo_db, read_only=True) as store:
        return _km(store)


def test_no_small_group_follows_from_the_curves(km: tuple[Any, Any, Any]) -> None:
    shown, _naive, targets = km
    assert len(shown) > 100 and len(targets) > 10
    leaks = combinations_of(shown, targets)
    assert not leaks, leaks[:5]


def test_curves_under_the_minimum_alone_reveal_a_small_group(km: tuple[Any, Any, Any]) -> None:
    _shown, naive, targets = km
    assert combinations_of(naive, targets)


# -- pair health ----------------------------------------------------------------------------------

def test_pair_health_rows_reveal_no_small_group_of_pairs(demo_db: Path) -> None:
    """Atoms are single pairs: the table before (one row per pair) gives each of them away;
    the aggregate, with the published pair counts, gives away none, nor a hidden row."""
    with Store(demo_db, read_only=True) as store:
        pairs = pair_queries.pair_sessions(store, stall_days=STALL_DAYS)
        status = pair_health.statuses(pairs).to_numpy()
        cohort = pairs["cohort_id"].to_numpy()
        shown: list[np.ndarray] = []
        hidden: list[tuple[np.ndarray, str]] = []
        for filters in _views(store, (None, "mentor")):
            table = pair_health.pair_health(store, filters, cohort=filters.cohort,
                                            min_group_size=K)
            for row in table.to_dict("records"):
                member = ((cohort == row["cohort"]) & (status == row["status"])).astype(float)
                if row["suppressed"]:
                    assert np.isnan(row["pairs"])
                    if 0 < member.sum() < K:
                        hidden.append((member, f"{row['cohort']} {row['status']}"))
                    continue
                assert row["pairs"] >= K and row["pairs"] == member.sum()
                assert not _conditions(filters)  # not offered under a slice filter
                shown.append(member)
        totals = metrics.results(store, Filters(), metrics=["sessions_held"], min_group_size=K)
    for row in totals[(totals["role"] == "all") & ~totals["suppressed"]].to_dict("records"):
        if row["group"] == {}:
            shown.append((cohort == row["cohort"]).astype(float)
                         if row["cohort"] != metrics.ALL_COHORTS else np.ones(len(cohort)))
    singles = [(np.eye(len(cohort))[i], f"pair {i}") for i in range(len(cohort))]
    assert len(shown) >= 9
    leaks = combinations_of(shown, singles + hidden)
    assert not leaks, leaks[:5]
    # Before: one row per pair (at least k pairs in view) — every row is a pair.
    assert combinations_of([np.eye(len(cohort))[i] for i in range(len(cohort))], singles)
