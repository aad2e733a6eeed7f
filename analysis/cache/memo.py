"""Results kept while the data is unchanged: whole-data frames, frames and objects per filter
state, each keyed by the store's data version (an import changes it, so nothing stale is ever
served), bounded, and built once per key when threads ask at once (single-flight)."""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar, cast

import pandas as pd

from analysis.store.db import Store

V = TypeVar("V")
T = TypeVar("T")


class Kept(Generic[V]):
    """A bounded least-recently-used dict (request threads share it; each step is atomic)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple[object, ...], V] = OrderedDict()

    def get(self, key: tuple[object, ...]) -> V | None:
        frame = self.items.get(key)
        if frame is not None:
            with contextlib.suppress(KeyError):  # another thread may have evicted it
                self.items.move_to_end(key)
        return frame

    def put(self, key: tuple[object, ...], frame: V) -> None:
        self.items[key] = frame
        while len(self.items) > self.size:
            with contextlib.suppress(KeyError, StopIteration):
                self.items.pop(next(iter(self.items)))

    def clear(self) -> None:
        self.items.clear()


# Whole-data frames (a handful per database) apart from per-filter-state ones, so a stream of
# filter changes never pushes out the frames every view selects from.
_memo: Kept[pd.DataFrame] = Kept(32)
_memo_by_state: Kept[pd.DataFrame] = Kept(256)  # small frames (counts) per filter state
_selections: Kept[pd.DataFrame] = Kept(8)  # people of a filter state: the few latest
_state_objects: Kept[Any] = Kept(8)  # arrays of a filter state's people: the few latest
_objects: Kept[Any] = Kept(64)  # tables built from whole-data frames (privacy band tables)


def remembered(store: Store, key: tuple[object, ...], build: Callable[[], pd.DataFrame], *,
               shelf: Kept[pd.DataFrame] | None = None) -> pd.DataFrame:
    """``build()`` kept while the data is unchanged (several metrics read the same people).
    Callers get a shallow copy: with copy-on-write nothing they change reaches the kept frame."""
    frame = _keep(store, key, build, shelf if shelf is not None else _memo)
    return frame.copy(deep=False)


def kept(store: Store, key: tuple[object, ...], build: Callable[[], T]) -> T:
    """``build()`` kept while the data is unchanged, for objects that are not frames (the
    privacy layer's protected band tables). Not copied: callers must not change them."""
    return cast(T, _keep(store, key, build, _objects))


def remembered_for_state(store: Store, key: tuple[object, ...],
                         build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """:func:`remembered` for a small frame of one filter state (a view's rows that several
    of its charts read), on the shelf of per-state frames."""
    return remembered(store, key, build, shelf=_memo_by_state)


def kept_for_state(store: Store, key: tuple[object, ...], build: Callable[[], T]) -> T:
    """:func:`kept` for objects built per filter state (several metrics of one view read
    them): only the few latest are kept."""
    return cast(T, _keep(store, key, build, _state_objects))


def _keep(store: Store, key: tuple[object, ...], build: Callable[[], V], shelf: Kept[V]) -> V:
    version = store.data_version()
    if version is None:  # an in-memory or vanished file: nothing to key on
        return build()
    key = (*version, *key)
    found = shelf.get(key)
    if found is None:
        with one_build(key):  # one build per key when threads ask at once
            found = shelf.get(key)
            if found is None:
                found = build()
                shelf.put(key, found)
    return found


_locks: dict[tuple[object, ...], threading.Lock] = {}
_locks_guard = threading.Lock()


@contextlib.contextmanager
def one_build(key: tuple[object, ...]) -> Iterator[None]:
    """Held by one thread per ``key`` at a time: threads asking for the same thing at once
    wait for the first, then find its result kept (single-flight)."""
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        yield
    with _locks_guard:
        _locks.pop(key, None)  # later callers find the frame kept
