"""Which two dimensions and outcome the Slice explorer opens on, and what to offer when a choice
hides every cell: the choices with the most cells at or above the minimum group size.

Counting cells per choice is one DuckDB query over the paired scores (every pair of dimensions ×
outcome at once); the few best candidates are then checked with the heatmap itself, whose
complementary suppression may hide more cells than the minimum alone.
"""

from __future__ import annotations

import itertools

import pandas as pd

from analysis.metrics import data
from analysis.pages import slices
from analysis.privacy import rules as privacy
from analysis.store.codebook import CONSTRUCTS, POST_ONLY_CONSTRUCTS
from analysis.store.db import Store
from analysis.store.filters import SLICE_DIMENSIONS, Filters

PAIRS = list(itertools.combinations(SLICE_DIMENSIONS, 2))
# Within a tie, the programme's headline outcomes first.
PREFERRED = ["skills.digital", "skills.leadership", "inclusion", "intergenerational",
             "satisfaction.job", "enps"]
CHOICE_COLUMNS = ["rows", "cols", "outcome", "cells", "big_enough"]


def candidates(store: Store, filters: Filters, *, min_group_size: int | None = None
               ) -> pd.DataFrame:
    """Every (rows, cols, outcome) with its number of cells and of cells holding at least the
    minimum group size of people with answers before and after, best first."""
    k = privacy.resolve_min_group_size(min_group_size)
    scores = data.paired_scores(store, filters)
    scores = scores[scores["construct"].isin(
        [c for c in CONSTRUCTS if c not in POST_ONLY_CONSTRUCTS])]
    if scores.empty:
        return pd.DataFrame(columns=CHOICE_COLUMNS)
    # dimension names are fixed identifiers (SLICE_DIMENSIONS), never user input
    cells = " union all ".join(
        f"select '{r}' as rows, '{c}' as cols, construct as outcome, count(*) as n"  # noqa: S608
        f" from scores where before is not null and after is not null"
        f" and {r} is not null and {c} is not null group by construct, {r}, {c}"
        for r, c in PAIRS)
    frame = store.query(
        "select rows, cols, outcome, count(*) as cells,"  # noqa: S608 - fixed identifiers only
        " count(*) filter (where n >= $k) as big_enough"
        f" from ({cells}) group by rows, cols, outcome"
        " order by big_enough desc, cells asc, rows, cols, outcome",
        {"k": k}, tables={"scores": scores.astype({"construct": str})})
    frame["rank"] = frame["outcome"].map({c: i for i, c in enumerate(PREFERRED)}).fillna(99)
    return frame.sort_values(["big_enough", "rank"], ascending=[False, True],
                             kind="stable")[CHOICE_COLUMNS].reset_index(drop=True)


def shown_cells(store: Store, filters: Filters, choice: dict[str, str]) -> tuple[int, int]:
    """How many cells the heatmap shows for ``choice``, out of how many."""
    frame = slices.heatmap(store, filters, rows=choice["rows"], cols=choice["cols"],
                           outcome=choice["outcome"])
    if frame.empty:
        return 0, 0
    return int((~frame["suppressed"].astype(bool)).sum()), len(frame)


def best(store: Store, filters: Filters, *, exclude: tuple[str, str, str] | None = None,
         count: int = 1) -> list[dict[str, object]]:
    """The ``count`` choices that show the most cells, each with ``shown`` and ``cells``: per
    pair of dimensions its outcome with the most cells at or above the minimum, checked with
    the heatmap; choices showing at least half their cells first. ``exclude``: a choice not
    to offer (rows, cols, outcome: the one on screen)."""
    frame = candidates(store, filters)
    frame = frame[frame["big_enough"] > 0].drop_duplicates(["rows", "cols"])
    picked: list[dict[str, object]] = []
    for record in frame.to_dict("records"):
        if _settled(picked, count, int(record["big_enough"])):
            break
        choice = {key: str(record[key]) for key in ("rows", "cols", "outcome")}
        if exclude is not None and tuple(choice.values()) == exclude:
            continue
        shown, cells = shown_cells(store, filters, choice)
        if shown:
            picked.append({**choice, "shown": shown, "cells": cells})
            picked.sort(key=_rank)  # stable: among equals, the earlier candidate first
    return picked[:count]


def _rank(choice: dict[str, object]) -> tuple[bool, int]:
    shown, cells = int(str(choice["shown"])), int(str(choice["cells"]))
    return 2 * shown < cells, -shown


def _settled(picked: list[dict[str, object]], count: int, big_enough: int) -> bool:
    """Whether no later candidate can displace the ``count`` best picked: a heatmap shows at
    most its cells at or above the minimum (``big_enough``; candidates come in falling order of
    it), and an equal later one ranks after the earlier."""
    if len(picked) < count:
        return False
    worst = picked[count - 1]
    return _rank(worst) <= (False, -big_enough)


def default(store: Store, filters: Filters) -> dict[str, str]:
    """The explorer's opening choice for ``filters``: the one showing the most cells, else the
    fixed :data:`analysis.pages.slices.DEFAULT`."""
    found = best(store, filters)
    if not found:
        return dict(slices.DEFAULT)
    return {key: str(found[0][key]) for key in ("rows", "cols", "outcome")}
