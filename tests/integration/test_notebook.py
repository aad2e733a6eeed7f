"""notebooks/walkthrough.ipynb runs clean, top to bottom, on the demo database."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import REPO

NOTEBOOK = REPO / "notebooks" / "walkthrough.ipynb"


@pytest.mark.slow
def test_walkthrough_runs_clean(demo_copy: Path, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    # A kernel spec pointing at this interpreter (the venv's), first on the Jupyter path, so a
    # clean clone needs no `ipykernel install` and a user-level "python3" spec cannot interfere.
    spec = tmp_path / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (crossgen)", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setenv("CROSSGEN_DB", str(demo_copy))  # private: no lock clash
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    stored = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs for c in stored), "the committed notebook keeps its outputs"
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO)}}).execute()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", output
            assert output.get("name") != "stderr", output.get("text")
    text = "".join(str(o.get("text", "")) for c in nb.cells for o in c.get("outputs", []))
    assert "Mentees' digital skills rose" in text
