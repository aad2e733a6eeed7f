"""Failed sign-ins per client address and name, shared by every server process.

``crossgen serve`` may run several processes (:mod:`dashboard.workers`), and a client's next
connection may reach any of them: a count kept in one process's memory would let a client try
``MAX_FAILURES`` passwords per process. The count lives in a small file beside the database
(``<db>.signins``, mode 0600), read and written under an exclusive lock; it holds only a hash
of each address and name, and only attempts within the window.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

MAX_FAILURES = 5  # per client and name within WINDOW seconds
WINDOW = 300.0


class FailedSignins:
    def __init__(self, db: Path) -> None:
        self.path = db.with_name(db.name + ".signins")

    @staticmethod
    def _key(address: str, name: str) -> str:
        return hashlib.sha256(f"{address}\0{name}".encode()).hexdigest()[:32]

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, list[float]]]:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with os.fdopen(os.dup(fd), "r+", encoding="utf-8") as fh:
                try:
                    seen = json.loads(fh.read() or "{}")
                except ValueError:  # a torn or foreign file: start counting again
                    seen = {}
                if not isinstance(seen, dict):
                    seen = {}
                now = time.time()
                seen = {k: [t for t in v if isinstance(t, float | int) and now - t <= WINDOW]
                        for k, v in seen.items() if isinstance(v, list)}
                yield seen
                fh.seek(0)
                fh.truncate()
                fh.write(json.dumps({k: v for k, v in seen.items() if v}))
        finally:
            os.close(fd)  # releases the lock

    def too_many(self, address: str, name: str) -> bool:
        with self._locked() as seen:
            return len(seen.get(self._key(address, name), [])) >= MAX_FAILURES

    def failed(self, address: str, name: str) -> None:
        with self._locked() as seen:
            seen.setdefault(self._key(address, name), []).append(time.time())

    def succeeded(self, address: str, name: str) -> None:
        with self._locked() as seen:
            seen.pop(self._key(address, name), None)
