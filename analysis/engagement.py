"""Engagement of mentoring pairs: sessions, minutes, cadence, cancellations, stalled pairs and
dose–response (held sessions against skill gain).

A pair is in view when at least one member passes the filters (with a role filter or a
breakdown by role: when the member of that role does). Pairs with no held session count as 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import data
from analysis.filters import Filters
from analysis.slicing import ALL_COHORTS, cohort_names, concat, label, label_cells
from analysis.stats._dist import wilson
from analysis.stats.descriptive import dose_response
from analysis.stats.grouped import mean_ci_groups
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


def _view_members(members: pd.DataFrame, filters: Filters,
                  by: str | None) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """Members stacked per role view (role 'all' unless a role is chosen or by == 'role'),
    the cell keys (cohort, view[, slice]) and the cells to report: without a slice every view
    of every cohort with members, even an empty one (it reports n = 0)."""
    roles = ([filters.role] if filters.role else ["mentor", "mentee"]) if (
        filters.role or by == "role") else ["all"]
    stacked = (members.assign(view="all") if roles == ["all"]
               else members[members["role"].isin(roles)].assign(view=members["role"]))
    keys = ["cohort_id", "view"]
    if by is None or by == "role":
        cells = members[["cohort_id"]].drop_duplicates().merge(
            pd.DataFrame({"view": roles}), how="cross")
    else:
        stacked = stacked[stacked[by].notna()]
        keys.append(by)
        cells = stacked[keys].drop_duplicates()
    return stacked, keys, cells


def _wilson(count: pd.Series, n: pd.Series, *, method: str) -> pd.DataFrame:
    """:func:`analysis.stats.descriptive.proportion` for many cells (NaN where n = 0)."""
    some = n > 0
    low, high = wilson(count.where(some, 0), n.where(some, 1), confidence=0.95)
    return pd.DataFrame({
        "n": n.astype("int64"), "estimate": (count / n.where(some)),
        "ci_low": pd.Series(low, index=n.index).where(some),
        "ci_high": pd.Series(high, index=n.index).where(some),
        "p_value": np.nan, "p_adjusted": np.nan, "effect_size": np.nan,
        "method": pd.Series(method, index=n.index).where(some, "share; Wilson 95% CI — none"),
        "count": count.astype(float)})


def _median(values: pd.DataFrame, keys: list[str], cells: pd.DataFrame,
            column: str) -> pd.DataFrame:
    """:func:`analysis.stats.descriptive.median_row` for many cells."""
    agg = values.dropna(subset=[column]).groupby(keys, sort=True)[column].agg(["size", "median"])
    out = cells.merge(agg.reset_index(), on=keys, how="left")
    n = out["size"].fillna(0).astype("int64")
    return pd.DataFrame({"n": n, "estimate": out["median"], "ci_low": np.nan, "ci_high": np.nan,
                         "p_value": np.nan, "p_adjusted": np.nan, "effect_size": np.nan,
                         "method": np.where(n > 0, "median", "median — no values")})


def engagement_rows(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    """Engagement statistics per cohort (and all cohorts together) × role view × slice, for
    every cell at once (pairs in a cell: those with a member in it).

    ``n`` is the number of pairs (cadence: pairs with at least two held sessions)."""
    pairs = _keyed(data.pair_sessions(store, cohort=filters.cohort, stall_days=STALL_DAYS))
    members = _keyed(data.pair_members(store, filters))
    pairs, members = _pooled(pairs, filters), _pooled(members, filters)
    stacked, keys, cells = _view_members(members, filters, by)
    in_view = (stacked[[*keys, "key"]].drop_duplicates()
               .merge(pairs.drop(columns=["pair_id"]), on=["cohort_id", "key"]))
    cells = cells.sort_values(keys).reset_index(drop=True)
    in_view["missed"] = in_view["cancelled"] + in_view["no_show"]
    in_view["three"] = (in_view["held"] >= 3).astype(int)
    sums = cells.merge(in_view.groupby(keys, sort=True).agg(
        pairs=("key", "size"), held=("held", "sum"), scheduled=("scheduled", "sum"),
        missed=("missed", "sum"), cancelled=("cancelled", "sum"), no_show=("no_show", "sum"),
        three=("three", "sum"), stalled=("stalled", "sum")).reset_index(), on=keys, how="left")
    sums = sums.fillna({c: 0 for c in sums.columns if c not in keys})
    n_pairs = sums["pairs"].astype("int64")
    held = mean_ci_groups(in_view, keys, value="held", cells=cells)
    frames = {
        "sessions_held": held.drop(columns=keys).assign(total_held=sums["held"].astype(float)),
        "minutes_per_pair": mean_ci_groups(in_view, keys, value="minutes",
                                           cells=cells).drop(columns=keys),
        "median_sessions_per_pair": _median(in_view, keys, cells, "held"),
        "cadence_days": _median(in_view, keys, cells, "median_gap_days").assign(
            method="median over pairs of each pair's median days between held sessions "
                   "(pairs with ≥2 held sessions)", n_pairs=n_pairs),
        "cancellation_rate": _wilson(sums["missed"], sums["scheduled"],
                                     method="share; Wilson 95% CI").assign(
            n=n_pairs, n_sessions=sums["scheduled"].astype("int64"),
            cancelled=sums["cancelled"].astype(float), no_show=sums["no_show"].astype(float),
            method="share of scheduled sessions cancelled or missed (no-show); Wilson 95% CI "
                   "(sessions treated as independent)"),
        "share_pairs_3plus": _wilson(sums["three"], n_pairs, method="share; Wilson 95% CI"),
        "stalled_pairs": _wilson(sums["stalled"], n_pairs, method="share; Wilson 95% CI").assign(
            method=f"share of pairs with no held session in the last {STALL_DAYS} days as of "
                   "min(cohort end, roster as-of); Wilson 95% CI"),
    }
    names = cohort_names(store)
    labelled = []
    for metric, frame in frames.items():
        result = pd.concat([cells.rename(columns={"view": "role"}), frame], axis=1)
        labelled.append(label_cells(result.assign(construct="engagement"), metric=metric,
                                    names=names, by=by, outcome="construct"))
    return concat(labelled)


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
