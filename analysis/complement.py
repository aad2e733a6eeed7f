"""Cell suppression for tables with margins: primary (n < k) plus complementary suppression.

A table is given by its *atoms*: the finest cells, one row per combination of dimension values with
the number of people ``n`` (every dimension concrete; missing values as :data:`UNPUBLISHED`). Every
margin (any dimension set to :data:`TOTAL`) is assumed public — it can be had from another view,
filter or export even when the caller does not show it.

Guarantee, for every additive statistic (n, sums, n × mean, sums of squares): after
:func:`protect`, (1) every hidden cell with fewer than k people (and every unpublished atom with
fewer than k) is not a linear combination of the visible cells, checked exactly by a rank test; and
(2) in every line of the table (cells that add up to a margin) the hidden cells together hold 0 or
at least k people. So no hidden cell — and no set of hidden cells smaller than k — can be worked out
by adding and subtracting published numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

TOTAL = "\x00total"
UNPUBLISHED = "\x00not recorded"
REASON_SMALL = "fewer than {k} people"
REASON_COMPLEMENT = "hidden so that a smaller group cannot be worked out by subtraction"


Echelon = tuple[np.ndarray, np.ndarray]  # pivot columns, and their rows (reduced, normalised)


@dataclass
class Table:
    """Every cell of a table (atoms and margins), its atom membership and what is hidden."""

    dims: list[str]
    cells: pd.DataFrame  # dims + n + hidden + reason
    member: np.ndarray  # cells × atoms, 0/1
    atoms: pd.DataFrame  # the columns of ``member``: dims + n
    lines: list[tuple[np.ndarray, int | None]] = field(default_factory=list)
    position: dict[tuple[str, ...], int] = field(default_factory=dict)  # cell key -> row
    pivots: Echelon | None = field(default=None, repr=False)  # of the visible cells

    @property
    def n(self) -> np.ndarray:
        return np.asarray(self.cells["n"].to_numpy(dtype=float))

    def derivable(self, vectors: np.ndarray, hidden: np.ndarray | None = None) -> np.ndarray:
        """Which rows of ``vectors`` (over the atoms) are linear combinations of visible cells."""
        if hidden is None:  # the final state: echelon form computed once
            if self.pivots is None:
                self.pivots = _echelon(self.member[~self.cells["hidden"].to_numpy(dtype=bool)])
            pivots = self.pivots
        else:
            pivots = _echelon(self.member[~hidden])
        vectors = np.asarray(vectors, dtype=float)
        columns, reduced = pivots
        # fully reduced pivots: eliminating them one by one equals one product
        rest = vectors - vectors[:, columns] @ reduced if len(columns) else vectors
        return np.asarray(np.abs(rest).max(axis=1, initial=0.0) < 1e-6)

    def lookup(self, **key: str) -> pd.Series:
        at = self.position.get(tuple(key[d] for d in self.dims))
        return self.cells.iloc[at] if at is not None else pd.Series(dtype=object)


def _echelon(matrix: np.ndarray) -> Echelon:
    """Reduced row echelon form: the pivot columns and the pivot rows as one matrix (each row
    1 at its own pivot column and 0 at every other pivot column).

    Gaussian elimination with partial pivoting in plain numpy: the matrices are small 0/1 ones, and
    LAPACK's threads only slow this down on a busy machine.
    """
    rows = np.array(matrix, dtype=float, copy=True)
    width = rows.shape[1] if rows.ndim == 2 else 0
    columns: list[int] = []
    reduced = np.zeros((0, width))
    for column in range(width):
        if not len(rows):
            break
        best = int(np.argmax(np.abs(rows[:, column])))
        if abs(rows[best, column]) < 1e-9:
            continue
        pivot = rows[best] / rows[best, column]
        rows = np.delete(rows, best, axis=0)
        rows -= rows[:, [column]] * pivot[None, :]
        reduced -= reduced[:, [column]] * pivot[None, :]
        reduced = np.vstack([reduced, pivot])
        columns.append(column)
    return np.asarray(columns, dtype=int), reduced


def build(atoms: pd.DataFrame, dims: list[str], *, n: str = "n") -> Table:
    """Every margin of ``atoms`` (summed ``n``) and the cells × atoms membership matrix."""
    atoms = atoms[atoms[n] > 0].groupby(dims, as_index=False)[n].sum()
    keys = list(atoms[dims].itertuples(index=False, name=None))  # aggregated cells, not rows
    counts = atoms[n].to_numpy(dtype=float)
    sums: dict[tuple[str, ...], float] = {}
    for size in range(len(dims) + 1):
        for totalled in combinations(range(len(dims)), size):
            for key, count in zip(keys, counts, strict=True):
                cell = tuple(TOTAL if i in totalled else v for i, v in enumerate(key))
                sums[cell] = sums.get(cell, 0.0) + float(count)
    cells = pd.DataFrame(list(sums), columns=dims, dtype=object)
    cells["n"] = list(sums.values())
    member = np.ones((len(cells), len(atoms)), dtype=float)
    for d in dims:
        cell_values = cells[d].to_numpy()[:, None]
        member *= (cell_values == TOTAL) | (cell_values == atoms[d].to_numpy()[None, :])
    cells["hidden"] = False
    cells["reason"] = ""
    table = Table(list(dims), cells, member, atoms.reset_index(drop=True))
    position = {cell: i for i, cell in enumerate(sums)}
    table.position = position
    for axis in range(len(dims)):
        lines: dict[tuple[str, ...], list[int]] = {}
        for cell, i in position.items():
            if cell[axis] != TOTAL:
                lines.setdefault((*cell[:axis], TOTAL, *cell[axis + 1:]), []).append(i)
        table.lines += [(np.array(members), position.get(margin))
                        for margin, members in lines.items()]
    return table


def _line_pass(table: Table, k: int, hidden: np.ndarray, reason: np.ndarray,
               unpublished: np.ndarray, fixed: np.ndarray) -> bool:
    """In every line, hide the next-smallest cell while 0 < hidden people < k, or while a single
    published cell is the only one hidden (it would follow from the margin). ``fixed`` cells are
    never picked: another table decides them."""
    changed = False
    n = table.n
    for positions, margin in table.lines:
        while True:
            inside = hidden[positions]
            held = n[positions][inside].sum()
            lone = inside.sum() == 1 and not unpublished[positions][inside].any()
            if not (0 < held < k or lone):
                break
            visible = positions[~inside & ~fixed[positions]]
            if len(visible):
                target = int(visible[np.argmin(n[visible])])
            elif margin is not None and not hidden[margin] and not fixed[margin]:
                target = margin
            else:
                break
            hidden[target] = True
            reason[target] = reason[target] or REASON_COMPLEMENT
            changed = True
    return changed


def _neighbours(table: Table, position: int, hidden: np.ndarray) -> np.ndarray:
    """Visible cells in a line with the cell at ``position`` (differ in exactly one dimension);
    ``hidden`` here also marks the fixed cells, which may not be picked."""
    cells = table.cells
    same = np.stack([(cells[d] == cells.loc[position, d]).to_numpy() for d in table.dims])
    near = (same.sum(axis=0) == len(table.dims) - 1) & ~hidden
    grand = np.all(np.stack([(cells[d] == TOTAL).to_numpy() for d in table.dims]), axis=0)
    candidates = np.flatnonzero(near & ~grand)
    return candidates[np.argsort(table.n[candidates], kind="stable")]


def _audit_pass(table: Table, k: int, hidden: np.ndarray, reason: np.ndarray,
                fixed: np.ndarray, guard: np.ndarray) -> bool:
    """Hide one more cell if a protected hidden cell (small, or in ``guard``) follows exactly
    from the visible ones."""
    n = table.n
    protected = np.flatnonzero(hidden & ((n < k) | guard))
    if not len(protected):
        return False
    exposed = protected[table.derivable(table.member[protected], hidden)]
    if not len(exposed):
        return False
    target = int(exposed[np.argmin(n[exposed])])
    candidates = _neighbours(table, target, hidden | fixed)
    if not len(candidates):  # nothing left to hide next to it: hide the smallest visible cell
        visible = np.flatnonzero(~hidden & ~fixed)
        if not len(visible):
            return False
        candidates = visible[np.argsort(n[visible], kind="stable")]
    chosen = int(candidates[0])
    for candidate in candidates[:8]:
        trial = hidden.copy()
        trial[candidate] = True
        if not table.derivable(table.member[[target]], trial)[0]:
            chosen = int(candidate)
            break
    hidden[chosen] = True
    reason[chosen] = reason[chosen] or REASON_COMPLEMENT
    return True


def protect(table: Table, *, k: int, forced: np.ndarray | None = None,
            forced_reason: str = REASON_COMPLEMENT, fixed: np.ndarray | None = None,
            guard: np.ndarray | None = None) -> Table:
    """Primary suppression (n < k, unpublished atoms), then complementary until both rules hold.

    ``forced``: cells hidden from the start (hidden in a linked table). ``fixed``: cells whose
    visibility another table decides (shown there), so complementary suppression never picks them;
    they still count as visible in the rank test, so what this table shows stays safe with them.
    ``guard``: hidden cells that must not follow from the visible ones even with k or more people
    (hidden in a linked table to protect a small group there).
    """
    cells = table.cells
    n = table.n
    small = n < k
    unpublished = np.any(np.stack([(cells[d] == UNPUBLISHED).to_numpy() for d in table.dims]),
                         axis=0)
    hidden = small | unpublished
    reason = np.where(small, REASON_SMALL.format(k=k), "").astype(object)
    if forced is not None:
        extra = forced & ~hidden
        hidden |= extra
        reason[extra] = forced_reason
    fixed = np.zeros(len(cells), dtype=bool) if fixed is None else fixed
    guard = np.zeros(len(cells), dtype=bool) if guard is None else guard
    while (_line_pass(table, k, hidden, reason, unpublished, fixed)
           or _audit_pass(table, k, hidden, reason, fixed, guard)):
        pass
    cells["hidden"] = hidden
    cells["reason"] = reason
    table.pivots = None
    return table
