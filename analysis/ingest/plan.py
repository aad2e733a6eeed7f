"""What an importer hands the runner: the rows it read and accepted, and how to write them.

Each importer (roster, programme, sessions, surveys) plans a file without touching the database;
:mod:`analysis.ingest.runner` writes the plan in one transaction and records the import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from analysis.ingest.problems import Problem


@dataclass
class Plan:
    format: str
    rows_in: int
    rows_accepted: int
    write: Callable[[duckdb.DuckDBPyConnection, int], None]
    warnings: list[Problem] = field(default_factory=list)
    summary: dict[str, object] = field(default_factory=dict)

    @property
    def rows_rejected(self) -> int:
        return self.rows_in - self.rows_accepted
