"""scripts/system-deps.sh, which `make test` runs first: silent when the programs are there,
installs what is missing with apt-get, else stops with one line for Debian, Fedora and macOS.

The programs are hand-written stand-ins on a PATH of their own, so every branch runs here
without touching the machine's packages.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "system-deps.sh"
PROGRAMS = ("chromium", "chromedriver", "soffice", "pdftoppm", "npm")


def _fake(folder: Path, name: str, body: str = "exit 0") -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def _run(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["/bin/bash", str(SCRIPT)], capture_output=True, text=True,
                          env={"PATH": str(path)}, timeout=30, check=False)


def test_all_present_is_silent_and_quick(tmp_path: Path) -> None:
    for name in PROGRAMS:
        _fake(tmp_path, name)
    started = time.monotonic()
    done = _run(tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert time.monotonic() - started < 5


def test_missing_without_a_package_manager_stops_with_one_line(tmp_path: Path) -> None:
    _fake(tmp_path, "chromium")
    _fake(tmp_path, "libreoffice")  # either name of LibreOffice will do
    _fake(tmp_path, "npm")
    done = _run(tmp_path)
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("crossgen's tests need chromedriver pdftoppm:")
    for hint in ("Debian/Ubuntu: sudo apt-get install chromium chromium-driver "
                 "libreoffice-impress poppler-utils npm",
                 "Fedora: sudo dnf install chromium chromedriver libreoffice-impress poppler-utils "
                 "npm",
                 "macOS: brew install --cask chromium chromedriver libreoffice && "
                 "brew install poppler node"):
        assert hint in lines[0]


def test_missing_on_debian_installs_only_the_missing_packages(tmp_path: Path) -> None:
    log = tmp_path / "apt.log"
    for name in ("chromium", "chromedriver", "soffice", "npm"):
        _fake(tmp_path, name)
    _fake(tmp_path, "apt-get", f'echo "$DEBIAN_FRONTEND $*" >> {log}')
    # a non-root run goes through sudo -n: this one runs the command it is given
    _fake(tmp_path, "sudo", '[ "$1" = -n ] && shift; exec "$@"')
    done = _run(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "installing poppler-utils (missing: pdftoppm)" in done.stderr
    assert log.read_text().splitlines() == [
        "noninteractive update -qq",
        "noninteractive install -y -qq --no-install-recommends poppler-utils"]


def test_a_failed_install_ends_with_the_one_line(tmp_path: Path) -> None:
    _fake(tmp_path, "apt-get", "exit 100")
    _fake(tmp_path, "sudo", '[ "$1" = -n ] && shift; exec "$@"')
    done = _run(tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].startswith(
        "crossgen's tests need chromium chromedriver soffice pdftoppm npm:")
