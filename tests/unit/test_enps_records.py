from __future__ import annotations

import numpy as np

from analysis.metrics.outcomes import ENPS_SEED, _enps_records
from analysis.stats.enps import enps_change_record


def test_a_table_seen_before_gives_the_same_record() -> None:
    rng = np.random.default_rng(3)
    tables = rng.integers(0, 12, size=(6, 9))
    tables[4] = tables[1]  # the same cell in two views
    first = _enps_records(tables)
    again = _enps_records(tables[::-1].copy())[::-1]
    # reference: the statistic itself, drawn afresh for each table
    expected = [enps_change_record(table, seed=ENPS_SEED) for table in tables]
    assert first == expected
    assert again == expected
    first[0]["estimate"] = 1e9  # a caller's change does not reach the kept record
    assert _enps_records(tables[:1]) == expected[:1]
