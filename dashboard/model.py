"""The dashboard's one door into analysis: the process's store and results cached per filter state.

One read-only DuckDB connection per process; every query runs on its own cursor. When an import
swaps a new database file in (``analysis.ingest.live``), :func:`refresh` — run before each request —
opens the new file; a request already running keeps the store it started with, so every answer
comes wholly from the data before the import or wholly from the data after it.

Page bundles are kept per (store, function, filter state, options). Identical requests at once
share one computation, and new computations queue fairly for a few slots
(:mod:`dashboard.admission`), so a burst of people never starves the requests whose answers are
kept, and a board pack never takes more than its share.
"""

from __future__ import annotations

import gc
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Hashable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qsl

from analysis import logs
from analysis.metrics import registry as metrics
from analysis.pages import (
    change_bins,
    common,
    dose_bands,
    pair_health,
    session_months,
    slice_choice,
    slices,
    summary,
)
from analysis.pages import outcomes as outcomes_page
from analysis.pages import overview as overview_page
from analysis.store.db import Store, StoreError
from analysis.store.filters import Filters
from dashboard.admission import FairSlots, Flights, compute_slots, cores

T = TypeVar("T")
MAX_ENTRIES = 512
_flights = Flights(FairSlots(compute_slots()), max_entries=MAX_ENTRIES)
# Exports (a board pack, a chart as PNG/SVG) made at once: kaleido drives one browser per
# process anyway; their computations queue for the compute slots like any other.
EXPORT_SLOTS = FairSlots(1)

_store: Store | None = None
_db: Path | None = None
_identity: tuple[int, int, int] | None = None
_swap_lock = threading.Lock()
_opened = itertools.count(1)
_epochs = itertools.count(1)
_epoch = 0  # changes whenever another data file is opened: answers are kept per epoch


def _file_identity(db: Path) -> tuple[int, int, int]:
    st = os.stat(db)
    return st.st_ino, st.st_mtime_ns, st.st_size


def configure(db: Path, *, warm: bool = True) -> None:
    """Serve ``db``. ``warm=False`` (a command that builds one export and exits): no background
    warm-up — a daemon thread still querying DuckDB when the process exits aborts it."""
    global _store, _db, _identity, _epoch
    if _store is not None:
        _store.close()
    _db = db
    _identity = _file_identity(db) if db.exists() else None
    _store = Store(db, read_only=True, threads=cores())
    _epoch = next(_epochs)
    _clear_caches()
    if warm:
        _start_warm(_store)
    else:
        _warmed.set()


def _open_new_file(db: Path) -> tuple[Store, tuple[int, int, int]]:
    # DuckDB hands out its already-open instance for a path it knows, i.e. the replaced file;
    # a hard link gives the new file a fresh path (removed at once: the open handle stays).
    link = db.with_name(f".{db.name}.view-{os.getpid()}-{next(_opened)}")
    os.link(db, link)
    try:
        return Store(link, read_only=True, threads=cores()), _file_identity(link)
    finally:
        link.unlink()


def refresh() -> None:
    """Reopen the database if its file was replaced. Old stores close when their last user ends."""
    global _store, _identity, _epoch
    if _store is None or _db is None:
        return
    try:
        identity = _file_identity(_db)
    except FileNotFoundError:
        return
    if identity == _identity:
        return
    with _swap_lock:
        if identity == _identity:
            return
        try:
            _store, _identity = _open_new_file(_db)
        except (OSError, StoreError) as exc:
            logs.event("data.reload_failed", level=logging.ERROR, error=type(exc).__name__)
            return
        _epoch = next(_epochs)
        _clear_caches()
        _start_warm(_store)
    logs.event("data.reloaded", file=_db.name)


_warmed = threading.Event()


def _start_warm(db: Store) -> None:
    """Build the privacy layer's canonical tables in the background (seconds at enterprise
    scale): start-up does not wait, and filter changes afterwards do not pay for them."""
    _warmed.clear()
    gc.unfreeze()  # the replaced data's frames may be collected now (see below)

    def work() -> None:
        start = time.perf_counter()
        try:
            metrics.warm(db)
            change_bins.warm(db)  # the banded displays' tables, on top of the metrics'
            pair_health.warm(db)
            dose_bands.warm(db)
            session_months.warm(db)
            outcomes_page.warm(db)
            overview_page.warm(db)
            call(slice_choice.default, Filters())  # the Slice explorer's opening view
            _warm_landing_views(db)
        except Exception as exc:
            logs.event("privacy.warm_failed", level=logging.WARNING, error=type(exc).__name__)
        else:
            logs.event("privacy.warmed", seconds=round(time.perf_counter() - start, 2))
            # The kept whole-data frames live as long as the data. A full garbage collection
            # walks every element of their text columns: 0.2–0.6 s at enterprise scale, paid
            # by whichever request it happens to fall in. Frozen, collections skip them.
            gc.collect()
            gc.freeze()
        finally:
            _warmed.set()

    threading.Thread(target=work, name="crossgen-warm", daemon=True).start()


def _warm_landing_views(db: Store) -> None:
    """What people opening the link see first: every page without filters (the overview and
    each registered chart's data), kept as the requests for them will ask."""
    from dashboard.charts import CHARTS  # the charts import this module

    if _store is not db:  # replaced meanwhile: its views are the next warm-up's business
        return
    overview(Filters())
    for chart in CHARTS.values():
        chart.data(Filters(), **chart.options_from_query(""))


def wait_warm(timeout: float | None = None) -> bool:
    """Block until the background warm-up has finished (benchmarks time the steady state)."""
    return _warmed.wait(timeout)


def epoch() -> int:
    """The data file's turn: a new number each time another file is opened."""
    return _epoch


def store() -> Store:
    if _store is None:
        raise RuntimeError("dashboard.model.configure(db) must run before the app serves")
    return _store


def call(function: Callable[..., T], *args: Hashable, **options: Hashable) -> T:
    """``function(store, *args, **options)``, cached; args are frozen (Filters, str, …)."""
    db = store()
    key = (id(db), function.__module__, function.__qualname__, args,
           tuple(sorted(options.items())))
    return _flights.get(key, lambda: function(db, *args, **options))


def overview(filters: Filters) -> overview_page.Overview:
    return call(overview_page.overview, filters)


def slice_options(search: str | None) -> dict[str, str]:
    """The Slice explorer's choices from the URL's query string; any not given: the choice that
    shows the most cells for the query's filters (:func:`analysis.pages.slice_choice.default`).
    The filters are read as every callback reads them (repeated keys included), so the chart,
    its table and the page's dropdowns always agree on the default."""
    raw = {k: v for k, v in parse_qsl((search or "").lstrip("?")) if k in slices.DEFAULT and v}
    if all(raw.get(key) for key in slices.DEFAULT):
        return slices.options(raw)
    return slices.options({**call(slice_choice.default, Filters.from_query(search)), **raw})


def filter_options() -> dict[str, list[dict[str, str]]]:
    return _filter_options(store())


@lru_cache(maxsize=2)
def _filter_options(db: Store) -> dict[str, list[dict[str, str]]]:
    return summary.filter_options(db)


def _clear_caches() -> None:
    _flights.clear()
    common.clear_cache()
    _filter_options.cache_clear()
