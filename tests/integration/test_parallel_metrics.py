"""`crossgen metrics` on two processes gives exactly the one-process results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.metrics import parallel
from analysis.metrics import registry as metrics
from analysis.store.db import Store
from analysis.store.filters import Filters


def test_two_processes_equal_one(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    filters, by = Filters(generation=("Millennials",)), "level"
    monkeypatch.setattr(parallel, "LARGE_FILE_BYTES", 0)  # the demo file is small
    split = parallel.results(demo_db, filters, by=by)
    with Store(demo_db, read_only=True) as store:
        # reference: the in-process pipeline the dashboard uses
        whole = metrics.results(store, filters, by=by)
    assert len(split) > 100
    assert split["suppressed"].any()  # the breakdown hides small groups: decided over there
    pd.testing.assert_frame_equal(_object_text(split).reset_index(drop=True),
                                  whole.reset_index(drop=True), check_exact=False, rtol=1e-12)


def _object_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The worker processes hold text as pandas' Arrow strings (as `crossgen metrics` does),
    this one as objects (tests/conftest.py): the same values."""
    frame = frame.astype({c: object for c in frame.columns
                          if isinstance(frame[c].dtype, pd.StringDtype)})
    frame.columns = frame.columns.astype(object)
    return frame
