"""Importing while the dashboard serves the same database.

DuckDB lets one process write a file, or any number read it — not both. The dashboard holds the
file open read-only, so an import that finds it locked works on a copy and swaps it in:

1. take ``<db>.import.lock`` (one importer at a time, whichever way it writes);
2. copy the database to ``.<db>.importing`` beside it, import into the copy (one transaction, the
   archive written to the real archive folder), checkpoint and close it;
3. ``os.replace`` the copy onto the database: atomic, so a reader opening the path gets the whole
   old file or the whole new one. Readers that have it open keep the old file until they reopen;
   the dashboard reopens when the file changes (``dashboard.model.refresh``).

A kill at any point leaves the old database untouched (the copy is removed at the next import)
and no orphan in the archive (``Store.recover_archive``).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from analysis import logs
from analysis.ingest import ImportReport, import_file
from analysis.store.db import Store, StoreError


@contextmanager
def import_lock(db: Path) -> Iterator[None]:
    """Exclusive lock beside the database, held for the whole import (released on exit/kill)."""
    with db.with_name(db.name + ".import.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _locked_by_readers(exc: StoreError) -> bool:
    cause = exc.__cause__
    return isinstance(cause, duckdb.IOException) and "lock" in str(cause).lower()


def import_into(db: Path, kind: str, file: Path, **options: Any) -> ImportReport:
    """Import ``file`` into ``db`` (created when new) directly, or by copy and swap while a
    server reads it."""
    if not db.parent.is_dir():
        raise StoreError(f"{db.parent}: no such folder for the database.")
    with import_lock(db):
        work = db.with_name(f".{db.name}.importing")
        work.unlink(missing_ok=True)  # left by a killed swap import
        try:
            store = Store(db)
        except StoreError as exc:
            if not _locked_by_readers(exc):
                raise
            return _swap_import(db, work, kind, file, **options)
        with store:
            return import_file(store, kind, file, **options)


def _swap_import(db: Path, work: Path, kind: str, file: Path, **options: Any) -> ImportReport:
    if db.with_name(db.name + ".wal").exists():
        raise StoreError(f"{db} has an unfinished write-ahead log from an interrupted write. "
                         "Stop the dashboard, run the import once so the database recovers, "
                         "then start the dashboard again.")
    archive = db.with_name(db.name + ".archive")
    shutil.copyfile(db, work)
    try:
        with Store(work, archive_dir=archive) as store:
            report = import_file(store, kind, file, **options)
            store.execute("checkpoint")
        if not report.duplicate:
            os.replace(work, db)
            logs.event("import.swapped", kind=kind, file=file.name, import_id=report.import_id)
        return report
    finally:
        work.unlink(missing_ok=True)
        work.with_name(work.name + ".wal").unlink(missing_ok=True)
