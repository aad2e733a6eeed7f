"""What a survey export holds, read without a mapping: layout, respondents, key, question columns.

``crossgen check`` prints it and ``crossgen mapping`` drafts a mapping from it. The file goes
through the same layout parser as an import (so preview and unfinished responses are left out the
same way); nothing here needs a database.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.ingest.columns import norm_label
from analysis.ingest.layouts import default_key, guess_key_type
from analysis.ingest.reading import read_grid
from analysis.ingest.scale_guess import ScaleGuess, guess_scale
from analysis.ingest.surveys import PARSERS, detect_format

TOOLS = {
    "qualtrics": "Qualtrics CSV (three header rows)",
    "qualtrics-legacy": "Qualtrics legacy CSV (two header rows)",
    "surveymonkey": "SurveyMonkey export (two header rows)",
    "msforms": "Microsoft Forms 'Open results in Excel' workbook",
    "google-forms": "Google Forms CSV",
    "crossgen-long": "crossgen long CSV (one answer per row)",
}
# Columns each tool adds around the questions (compared lower case, spacing folded).
META = {
    "qualtrics-legacy": {"responseid", "responseset", "name", "externaldatareference",
                         "externalreference", "emailaddress", "ipaddress", "status",
                         "startdate", "enddate", "finished", "recordeddate", "recipientemail",
                         "recipientfirstname", "recipientlastname", "locationlatitude",
                         "locationlongitude", "locationaccuracy", "distributionchannel",
                         "userlanguage", "progress", "duration (in seconds)"},
    "surveymonkey": {"respondent id", "collector id", "start date", "end date", "ip address",
                     "email address", "first name", "last name", "custom data"},
    "msforms": {"id", "start time", "completion time", "email", "name", "last modified time",
                "total points", "quiz feedback"},
    "google-forms": {"timestamp", "email address", "email", "username", "score"},
    "crossgen-long": {"employee id", "submitted at", "email"},
}
MAX_LIKERT = 12  # no rating scale has more labels than this (0–10 has 11)


@dataclass(frozen=True)
class QuestionColumn:
    column: str
    text: str
    answered: int
    labels: list[str]  # distinct answers, as written, in order of first appearance
    role: str  # rating, text (free text), choice (no order), empty (nobody answered)
    scale: ScaleGuess | None


@dataclass(frozen=True)
class SurveyProfile:
    file: str
    format: str
    rows_in: int
    respondents: int
    key_column: str | None
    key_type: str | None
    keys_filled: int
    questions: list[QuestionColumn]
    dropped: dict[str, int] = field(default_factory=dict)

    @property
    def tool(self) -> str:
        return TOOLS.get(self.format, self.format)


def one_line(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters (for messages and comments)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def _is_meta(fmt: str, column: str) -> bool:
    name = norm_label(column)
    if re.fullmatch(r"custom data \d+", name):
        name = "custom data"
    return name in META.get(fmt, set())


def _question_columns(grid: pd.DataFrame, fmt: str, columns: list[str]) -> list[str]:
    if fmt == "qualtrics":
        # The third header row says which columns are questions: {"ImportId":"QID…"}.
        ids = [c.strip() for c in grid.iloc[0]]
        imports: dict[str, str] = {}
        for column, cell in zip(ids, grid.iloc[2], strict=True):
            try:
                imports.setdefault(column, str(json.loads(cell).get("ImportId", "")))
            except (ValueError, AttributeError):
                imports.setdefault(column, "")
        return [c for c in columns if imports.get(c, "").startswith("QID")]
    return [c for c in columns if not _is_meta(fmt, c)]


def _looks_like_text(column: str, labels: list[str], answered: int) -> bool:
    if column.upper().endswith("_TEXT"):
        return True
    if not labels or pd.to_numeric(pd.Series(labels), errors="coerce").notna().all():
        return False  # numbers, however many (a 0–100 slider), are a scale
    if len(labels) > MAX_LIKERT:
        return True
    mean_length = sum(len(label) for label in labels) / len(labels)
    return mean_length >= 30 and len(labels) >= max(3, answered // 2)


def _column(frame: pd.DataFrame, column: str, text: str, slug: str) -> QuestionColumn:
    values = frame[column].astype(str).str.strip()
    answered = values[values != ""]
    labels = [str(v) for v in pd.unique(answered)]
    if not labels:
        return QuestionColumn(column, text, 0, [], "empty", None)
    free = _looks_like_text(column, labels, len(answered))
    scale = None if column.upper().endswith("_TEXT") else guess_scale(
        labels, text=text, slug=slug, worded=not free)
    role = "rating" if scale else "text" if free else "choice"
    return QuestionColumn(column, text, len(answered), labels, role, scale)


def profile_survey(path: Path, *, fmt: str | None = None) -> SurveyProfile | None:
    """The survey's profile, or None when its first rows match no survey layout."""
    grid = read_grid(path)
    fmt = fmt or detect_format(grid)
    if fmt is None:
        return None
    wide = PARSERS[fmt](grid, path.name)
    frame = wide.frame
    columns = [str(c) for c in frame.columns if c != "row"]
    key = default_key(wide)
    keys = frame[key].astype(str).str.strip() if key else pd.Series([], dtype=str)
    questions = [c for c in _question_columns(grid, fmt, columns) if c != key]
    return SurveyProfile(
        file=path.name, format=fmt, rows_in=wide.rows_in, respondents=len(frame),
        key_column=key, key_type=guess_key_type(keys) if key else None,
        keys_filled=int((keys != "").sum()),
        questions=[_column(frame, c, wide.texts.get(c, c), f"scale_{i}")
                   for i, c in enumerate(questions, start=1)],
        dropped=dict(wide.dropped))
