"""Importers: vendor export files -> the crossgen database, one transaction per file."""

from analysis.ingest.problems import ImportFailed, Problem
from analysis.ingest.runner import ImportReport, import_file

__all__ = ["ImportFailed", "ImportReport", "Problem", "import_file"]
