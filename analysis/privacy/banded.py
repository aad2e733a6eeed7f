"""Counts split into bands (histogram bins, pair-health statuses) under complementary suppression.

A banded display shows, for one view (cohort, role, slice filter), how many people of a counted
group fall in each band. The bands of a group add up to the group's own count, which another view
publishes (the paired change's n, the number of pairs), so a band is a cell of a larger table:

* ``cohort × role × band``: the views without a slice filter. Its band margin (cohort × role,
  every band together) *is* the base family's canonical table (:mod:`analysis.privacy.rules`):
  fixed to its decisions (never picked here, hidden exactly where it is hidden, and those guarded
  unless the visible ones already give them away), as :mod:`analysis.privacy.twoway` ties a two-way
  table to its one-way margins.
* ``role × slice × band`` over every cohort together, for each slice: the views with a one-slice
  filter, built by :func:`analysis.privacy.twoway.table` with the margins fixed to the base family's
  one-way table and to the first table's all-cohort cells.

A view's band is shown only when its atoms add up to a combination of visible cells of those
tables (exact rank test), the rule ``canon._Canon.group`` applies to result rows: so filters,
cohorts and breakdowns add nothing to subtract. A cohort with a slice filter, or two slices,
would be three dimensions with the band: such views hide every band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.privacy import complement, twoway
from analysis.privacy.complement import TOTAL
from analysis.privacy.rules import REASON_FILTER, REASON_THREE, REASON_UNCHECKED, SLICES

BAND = "band"
REASON_COHORT_SLICE = ("hidden: bands within one cohort and a slice filter would single out "
                       "small groups (clear the cohort or the slice filter)")
REASON_SLICE = ("hidden: this table is not offered under a generation, department or level "
                "filter")


@dataclass
class Bands:
    """The protected tables of one banded family: "" (cohort × role × band) and one per slice."""

    tables: dict[str, complement.Table]
    k: int


def protect(units: pd.DataFrame, base: dict[str, complement.Table], *, k: int,
            base_role: str | None = None, slices: tuple[str, ...] = SLICES) -> Bands:
    """Protect the band tables of ``units`` (cohort, role, band, the slices, optional people).

    ``base``: the base family's canonical one-way tables (``canon.canonical_tables``).
    ``base_role``: the base role every band role stands for (pairs are counted by their mentor;
    only without ``slices``). ``slices``: the slice filters the display offers (the others hide
    every band).
    """
    if base_role is not None and slices:
        raise ValueError("base_role applies to displays without slice filters only")
    first = base[SLICES[0]].cells
    decided = first[first[SLICES[0]] == TOTAL][["cohort", "role", "hidden"]]
    if base_role is not None:
        decided = decided[decided["role"] == base_role]
        decided = pd.concat([decided, decided.assign(role=TOTAL)], ignore_index=True)
    keys = ["cohort", "role", BAND]
    built = complement.build(twoway.count_atoms(units, keys), keys)
    cells = built.cells
    margin = (cells[BAND] == TOTAL).to_numpy()
    found = cells.loc[margin, ["cohort", "role"]].reset_index().merge(
        decided, on=["cohort", "role"], how="left")
    hidden = np.zeros(len(cells), dtype=bool)  # a margin the base does not know: hidden
    hidden[found["index"].to_numpy()] = found["hidden"].astype("boolean").fillna(True).to_numpy(
        dtype=bool)
    guard = twoway.guarded(built, hidden, margin)
    complement.protect(built, k=k, forced=hidden, fixed=margin, guard=guard)
    tables = {"": built}
    for dim in slices:
        tables[dim] = twoway.table(units, {dim: base[dim], BAND: built}, [dim, BAND], k=k,
                                   guard_public=False)
    return Bands(tables, k)


def decide(bands: Bands, *, cohort: str | None, role: str | None,
           conditions: dict[str, tuple[str, ...]], counts: pd.Series,
           every: tuple[str, ...] = ()) -> pd.DataFrame:
    """Which bands of one view may be shown.

    ``counts``: people per band in the view (index: band labels), as the display computed them;
    a band whose count differs from the tables' is hidden. Returns band, n, suppressed,
    suppressed_reason for every band with people in ``counts``; when one of them is hidden, also
    for the bands of ``every`` (all the display's bands) with no one, hidden like a small band:
    otherwise the empty bands beside a hidden one would tell where a small group's people are.
    """
    out = _decide(bands, cohort=cohort, role=role, conditions=conditions, counts=counts)
    empty = [b for b in every if b not in set(out[BAND])]
    if not out["suppressed"].any() or not empty:
        return out
    hidden = pd.DataFrame({BAND: empty, "n": np.nan, "suppressed": True,
                           "suppressed_reason": complement.REASON_SMALL.format(k=bands.k)})
    return pd.concat([out, hidden], ignore_index=True)


def _decide(bands: Bands, *, cohort: str | None, role: str | None,
            conditions: dict[str, tuple[str, ...]], counts: pd.Series) -> pd.DataFrame:
    cohort_key = TOTAL if cohort is None else str(cohort)
    role_key = TOTAL if role is None else str(role)
    dims = [d for d in SLICES if d in conditions]
    table = bands.tables.get(dims[0] if len(dims) == 1 else "", bands.tables[""])
    atoms = table.atoms
    counts = counts[counts > 0]
    labels = sorted(set(counts.index.astype(str)))
    out = pd.DataFrame({BAND: labels})
    out["n"] = out[BAND].map(counts.rename(index=str)).fillna(0.0).astype(float)
    refused = (REASON_THREE if len(dims) > 1
               else REASON_SLICE if dims and dims[0] not in bands.tables
               else REASON_COHORT_SLICE if dims and cohort is not None else None)
    if refused:
        return _finish(out, np.ones(len(out), dtype=bool), np.full(len(out), refused, object))
    wanted = np.ones(len(atoms), dtype=bool)
    if "cohort" in table.dims and cohort is not None:
        wanted &= (atoms["cohort"] == cohort_key).to_numpy()
    if role is not None:
        wanted &= (atoms["role"] == role_key).to_numpy()
    for dim in dims:
        wanted &= atoms[dim].isin(list(conditions[dim])).to_numpy()
    band_of = atoms[BAND].astype(str).to_numpy()
    vectors = np.array([wanted & (band_of == b) for b in labels], dtype=float).reshape(
        len(labels), len(atoms))
    sizes = vectors @ atoms["n"].to_numpy(dtype=float)
    shown = table.derivable(vectors) if len(atoms) else np.ones(len(labels), dtype=bool)
    reasons = np.array([_reason(table, cohort_key, role_key, conditions, b) for b in labels],
                       dtype=object)
    reasons = np.where(shown, "", reasons)
    mismatch = sizes != out["n"].to_numpy()
    reasons = np.where(mismatch, REASON_UNCHECKED, reasons)
    return _finish(out, ~shown | mismatch, reasons)


def _reason(table: complement.Table, cohort: str, role: str,
            conditions: dict[str, tuple[str, ...]], band: str) -> str:
    """The reason of the band's own cell when the view is one cell, else the filter rule's."""
    key = {"cohort": cohort, "role": role, BAND: band}
    for dim, values in conditions.items():
        if len(values) != 1:
            return REASON_FILTER
        key[dim] = values[0]
    cell = table.lookup(**{d: key.get(d, TOTAL) for d in table.dims})
    return str(cell["reason"]) if not cell.empty and cell["reason"] else REASON_FILTER


def _finish(out: pd.DataFrame, hidden: np.ndarray, reasons: np.ndarray) -> pd.DataFrame:
    out["suppressed"] = hidden
    out["suppressed_reason"] = pd.Series(reasons, index=out.index, dtype=object).where(hidden,
                                                                                      None)
    out["n"] = out["n"].where(~hidden)
    return out
