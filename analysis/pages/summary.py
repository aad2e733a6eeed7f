"""Page-level bundles (what one dashboard page or slide shows), privacy-checked.

The bundles live in :mod:`analysis.pages`; this module keeps the filter-bar choices and the
Overview bundle under their original names.
"""

from __future__ import annotations

from analysis.metrics import data
from analysis.pages.overview import Overview, overview
from analysis.store.db import Store

__all__ = ["Overview", "filter_options", "overview"]


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
