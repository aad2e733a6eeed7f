"""Importers: vendor export files -> the crossgen database, one transaction per file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analysis.ingest.problems import ImportFailed, Problem

if TYPE_CHECKING:
    from analysis.ingest.runner import ImportReport, import_file

__all__ = ["ImportFailed", "ImportReport", "Problem", "import_file"]


def __getattr__(name: str) -> Any:
    # The importers pull in pyarrow's CSV reader and more: load them on first use, so commands
    # that only read the database (`crossgen metrics`) start faster.
    if name in {"ImportReport", "import_file"}:
        from analysis.ingest import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
