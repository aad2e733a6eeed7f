"""Aggregated cubes (counts and sums per cohort × role × slices × …) as integer-coded arrays.

The whole-data cubes behind the DiD moments and the retention counts are built once per data
version in SQL; a filter change then selects and sums a few thousand of their rows. On that
scale each pandas operation costs more than the arithmetic, so a cube keeps its label columns
as integer codes and its measures as float arrays, and per-state work is numpy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.store.filters import Filters

SLICE_NAMES = ("generation", "department", "level")


@dataclass(frozen=True)
class Cube:
    """Label columns as codes into their sorted distinct values (-1: missing), measures as
    floats; ``rows`` arguments are row positions."""

    codes: dict[str, np.ndarray]
    values: dict[str, pd.Index]  # sorted, of the source column's dtype
    numbers: dict[str, np.ndarray]
    size: int

    @classmethod
    def of(cls, frame: pd.DataFrame, *, measures: Iterable[str]) -> Cube:
        measures = set(measures)
        codes, values, numbers = {}, {}, {}
        for column in frame.columns:
            if column in measures:
                numbers[column] = frame[column].to_numpy(dtype=float)
            else:
                codes[column], uniques = pd.factorize(frame[column], sort=True)
                values[column] = pd.Index(uniques)
        return cls(codes, values, numbers, len(frame))

    def code(self, column: str, value: object) -> int:
        """The code of ``value`` in ``column``; -2 (matching no row) when absent."""
        found = np.flatnonzero(self.values[column] == value)
        return int(found[0]) if len(found) else -2

    def equal(self, rows: np.ndarray, column: str, value: object) -> np.ndarray:
        """Which of ``rows`` hold ``value`` in ``column``."""
        return self.codes[column][rows] == self.code(column, value)

    def among(self, rows: np.ndarray, column: str, values: Iterable[object]) -> np.ndarray:
        """Which of ``rows`` hold one of ``values`` in ``column``."""
        wanted = np.flatnonzero(self.values[column].isin(list(values)))
        return np.isin(self.codes[column][rows], wanted)

    def select(self, filters: Filters, by: str | None) -> np.ndarray:
        """Rows in the filters' slices (and with a value for the breakdown ``by``)."""
        rows = np.arange(self.size)
        for column in SLICE_NAMES:
            chosen = getattr(filters, column)
            if chosen:
                rows = rows[self.among(rows, column, chosen)]
        return rows[self.codes[by][rows] >= 0] if by else rows

    def where(self, filters: Filters, **equal: object) -> np.ndarray:
        """Rows in the filters' slices holding each ``equal`` value (None: any), in order: the
        rows :func:`analysis.metrics.data.select_people` keeps."""
        rows = self.select(filters, None)
        for column, value in equal.items():
            if value is not None:
                rows = rows[self.equal(rows, column, value)]
        return rows

    def groups(self, rows: np.ndarray, columns: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The group of each of ``rows`` by ``columns`` (a missing value is a value of its own),
        numbered in order of first appearance, and each group's first row."""
        key = np.zeros(len(rows), dtype=np.int64)
        for column in columns:
            key = key * (len(self.values[column]) + 1) + self.codes[column][rows] + 1
        _, first, group = np.unique(key, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return rank[group.ravel()], rows[first[order]]

    def labels(self, column: str, rows: np.ndarray) -> pd.Index | np.ndarray:
        """The values of ``column`` at ``rows``, of the source column's dtype (as objects, with
        None, where one is missing)."""
        codes = self.codes[column][rows]
        if (codes >= 0).all():
            return self.values[column].take(codes)
        values = np.concatenate([self.values[column].to_numpy(dtype=object),
                                 np.array([None], dtype=object)])
        return values[codes]  # code -1: the None appended last

    def sums(self, column: str, rows: np.ndarray, group: np.ndarray, size: int) -> np.ndarray:
        return np.bincount(group, weights=self.numbers[column][rows], minlength=size)
