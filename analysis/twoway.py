"""Two-way tables (cohort × role × two slices) tied to the one-way breakdowns.

A slice explorer heatmap of generation × department, or a generation breakdown under a
department filter, shows cells of the table cohort × role × generation × department over the
whole database. Its row and column margins are the one-way breakdowns every other view shows
(by generation, by department), so those margins are *fixed* here: hidden exactly where the
one-way table hides them, never picked for extra suppression, and the hidden ones are guarded (no
combination of visible cells may give them). Complementary suppression then runs on the inner
cells (every cohort and role plus their "all" totals). :mod:`analysis.privacy` decides every
filtered or two-way number from these tables (see ``privacy._Canon.group``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import complement
from analysis.complement import TOTAL, UNPUBLISHED


def table(units: pd.DataFrame, one_way: dict[str, complement.Table], dims: list[str], *,
          k: int) -> complement.Table:
    """The protected cohort × role × ``dims`` table of ``units`` (one row per person; missing
    slice values are a hidden group), its margins fixed to the ``one_way`` tables by slice."""
    frame = units[["cohort", "role", *dims]].astype(object).fillna(UNPUBLISHED)
    atoms = frame.groupby(["cohort", "role", *dims], as_index=False).size().rename(
        columns={"size": "n"})
    built = complement.build(atoms, ["cohort", "role", *dims])
    cells = built.cells
    a, b = dims
    margin = ((cells[a] == TOTAL) | (cells[b] == TOTAL)).to_numpy()
    hidden = np.zeros(len(cells), dtype=bool)
    for dim, other in ((a, b), (b, a)):  # the cells of the one-way table by ``dim``
        decided = one_way[dim].cells[["cohort", "role", dim, "hidden"]]
        here = cells[cells[other] == TOTAL][["cohort", "role", dim]].reset_index()
        found = here.merge(decided, on=["cohort", "role", dim], how="left")
        # A margin the one-way table does not know counts as hidden there.
        hidden[found["index"].to_numpy()] |= found["hidden"].astype("boolean").fillna(
            True).to_numpy(dtype=bool)
    forced = margin & hidden
    return complement.protect(built, k=k, forced=forced, fixed=margin, guard=forced)
