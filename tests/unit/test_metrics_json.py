"""``crossgen metrics --json``: every value a JSON value, whatever the column's dtype."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from analysis.metrics.registry import to_json
from analysis.store.filters import Filters


def test_missing_and_infinite_values_are_null_and_counts_whole_numbers() -> None:
    frame = pd.DataFrame({
        "n": [12.0, np.nan, 5.0],
        "n_treated": pd.array([7, None, 2], dtype="Int64"),
        "estimate": [0.25, np.inf, -np.inf],
        "df": np.array([3, 4, 5], dtype=np.int64),
        "suppressed": [False, True, False],
        "method": pd.Series(["paired t", None, "Wilcoxon"], dtype="str"),
        "warning": [None, np.nan, "small n"],
        "mixed": [1.5, "x", pd.NA],
    })
    text = to_json(frame, Filters(cohort="C1"), min_group_size=5)
    assert "NaN" not in text and "Infinity" not in text  # json.dumps would write them
    assert json.loads(text) == {
        "min_group_size": 5, "filters": {"cohort": "C1"},
        "results": [
            {"n": 12, "n_treated": 7, "estimate": 0.25, "df": 3, "suppressed": False,
             "method": "paired t", "warning": None, "mixed": 1.5},
            {"n": None, "n_treated": None, "estimate": None, "df": 4, "suppressed": True,
             "method": None, "warning": None, "mixed": "x"},
            {"n": 5, "n_treated": 2, "estimate": None, "df": 5, "suppressed": False,
             "method": "Wilcoxon", "warning": "small n", "mixed": None},
        ]}
    first = json.loads(text)["results"][0]
    assert isinstance(first["n"], int) and isinstance(first["n_treated"], int)
