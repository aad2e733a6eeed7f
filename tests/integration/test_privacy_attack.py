"""The subtraction attack on everything published about one outcome, all views together.

On the small-groups database (tests/privacy_db.py) this collects every number the CLI and the
dashboard publish for the paired change in digital skills — ``metrics.results`` (CLI JSON, page
bundles, CSV/XLSX) for every ``--by`` under no filter, one-value and two-value slice filters, and
the slice explorer heatmap for every pair of dimensions under cohort, role and third-slice
filters — as 0/1 vectors over the finest groups (cohort × role × generation × department × level,
"not recorded" included). An attacker can add and subtract any of them (totals minus visible cells,
one filter minus another, one export minus another). The test asserts that no hidden small cell
and no finest group of 1–4 people is such a combination (reference: numpy least squares), and
that with complementary suppression switched off the same attack does recover a hidden group —
its n and its n × mean change, checked by hand against the raw scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from analysis.metrics import data
from analysis.metrics import registry as metrics
from analysis.pages import slices
from analysis.store.db import Store
from analysis.store.filters import SLICE_DIMENSIONS, Filters
from tests.privacy_db import build_privacy_db

K = 5
OUTCOME = "skills.digital"
DIMS = ("generation", "department", "level")
NONE = "\x00none"
pytestmark = pytest.mark.slow


@dataclass
class Published:
    """Every published number about OUTCOME as a vector over the finest groups."""

    atoms: pd.DataFrame  # cohort, role, *DIMS, n, change_sum
    shown: list[np.ndarray] = field(default_factory=list)
    n: list[float] = field(default_factory=list)
    sums: list[float] = field(default_factory=list)  # n × estimate (mean change)
    hidden: list[tuple[np.ndarray, str]] = field(default_factory=list)
    where_shown: list[str] = field(default_factory=list)

    def mask(self, cohort: str | None, role: str | None,
             slices_: dict[str, tuple[str, ...]]) -> np.ndarray:
        ok = np.ones(len(self.atoms), dtype=bool)
        if cohort is not None:
            ok &= (self.atoms["cohort"] == cohort).to_numpy()
        if role is not None:
            ok &= (self.atoms["role"] == role).to_numpy()
        for dim, values in slices_.items():
            ok &= self.atoms[dim].isin(values).to_numpy()
        return ok.astype(float)

    def add(self, row: Any, vector: np.ndarray, where: str) -> None:
        true_n = float(vector @ self.atoms["n"].to_numpy())
        if bool(row["suppressed"]):
            assert pd.isna(row["n"]) and pd.isna(row["estimate"]), where
            self.hidden.append((vector, where))
            return
        assert row["n"] >= K, where
        assert row["n"] == true_n, (where, row["n"], true_n)  # the vector is the right group
        self.shown.append(vector)
        self.where_shown.append(where)
        self.n.append(float(row["n"]))
        self.sums.append(float(row["n"] * row["estimate"]))

    def recoverable(self, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which targets are linear combinations of shown vectors, and the coefficients."""
        a = np.array(self.shown).T
        coef, *_ = np.linalg.lstsq(a, targets.T, rcond=None)
        return np.abs(a @ coef - targets.T).max(axis=0) < 1e-6, coef


def _atoms(store: Store) -> pd.DataFrame:
    scores = data.paired_scores(store, Filters(), construct=OUTCOME).dropna(
        subset=["before", "after"])
    scores["change"] = scores["after"] - scores["before"]
    scores[list(DIMS)] = scores[list(DIMS)].astype(object).fillna(NONE)
    return scores.rename(columns={"cohort_id": "cohort"}).groupby(
        ["cohort", "role", *DIMS], as_index=False).agg(n=("change", "size"),
                                                       change_sum=("change", "sum"))


def _slice_filters(atoms: pd.DataFrame) -> list[Filters]:
    """No filter; per slice its largest and its smallest value, and the two largest together."""
    out = [Filters()]
    for dim in DIMS:
        values = atoms[atoms[dim] != NONE].groupby(dim)["n"].sum().sort_values(ascending=False)
        out += [Filters().with_values(**{dim: (v,)}) for v in values.index[[0, -1]]]
        out.append(Filters().with_values(**{dim: tuple(values.index[:2])}))
    return out


def _filter_slices(filters: Filters) -> dict[str, tuple[str, ...]]:
    return {d: getattr(filters, d) for d in DIMS if getattr(filters, d)}


def collect(store: Store, *, complementary: bool = True) -> Published:
    atoms = _atoms(store)
    pub = Published(atoms)
    if complementary:  # the one-way views (CLI --by, page bundles, exports)
        for filters in _slice_filters(atoms):
            for by in (None, *SLICE_DIMENSIONS):
                frame = metrics.results(store, filters, by=by, metrics=["paired_change"],
                                        min_group_size=K)
                for row in frame[frame["outcome"] == OUTCOME].to_dict("records"):
                    group = {d: (str(v),) for d, v in row["group"].items()}
                    vector = pub.mask(None if row["cohort"] == "all" else row["cohort"],
                                      None if row["role"] == "all" else row["role"],
                                      {**_filter_slices(filters), **group})
                    pub.add(row, vector, f"results by={by} {filters} {row['cohort']} "
                                         f"{row['role']} {row['group']}")
    for rows, cols in combinations(SLICE_DIMENSIONS, 2):
        third = [d for d in DIMS if d not in (rows, cols)]
        extra = [Filters()] + [Filters().with_values(**{d: (str(atoms[d].mode()[0]),)})
                               for d in third]
        for cohort, role in ((None, None), ("C1", None), (None, "mentor"), ("C2", "mentee")):
            for base in extra if complementary else extra[:1]:
                filters = base.with_values(cohort=cohort, role=role)
                frame = slices.heatmap(store, filters, rows=rows, cols=cols, outcome=OUTCOME,
                                       min_group_size=K, complementary=complementary)
                for row in frame.to_dict("records"):
                    cell = {rows: row["row"], cols: row["col"]}
                    cell_role = cell.pop("role", role)
                    vector = pub.mask(cohort, cell_role, {**_filter_slices(filters),
                                                          **{d: (v,) for d, v in cell.items()}})
                    pub.add(row, vector, f"heatmap {rows}×{cols} {filters} {row['row']} "
                                         f"{row['col']}")
    return pub


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_privacy_db(tmp_path_factory.mktemp("attack") / "small.duckdb")


@pytest.fixture(scope="module")
def published(small_db: Path) -> Published:
    with Store(small_db, read_only=True) as store:
        return collect(store)


def test_every_view_was_enumerated_and_nothing_small_is_shown(published: Published) -> None:
    # collect() asserted n >= K and the right group for every shown number; the data has
    # small groups and the views hide some of them, so the attack below is not vacuous.
    assert len(published.shown) > 150 and len(published.hidden) > 150
    assert ((published.atoms["n"] > 0) & (published.atoms["n"] < K)).sum() > 20


def test_no_hidden_small_group_follows_from_everything_published(published: Published) -> None:
    atoms_n = published.atoms["n"].to_numpy()
    small_atoms = np.eye(len(atoms_n))[(atoms_n > 0) & (atoms_n < K)]
    small_cells = [v for v, _ in published.hidden if 0 < v @ atoms_n < K]
    targets = np.vstack([small_atoms, *small_cells])
    found, _ = published.recoverable(targets)
    where = [w for v, w in published.hidden if 0 < v @ atoms_n < K]
    leaks = [where[i - len(small_atoms)] if i >= len(small_atoms) else f"atom {i}"
             for i in np.flatnonzero(found)]
    assert not leaks, leaks[:5]


def test_without_complementary_suppression_the_attack_recovers_a_person(small_db: Path) -> None:
    with Store(small_db, read_only=True) as store:
        naive = collect(store, complementary=False)
    atoms = naive.atoms
    small = np.eye(len(atoms))[(atoms["n"] > 0) & (atoms["n"] < K)]
    cells = np.vstack([small, *[v for v, _ in naive.hidden
                                if 0 < v @ atoms["n"].to_numpy() < K]])
    found, coef = naive.recoverable(cells)
    assert found.any()
    i = int(np.flatnonzero(found)[0])
    # The attacker's arithmetic on published numbers gives the hidden group's n and its sum of
    # changes; hand check against the raw scores.
    assert coef[:, i] @ np.array(naive.n) == pytest.approx(cells[i] @ atoms["n"])
    assert coef[:, i] @ np.array(naive.sums) == pytest.approx(cells[i] @ atoms["change_sum"])
