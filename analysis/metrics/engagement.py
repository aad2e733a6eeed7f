"""Engagement of mentoring pairs: sessions, minutes, cadence, cancellations, stalled pairs and
dose–response (held sessions against skill gain).

A pair is in view when at least one member passes the filters (with a role filter or a
breakdown by role: when the member of that role does). Pairs with no held session count as 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.cache import memo
from analysis.metrics import data, pair_queries
from analysis.metrics.slicing import ALL_COHORTS, CellLabels, cohort_names, concat, label
from analysis.stats._dist import wilson
from analysis.stats._groups import lookup
from analysis.stats.descriptive import dose_response
from analysis.stats.grouped import mean_ci_arrays, median_arrays
from analysis.store.db import Store
from analysis.store.filters import Filters

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


def _members(store: Store, filters: Filters) -> pd.DataFrame:
    """:func:`analysis.metrics.pair_queries.pair_members` of the filter state with ``pair``: the
    row of the member's pair in the whole-data :func:`analysis.metrics.pair_queries.pair_sessions`
    frame (a pair id is unique only within its cohort; an integer keys both)."""
    def build() -> pd.DataFrame:
        pairs = pair_queries.pair_sessions(store, stall_days=STALL_DAYS)
        members = pair_queries.pair_members(store, Filters())
        return members.assign(pair=lookup(pairs, members, ["cohort_id", "pair_id"]))

    every = memo.remembered(store, ("engagement_members", STALL_DAYS), build)
    return data.select_people(every, filters)


def _view_members(members: pd.DataFrame, filters: Filters,
                  by: str | None) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """Members stacked per role view (role 'all' unless a role is chosen or by == 'role'),
    the cell keys (cohort, view[, slice]) and the cells to report, sorted by the keys: without
    a slice every view of every cohort with members, even an empty one (it reports n = 0)."""
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
    return stacked, keys, cells.sort_values(keys).reset_index(drop=True)


def _wilson(count: np.ndarray, n: np.ndarray, *, method: str) -> pd.DataFrame:
    """:func:`analysis.stats.descriptive.proportion` for many cells (NaN where n = 0)."""
    some = n > 0
    low, high = wilson(np.where(some, count, 0), np.where(some, n, 1), confidence=0.95)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = np.where(some, count / n, np.nan)
    return pd.DataFrame({
        "n": n.astype("int64"), "estimate": estimate,
        "ci_low": np.where(some, low, np.nan), "ci_high": np.where(some, high, np.nan),
        "p_value": np.nan, "p_adjusted": np.nan, "effect_size": np.nan,
        "method": np.where(some, method, "share; Wilson 95% CI — none").astype(object),
        "count": count.astype(float)})


def _median(values: np.ndarray, cell: np.ndarray, size: int) -> pd.DataFrame:
    """:func:`analysis.stats.descriptive.median_row` for many cells."""
    n, median = median_arrays(values, cell, size)
    return pd.DataFrame({"n": n.astype("int64"), "estimate": median, "ci_low": np.nan,
                         "ci_high": np.nan, "p_value": np.nan, "p_adjusted": np.nan,
                         "effect_size": np.nan,
                         "method": np.where(n > 0, "median", "median — no values")})


def _mean(values: np.ndarray, cell: np.ndarray, size: int) -> pd.DataFrame:
    """:func:`analysis.stats.grouped.mean_ci_groups` for many cells."""
    columns = mean_ci_arrays(values, cell, size)
    return pd.DataFrame({"n": columns["n"], "estimate": columns["estimate"],
                         "ci_low": columns["ci_low"], "ci_high": columns["ci_high"],
                         "p_value": np.nan, "p_adjusted": np.nan, "effect_size": np.nan,
                         "method": columns["method"], "sd": columns["sd"]})


def engagement_rows(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    """Engagement statistics per cohort (and all cohorts together) × role view × slice, for
    every cell at once (pairs in a cell: those with a member in it).

    ``n`` is the number of pairs (cadence: pairs with at least two held sessions)."""
    pairs = pair_queries.pair_sessions(store, stall_days=STALL_DAYS)
    stacked, keys, cells = _view_members(_pooled(_members(store, filters), filters), filters, by)
    # each pair once per cell it has a member in
    where = lookup(cells, stacked, keys)
    in_view = np.unique(where * max(len(pairs), 1) + stacked["pair"].to_numpy())
    cell, pair = in_view // max(len(pairs), 1), in_view % max(len(pairs), 1)
    size = len(cells)

    def column(name: str) -> np.ndarray:
        return pairs[name].to_numpy(dtype=float)[pair]

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(cell, weights=values, minlength=size)

    held = column("held")
    n_pairs = np.bincount(cell, minlength=size)
    scheduled = total(column("scheduled"))
    cancelled, no_show = total(column("cancelled")), total(column("no_show"))
    frames = {
        "sessions_held": _mean(held, cell, size).assign(total_held=total(held)),
        "minutes_per_pair": _mean(column("minutes"), cell, size),
        "median_sessions_per_pair": _median(held, cell, size),
        "cadence_days": _median(column("median_gap_days"), cell, size).assign(
            method="median over pairs of each pair's median days between held sessions "
                   "(pairs with ≥2 held sessions)", n_pairs=n_pairs),
        "cancellation_rate": _wilson(cancelled + no_show, scheduled,
                                     method="share; Wilson 95% CI").assign(
            n=n_pairs, n_sessions=scheduled.astype("int64"), cancelled=cancelled,
            no_show=no_show,
            method="share of scheduled sessions cancelled or missed (no-show); Wilson 95% CI "
                   "(sessions treated as independent)"),
        "share_pairs_3plus": _wilson(total((held >= 3).astype(float)), n_pairs,
                                     method="share; Wilson 95% CI"),
        "stalled_pairs": _wilson(total(column("stalled")), n_pairs,
                                 method="share; Wilson 95% CI").assign(
            method=f"share of pairs with no held session in the last {STALL_DAYS} days as of "
                   "min(cohort end, roster as-of); Wilson 95% CI"),
    }
    labels = CellLabels(cells.rename(columns={"view": "role"}).assign(construct="engagement"),
                        names=cohort_names(store), by=by)
    return concat([labels.rows(frame, metric=metric) for metric, frame in frames.items()])


def dose_response_rows(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    """Held sessions of a person's pair against their own skill gain (after − before):
    mentees' digital skills, mentors' leadership skills, and both together (outcome
    ``skills``, SE clustered by pair)."""
    pairs = pair_queries.pair_sessions(store, cohort=filters.cohort)[
        ["cohort_id", "pair_id", "held"]]
    members = pair_queries.pair_members(store, filters)[["cohort_id", "employee_id", "pair_id"]]
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
