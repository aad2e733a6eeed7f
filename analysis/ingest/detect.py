"""What a file is (roster, programme, sessions or survey), from its columns and its mapping file.

Used by ``crossgen check`` when no kind is given; ``crossgen import`` always names the kind.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.ingest.columns import find_column
from analysis.ingest.mapping import load_toml
from analysis.ingest.problems import fail
from analysis.ingest.profile import one_line, profile_survey
from analysis.ingest.reading import read_grid
from analysis.ingest.roster import ALIASES
from analysis.ingest.surveys import detect_format
from analysis.ingest.synonyms import aliases

SESSION_SIGNS = [["Meeting Start Time", "Meeting Status"], ["pair_id", "date", "status"]]
PROGRAMME_SIGNS = [["Mentor Email Address", "Mentee Email Address"],
                   ["cohort_id", "employee_id", "role"]]


def _has(cells: list[str], names: list[str]) -> bool:
    return all(find_column(cells, [n]) is not None for n in names)


def _present(cells: list[str], names: list[str]) -> list[str]:
    """The cells that ``names`` name, in that order (the key columns ``crossgen check`` shows)."""
    found = [find_column(cells, [n]) for n in names if n]
    return [c for c in found if c is not None]


def _header_kind(grid: pd.DataFrame) -> tuple[str, list[str]] | None:
    """(kind, the columns saying who or which pair a row is about) from the first header row
    that says what the file is."""
    head: pd.DataFrame = grid.head(15)
    for idx in range(len(head)):
        cells = [c.strip() for c in head.iloc[idx] if c.strip()]
        if any(_has(cells, s) for s in SESSION_SIGNS):
            return "sessions", _present(cells, ["Mentoring Connection Name", "pair_id"])
        emails = _present(cells, [find_column(cells, aliases("programme", f)) or ""
                                  for f in ("mentor_email", "mentee_email")])
        if len(emails) == 2:
            return "programme", emails
        if any(_has(cells, s) for s in PROGRAMME_SIGNS):
            return "programme", _present(cells, ["employee_id"])
        key = find_column(cells, ALIASES["employee_id"])
        if key is not None:
            return "roster", [key]
    return None


def key_columns(path: Path, kind: str) -> list[str]:
    """The columns that say who (or which pair) a row of a roster, programme or sessions file is
    about, as ``crossgen check`` shows them; [] when the header names none."""
    found = _header_kind(read_grid(path))
    return found[1] if found and found[0] == kind else []


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
    found = _header_kind(grid)
    if found is not None:
        return found[0]
    raise fail(path.name, "crossgen cannot tell what this file is from its columns.",
               "Pass --kind roster|programme|sessions|survey (and --mapping for a survey).",
               row=1)


def describe_survey(path: Path) -> list[str]:
    """What ``crossgen check`` says of a survey export without a mapping: the tool and layout,
    rows, the respondents' key column and each question column with its answers' scale."""
    profile = profile_survey(path)
    if profile is None:
        raise fail(path.name, "The first rows match no survey layout crossgen knows (Qualtrics, "
                              "SurveyMonkey, Microsoft Forms, Google Forms, crossgen long CSV).",
                   "Check the export unchanged as the tool wrote it (no edited header rows), "
                   "or pass --kind if it is not a survey.", row=1)
    kept = f"  responses kept: {profile.respondents}"
    if profile.dropped:
        kept += " (left out: " + ", ".join(f"{n} {why}" for why, n in
                                             profile.dropped.items()) + ")"
    if profile.key_column:
        key = (f"  respondents' key column: '{profile.key_column}' ({profile.key_type}, "
               f"{profile.keys_filled} of {profile.respondents} filled)")
    else:
        key = ("  respondents' key column: none of the layout's usual columns; name it with "
               "key_column in the mapping")
    roles = {r: sum(q.role == r for q in profile.questions)
             for r in ("rating", "text", "choice", "empty")}
    lines = [f"{profile.file}: survey, detected format '{profile.format}' ({profile.tool})",
             f"  rows: {profile.rows_in}", kept, key,
             f"  question columns: {len(profile.questions)} ({roles['rating']} rating, "
             f"{roles['text']} free text, {roles['choice']} other choice, {roles['empty']} "
             "unanswered)"]
    for q in profile.questions:
        what = {"rating": f"scale {q.scale.name}" if q.scale else "",
                "text": "free text", "choice": "choice without an order",
                "empty": "no answers"}[q.role]
        shown = f" — {one_line(q.text, 60)}" if q.text != q.column else ""
        lines.append(f"    '{one_line(q.column, 60)}'{shown}: {what}, {q.answered} answered")
    lines.append(f"  No mapping given: `crossgen mapping {profile.file}` prints a draft to "
                 "start from (a survey needs one to import).")
    return lines
