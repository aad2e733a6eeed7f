"""The suppression core, count tables, comments and passwords, on small hand-made inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.pages.comments import comments_for
from analysis.privacy import complement
from analysis.privacy import rules as privacy
from analysis.privacy.decisions import suppress_counts, suppress_results
from analysis.store import users as auth
from analysis.store.db import Store
from analysis.store.filters import Filters
from tests.privacy_db import SCRIPT_COMMENT, build_privacy_db

K = 5


def _follows(table: complement.Table, position: int) -> bool:
    """Reference: numpy least squares — is the cell a combination of the visible cells?"""
    visible = table.member[~table.cells["hidden"].to_numpy(dtype=bool)]
    if not len(visible):
        return False
    target = table.member[position]
    coef, *_ = np.linalg.lstsq(visible.T, target, rcond=None)
    return bool(np.abs(visible.T @ coef - target).max() < 1e-6)


def _check(table: complement.Table, k: int) -> None:
    cells = table.cells
    hidden = cells["hidden"].to_numpy(dtype=bool)
    n = cells["n"].to_numpy()
    assert hidden[n < k].all()  # primary
    for position in np.flatnonzero(hidden & (n < k)):
        assert not _follows(table, int(position)), cells.loc[position].to_dict()
    for positions, margin in table.lines:  # together, hidden groups hold 0 or >= k people
        if margin is None or hidden[margin]:
            continue  # no published total to subtract from
        held = n[positions][hidden[positions]].sum()
        assert held == 0 or held >= k


def test_one_small_cell_takes_the_next_smallest_with_it() -> None:
    atoms = pd.DataFrame({"g": ["a", "b", "c", "d"], "n": [2, 10, 12, 20]})
    table = complement.protect(complement.build(atoms, ["g"]), k=K)
    hidden = dict(zip(table.cells["g"], table.cells["hidden"], strict=True))
    assert hidden == {"a": True, "b": True, "c": False, "d": False, complement.TOTAL: False}
    reasons = dict(zip(table.cells["g"], table.cells["reason"], strict=True))
    assert reasons["a"] == "fewer than 5 people"
    assert reasons["b"] == complement.REASON_COMPLEMENT
    _check(table, K)


def test_linked_role_by_generation_table_is_protected_both_ways() -> None:
    # Mentor Boomers are 2; hiding them and the next mentor cell is not enough when the
    # mentee Boomers and the all-roles Boomers stay visible: the audit must go further.
    atoms = pd.DataFrame({
        "role": ["mentor"] * 3 + ["mentee"] * 3,
        "gen": ["Boomers", "Gen X", "Millennials"] * 2,
        "n": [2, 6, 30, 10, 12, 25],
    })
    table = complement.protect(complement.build(atoms, ["role", "gen"]), k=K)
    _check(table, K)
    boomers = table.lookup(role=complement.TOTAL, gen="Boomers")
    mentee_boomers = table.lookup(role="mentee", gen="Boomers")
    assert bool(boomers["hidden"]) or bool(mentee_boomers["hidden"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=14), min_size=12, max_size=12),
       st.integers(min_value=3, max_value=6))
def test_random_three_way_tables_are_protected(counts: list[int], k: int) -> None:
    atoms = pd.DataFrame({
        "cohort": ["C1", "C2"] * 6,
        "role": (["mentor"] * 2 + ["mentee"] * 2) * 3,
        "gen": ["a"] * 4 + ["b"] * 4 + ["c"] * 4,
        "n": counts,
    })
    if atoms["n"].sum() == 0:
        return
    _check(complement.protect(complement.build(atoms, ["cohort", "role", "gen"]), k=k), k)


def test_unrecorded_people_count_as_a_hidden_group() -> None:
    # 3 people with no generation: visible cells must not let "total − shown" isolate them.
    atoms = pd.DataFrame({"g": ["a", "b", None], "n": [20, 30, 3]})
    table = suppress_counts(atoms, dims=["g"], min_group_size=K)
    assert list(table["g"]) == ["a", "b", "All"]
    assert table["suppressed"].tolist() == [True, False, False]
    assert table["n"].isna().tolist() == [True, False, False]


def test_suppress_counts_blanks_sums_and_keeps_margins() -> None:
    atoms = pd.DataFrame({"dept": ["Sales", "Sales", "Legal", "Legal"],
                          "gen": ["a", "b", "a", "b"], "n": [12, 9, 3, 7],
                          "score_sum": [36.0, 27.0, 12.0, 14.0]})
    table = suppress_counts(atoms, dims=["dept", "gen"], sums=["score_sum"],
                                    min_group_size=K)
    shown = table[~table["suppressed"]]
    assert (shown["n"] >= K).all()
    grand = table[(table["dept"] == "All") & (table["gen"] == "All")].iloc[0]
    assert grand["n"] == 31 and grand["score_sum"] == pytest.approx(89.0)  # 36+27+12+14
    legal_a = table[(table["dept"] == "Legal") & (table["gen"] == "a")].iloc[0]
    assert legal_a["suppressed"] and np.isnan(legal_a["score_sum"])
    assert legal_a["suppressed_reason"] == "fewer than 5 people"
    # Subtraction in every line yields at least K people or nothing.
    for dim, other in (("dept", "gen"), ("gen", "dept")):
        for value, line in table[table[other] != "All"].groupby(other):
            total = line[line[dim] == "All"].iloc[0]
            cells = line[line[dim] != "All"]
            if total["suppressed"]:
                continue
            left = total["n"] - cells.loc[~cells["suppressed"], "n"].sum()
            assert left == 0 or left >= K, value


def test_minimum_is_never_below_three(monkeypatch: pytest.MonkeyPatch) -> None:
    assert privacy.resolve_min_group_size(None) == 5
    monkeypatch.setenv("CROSSGEN_MIN_GROUP_SIZE", "8")
    assert privacy.resolve_min_group_size(None) == 8
    with pytest.raises(ValueError, match="below 3"):
        privacy.resolve_min_group_size(2)


def test_comments_need_ten_people_and_no_small_remainder(tmp_path: Path) -> None:
    db = build_privacy_db(tmp_path / "c.duckdb")
    with Store(db, read_only=True) as store:
        everyone = comments_for(store, Filters())
        assert everyone.reason is None and len(everyone.texts) == 25
        assert everyone.texts == sorted(everyone.texts) and SCRIPT_COMMENT in everyone.texts
        assert len(comments_for(store, Filters(cohort="C1")).texts) == 14
        sliced = comments_for(store, Filters(cohort="C1", generation=("Boomers",)))
        assert sliced.texts == [] and "slices" in (sliced.reason or "")
        few = comments_for(store, Filters(cohort="C2", role="mentee"))  # 4 people
        assert few.texts == [] and "at least 10" in (few.reason or "")
        assert comments_for(store, Filters(cohort="C1", role="mentor")).texts == []


def test_passwords_are_salted_scrypt_and_checked() -> None:
    first, second = auth.hash_password("correct horse"), auth.hash_password("correct horse")
    assert first != second and first.startswith("scrypt$16384$8$1$")
    assert auth.verify_password("correct horse", first)
    assert not auth.verify_password("correct horsE", first)
    assert not auth.verify_password("correct horse", "md5$abc")


def test_session_secret_is_private_and_stable(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(auth.SECRET_ENV, raising=False)
    db = tmp_path / "x.duckdb"
    first = auth.session_secret(db)
    assert len(first) == 64 and auth.session_secret(db) == first
    assert auth.secret_file(db).stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv(auth.SECRET_ENV, "from-the-environment")
    assert auth.session_secret(db) == b"from-the-environment"


def test_both_arms_of_a_comparison_need_the_minimum() -> None:
    rows = pd.DataFrame({"outcome": ["x", "x"], "metric": ["did", "did"], "cohort": ["C1", "C1"],
                         "role": ["all", "all"], "group": [{}, {}], "n": [40, 40],
                         "n_treated": [36, 37], "n_comparison": [4, 3 + 30],
                         "estimate": [0.5, 0.4]})
    out = suppress_results(rows, min_group_size=K)
    assert out["suppressed"].tolist() == [True, False]
    assert np.isnan(out.loc[0, "estimate"]) and np.isnan(out.loc[0, "n"])
    assert out.loc[0, "suppressed_reason"] == "fewer than 5 people"
    assert out.loc[1, "estimate"] == 0.4  # shown untouched


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=9), min_size=12, max_size=12),
       st.lists(st.booleans(), min_size=48, max_size=48))
def test_derivable_equals_least_squares_for_any_hidden_cells(counts: list[int],
                                                             hide: list[bool]) -> None:
    """The null-space test on hidden atoms against the plain rank test on all visible cells."""
    atoms = pd.DataFrame({"cohort": ["C1", "C2"] * 6,
                          "role": (["mentor"] * 2 + ["mentee"] * 2) * 3,
                          "gen": ["a"] * 4 + ["b"] * 4 + ["c"] * 4, "n": counts})
    table = complement.build(atoms, ["cohort", "role", "gen"])
    hidden = np.resize(np.array(hide), len(table.cells))
    visible = table.member[~hidden]
    for position in range(len(table.cells)):
        target = table.member[position]
        if len(visible):  # reference: numpy least squares over every visible cell
            coef, *_ = np.linalg.lstsq(visible.T, target, rcond=None)
            follows = bool(np.abs(visible.T @ coef - target).max() < 1e-6)
        else:
            follows = False
        assert table.derivable(target[None, :], hidden)[0] == follows, position


@pytest.mark.parametrize("dtype", [np.float64, np.int8, np.int64, bool])
def test_unique_rows_are_numpys_rowwise_unique(dtype: type) -> None:
    # Reference: np.unique(axis=0), the same rows in the same order (the null space's basis
    # is then computed from the same matrix).
    rng = np.random.default_rng(5)
    for _ in range(200):
        m, n = int(rng.integers(1, 50)), int(rng.integers(1, 30))
        rows = (rng.random((m, n)) < rng.random()).astype(dtype)
        rows = np.vstack([rows, rows[rng.integers(0, m, m)]])  # duplicates
        got = complement._unique_rows(rows)
        expected = np.unique(rows, axis=0)
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
