"""Load test: simulated users switching pages and filters on a running dashboard, loopback only.

Each user is a thread with its own keep-alive HTTP connection that behaves like the browser: a full
page load (HTML, ``/_dash-layout``, ``/_dash-dependencies``), then client-side navigation
(the Dash Pages callback) and filter changes (the filter-bar callback), each followed by every
server callback whose inputs are on the page. Payloads are derived from ``/_dash-dependencies`` and
the layouts, so new pages and callbacks are exercised without editing this file.

``--with-import`` runs ``crossgen import`` (sessions) half-way through while a probe thread keeps
reading the overview: every answer it gets must equal the one before the import or the one after.
A health probe asks ``/healthz`` ten times a second throughout (its latency is reported apart).
``--compare N`` first runs N users on a fresh server, for the throughput ratio. The machine's
load average is recorded at the start and end of each run (the runs share the machine), and the
CPU seconds the generator, the server and everything else used during it.

    python -m benchmarks.load --serve data/crossgen-demo.duckdb --with-import --compare 20
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.dash_requests import (
    Components,
    View,
    callback_payloads,
    id_key,
    page_components,
    router,
    walk,
)

REPO = Path(__file__).resolve().parents[1]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_REQUESTS = 500_000  # hard bound whatever the duration
TIMEOUT = 300.0  # seconds a simulated user waits for one answer before counting an error
HEALTH_EVERY = 0.1  # seconds between health probes
# DESIGN.md "Scale targets" and issue 23: what a run must show (ms; throughput as a ratio)
TARGETS = {"p95_ms": 1000.0, "max_ms": 5000.0, "healthz_p95_ms": 100.0,
           "throughput_ratio": 0.9}


# -- one simulated user ---------------------------------------------------------------------------

@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    server_errors: int = 0
    views: int = 0  # pages shown: a page's callbacks all answered
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, status: int, what: str) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if status >= 500:
                self.server_errors += 1
            if status >= 400 or status == 0:
                self.errors.append(f"{status} {what}")


class Client:
    def __init__(self, base: str, stats: Stats) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.stats = stats
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data else {}
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
            self.conn.request(method, path, body=data, headers=headers)
            resp = self.conn.getresponse()
            payload, status = resp.read(), resp.status
        except (OSError, http.client.HTTPException) as exc:
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            payload, status = str(exc).encode(), 0
        what = body["output"][:60] if isinstance(body, dict) else path
        self.stats.record(time.perf_counter() - started, status, f"{method} {what}")
        return status, payload


class App:
    """What a browser fetches on a full page load."""

    def __init__(self, client: Client, view: View, *, only: frozenset[str] = frozenset()) -> None:
        client.request("GET", view.path + view.search)
        _, layout = client.request("GET", "/_dash-layout")
        _, deps = client.request("GET", "/_dash-dependencies")
        self.deps: list[dict[str, Any]] = json.loads(deps)
        self.shell: dict[str, tuple[Any, dict, str]] = {}
        walk(json.loads(layout), self.shell)
        self.pages = sorted({str(c[1]["href"]).split("?")[0] for c in self.shell.values()
                             if c[2] == "NavLink" and str(c[1].get("href", "")).startswith("/")}
                            ) or ["/"]
        self.filters = [c for c in self.shell.values() if c[1].get("options") is not None
                        and (not only or id_key(c[0]) in only
                             or (isinstance(c[0], dict) and c[0].get("name") in only))]


def render(client: Client, app: App, view: View) -> tuple[list[str], Components]:
    """Navigate to ``view``: the pages callback, then each callback on the page; body digests."""
    def post(body: dict[str, Any]) -> tuple[int, bytes]:
        return client.request("POST", "/_dash-update-component", body)

    page = page_components(post, app.deps, app.shell, view)
    nav = router(app.deps)
    rest = [d for d in app.deps if d not in nav]
    digests = []
    for body in callback_payloads(rest, page, view, changed="url.search"):
        status, payload = post(body)
        digests.append(f"{status}:{hashlib.sha256(payload).hexdigest()[:16]}")
    return digests, page


def change_filter(client: Client, app: App, view: View, rng: random.Random) -> None:
    cid, props, _ = rng.choice(app.filters)
    values = [o["value"] if isinstance(o, dict) else o for o in props["options"]]
    view.values[id_key(cid)] = (rng.sample(values, k=min(len(values), rng.randint(0, 2)))
                                 if props.get("multi") else rng.choice([None, *values]))
    sync = [d for d in app.deps if d["output"].startswith("..url.search")]
    for body in callback_payloads(sync, app.shell, view, changed=id_key(cid) + ".value"):
        status, payload = client.request("POST", "/_dash-update-component", body)
        if status == 200:
            view.search = json.loads(payload)["response"].get("url", {}).get("search", "")


def user(base: str, stats: Stats, stop: threading.Event, seed: int,
         only: frozenset[str]) -> None:
    rng = random.Random(seed)
    client = Client(base, stats)
    view = View()
    try:
        app = App(client, view, only=only)
        while not stop.is_set() and len(stats.latencies) < MAX_REQUESTS:
            action = rng.random()
            if action < 0.1:
                app = App(client, view, only=only)  # a full reload
            elif action < 0.45:
                view.path = rng.choice(app.pages)
            elif app.filters:
                change_filter(client, app, view, rng)
            render(client, app, view)
            with stats.lock:
                stats.views += 1
    except Exception as exc:  # an answer the browser could not have used counts as an error
        with stats.lock:
            stats.errors.append(f"client {type(exc).__name__}: {exc}"[:200])
    finally:
        client.close()


# -- the run --------------------------------------------------------------------------------------

def _extra_sessions(folder: Path) -> Path:
    """40 more held meetings for existing demo pairs, as a platform export (new meeting ids)."""
    with (REPO / "data" / "demo" / "sessions.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:41]
    ids, status = header.index("Meeting ID"), header.index("Meeting Status")
    for n, row in enumerate(body):
        row[ids], row[status] = f"LOAD-{n:04d}", "Completed"
    path = folder / "sessions-during-load.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *body])
    return path


def _start_server(db: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with log.open("w") as out:  # the child keeps its own handle
        proc = subprocess.Popen([sys.executable, "-m", "analysis.cli", "serve", "--db", str(db),
                                 "--port", str(port)], cwd=REPO, stdout=out,
                                stderr=subprocess.STDOUT, env={**os.environ, "CROSSGEN_LOG": "-"})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return proc, base
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(log.read_text()) from None
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("server did not start within 120 s")


def _health(base: str, stats: Stats, stop: threading.Event) -> None:
    client = Client(base, stats)
    try:
        while not stop.is_set():
            client.request("GET", "/healthz")
            stop.wait(HEALTH_EVERY)
    finally:
        client.close()


def _cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) of a process and its children, running or ended: this
    process alone when ``pid`` is None. Linux only (0.0 elsewhere)."""
    if pid is None:
        return time.process_time()
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:  # the fields after the command name (which may hold spaces), see proc(5)
            stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
    tree, grew = {pid}, True
    while grew:
        more = {p for p, f in stats.items() if int(f[1]) in tree} - tree
        tree |= more
        grew = bool(more)
    # utime + stime of each, + cutime + cstime (children already ended) of each
    ticks = sum(int(v) for p in tree if p in stats for v in stats[p][11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def _machine_cpu_seconds() -> float:
    """Busy CPU time of the whole machine so far (every core, every process)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _pct(values: list[float], q: float) -> float:
    lat = sorted(values)
    return round(1000 * lat[min(len(lat) - 1, int(q * len(lat)))], 1) if lat else 0.0


def run(base: str, *, users: int, seconds: float, import_db: Path | None = None,
        workdir: Path | None = None, filters: frozenset[str] = frozenset(),
        server_pid: int | None = None) -> dict[str, Any]:
    host = urlsplit(base).hostname
    if host not in LOOPBACK:
        raise ValueError(f"load tests run against loopback only, not {host}")
    load_before = [round(x, 2) for x in os.getloadavg()]
    cpu_before = (_cpu_seconds(), _cpu_seconds(server_pid) if server_pid else 0.0,
                  _machine_cpu_seconds())
    stats, stop = Stats(), threading.Event()
    health, health_stop = Stats(), threading.Event()
    health_thread = threading.Thread(target=_health, args=(base, health, health_stop),
                                     daemon=True)
    probe_view = View()
    probe_client = Client(base, Stats())
    probe_app = App(probe_client, probe_view)
    before = "|".join(render(probe_client, probe_app, probe_view)[0])
    threads = [threading.Thread(target=user, args=(base, stats, stop, n, filters), daemon=True)
               for n in range(users)]
    started = time.monotonic()
    health_thread.start()
    for t in threads:
        t.start()
    result: dict[str, Any] = {}
    if import_db is not None:
        assert workdir is not None
        seen: list[str] = []
        probing = threading.Event()

        def probe() -> None:
            while not probing.is_set():
                seen.append("|".join(render(probe_client, probe_app, probe_view)[0]))

        prober = threading.Thread(target=probe, daemon=True)
        time.sleep(seconds / 4)
        prober.start()
        time.sleep(seconds / 4)
        t0 = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "analysis.cli", "import", "sessions",
                               str(_extra_sessions(workdir)), "--db", str(import_db)],
                              cwd=REPO, capture_output=True, text=True, check=False)
        import_seconds = time.monotonic() - t0
        time.sleep(max(0.0, seconds - (time.monotonic() - started)))
        # A reader sees the new data once the server has reopened the file and rebuilt its
        # caches; on a loaded machine that can outlast the window, so wait for it (bounded).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not seen or seen[-1] == before):
            time.sleep(0.2)
        probing.set()
        prober.join()
        after = "|".join(render(probe_client, probe_app, probe_view)[0])
        result["import"] = {
            "exit_code": done.returncode, "seconds": round(import_seconds, 2),
            "stderr": done.stderr.strip()[-500:], "data_changed": before != after,
            "reader_views": {"before": sum(s == before for s in seen),
                             "after": sum(s == after for s in seen),
                             "other": sum(s not in (before, after) for s in seen)},
        }
    else:
        time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=TIMEOUT)
    elapsed = time.monotonic() - started
    health_stop.set()
    health_thread.join(timeout=TIMEOUT)
    probe_client.close()
    generator, server, machine = (
        round(after - before, 1) for after, before in zip(
            (_cpu_seconds(), _cpu_seconds(server_pid) if server_pid else 0.0,
             _machine_cpu_seconds()), cpu_before, strict=True))
    # Where the cores went during the run: this load generator itself, the server under
    # test (with its children), and everything else on the machine (the import included).
    cpu = {"cores": os.cpu_count(), "generator_s": generator,
           **({"server_s": server, "others_s": round(machine - generator - server, 1)}
              if server_pid else {"others_s": round(machine - generator, 1)}),
           "wall_s": round(elapsed, 1)}
    lat = stats.latencies
    return {"users": users, "seconds": round(elapsed, 1), "requests": len(lat),
            "requests_per_second": round(len(lat) / elapsed, 1), "errors": len(stats.errors),
            "server_errors_5xx": stats.server_errors, "p50_ms": _pct(lat, 0.50),
            "p95_ms": _pct(lat, 0.95), "max_ms": round(1000 * max(lat), 1) if lat else 0.0,
            "error_samples": sorted(set(stats.errors))[:10],
            # Each user shows a page as soon as the last one is complete (no reading time):
            # the time a page takes, all its requests together, is users / pages per second.
            "views": stats.views,
            "seconds_per_view": round(users * elapsed / stats.views, 2) if stats.views else None,
            "healthz": {"requests": len(health.latencies), "errors": len(health.errors),
                        "p95_ms": _pct(health.latencies, 0.95),
                        "max_ms": round(1000 * max(health.latencies), 1)
                        if health.latencies else 0.0},
            "load_average": {"start": load_before,
                             "end": [round(x, 2) for x in os.getloadavg()]},
            "cpu": cpu, **result}


def targets(figures: dict[str, Any], baseline: dict[str, Any] | None) -> dict[str, Any]:
    """Each target of issue 23 with the value this run reached and whether it was met."""
    values = {"p95_ms": figures["p95_ms"], "max_ms": figures["max_ms"],
              "healthz_p95_ms": figures["healthz"]["p95_ms"]}
    out: dict[str, Any] = {name: {"value": value, "limit": TARGETS[name],
                                  "met": value <= TARGETS[name]}
                           for name, value in values.items()}
    if baseline is not None and baseline["requests_per_second"]:
        ratio = round(figures["requests_per_second"] / baseline["requests_per_second"], 3)
        out["throughput_ratio"] = {"value": ratio, "limit": TARGETS["throughput_ratio"],
                                   "against_users": baseline["users"],
                                   "met": ratio >= TARGETS["throughput_ratio"]}
    return out


def _served(db_file: Path, work: Path, users: int, seconds: float, *, with_import: bool,
            filters: frozenset[str]) -> dict[str, Any]:
    """One run against a fresh server on a temporary copy of ``db_file``."""
    run_dir = Path(tempfile.mkdtemp(prefix=f"run-{users}-", dir=work))
    db = run_dir / "load.duckdb"
    shutil.copyfile(db_file, db)
    archive = db_file.with_name(db_file.name + ".archive")
    if archive.is_dir():
        shutil.copytree(archive, db.with_name(db.name + ".archive"))
    proc, base = _start_server(db, run_dir / "server.log")
    try:
        return run(base, users=users, seconds=seconds, import_db=db if with_import else None,
                   workdir=run_dir, filters=filters, server_pid=proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a running crossgen server on loopback")
    where.add_argument("--serve", type=Path, metavar="DB",
                       help="serve a temporary copy of this database for the run")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--with-import", action="store_true",
                        help="import extra sessions half-way (needs --serve)")
    parser.add_argument("--compare", type=int, metavar="USERS",
                        help="first run this many users on a fresh server (needs --serve): "
                             "the throughput ratio target")
    parser.add_argument("--check-targets", action="store_true",
                        help="exit non-zero when a latency or throughput target is missed")
    parser.add_argument("--filters", default="",
                        help="comma-separated filter names users change (default: all)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    for users in (args.users, args.compare or 1):
        if not 1 <= users <= 200 or not 0 < args.seconds <= 600:
            parser.error("keep it bounded: 1-200 users, at most 600 seconds")
    if (args.with_import or args.compare) and not args.serve:
        parser.error("--with-import and --compare need --serve")
    chosen = frozenset(f for f in args.filters.split(",") if f)
    baseline = None
    with tempfile.TemporaryDirectory(prefix="crossgen-load-") as tmp:
        if args.serve:
            if args.compare:
                baseline = _served(args.serve, Path(tmp), args.compare, args.seconds,
                                   with_import=False, filters=chosen)
            figures = _served(args.serve, Path(tmp), args.users, args.seconds,
                              with_import=args.with_import, filters=chosen)
        else:
            figures = run(args.url, users=args.users, seconds=args.seconds, filters=chosen)
    figures["targets"] = targets(figures, baseline)
    if baseline is not None:
        figures["baseline"] = {k: v for k, v in baseline.items() if k != "error_samples"}
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    ok = figures["errors"] == 0 and figures["server_errors_5xx"] == 0
    if "import" in figures:
        imp = figures["import"]
        ok = ok and imp["exit_code"] == 0 and imp["reader_views"]["other"] == 0
    if args.check_targets:
        ok = ok and all(t["met"] for t in figures["targets"].values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
