"""`crossgen serve` with several processes on one port (dashboard.workers): both answer, and
the service stops as one — on SIGTERM, when a worker dies, or when the parent is killed."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO, free_port
from tests.privacy_db import build_privacy_db

pytestmark = pytest.mark.xdist_group("workers")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _serve(db: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "analysis.cli", "serve", "--db", str(db),
                                 "--port", str(port)], cwd=REPO, stdout=out,
                                stderr=subprocess.STDOUT,
                                env={**os.environ, "CROSSGEN_PROCESSES": "2"})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:
                if resp.status == 200 and len(_children(proc.pid)) == 2:
                    return proc, base
        except OSError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(log.read_text())
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError("server did not start")


def _wait_gone(pids: list[int], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.2)
    return False


def test_two_processes_answer_and_stop_together(tmp_path: Path) -> None:
    db = build_privacy_db(tmp_path / "w.duckdb")
    proc, base = _serve(db, tmp_path / "server.log")
    workers = _children(proc.pid)
    try:
        assert len(workers) == 2
        # new connections each, until both workers have started (the second may still be
        # building its app when the first answers; a loaded machine takes seconds)
        deadline = time.monotonic() + 60
        while True:
            with urllib.request.urlopen(base + "/healthz", timeout=10) as resp:
                assert json.loads(resp.read())["status"] == "ok"
            starts = [json.loads(line) for line in
                      (tmp_path / "server.log").read_text().splitlines()
                      if '"server.start"' in line]
            if len(starts) >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        answered = {s["pid"] for s in starts}
        assert answered == set(workers) and {s["processes"] for s in starts} == {2}
        assert all(s["compute_slots"] >= 1 for s in starts)
        # the page from one process, its scripts from either: each serves them from its start
        with urllib.request.urlopen(base + "/", timeout=10) as resp:
            page = resp.read().decode()
        scripts = re.findall(r'src="(/_dash-component-suites/[^"]+)"', page)
        assert scripts
        for src in scripts * 4:  # a new connection each: both processes answer some
            with urllib.request.urlopen(base + src, timeout=10) as resp:
                assert resp.status == 200, src
    finally:
        proc.terminate()
        code = proc.wait(timeout=30)
    assert code == 0
    assert _wait_gone(workers)


def test_a_dead_worker_stops_the_service(tmp_path: Path) -> None:
    db = build_privacy_db(tmp_path / "w.duckdb")
    proc, _ = _serve(db, tmp_path / "server.log")
    workers = _children(proc.pid)
    try:
        os.kill(workers[0], signal.SIGKILL)
        assert proc.wait(timeout=30) == 1  # a supervisor sees the failure and restarts
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _wait_gone(workers)
    assert "a server process exited" in (tmp_path / "server.log").read_text()


def test_workers_stop_when_the_parent_is_killed(tmp_path: Path) -> None:
    db = build_privacy_db(tmp_path / "w.duckdb")
    proc, _ = _serve(db, tmp_path / "server.log")
    workers = _children(proc.pid)
    proc.kill()
    proc.wait(timeout=10)
    assert _wait_gone(workers)
