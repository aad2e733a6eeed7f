"""Page-level bundles of results (what one dashboard page or slide shows), privacy-checked."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import data, metrics, privacy
from analysis.filters import Filters
from analysis.store import Store


@dataclass(frozen=True)
class Overview:
    counts: pd.DataFrame  # one row: participants, pairs, sessions_held (nulls when suppressed)
    changes: pd.DataFrame  # paired_change rows for the cohort in view (or all cohorts)
    headline: pd.DataFrame  # the mentees' digital-skill row (0 or 1 rows)


def overview(store: Store, filters: Filters, *, min_group_size: int | None = None) -> Overview:
    k = privacy.resolve_min_group_size(min_group_size)
    counts = data.overview_counts(store, filters)
    if privacy.group_hidden(int(counts["participants"].iloc[0]), cohort=filters.cohort,
                            role=filters.role, units=_participant_units(store), filters=filters,
                            min_group_size=k):
        counts = counts.astype(float) * float("nan")
    results = metrics.results(store, filters, metrics=["paired_change"], min_group_size=k)
    cohort = filters.cohort or (metrics.ALL_COHORTS if (results["cohort"] == metrics.ALL_COHORTS)
                                .any() else results["cohort"].iloc[0] if len(results) else None)
    role = filters.role or "all"
    changes = results[(results["cohort"] == cohort) & (results["role"] == role)]
    headline = results[(results["cohort"] == cohort) & (results["outcome"] == "skills.digital")
                       & (results["role"] == (filters.role or "mentee"))]
    return Overview(counts, changes.reset_index(drop=True), headline.reset_index(drop=True))


def _participant_units(store: Store) -> pd.DataFrame:
    """Every participant once per cohort: what the overview's participant count counts."""
    return store.query("""
        select 'count' as metric, 'participants' as outcome, p.cohort_id as cohort, p.role,
               e.generation, e.department, e.level
        from participants p join employees e using (employee_id)
        where p.role in ('mentor', 'mentee')
    """)


def filter_options(store: Store) -> dict[str, list[dict[str, str]]]:
    """Choices for the global filter bar."""
    cohorts = data.cohorts(store)
    options = {
        "cohort": [{"label": f"{r.name} ({r.cohort_id})", "value": r.cohort_id}
                   for r in cohorts.itertuples()],
        "role": [{"label": "Mentors", "value": "mentor"}, {"label": "Mentees", "value": "mentee"}],
    }
    for key, values in data.slice_values(store).items():
        options[key] = [{"label": v, "value": v} for v in values]
    return options
