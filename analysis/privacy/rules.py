"""The privacy layer every number passes through before a user can see or export it.

Rules (DESIGN.md, "Privacy"; README, "Privacy and access"):

* No aggregate describing fewer than ``min_group_size`` people (k: default 5,
  $CROSSGEN_MIN_GROUP_SIZE, never below 3). Paired comparisons count completed pairs; a
  difference-in-differences needs both arms (every ``n_*`` column) at k or more.
* Complementary suppression (:mod:`analysis.privacy.complement`): every breakdown is treated as a
  table cohort × role × slice with all its margins assumed public, and cells are hidden until no
  hidden cell with fewer than k people follows from the visible ones (exact rank test; this covers
  n and n × mean, and any other additive statistic, because they share the same linear structure).
* The decision for a cell is made on that *whole* table, not on the rows a caller asked for, so a
  cell is hidden or shown alike in the dashboard, the CLI, CSV/XLSX and the PPTX.
* Filters and two slices: any group with slice conditions (a filter, a breakdown, both, a heatmap
  cell) is shown only if it follows from the visible cells of the *unfiltered* one-way table (one
  slice) or two-way table (two slices over every cohort together, :mod:`analysis.privacy.twoway`,
  totals tied to the one-way decisions); two slices within one cohort and three slices at once are
  never shown. So filtering adds nothing to subtract.
* Waves: numbers comparing two waves count people present in both (see
  :func:`analysis.pages.outcomes.items`).
* Free-text comments need ``COMMENT_MIN`` (10) commenters:
  :func:`analysis.pages.comments.comments_for`.

API for other modules — result rows: :func:`suppress_results` (``metrics.results`` calls it);
count tables and heatmaps: :func:`suppress_counts`. Both add ``suppressed`` and
``suppressed_reason`` and blank every number of a hidden row.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from analysis.privacy import complement, twoway
from analysis.privacy.complement import TOTAL, UNPUBLISHED

DEFAULT_MIN_GROUP_SIZE = 5
FLOOR = 3
COMMENT_MIN = 10
SUPPRESSED_REASON = complement.REASON_SMALL
REASON_FILTER = "hidden: comparing this filter with the unfiltered view would reveal a small group"
REASON_UNCHECKED = "hidden: could not be checked against the breakdown"
REASON_THREE = "hidden: three slices at once would single out small groups"
REASON_COHORT_TWO = "hidden: two slices within one cohort would single out small groups"
SLICES = ("generation", "department", "level")
ALL = "all"  # the cohort / role label of "everyone together" in result rows
UNIT_COLUMNS = ["metric", "outcome", "cohort", "role", *SLICES]
# A unit family whose metric ends so counts units in two parts of one cell (a pair with both
# members in it); its role column names the slice: see :meth:`_Canon.overlap_hidden`.
OVERLAP = ":both"
WEIGHT = twoway.WEIGHT  # optional units column: people per unit row (units counted in SQL)


@dataclass(frozen=True)
class Arm:
    """A group of counted people behind a result row, checked like a one-group row.

    ``metric`` and ``outcome`` name the unit family; ``count`` is the row's column that must
    equal the group's size; ``roles`` (row labels, "all" for every role) replace the row's role,
    and when several are given the group is their sum, shown only if each part is shown (pairs
    counted once per member role); ``mismatch`` is the reason when the sizes differ.
    """

    metric: str
    outcome: str
    count: str = "n"
    roles: tuple[str, ...] | None = None
    mismatch: str = REASON_UNCHECKED


# A result row's arms, given whether any slice condition applies to it; None: the row's own
# metric and outcome (the default for metrics with units).
Arms = Callable[[Mapping[str, Any], bool], list[Arm] | None]


def resolve_min_group_size(value: int | None = None) -> int:
    """The configured minimum (argument, else $CROSSGEN_MIN_GROUP_SIZE, else 5); never below 3."""
    if value is None:
        value = int(os.environ.get("CROSSGEN_MIN_GROUP_SIZE", DEFAULT_MIN_GROUP_SIZE))
    if value < FLOOR:
        raise ValueError(f"the minimum group size cannot be below {FLOOR} (got {value})")
    return int(value)


def _blank(frame: pd.DataFrame, hidden: np.ndarray, reasons: np.ndarray,
           number_columns: list[str] | None) -> pd.DataFrame:
    columns = number_columns or [c for c in frame.columns if c != "suppressed"
                                 and pd.api.types.is_numeric_dtype(frame[c])]
    if columns:
        values = frame[columns].to_numpy(dtype=float, copy=True, na_value=np.nan)
        values[hidden] = np.nan
        # one construction: assigning a block or column by column costs ms on wide frames
        at = {c: i for i, c in enumerate(columns)}
        frame = pd.DataFrame({c: values[:, at[c]] if c in at else frame[c].array
                              for c in frame.columns}, index=frame.index)
    else:
        frame = frame.copy()
    frame["suppressed"] = hidden
    frame["suppressed_reason"] = pd.Series(reasons, index=frame.index, dtype=object).where(
        hidden, None)
    return frame


DECISION_COLUMNS = ("metric", "outcome", "cohort", "role", "group", "phase", "source")


def _count_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c == "n" or c.startswith("n_")]


# -- result rows ----------------------------------------------------------------------------------

Population = tuple[tuple[str, tuple[str, ...]], ...]  # slice filters, sorted


def population(filters: Any) -> Population:
    """The slice filters (generation, department, level) of a Filters-like object, hashable."""
    return tuple((d, tuple(sorted(getattr(filters, d)))) for d in SLICES if getattr(filters, d, ()))


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


def _key(row: Mapping[str, Any]) -> tuple[str, str, dict[str, str]]:
    cohort = TOTAL if row["cohort"] == ALL else str(row["cohort"])
    role = TOTAL if row["role"] == ALL else str(row["role"])
    group = row["group"] if isinstance(row["group"], dict) else {}
    return cohort, role, {k: str(v) for k, v in group.items() if k in SLICES}


def _decide(canon: _Canon, pop: Population, row: Mapping[str, Any],
            arms: Arms | None = None) -> tuple[bool, str]:
    cohort, role, slices = _key(row)
    conditions = dict(pop)
    for dim, value in slices.items():  # a breakdown within a filter: the value, if allowed
        conditions[dim] = (value,) if value in conditions.get(dim, (value,)) else ()
    if any(not values for values in conditions.values()):
        return True, REASON_UNCHECKED
    if len(conditions) > 2:
        return True, REASON_THREE
    chosen = arms(row, bool(conditions)) if arms is not None else None
    for arm in chosen or [Arm(str(row["metric"]), str(row["outcome"]))]:
        shown, count, reason = True, 0.0, ""
        for part in arm.roles or (role,):
            part = TOTAL if part == ALL else part
            ok, size, why = canon.group(arm.metric, arm.outcome, cohort, part, conditions)
            if not ok and pd.isna(size):  # refused before counting (two or three slices)
                return True, why or REASON_UNCHECKED
            shown, count, reason = shown and ok, count + size, reason or why
        n = row.get(arm.count)
        if n is None or pd.isna(n) or pd.isna(count) or int(count) != int(n):
            return True, arm.mismatch
        if not shown and count > 0:
            return True, reason or REASON_UNCHECKED
        if arm.roles and len(arm.roles) > 1 and len(conditions) == 1:  # one overlapping cell
            ((dim, values),) = conditions.items()
            if len(values) == 1 and values[0] in canon.overlap_hidden(
                    arm.metric, arm.outcome, arm.roles, cohort, dim):
                return True, complement.REASON_COMPLEMENT
    return False, ""


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


def suppress_results(frame: pd.DataFrame, *, min_group_size: int | None = None,
                     units: pd.DataFrame | None = None, filters: Any = None,
                     number_columns: list[str] | None = None,
                     arms: Arms | None = None) -> pd.DataFrame:
    """Hide result rows a user may not see; adds ``suppressed`` and ``suppressed_reason``.

    ``units``: one row per counted person (columns :data:`UNIT_COLUMNS`) for the whole database —
    every cohort and role, no slice filter — so complementary suppression is decided on the complete
    breakdown. ``filters``: the slice filters the frame was computed under. Without ``units`` only
    the primary rule (n < k) applies; rows of metrics that do not provide units get that.
    ``arms``: the groups behind a row (:class:`Arm`: both arms of a comparison, pairs counted
    by member, unit families shared by several metrics); rows it gives arms for are decided on
    those, the others on their own metric and outcome.
    """
    k = resolve_min_group_size(min_group_size)
    if frame.empty:
        out = frame.copy()
        out["suppressed"] = pd.Series(dtype=bool)
        out["suppressed_reason"] = pd.Series(dtype=object)
        return out
    counts = frame[_count_columns(frame)].astype(float)
    small = (counts < k).any(axis=1).to_numpy() | counts.isna().all(axis=1).to_numpy()
    reasons = np.where(small, SUPPRESSED_REASON.format(k=k), "").astype(object)
    hidden = small.copy()
    if units is not None:
        canon = _canon_for(units, k)
        pop = population(filters) if filters is not None else ()
        known = canon.families  # (metric, outcome) -> its units, built once per units frame
        # the columns a decision reads (labels, counts, an alpha's phase): records of every
        # result column cost more than the decisions on wide frames of several metrics
        read = [c for c in frame.columns if c in DECISION_COLUMNS] + _count_columns(frame)
        records = frame[read].to_dict("records")
        for i, row in enumerate(records):
            if hidden[i]:
                continue
            if arms is not None and arms(row, True) is not None:
                hidden[i], reasons[i] = _decide(canon, pop, row, arms)
            elif (row["metric"], row["outcome"]) in known:
                hidden[i], reasons[i] = _decide(canon, pop, row)
    return _blank(frame, hidden, reasons, number_columns)


def group_hidden(n: int, *, cohort: str | None, role: str | None, units: pd.DataFrame,
                 filters: Any, min_group_size: int | None = None) -> str | None:
    """Why the count of one filtered group (cohort / role / slices) may not be shown, or None.

    ``units``: one row per person of the whole database (:data:`UNIT_COLUMNS`; ``metric`` and
    ``outcome`` are any constant labels). Same rules as result rows: minimum, the group's breakdown
    table, and for slices the span rule against the unfiltered breakdown.
    """
    metric, outcome = str(units["metric"].iloc[0]), str(units["outcome"].iloc[0])
    row = pd.DataFrame({"metric": [metric], "outcome": [outcome], "cohort": [cohort or ALL],
                        "role": [role or ALL], "group": [{}], "n": [n]})
    out = suppress_results(row, min_group_size=min_group_size, units=units, filters=filters)
    return out["suppressed_reason"].iloc[0] if bool(out["suppressed"].iloc[0]) else None


# -- count tables ---------------------------------------------------------------------------------

def suppress_counts(atoms: pd.DataFrame, *, dims: list[str], n: str = "n",
                    sums: list[str] | None = None, min_group_size: int | None = None,
                    margins: bool = True, total_label: str = "All") -> pd.DataFrame:
    """A count table (or heatmap) with primary and complementary suppression.

    ``atoms``: one row per combination of ``dims`` with the number of people in ``n``, plus any
    additive columns in ``sums`` (e.g. the sum of a score: divide by n for the mean after
    suppression). Missing dimension values must be given a label (e.g. "Not recorded"), or those
    people are treated as a hidden group. Returns every non-empty cell with the margins
    (``total_label``) when ``margins``; margins count as public whether or not they are shown.
    Hidden cells have every number blanked, ``suppressed`` True and a ``suppressed_reason``.
    """
    k = resolve_min_group_size(min_group_size)
    frame = atoms.copy()
    for dim in dims:
        frame[dim] = frame[dim].astype(object).fillna(UNPUBLISHED).astype(str)
    sums = list(sums or [])
    table = complement.protect(complement.build(frame, dims, n=n), k=k)
    cells = table.cells.copy()
    if sums:  # margins of the additive columns, through the same membership matrix
        values = table.atoms[dims].merge(frame.groupby(dims, as_index=False)[sums].sum(),
                                         on=dims, how="left")[sums].to_numpy(dtype=float)
        cells[sums] = table.member @ values
    published = ~np.any(np.stack([(cells[d] == UNPUBLISHED).to_numpy() for d in dims]), axis=0)
    if not margins:
        published &= ~np.any(np.stack([(cells[d] == TOTAL).to_numpy() for d in dims]), axis=0)
    cells = cells[published]
    merged = cells[[*dims, "n", *sums, "hidden", "reason"]].rename(columns={"n": n})
    for dim in dims:
        merged[dim] = merged[dim].replace({TOTAL: total_label})
    hidden = merged.pop("hidden").to_numpy(dtype=bool)
    reasons = merged.pop("reason").to_numpy(dtype=object)
    return _blank(merged.reset_index(drop=True), hidden, reasons, None)
