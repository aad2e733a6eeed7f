"""Slice explorer: change in one outcome for every cell of two slice dimensions.

Each cell is a paired before/after comparison (the same test as ``paired_change``, computed
for every cell at once); the cells of
one heatmap form one family for the Holm adjustment; cells under the minimum group size are
suppressed.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.cache import memo
from analysis.metrics import data
from analysis.metrics import registry as metrics
from analysis.pages import common
from analysis.privacy import rules as privacy
from analysis.privacy.decisions import suppress_results
from analysis.stats.grouped import paired_change_groups
from analysis.stats.multiple import adjust_pvalues
from analysis.store.db import Store
from analysis.store.filters import SLICE_DIMENSIONS, Filters

DEFAULT = {"rows": "generation", "cols": "department", "outcome": "skills.digital"}
COLUMNS = ["row", "col", "n", "estimate", "ci_low", "ci_high", "p_value", "p_adjusted",
           "suppressed", "suppressed_reason", "outcome", "label", "rows", "cols"]


def options(query: Mapping[str, str]) -> dict[str, str]:
    """The heatmap's own choices (from the URL), validated, with defaults."""
    chosen = {**DEFAULT, **{k: v for k, v in query.items() if k in DEFAULT and v}}
    for key in ("rows", "cols"):
        if chosen[key] not in SLICE_DIMENSIONS:
            raise ValueError(f"{key} must be one of {', '.join(SLICE_DIMENSIONS)}")
    if chosen["rows"] == chosen["cols"]:
        chosen["cols"] = next(d for d in SLICE_DIMENSIONS if d != chosen["rows"])
    return chosen


def heatmap(store: Store, filters: Filters, *, rows: str = "generation",
            cols: str = "department", outcome: str = "skills.digital",
            min_group_size: int | None = None, complementary: bool = True) -> pd.DataFrame:
    """One row per (row, col) cell with the paired change, its CI and adjusted p.

    ``complementary=False`` applies only the minimum (n < k): for tests that show the
    subtraction attack the full rule prevents."""
    k = privacy.resolve_min_group_size(min_group_size)
    # the explorer's default choice and its chart ask for the same heatmap
    return memo.remembered_for_state(
        store, ("heatmap", filters, rows, cols, outcome, k, complementary),
        lambda: _heatmap(store, filters, rows=rows, cols=cols, outcome=outcome, k=k,
                         complementary=complementary))


def _heatmap(store: Store, filters: Filters, *, rows: str, cols: str, outcome: str, k: int,
             complementary: bool) -> pd.DataFrame:
    scores = data.paired_scores(store, filters, construct=outcome).dropna(
        subset=["before", "after", rows, cols])
    if scores.empty:
        frame = pd.DataFrame(columns=COLUMNS)
        frame.attrs["empty_reason"] = "No one with answers before and after matches these filters."
        return frame
    frame = paired_change_groups(scores, [rows, cols]).rename(columns={rows: "row", cols: "col"})
    frame["p_adjusted"] = adjust_pvalues(frame["p_value"].to_numpy(dtype=float), method="holm")
    # Each cell is a group of the cohort × role × rows × cols table: the privacy layer decides it
    # like any result row (minimum, complementary suppression tied to the one-way breakdowns).
    role_axis = "role" in (rows, cols)
    cells = pd.DataFrame({
        "metric": "paired_change", "outcome": outcome, "cohort": filters.cohort or "all",
        "role": frame["row" if rows == "role" else "col"] if role_axis
        else (filters.role or "all"),
        "group": [{d: v for d, v in ((rows, r), (cols, c)) if d != "role"}
                  for r, c in zip(frame["row"], frame["col"], strict=True)],
        "n": frame["n"]})
    units = metrics.shared_units(store) if complementary else None
    guard = suppress_results(cells, min_group_size=k, units=units, filters=filters)
    frame["suppressed"] = guard["suppressed"].to_numpy(dtype=bool)
    frame["suppressed_reason"] = guard["suppressed_reason"].to_numpy()
    numbers = ["n", "estimate", "ci_low", "ci_high", "p_value", "p_adjusted"]
    frame[numbers] = frame[numbers].astype(float).where(~frame["suppressed"], axis=0)
    frame = frame.assign(outcome=outcome, label=common.label(outcome), rows=rows, cols=cols)
    return frame[COLUMNS]
