"""Importing many files with the next survey checked ahead gives what one-by-one imports give."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import pytest

from analysis.ingest import ImportFailed, ImportReport, import_file
from analysis.ingest.batch import import_files
from analysis.ingest.demo_db import DEMO_FILES, kind_of
from analysis.ingest.runner import Job
from analysis.store.db import Store


def _jobs(*paths: Path) -> list[Job]:
    return [Job(kind_of(p), p, mapping=p.with_suffix(".toml") if p.suffix == ".csv"
                and p.with_suffix(".toml").exists() else None) for p in paths]


def _one_by_one(store: Store, jobs: list[Job]) -> Iterator[ImportReport]:
    for job in jobs:
        yield import_file(store, job.kind, job.path, mapping=job.mapping)


@pytest.fixture()
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    for name in ("roster.xlsx", "programme.csv", "programme.toml", "sessions.csv",
                 "c1_pre.csv", "c1_pre.toml", "c1_post.csv", "c1_post.toml"):
        shutil.copy(DEMO_FILES / name, folder / name)
    return folder


class CheckFirst(Executor):
    """Runs each check ahead at once, before the file in front of it is written: the order the
    thread may take at any time, made certain."""

    def __init__(self) -> None:
        self.submitted: list[str] = []  # the files checked ahead, in order

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        done: Future[Any] = Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except Exception as exc:  # handed over, as the thread would
            done.set_exception(exc)
        self.submitted.append(args[1].path.name)
        return done


def _run(db: Path, jobs: list[Job], *, batch: bool,
         ahead: Executor | None = None) -> tuple[list[ImportReport], str | None]:
    reports: list[ImportReport] = []
    with Store(db) as store:
        try:
            if batch:
                reports.extend(import_files(store, jobs, ahead=ahead))
            else:
                reports.extend(_one_by_one(store, jobs))
        except ImportFailed as exc:
            return reports, str(exc)
        return reports, None


def _state(db: Path) -> dict[str, object]:
    with Store(db, read_only=True) as store:
        counts = store.table_counts()
        counts["responses per administration"] = store.scalar(
            "select string_agg(administration_id || ':' || n, ',' order by administration_id) "
            "from (select administration_id, count(*) as n from responses group by all)")
        return counts


@pytest.fixture(params=["thread", "check first"])
def ahead(request: pytest.FixtureRequest) -> CheckFirst | None:
    return CheckFirst() if request.param == "check first" else None


def test_a_survey_name_taken_by_the_file_just_before_is_refused_as_one_by_one(
        files: Path, tmp_path: Path, ahead: CheckFirst | None) -> None:
    # A different export (other bytes) of the survey just imported: its check ran ahead,
    # before that survey was committed, so only the transaction can see the clash.
    again = files / "c1_pre_again.csv"
    again.write_bytes((files / "c1_pre.csv").read_bytes() + b"\n")
    shutil.copy(files / "c1_pre.toml", again.with_suffix(".toml"))
    jobs = _jobs(*(files / n for n in ("roster.xlsx", "programme.csv", "sessions.csv",
                                       "c1_pre.csv", "c1_pre_again.csv", "c1_post.csv")))
    batch, batch_error = _run(tmp_path / "batch.duckdb", jobs, batch=True, ahead=ahead)
    single, single_error = _run(tmp_path / "single.duckdb", jobs, batch=False)
    assert batch_error is not None and "already imported" in batch_error
    assert batch_error == single_error
    assert [r.lines() for r in batch] == [r.lines() for r in single]
    assert len(batch) == 4  # stopped at the clash; the files before it stay imported
    if ahead is not None:  # the clash was checked before c1_pre was written
        assert ahead.submitted == ["c1_pre.csv", "c1_pre_again.csv", "c1_post.csv"]
    assert _state(tmp_path / "batch.duckdb") == _state(tmp_path / "single.duckdb")


def test_the_same_file_twice_is_a_duplicate_the_second_time(
        files: Path, tmp_path: Path, ahead: CheckFirst | None) -> None:
    jobs = _jobs(*(files / n for n in ("roster.xlsx", "programme.csv", "sessions.csv",
                                       "c1_pre.csv", "c1_pre.csv", "c1_post.csv")))
    batch, error = _run(tmp_path / "batch.duckdb", jobs, batch=True, ahead=ahead)
    single, _ = _run(tmp_path / "single.duckdb", jobs, batch=False)
    assert error is None
    assert [r.duplicate for r in batch] == [False, False, False, False, True, False]
    assert batch[4].import_id == batch[3].import_id
    if ahead is not None:
        assert ahead.submitted == ["c1_pre.csv", "c1_pre.csv", "c1_post.csv"]
    assert [r.lines() for r in batch] == [r.lines() for r in single]
    assert _state(tmp_path / "batch.duckdb") == _state(tmp_path / "single.duckdb")


def test_a_bad_survey_is_refused_with_the_one_by_one_message(
        files: Path, tmp_path: Path, ahead: CheckFirst | None) -> None:
    bad = files / "c1_post.csv"
    bad.write_text(bad.read_text().replace("Strongly agree", "Very much", 1))
    jobs = _jobs(*(files / n for n in ("roster.xlsx", "programme.csv", "sessions.csv",
                                       "c1_pre.csv", "c1_post.csv")))
    batch, batch_error = _run(tmp_path / "batch.duckdb", jobs, batch=True, ahead=ahead)
    _, single_error = _run(tmp_path / "single.duckdb", jobs, batch=False)
    assert batch_error is not None and "Very much" in batch_error
    assert batch_error == single_error
    assert len(batch) == 4
    assert _state(tmp_path / "batch.duckdb") == _state(tmp_path / "single.duckdb")


def test_the_same_file_under_another_survey_name_is_still_a_duplicate(
        files: Path, tmp_path: Path, ahead: CheckFirst | None) -> None:
    # No constraint stops this one: only the file's checksum says it was imported just before.
    renamed = files / "renamed.toml"
    renamed.write_text((files / "c1_pre.toml").read_text().replace(
        'name = "', 'name = "Renamed ', 1))
    jobs = [*_jobs(*(files / n for n in ("roster.xlsx", "programme.csv", "sessions.csv",
                                         "c1_pre.csv"))),
            Job("survey", files / "c1_pre.csv", mapping=renamed)]
    batch, error = _run(tmp_path / "batch.duckdb", jobs, batch=True, ahead=ahead)
    single, _ = _run(tmp_path / "single.duckdb", jobs, batch=False)
    assert error is None
    assert batch[-1].duplicate
    assert [r.lines() for r in batch] == [r.lines() for r in single]
    assert _state(tmp_path / "batch.duckdb") == _state(tmp_path / "single.duckdb")
