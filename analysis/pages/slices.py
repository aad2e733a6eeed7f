"""Slice explorer: change in one outcome for every cell of two slice dimensions.

Each cell is a paired before/after comparison (the same test as ``paired_change``); the cells of
one heatmap form one family for the Holm adjustment; cells under the minimum group size are
suppressed.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis import data, privacy
from analysis.filters import SLICE_DIMENSIONS, Filters
from analysis.pages import common
from analysis.stats.multiple import adjust_pvalues
from analysis.stats.paired import paired_change
from analysis.store import Store

DEFAULT = {"rows": "generation", "cols": "department", "outcome": "skills.digital"}
COLUMNS = ["row", "col", "n", "estimate", "ci_low", "ci_high", "p_value", "p_adjusted",
           "suppressed", "outcome", "label", "rows", "cols"]


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
            min_group_size: int | None = None) -> pd.DataFrame:
    """One row per (row, col) cell with the paired change, its CI and adjusted p."""
    k = privacy.resolve_min_group_size(min_group_size)
    scores = data.paired_scores(store, filters, construct=outcome).dropna(
        subset=["before", "after"])
    if scores.empty:
        frame = pd.DataFrame(columns=COLUMNS)
        frame.attrs["empty_reason"] = "No one with answers before and after matches these filters."
        return frame
    cells = [paired_change(part["before"], part["after"]).assign(row=r, col=c)
             for (r, c), part in scores.groupby([rows, cols], sort=True)]
    frame = pd.concat(cells, ignore_index=True)
    frame["p_adjusted"] = adjust_pvalues(frame["p_value"].to_numpy(dtype=float), method="holm")
    # Primary and complementary suppression on the heatmap as a count table with its margins.
    guard = privacy.suppress_counts(frame[["row", "col", "n"]], dims=["row", "col"],
                                    min_group_size=k, margins=False)
    keys = frame["row"].astype(str) + "|" + frame["col"].astype(str)
    hidden = set(guard.loc[guard["suppressed"], "row"] + "|" + guard.loc[guard["suppressed"],
                                                                         "col"])
    numbers = ["n", "estimate", "ci_low", "ci_high", "p_value", "p_adjusted"]
    frame["suppressed"] = keys.isin(hidden) | (frame["n"] < k)
    frame[numbers] = frame[numbers].astype(float).where(~frame["suppressed"], axis=0)
    frame = frame.assign(outcome=outcome, label=common.label(outcome), rows=rows, cols=cols)
    return frame[COLUMNS]
