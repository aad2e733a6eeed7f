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

import heapq
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
import scipy.linalg

TOTAL = "\x00total"
UNPUBLISHED = "\x00not recorded"
REASON_SMALL = "fewer than {k} people"
REASON_COMPLEMENT = "hidden so that a smaller group cannot be worked out by subtraction"


Null = tuple[np.ndarray, np.ndarray]  # hidden atom columns, and a basis of the null space there


@dataclass
class Table:
    """Every cell of a table (atoms and margins), its atom membership and what is hidden."""

    dims: list[str]
    cells: pd.DataFrame  # dims + n + hidden + reason
    member: np.ndarray  # cells × atoms, 0/1
    atoms: pd.DataFrame  # the columns of ``member``: dims + n
    lines: list[tuple[np.ndarray, int | None]] = field(default_factory=list)
    position: dict[tuple[str, ...], int] = field(default_factory=dict)  # cell key -> row
    atom_cell: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    line_cells: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    line_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    cell_lines: list[list[int]] = field(default_factory=list)  # cell -> the lines it is in
    null: Null | None = field(default=None, repr=False)  # of the final visible cells
    final: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    labels: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    masks: dict[tuple[str, tuple[str, ...]], np.ndarray] = field(default_factory=dict,
                                                                  repr=False)
    atom_sizes: np.ndarray | None = field(default=None, repr=False)

    @property
    def n(self) -> np.ndarray:
        return np.asarray(self.cells["n"].to_numpy(dtype=float))

    def derivable(self, vectors: np.ndarray, hidden: np.ndarray | None = None) -> np.ndarray:
        """Which rows of ``vectors`` (over the atoms) are linear combinations of visible cells.

        A vector is in the row space of the visible cells exactly when it is orthogonal to their
        null space. A visible atom is a unit row, so every null vector is zero there: the null
        space lives on the hidden atoms only, which keeps the matrix small when few are hidden.
        """
        if hidden is None:  # the final state: null space computed once
            columns, basis = self.settle()
        else:
            columns, basis = _null(self, hidden)
        vectors = np.asarray(vectors, dtype=float)
        if not basis.shape[1]:
            return np.ones(len(vectors), dtype=bool)
        return np.asarray(np.abs(vectors[:, columns] @ basis).max(axis=1) < 1e-6)

    def lookup(self, **key: str) -> pd.Series:
        at = self.position.get(tuple(key[d] for d in self.dims))
        return self.cells.iloc[at] if at is not None else pd.Series(dtype=object)

    def decision(self, key: tuple[str, ...]) -> tuple[bool, float, str] | None:
        """(hidden, n, reason) of the cell with these dimension values, None when absent; read
        from arrays made once the table is final (a view asks for hundreds of cells)."""
        if self.final is None:
            self.final = (self.cells["hidden"].to_numpy(dtype=bool), self.n,
                          self.cells["reason"].astype(object).to_numpy())
        at = self.position.get(key)
        if at is None:
            return None
        hidden, n, reason = self.final
        return bool(hidden[at]), float(n[at]), str(reason[at])

    def settle(self) -> Null:
        """The null space of the final table's visible cells, which :meth:`derivable` reads,
        worked out once (a server's warm-up calls this, so no view pays it)."""
        if self.null is None:
            self.null = _null(self, self.cells["hidden"].to_numpy(dtype=bool))
        return self.null

    @property
    def atom_n(self) -> np.ndarray:
        """The atoms' n as an array (kept)."""
        if self.atom_sizes is None:
            self.atom_sizes = self.atoms["n"].to_numpy()
        return self.atom_sizes

    def atom_mask(self, dim: str, values: tuple[str, ...]) -> np.ndarray:
        """Which atoms have one of ``values`` in ``dim`` (kept: the rows of one view ask for
        the same cohorts, roles and filter values over and over)."""
        mask = self.masks.get((dim, values))
        if mask is None:
            if len(self.masks) > 4096:
                self.masks.clear()
            labels = self.atom_labels(dim)
            mask = labels == values[0] if len(values) == 1 else np.isin(labels, list(values))
            self.masks[(dim, values)] = mask
        return mask

    def atom_labels(self, dim: str) -> np.ndarray:
        """The atoms' values of one dimension, as an array (kept)."""
        labels = self.labels.get(dim)
        if labels is None:
            labels = self.labels[dim] = self.atoms[dim].astype(object).to_numpy()
        return labels


def _null(table: Table, hidden: np.ndarray) -> Null:
    """The hidden atom columns and an orthonormal basis of {x : visible cells · x = 0} there."""
    columns = np.flatnonzero(hidden[table.atom_cell])
    if not len(columns):
        return columns, np.zeros((0, 0))
    rows = table.member[~hidden][:, columns]
    rows = rows[rows.any(axis=1)]
    if not len(rows):
        return columns, np.eye(len(columns))
    return columns, scipy.linalg.null_space(_unique_rows(rows))


def _unique_rows(rows: np.ndarray) -> np.ndarray:
    """``np.unique(rows, axis=0)`` of a 0/1 matrix: the same rows in the same (lexicographic)
    order, found by sorting each row packed into bytes — bits in column order, so comparing the
    bytes compares the rows. numpy's row-wise unique sorts a structured record per row, which
    took seconds over the thousands of audits a 20,000-employee database needs."""
    packed = np.packbits(rows != 0, axis=1)
    keys = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first = np.unique(keys, return_index=True)
    return rows[first]


def _codes(atoms: pd.DataFrame, dims: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Integer codes of each dimension (-1 stands for the total) and the labels they stand for."""
    codes, labels = [], []
    for dim in dims:
        code, uniques = pd.factorize(atoms[dim], sort=False)
        codes.append(code)
        labels.append(np.asarray(uniques, dtype=object))
    return np.column_stack(codes).astype(np.int64), labels


def build(atoms: pd.DataFrame, dims: list[str], *, n: str = "n") -> Table:
    """Every margin of ``atoms`` (summed ``n``) and the cells × atoms membership matrix.

    Cells come in the order atoms first, then margins by how many dimensions they total."""
    atoms = atoms[atoms[n] > 0].groupby(dims, as_index=False)[n].sum().reset_index(drop=True)
    if atoms.empty:
        cells = pd.DataFrame({d: pd.Series(dtype=object) for d in dims})
        cells["n"], cells["hidden"], cells["reason"] = [], False, ""
        return Table(list(dims), cells, np.zeros((0, 0)), atoms)
    codes, labels = _codes(atoms, dims)
    blocks = []
    for size in range(len(dims) + 1):
        for totalled in combinations(range(len(dims)), size):
            block = codes.copy()
            block[:, list(totalled)] = -1
            blocks.append(block)
    stacked = np.vstack(blocks)
    atom_of = np.tile(np.arange(len(atoms)), len(blocks))
    keys, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # first appearance: atoms, then margins
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    cell_of = rank[np.ravel(inverse)]
    keys = keys[order]
    member = np.zeros((len(keys), len(atoms)))
    member[cell_of, atom_of] = 1.0
    cells = pd.DataFrame({d: np.where(keys[:, i] < 0, TOTAL,
                                      labels[i][np.clip(keys[:, i], 0, None)])
                          for i, d in enumerate(dims)}, dtype=object)
    cells["n"] = member @ atoms[n].to_numpy(dtype=float)
    cells["hidden"] = False
    cells["reason"] = ""
    table = Table(list(dims), cells, member, atoms)
    table.position = {key: i for i, key in enumerate(
        zip(*(cells[d].to_numpy() for d in dims), strict=True))}
    table.atom_cell = cell_of[:len(atoms)]
    _add_lines(table, keys)
    return table


def _add_lines(table: Table, keys: np.ndarray) -> None:
    """Lines: the cells that add up to a margin along one dimension (with that margin)."""
    radix = keys.max(axis=0) + 2
    weights = np.concatenate([[1], np.cumprod(radix[:-1])])

    def encode(k: np.ndarray) -> np.ndarray:
        return np.asarray((k + 1) @ weights)

    encoded = encode(keys)
    sorter = np.argsort(encoded)
    members, ids = [], []
    lines: list[tuple[np.ndarray, int | None]] = []
    for axis in range(keys.shape[1]):
        inside = np.flatnonzero(keys[:, axis] >= 0)
        margin_keys = keys[inside].copy()
        margin_keys[:, axis] = -1
        margins = sorter[np.searchsorted(encoded, encode(margin_keys), sorter=sorter)]
        for margin in dict.fromkeys(margins.tolist()):  # in order of first appearance
            positions = inside[margins == margin]
            members.append(positions)
            ids.append(np.full(len(positions), len(lines)))
            lines.append((positions, int(margin)))
    table.lines = lines
    table.line_cells = np.concatenate(members)
    table.line_ids = np.concatenate(ids)
    table.cell_lines = [[] for _ in range(len(keys))]
    for cell, line in zip(table.line_cells.tolist(), table.line_ids.tolist(), strict=True):
        table.cell_lines[cell].append(line)


def _line_pass(table: Table, k: int, hidden: np.ndarray, reason: np.ndarray,
               unpublished: np.ndarray, fixed: np.ndarray) -> bool:
    """Walk the lines in order; in each, hide the next-smallest cell while 0 < hidden people < k,
    or while a single published cell is the only one hidden (it would follow from the margin).
    ``fixed`` cells are never picked: another table decides them.

    Lines that break a rule are found all at once; a line further on is walked again only when a
    cell of it was hidden on the way, which is exactly when its state can have changed."""
    n = table.n
    cells, ids, count = table.line_cells, table.line_ids, len(table.lines)
    inside = hidden[cells]
    held = np.bincount(ids, weights=n[cells] * inside, minlength=count)
    many = np.bincount(ids, weights=inside, minlength=count)
    published = np.bincount(ids, weights=inside & ~unpublished[cells], minlength=count)
    queue = np.flatnonzero(((held > 0) & (held < k)) | ((many == 1) & (published == 1))).tolist()
    queued = set(queue)
    changed = False
    while queue:
        line = heapq.heappop(queue)
        positions, margin = table.lines[line]
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
            for later in table.cell_lines[target]:
                if later > line and later not in queued:
                    queued.add(later)
                    heapq.heappush(queue, later)
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
    table.null = None
    return table


def overlapping_line(total: float, cells: dict[str, tuple[float, bool]], k: int) -> set[str]:
    """The cells of a line to hide as well when its cells may overlap (a pair is counted in
    each cell one of its members is in), so that what a reader gets by subtracting the shown
    cells from the shown total is 0 or less, or at least ``k``. Such a line is not additive,
    so the rank test does not apply; this keeps its one subtraction from naming a small group.
    ``cells``: value -> (n, shown). The smallest shown cells go first (ties: by value)."""
    shown = sorted((n, value) for value, (n, ok) in cells.items() if ok)
    left = total - sum(n for n, _ in shown)
    extra: set[str] = set()
    for n, value in shown:
        if not 0 < left < k:
            break
        extra.add(value)
        left += n
    return extra

