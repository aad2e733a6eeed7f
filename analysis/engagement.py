"""Engagement of mentoring pairs: sessions, minutes, cadence, cancellations, stalled pairs and
dose–response (held sessions against skill gain).

A pair is in view when at least one member passes the filters (with a role filter or a
breakdown by role: when the member of that role does). Pairs with no held session count as 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import data, privacy
from analysis.filters import Filters
from analysis.slicing import ALL_COHORTS, cohort_names, concat, label
from analysis.stats.descriptive import dose_response, mean_ci, median_row, proportion
from analysis.store import Store

STALL_DAYS = 45
# Each role's own skill: mentees learn digital skills, mentors practise leadership.
ROLE_SKILL = {"mentee": "skills.digital", "mentor": "skills.leadership"}
ENGAGEMENT_METRICS = ("sessions_held", "minutes_per_pair", "median_sessions_per_pair",
                      "cadence_days", "cancellation_rate", "share_pairs_3plus", "stalled_pairs")


def _pooled(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Add every cohort together as cohort 'all' when several are in view."""
    if filters.cohort is None and frame["cohort_id"].nunique() > 1:
        frame = pd.concat([frame, frame.assign(cohort_id=ALL_COHORTS)], ignore_index=True)
    return frame


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    """A pair id is unique only within its cohort: key it by both before pooling cohorts."""
    return frame.assign(key=frame["cohort_id"].astype(str) + "|" + frame["pair_id"].astype(str))


def _views(members: pd.DataFrame, filters: Filters, by: str | None):
    """(role, group, members in view) — role 'all' unless a role is chosen or by == 'role'."""
    roles = ([filters.role] if filters.role else ["mentor", "mentee"]) if (
        filters.role or by == "role") else ["all"]
    for role in roles:
        part = members if role == "all" else members[members["role"] == role]
        if by is None or by == "role":
            yield role, {}, part
            continue
        for key, cell in part.groupby(by, sort=True, dropna=True):
            yield role, {by: key}, cell


def _engagement_cell(pairs: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Every engagement statistic of one set of pairs (one row each)."""
    scheduled = int(pairs["scheduled"].sum())
    missed = int((pairs["cancelled"] + pairs["no_show"]).sum())
    cancellation = proportion(missed, scheduled).assign(
        n=len(pairs), n_sessions=scheduled, cancelled=float(pairs["cancelled"].sum()),
        no_show=float(pairs["no_show"].sum()),
        method="share of scheduled sessions cancelled or missed (no-show); Wilson 95% CI "
               "(sessions treated as independent)")
    three = proportion(int((pairs["held"] >= 3).sum()), len(pairs))
    stalled = proportion(int(pairs["stalled"].sum()), len(pairs)).assign(
        method=f"share of pairs with no held session in the last {STALL_DAYS} days as of "
               "min(cohort end, roster as-of); Wilson 95% CI")
    cadence = median_row(pairs["median_gap_days"]).assign(
        method="median over pairs of each pair's median days between held sessions "
               "(pairs with ≥2 held sessions)")
    return [
        ("sessions_held", mean_ci(pairs["held"]).assign(total_held=float(pairs["held"].sum()))),
        ("minutes_per_pair", mean_ci(pairs["minutes"])),
        ("median_sessions_per_pair", median_row(pairs["held"])),
        ("cadence_days", cadence.assign(n_pairs=len(pairs))),
        ("cancellation_rate", cancellation),
        ("share_pairs_3plus", three),
        ("stalled_pairs", stalled),
    ]


def engagement_rows(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    """Engagement statistics per cohort (and all cohorts together) × role view × slice.

    ``n`` is the number of pairs (cadence: pairs with at least two held sessions)."""
    pairs = _keyed(data.pair_sessions(store, cohort=filters.cohort, stall_days=STALL_DAYS))
    members = _keyed(data.pair_members(store, filters))
    pairs, members = _pooled(pairs, filters), _pooled(members, filters)
    names = cohort_names(store)
    rows = []
    for cohort, cohort_members in members.groupby("cohort_id", sort=True):
        cohort_pairs = pairs[pairs["cohort_id"] == cohort]
        for role, group, part in _views(cohort_members, filters, by):
            in_view = cohort_pairs[cohort_pairs["key"].isin(part["key"])]
            for metric, result in _engagement_cell(in_view):
                rows.append(label(result, outcome="engagement", metric=metric, cohort=cohort,
                                  names=names, role=role, group=group))
    return concat(rows)


def dose_response_rows(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    """Held sessions of a person's pair against their own skill gain (after − before):
    mentees' digital skills, mentors' leadership skills, and both together (outcome
    ``skills``, SE clustered by pair)."""
    pairs = data.pair_sessions(store, cohort=filters.cohort)[["cohort_id", "pair_id", "held"]]
    members = data.pair_members(store, filters)[["cohort_id", "employee_id", "pair_id"]]
    scores = data.paired_scores(store, filters)
    skill = scores["construct"] == scores["role"].map(ROLE_SKILL)
    people = (scores[skill].merge(members, on=["cohort_id", "employee_id"])
              .merge(pairs, on=["cohort_id", "pair_id"]))
    people["gain"] = people["after"] - people["before"]
    people = _pooled(people.dropna(subset=["gain"]), filters)
    names = cohort_names(store)
    roles = [filters.role] if filters.role else ["mentor", "mentee"]
    rows = []
    for cohort, part in people.groupby("cohort_id", sort=True):
        views = [(r, ROLE_SKILL[r], part[part["role"] == r]) for r in roles]
        if not filters.role and by != "role":
            views.append(("all", "skills", part))
        for role, outcome, cell in views:
            groups = [({}, cell)] if by in (None, "role") else [
                ({by: k}, c) for k, c in cell.groupby(by, sort=True, dropna=True)]
            for group, sub in groups:
                clusters = (sub["cohort_id"] + "|" + sub["pair_id"]) if role == "all" else None
                result = dose_response(sub["held"], sub["gain"], clusters=clusters)
                rows.append(label(result, outcome=outcome, metric="dose_response",
                                  cohort=cohort, names=names, role=role, group=group))
    return concat(rows)


def pair_health(store: Store, filters: Filters, *, cohort: str,
                min_group_size: int | None = None) -> pd.DataFrame:
    """One row per pair of a cohort for programme managers: pair_id, sessions held, minutes,
    scheduled, cancelled, no-show, last held session, days since, stalled. No employee ids.

    Empty when fewer pairs than the minimum group size are in view."""
    k = privacy.resolve_min_group_size(min_group_size)
    pairs = data.pair_sessions(store, cohort=cohort, stall_days=STALL_DAYS)
    members = data.pair_members(store, filters)
    pairs = pairs[pairs["pair_id"].isin(members.loc[members["cohort_id"] == cohort, "pair_id"])]
    columns = ["pair_id", "held", "minutes", "scheduled", "cancelled", "no_show", "last_held",
               "median_gap_days", "days_since_held", "stalled"]
    if len(pairs) < k:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    out = pairs[columns].sort_values(["stalled", "days_since_held"], ascending=[False, False])
    out["stalled"] = out["stalled"].astype(bool)
    return out.reset_index(drop=True).astype({"held": np.int64, "scheduled": np.int64})
