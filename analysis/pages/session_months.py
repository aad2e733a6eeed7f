"""Sessions per month and status, each cell decided on the pairs behind it.

A cell (month × status) of the chart counts sessions, but describes the pairs that had them:
it is shown only when at least k pairs had a session of that status in that month. The cells
of a status add up over months to totals the engagement rows publish for the same pairs
(sessions held, cancelled, no-shows) and over cohorts to the all-cohorts chart, so per status
they are protected as a table cohort × month (with every cohort together as its total row) by
complementary suppression on the number of pairs (:mod:`analysis.privacy.complement`); the month
totals are fixed (published elsewhere). A pair meets in many months, so the hidden months of
one cohort (or of every cohort together) must also hold 0 or at least k *different* pairs,
else the next-smallest month is hidden too: otherwise the published total less the shown
months would be the sessions of fewer than k pairs.

The chart is shown for whole cohorts (or every cohort together) whose pair count row is shown;
a role filter keeps every pair (each has one mentor and one mentee). It is not offered under a
generation, department or level filter: a pair is in a slice when either member is, and those
pair groups would need their own month tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.cache import memo
from analysis.privacy import complement
from analysis.privacy import rules as privacy
from analysis.privacy.complement import TOTAL
from analysis.store.db import Store

STATUSES = ("held", "cancelled", "no_show")
COLUMNS = ["month", "status", "sessions", "suppressed", "suppressed_reason"]
REASON_SLICE = ("Sessions per month are not offered under a generation, department or level "
                "filter (clear it to see them).")

_SQL = """
    with pairs as (
        select distinct cohort_id, pair_id from participants
        where role in ('mentor', 'mentee') and pair_id is not null
    )
    select s.cohort_id, s.pair_id, date_trunc('month', s.date) as month, s.status,
           count(*) as sessions
    from sessions s join pairs using (cohort_id, pair_id)
    where s.status in ('held', 'cancelled', 'no_show')
    group by all
"""


@dataclass
class Months:
    """Per status, the protected cohort × month table and the sessions of each of its cells."""

    tables: dict[str, complement.Table]
    sessions: dict[str, np.ndarray]  # status -> sessions per cell of its table


def pair_months(store: Store) -> pd.DataFrame:
    """Sessions per pair × month × status (pairs of mentors and mentees), one query."""
    frame = store.query(_SQL)
    return frame.assign(cohort_id=frame["cohort_id"].astype(str),
                        month=pd.to_datetime(frame["month"]).dt.strftime("%Y-%m"))


def _union_small(rows: pd.DataFrame, hidden_cell: np.ndarray, k: int) -> pd.Series:
    """Lines (a cohort, or TOTAL for every cohort) whose hidden months hold 1 to k−1 different
    pairs. ``rows``: one per pair × month with ``own`` / ``all`` (its cells in the table)."""
    lines = []
    for line, cell in (("cohort_id", "own"), (None, "all")):
        part = rows[hidden_cell[rows[cell].to_numpy()]]
        if line is None:
            counts = pd.Series({TOTAL: part[["cohort_id", "pair_id"]].drop_duplicates().shape[0]})
        else:
            counts = part.drop_duplicates(["cohort_id", "pair_id"]).groupby(line).size()
        lines.append(counts)
    counts = pd.concat(lines)
    return counts[(counts > 0) & (counts < k)]


def _protect(rows: pd.DataFrame, k: int) -> tuple[complement.Table, np.ndarray]:
    """The cohort × month table of one status, protected; and the sessions per cell."""
    atoms = rows.groupby(["cohort_id", "month"], as_index=False).agg(
        n=("pair_id", "size"), sessions=("sessions", "sum")).rename(
        columns={"cohort_id": "cohort"})
    table = complement.build(atoms[["cohort", "month", "n"]], ["cohort", "month"])
    cells = table.cells
    keys = ["cohort", "month"]
    sessions = table.member @ table.atoms[keys].merge(atoms, on=keys, how="left")[
        "sessions"].to_numpy(dtype=float)
    at = cells[keys].reset_index()
    rows = rows.merge(at.rename(columns={"cohort": "cohort_id", "index": "own"}),
                      on=["cohort_id", "month"]).merge(
        at[at["cohort"] == TOTAL].drop(columns="cohort").rename(columns={"index": "all"}),
        on="month")
    fixed = (cells["month"] == TOTAL).to_numpy()  # the totals the engagement rows publish
    forced = np.zeros(len(cells), dtype=bool)
    while True:
        complement.protect(table, k=k, forced=forced, fixed=fixed)
        hidden = cells["hidden"].to_numpy(dtype=bool)
        small = _union_small(rows, hidden, k)
        picked = False
        for line in small.index:  # a few lines per round, not data rows
            candidates = np.flatnonzero((cells["cohort"] == line).to_numpy() & ~hidden & ~fixed)
            if len(candidates):
                forced[int(candidates[np.argmin(table.n[candidates])])] = picked = True
        if not picked:
            return table, sessions


def months(store: Store, *, k: int) -> Months:
    """The protected month tables of every status over the whole database (kept per data
    state: they do not depend on the filters)."""
    return memo.kept(store, ("session_months", k), lambda: _protect_all(store, k))


def _protect_all(store: Store, k: int) -> Months:
    frame = pair_months(store)
    tables, sessions = {}, {}
    for status in STATUSES:  # three statuses
        rows = frame[frame["status"] == status]
        if rows.empty:
            continue
        tables[status], sessions[status] = _protect(rows.reset_index(drop=True), k)
    return Months(tables, sessions)


def chart(store: Store, *, cohort: str | None,
          min_group_size: int | None = None) -> pd.DataFrame:
    """Sessions per month × status of one cohort (None: every cohort together), protected.

    Columns: :data:`COLUMNS` (month as the first day of the month). Hidden cells keep their
    month and status, no number and the reason."""
    k = privacy.resolve_min_group_size(min_group_size)
    kept = months(store, k=k)
    parts = []
    for status, table in kept.tables.items():
        cells = table.cells
        rows = cells[(cells["cohort"] == (TOTAL if cohort is None else cohort))
                     & (cells["month"] != TOTAL)]
        parts.append(pd.DataFrame({
            "month": rows["month"].to_numpy(), "status": status,
            "sessions": kept.sessions[status][rows.index.to_numpy()],
            "suppressed": rows["hidden"].to_numpy(dtype=bool),
            "suppressed_reason": rows["reason"].replace(  # this table counts pairs
                complement.REASON_SMALL.format(k=k), f"fewer than {k} pairs").to_numpy(
                dtype=object)}))
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    hidden = out["suppressed"].to_numpy(dtype=bool)
    out["sessions"] = out["sessions"].astype(float).where(~hidden)
    out["suppressed_reason"] = out["suppressed_reason"].where(hidden)
    out["month"] = pd.to_datetime(out["month"] + "-01")
    return out.sort_values(["month", "status"])[COLUMNS].reset_index(drop=True)


def warm(store: Store, *, min_group_size: int | None = None) -> None:
    """Build the month tables now (the dashboard's background warm-up)."""
    months(store, k=privacy.resolve_min_group_size(min_group_size))
