"""No cell under the minimum in any output; no hidden cell recoverable by subtraction.

Runs every breakdown the CLI offers (--by generation/department/level/role, plus none) on a
database built with small groups, and attacks the published numbers: per line (cells next to their
total) by subtraction on n and on n × estimate, and over each whole linked table by least squares.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.metrics import registry as metrics
from analysis.metrics.units import REASON_PAIRS
from analysis.privacy import rules as privacy
from analysis.store.db import Store
from analysis.store.filters import SLICE_DIMENSIONS, Filters
from tests.conftest import run_cli
from tests.privacy_db import build_privacy_db

K = 5
SLICES = ("generation", "department", "level")


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_privacy_db(tmp_path_factory.mktemp("privacy") / "small.duckdb")


@pytest.fixture(scope="module")
def views(small_db: Path) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """Per --by: (published rows, the same rows before privacy)."""
    out = {}
    with Store(small_db, read_only=True) as store:
        for by in ("none", *SLICE_DIMENSIONS):
            key = None if by == "none" else by
            # The metrics whose n counts one group of people and whose estimate is a mean
            # (n × estimate adds up); the two-arm, pair and other metrics are attacked in
            # tests/integration/test_privacy_attack_arms.py.
            additive = ["paired_change", "top2box_change", "enps_change", "mean"]
            raw = metrics.compute(store, Filters(), by=key, metrics=additive)
            out[by] = (metrics.results(store, Filters(), by=key, min_group_size=K,
                                       metrics=additive), raw)
    return out


def _slice_value(group: dict[str, str], dim: str) -> str:
    return str(group.get(dim, "\x00total"))


def _frame(published: pd.DataFrame, raw: pd.DataFrame, dim: str | None) -> pd.DataFrame:
    frame = published.assign(raw_n=raw["n"].to_numpy(), raw_est=raw["estimate"].to_numpy())
    frame["value"] = frame["group"].map(lambda g: _slice_value(g, dim) if dim else "\x00total")
    return frame


def test_no_cell_under_the_minimum_is_shown(views) -> None:
    for published, raw in views.values():
        assert (published["n"].to_numpy() == raw["n"].to_numpy())[
            ~published["suppressed"].to_numpy(dtype=bool)].all()
        shown = published[~published["suppressed"].astype(bool)]
        assert (shown["n"] >= K).all()
        hidden = published[published["suppressed"].astype(bool)]
        assert hidden[["n", "estimate", "ci_low", "ci_high", "p_value"]].isna().all().all()
        assert hidden["suppressed_reason"].notna().all()
    # The data really has small groups, so the test is not vacuous.
    assert (views["generation"][1]["n"] < K).any()


def _lines(frame: pd.DataFrame, cohorts: list[str]) -> list[tuple[pd.Series, pd.DataFrame]]:
    """(total row, its cells) for every line: along the slice, the role and the cohort."""
    lines = []
    inner = frame[frame["value"] != "\x00total"]
    totals = frame[frame["value"] == "\x00total"]
    for (cohort, role), part in inner.groupby(["cohort", "role"]):
        total = totals[(totals["cohort"] == cohort) & (totals["role"] == role)]
        lines.append((total.iloc[0], part))
    for (cohort, value), part in frame[frame["role"] != "all"].groupby(["cohort", "value"]):
        total = frame[(frame["cohort"] == cohort) & (frame["value"] == value)
                      & (frame["role"] == "all")]
        if len(total):
            lines.append((total.iloc[0], part))
    real = frame[frame["cohort"].isin(cohorts)]
    for (role, value), part in real.groupby(["role", "value"]):
        total = frame[(frame["cohort"] == "all") & (frame["role"] == role)
                      & (frame["value"] == value)]
        if len(total):
            lines.append((total.iloc[0], part))
    return lines


@pytest.mark.parametrize("by", SLICES)
def test_subtraction_recovers_no_hidden_cell(views, by: str) -> None:
    published, raw = views[by]
    totals_pub, totals_raw = views["none"]
    both = pd.concat([_frame(published, raw, by), _frame(totals_pub, totals_raw, None)],
                     ignore_index=True)
    cohorts = sorted(set(both["cohort"]) - {"all"})
    tried = 0
    for (_metric, _outcome), family in both.groupby(["metric", "outcome"]):
        for total, cells in _lines(family, cohorts):
            if bool(total["suppressed"]):
                continue  # nothing to subtract from
            shown = cells[~cells["suppressed"].astype(bool)]
            # The attack: total minus what is shown, on n and on n × mean.
            left_n = total["n"] - shown["n"].sum()
            left_sum = total["n"] * total["estimate"] - (shown["n"] * shown["estimate"]).sum()
            hidden = cells[cells["suppressed"].astype(bool)]
            residual = total["raw_n"] - cells["raw_n"].sum()  # people with no value recorded
            groups = [*hidden["raw_n"].tolist(), *([residual] if residual > 0 else [])]
            groups = [g for g in groups if g > 0]
            assert left_n == pytest.approx(sum(groups))
            tried += 1
            if not groups:
                continue
            # What subtraction yields is the hidden groups together: never fewer than K people,
            # and never one small group on its own (n and n × mean).
            assert left_n >= K, (total.to_dict(), groups)
            if len(groups) == 1:
                assert groups[0] >= K
            hidden_sum = (hidden["raw_n"] * hidden["raw_est"]).sum()
            if residual == 0:  # hand check that the n × mean attack is the real one
                assert left_sum == pytest.approx(hidden_sum, abs=1e-6)
    assert tried > 20


@pytest.mark.parametrize("by", SLICES)
def test_no_hidden_cell_follows_from_the_whole_linked_table(views, by: str) -> None:
    published, raw = views[by]
    totals_pub, totals_raw = views["none"]
    both = pd.concat([_frame(published, raw, by), _frame(totals_pub, totals_raw, None)],
                     ignore_index=True)
    for (_metric, _outcome), family in both.groupby(["metric", "outcome"]):
        atoms = family[(family["cohort"] != "all") & (family["role"] != "all")
                       & (family["value"] != "\x00total")][["cohort", "role", "value"]]
        atoms = pd.concat([atoms, atoms[["cohort", "role"]].drop_duplicates().assign(
            value="\x00none")], ignore_index=True).drop_duplicates()  # the unrecorded group

        def vector(row: pd.Series, atoms: pd.DataFrame = atoms) -> np.ndarray:
            ok = np.ones(len(atoms), dtype=bool)
            for dim in ("cohort", "role", "value"):
                if row[dim] not in ("all", "\x00total"):
                    ok &= (atoms[dim] == row[dim]).to_numpy()
            return ok.astype(float)

        shown = family[~family["suppressed"].astype(bool)]
        a = np.array([vector(r) for _, r in shown.iterrows()])
        for _, cell in family[family["suppressed"].astype(bool)].iterrows():
            if not 0 < cell["raw_n"] < K:
                continue
            target = vector(cell)
            # Reference: numpy least squares — is the hidden cell a combination of shown ones?
            coef, *_ = np.linalg.lstsq(a.T, target, rcond=None)
            assert np.abs(a.T @ coef - target).max() > 1e-6, cell.to_dict()


def test_filters_never_reveal_a_hidden_cell(small_db: Path, views) -> None:
    """Filtering generation to a visible and a hidden value must not show their sum."""
    published, raw = views["generation"]
    frame = _frame(published, raw, "generation")
    hidden = frame[frame["suppressed"].astype(bool) & (frame["raw_n"] < K)]
    shown = frame[~frame["suppressed"].astype(bool)]
    pairs = hidden.merge(shown, on=["metric", "outcome", "cohort", "role"], suffixes=("_h", "_s"))
    assert len(pairs)
    row = pairs.iloc[0]
    values = (row["value_h"], row["value_s"])

    def where(f: pd.DataFrame) -> pd.Series:
        return ((f["outcome"] == row["outcome"]) & (f["cohort"] == row["cohort"])
                & (f["role"] == row["role"]))

    with Store(small_db, read_only=True) as store:
        filtered = metrics.results(store, Filters(generation=values), min_group_size=K)
    total = filtered[where(filtered)].iloc[0]
    # Shown, it would give the hidden cell as total − the shown cell.
    assert bool(total["suppressed"]), total.to_dict()
    # A filter on a shown value alone shows the same number as the breakdown.
    with Store(small_db, read_only=True) as store:
        alone = metrics.results(store, Filters(generation=(row["value_s"],)), min_group_size=K)
    same = alone[where(alone)].iloc[0]
    assert not bool(same["suppressed"]) and same["n"] == row["n_s"]


def test_cli_json_marks_suppressed_cells_with_a_reason(small_db: Path) -> None:
    done = run_cli("metrics", "--db", str(small_db), "--json", "--by", "generation",
                   "--cohort", "C1")
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)["results"]
    hidden = [r for r in results if r["suppressed"]]
    assert hidden and all(r["n"] is None and r["estimate"] is None for r in hidden)
    assert {r["suppressed_reason"] for r in hidden} <= {
        "fewer than 5 people",
        "hidden so that a smaller group cannot be worked out by subtraction",
        REASON_PAIRS}
    assert all(r["n"] >= K and r["suppressed_reason"] is None
               for r in results if not r["suppressed"])


def test_two_slices_are_shown_only_for_every_cohort_together(small_db: Path) -> None:
    """Two slices within one cohort are never published; across all cohorts they may be."""
    with Store(small_db, read_only=True) as store:
        cohort = metrics.results(store, Filters(cohort="C1", department=("Sales",)),
                                 by="generation", metrics=["paired_change"], min_group_size=K)
        pooled = metrics.results(store, Filters(department=("Sales",)), by="generation",
                                 metrics=["paired_change"], min_group_size=K)
    sliced = cohort[cohort["group"].map(bool)]
    assert len(sliced) and sliced["suppressed"].all()
    assert set(sliced["suppressed_reason"]) <= {privacy.REASON_COHORT_TWO,
                                                 "fewer than 5 people"}
    everyone = pooled[pooled["group"].map(bool) & (pooled["cohort"] == "all")]
    assert privacy.REASON_COHORT_TWO not in set(everyone["suppressed_reason"])
    assert (~everyone["suppressed"].astype(bool)).any()
