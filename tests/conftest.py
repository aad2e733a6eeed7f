"""Shared fixtures: a real demo database built through the importers, and a running server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analysis.cache.textmode import use_object_text
from analysis.ingest.demo_db import DEMO_FILES, build_demo

# In-process tests run the analysis as the dashboard server does (text as objects); the
# command tests run `crossgen` in child processes, as users do (pandas' Arrow text).
use_object_text()

REPO = Path(__file__).resolve().parents[1]
# Public reference files (R for HR, real Qualtrics exports): in the repository, see its README.
REFERENCE_DATA = REPO / "tests" / "data" / "reference"
TEST_OUTPUT = REPO / "test-output"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once per test process from the committed demo exports."""
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    return build_demo(db, files=DEMO_FILES)


@pytest.fixture()
def demo_copy(demo_db: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the demo database (with its archive folder)."""
    target = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, target)
    archive = demo_db.with_name(demo_db.name + ".archive")
    if archive.exists():
        shutil.copytree(archive, target.with_name(target.name + ".archive"))
    return target


def reference_file(name: str) -> Path:
    """A file of tests/data/reference; missing, it fails the test (never skips it)."""
    path = REFERENCE_DATA / name
    if not path.is_file():
        pytest.fail(f"reference data {name} is missing from {REFERENCE_DATA}: restore it from git "
                    "(its source is in that folder's README.md)", pytrace=False)
    return path


@pytest.fixture(scope="session")
def reference_data() -> Path:
    """The folder of public reference files (tests/data/reference)."""
    if not REFERENCE_DATA.is_dir():
        pytest.fail(f"reference data folder {REFERENCE_DATA} is missing: restore it from git",
                    pytrace=False)
    return REFERENCE_DATA


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``crossgen`` as a user would, in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "analysis.cli", *args], capture_output=True, text=True,
        input=stdin, timeout=timeout, cwd=REPO, env={**os.environ, **(env or {})}, check=False,
    )


@pytest.fixture(scope="session")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``crossgen serve`` on a free loopback port; yields its base URL."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "analysis.cli", "serve", "--db", str(demo_db), "--port",
         str(port)], cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            if proc.poll() is not None:
                log.close()
                raise RuntimeError(log_path.read_text()) from None
            time.sleep(0.3)
    else:
        proc.kill()
        log.close()
        raise RuntimeError("server did not start within 60 s")
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def privacy_app(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """The dashboard in-process on a small privacy database, one per test process: Dash hands
    the global callbacks (``dashboard.components``) to the first app that serves, so a second
    app in the same process would not have them."""
    from dashboard.app import create_app
    from tests.privacy_db import build_privacy_db

    db = build_privacy_db(tmp_path_factory.mktemp("privacy-app") / "app.duckdb")
    return create_app(db), db
