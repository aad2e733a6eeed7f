"""The subtraction attack on the dose–response buckets, sessions per month and covariate balance.

On the demo database (three cohorts of 50 pairs among 3,000 employees) this publishes, under no
filter, a one-value and a two-value slice filter, each cohort (and none) and the roles:

* the Engagement page's dose–response buckets (n per bucket) together with the
  ``dose_response`` rows of every breakdown (what the buckets add up to; n × mean adds up the
  same way, so the counts carry the attack);
* the sessions-per-month chart (sessions per cohort × month × status) together with the
  engagement rows' session totals (held, cancelled, no-shows) of every breakdown;
* the difference-in-differences covariate balance (each level's share × n is a count of each
  arm) together with the ``did`` rows of every breakdown.

Every published number becomes a vector over the finest groups, built here from the raw data
(people: cohort × role × generation × department × level × bucket, or × arm; sessions: each
pair × month × status, weighted by its sessions). An attacker may add and subtract any of them.
The tests assert that nothing describing fewer than the minimum is shown, that no hidden small
group and no finest group of 1–4 is such a combination (reference: numpy least squares), and
that with the minimum-size rule alone — what these displays applied before — the same attack
recovers a small group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from analysis.metrics import data, pair_queries
from analysis.metrics import registry as metrics
from analysis.metrics.comparison import did_balance
from analysis.pages import dose_bands, engagement, session_months
from analysis.store.db import Store
from analysis.store.filters import SLICE_DIMENSIONS, Filters
from tests.integration.test_privacy_attack_arms import (
    DIMS,
    NONE,
    Attack,
    K,
    _count,
    _filters,
    _slices,
    combinations_of,
)
from tests.integration.test_privacy_attack_displays import COHORTS, _conditions

ROLES = (None, "mentor", "mentee")
pytestmark = pytest.mark.slow


def _views(store: Store) -> list[Filters]:
    return [Filters(cohort=c, role=r, **{d: getattr(f, d) for d in DIMS})
            for f in _filters(store) for c in COHORTS for r in ROLES]


def _breakdowns(store: Store, names: list[str]) -> list[tuple[Filters, dict[str, Any]]]:
    """Every published row of ``names`` under the attacked filters and every breakdown."""
    out = []
    for filters in _filters(store):
        for by in (None, *SLICE_DIMENSIONS):
            rows = metrics.results(store, filters, by=by, metrics=names, min_group_size=K,
                                   units_for=list(metrics.REGISTRY))
            out += [(filters, row) for row in rows.to_dict("records")]
    return out


def _row_conditions(filters: Filters, row: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    return {**_conditions(filters), **{d: (str(v),) for d, v in row["group"].items()}}


# -- dose–response buckets ------------------------------------------------------------------------

def _dose(store: Store) -> tuple[Attack, Attack]:
    people = _slices(dose_bands.people(store, Filters())).assign(family="dose")
    atoms = _count(people, ["family", "cohort_id", "role", *DIMS, "bucket"]).rename(
        columns={"cohort_id": "cohort"})
    published, naive = Attack(atoms), Attack(atoms)
    for attack in (published, naive):
        def arms(row: dict[str, Any], cond: dict[str, tuple[str, ...]],
                 attack: Attack = attack) -> list[tuple[str, np.ndarray]]:
            return [("n", attack.person("dose", row["cohort"], row["role"], cond))]
        attack.arms = arms
    for filters in _views(store):
        view = {"cohort": filters.cohort or "all", "role": filters.role or "all"}
        frame = engagement.dose_response(store, filters, min_group_size=K)
        for row in frame.to_dict("records"):
            cond = {**_conditions(filters), "bucket": (row["bucket"],)}
            published.add({**view, "n": row["n"], "suppressed": row["suppressed"]}, cond,
                          f"bucket {row['bucket']} {filters}")
            assert row["suppressed"] == pd.isna(row["mean_change"])
        # Before: a bucket was hidden only when it held fewer than k people (the minimum alone).
        counts = dose_bands.people(store, filters)["bucket"].value_counts()
        for bucket, n in counts.items():
            naive.add({**view, "n": float(n) if n >= K else np.nan, "suppressed": n < K},
                      {**_conditions(filters), "bucket": (bucket,)}, f"naive {bucket} {filters}")
    for filters, row in _breakdowns(store, ["dose_response"]):
        for attack in (published, naive):
            attack.add(row, _row_conditions(filters, row), f"dose_response {filters}")
    return published, naive


@pytest.fixture(scope="module")
def dose(demo_db: Path) -> tuple[Attack, Attack]:
    with Store(demo_db, read_only=True) as store:
        return _dose(store)


def test_no_small_bucket_follows_from_the_buckets_and_rows(dose: tuple[Attack, Attack]) -> None:
    dose[0].assert_holds(shown=100, hidden=50)


def test_minimum_size_alone_lets_the_attack_recover_a_small_bucket(
        dose: tuple[Attack, Attack]) -> None:
    assert dose[1].leaks()


# -- sessions per month ---------------------------------------------------------------------------

Vectors = list[np.ndarray]
Targets = list[tuple[np.ndarray, str]]


def _sessions(store: Store) -> tuple[Vectors, Vectors, Vectors, Targets]:
    """Shown vectors (chart and rows), the rows' alone, the chart under the minimum alone, and
    the targets: every pair's sessions of one month and status, and hidden small cells."""
    atoms = session_months.pair_months(store)
    x = atoms["sessions"].to_numpy(dtype=float)
    members = _slices(pair_queries.pair_members(store, Filters()))
    wide = members.pivot(index=["cohort_id", "pair_id"], columns="role", values=list(DIMS))
    wide.columns = [f"{role}_{dim}" for dim, role in wide.columns]
    side = atoms.merge(wide.reset_index(), on=["cohort_id", "pair_id"], how="left")
    pair_key = (atoms["cohort_id"] + "|" + atoms["pair_id"].astype(str)).to_numpy()

    def where(cohort: str | None, role: str | None, cond: dict[str, tuple[str, ...]],
              **match: str) -> np.ndarray:
        ok = np.ones(len(atoms), dtype=bool)
        if cohort not in (None, metrics.ALL_COHORTS):
            ok &= (atoms["cohort_id"] == cohort).to_numpy()
        for column, value in match.items():
            ok &= (atoms[column] == value).to_numpy()
        sides = [role] if role in ("mentor", "mentee") else ["mentor", "mentee"]
        inside = np.zeros(len(atoms), dtype=bool)
        for member in sides:  # the "all" view: a pair is in a cell one of its members is in
            hit = np.ones(len(atoms), dtype=bool)
            for dim, values in cond.items():
                hit &= side[f"{member}_{dim}"].isin(values).to_numpy()
            inside |= hit
        return ok & inside

    shown: Vectors = []
    rows_only: Vectors = []
    naive: Vectors = []
    hidden: Targets = []
    for filters in _views(store):
        frame = engagement.sessions_over_time(store, filters)
        if _conditions(filters):
            assert frame.empty and frame.attrs["empty_reason"] == session_months.REASON_SLICE
            continue
        for row in frame.to_dict("records"):
            month = pd.Timestamp(row["month"]).strftime("%Y-%m")
            member = where(filters.cohort, None, {}, month=month, status=row["status"])
            pairs = len(set(pair_key[member]))
            if row["suppressed"]:
                assert pd.isna(row["sessions"]) and row["suppressed_reason"]
                if 0 < pairs < K:
                    hidden.append((member * x, f"{month} {row['status']} {filters}"))
                continue
            assert pairs >= K and row["sessions"] == x[member].sum(), (month, filters)
            shown.append(member * x)
        # Before: every cell of a view with enough pairs was drawn (the minimum alone).
        for month, status in atoms[["month", "status"]].drop_duplicates().itertuples(
                index=False):
            member = where(filters.cohort, None, {}, month=month, status=status)
            if member.any():
                naive.append(member * x)
    totals = {"total_held": "held", "cancelled": "cancelled", "no_show": "no_show"}
    for filters, row in _breakdowns(store, ["sessions_held", "cancellation_rate"]):
        for column, status in totals.items():
            if row["suppressed"] or pd.isna(row[column]):
                continue  # hidden, or not a column of this metric
            member = where(row["cohort"], row["role"], _row_conditions(filters, row),
                           status=status)
            assert row[column] == x[member].sum(), (column, filters, row["group"])
            rows_only.append(member * x)
    singles = [(np.eye(len(x))[i], f"pair-month {i}") for i in range(len(x))]
    return shown + rows_only, rows_only, naive + rows_only, singles + hidden


@pytest.fixture(scope="module")
def sessions(demo_db: Path) -> tuple[Vectors, Vectors, Vectors, Targets]:
    with Store(demo_db, read_only=True) as store:
        return _sessions(store)


def test_no_pair_follows_from_the_monthly_sessions(sessions: tuple[Any, Any, Any, Any]) -> None:
    shown, rows_only, _naive, targets = sessions
    assert len(shown) > len(rows_only) + 50 and len(targets) > 100
    # What the engagement rows give away on their own is theirs, not the chart's.
    known = set(combinations_of(rows_only, targets))
    leaks = [w for w in combinations_of(shown, targets) if w not in known]
    assert not leaks, leaks[:5]


def test_monthly_sessions_under_the_minimum_alone_reveal_a_pair(
        sessions: tuple[Any, Any, Any, Any]) -> None:
    _shown, rows_only, naive, targets = sessions
    known = set(combinations_of(rows_only, targets))
    assert [w for w in combinations_of(naive, targets) if w not in known]


# -- covariate balance ----------------------------------------------------------------------------

CONSTRUCT = "inclusion"


def _balance(store: Store) -> tuple[Attack, Attack]:
    people = _slices(data.pulse_pairs(store, Filters()))
    people = people[people["construct"] == CONSTRUCT]
    people = people.assign(family=np.where(people["treat"] == 1, "treated", "comparison"))
    atoms = _count(people, ["family", "cohort_id", "role", *DIMS]).rename(
        columns={"cohort_id": "cohort"})
    published, naive = Attack(atoms), Attack(atoms)
    for attack in (published, naive):
        def arms(row: dict[str, Any], cond: dict[str, tuple[str, ...]],
                 attack: Attack = attack) -> list[tuple[str, np.ndarray]]:
            if row["outcome"] != CONSTRUCT:
                return []
            return [("n_treated", attack.person("treated", row["cohort"], row["role"], cond)),
                    ("n_comparison", attack.person("comparison", row["cohort"], None, cond))]
        attack.arms = arms
    for filters in _views(store):
        if filters.cohort is None:
            continue  # the balance is per cohort
        table = did_balance(store, filters, cohort=filters.cohort, construct=CONSTRUCT,
                            min_group_size=K)
        if table.empty:
            continue  # the did row is hidden: nothing shown (test_comparison_metrics)
        role = filters.role or "all"
        split = table["covariate"].str.split("=", n=1, expand=True).reindex(columns=[0, 1])
        levels = table[split[1].notna()].assign(dim=split[0], level=split[1])
        for row in levels.to_dict("records"):
            value = NONE if row["level"] == "unknown" else row["level"]
            cond = {**_conditions(filters), row["dim"]: (value,)}
            where = f"{row['covariate']} {filters}"
            counts = {"n_treated": row["mean_treated"] * row["n_treated"],
                      "n_comparison": row["mean_comparison"] * row["n_comparison"]}
            counts = {c: float(np.round(v)) if v == v else v for c, v in counts.items()}
            shown = {"outcome": CONSTRUCT, "cohort": filters.cohort, "role": role,
                     "suppressed": row["suppressed"], **counts}
            published.add(shown, cond, where)
            # Before: every level of a shown did row, whatever its size (the did row's
            # minimum alone): its shares times the arms' n are counts of each arm.
            naive.shown += [naive.person("treated", filters.cohort, role, cond),
                            naive.person("comparison", filters.cohort, None, cond)]
    for filters, row in _breakdowns(store, ["did"]):
        for attack in (published, naive):
            attack.add(row, _row_conditions(filters, row), f"did {filters}")
    return published, naive


@pytest.fixture(scope="module")
def balance(demo_db: Path) -> tuple[Attack, Attack]:
    with Store(demo_db, read_only=True) as store:
        return _balance(store)


def test_no_small_group_follows_from_the_covariate_balance(
        balance: tuple[Attack, Attack]) -> None:
    balance[0].assert_holds(shown=50, hidden=50)


def test_balance_shares_under_the_minimum_alone_reveal_a_small_group(
        balance: tuple[Attack, Attack]) -> None:
    assert balance[1].leaks()
