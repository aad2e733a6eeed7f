"""Run one import as one transaction: parse, validate, write, audit, archive — or change nothing.

Each parser returns a :class:`Plan`: what it found (counts, warnings) and a ``write`` function that
puts the rows into the database on the connection it is given, inside the transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from analysis import logs
from analysis.ingest.problems import ImportFailed, Problem, fail
from analysis.store import PARTIAL_SUFFIX, Store

KINDS = ("roster", "programme", "sessions", "survey")


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


@dataclass
class ImportReport:
    kind: str
    file: str
    format: str
    rows_in: int
    rows_accepted: int
    rows_rejected: int
    warnings: list[Problem]
    summary: dict[str, object]
    duplicate: bool = False
    import_id: int | None = None

    def lines(self) -> list[str]:
        if self.duplicate:
            return [f"{self.file}: already imported (same sha256); nothing changed."]
        out = [
            f"{self.file}: {self.kind} ({self.format}), {self.rows_in} rows, "
            f"{self.rows_accepted} accepted, {self.rows_rejected} rejected."
        ]
        out += [f"  {k.replace('_', ' ')}: {v}" for k, v in self.summary.items()]
        out += [f"  warning: {w}" for w in self.warnings]
        return out

    def check_lines(self) -> list[str]:
        """What ``crossgen check`` says: format, rows, matches, and what would be rejected."""
        if self.duplicate:
            return [f"{self.file}: already imported (same sha256); importing it again would "
                    "change nothing."]
        matched = ("respondents matched to the roster" if self.kind == "survey"
                   else "rows accepted")
        out = [f"{self.file}: {self.kind}, detected format '{self.format}'",
               f"  rows: {self.rows_in}",
               f"  {matched}: {self.rows_accepted}",
               f"  rows that would be rejected: {self.rows_rejected}"]
        out += [f"  {k.replace('_', ' ')}: {v}" for k, v in self.summary.items()]
        out += [f"  warning: {w}" for w in self.warnings]
        return out


# DuckDB's row group. An Arrow table in one chunk is inserted by one thread; cut into batches
# of a row group each, by all of them (the 6M answers of a pulse survey: 6.6 s -> 3.2 s).
ROW_GROUP = 122_880


@contextlib.contextmanager
def incoming(con: duckdb.DuckDBPyConnection, **tables: pd.DataFrame | pa.Table) -> Iterator[None]:
    """Make ``tables`` visible by name to the statements run inside, as Arrow tables cut into
    row-group batches (a plain ``insert`` keeps their order)."""
    try:
        for name, rows in tables.items():
            table = (rows if isinstance(rows, pa.Table)
                     else pa.Table.from_pandas(rows, preserve_index=False))
            con.register(name, pa.Table.from_batches(table.to_batches(max_chunksize=ROW_GROUP),
                                                     schema=table.schema))
        yield
    finally:
        for name in tables:
            con.unregister(name)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plan_import(store: Store, kind: str, path: Path, data: bytes, *, mapping: Path | None,
                cohort: str | None = None, phase: str | None = None) -> Plan:
    # Local imports: each parser pulls in only what it needs.
    if kind == "roster":
        from analysis.ingest.roster import plan_roster

        return plan_roster(store, path, data, mapping=mapping)
    if kind == "programme":
        from analysis.ingest.programme import plan_programme

        return plan_programme(store, path, data, mapping=mapping)
    if kind == "sessions":
        from analysis.ingest.programme import plan_sessions

        return plan_sessions(store, path, data, mapping=mapping)
    if kind == "survey":
        from analysis.ingest.surveys import plan_survey

        return plan_survey(store, path, data, mapping=mapping, cohort=cohort, phase=phase)
    raise fail(path.name, f"'{kind}' is not something crossgen imports.",
               f"Use one of: {', '.join(KINDS)}.")


def import_file(store: Store, kind: str, path: Path, *, mapping: Path | None = None,
                cohort: str | None = None, phase: str | None = None,
                dry_run: bool = False,
                progress: Callable[[str], None] | None = None) -> ImportReport:
    """Import ``path`` as ``kind``. Raises :class:`ImportFailed` (nothing written) on bad input.

    ``progress`` is told each stage (reading, checking, writing, archiving) as it starts.
    """
    started = time.monotonic()
    where: dict[str, Any] = {"kind": kind, "file": path.name, "dry_run": dry_run}
    try:
        report = _import_file(store, kind, path, mapping=mapping, cohort=cohort, phase=phase,
                              dry_run=dry_run, progress=progress, log_fields=where)
    except ImportFailed as exc:
        logs.event("import.refused", **where, problems=len(exc.problems), ms=logs.since(started))
        raise
    except Exception as exc:
        logs.event("import.error", level=logging.ERROR, **where, error=type(exc).__name__,
                   ms=logs.since(started))
        raise
    logs.event("import.duplicate" if report.duplicate else "import.done", **where,
               format=report.format, rows_in=report.rows_in, rows_accepted=report.rows_accepted,
               rows_rejected=report.rows_rejected, import_id=report.import_id,
               ms=logs.since(started))
    return report


def _import_file(store: Store, kind: str, path: Path, *, mapping: Path | None,
                 cohort: str | None, phase: str | None, dry_run: bool,
                 progress: Callable[[str], None] | None,
                 log_fields: dict[str, Any]) -> ImportReport:
    stage = progress or (lambda _stage: None)
    stage("reading")
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise fail(path.name, "The file does not exist.", "Check the path.") from exc
    except IsADirectoryError as exc:
        raise fail(path.name, "This is a folder, not a file.", "Name one export file.") from exc
    digest = sha256_of(data)
    log_fields.update(sha256=digest[:12], bytes=len(data))
    previous = store.scalar(
        "select import_id from imports where kind = ? and sha256 = ?", [kind, digest]
    )
    if previous is not None:
        return ImportReport(kind, path.name, "", 0, 0, 0, [], {}, duplicate=True,
                            import_id=int(previous))
    stage("checking")
    plan = plan_import(store, kind, path, data, mapping=mapping, cohort=cohort, phase=phase)
    report = ImportReport(kind, path.name, plan.format, plan.rows_in, plan.rows_accepted,
                          plan.rows_rejected, plan.warnings, plan.summary)
    if dry_run:
        return report
    stage("writing")
    archive = store.archive_dir
    archive.mkdir(parents=True, exist_ok=True)
    archived: Path | None = None
    partial: Path | None = None
    try:
        with store.transaction() as con:
            row = con.execute("select coalesce(max(import_id), 0) + 1 from imports").fetchone()
            import_id = int(row[0]) if row else 1
            archived = archive / f"{import_id:05d}-{digest[:12]}-{path.name}"
            con.execute(
                "insert into imports (import_id, kind, file_name, sha256, format, rows_in, "
                "rows_accepted, rows_rejected, archive_path) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [import_id, kind, path.name, digest, plan.format, plan.rows_in,
                 plan.rows_accepted, plan.rows_rejected, archived.name],
            )
            logs.event("import.writing", **log_fields, rows=plan.rows_accepted)
            plan.write(con, import_id)
            stage("archiving")
            # Under a temporary name until the commit: a crash leaves no archived file that the
            # database does not know (Store.recover_archive settles the name at the next open).
            partial = archived.with_name(archived.name + PARTIAL_SUFFIX)
            partial.write_bytes(data)
    except duckdb.ConstraintException as exc:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise fail(path.name, f"The rows conflict with data already imported ({exc}).",
                   "Check that this file is not a different export of data already "
                   "imported.") from exc
    except BaseException:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise
    assert archived is not None and partial is not None
    partial.replace(archived)
    report.import_id = import_id
    return report


__all__ = ["ImportFailed", "ImportReport", "Plan", "import_file", "incoming"]
