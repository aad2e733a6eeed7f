"""The privacy layer every number passes through before a user can see or export it.

Rules (DESIGN.md, "Privacy"; README, "Privacy and access"):

* No aggregate describing fewer than ``min_group_size`` people (k: default 5,
  $CROSSGEN_MIN_GROUP_SIZE, never below 3). Paired comparisons count completed pairs; a
  difference-in-differences needs both arms (every ``n_*`` column) at k or more.
* Complementary suppression (:mod:`analysis.privacy.complement`): every breakdown is treated as a
  table cohort × role × slice with all its margins assumed public, and cells are hidden until no
  hidden cell with fewer than k people follows from the visible ones (exact rank test; this covers
  n and n × mean, and any other additive statistic, because they share the same linear structure).
* The decision for a cell is made on that *whole* table, not on the rows a caller asked for, so a
  cell is hidden or shown alike in the dashboard, the CLI, CSV/XLSX and the PPTX.
* Filters and two slices: any group with slice conditions (a filter, a breakdown, both, a heatmap
  cell) is shown only if it follows from the visible cells of the *unfiltered* one-way table (one
  slice) or two-way table (two slices over every cohort together, :mod:`analysis.privacy.twoway`,
  totals tied to the one-way decisions); two slices within one cohort and three slices at once are
  never shown. So filtering adds nothing to subtract.
* Waves: numbers comparing two waves count people present in both (see
  :func:`analysis.pages.outcomes.items`).
* Free-text comments need ``COMMENT_MIN`` (10) commenters:
  :func:`analysis.pages.comments.comments_for`.

API for other modules (:mod:`analysis.privacy.decisions`) — result rows: ``suppress_results``
(``metrics.results`` calls it); count tables and heatmaps: ``suppress_counts``. Both add
``suppressed`` and ``suppressed_reason`` and blank every number of a hidden row.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.privacy import complement, twoway

DEFAULT_MIN_GROUP_SIZE = 5
FLOOR = 3
COMMENT_MIN = 10
SUPPRESSED_REASON = complement.REASON_SMALL
REASON_FILTER = "hidden: comparing this filter with the unfiltered view would reveal a small group"
REASON_UNCHECKED = "hidden: could not be checked against the breakdown"
REASON_THREE = "hidden: three slices at once would single out small groups"
REASON_COHORT_TWO = "hidden: two slices within one cohort would single out small groups"
SLICES = ("generation", "department", "level")
ALL = "all"  # the cohort / role label of "everyone together" in result rows
UNIT_COLUMNS = ["metric", "outcome", "cohort", "role", *SLICES]
# A unit family whose metric ends so counts units in two parts of one cell (a pair with both
# members in it); its role column names the slice: see :meth:`_Canon.overlap_hidden`.
OVERLAP = ":both"
WEIGHT = twoway.WEIGHT  # optional units column: people per unit row (units counted in SQL)


@dataclass(frozen=True)
class Arm:
    """A group of counted people behind a result row, checked like a one-group row.

    ``metric`` and ``outcome`` name the unit family; ``count`` is the row's column that must
    equal the group's size; ``roles`` (row labels, "all" for every role) replace the row's role,
    and when several are given the group is their sum, shown only if each part is shown (pairs
    counted once per member role); ``mismatch`` is the reason when the sizes differ.
    """

    metric: str
    outcome: str
    count: str = "n"
    roles: tuple[str, ...] | None = None
    mismatch: str = REASON_UNCHECKED


# A result row's arms, given whether any slice condition applies to it; None: the row's own
# metric and outcome (the default for metrics with units).
Arms = Callable[[Mapping[str, Any], bool], list[Arm] | None]


def resolve_min_group_size(value: int | None = None) -> int:
    """The configured minimum (argument, else $CROSSGEN_MIN_GROUP_SIZE, else 5); never below 3."""
    if value is None:
        value = int(os.environ.get("CROSSGEN_MIN_GROUP_SIZE", DEFAULT_MIN_GROUP_SIZE))
    if value < FLOOR:
        raise ValueError(f"the minimum group size cannot be below {FLOOR} (got {value})")
    return int(value)


def _blank(frame: pd.DataFrame, hidden: np.ndarray, reasons: np.ndarray,
           number_columns: list[str] | None) -> pd.DataFrame:
    columns = number_columns or [c for c in frame.columns if c != "suppressed"
                                 and pd.api.types.is_numeric_dtype(frame[c])]
    if columns:
        values = frame[columns].to_numpy(dtype=float, copy=True, na_value=np.nan)
        values[hidden] = np.nan
        # one construction: assigning a block or column by column costs ms on wide frames
        at = {c: i for i, c in enumerate(columns)}
        frame = pd.DataFrame({c: values[:, at[c]] if c in at else frame[c].array
                              for c in frame.columns}, index=frame.index)
    else:
        frame = frame.copy()
    frame["suppressed"] = hidden
    frame["suppressed_reason"] = pd.Series(reasons, index=frame.index, dtype=object).where(
        hidden, None)
    return frame


DECISION_COLUMNS = ("metric", "outcome", "cohort", "role", "group", "phase", "source")


def _count_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c == "n" or c.startswith("n_")]


# -- result rows ----------------------------------------------------------------------------------

Population = tuple[tuple[str, tuple[str, ...]], ...]  # slice filters, sorted


def population(filters: Any) -> Population:
    """The slice filters (generation, department, level) of a Filters-like object, hashable."""
    return tuple((d, tuple(sorted(getattr(filters, d)))) for d in SLICES if getattr(filters, d, ()))
