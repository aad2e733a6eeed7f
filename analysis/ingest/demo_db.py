"""Build the demo database by importing the generated export files, as a user would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from analysis.demo.generate import generate
from analysis.demo.spec import DemoSpec
from analysis.ingest import ImportReport
from analysis.ingest.batch import import_files
from analysis.ingest.datadir import DATA
from analysis.ingest.runner import Job
from analysis.store.db import Store

# The committed exports in a checkout; from a wheel, generated on first use (ingest/datadir.py).
DEMO_FILES = DATA / "demo"
DEFAULT_DB = DATA / "crossgen-demo.duckdb"


def kind_of(path: Path) -> str:
    name = path.stem
    if name.startswith("roster"):
        return "roster"
    if name in ("programme", "sessions"):
        return name
    return "survey"


def demo_files(files: Path = DEMO_FILES) -> list[Path]:
    """The generated exports in the order their README says `crossgen demo` imports them."""
    manifest = (files / "README.md").read_text()
    return [files / line[3:-1] for line in manifest.splitlines() if line.startswith("- `")]


def build_demo(db: Path, *, files: Path | None = None, spec: DemoSpec | None = None,
               progress: Callable[[ImportReport], None] | None = None) -> Path:
    """Generate the demo exports (if missing) and import them into a new database at ``db``."""
    files = files or DEMO_FILES
    if spec is not None or not (files / "README.md").exists():
        paths = generate(files, spec)
    else:
        paths = demo_files(files)
    if db.exists():
        db.unlink()
    jobs = [Job(kind_of(path), path, mapping=_mapping_of(path)) for path in paths]
    with Store(db) as store:
        for report in import_files(store, jobs):
            if progress:
                progress(report)
    return db


def _mapping_of(path: Path) -> Path | None:
    mapping = path.with_suffix(".toml")
    return mapping if mapping.exists() else None
