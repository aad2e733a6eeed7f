"""A plain stderr progress line for imports that take more than a moment (no dependency).

The importer reports stages (reading, checking, writing, archiving); a small thread redraws one
line with the stage and the elapsed time once ``delay`` seconds have passed, so quick imports print
nothing. Without a terminal (logs, CI) each stage is printed once on its own line instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TextIO

STAGES = ("reading", "checking", "writing", "archiving")


class Progress:
    def __init__(self, stream: TextIO, *, label: str = "importing", delay: float = 1.0,
                 interval: float = 0.2, width: int = 20,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.label, self.delay = stream, label, delay
        self.interval, self.width, self.clock = interval, width, clock
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.start = clock()
        self.stage = STAGES[0]
        self.shown = False
        self._printed: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Progress:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        with self._lock:
            if self.shown and exc[0] is None:
                self.stage = "done"
                self._draw()
            if self.shown and self.tty:
                self.stream.write("\n")
                self.stream.flush()

    def __call__(self, stage: str) -> None:
        with self._lock:
            self.stage = stage
            if self.clock() - self.start >= self.delay:
                self._draw()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                if self.clock() - self.start >= self.delay:
                    self._draw()

    def _draw(self) -> None:
        done = len(STAGES) if self.stage == "done" else (
            STAGES.index(self.stage) if self.stage in STAGES else 0)
        filled = round(self.width * done / len(STAGES))
        bar = "#" * filled + "." * (self.width - filled)
        line = f"{self.label} [{bar}] {self.stage} {self.clock() - self.start:.1f}s"
        if self.tty:
            self.stream.write("\r" + line)
        elif self.stage not in self._printed:
            self._printed.add(self.stage)
            self.stream.write(line + "\n")
        else:
            return
        self.stream.flush()
        self.shown = True
