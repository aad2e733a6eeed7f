"""``metrics.results`` for one-off commands on large files, on two processes.

A command line run has no warm tables: the privacy units and canonical tables (seconds at
enterprise scale, the same for every view of the data) and the metrics (seconds too) are both
built from scratch. Threads share one interpreter lock, so a second *process* builds the
privacy side from its own read-only connection (DuckDB lets several processes read one file)
while this one computes; the finished rows then go to it to be decided. Same function calls,
same results as :func:`analysis.metrics.registry.results`.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from analysis.metrics import registry as metrics
from analysis.privacy import rules as privacy
from analysis.privacy.decisions import suppress_results
from analysis.store.db import Store
from analysis.store.filters import Filters

# The second process's start-up (about a second of imports) pays off only when the privacy side
# is several seconds: a large file and many metrics (each brings its own unit families).
LARGE_FILE_BYTES = 16 * 1024 * 1024
MANY_METRICS = 8

_store: Store | None = None  # the worker process's connection


def results(db: Path, filters: Filters, *, by: str | None = None,
            names: list[str] | None = None, min_group_size: int | None = None,
            adjust: str = "holm") -> pd.DataFrame:
    """:func:`analysis.metrics.registry.results` of the database file ``db``."""
    k = privacy.resolve_min_group_size(min_group_size)
    chosen = names or metrics.DEFAULT_METRICS
    if db.stat().st_size < LARGE_FILE_BYTES or len(chosen) < MANY_METRICS:
        with Store(db, read_only=True) as store:
            return metrics.results(store, filters, by=by, metrics=names, min_group_size=k,
                                   adjust=adjust)
    # spawn, not fork: the parent's DuckDB and thread state must not be copied
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as worker:
        prepared = worker.submit(_prepare, str(db), chosen, k)
        with Store(db, read_only=True) as store:
            frame = metrics.compute(store, filters, by=by, metrics=names, adjust=adjust)
        prepared.result()  # its errors surface here
        return worker.submit(_decide, str(db), chosen, k, filters, frame).result()


def _open(db: str) -> Store:
    global _store
    if _store is None or str(_store.path) != db:
        _store = Store(Path(db), read_only=True)
    return _store


def _prepare(db: str, names: list[str], k: int) -> None:
    """In the worker: the units of ``names`` and their one-way canonical tables, kept."""
    metrics._prepare(_open(db), names, k)


def _decide(db: str, names: list[str], k: int, filters: Filters,
            frame: pd.DataFrame) -> pd.DataFrame:
    """In the worker: ``frame`` through the privacy layer on the kept tables."""
    units = metrics._units(_open(db), names)
    return suppress_results(frame, min_group_size=k, filters=filters, units=units,
                                    arms=metrics._arms)
