"""Dose–response buckets, sessions per month and covariate balance on the demo database: the
numbers shown are the right ones (hand references in SQL / pandas) and follow the row rules."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.metrics import data
from analysis.metrics import registry as metrics
from analysis.metrics.comparison import did_balance
from analysis.pages import engagement
from analysis.store.db import Store
from analysis.store.filters import Filters

K = 5


@pytest.fixture(scope="module")
def store(demo_db: Path) -> Store:
    return Store(demo_db, read_only=True)


def test_balance_levels_follow_the_did_breakdown_rows(store: Store) -> None:
    seen = set()
    for filters in (Filters(), Filters(role="mentee"), Filters(level=("Manager", "Director"))):
        table = did_balance(store, filters, cohort="C1", construct="inclusion", min_group_size=K)
        people = store.query("""
            select p.employee_id, e.generation, e.department, e.level
            from participants p join employees e using (employee_id)
            where p.cohort_id = 'C1' and p.role in ('mentor', 'mentee')
              and ($role is null or p.role = $role)
        """, {"role": filters.role})
        for by in ("generation", "department", "level"):
            rows = metrics.results(store, filters, by=by, metrics=["did"], min_group_size=K)
            rows = rows[(rows["cohort"] == "C1") & (rows["outcome"] == "inclusion")
                        & (rows["role"] == (filters.role or "all"))]
            levels = table[table["covariate"].str.startswith(f"{by}=")]
            for row in levels.to_dict("records"):
                value = row["covariate"].split("=", 1)[1]
                did = rows[rows["group"].map(lambda g, v=value: g == {by: v})]  # noqa: B023
                # The same decision as the did row of that level (absent: no one there).
                assert row["suppressed"] == (did.empty or bool(did["suppressed"].iloc[0]))
                seen.add(bool(row["suppressed"]))
                if row["suppressed"]:
                    assert pd.isna(row["mean_treated"]) and pd.isna(row["smd_unweighted"])
                    assert row["suppressed_reason"]
                    continue
                count = row["mean_treated"] * row["n_treated"]
                assert count == pytest.approx(did["n_treated"].iloc[0]) and count >= K
                # reference: the pulse pairs' people counted by hand are a subset of the roster
                assert count <= (people[by] == value).sum()
    assert seen == {True, False}


def test_dose_buckets_are_the_dose_response_people(store: Store) -> None:
    # Reference: held sessions counted straight from the sessions table; gains on the person's
    # role's skill from the paired scores; buckets and means by pandas.
    held = store.query("""
        select p.cohort_id, p.employee_id,
               count(s.session_id) filter (where s.status = 'held') as held
        from participants p
        left join sessions s on s.cohort_id = p.cohort_id and s.pair_id = p.pair_id
        where p.role in ('mentor', 'mentee') and p.pair_id is not null
        group by all
    """)
    skill = {"mentee": "skills.digital", "mentor": "skills.leadership"}
    seen = set()
    for filters in (Filters(), Filters(cohort="C2", role="mentor"), Filters(role="mentee"),
                    Filters(level=("Manager", "Director"))):
        frame = engagement.dose_response(store, filters, min_group_size=K)
        scores = data.paired_scores(store, filters).dropna(subset=["before", "after"])
        scores = scores[scores["construct"] == scores["role"].map(skill)].merge(
            held, on=["cohort_id", "employee_id"])
        bucket = pd.cut(scores["held"], [-1, 2, 5, 8, 10_000],
                        labels=["0–2", "3–5", "6–8", "9+"])
        want = (scores["after"] - scores["before"]).groupby(bucket, observed=True).agg(
            ["size", "mean"])
        row = metrics.results(store, filters, metrics=["dose_response"], min_group_size=K)
        row = row[(row["cohort"] == (filters.cohort or "all"))
                  & (row["role"] == (filters.role or "all")) & row["group"].map(lambda g: not g)]
        shown = frame[~frame["suppressed"]].set_index("bucket")
        assert (shown["n"] >= K).all() and frame.loc[frame["suppressed"], "n"].isna().all()
        assert (shown["n"] == want.loc[shown.index, "size"]).all()
        assert shown["mean_change"].to_numpy() == pytest.approx(
            want.loc[shown.index, "mean"].to_numpy())
        assert want["size"].sum() == row["n"].iloc[0]  # the buckets split the row's people
        hidden = int(frame["suppressed"].sum())
        assert hidden != 1  # one hidden bucket would be the row's n less the others
        seen.add(hidden > 0)
    assert seen == {True, False}


def test_monthly_sessions_count_sessions_of_at_least_k_pairs(store: Store) -> None:
    # Reference: sessions and different pairs per month and status, straight from SQL.
    direct = store.query("""
        select cohort_id, strftime(date_trunc('month', date), '%Y-%m') as month, status,
               count(*) as sessions, count(distinct pair_id) as pairs
        from sessions group by all
    """)
    for cohort in (None, "C1", "C2", "C3"):
        frame = engagement.sessions_over_time(store, Filters(cohort=cohort))
        assert not frame.empty and frame["suppressed"].any()
        part = direct if cohort is None else direct[direct["cohort_id"] == cohort]
        want = part.groupby(["month", "status"])[["sessions", "pairs"]].sum()
        for row in frame.to_dict("records"):
            key = (pd.Timestamp(row["month"]).strftime("%Y-%m"), row["status"])
            if row["suppressed"]:
                assert pd.isna(row["sessions"]) and row["suppressed_reason"]
                continue
            assert row["sessions"] == want.loc[key, "sessions"]
            assert want.loc[key, "pairs"] >= K
    sliced = engagement.sessions_over_time(store, Filters(generation=("Millennials",)))
    assert sliced.empty and "not offered" in sliced.attrs["empty_reason"]
