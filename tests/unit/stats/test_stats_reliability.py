from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats import COMMON_COLUMNS, cronbach_alpha
from analysis.stats.reliability import ALPHA_EXTRAS, cronbach_alpha_cells

REL = 1e-6

# 4 people × 3 items. Item variances (ddof=1): 5/3, 2, 19/12 → sum 5.25;
# totals 4, 7, 9, 13 → variance 14.25; alpha = 3/2 · (1 − 5.25/14.25) = 18/19
TABLE = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 3, 5], "c": [1, 3, 3, 4]})


def one(frame: pd.DataFrame) -> pd.Series:
    assert len(frame) == 1
    return frame.iloc[0]


def test_cronbach_alpha_by_hand():
    res = cronbach_alpha(TABLE)
    assert list(res.columns) == [*COMMON_COLUMNS, *ALPHA_EXTRAS]
    r = one(res)
    assert r["estimate"] == pytest.approx(18 / 19, rel=REL)  # by hand, see TABLE
    assert (r["n"], r["n_items"], r["warning"]) == (4, 3, "")
    # Feldt et al. 1987 CI, F on (n − 1, (n − 1)(k − 1)) = (3, 6), by hand with scipy.stats.f
    low = 1 - (1 / 19) * stats.f.ppf(0.975, 3, 6)
    high = 1 - (1 / 19) * stats.f.ppf(0.025, 3, 6)
    assert r["ci_low"] == pytest.approx(low, rel=REL)
    assert r["ci_high"] == pytest.approx(high, rel=REL)


def test_cronbach_alpha_complete_cases_and_array_input():
    with_gaps = pd.concat(
        [TABLE, pd.DataFrame({"a": [np.nan, 5], "b": [3, np.nan], "c": [2, 1]})],
        ignore_index=True,
    )
    r = one(cronbach_alpha(with_gaps))
    assert r["n"] == 4 and r["estimate"] == pytest.approx(18 / 19, rel=REL)
    assert one(cronbach_alpha(TABLE.to_numpy()))["estimate"] == pytest.approx(18 / 19, rel=REL)


def test_cronbach_alpha_low_warns():
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [5, 1, 4, 2, 3], "c": [2, 5, 1, 3, 4]})
    r = one(cronbach_alpha(items))
    assert r["estimate"] < 0.7 and r["warning"] == "below 0.7"


def test_cronbach_alpha_too_little_data():
    r = one(cronbach_alpha(TABLE[["a"]]))
    assert math.isnan(r["estimate"]) and r["n_items"] == 1
    assert math.isnan(one(cronbach_alpha(TABLE.iloc[:1]))["estimate"])
    flat = pd.DataFrame({"a": [3, 3, 3], "b": [3, 3, 3]})
    assert math.isnan(one(cronbach_alpha(flat))["estimate"])
    with pytest.raises(ValueError, match="numeric"):
        cronbach_alpha(pd.DataFrame({"a": ["x", "y"], "b": [1, 2]}))


def test_cronbach_alpha_cells_equals_per_table():
    rng = np.random.default_rng(3)
    long = pd.DataFrame({
        "cell": np.repeat(["a", "b", "c", "d"], [60, 45, 6, 30]),
        "employee_id": np.concatenate([np.repeat(np.arange(20), 3), np.repeat(np.arange(15), 3),
                                       np.repeat(np.arange(2), 3), np.repeat(np.arange(10), 3)]),
    })
    long["item_id"] = np.tile(["i1", "i2", "i3"], len(long) // 3)
    long["value"] = rng.integers(1, 6, len(long)).astype(float)
    long.loc[rng.choice(len(long), 12, replace=False), "value"] = np.nan  # incomplete people
    long.loc[long["cell"] == "d", "value"] = 4.0  # total score has no variance
    got = cronbach_alpha_cells(long, ["cell"]).set_index("cell")
    for cell, part in long.groupby("cell"):
        # reference: cronbach_alpha on the cell's person × item table
        want = one(cronbach_alpha(part.pivot(index="employee_id", columns="item_id",
                                             values="value")))
        row = got.loc[cell]
        assert row["n"] == want["n"] and row["n_items"] == want["n_items"]
        assert row["method"] == want["method"] and row["warning"] == want["warning"]
        for col in ("estimate", "ci_low", "ci_high"):
            assert row[col] == pytest.approx(want[col], rel=1e-9, nan_ok=True)
    assert list(got.columns) == [*COMMON_COLUMNS, *ALPHA_EXTRAS]
    # an asked-for cell without answers gets the too-little-data row
    extra = cronbach_alpha_cells(long, ["cell"], cells=pd.DataFrame({"cell": ["a", "z"]}))
    assert extra["cell"].tolist() == ["a", "z"] and extra["n"].tolist()[1] == 0
    assert math.isnan(extra["estimate"].iloc[1])
