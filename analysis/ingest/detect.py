"""What a file is (roster, programme, sessions or survey), from its columns and its mapping file.

Used by ``crossgen check`` when no kind is given; ``crossgen import`` always names the kind.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.ingest.columns import find_column
from analysis.ingest.mapping import load_toml
from analysis.ingest.problems import fail
from analysis.ingest.reading import read_grid
from analysis.ingest.roster import ALIASES
from analysis.ingest.surveys import detect_format
from analysis.ingest.synonyms import aliases

SESSION_SIGNS = [["Meeting Start Time", "Meeting Status"], ["pair_id", "date", "status"]]
PROGRAMME_SIGNS = [["Mentor Email Address", "Mentee Email Address"],
                   ["cohort_id", "employee_id", "role"]]


def _has(cells: list[str], names: list[str]) -> bool:
    return all(find_column(cells, [n]) is not None for n in names)


def detect_kind(path: Path, *, mapping: Path | None = None) -> str:
    """The import kind for ``path``; raises ImportFailed when the columns say nothing known."""
    if mapping is not None:
        raw = load_toml(mapping)
        if "survey" in raw or "questions" in raw:
            return "survey"
        # A roster, programme or sessions mapping says which when it holds only one of them.
        tables = [k for k in ("roster", "programme", "sessions") if k in raw]
        if len(tables) == 1:
            return tables[0]
    grid = read_grid(path)
    if detect_format(grid) is not None:
        return "survey"
    head: pd.DataFrame = grid.head(15)
    for idx in range(len(head)):
        cells = [c.strip() for c in head.iloc[idx] if c.strip()]
        if any(_has(cells, s) for s in SESSION_SIGNS):
            return "sessions"
        if any(_has(cells, s) for s in PROGRAMME_SIGNS) or all(
                find_column(cells, aliases("programme", f)) is not None
                for f in ("mentor_email", "mentee_email")):
            return "programme"
        if find_column(cells, ALIASES["employee_id"]) is not None:
            return "roster"
    raise fail(path.name, "crossgen cannot tell what this file is from its columns.",
               "Pass --kind roster|programme|sessions|survey (and --mapping for a survey).",
               row=1)
