"""Several server processes on one listening socket (``crossgen serve`` on a machine with more
than one core).

Python runs one thread of a process at a time, so one server process uses about one core
however many the machine has: the pandas work behind a new filter state queues for that one
core while the others idle. ``crossgen serve`` therefore binds the port itself and starts one
worker process per core (``CROSSGEN_PROCESSES`` overrides); each opens the database read-only,
keeps its own answers and accepts connections from the shared socket (a busy worker is slower
to accept, so new connections go to the idler one). The parent only watches: SIGTERM or
Ctrl-C stops the workers, and a worker that dies stops the others, so a supervisor sees one
failed service rather than a half-served one.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from analysis import logs
from analysis.console import say

PROCESSES_ENV = "CROSSGEN_PROCESSES"
BACKLOG = 2048  # connections the kernel holds while every worker is busy
STOP_GRACE = 10.0  # seconds a worker gets to finish after SIGTERM


def listen(host: str, port: int) -> socket.socket:
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    return socket.create_server((host, port), family=family, backlog=BACKLOG)


def run(db: Path, *, host: str, port: int, processes: int) -> int:
    """Serve ``db`` from ``processes`` workers until stopped; the exit code of the service."""
    from analysis.store import users as auth

    auth.session_secret(db)  # made once here: workers creating it at once would disagree
    sock = listen(host, port)
    env = {**os.environ, PROCESSES_ENV: str(processes)}
    workers = [subprocess.Popen([sys.executable, "-m", "dashboard.server", str(db),
                                 str(sock.fileno()), str(index)],
                                pass_fds=[sock.fileno()], env=env)
               for index in range(processes)]
    sock.close()  # the workers hold it
    stopping: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    failed = None
    try:
        while not stopping and failed is None:
            failed = next((w for w in workers if w.poll() is not None), None)
            time.sleep(0.2)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
        deadline = time.monotonic() + STOP_GRACE
        for worker in workers:
            try:
                worker.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    if failed is not None and not stopping:
        logs.event("server.worker_exited", code=failed.returncode)
        say(f"crossgen serve: a server process exited (code {failed.returncode}); "
            "stopped the others", file=sys.stderr)
        return 1
    return 0


def _orphaned(parent: int) -> None:
    # A parent killed outright cannot stop its workers: they stop when it is gone.
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def start_worker() -> None:
    """In a worker (``python -m dashboard.server DB FD INDEX``), before it serves: SIGTERM ends
    it at once, it ends when its parent is gone, and it logs as ``crossgen serve`` does."""
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    threading.Thread(target=_orphaned, args=(os.getppid(),), daemon=True,
                     name="crossgen-parent-watch").start()
    logs.configure(default="-")  # JSON lines on stderr unless CROSSGEN_LOG says otherwise
