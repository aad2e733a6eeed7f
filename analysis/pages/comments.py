"""Free-text comments from the programme surveys, for a filter state — or nothing, with the reason.

Rules (DESIGN.md, "Privacy"): comments are shown only when at least ``privacy.COMMENT_MIN`` (10)
people wrote them, and when the people left out by the cohort / role filter are 0 or also at least
10 (otherwise comparing two views would tie comments to a small group). Slices (generation,
department, level) never show comments: a comment's wording can identify its author in a slice.
Comments come sorted by text, never in an order that follows people. Callers render them as text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.privacy import rules as privacy
from analysis.store.db import Store
from analysis.store.filters import Filters


@dataclass(frozen=True)
class Comments:
    texts: list[str]
    reason: str | None  # why nothing is shown; None when texts are shown


def _programme_comments(store: Store) -> pd.DataFrame:
    return store.query("""
        select c.text, c.employee_id, a.cohort_id, p.role
        from comments c
        join administrations a using (administration_id)
        join participants p on p.cohort_id = a.cohort_id and p.employee_id = c.employee_id
        where a.kind = 'programme' and p.role in ('mentor', 'mentee')
          and length(trim(c.text)) > 0
    """)


def comments_for(store: Store, filters: Filters, *, min_people: int | None = None) -> Comments:
    k = max(privacy.COMMENT_MIN, min_people or 0)
    if filters.generation or filters.department or filters.level:
        return Comments([], "Comments are not shown for generation, department or level slices: "
                            "a comment could be traced to a small group.")
    frame = _programme_comments(store)
    everyone = pd.Series(True, index=frame.index)
    in_cohort = frame["cohort_id"] == filters.cohort if filters.cohort else everyone
    in_role = frame["role"] == filters.role if filters.role else everyone
    chosen = frame[in_cohort & in_role]
    people = chosen["employee_id"].nunique()
    if people < k:
        return Comments([], f"Comments are shown for groups where at least {k} people wrote "
                            f"one; here {'none' if people == 0 else 'fewer'} did.")
    # The rest of the parent view must be empty or large too, or subtraction isolates it.
    rests = []
    if filters.cohort:
        rests.append(frame[~in_cohort & in_role] if filters.role else frame[~in_cohort])
    if filters.role:
        rests.append(frame[in_cohort & ~in_role] if filters.cohort else frame[~in_role])
    if any(0 < rest["employee_id"].nunique() < k for rest in rests):
        return Comments([], "Comments are hidden for this filter: comparing it with the "
                            "unfiltered view would single out a small group.")
    return Comments(sorted(chosen["text"].astype(str).tolist()), None)
