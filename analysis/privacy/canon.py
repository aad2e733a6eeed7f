"""Canonical tables: the whole cohort × role × slice table of each unit family (and the two-way
tables), decided once per units frame and minimum group size and kept, so a cell is hidden alike in
every view, export and deck (:mod:`analysis.privacy.rules`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from analysis.privacy import complement, twoway
from analysis.privacy.complement import TOTAL, UNPUBLISHED
from analysis.privacy.rules import (
    OVERLAP,
    REASON_COHORT_TWO,
    REASON_FILTER,
    REASON_THREE,
    SLICES,
    WEIGHT,
    Population,
    resolve_min_group_size,
)


@dataclass
class _Canon:
    """Canonical tables (cohort × role × slice) per population, metric, outcome and slice."""

    units: pd.DataFrame
    k: int
    cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    families: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)
    decided: dict[tuple[Any, ...], tuple[bool, float, str]] = field(default_factory=dict)

    overlap: dict[tuple[str, ...], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        both = self.units["metric"].astype(str).str.endswith(OVERLAP).to_numpy()
        if both.any():
            self.overlap = _overlap_counts(self.units[both])
            self.units = self.units[~both]
        self.families = {(str(m), str(o)): part for (m, o), part
                         in self.units.groupby(["metric", "outcome"], sort=False)}

    def overlap_hidden(self, metric: str, outcome: str, roles: tuple[str, ...], cohort: str,
                       dim: str) -> frozenset[str]:
        """Values of ``dim`` whose cell summing ``roles`` (a pair counted once per member's
        cell) is hidden so that the line's total minus its shown cells is 0 or at least k
        (:func:`analysis.privacy.complement.overlapping_line`). The parts count the same units (one
        mentor, one mentee per pair), so the first part's total counts each once."""
        key = ("overlap", metric, outcome, roles, cohort, dim)
        if key not in self.cache:
            table = self.tables((), metric, outcome)[dim]
            total = table.decision((cohort, roles[0], TOTAL))
            cells: dict[str, tuple[float, bool]] = {}
            if total is not None and not total[0]:
                for value in set(table.cells[dim]) - {TOTAL, UNPUBLISHED}:
                    parts = [table.decision((cohort, role, value)) for role in roles]
                    both = self.overlap.get((metric, outcome, cohort, dim, value), 0.0)
                    cells[value] = (sum(p[1] for p in parts if p) - both,
                                    both == 0 and not any(p and p[0] for p in parts))
            self.cache[key] = frozenset(complement.overlapping_line(
                total[1], cells, self.k) if total is not None and cells else ())
        return frozenset(self.cache[key])

    def _select(self, pop: Population, metric: str, outcome: str) -> pd.DataFrame:
        units = self.families.get((metric, outcome), self.units.iloc[:0])
        for dim, values in pop:
            units = units[units[dim].isin(values)]
        return units

    def _atoms(self, pop: Population, metric: str, outcome: str, dim: str,
               units: pd.DataFrame) -> pd.DataFrame:
        """People per cohort × role × ``dim`` of one family; unfiltered, counted for every
        family in one pass (the metrics share a units frame of dozens of families)."""
        keys = ["cohort", "role", dim]
        if pop:
            return twoway.count_atoms(units, keys)
        if ("atoms", dim) not in self.cache:
            every = twoway.count_atoms(self.units, ["metric", "outcome", *keys])
            self.cache[("atoms", dim)] = {
                (str(m), str(o)): part[[*keys, "n"]]
                for (m, o), part in every.groupby(["metric", "outcome"], sort=False)}
        found = self.cache[("atoms", dim)].get((metric, outcome))
        return found if found is not None else twoway.count_atoms(units, keys)

    def tables(self, pop: Population, metric: str, outcome: str) -> dict[str, complement.Table]:
        """The three slice tables of a population; hidden margins shared until they agree."""
        key = (pop, metric, outcome)
        if key in self.cache:
            return self.cache[key]
        units = self._select(pop, metric, outcome)
        tables = {d: complement.build(self._atoms(pop, metric, outcome, d, units),
                                      ["cohort", "role", d]) for d in SLICES}
        forced: set[tuple[str, str]] = set()
        while True:
            for dim, table in tables.items():
                cells = table.cells
                margin = (cells[dim] == TOTAL).to_numpy()
                pairs = list(zip(cells["cohort"], cells["role"], strict=True))
                mask = margin & np.array([p in forced for p in pairs], dtype=bool)
                complement.protect(table, k=self.k, forced=mask)
            hidden = {(r.cohort, r.role) for t in tables.values()
                      for r in t.cells[(t.cells[t.dims[2]] == TOTAL) & t.cells["hidden"]]
                      .itertuples()}
            if hidden <= forced:
                break
            forced |= hidden
        self.cache[key] = tables
        return tables

    def two_way(self, metric: str, outcome: str, a: str, b: str) -> complement.Table:
        """The unfiltered role × a × b table of every cohort together, margins tied to the
        one-way tables (:mod:`analysis.privacy.twoway`)."""
        dims = sorted((a, b), key=SLICES.index)
        key = ("two-way", metric, outcome, *dims)
        if key not in self.cache:
            units = self._select((), metric, outcome)
            self.cache[key] = twoway.table(units, self.tables((), metric, outcome), dims,
                                           k=self.k)
        return self.cache[key]

    def group(self, metric: str, outcome: str, cohort: str, role: str,
              conditions: Mapping[str, tuple[str, ...]]) -> tuple[bool, float, str]:
        """Whether a group (cohort, role, each slice in its values) may be shown, its n and why not.

        Every shown number must follow from the visible cells of the *unfiltered* one-way table
        (one slice condition) or two-way table (two): then no filter, breakdown or export adds
        anything a user could subtract. Three slices at once never follow from them.
        Decisions depend on the data alone, so each is kept (views repeat the same groups).
        """
        key = ("group", metric, outcome, cohort, role,
               tuple(sorted((d, tuple(v)) for d, v in conditions.items())))
        decided = self.decided.get(key)
        if decided is None:
            decided = self._group(metric, outcome, cohort, role, conditions)
            if len(self.decided) > 200_000:
                self.decided.clear()
            self.decided[key] = decided
        return decided

    def _group(self, metric: str, outcome: str, cohort: str, role: str,
               conditions: Mapping[str, tuple[str, ...]]) -> tuple[bool, float, str]:
        dims = sorted(conditions, key=SLICES.index)
        if len(dims) > 2:
            return False, float("nan"), REASON_THREE
        if len(dims) == 2 and cohort != TOTAL:
            return False, float("nan"), REASON_COHORT_TWO
        table = (self.two_way(metric, outcome, *dims) if len(dims) == 2
                 else self.tables((), metric, outcome)[dims[0] if dims else SLICES[0]])
        if all(len(conditions[d]) == 1 for d in dims):  # one cell: its own decision and reason
            wanted_cell = {"cohort": cohort, "role": role,
                           **{d: conditions[d][0] for d in dims}}
            cell = table.decision(tuple(wanted_cell.get(d, TOTAL) for d in table.dims))
            if cell is None:
                return True, 0.0, ""
            hidden, size, reason = cell
            return not hidden, size, reason
        wanted = np.ones(len(table.atoms), dtype=bool)
        for dim, value in (("cohort", cohort), ("role", role)):
            if value != TOTAL and dim in table.dims:
                wanted &= table.atom_mask(dim, (value,))
        for dim in dims:
            wanted &= table.atom_mask(dim, tuple(conditions[dim]))
        n = float(table.atom_n[wanted].sum())
        if not wanted.any():
            return True, 0.0, ""
        ok = bool(table.derivable(wanted.astype(float)[None, :])[0])
        return ok, n, "" if ok else REASON_FILTER


_CANONS: dict[tuple[int, int, int], _Canon] = {}
# content digest of a units frame, by object (metrics.results hands out the same frame while
# the data is unchanged); the frame is kept so its id cannot be reused by another
_DIGESTS: dict[int, tuple[pd.DataFrame, int]] = {}


def _canon_for(units: pd.DataFrame, k: int) -> _Canon:
    """The canonical tables of these units, reused while the units are the same (the dashboard
    and a report ask for many views of the same data)."""
    known = _DIGESTS.get(id(units))
    if known is None or known[0] is not units:  # hashing is slow at scale: once per frame
        if len(_DIGESTS) > 16:
            _DIGESTS.clear()
        known = _DIGESTS[id(units)] = (units, _digest(units))
    key = (known[1], len(units), k)
    if key not in _CANONS:
        if len(_CANONS) > 16:
            _CANONS.clear()
        _CANONS[key] = _Canon(units, k)
    return _CANONS[key]


def _digest(units: pd.DataFrame) -> int:
    """A content key of a units frame: its values hashed as they are (text first made of
    every column took three times as long at 200,000 employees); columns of mixed objects that
    cannot be hashed so, as text."""
    try:
        hashed = pd.util.hash_pandas_object(units, index=False)
    except TypeError:
        hashed = pd.util.hash_pandas_object(units.astype(str), index=False)
    return int(hashed.sum())


def warm(units: pd.DataFrame, *, min_group_size: int | None = None,
         two_way: bool = True) -> None:
    """Build every one-way (and unless ``two_way`` is false, two-way) canonical table of
    ``units`` (see :func:`suppress_results`) ahead of the views that need them, with what a
    filtered group's check needs (:meth:`analysis.privacy.complement.Table.settle`)."""
    canon = _canon_for(units, resolve_min_group_size(min_group_size))
    for metric, outcome in list(canon.families):
        for table in canon.tables((), metric, outcome).values():
            table.settle()
        for a, b in combinations(SLICES, 2) if two_way else ():
            canon.two_way(metric, outcome, a, b).settle()


def canonical_tables(units: pd.DataFrame, metric: str, outcome: str, *,
                     min_group_size: int | None = None) -> dict[str, complement.Table]:
    """The protected one-way tables (cohort × role × slice, by slice) of one unit family: the
    decisions its result rows are made on (:mod:`analysis.privacy.banded` ties band tables to
    them)."""
    canon = _canon_for(units, resolve_min_group_size(min_group_size))
    return canon.tables((), metric, outcome)


def _overlap_counts(frame: pd.DataFrame) -> dict[tuple[str, ...], float]:
    """(family, outcome, cohort, slice, value) -> units in two parts of that cell, with every
    cohort together under TOTAL; the family named without :data:`OVERLAP`."""
    out: dict[tuple[str, ...], float] = {}
    weight = frame[WEIGHT] if WEIGHT in frame else pd.Series(1.0, index=frame.index)
    frame = frame.assign(metric=frame["metric"].astype(str).str.removesuffix(OVERLAP),
                         people=weight.astype(float))
    for dim in SLICES:
        rows = frame[frame["role"] == dim]
        for keys in (["metric", "outcome", "cohort", dim], ["metric", "outcome", dim]):
            sums = rows.groupby(keys)["people"].sum()
            out.update({(m, o, *(rest[:1] if "cohort" in keys else [TOTAL]), dim, rest[-1]):
                        float(v) for (m, o, *rest), v in sums.items()})
    return out
