"""A clone is all the project needs: no path outside the repository, reference data in it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from tests.conftest import REFERENCE_DATA, REPO

SCANNED = ("tests", "analysis", "dashboard", "benchmarks")
# Built from parts so this file does not name what it looks for.
OUTSIDE = [".." + sep + "shared" for sep in ("/", "\\")]
ROW = re.compile(r"^\| `(?P<name>[^`]+)` \|.*\| `(?P<sha>[0-9a-f]{64})` \|$", re.MULTILINE)


def _files() -> list[Path]:
    return sorted(p for top in SCANNED for p in (REPO / top).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)


def _naming_outside(files: list[Path]) -> list[str]:
    return [f"{p.name}: {needle}" for p in files for needle in OUTSIDE
            if needle.encode() in p.read_bytes()]


def test_nothing_names_a_folder_beside_the_repository() -> None:
    files = _files()
    assert len(files) > 100  # the scan really saw the tree
    found = _naming_outside(files)
    assert not found, "paths outside the repository (copy the data into tests/data/): " + \
        "; ".join(found)


def test_the_scan_catches_a_path_outside(tmp_path: Path) -> None:
    planted = tmp_path / "conftest.py"
    planted.write_text(f"DATA = Path(__file__).parent / '{OUTSIDE[0]}/reference'\n")
    clean = tmp_path / "other.py"
    clean.write_text("DATA = Path(__file__).parent / 'data'\n")
    assert _naming_outside([planted, clean]) == [f"conftest.py: {OUTSIDE[0]}"]


def _listed() -> dict[str, str]:
    return {m["name"]: m["sha"] for m in ROW.finditer((REFERENCE_DATA / "README.md").read_text())}


def test_every_reference_file_has_a_source_and_its_listed_checksum() -> None:
    listed = _listed()
    present = {p.name for p in REFERENCE_DATA.iterdir() if p.name != "README.md"}
    assert len(listed) == 5
    assert present == set(listed), "each file in tests/data/reference needs a README row"
    for name, sha in listed.items():
        assert hashlib.sha256((REFERENCE_DATA / name).read_bytes()).hexdigest() == sha, name


def test_a_missing_reference_file_fails_instead_of_skipping() -> None:
    from tests.conftest import reference_file

    with pytest.raises(pytest.fail.Exception, match="missing"):
        reference_file("no_such_reference.csv")
    assert reference_file("rforhr_Survival.csv").is_file()
