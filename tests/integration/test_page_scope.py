"""One scope per page (issue 22) on the demo database: in the every-cohort view each page's
parts describe all cohorts together, and a measure defined only per cohort lists each cohort by
name instead of showing one of them unnamed; the page says so in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.pages import common, engagement, outcomes, retention
from analysis.store.db import Store
from analysis.store.filters import Filters

NAMES = {"C1": "Reverse Mentoring 2024 Spring", "C2": "Reverse Mentoring 2024 Autumn",
         "C3": "Reverse Mentoring 2025 Spring"}


@pytest.fixture(scope="module")
def store(demo_db: Path) -> Store:
    return Store(demo_db, read_only=True)


def _pairs(store: Store) -> dict[str, int]:
    """Reference: pairs per cohort, counted in SQL from the participants table."""
    frame = store.query("select cohort_id, count(distinct pair_id) as pairs from participants"
                        " where pair_id is not null group by all")
    return dict(zip(frame["cohort_id"], frame["pairs"].astype(int), strict=True))


def test_engagement_pair_health_lists_every_cohort_of_the_pooled_view(store: Store) -> None:
    table = engagement.metric_table(store, Filters())
    assert set(table["cohort"]) == {"all"}  # the numbers: every cohort together
    health = engagement.pairs(store, Filters())
    assert set(health["cohort"]) == set(NAMES) and health.attrs["names"] == NAMES
    assert not health["suppressed"].any()  # the demo's rows are all shown
    per_cohort = health.groupby("cohort")["pairs"].sum().astype(int).to_dict()
    reference = _pairs(store)
    assert per_cohort == reference
    # the headline counts the pooled view's pairs: the table's n, the grid's stalled rows
    stalled = int(health.loc[health["status"] == "stalled", "pairs"].sum())
    pooled = table[(table["metric"] == "stalled_pairs") & (table["role"] == "all")].iloc[0]
    assert int(pooled["n"]) == sum(reference.values())
    assert health.attrs["stalled"] == f"{stalled} of {sum(reference.values())} pairs stalled"
    assert round(pooled["estimate"] * pooled["n"]) == stalled


def test_engagement_of_one_cohort_is_that_cohort_only(store: Store) -> None:
    health = engagement.pairs(store, Filters(cohort="C2"))
    assert set(health["cohort"]) == {"C2"}
    assert int(health["pairs"].sum()) == _pairs(store)["C2"]
    assert health.attrs["stalled"].endswith(f"of {_pairs(store)['C2']} pairs stalled")
    assert set(engagement.metric_table(store, Filters(cohort="C2"))["cohort"]) == {"C2"}


@pytest.mark.parametrize("topic", ["inclusion", "satisfaction"])
def test_did_lists_each_cohort_by_name_in_the_pooled_view(store: Store, topic: str) -> None:
    pooled = outcomes.did(store, Filters(), topic)
    assert set(pooled["cohort"]) == set(NAMES)
    assert pooled.attrs["note"] == "measured per cohort only: each cohort listed"
    for cohort, name in NAMES.items():
        rows = pooled[pooled["cohort"] == cohort]
        assert (rows["cohort_name"] == name).all() and rows["label"].str.endswith(name).all()
        assert rows["per_cohort"].all()
        # the same rows as the cohort's own view (same estimate, CI and n)
        own = outcomes.did(store, Filters(cohort=cohort), topic)
        assert own.attrs.get("note") is None and not own["per_cohort"].any()
        mine = rows.set_index("outcome")[["n", "estimate", "ci_low", "ci_high"]]
        assert mine.equals(own.set_index("outcome")[["n", "estimate", "ci_low", "ci_high"]]
                           .loc[mine.index])
    # the pooled metrics on the same page stay pooled
    assert set(outcomes.changes(store, Filters(), topic)["cohort"]) == {"all"}


def test_each_page_says_whom_it_describes(store: Store) -> None:
    everyone = "Everything on this page describes all 3 cohorts together"
    assert engagement.scope(store, Filters()).startswith(everyone)
    assert "Pair health" in engagement.scope(store, Filters())
    assert "difference-in-differences" in outcomes.scope(store, Filters(), "inclusion")
    # skills have no DiD (asked only of participants): nothing listed per cohort
    assert outcomes.scope(store, Filters(), "skills") == everyone + \
        " (choose a cohort in the filter bar to see one)."
    for scope in (engagement.scope(store, Filters(cohort="C2")),
                  outcomes.scope(store, Filters(cohort="C2"), "inclusion"),
                  common.scope_sentence(store, Filters(cohort="C2"))):
        assert scope == f"Everything on this page describes {NAMES['C2']} (the cohort chosen " \
                        "in the filter bar)."
    # retention is measured from each cohort's start: the latest cohort by default, named
    assert NAMES["C3"] in retention.scope(store, Filters())
