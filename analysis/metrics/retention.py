"""Retention of participants against the comparison group, and the ROI it implies.

Population and censoring: :func:`analysis.metrics.survival_queries.retention_population`, counted
per cohort × arm × role × slice × duration × event in SQL by
:func:`analysis.metrics.survival_queries.retention_counts`; every statistic works on those counts
(:mod:`analysis.stats.survival`, the ``*_counts`` functions) and
:func:`analysis.stats.roi.roi_columns`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.metrics import data, pair_queries, survival_queries
from analysis.metrics.slicing import LABEL_COLUMNS
from analysis.privacy import rules as privacy
from analysis.stats.cox import cox_hazard_ratio, cox_hazard_ratio_counts
from analysis.stats.roi import DEFAULT_REPLACEMENT_SHARES, roi_columns
from analysis.stats.survival import (
    kaplan_meier_counts,
    logrank_counts,
    survival_at_counts,
    survival_difference_at_counts,
)
from analysis.store.db import Store
from analysis.store.filters import Filters

ROI_METHOD = ("avoided voluntary exits (12-month retention difference × participants, with its "
              "95% CI) × replacement share × mean salary − programme cost; estimate: base "
              "scenario; range: every scenario × CI end")

HORIZON_DAYS = 365
Arm = tuple[np.ndarray, np.ndarray, np.ndarray]  # durations, events, people per row


def _columns(counts: pd.DataFrame, by: str | None) -> dict[str, np.ndarray]:
    """The counted rows as numpy columns; with a slice, rows without a slice value drop out
    (as in :func:`analysis.metrics.slicing.slices`), without one the slice is ''."""
    if by is not None and by != "role":
        counts = counts[counts["slice"].notna()]
    else:
        counts = counts.assign(slice="")
    cols = {c: counts[c].to_numpy(dtype=object) for c in ("cohort_id", "role", "slice")}
    cols["treat"] = counts["treat"].to_numpy(dtype=int)
    for c in ("duration", "event", "people", "salary_sum", "salary_n"):
        cols[c] = counts[c].to_numpy(dtype=float)
    return cols


def _cells(cols: dict[str, np.ndarray], filters: Filters, by: str | None
           ) -> Iterator[tuple[str, str, dict[str, object], np.ndarray, np.ndarray]]:
    """(cohort, treated role, slice, treated row positions, comparison row positions) for
    every retention cell, in the order of the per-person breakdown: per cohort, per role group
    (:func:`analysis.metrics.slicing.role_groups`: each role, then 'all' = every treated role), per
    slice value present in either arm."""
    keys = pd.DataFrame({k: cols[k] for k in ("cohort_id", "treat", "role", "slice")})
    index = keys.groupby(list(keys.columns), sort=False).indices  # key -> row positions
    sliced = by is not None and by != "role"
    roles = [filters.role] if filters.role else ["mentor", "mentee"]
    groups = roles + (["all"] if not filters.role and by != "role" else [])
    none = np.zeros(0, dtype=np.intp)

    def rows(wanted: list[tuple[object, ...]]) -> np.ndarray:
        parts = [index[k] for k in wanted]
        return np.concatenate(parts) if parts else none

    for cohort in sorted(set(cols["cohort_id"].tolist())):
        mine = [k for k in index if k[0] == cohort]
        comparison = [k for k in mine if k[1] == 0]
        for role in groups:
            treated = [k for k in mine if k[1] == 1 and (role == "all" or k[2] == role)]
            values = sorted({k[3] for k in treated} | {k[3] for k in comparison})
            for value in values:
                group = {str(by): value} if sliced else {}
                yield (str(cohort), role, group, rows([k for k in treated if k[3] == value]),
                       rows([k for k in comparison if k[3] == value]))
            if not values and not sliced:  # nobody in either arm: still the cell's row
                yield str(cohort), role, {}, none, none


def _arm(cols: dict[str, np.ndarray], at: np.ndarray) -> Arm:
    return cols["duration"][at], cols["event"][at], cols["people"][at]


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Labelled result rows built in one go (a frame per row would cost milliseconds each)."""
    from analysis.metrics.slicing import empty_results

    if not records:
        return empty_results()
    frame = pd.DataFrame.from_records(records)
    frame["n"] = frame["n"].astype("int64")
    return frame


def _labels(*, outcome: str, metric: str, cohort: str, names: dict[str, str], role: str,
            group: dict[str, object]) -> dict[str, Any]:
    """The identifying columns of :func:`analysis.metrics.slicing.label`, as a dict."""
    values = [outcome, metric, cohort, names.get(cohort), role, dict(group)]
    return dict(zip(LABEL_COLUMNS, values, strict=True))


def _people_cell(people: pd.DataFrame, cohort: str, role: str, group: dict[str, object]
                 ) -> pd.DataFrame:
    """The per-person rows of one cell (for Cox with covariates only): treated first."""
    roles = ["mentor", "mentee"] if role == "all" else [role]
    keep = (people["cohort_id"] == cohort) & ((people["treat"] == 0)
                                             | people["role"].isin(roles))
    for column, value in group.items():
        keep &= people[column] == value
    return people[keep]


RETENTION_METRICS = ("retention_12m", "retention_diff_12m", "logrank", "cox_hr")


def retention_rows(store: Store, filters: Filters, by: str | None, *,
                   covariates: Sequence[str] = (),
                   only: Collection[str] = RETENTION_METRICS) -> pd.DataFrame:
    """``retention_12m`` per arm, ``retention_diff_12m``, ``logrank`` and ``cox_hr`` rows; of
    those, the ones in ``only`` (the overview's card needs no Cox fit per cell)."""
    unknown = set(only) - set(RETENTION_METRICS)
    if unknown:
        raise ValueError(f"only: unknown retention metric(s) {', '.join(sorted(unknown))}")
    names = data.cohorts(store).set_index("cohort_id")["name"].to_dict()
    cols = _columns(survival_queries.retention_counts(store, filters, by=by), by)
    # Cox with covariates needs people, not counts (not in the default run)
    people = survival_queries.retention_population(store, filters) if covariates else None
    rows: list[dict[str, Any]] = []
    shown: set[str] = set()  # the comparison arm's row once per cohort × slice
    for cohort, role, group, treated_at, comparison_at in _cells(cols, filters, by):
        treated, comparison = _arm(cols, treated_at), _arm(cols, comparison_at)
        sizes = {"n_treated": int(treated[2].sum()), "n_comparison": int(comparison[2].sum())}
        tag = {"outcome": "retention", "cohort": cohort, "names": names, "group": group}
        arms = [(role, treated)]
        if (key := f"{cohort}|{sorted(group.items())}") not in shown:
            shown.add(key)
            arms.append(("comparison", comparison))
        if "retention_12m" in only:
            for arm_role, arm in arms:
                rows.append({**_labels(metric="retention_12m", role=arm_role, **tag),
                             **survival_at_counts(*arm, t=HORIZON_DAYS)})
        if "retention_diff_12m" in only:
            diff = survival_difference_at_counts(*treated, *comparison, t=HORIZON_DAYS)
            rows.append({**_labels(metric="retention_diff_12m", role=role, **tag), **diff})
        both = [np.concatenate(pair) for pair in zip(treated, comparison, strict=True)]
        arm_of = np.repeat([1, 0], [treated[0].size, comparison[0].size])
        if "logrank" in only:
            test = logrank_counts(both[0], both[1], arm_of, both[2])
            rows.append({**_labels(metric="logrank", role=role, **tag), **test, **sizes})
        if "cox_hr" not in only:
            continue
        if people is None:
            cox = cox_hazard_ratio_counts(both[0], both[1], arm_of, both[2])
        else:
            cell = _people_cell(people, cohort, role, group)
            used = [c for c in covariates if cell[c].nunique(dropna=True) > 1]
            cox = cox_hazard_ratio(cell, duration="duration", event="event", treat="treat",
                                   covariates=used).iloc[0].to_dict()
        rows.append({**_labels(metric="cox_hr", role=role, **tag), **cox, **sizes})
    return _frame(rows)


def roi_rows(store: Store, filters: Filters, by: str | None, *,
             replacement_shares: Mapping[str, float] = DEFAULT_REPLACEMENT_SHARES
             ) -> pd.DataFrame:
    """ROI scenarios (low / base / high replacement cost) per cohort × role (× slice).

    Avoided exits = 12-month retention difference × participants (with its CI); value at
    the participants' mean salary; the cohort's cost is shared pro rata when only part of the
    cohort is in view (a role or slice). ``estimate`` is the net value, ``ci_low``/``ci_high``
    its range over the retention CI; inputs are in their own columns.
    """
    names = data.cohorts(store).set_index("cohort_id")["name"].to_dict()
    costs = data.cohorts(store).set_index("cohort_id")["cost"].to_dict()
    cohort_size = pair_queries.cohort_participants(store).set_index("cohort_id")["people"].to_dict()
    cols = _columns(survival_queries.retention_counts(store, filters, by=by), by)
    rows: list[dict[str, Any]] = []
    for cohort, role, group, treated_at, comparison_at in _cells(cols, filters, by):
        treated, comparison = _arm(cols, treated_at), _arm(cols, comparison_at)
        n_treated, n_comparison = int(treated[2].sum()), int(comparison[2].sum())
        diff = survival_difference_at_counts(*treated, *comparison, t=HORIZON_DAYS)
        cost = costs.get(cohort)
        share = n_treated / cohort_size.get(cohort, n_treated or 1)
        cost_in_view = None if cost is None or pd.isna(cost) else float(cost) * share
        known = float(cols["salary_n"][treated_at].sum())
        salary = float(cols["salary_sum"][treated_at].sum()) / known if known else np.nan
        # the scenario columns as arrays: a frame per cell cost more than the statistics
        table = roi_columns(
            retention_diff=diff["estimate"], retention_diff_ci_low=diff["ci_low"],
            retention_diff_ci_high=diff["ci_high"], participants=n_treated,
            mean_salary=0.0 if np.isnan(salary) else salary, programme_cost=cost_in_view,
            replacement_shares=replacement_shares)
        scenarios = list(table["scenario"])
        # One row: the base scenario's net value, ranging over every scenario × retention CI end.
        base = scenarios.index("base") if "base" in scenarios else len(scenarios) // 2
        ends = np.concatenate([table["net"], table["net_low"], table["net_high"]])
        finite = ends[np.isfinite(ends)]
        unknown = np.isnan(salary)  # no salaries: no value, only the inputs
        result: dict[str, Any] = {
            **_labels(outcome="roi", metric="roi", cohort=cohort, names=names, role=role,
                      group=group),
            "n": n_treated, "estimate": np.nan if unknown else float(table["net"][base]),
            "ci_low": np.nan if unknown or not finite.size else finite.min(),
            "ci_high": np.nan if unknown or not finite.size else finite.max(),
            "p_value": np.nan, "p_adjusted": np.nan, "effect_size": np.nan, "method": ROI_METHOD,
        }
        for i, scenario in enumerate(scenarios):
            for key in ("replacement_share", "value", "net", "net_low", "net_high", "roi"):
                result[f"{key}_{scenario}"] = float(table[key][i])
        rows.append({
            **result,
            **{key: float(table[key][0]) for key in ("avoided_exits", "avoided_exits_low",
                                                      "avoided_exits_high", "programme_cost")},
            "n_treated": n_treated, "n_comparison": n_comparison, "mean_salary": salary,
            "retention_diff": diff["estimate"], "retention_diff_ci_low": diff["ci_low"],
            "retention_diff_ci_high": diff["ci_high"], "cost_share": share,
        })
    return _frame(rows)


KM_COLUMNS = ["arm", "time", "survival", "ci_low", "ci_high", "at_risk", "events", "n"]


def _km_arms(store: Store, filters: Filters, cohort: str, k: int
             ) -> Iterator[tuple[str, np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]]:
    """(arm, durations, events, people, Kaplan–Meier steps) of each arm with k or more people."""
    cols = _columns(survival_queries.retention_counts(store, filters, cohort=cohort), None)
    for treat, arm in ((1, "participants"), (0, "comparison")):
        durations, events, people = _arm(cols, np.flatnonzero(cols["treat"] == treat))
        if people.sum() >= k:
            yield arm, durations, events, people, kaplan_meier_counts(durations, events, people)


def _stack(curves: list[pd.DataFrame]) -> pd.DataFrame:
    if not curves:
        return pd.DataFrame(columns=KM_COLUMNS)
    return pd.concat(curves, ignore_index=True)[KM_COLUMNS]


def km_curves(store: Store, filters: Filters, *, cohort: str,
              min_group_size: int | None = None) -> pd.DataFrame:
    """Kaplan–Meier curves with log-log bands and at-risk counts, one per arm, for the dashboard.

    Columns: arm (participants / comparison), time, survival, ci_low, ci_high, at_risk,
    events, n. An arm with fewer people than the minimum group size is left out; each curve
    stops where fewer than that many people remain at risk (so no step describes a tiny group).
    """
    k = privacy.resolve_min_group_size(min_group_size)
    return _stack([curve[curve["at_risk"] >= k].assign(arm=arm, n=int(people.sum()))
                   for arm, _d, _e, people, curve in _km_arms(store, filters, cohort, k)])


def km_monthly(store: Store, filters: Filters, *, cohort: str, step_days: int = 30,
               min_group_size: int | None = None) -> pd.DataFrame:
    """:func:`km_curves` read on a fixed grid (every ``step_days`` days from the start).

    The estimate is the same step function, read at each grid day; ``at_risk`` is the people
    still followed on that day (``#{duration >= day}``) and ``events`` the exits since the last
    grid day. A grid shared by every view means a shown curve gives counts on the same days
    whatever the filter; each curve stops where fewer than the minimum remain at risk.
    """
    k = privacy.resolve_min_group_size(min_group_size)
    curves = []
    for arm, durations, events, people, steps in _km_arms(store, filters, cohort, k):
        n = float(people.sum())
        days = np.arange(0.0, float(durations.max()) + 1.0, float(step_days))
        at = np.searchsorted(steps["time"].to_numpy(dtype=float), days, side="right") - 1
        curve = steps.iloc[at][["survival", "ci_low", "ci_high"]].reset_index(drop=True)
        order = np.argsort(durations, kind="stable")
        d, exits = durations[order], np.concatenate([[0.0], np.cumsum((events * people)[order])])
        gone = np.concatenate([[0.0], np.cumsum(people[order])])
        before = np.searchsorted(d, days, side="left")  # people with duration < day
        upto = exits[np.searchsorted(d, days, side="right")]  # exits on or before the day
        curve["time"] = days
        curve["at_risk"] = n - gone[before]
        curve["events"] = np.diff(np.concatenate([[0.0], upto]))
        curves.append(curve[curve["at_risk"] >= k].assign(arm=arm, n=n))
    return _stack(curves)
