"""Build the demo database by importing the generated export files, as a user would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from analysis.demo import DemoSpec, generate
from analysis.ingest import ImportReport, import_file
from analysis.store import Store

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_FILES = REPO_ROOT / "data" / "demo"
DEFAULT_DB = REPO_ROOT / "data" / "crossgen-demo.duckdb"


def kind_of(path: Path) -> str:
    name = path.stem
    if name.startswith("roster"):
        return "roster"
    if name in ("programme", "sessions"):
        return name
    return "survey"


def build_demo(db: Path, *, files: Path | None = None, spec: DemoSpec | None = None,
               progress: Callable[[ImportReport], None] | None = None) -> Path:
    """Generate the demo exports (if missing) and import them into a new database at ``db``."""
    files = files or DEMO_FILES
    manifest = files / "README.md"
    if spec is not None or not manifest.exists():
        paths = generate(files, spec)
    else:
        order = [line[3:-1] for line in manifest.read_text().splitlines()
                 if line.startswith("- `")]
        paths = [files / name for name in order]
    if db.exists():
        db.unlink()
    with Store(db) as store:
        for path in paths:
            mapping = path.with_suffix(".toml")
            report = import_file(store, kind_of(path), path,
                                 mapping=mapping if mapping.exists() else None)
            if progress:
                progress(report)
    return db
