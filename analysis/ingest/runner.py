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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from analysis import logs
from analysis.ingest.plan import Plan
from analysis.ingest.problems import ImportFailed, Problem, fail
from analysis.store.db import PARTIAL_SUFFIX, Store

KINDS = ("roster", "programme", "sessions", "survey")


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


@dataclass(frozen=True)
class Job:
    """One file to import and how to read it."""
    kind: str
    path: Path
    mapping: Path | None = None
    cohort: str | None = None
    phase: str | None = None


@dataclass
class Prepared:
    """A file read and checked against the database as it was then; nothing written yet."""
    job: Job
    data: bytes
    digest: str
    report: ImportReport
    plan: Plan | None  # None: the same file was imported before (``report.duplicate``)


def import_file(store: Store, kind: str, path: Path, *, mapping: Path | None = None,
                cohort: str | None = None, phase: str | None = None,
                dry_run: bool = False,
                progress: Callable[[str], None] | None = None) -> ImportReport:
    """Import ``path`` as ``kind``. Raises :class:`ImportFailed` (nothing written) on bad input.

    ``progress`` is told each stage (reading, checking, writing, archiving) as it starts.
    """
    job = Job(kind, path, mapping, cohort, phase)
    stage = progress or _quiet
    with logged(job, dry_run=dry_run) as log:
        prepared = prepare_import(store, job, stage=stage, log_fields=log.fields)
        log.report = (prepared.report if dry_run
                      else commit_import(store, prepared, stage=stage, log_fields=log.fields))
    return log.report


def _quiet(_stage: str) -> None:
    return None


@dataclass
class _Log:
    fields: dict[str, Any]
    report: ImportReport | None = None


@contextlib.contextmanager
def logged(job: Job, *, dry_run: bool = False) -> Iterator[_Log]:
    """One import's log events: done, duplicate, refused or error, with its timing."""
    started = time.monotonic()
    log = _Log({"kind": job.kind, "file": job.path.name, "dry_run": dry_run})
    try:
        yield log
    except ImportFailed as exc:
        logs.event("import.refused", **log.fields, problems=len(exc.problems),
                   ms=logs.since(started))
        raise
    except Exception as exc:
        logs.event("import.error", level=logging.ERROR, **log.fields,
                   error=type(exc).__name__, ms=logs.since(started))
        raise
    report = log.report
    if report is not None:
        logs.event("import.duplicate" if report.duplicate else "import.done", **log.fields,
                   format=report.format, rows_in=report.rows_in,
                   rows_accepted=report.rows_accepted, rows_rejected=report.rows_rejected,
                   import_id=report.import_id, ms=logs.since(started))


def prepare_import(store: Store, job: Job, *, stage: Callable[[str], None] = _quiet,
                   log_fields: dict[str, Any] | None = None) -> Prepared:
    """Read and check ``job``'s file against the data committed so far (reads only)."""
    path = job.path
    stage("reading")
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise fail(path.name, "The file does not exist.", "Check the path.") from exc
    except IsADirectoryError as exc:
        raise fail(path.name, "This is a folder, not a file.", "Name one export file.") from exc
    digest = sha256_of(data)
    if log_fields is not None:
        log_fields.update(sha256=digest[:12], bytes=len(data))
    previous = store.scalar("select import_id from imports where kind = ? and sha256 = ?",
                            [job.kind, digest])
    if previous is not None:
        return Prepared(job, data, digest, ImportReport(
            job.kind, path.name, "", 0, 0, 0, [], {}, duplicate=True,
            import_id=int(previous)), None)
    stage("checking")
    plan = plan_import(store, job.kind, path, data, mapping=job.mapping, cohort=job.cohort,
                       phase=job.phase)
    report = ImportReport(job.kind, path.name, plan.format, plan.rows_in, plan.rows_accepted,
                          plan.rows_rejected, plan.warnings, plan.summary)
    return Prepared(job, data, digest, report, plan)


def commit_import(store: Store, prepared: Prepared, *, stage: Callable[[str], None] = _quiet,
                  log_fields: dict[str, Any] | None = None) -> ImportReport:
    """Write a prepared file in one transaction and archive it. The same file imported since
    it was prepared breaks the imports table's unique checksum: :class:`ImportFailed`."""
    plan, report, path = prepared.plan, prepared.report, prepared.job.path
    if plan is None:
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
            archived = archive / f"{import_id:05d}-{prepared.digest[:12]}-{path.name}"
            con.execute(
                "insert into imports (import_id, kind, file_name, sha256, format, rows_in, "
                "rows_accepted, rows_rejected, archive_path) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [import_id, prepared.job.kind, path.name, prepared.digest, plan.format,
                 plan.rows_in, plan.rows_accepted, plan.rows_rejected, archived.name],
            )
            logs.event("import.writing", **(log_fields or {}), rows=plan.rows_accepted)
            plan.write(con, import_id)
            stage("archiving")
            # Under a temporary name until the commit: a crash leaves no archived file that the
            # database does not know (Store.recover_archive settles the name at the next open).
            partial = archived.with_name(archived.name + PARTIAL_SUFFIX)
            partial.write_bytes(prepared.data)
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


__all__ = ["ImportFailed", "ImportReport", "Job", "Plan", "import_file"]
