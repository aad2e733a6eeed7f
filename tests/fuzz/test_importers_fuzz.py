"""Every importer, fed hostile files: it imports them correctly or refuses them with problems a
person can act on — never another exception — and a refused file changes no table and no archive.

Bounded and reproducible in `make test` (profile "ci"); `make fuzz` runs the random, longer profile.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.ingest.runner import KINDS
from analysis.ingest.surveys import PARSERS
from analysis.store.db import Store
from tests.fuzz.harness import FUZZ, Seed, cells, check_import, hostile_file, seeds_for

pytestmark = pytest.mark.xdist_group("fuzz")
_names = itertools.count(1)


@pytest.fixture(scope="module")
def fuzz_store(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One writable copy of the demo database shared by all examples (successes accumulate)."""
    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "fuzz.duckdb"
    shutil.copyfile(demo_db, db)
    archive = demo_db.with_name(demo_db.name + ".archive")
    if archive.exists():
        shutil.copytree(archive, db.with_name(db.name + ".archive"))
    with Store(db) as store:
        yield store


def _unique_mapping(seed: Seed, folder: Path) -> Path | None:
    """The seed's mapping under a fresh survey name, so a good survey can import again."""
    if seed.mapping is None:
        return None
    text = seed.mapping.read_text()
    if seed.kind == "survey":
        text = re.sub(r'(?m)^name\s*=\s*".*"$', f'name = "fuzz {next(_names)}"', text, count=1)
    target = folder / seed.mapping.name
    target.write_text(text)
    return target


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=st.data())
def test_hostile_files(kind: str, fuzz_store: Store, tmp_path_factory: pytest.TempPathFactory,
                       data: st.DataObject) -> None:
    candidates = seeds_for(kind)
    assert candidates, f"no real export of kind {kind} under data/ to fuzz"
    seed = data.draw(st.sampled_from(candidates), label="seed")
    payload, suffix = data.draw(hostile_file(seed), label="file")
    folder = tmp_path_factory.mktemp("in")
    path = folder / (seed.path.stem + suffix)
    path.write_bytes(payload)
    check_import(fuzz_store, kind, path, _unique_mapping(seed, folder))


# A grammar of survey grids for every registered layout, with the mapping forcing the format:
# a parser added later is fuzzed without an example file.
HEADERS = ["ExternalReference", "RecipientEmail", "Finished", "Status", "DistributionChannel",
           "RecordedDate", "EndDate", "ResponseId", "ResponseID", "Q1", "Q2", "Timestamp",
           "employee_id", "item_id", "value", "submitted_at", "Respondent ID", "Email",
           "Start time", "Completion time", '{"ImportId":"QID1"}', "Response", "V1", "V2"]
VALUES = ["E000001", "E000002", "1", "0", "True", "preview", "anonymous", "Strongly agree",
          "Agree", "7", "10", "2024-03-01 10:00:00", "03/01/2024 10:00", "jobsat_1", "enps_1"]


def _survey_mapping(folder: Path, fmt: str) -> Path:
    path = folder / "mapping.toml"
    path.write_text(
        f'[survey]\nname = "grammar {next(_names)}"\nkind = "pulse"\nformat = "{fmt}"\n'
        'key_column = "ExternalReference"\nkey_type = "employee_id"\n\n'
        '[[questions]]\ncolumn = "Q1"\nitem = "jobsat_1"\nconstruct = "satisfaction.job"\n'
        'scale = "agree5"\n\n[[questions]]\ncolumn = "Q2"\nitem = "enps_1"\nconstruct = "enps"\n'
        'scale = "likely11"\n')
    return path


@st.composite
def survey_grid(draw: st.DrawFn) -> list[list[str]]:
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=10))
    width = len(header)
    row = st.lists(st.one_of(st.sampled_from(VALUES + HEADERS), cells), min_size=0,
                   max_size=width + 1)
    return [header, *draw(st.lists(row, max_size=8))]


@pytest.mark.parametrize("fmt", sorted(PARSERS))
@FUZZ
@given(grid=survey_grid(), delimiter=st.sampled_from([",", ";", "\t"]))
def test_every_survey_layout(fmt: str, fuzz_store: Store,
                             tmp_path_factory: pytest.TempPathFactory, grid: list[list[str]],
                             delimiter: str) -> None:
    from tests.fuzz.harness import _csv_bytes

    folder = tmp_path_factory.mktemp("layout")
    path = folder / f"{fmt}.csv"
    path.write_bytes(_csv_bytes(grid, delimiter, "utf-8"))
    check_import(fuzz_store, "survey", path, _survey_mapping(folder, fmt))
