"""Every estimate function returns the same leading columns in the same order."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.stats import (
    COMMON_COLUMNS,
    cronbach_alpha,
    enps,
    enps_change,
    logrank,
    paired_change,
    result_row,
    survival_at,
    survival_difference_at,
    top2box_change,
)


@pytest.mark.parametrize(
    "call",
    [
        lambda: paired_change([1, 2, 3], [2, 2, 5]),
        lambda: paired_change([], []),
        lambda: top2box_change([1, 5], [5, 5], threshold=4),
        lambda: enps([1, 9, 10]),
        lambda: enps_change([1, 9, 10], [9, 9, 10], n_resamples=99),
        lambda: cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": [1, 3, 3]})),
        lambda: survival_at([1, 2, 3], [1, 0, 1], t=2),
        lambda: survival_difference_at([1, 2, 3], [1, 0, 1], [1, 2, 3], [0, 0, 1], t=2),
        lambda: logrank([1, 2, 3, 4], [1, 0, 1, 1], ["a", "b", "a", "b"]),
    ],
)
def test_common_columns_first_and_typed(call):
    res = call()
    assert len(res) == 1
    assert tuple(res.columns[: len(COMMON_COLUMNS)]) == COMMON_COLUMNS
    assert res["n"].dtype == "int64"
    assert math.isnan(res["p_adjusted"].iloc[0])  # filled later by adjust_pvalues
    assert isinstance(res["method"].iloc[0], str) and res["method"].iloc[0]


def test_result_row_rejects_clashing_extra():
    with pytest.raises(ValueError, match="clashes"):
        result_row(n=1, method="x", extra={"estimate": 1.0})
