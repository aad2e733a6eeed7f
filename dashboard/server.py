"""Serve the dashboard with waitress (threaded)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Any

from waitress.task import ThreadedTaskDispatcher

from analysis.console import say
from dashboard.health import HEALTH_PATH

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
EXIT_REFUSED = 2
CONNECTION_LIMIT = 2000
SWITCH_INTERVAL = 0.001  # seconds


def refusal(db: Path, host: str) -> str | None:
    """Why serving ``db`` on ``host`` is not allowed (None when it is)."""
    from analysis.store.users import load_users

    if host in LOCAL_HOSTS or load_users(db):
        return None
    return (f"refusing to serve on {host}: no users are configured, so anyone on the network "
            f"could read the data. Add one first: crossgen users add NAME --role admin --db {db} "
            "(reads the password from stdin), or serve on 127.0.0.1.")


class HealthFirst(ThreadedTaskDispatcher):
    """waitress's request queue with health probes at its front: a load balancer's check must
    not wait behind a hundred people's requests (and then take the server out of rotation)."""

    def add_task(self, task: Any) -> None:
        if getattr(getattr(task, "request", None), "path", None) == HEALTH_PATH:
            with self.lock:
                self.queue.appendleft(task)
                self.queue_cv.notify()
            return
        super().add_task(task)


def serve(db: Path, *, host: str = "127.0.0.1", port: int = 8050) -> int:
    reason = refusal(db, host)
    if reason:
        say(f"crossgen serve: {reason}", file=sys.stderr)
        return EXIT_REFUSED

    from dashboard import admission

    processes = admission.server_processes()
    say(f"crossgen dashboard on http://{host}:{port}/ (database {db})", file=sys.stderr)
    if processes == 1:
        return serve_here(db, host=host, port=port)
    from dashboard import workers

    return workers.run(db, host=host, port=port, processes=processes)


def serve_here(db: Path, *, host: str = "127.0.0.1", port: int = 8050,
               sockets: list[socket.socket] | None = None, index: int = 0) -> int:
    """Serve in this process: on ``host:port``, or on ``sockets`` a parent bound
    (:mod:`dashboard.workers`)."""
    from waitress import serve as waitress_serve

    from analysis import logs
    from dashboard import admission
    from dashboard.app import create_app

    app = create_app(db)
    # Dash learns which script files it may serve while it renders the page: a process whose
    # first request is for a script (the page came from another process) would answer 404.
    with app.server.test_request_context("/"):
        app._setup_server()
        app.index()
    # Python hands its one running thread over every 5 ms by default: with a computation and
    # dozens of short requests in flight, a health probe or a kept answer then waits 5 ms for
    # each turn at running. Shorter turns put short requests through sooner.
    sys.setswitchinterval(SWITCH_INTERVAL)
    if sockets:
        host, port = sockets[0].getsockname()[:2]
    threads = admission.server_threads()
    logs.event("server.start", host=host, port=port, threads=threads, process=index,
               processes=admission.server_processes(), compute_slots=admission.compute_slots(),
               cores=admission.cores(), database=db.name)
    # Every user keeps a connection open: waitress's default limit (100) would leave the
    # 101st waiting for a free one, however idle the others are.
    dispatcher = HealthFirst()
    dispatcher.set_thread_count(threads)
    where: dict[str, Any] = {"sockets": sockets} if sockets else {"host": host, "port": port}
    waitress_serve(app.server, threads=threads, connection_limit=CONNECTION_LIMIT,
                   _dispatcher=dispatcher, _quiet=True, **where)
    return 0


def worker_main(argv: list[str]) -> int:
    """A worker of :func:`dashboard.workers.run`: serve on the socket the parent bound."""
    from dashboard import workers

    db, fd, index = Path(argv[0]), int(argv[1]), int(argv[2])
    workers.start_worker()
    return serve_here(db, sockets=[socket.socket(fileno=fd)], index=index)


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
