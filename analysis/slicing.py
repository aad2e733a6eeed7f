"""Shared helpers for metric rows: cohort names, role groups, slices and row labels."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from analysis import data
from analysis.filters import Filters
from analysis.store import Store

ALL_COHORTS = "all"
LABEL_COLUMNS = ["outcome", "metric", "cohort", "cohort_name", "role", "group"]


def cohort_names(store: Store) -> dict[str, str]:
    names = data.cohorts(store).set_index("cohort_id")["name"].to_dict()
    names[ALL_COHORTS] = "All cohorts"
    return names


def role_groups(frame: pd.DataFrame, filters: Filters, by: str | None, *,
                column: str = "role") -> list[tuple[str, pd.DataFrame]]:
    """Per role (mentor, mentee), plus 'all' participants together unless a role is chosen or
    the breakdown is by role."""
    roles = [filters.role] if filters.role else ["mentor", "mentee"]
    out = [(r, frame[frame[column] == r]) for r in roles]
    if not filters.role and by != "role":
        out.append(("all", frame))
    return out


def slices(frame: pd.DataFrame, by: str | None) -> Iterator[tuple[dict[str, Any], pd.DataFrame]]:
    """The whole frame ({}), or one part per value of the slice dimension."""
    if by is None or by == "role":
        yield {}, frame
        return
    for key, part in frame.groupby(by, sort=True, dropna=True):
        yield {by: key}, part


def label(result: pd.DataFrame, *, outcome: str, metric: str, cohort: str, names: dict[str, str],
          role: str, group: dict[str, Any]) -> pd.DataFrame:
    """Put the identifying columns in front of a stats result (one or more rows)."""
    result = result.copy()
    values = [outcome, metric, cohort, names.get(cohort), role]
    for pos, (col, value) in enumerate(zip(LABEL_COLUMNS[:5], values, strict=True)):
        result.insert(pos, col, value)
    result.insert(5, "group", [dict(group) for _ in range(len(result))])
    return result


def concat(rows: list[pd.DataFrame]) -> pd.DataFrame:
    from analysis.metrics import empty_results

    rows = [r for r in rows if not r.empty]
    return pd.concat(rows, ignore_index=True) if rows else empty_results()
