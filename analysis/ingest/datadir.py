"""Where crossgen keeps its own files: the demo exports, the demo database, the examples and the
survey template.

In a source checkout that is the repository's ``data/`` (committed files, `make run`'s database).
An installed wheel carries no ``data/``: it uses a folder of the user's ($XDG_DATA_HOME/crossgen,
else ~/.local/share/crossgen), and the files are generated there (the demo exports by
``crossgen demo``, the survey template by ``python -m analysis.ingest.template``).
"""

from __future__ import annotations

import os
from pathlib import Path


def checkout_root(package_dir: Path | None = None) -> Path | None:
    """The repository this package runs from (editable install, tests), else None (a wheel)."""
    root = (package_dir or Path(__file__).resolve().parents[1]).parent
    if (root / "pyproject.toml").is_file() and (root / "data" / "demo" / "README.md").is_file():
        return root
    return None


def user_data_dir(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local/share")
    return Path(base) / "crossgen"


def data_dir() -> Path:
    root = checkout_root()
    return root / "data" if root is not None else user_data_dir()


DATA = data_dir()
