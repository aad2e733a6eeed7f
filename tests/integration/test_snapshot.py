"""The before/after comparison of issue 21 keeps working: a capture of the demo database holds
every metric row and a response from every page's callbacks, two captures of the same code are
equal, and a changed number is found (times and layouts are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.snapshot import compare
from tests.conftest import REPO


def _first_float(tree: object) -> list[object] | None:
    """The path (keys) to the first float in a JSON tree."""
    if isinstance(tree, float):
        return []
    items = tree.items() if isinstance(tree, dict) else enumerate(tree) \
        if isinstance(tree, list) else ()
    for key, value in items:
        found = _first_float(value)
        if found is not None:
            return [key, *found]
    return None


@pytest.mark.slow
def test_capture_and_compare(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.snapshot", "capture", "--db", str(demo_db),
         "--out", str(out), "--states", "1"],
        cwd=REPO, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    captured = json.loads(out.read_text())
    assert captured["metrics"]["results"] and captured["metrics_by_generation"]["results"]
    pages = captured["callbacks"]
    assert {"/", "/skills", "/retention", "/engagement", "/data"} <= set(pages)
    for path, views in pages.items():
        assert set(views) == {"default", "state-0"}, path
        answers = [a for key, a in views["default"].items() if key != "query"]
        assert answers and all(a["status"] == 200 for a in answers), path
    assert compare(out, out) == 0

    path = _first_float(captured["metrics"]["results"])
    assert path is not None
    node = captured["metrics"]["results"]
    for key in path[:-1]:
        node = node[key]
    value = node[path[-1]]
    node[path[-1]] = value * (1 + 1e-12) if value else 1e-15  # within DuckDB's float noise
    close = tmp_path / "close.json"
    close.write_text(json.dumps(captured))
    assert compare(out, close) == 0
    node[path[-1]] = value * (1 + 1e-6) + 1e-6  # a real change
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(captured))
    assert compare(out, changed) == 1
