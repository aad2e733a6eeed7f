"""`pip install` of a real wheel gives a working crossgen: built from the package sources alone
(no data/, no tests/), installed with the pinned dependencies in a new virtual environment, run
from an empty folder as a user would: `crossgen demo`, `metrics --json`, `report`, `serve`.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pptx import Presentation

from tests.conftest import REPO, free_port, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]
# What a wheel is built from: the package and the metadata pyproject.toml names (its readme).
SOURCES = ("pyproject.toml", "README.md", "analysis", "dashboard")


@dataclass(frozen=True)
class Installed:
    wheel: Path
    bin: Path
    work: Path  # an empty folder the commands run in
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.bin / "crossgen"), *args], cwd=self.work, env=self.env,
                              capture_output=True, text=True, timeout=timeout, check=False)


def _pip(python: Path, *args: str) -> None:
    done = subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", "-q", *args],
                          capture_output=True, text=True, timeout=1800, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in SOURCES:  # a copy: setuptools' build/ in the tree could hold stale modules
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(REPO / name, source / name)
    # make test's venv has the pinned setuptools: no build environment to download
    _pip(Path(sys.executable), "wheel", "--no-deps", "--no-build-isolation", "-w",
         str(root / "dist"), str(source))
    (wheel,) = (root / "dist").glob("crossgen-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    _pip(venv / "bin" / "python", "install", "-r", str(REPO / "requirements.lock"), str(wheel))
    work, home = root / "work", root / "home"
    work.mkdir()
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "share"))
    return Installed(wheel, venv / "bin", work, env)


@pytest.fixture(scope="module")
def demo(installed: Installed) -> Path:
    done = installed.run("demo")
    assert done.returncode == 0, done.stderr[-3000:]
    db = Path(installed.env["XDG_DATA_HOME"]) / "crossgen" / "crossgen-demo.duckdb"
    assert f"Demo database written to {db}" in done.stdout
    return db


def test_the_wheel_holds_the_package_and_its_assets_only(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert {"dashboard/assets/crossgen.css", "dashboard/assets/bootstrap.min.css",
            "analysis/demo/generate.py", "analysis/ingest/datadir.py",
            "dashboard/pages/overview.py"} <= names
    assert not [n for n in names if n.split("/")[0] in ("data", "tests", "benchmarks")]
    metadata = zipfile.ZipFile(installed.wheel).read("crossgen-0.1.0.dist-info/METADATA").decode()
    assert "License-Expression: MIT" in metadata


def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Installed) -> None:
    done = subprocess.run(
        [str(installed.bin / "python"), "-c",
         "import analysis, dashboard; from analysis.ingest import datadir; "
         "print(analysis.__file__, dashboard.__file__, datadir.checkout_root(), datadir.DATA)"],
        cwd=installed.work, env=installed.env, capture_output=True, text=True, check=True)
    analysis_file, dashboard_file, checkout, data = done.stdout.split()
    venv = str(installed.bin.parent)
    assert analysis_file.startswith(venv) and dashboard_file.startswith(venv)
    assert checkout == "None"
    assert data == str(Path(installed.env["XDG_DATA_HOME"]) / "crossgen")


def test_demo_generates_its_exports_in_the_users_data_folder(installed: Installed,
                                                             demo: Path) -> None:
    exports = demo.parent / "demo"
    committed = sorted(p.name for p in (REPO / "data" / "demo").iterdir())
    assert sorted(p.name for p in exports.iterdir()) == committed
    # the generator is seeded: its CSVs are the committed ones byte for byte
    for name in committed:
        if name.endswith(".csv"):
            assert (exports / name).read_bytes() == (REPO / "data" / "demo" / name).read_bytes()
    assert not list(installed.work.iterdir())  # nothing written where the command ran


def _key(row: dict) -> tuple:
    return (row["outcome"], row["metric"], row["cohort"], row["role"],
            json.dumps(row["group"], sort_keys=True))


def test_metrics_json_equals_the_checkouts(installed: Installed, demo: Path,
                                           demo_db: Path) -> None:
    done = installed.run("metrics", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    wheel = json.loads(done.stdout)
    assert wheel["min_group_size"] == 5 and wheel["filters"] == {}
    assert len(wheel["results"]) > 50
    for row in wheel["results"]:
        assert {"n", "estimate", "ci_low", "ci_high", "method", "suppressed"} <= set(row)
    # the same numbers as the checkout's command on the committed demo exports
    here = run_cli("metrics", "--json", "--db", str(demo_db))
    assert here.returncode == 0, here.stderr
    expected = {_key(r): r for r in json.loads(here.stdout)["results"]}
    got = {_key(r): r for r in wheel["results"]}
    assert got.keys() == expected.keys()
    for key, row in got.items():
        ref = expected[key]
        assert (row["n"], row["suppressed"], row["method"]) == \
            (ref["n"], ref["suppressed"], ref["method"]), key
        for column in ("estimate", "ci_low", "ci_high", "p_value"):
            a, b = row.get(column), ref.get(column)
            assert (a is None and b is None) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), \
                (key, column, a, b)


def test_report_writes_a_deck_that_opens(installed: Installed, demo: Path) -> None:
    deck = installed.work.parent / "deck.pptx"
    done = installed.run("report", "--out", str(deck), "--no-images")
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(Presentation(str(deck)).slides) >= 5


@pytest.fixture()
def served(installed: Installed, demo: Path) -> Iterator[str]:
    port = free_port()
    log_path = installed.work.parent / "serve.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([str(installed.bin / "crossgen"), "serve", "--port", str(port)],
                                cwd=installed.work, env=installed.env, stdout=log,
                                stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    with urllib.request.urlopen(base + "/", timeout=5) as resp:
                        assert resp.status == 200
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail("crossgen serve from the wheel did not answer:\n"
                                    + log_path.read_text()[-3000:])
                    time.sleep(0.5)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_serve_answers_with_its_pages_and_assets(served: str) -> None:
    with urllib.request.urlopen(served + "/", timeout=30) as resp:
        assert resp.status == 200
        assert "assets/crossgen.css" in resp.read().decode()
    with urllib.request.urlopen(served + "/assets/crossgen.css", timeout=30) as resp:
        assert resp.status == 200 and resp.read()
    with urllib.request.urlopen(served + "/_dash-layout", timeout=30) as resp:
        layout = resp.read().decode()
    for page in ("Overview", "Skills", "Retention", "Engagement"):
        assert page in layout, page
