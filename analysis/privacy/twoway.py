"""Two-way tables (role × two slices, every cohort together) tied to the one-way breakdowns.

A slice explorer heatmap of generation × department, or a generation breakdown under a
department filter, shows cells of the table role × generation × department over all cohorts
together. Two slices within one cohort are never published (``privacy.REASON_COHORT_TWO``): a
cohort is a small population, and linking every cohort's two-way table through their totals makes
the exact protection below cost minutes at enterprise scale instead of milliseconds.

The table's row and column margins are the one-way breakdowns every other view shows (by
generation, by department, all cohorts), so those margins are *fixed* here: hidden exactly where
the one-way table hides them, never picked for extra suppression, and the hidden ones are guarded
(no combination of visible cells may give them). Complementary suppression then runs on the inner
cells. :mod:`analysis.privacy.rules` decides every filtered or two-way number from these tables (see
``canon._Canon.group``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.privacy import complement
from analysis.privacy.complement import TOTAL, UNPUBLISHED
from analysis.stats._groups import group_ids

WEIGHT = "people"  # optional units column: how many people a unit row stands for


def count_atoms(units: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """People per combination of ``keys`` (missing values: a hidden group). A unit row stands
    for ``people`` persons when that column is there (units counted in SQL), else for one."""
    group, first = group_ids(units, keys)  # numbered in numpy: units run to 10⁵–10⁶ rows
    weight = units[WEIGHT].fillna(1).to_numpy(dtype=float) if WEIGHT in units \
        else np.ones(len(units))
    atoms = units.iloc[first][keys].astype(object).fillna(UNPUBLISHED).reset_index(drop=True)
    n = np.bincount(group, weights=weight, minlength=len(first))
    atoms["n"] = n if WEIGHT in units else n.astype("int64")
    return atoms.sort_values(keys, kind="stable").reset_index(drop=True)


def guarded(table: complement.Table, forced: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """The ``forced`` (hidden) margins that do not already follow from the ``fixed`` visible
    ones: only those need guarding, the others are public through the tables that fix them."""
    public = table.derivable(table.member[forced], ~(fixed & ~forced))
    guard = forced.copy()
    guard[np.flatnonzero(forced)[public]] = False
    return guard


def table(units: pd.DataFrame, one_way: dict[str, complement.Table], dims: list[str], *,
          k: int, guard_public: bool = True) -> complement.Table:
    """The protected role × ``dims`` table of ``units`` over every cohort (one row per person;
    missing slice values are a hidden group), its margins fixed to the ``one_way`` tables'
    all-cohort rows by slice. ``guard_public=False`` guards only the hidden margins that do not
    follow from the visible ones (:func:`guarded`)."""
    built = complement.build(count_atoms(units, ["role", *dims]), ["role", *dims])
    cells = built.cells
    a, b = dims
    margin = ((cells[a] == TOTAL) | (cells[b] == TOTAL)).to_numpy()
    hidden = np.zeros(len(cells), dtype=bool)
    for dim, other in ((a, b), (b, a)):  # the cells of the one-way table by ``dim``
        decided = one_way[dim].cells
        decided = decided[decided["cohort"] == TOTAL][["role", dim, "hidden"]]
        here = cells[cells[other] == TOTAL][["role", dim]].reset_index()
        found = here.merge(decided, on=["role", dim], how="left")
        # A margin the one-way table does not know counts as hidden there.
        hidden[found["index"].to_numpy()] |= found["hidden"].astype("boolean").fillna(
            True).to_numpy(dtype=bool)
    forced = margin & hidden
    guard = forced if guard_public else guarded(built, forced, margin)
    return complement.protect(built, k=k, forced=forced, fixed=margin, guard=guard)
