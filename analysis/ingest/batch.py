"""Import many files in turn, checking the next survey while the current file is written.

Each file is still its own transaction, in the given order, and the first refused one stops the
run (the files before it stay imported), exactly as importing them one by one. What overlaps: a
survey is read and checked on a second thread while the file before it is written, when that
file is a survey or a sessions log. Neither writes anything a survey's checks read (the roster,
its email keys, the cohorts); the two things they could change, "this file was imported" and
"this survey name is taken", are also enforced inside the survey's own transaction (the imports
table's unique checksum, the administrations primary key). When that refuses a file checked
ahead, it is checked and written again as the one-by-one import would, which also words the
problem. DuckDB writes on every core and the checks are mostly Python, so the two overlap
well: the 200,000-employee demo imports 2–6 s faster.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any

from analysis.ingest.problems import ImportFailed
from analysis.ingest.runner import (
    ImportReport,
    Job,
    Prepared,
    commit_import,
    logged,
    prepare_import,
)
from analysis.store.db import Store

# Files whose writing a survey's checks do not depend on.
SURVEY_MAY_FOLLOW = frozenset({"survey", "sessions"})


def import_files(store: Store, jobs: Sequence[Job], *,
                 ahead: Executor | None = None) -> Iterator[ImportReport]:
    """Import ``jobs`` in order, yielding each file's report once it is committed. Raises
    :class:`ImportFailed` at the first file refused, as :func:`runner.import_file` would.

    ``ahead`` runs the checks ahead (default: a thread of its own)."""
    with contextlib.ExitStack() as stack:
        if ahead is None:
            ahead = stack.enter_context(
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-ahead"))
        early: Future[Prepared] | None = None
        early_fields: dict[str, Any] = {}
        for position, job in enumerate(jobs):
            following = jobs[position + 1] if position + 1 < len(jobs) else None
            with logged(job) as log:
                prepared = _take(early) if early is not None else None
                checked_ahead = prepared is not None
                if prepared is None:
                    prepared = prepare_import(store, job, log_fields=log.fields)
                else:
                    log.fields.update(early_fields)
                early = None
                if (following is not None and following.kind == "survey"
                        and job.kind in SURVEY_MAY_FOLLOW):
                    early_fields = {}
                    early = ahead.submit(prepare_import, store, following,
                                         log_fields=early_fields)
                try:
                    log.report = commit_import(store, prepared, log_fields=log.fields)
                except ImportFailed:
                    if not checked_ahead:
                        raise
                    # Checked before the file ahead of it was committed: check and write it
                    # as the sequential import would, which also words any problem.
                    prepared = prepare_import(store, job, log_fields=log.fields)
                    log.report = commit_import(store, prepared, log_fields=log.fields)
            assert log.report is not None
            yield log.report


def _take(early: Future[Prepared]) -> Prepared | None:
    """The file checked ahead, or None when that check failed: the sequential check then
    decides (and words the problem) against the data committed since."""
    try:
        return early.result()
    except ImportFailed:
        return None
