"""Month tables of sessions (analysis.pages.session_months) on hand-made pairs: the rules, one by
one."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.pages import session_months
from analysis.privacy.complement import TOTAL

K = 5


def _rows(spec: list[tuple[str, str, list[int]]]) -> pd.DataFrame:
    """(cohort, month, pair numbers) -> one row per pair × month with one session each."""
    rows = [(cohort, pair, month, 1) for cohort, month, pairs in spec for pair in pairs]
    return pd.DataFrame(rows, columns=["cohort_id", "pair_id", "month", "sessions"])


def _cells(rows: pd.DataFrame) -> pd.DataFrame:
    table, sessions = session_months._protect(rows, K)
    return table.cells.assign(sessions=sessions)


def test_hidden_months_must_hold_k_different_pairs() -> None:
    # Pair 0 alone meets in five months (hidden: one pair each). Five pair-months satisfy the
    # line rule of complementary suppression, but they are one pair: the cohort's published
    # total less the shown months would be that pair's sessions. A big month must go too.
    many = list(range(1, 7))
    rows = _rows([("A", f"2024-0{m}", [0]) for m in range(1, 6)]
                 + [("A", "2024-06", many), ("A", "2024-07", [*many, 7, 8])])
    cells = _cells(rows)
    months = cells[(cells["cohort"] == "A") & (cells["month"] != TOTAL)].set_index("month")
    assert months.loc[[f"2024-0{m}" for m in range(1, 6)], "hidden"].all()
    assert months.loc["2024-06", "hidden"]  # the next-smallest month, hidden by the pair rule
    assert not months.loc["2024-07", "hidden"]  # hand count: 8 pairs, and the rule now holds
    hidden_pairs = rows[rows["month"].isin(months.index[months["hidden"]])]["pair_id"].nunique()
    assert hidden_pairs >= K
    shown = cells[~cells["hidden"] & (cells["month"] != TOTAL)]
    assert (shown["n"] >= K).all()


def test_a_small_cohort_month_is_not_the_all_cohorts_cell_less_the_others() -> None:
    rows = _rows([("A", "2024-03", [0, 1]), ("B", "2024-03", list(range(10))),
                  ("A", "2024-04", list(range(8))), ("B", "2024-04", list(range(9)))])
    cells = _cells(rows).set_index(["cohort", "month"])
    assert cells.loc[("A", "2024-03"), "hidden"]  # two pairs
    # All cohorts together less cohort B would give cohort A's two pairs.
    assert cells.loc[("B", "2024-03"), "hidden"] or cells.loc[(TOTAL, "2024-03"), "hidden"]
    # The sessions follow the cells (one session per pair and month here).
    assert cells.loc[(TOTAL, "2024-04"), "sessions"] == 17
    assert np.isclose(cells.loc[(TOTAL, TOTAL), "sessions"], len(rows))
