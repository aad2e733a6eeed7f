"""The scale benchmark keeps working: a small run writes every key (times are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

KEYS = {"employees", "import_s", "metrics_s", "callback_p50_ms", "callback_p95_ms",
        "peak_rss_mb", "pandas_metrics_s", "speedup_vs_pandas"}


@pytest.mark.slow
def test_benchmark_smoke_run(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--employees", "2000", "--states", "2",
         "--json", str(out), "--workdir", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=1200, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    assert set(result) >= KEYS
    assert result["employees"] == 2000
    assert result["answers"] > 0 and result["metrics_rows"] > 0
    assert "speedup_vs_pandas" in done.stdout  # the printed table
