"""Single-flight and fair, bounded slots (dashboard.admission), with real threads."""

from __future__ import annotations

import threading
import time

import pytest

from dashboard import admission
from dashboard.admission import FairSlots, Flights


def _wait_for(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.005)


def test_identical_requests_at_once_share_one_computation() -> None:
    flights = Flights(FairSlots(2), max_entries=8)
    release, runs = threading.Event(), []

    def compute() -> str:
        runs.append(1)
        release.wait(10)
        return "answer"

    answers: list[str] = []
    threads = [threading.Thread(target=lambda: answers.append(flights.get("k", compute)))
               for _ in range(20)]
    for t in threads:
        t.start()
    _wait_for(lambda: len(runs) == 1)
    time.sleep(0.05)  # the others are waiting on the flight, not computing
    release.set()
    for t in threads:
        t.join(10)
    assert runs == [1] and answers == ["answer"] * 20
    assert flights.get("k", lambda: "again") == "answer"  # kept afterwards


def test_a_failed_computation_reaches_every_waiter_and_is_not_kept() -> None:
    flights = Flights(FairSlots(1), max_entries=8)
    release = threading.Event()

    def fail() -> str:
        release.wait(10)
        raise RuntimeError("boom")

    errors: list[str] = []

    def ask() -> None:
        try:
            flights.get("k", fail)
        except RuntimeError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=ask) for _ in range(5)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    release.set()
    for t in threads:
        t.join(10)
    assert errors == ["boom"] * 5
    assert flights.get("k", lambda: "fine") == "fine"


def test_slots_bound_concurrent_work_and_serve_in_order() -> None:
    slots = FairSlots(2)
    flights = Flights(slots, max_entries=64)
    active, peak, order = [0], [0], []
    lock, gate = threading.Lock(), threading.Event()

    def work(n: int) -> int:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            order.append(n)
        gate.wait(10)
        with lock:
            active[0] -= 1
        return n

    threads = []
    for n in range(8):  # started one after another: queued in this order
        t = threading.Thread(target=flights.get, args=(n, lambda n=n: work(n)))
        t.start()
        threads.append(t)
        _wait_for(lambda n=n: len(order) + slots.waiting >= n + 1)
    assert peak[0] == 2 and slots.waiting == 6
    gate.set()
    for t in threads:
        t.join(10)
    assert peak[0] == 2
    assert order[:2] == [0, 1] and order[2:] == [2, 3, 4, 5, 6, 7]  # first come, first served


def test_kept_answers_need_no_slot_while_every_slot_is_busy() -> None:
    flights = Flights(FairSlots(1), max_entries=8)
    flights.get("cheap", lambda: "kept")
    gate = threading.Event()
    heavy = threading.Thread(target=flights.get, args=("heavy", lambda: gate.wait(10)))
    heavy.start()
    _wait_for(lambda: flights.slots.waiting == 0 and heavy.is_alive())
    started = time.perf_counter()
    assert flights.get("cheap", lambda: "recomputed") == "kept"
    assert time.perf_counter() - started < 0.5
    gate.set()
    heavy.join(10)


def test_a_computation_asking_for_another_keeps_its_slot() -> None:
    flights = Flights(FairSlots(1), max_entries=8)
    outer = flights.get("outer", lambda: flights.get("inner", lambda: 2) + 1)
    assert outer == 3  # no deadlock with one slot


def test_least_recently_used_answers_go_first() -> None:
    flights = Flights(FairSlots(1), max_entries=2)
    for key in ("a", "b"):
        flights.get(key, lambda key=key: key)
    flights.get("a", lambda: "unused")  # a is now the most recent
    flights.get("c", lambda: "c")
    assert len(flights) == 2
    assert flights.get("a", lambda: "recomputed") == "a"  # kept
    assert flights.get("b", lambda: "recomputed") == "recomputed"  # the oldest, dropped
    assert flights.get("c", lambda: "recomputed") == "recomputed"  # dropped for b


def test_sizes_follow_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CROSSGEN_WORKERS", raising=False)
    monkeypatch.delenv("CROSSGEN_PROCESSES", raising=False)
    assert admission.server_processes() == admission.cores() >= 1
    # the cores shared out among the processes, at least one slot each
    assert admission.compute_slots() == max(1, admission.cores() // admission.cores()) == 1
    monkeypatch.setenv("CROSSGEN_PROCESSES", "1")
    assert admission.server_processes() == 1
    assert admission.compute_slots() == admission.cores()
    assert admission.server_threads() > admission.compute_slots()
    monkeypatch.setenv("CROSSGEN_PROCESSES", "0")
    with pytest.raises(ValueError, match="CROSSGEN_PROCESSES"):
        admission.server_processes()
    monkeypatch.delenv("CROSSGEN_PROCESSES")
    monkeypatch.setenv("CROSSGEN_WORKERS", "3")
    assert admission.compute_slots() == 3
    monkeypatch.setenv("CROSSGEN_WORKERS", "none")
    with pytest.raises(ValueError, match="CROSSGEN_WORKERS"):
        admission.compute_slots()
    with pytest.raises(ValueError):
        FairSlots(0)
