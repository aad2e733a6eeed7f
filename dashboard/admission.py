"""How the server shares and bounds its work when many people ask at once.

* **Single-flight**: requests for the same computation (same function, filter state and
  options) while it runs wait for that one run instead of starting their own.
* **Bounded, fair heavy work**: computations take one of a few slots (about one per core),
  handed out first come, first served; a board pack takes one of its own few. A request whose
  answer is kept (most of them) takes no slot, so pages and ``/healthz`` never queue behind a
  deck being built or the warm-up after an import.
* **Sized for the machine**: server processes, slots and the server's threads follow the
  number of cores the process may use (``CROSSGEN_PROCESSES`` and ``CROSSGEN_WORKERS``
  override the process and slot counts).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")


def cores() -> int:
    """CPUs this process may run on (a container's or taskset's limit, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _whole(name: str) -> int | None:
    configured = os.environ.get(name, "").strip()
    if not configured:
        return None
    if not configured.isdigit() or int(configured) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {configured!r}")
    return int(configured)


def server_processes() -> int:
    """Server processes (:mod:`dashboard.workers`): one per core, since a Python process
    computes on one core at a time (``CROSSGEN_PROCESSES`` overrides)."""
    configured = _whole("CROSSGEN_PROCESSES")
    return configured if configured is not None else cores()


def compute_slots() -> int:
    """Concurrent computations in this process: the cores shared out among the server
    processes, at least one each (``CROSSGEN_WORKERS`` overrides)."""
    configured = _whole("CROSSGEN_WORKERS")
    if configured is not None:
        return configured
    return max(1, cores() // server_processes())


def server_threads() -> int:
    """Request threads: enough that cheap requests (kept answers, pages, health) find a free
    thread while every computation slot is busy and others wait for one (a waiting thread
    costs no CPU)."""
    return min(128, 16 * compute_slots() + 16)


class FairSlots:
    """At most ``size`` holders at once; waiters are served in the order they came."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"slots must be at least 1, not {size}")
        self.size = size
        self._free = size
        self._queue: deque[object] = deque()
        self._cond = threading.Condition()

    @property
    def waiting(self) -> int:
        return len(self._queue)

    @contextmanager
    def hold(self) -> Iterator[None]:
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            while self._queue[0] is not ticket or self._free == 0:
                self._cond.wait()
            self._queue.popleft()
            self._free -= 1
            self._cond.notify_all()  # the next in line may take a slot that is still free
        try:
            yield
        finally:
            with self._cond:
                self._free += 1
                self._cond.notify_all()


class _Flight:
    """One running computation that others wait for."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None

    def result(self) -> Any:
        self.done.wait()
        if self.error is not None:
            raise self.error
        return self.value


_holding = threading.local()  # a computation that asks for another one keeps its slot


class Flights:
    """A bounded LRU of finished computations, with single-flight and slots for new ones."""

    def __init__(self, slots: FairSlots, *, max_entries: int) -> None:
        self.slots = slots
        self.max_entries = max_entries
        self._kept: OrderedDict[Hashable, Any] = OrderedDict()
        self._running: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()  # held only to look up and store, never to compute

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            flight = self._running.get(key)
            leader = flight is None
            if flight is None:
                flight = self._running[key] = _Flight()
        if not leader:
            return flight.result()
        try:
            value = self._run(compute)
        except BaseException as exc:
            flight.error = exc
            with self._lock:
                self._running.pop(key, None)
            flight.done.set()
            raise
        with self._lock:  # kept before it stops running: no window for a second run
            self._kept[key] = value
            while len(self._kept) > self.max_entries:
                self._kept.popitem(last=False)
            self._running.pop(key, None)
        flight.value = value
        flight.done.set()
        return value

    def _run(self, compute: Callable[[], T]) -> T:
        if getattr(_holding, "slot", False):
            return compute()
        with self.slots.hold():
            _holding.slot = True
            try:
                return compute()
            finally:
                _holding.slot = False

    def clear(self) -> None:
        """Forget finished results (running ones finish for the requests waiting on them)."""
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)
