"""Waves rule: numbers of the before and after surveys cover the same people.

If the item means before counted everyone who answered before (say 6 people) and the paired
change counted the 5 who answered both, then 6 × mean − 5 × mean would be one person's answer.
The item view must count only people present in both waves among the construct's completed
pairs, and hide an item whose people differ from those pairs by 1 to k − 1.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.pages import outcomes
from analysis.store.db import Store
from analysis.store.filters import Filters

K = 5


def _raw(store: Store, cohort: str) -> pd.DataFrame:
    """Hand reference: item answers per person and wave, straight from the tables."""
    return store.query("""
        select r.employee_id, r.item_id, a.phase, r.value, i.construct
        from responses r join administrations a using (administration_id)
        join items i using (item_id)
        join participants p on p.cohort_id = a.cohort_id and p.employee_id = r.employee_id
        where a.kind = 'programme' and a.cohort_id = ? and p.role in ('mentor', 'mentee')
    """, [cohort])


@pytest.mark.parametrize("cohort", ["C1", "C2"])
def test_item_means_count_only_people_in_both_waves(demo_db: Path, cohort: str) -> None:
    with Store(demo_db, read_only=True) as store:
        frame = outcomes.items(store, Filters(cohort=cohort), "skills", min_group_size=K)
        raw = _raw(store, cohort)
        scores = store.query("""
            select s.employee_id, s.construct from construct_scores s
            join administrations a using (administration_id)
            where a.kind = 'programme' and a.cohort_id = ?
            group by all having count(distinct a.phase) = 2
        """, [cohort])
    wide = raw.pivot_table(index=["employee_id", "construct", "item_id"], columns="phase",
                           values="value").reset_index()
    wide = wide.merge(scores, on=["employee_id", "construct"])  # completed pairs only
    both = wide.dropna(subset=["pre", "post"])
    # The data really has people who answered only one wave (else the rule is not tested).
    answered = raw.groupby(["item_id", "phase"])["employee_id"].nunique().unstack()
    assert (answered["pre"] != answered["post"]).any()
    shown = frame[~frame["suppressed"]]
    assert len(shown) and frame["suppressed"].any()
    for row in shown.itertuples():
        people = both[both["item_id"] == row.item_id]
        # Hand reference: pandas means over the people present in both waves.
        assert row.n_before == row.n_after == len(people) >= K
        assert row.mean_before == pytest.approx(people["pre"].mean())
        assert row.mean_after == pytest.approx(people["post"].mean())
    for row in frame[frame["suppressed"]].itertuples():
        assert pd.isna(row.mean_before) and pd.isna(row.n_before) and row.suppressed_reason
    # The gap between an item's people and the construct's pairs is 0 or >= K where shown, and
    # 1..K-1 where the waves rule hides the item (reference: counts from the raw tables).
    gap = (scores.groupby("construct").size().reindex(frame["outcome"]).to_numpy()
           - frame["item_id"].map(both.groupby("item_id").size()).fillna(0).to_numpy())
    near = (frame["suppressed_reason"] == outcomes.REASON_WAVES).to_numpy()
    assert ((gap[near] > 0) & (gap[near] < K)).all()
    shown_gap = gap[~frame["suppressed"].to_numpy(dtype=bool)]
    assert ((shown_gap == 0) | (shown_gap >= K)).all()


