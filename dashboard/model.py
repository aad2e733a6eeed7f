"""The dashboard's one door into analysis: the process's store and results cached per filter state.

One read-only DuckDB connection per process; every query runs on its own cursor.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from analysis import summary
from analysis.filters import Filters
from analysis.store import Store

_store: Store | None = None


def configure(db: Path) -> None:
    global _store
    if _store is not None:
        _store.close()
    _store = Store(db, read_only=True)
    overview.cache_clear()
    filter_options.cache_clear()


def store() -> Store:
    if _store is None:
        raise RuntimeError("dashboard.model.configure(db) must run before the app serves")
    return _store


@lru_cache(maxsize=256)
def overview(filters: Filters) -> summary.Overview:
    return summary.overview(store(), filters)


@lru_cache(maxsize=1)
def filter_options() -> dict[str, list[dict[str, str]]]:
    return summary.filter_options(store())
