"""Short load test (10 users × 10 s) with an import swapped in while they read."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import load

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("load")]


def test_users_and_an_import_at_once(demo_copy: Path, tmp_path: Path) -> None:
    proc, base = load._start_server(demo_copy, tmp_path / "server.log")
    try:
        # Cohort and role: the slices a leadership audience switches between.
        figures = load.run(base, users=10, seconds=10, import_db=demo_copy, workdir=tmp_path,
                           filters=frozenset({"cohort", "role"}))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(figures)
    assert figures["requests"] > 0
    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["server_errors_5xx"] == 0
    imported = figures["import"]
    assert imported["exit_code"] == 0, imported["stderr"]
    assert imported["data_changed"]
    # Readers saw the data from before the import or from after it, nothing in between.
    assert imported["reader_views"]["other"] == 0
    assert imported["reader_views"]["after"] >= 1
    log = (tmp_path / "server.log").read_text()
    assert '"event": "data.reloaded"' in log
    assert '"event": "http.error"' not in log
