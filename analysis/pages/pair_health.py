"""Pair health for programme managers: pairs per cohort × health status, never one row per pair.

Status of a pair as of min(cohort end, roster as-of): ``stalled`` (no held session in
:data:`engagement.STALL_DAYS` days: the ``stalled_pairs`` definition), ``slowing`` (not stalled,
but none in :data:`SLOWING_DAYS`), else ``on track``. Each row counts pairs, so it is a band of
the pair family (pairs counted by their mentor, as every engagement row without a slice) and is
decided by :mod:`analysis.privacy.banded` against that family's canonical tables: a row is shown
only with k or more pairs and when no other row, cohort or total can be subtracted to reveal a
smaller one. The table is per cohort and not offered under a slice filter (a pair is in a slice
when either member is; the mentor and mentee tables would have to be combined).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.cache import memo
from analysis.metrics import pair_queries
from analysis.metrics import registry as metrics
from analysis.metrics.engagement import STALL_DAYS
from analysis.metrics.units import PAIRS
from analysis.privacy import banded
from analysis.privacy import rules as privacy
from analysis.privacy.canon import canonical_tables
from analysis.privacy.rules import SLICES
from analysis.store.db import Store
from analysis.store.filters import Filters

SLOWING_DAYS = 21
STATUSES = ("stalled", "slowing", "on track")
COLUMNS = ["cohort", "status", "pairs", "median_sessions", "median_days_since",
           "share_cancelled", "suppressed", "suppressed_reason"]


def statuses(pairs: pd.DataFrame) -> pd.Series:
    """The health status of each pair of :func:`pair_queries.pair_sessions`."""
    slowing = pairs["days_since_held"].to_numpy(dtype=float) > SLOWING_DAYS
    status = np.where(pairs["stalled"].astype(bool), "stalled",
                      np.where(slowing, "slowing", "on track"))
    return pd.Series(status, index=pairs.index, dtype=object)


def _bands(store: Store, *, k: int) -> banded.Bands:
    """The protected cohort × status tables over the whole database (kept per data state)."""
    return memo.kept(store, ("pair_health", k), lambda: _protect(store, k))


def _protect(store: Store, k: int) -> banded.Bands:
    pairs = pair_queries.pair_sessions(store, stall_days=STALL_DAYS)
    members = pair_queries.pair_members(store, Filters())
    mentors = members[members["role"] == "mentor"][["cohort_id", "pair_id", "role", *SLICES]]
    units = mentors.merge(pairs.assign(band=statuses(pairs))[["cohort_id", "pair_id", "band"]],
                          on=["cohort_id", "pair_id"]).rename(columns={"cohort_id": "cohort"})
    every = metrics.shared_units(store)
    if every is None:
        raise ValueError("the engagement metrics provide no units")
    base = canonical_tables(every, "engagement", PAIRS, min_group_size=k)
    return banded.protect(units, base, k=k, base_role="mentor", slices=())


def pair_health(store: Store, filters: Filters, *, cohort: str | None = None,
                min_group_size: int | None = None) -> pd.DataFrame:
    """Pairs per health status for each cohort in view (``cohort``, else every cohort): pairs,
    median sessions held, median days since the last held session, share of scheduled sessions
    cancelled. Hidden rows keep their cohort and status, blank numbers and the reason; a status
    with no pairs is left out unless another row of the cohort is hidden (then it is hidden too).

    Columns: :data:`COLUMNS`; no pair or employee ids."""
    k = privacy.resolve_min_group_size(min_group_size)
    pairs = pair_queries.pair_sessions(store, cohort=cohort, stall_days=STALL_DAYS)
    members = pair_queries.pair_members(store, filters)
    keys = members[["cohort_id", "pair_id"]].drop_duplicates()
    pairs = pairs.merge(keys, on=["cohort_id", "pair_id"]).assign(status=lambda f: statuses(f))
    if pairs.empty:
        return pd.DataFrame(columns=COLUMNS)
    grouped = pairs.groupby(["cohort_id", "status"], as_index=False).agg(
        pairs=("pair_id", "size"), median_sessions=("held", "median"),
        median_days_since=("days_since_held", "median"), cancelled=("cancelled", "sum"),
        scheduled=("scheduled", "sum"))
    grouped["share_cancelled"] = grouped["cancelled"] / grouped["scheduled"].where(
        grouped["scheduled"] > 0)
    conditions = {d: tuple(getattr(filters, d)) for d in SLICES if getattr(filters, d)}
    bands = _bands(store, k=k)
    parts = []
    for cohort_id, part in grouped.groupby("cohort_id", sort=True):
        decided = banded.decide(bands, cohort=str(cohort_id), role=None, conditions=conditions,
                                counts=part.set_index("status")["pairs"], every=STATUSES)
        rows = part.merge(decided[["band", "suppressed", "suppressed_reason"]],
                          left_on="status", right_on="band", how="right")
        rows["status"] = rows["band"]
        parts.append(rows.assign(cohort_id=cohort_id).rename(columns={"cohort_id": "cohort"}))
    out = pd.concat(parts, ignore_index=True)
    hidden = out["suppressed"].to_numpy(dtype=bool)
    for column in ("pairs", "median_sessions", "median_days_since", "share_cancelled"):
        out[column] = out[column].astype(float).where(~hidden)
    out["order"] = out["status"].map({s: i for i, s in enumerate(STATUSES)})
    return out.sort_values(["cohort", "order"])[COLUMNS].reset_index(drop=True)


def warm(store: Store, *, min_group_size: int | None = None) -> None:
    """Build the pair-status tables now (the dashboard's background warm-up)."""
    _bands(store, k=privacy.resolve_min_group_size(min_group_size))
