"""An import killed with SIGKILL part-way leaves the database exactly as before; a re-run works."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.store.db import PARTIAL_SUFFIX, Store, quote_ident
from tests.conftest import REPO
from tests.robust.paused_import import POINTS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("kill")]
REAL = REPO / "data" / "demo" / "pulse_2025-09.csv"  # the largest real export: ~2,700 respondents


def snapshot(db: Path) -> dict[str, tuple[int, int]]:
    """Row count and an order-free content hash of every table (opened read-write: recovery)."""
    with Store(db) as store:
        names = store.query("select table_name from information_schema.tables "
                            "where table_schema = 'main' order by 1")["table_name"]
        return {n: (int(store.scalar(f"select count(*) from {quote_ident(n)}")),  # noqa: S608
                    int(store.scalar(f"select coalesce(bit_xor(hash(t)), 0) "  # noqa: S608
                                     f"from {quote_ident(n)} t")))
                for n in names}


def archive_files(db: Path) -> dict[str, int]:
    folder = db.with_name(db.name + ".archive")
    return {p.name: p.stat().st_size for p in folder.iterdir()} if folder.is_dir() else {}


def start_import(db: Path, mapping: Path, log: Path) -> subprocess.Popen[bytes]:
    big = mapping.with_suffix(".csv")
    return subprocess.Popen(
        [sys.executable, "-m", "analysis.cli", "import", "survey", str(big), "--mapping",
         str(mapping), "--db", str(db)], cwd=REPO, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, env={**os.environ, "CROSSGEN_LOG": str(log)})


def wait_for_marker(marker: Path, proc: subprocess.Popen[bytes], stderr: Path,
                    timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        assert proc.poll() is None, f"the paused import ended early: {stderr.read_text()}"
        assert time.monotonic() < deadline, f"no pause within {timeout} s"
        time.sleep(0.01)


def copy_db(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    archive = src.with_name(src.name + ".archive")
    if archive.exists():
        shutil.copytree(archive, dst.with_name(dst.name + ".archive"))
    return dst


@pytest.mark.parametrize("point", POINTS)
def test_sigkill_inside_the_transaction_changes_nothing(demo_copy: Path, tmp_path: Path,
                                                        point: str) -> None:
    # The real export as a new administration (other bytes, so not a duplicate by sha256).
    mapping = tmp_path / "big.toml"
    mapping.write_text(REAL.with_suffix(".toml").read_text().replace(
        'name = "', 'name = "Killed ', 1))
    big = mapping.with_suffix(".csv")
    big.write_bytes(REAL.read_bytes() + b"\r\n")
    before, files = snapshot(demo_copy), archive_files(demo_copy)
    reference = copy_db(demo_copy, tmp_path / "reference.duckdb")

    # 1. The real import, held inside its transaction at ``point`` (the write itself lasts
    # tens of milliseconds: a timed kill could land after the commit), then killed.
    marker, stderr = tmp_path / "paused", tmp_path / "paused.stderr"
    with stderr.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.robust.paused_import", str(demo_copy), str(big),
             str(mapping), str(marker), point], cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)
    wait_for_marker(marker, proc, stderr)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL

    # 2. Exactly as before: every table's rows and content, the archive, no leftovers.
    assert snapshot(demo_copy) == before
    assert archive_files(demo_copy) == files
    assert not list(demo_copy.parent.glob("*" + PARTIAL_SUFFIX))

    # 3. Re-running the import succeeds and gives what an uninterrupted import gives.
    ref_run = start_import(reference, mapping, tmp_path / "reference.jsonl")
    assert ref_run.wait(timeout=300) == 0
    rerun = start_import(demo_copy, mapping, tmp_path / "rerun.jsonl")
    assert rerun.wait(timeout=300) == 0
    after, expected = snapshot(demo_copy), snapshot(reference)
    assert {t: c for t, (c, _) in after.items()} == {t: c for t, (c, _) in expected.items()}
    assert after["responses"] == expected["responses"]  # same answers, same content hash
    assert after["responses"][0] > before["responses"][0]
    assert len(archive_files(demo_copy)) == len(files) + 1


def test_leftover_archive_files_are_settled_at_open(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    with Store(db) as store:
        store.execute("insert into imports (import_id, kind, file_name, sha256, rows_in, "
                      "rows_accepted, rows_rejected, archive_path) values "
                      "(1, 'roster', 'r.csv', 'ab', 1, 1, 0, '00001-aaaaaaaaaaaa-r.csv')")
        archive = store.archive_dir
    archive.mkdir()
    # committed but killed before the rename; killed before the commit; a stray own name; a
    # file that is not crossgen's.
    (archive / ("00001-aaaaaaaaaaaa-r.csv" + PARTIAL_SUFFIX)).write_text("kept")
    (archive / ("00002-bbbbbbbbbbbb-s.csv" + PARTIAL_SUFFIX)).write_text("orphan")
    (archive / "00003-cccccccccccc-t.csv").write_text("orphan")
    (archive / "notes.txt").write_text("not ours")
    Store(db).close()
    assert sorted(p.name for p in archive.iterdir()) == ["00001-aaaaaaaaaaaa-r.csv", "notes.txt"]
    assert (archive / "00001-aaaaaaaaaaaa-r.csv").read_text() == "kept"
