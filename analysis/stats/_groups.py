"""Group ids and per-group reductions in numpy, for the all-groups-at-once statistics.

pandas' groupby costs tens of microseconds per operation whatever the size; a dashboard filter
change runs hundreds of them. These helpers number the groups once and reduce with
``np.bincount`` and ``ufunc.reduceat`` over one sort.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def group_ids(frame: pd.DataFrame, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group (0, 1, … in order of first appearance; a missing key value is a value of
    its own) and each group's first row."""
    ids = np.zeros(len(frame), dtype=np.int64)
    for key in keys:
        codes, uniques = pd.factorize(frame[key], use_na_sentinel=False)
        ids = ids * max(len(uniques), 1) + codes
    _, first, group = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[group.ravel()], first[order]


def sums(group: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(group, weights=values, minlength=size)


def extremes(values: np.ndarray, group: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Each group's minimum and maximum (groups are non-empty by construction)."""
    if not size:
        return np.zeros(0), np.zeros(0)
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], np.arange(size))
    ordered = values[order]
    return np.minimum.reduceat(ordered, starts), np.maximum.reduceat(ordered, starts)


def lookup(table: pd.DataFrame, query: pd.DataFrame, keys: Sequence[str]) -> np.ndarray:
    """Each ``query`` row's position in ``table`` (whose ``keys`` rows are unique) by the
    ``keys`` columns, -1 where no table row has its keys or one of its keys is missing.

    Works on integer codes: a categorical query column lends its codes to the table (the
    small side is recoded, never the large one); other columns are factorized together."""
    found = np.ones(len(query), dtype=bool)
    usable = np.ones(len(table), dtype=bool)
    t_ids = np.zeros(len(table), dtype=np.int64)
    q_ids = np.zeros(len(query), dtype=np.int64)
    span = 1
    for key in keys:
        t_codes, q_codes, size = _shared_codes(table[key], query[key])
        found &= q_codes >= 0
        usable &= t_codes >= 0
        t_ids = t_ids * size + np.maximum(t_codes, 0)
        q_ids = q_ids * size + np.maximum(q_codes, 0)
        span *= size
        if span > 2**31:  # renumber before the combined ids could overflow
            both, uniques = pd.factorize(np.concatenate([t_ids, q_ids]))
            t_ids, q_ids, span = both[: len(t_ids)], both[len(t_ids):], len(uniques)
    if not len(table):
        return np.full(len(query), -1, dtype=np.int64)
    t_ids = np.where(usable, t_ids, -1)  # never equal to a query's id (those are >= 0)
    order = np.argsort(t_ids, kind="stable")
    ranked = t_ids[order]
    at = np.minimum(np.searchsorted(ranked, q_ids), len(ranked) - 1)
    found &= ranked[at] == q_ids
    return np.where(found, order[at], -1)


def _shared_codes(table: pd.Series, query: pd.Series) -> tuple[np.ndarray, np.ndarray, int]:
    """Integer codes of two columns in one numbering (-1: missing; in ``table``, also a value
    the categorical ``query`` cannot hold) and the number of codes."""
    if isinstance(query.dtype, pd.CategoricalDtype):
        recoded = query.cat.categories.get_indexer(table)
        return (np.asarray(recoded, dtype=np.int64),
                query.cat.codes.to_numpy(dtype=np.int64), len(query.cat.categories))
    codes, uniques = pd.factorize(np.concatenate([table.to_numpy(dtype=object),
                                                  query.to_numpy(dtype=object)]))
    return codes[: len(table)], codes[len(table):], max(len(uniques), 1)
