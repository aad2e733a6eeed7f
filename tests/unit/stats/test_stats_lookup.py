"""analysis.stats._groups.lookup against pandas' own left merge."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats._groups import lookup


def _merge_positions(table: pd.DataFrame, query: pd.DataFrame, keys: list[str]) -> np.ndarray:
    # reference: a left merge on the keys, rows with a missing key never matching
    found = query[keys].reset_index(drop=True).merge(
        table[keys].reset_index(drop=True).reset_index(names="at").dropna(subset=keys),
        on=keys, how="left")["at"]
    missing = query[keys].isna().any(axis=1).to_numpy()
    return np.where(missing, -1, found.fillna(-1).to_numpy()).astype(np.int64)


@pytest.mark.parametrize("categorical", [False, True])
def test_lookup_equals_a_left_merge(categorical: bool) -> None:
    rng = np.random.default_rng(3)
    letters = np.array(["a", "b", "c", "d", None], dtype=object)
    query = pd.DataFrame({"x": letters[rng.integers(0, 5, 500)],
                          "y": rng.integers(0, 4, 500).astype(str)})
    table = query.dropna().drop_duplicates().sample(frac=0.7, random_state=1)
    table = pd.concat([table, pd.DataFrame({"x": ["z", None], "y": ["0", "1"]})])
    if categorical:  # the query's codes are lent to the table, which holds a value they lack
        query = query.astype({"x": "category", "y": "category"})
    got = lookup(table, query, ["x", "y"])
    np.testing.assert_array_equal(got, _merge_positions(table, query, ["x", "y"]))
    assert (got >= 0).sum() > 100 and (got < 0).sum() > 50


def test_lookup_renumbers_many_keys_without_overflow() -> None:
    rng = np.random.default_rng(4)
    keys = [f"k{i}" for i in range(6)]
    query = pd.DataFrame({k: rng.integers(0, 2000, 3000).astype(str) for k in keys})
    table = query.drop_duplicates().iloc[::2]
    np.testing.assert_array_equal(lookup(table, query, keys),
                                  _merge_positions(table, query, keys))
    nothing = lookup(table.iloc[:0], query, keys)
    assert len(nothing) == len(query) and (nothing == -1).all()
