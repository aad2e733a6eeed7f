"""Shared helpers for metric rows: cohort names, role groups, slices and row labels."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from analysis.metrics import data
from analysis.store.db import Store
from analysis.store.filters import Filters

ALL_COHORTS = "all"
LABEL_COLUMNS = ["outcome", "metric", "cohort", "cohort_name", "role", "group"]


RESULT_COLUMNS = [
    "outcome", "metric", "cohort", "cohort_name", "role", "group", "n", "estimate", "ci_low",
    "ci_high", "p_value", "p_adjusted", "effect_size", "method", "suppressed",
    "suppressed_reason",
]


def empty_results() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_COLUMNS})


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
    n = len(result)
    values = [outcome, metric, cohort, names.get(cohort), role]
    columns: dict[str, Any] = {c: [v] * n for c, v in zip(LABEL_COLUMNS[:5], values, strict=True)}
    columns["group"] = [dict(group) for _ in range(n)]
    # one construction: inserting six columns one by one costs more than the statistics
    columns.update({c: result[c].to_numpy() for c in result.columns})
    return pd.DataFrame(columns)


def concat(rows: list[pd.DataFrame]) -> pd.DataFrame:
    rows = [r for r in rows if not r.empty]
    return pd.concat(rows, ignore_index=True) if rows else empty_results()


ROLE_ORDER = {"mentor": 0, "mentee": 1, "all": 2}


def cell_rows(frame: pd.DataFrame, filters: Filters, by: str | None, *,
              within: list[str]) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """Every cell of :func:`role_groups` × :func:`slices` within each ``within`` group, at once.

    Returns the rows of every role group stacked in one frame (the 'all' group as a copy with
    role 'all'), the cell keys (``within``, role, then the slice dimension unless the breakdown
    is by role), and the cells to report: without a slice every role group of every ``within``
    group, even one nobody is in (as the per-cell loop reports n = 0); with a slice the slice
    values present (rows without one drop out, as in :func:`slices`)."""
    roles = [filters.role] if filters.role else ["mentor", "mentee"]
    chosen = frame["role"].isin(roles)
    if filters.role or by == "role":
        parts = [frame[chosen]]
    else:
        role, every = with_label(frame["role"], "all")
        parts = [frame.assign(role=role)[chosen], frame.assign(role=every)]
        roles = [*roles, "all"]
    stacked = pd.concat(parts, ignore_index=True)
    keys = [*within, "role"]
    if by is not None and by != "role":
        stacked = stacked[stacked[by].notna()]
        keys.append(by)
        cells = stacked[keys].drop_duplicates()
    else:
        cells = frame[within].drop_duplicates().merge(pd.DataFrame({"role": roles}), how="cross")
    return stacked, keys, cells.reset_index(drop=True)


def with_label(column: pd.Series, value: str) -> tuple[pd.Series, pd.Series | str]:
    """``column`` and a column of ``value`` for the same rows, of one dtype: a categorical
    column gets ``value`` as a category, so stacked copies stay categorical (concatenating
    different categories would turn them into text)."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return column, value
    if value not in column.cat.categories:
        column = column.cat.add_categories([value])
    code = column.cat.categories.get_loc(value)
    every = pd.Categorical.from_codes(np.full(len(column), code), dtype=column.dtype)
    return column, pd.Series(every, index=column.index)


def label_cells(result: pd.DataFrame, *, metric: str, names: dict[str, str], by: str | None,
                cohort: str = "cohort_id", outcome: str = "construct") -> pd.DataFrame:
    """Labelled metric rows from a grouped stats result (cell keys of :func:`cell_rows`, then
    the result columns), in the per-cell order: cohort, outcome, role (mentor, mentee, all),
    slice value."""
    return CellLabels(result, names=names, by=by, cohort=cohort, outcome=outcome).rows(
        result, metric=metric)


class CellLabels:
    """The label columns and row order of :func:`label_cells` for one set of cells, worked out
    once for several metrics over the same cells (engagement's seven)."""

    def __init__(self, cells: pd.DataFrame, *, names: dict[str, str], by: str | None,
                 cohort: str = "cohort_id", outcome: str = "construct") -> None:
        sliced = by is not None and by != "role"
        text = {c: np.asarray(cells[c], dtype=object) for c in (cohort, outcome, "role")}
        sort_keys = [text[cohort].astype(str), text[outcome].astype(str),
                     pd.Series(text["role"]).map(ROLE_ORDER)]
        if sliced:
            sort_keys.append(np.asarray(cells[by], dtype=object))
        order = np.lexsort([_sort_codes(k) for k in reversed(sort_keys)])  # stable, first last
        cohorts = text[cohort][order]
        self.order = order
        self.keys = {cohort, outcome, "role", by}
        self.columns: dict[str, object] = {
            "outcome": text[outcome][order], "cohort": cohorts,
            "cohort_name": pd.Series(cohorts).map(names).to_numpy(),
            "role": text["role"][order],
        }
        self.groups = ([{by: v} for v in np.asarray(cells[by], dtype=object)[order]] if sliced
                       else [{} for _ in range(len(cells))])

    def rows(self, result: pd.DataFrame, *, metric: str) -> pd.DataFrame:
        """``result`` (one row per cell, in the cells' order) as labelled rows of ``metric``."""
        columns: dict[str, object] = {
            "outcome": self.columns["outcome"], "metric": metric,
            "cohort": self.columns["cohort"], "cohort_name": self.columns["cohort_name"],
            "role": self.columns["role"], "group": [dict(g) for g in self.groups],
        }
        # one construction: inserting columns one by one costs more than the statistics
        columns.update({c: result[c].to_numpy()[self.order] for c in result.columns
                        if c not in self.keys})
        return pd.DataFrame(columns)


def _sort_codes(values: object) -> np.ndarray:
    """Integer ranks that sort as the values do, missing values last (as ``sort_values``)."""
    codes, _ = pd.factorize(np.asarray(values, dtype=object), sort=True)
    return np.where(codes < 0, codes.max(initial=0) + 1, codes)
