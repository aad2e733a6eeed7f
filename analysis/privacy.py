"""The privacy layer every number passes through before a user can see or export it.

Rule (DESIGN.md, "Privacy"): no aggregate describing fewer than ``min_group_size`` people (default
5, never below 3); a paired comparison counts completed pairs.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

DEFAULT_MIN_GROUP_SIZE = 5
FLOOR = 3
COMMENT_MIN = 10
SUPPRESSED_REASON = "fewer than {k} people"


def resolve_min_group_size(value: int | None = None) -> int:
    """The configured minimum (argument, else $CROSSGEN_MIN_GROUP_SIZE, else 5); never below 3."""
    if value is None:
        value = int(os.environ.get("CROSSGEN_MIN_GROUP_SIZE", DEFAULT_MIN_GROUP_SIZE))
    if value < FLOOR:
        raise ValueError(f"the minimum group size cannot be below {FLOOR} (got {value})")
    return int(value)


def suppress_results(frame: pd.DataFrame, *, min_group_size: int | None = None,
                     number_columns: list[str] | None = None) -> pd.DataFrame:
    """Blank every number (n included) of rows whose n is below the minimum; mark them."""
    k = resolve_min_group_size(min_group_size)
    frame = frame.copy()
    if frame.empty:
        frame["suppressed"] = pd.Series(dtype=bool)
        return frame
    small = frame["n"].astype(float) < k
    frame["suppressed"] = small.to_numpy()
    columns = number_columns or [c for c in frame.columns
                                 if c != "suppressed" and
                                 pd.api.types.is_numeric_dtype(frame[c])]
    for column in columns:
        frame[column] = frame[column].astype(float)
        frame.loc[small, column] = np.nan
    return frame
