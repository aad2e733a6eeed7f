"""Dose–response buckets: mean skill gain by sessions held, each bucket a protected band.

A person's dose is the number of sessions their pair held; the response their gain on their
role's skill (mentees: digital, mentors: leadership; both together in the "all" view) — the
people and values of the ``dose_response`` metric row (:func:`engagement.dose_response_rows`).
The buckets (:data:`BUCKETS`) split that row's people, so their n add up to the row's n and
n × mean to its total gain: a bucket is a band of the ``dose_response`` unit family, decided by
:mod:`analysis.privacy.banded` against that family's canonical tables. A bucket's n and mean are
shown only when its people follow from visible cells of tables whose margins are the row decisions,
so no two filters, cohorts or breakdowns can be subtracted to reveal a small bucket (n × mean
adds up the same way as n).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.cache import memo
from analysis.metrics import data, pair_queries
from analysis.metrics import registry as metrics
from analysis.metrics.engagement import ROLE_SKILL
from analysis.privacy import banded
from analysis.privacy import rules as privacy
from analysis.privacy.canon import canonical_tables
from analysis.privacy.rules import SLICES
from analysis.store.db import Store
from analysis.store.filters import Filters

BUCKETS = (("0–2", 2), ("3–5", 5), ("6–8", 8), ("9+", None))  # label, most sessions held
EVERY = tuple(label for label, _ in BUCKETS)
COLUMNS = ["bucket", "order", "n", "mean_change", "suppressed", "suppressed_reason", "outcome"]


def people(store: Store, filters: Filters) -> pd.DataFrame:
    """Pair members in view with a gain on their role's skill: cohort_id, role, the slices,
    held (sessions their pair held), gain, bucket (a label of :data:`BUCKETS`)."""
    scores = data.paired_scores(store, filters)
    scores = scores[(scores["construct"] == scores["role"].map(ROLE_SKILL))
                    & scores["before"].notna() & scores["after"].notna()]
    members = pair_queries.pair_members(store, filters)[["cohort_id", "employee_id", "pair_id"]]
    held = pair_queries.pair_sessions(store)[["cohort_id", "pair_id", "held"]]
    frame = scores.merge(members, on=["cohort_id", "employee_id"]).merge(
        held, on=["cohort_id", "pair_id"])
    edges = [-1, *[most for _, most in BUCKETS[:-1]], np.inf]
    order = pd.cut(frame["held"].astype(float), bins=edges, labels=False)
    return frame.assign(gain=frame["after"] - frame["before"],
                        bucket=np.asarray(EVERY, dtype=object)[order.to_numpy(dtype=int)])


def bands(store: Store, *, k: int) -> banded.Bands:
    """The protected bucket tables over the whole database (kept per data state)."""
    return memo.kept(store, ("dose_bands", k), lambda: _protect(store, k))


def _protect(store: Store, k: int) -> banded.Bands:
    everyone = people(store, Filters())
    units = everyone.rename(columns={"cohort_id": "cohort", "bucket": banded.BAND})[
        ["cohort", "role", banded.BAND, *SLICES]]
    every = metrics.shared_units(store)
    if every is None:
        raise ValueError("the dose-response metric provides no units")
    base = canonical_tables(every, "dose_response", "skills", min_group_size=k)
    return banded.protect(units, base, k=k)


def buckets(store: Store, filters: Filters, *, min_group_size: int | None = None) -> pd.DataFrame:
    """Mean gain per bucket of sessions held for the people in view, protected.

    Columns: :data:`COLUMNS`. Hidden buckets keep their label with blank numbers and the
    reason; a bucket with no one in view is left out unless another bucket is hidden (then it
    is hidden too, see :func:`banded.decide`)."""
    k = privacy.resolve_min_group_size(min_group_size)
    frame = people(store, filters)
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    means = frame.groupby("bucket")["gain"].mean()
    conditions = {d: tuple(getattr(filters, d)) for d in SLICES if getattr(filters, d)}
    decided = banded.decide(bands(store, k=k), cohort=filters.cohort, role=filters.role,
                            conditions=conditions, counts=frame["bucket"].value_counts(),
                            every=EVERY)
    out = decided.rename(columns={banded.BAND: "bucket"})
    out["mean_change"] = out["bucket"].map(means).astype(float).where(~out["suppressed"])
    out["order"] = out["bucket"].map({label: i for i, label in enumerate(EVERY)})
    out["outcome"] = ROLE_SKILL[filters.role] if filters.role else "skills"
    return out.sort_values("order")[COLUMNS].reset_index(drop=True)


def warm(store: Store, *, min_group_size: int | None = None) -> None:
    """Build the bucket tables now (the dashboard's background warm-up)."""
    bands(store, k=privacy.resolve_min_group_size(min_group_size))
