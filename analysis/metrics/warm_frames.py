"""The whole-data frames every filter state selects from, built ahead (the dashboard does this
in the background when it opens a database, so the first filter changes need not)."""

from __future__ import annotations

from analysis.metrics.data import SOURCES, coded_scores, overview_counts, paired_scores
from analysis.metrics.item_queries import alpha_answers
from analysis.metrics.pair_queries import cohort_participants, pair_members, pair_sessions
from analysis.metrics.survival_queries import _outsider_survival, _survival_cube
from analysis.store.db import Store
from analysis.store.filters import Filters


def warm(store: Store) -> None:
    """Build the whole-data frames every filter state selects from (the dashboard does this in
    the background when it opens a database, so the first filter changes need not)."""
    everyone = Filters()
    paired_scores(store, everyone)
    coded_scores(store, everyone)
    _survival_cube(store, "own")
    _outsider_survival(store, everyone, by=None, cohort=None)
    pair_sessions(store)
    pair_members(store, everyone)
    overview_counts(store, everyone)
    cohort_participants(store)
    for source in SOURCES:
        alpha_answers(store, source)
