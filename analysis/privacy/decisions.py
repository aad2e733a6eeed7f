"""Deciding what is shown: result rows (:func:`suppress_results`, which the metrics registry
calls on every row), a single group (:func:`group_hidden`) and count tables
(:func:`suppress_counts`), each on the canonical tables of :mod:`analysis.privacy.canon` under
the rules of :mod:`analysis.privacy.rules`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.privacy import complement
from analysis.privacy.canon import _Canon, _canon_for
from analysis.privacy.complement import TOTAL, UNPUBLISHED
from analysis.privacy.rules import (
    ALL,
    DECISION_COLUMNS,
    REASON_THREE,
    REASON_UNCHECKED,
    SLICES,
    SUPPRESSED_REASON,
    Arm,
    Arms,
    Population,
    _blank,
    _count_columns,
    population,
    resolve_min_group_size,
)


def _key(row: Mapping[str, Any]) -> tuple[str, str, dict[str, str]]:
    cohort = TOTAL if row["cohort"] == ALL else str(row["cohort"])
    role = TOTAL if row["role"] == ALL else str(row["role"])
    group = row["group"] if isinstance(row["group"], dict) else {}
    return cohort, role, {k: str(v) for k, v in group.items() if k in SLICES}


def _decide(canon: _Canon, pop: Population, row: Mapping[str, Any],
            arms: Arms | None = None) -> tuple[bool, str]:
    cohort, role, slices = _key(row)
    conditions = dict(pop)
    for dim, value in slices.items():  # a breakdown within a filter: the value, if allowed
        conditions[dim] = (value,) if value in conditions.get(dim, (value,)) else ()
    if any(not values for values in conditions.values()):
        return True, REASON_UNCHECKED
    if len(conditions) > 2:
        return True, REASON_THREE
    chosen = arms(row, bool(conditions)) if arms is not None else None
    for arm in chosen or [Arm(str(row["metric"]), str(row["outcome"]))]:
        shown, count, reason = True, 0.0, ""
        for part in arm.roles or (role,):
            part = TOTAL if part == ALL else part
            ok, size, why = canon.group(arm.metric, arm.outcome, cohort, part, conditions)
            if not ok and pd.isna(size):  # refused before counting (two or three slices)
                return True, why or REASON_UNCHECKED
            shown, count, reason = shown and ok, count + size, reason or why
        n = row.get(arm.count)
        if n is None or pd.isna(n) or pd.isna(count) or int(count) != int(n):
            return True, arm.mismatch
        if not shown and count > 0:
            return True, reason or REASON_UNCHECKED
        if arm.roles and len(arm.roles) > 1 and len(conditions) == 1:  # one overlapping cell
            ((dim, values),) = conditions.items()
            if len(values) == 1 and values[0] in canon.overlap_hidden(
                    arm.metric, arm.outcome, arm.roles, cohort, dim):
                return True, complement.REASON_COMPLEMENT
    return False, ""


def suppress_results(frame: pd.DataFrame, *, min_group_size: int | None = None,
                     units: pd.DataFrame | None = None, filters: Any = None,
                     number_columns: list[str] | None = None,
                     arms: Arms | None = None) -> pd.DataFrame:
    """Hide result rows a user may not see; adds ``suppressed`` and ``suppressed_reason``.

    ``units``: one row per counted person (columns :data:`UNIT_COLUMNS`) for the whole database —
    every cohort and role, no slice filter — so complementary suppression is decided on the complete
    breakdown. ``filters``: the slice filters the frame was computed under. Without ``units`` only
    the primary rule (n < k) applies; rows of metrics that do not provide units get that.
    ``arms``: the groups behind a row (:class:`Arm`: both arms of a comparison, pairs counted
    by member, unit families shared by several metrics); rows it gives arms for are decided on
    those, the others on their own metric and outcome.
    """
    k = resolve_min_group_size(min_group_size)
    if frame.empty:
        out = frame.copy()
        out["suppressed"] = pd.Series(dtype=bool)
        out["suppressed_reason"] = pd.Series(dtype=object)
        return out
    counts = frame[_count_columns(frame)].astype(float)
    small = (counts < k).any(axis=1).to_numpy() | counts.isna().all(axis=1).to_numpy()
    reasons = np.where(small, SUPPRESSED_REASON.format(k=k), "").astype(object)
    hidden = small.copy()
    if units is not None:
        canon = _canon_for(units, k)
        pop = population(filters) if filters is not None else ()
        known = canon.families  # (metric, outcome) -> its units, built once per units frame
        # the columns a decision reads (labels, counts, an alpha's phase): records of every
        # result column cost more than the decisions on wide frames of several metrics
        read = [c for c in frame.columns if c in DECISION_COLUMNS] + _count_columns(frame)
        records = frame[read].to_dict("records")
        for i, row in enumerate(records):
            if hidden[i]:
                continue
            if arms is not None and arms(row, True) is not None:
                hidden[i], reasons[i] = _decide(canon, pop, row, arms)
            elif (row["metric"], row["outcome"]) in known:
                hidden[i], reasons[i] = _decide(canon, pop, row)
    return _blank(frame, hidden, reasons, number_columns)


def group_hidden(n: int, *, cohort: str | None, role: str | None, units: pd.DataFrame,
                 filters: Any, min_group_size: int | None = None) -> str | None:
    """Why the count of one filtered group (cohort / role / slices) may not be shown, or None.

    ``units``: one row per person of the whole database (:data:`UNIT_COLUMNS`; ``metric`` and
    ``outcome`` are any constant labels). Same rules as result rows: minimum, the group's breakdown
    table, and for slices the span rule against the unfiltered breakdown.
    """
    metric, outcome = str(units["metric"].iloc[0]), str(units["outcome"].iloc[0])
    row = pd.DataFrame({"metric": [metric], "outcome": [outcome], "cohort": [cohort or ALL],
                        "role": [role or ALL], "group": [{}], "n": [n]})
    out = suppress_results(row, min_group_size=min_group_size, units=units, filters=filters)
    return out["suppressed_reason"].iloc[0] if bool(out["suppressed"].iloc[0]) else None


# -- count tables ---------------------------------------------------------------------------------

def suppress_counts(atoms: pd.DataFrame, *, dims: list[str], n: str = "n",
                    sums: list[str] | None = None, min_group_size: int | None = None,
                    margins: bool = True, total_label: str = "All") -> pd.DataFrame:
    """A count table (or heatmap) with primary and complementary suppression.

    ``atoms``: one row per combination of ``dims`` with the number of people in ``n``, plus any
    additive columns in ``sums`` (e.g. the sum of a score: divide by n for the mean after
    suppression). Missing dimension values must be given a label (e.g. "Not recorded"), or those
    people are treated as a hidden group. Returns every non-empty cell with the margins
    (``total_label``) when ``margins``; margins count as public whether or not they are shown.
    Hidden cells have every number blanked, ``suppressed`` True and a ``suppressed_reason``.
    """
    k = resolve_min_group_size(min_group_size)
    frame = atoms.copy()
    for dim in dims:
        frame[dim] = frame[dim].astype(object).fillna(UNPUBLISHED).astype(str)
    sums = list(sums or [])
    table = complement.protect(complement.build(frame, dims, n=n), k=k)
    cells = table.cells.copy()
    if sums:  # margins of the additive columns, through the same membership matrix
        values = table.atoms[dims].merge(frame.groupby(dims, as_index=False)[sums].sum(),
                                         on=dims, how="left")[sums].to_numpy(dtype=float)
        cells[sums] = table.member @ values
    published = ~np.any(np.stack([(cells[d] == UNPUBLISHED).to_numpy() for d in dims]), axis=0)
    if not margins:
        published &= ~np.any(np.stack([(cells[d] == TOTAL).to_numpy() for d in dims]), axis=0)
    cells = cells[published]
    merged = cells[[*dims, "n", *sums, "hidden", "reason"]].rename(columns={"n": n})
    for dim in dims:
        merged[dim] = merged[dim].replace({TOTAL: total_label})
    hidden = merged.pop("hidden").to_numpy(dtype=bool)
    reasons = merged.pop("reason").to_numpy(dtype=object)
    return _blank(merged.reset_index(drop=True), hidden, reasons, None)
