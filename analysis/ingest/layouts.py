"""Survey layouts besides Qualtrics: SurveyMonkey, Microsoft Forms, Google Forms, crossgen long CSV.

Each parser turns the file's grid into a :class:`WideSurvey`: one row per respondent, one column per
question (named as the export's header shows it), the spreadsheet row kept in ``row``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from analysis.ingest.columns import (
    find_column,
    non_blank_rows,
    norm_label,
    refuse_duplicate_headers,
)
from analysis.ingest.problems import fail, first_few


@dataclass
class WideSurvey:
    """One row per kept respondent; ``row`` is the spreadsheet row; question columns as text."""

    format: str
    frame: pd.DataFrame
    texts: dict[str, str]  # column -> question (or grid-row) text as the export shows it
    submitted_column: str | None
    rows_in: int
    dropped: dict[str, int] = field(default_factory=dict)  # reason -> rows
    # Long layouts: the spreadsheet row of each answer, per question column (else ``row``).
    cell_rows: dict[str, pd.Series] = field(default_factory=dict)


Parser = Callable[[pd.DataFrame, str], WideSurvey]

# Where each layout keeps the respondent's key when the mapping names none (first that has values).
DEFAULT_KEYS: dict[str, list[str]] = {
    "qualtrics": ["ExternalReference", "RecipientEmail"],
    "qualtrics-legacy": ["ExternalDataReference", "ExternalReference", "RecipientEmail"],
    "surveymonkey": ["Email Address", "Custom Data 1", "Custom Data"],
    "msforms": ["Email"],
    "google-forms": ["Email Address", "Email", "Username"],
    "crossgen-long": ["employee_id", "email"],
}
SM_SINGLE = {"", "response", "open-ended response"}
GOOGLE_GRID = re.compile(r"^(.*\S)\s*\[(.+)\]$", re.DOTALL)
GOOGLE_TZ = r"\s+(GMT|UTC)([+-]\d{1,2}(:?\d\d)?)?$"


def _unique(names: list[str]) -> list[str]:
    """Headers as shown, with ' (2)', ' (3)' … added to repeats so every column is addressable."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _wide(fmt: str, grid: pd.DataFrame, start: int, names: list[str], texts: dict[str, str],
          submitted: str | None) -> WideSurvey:
    body = grid.iloc[start:].copy()
    body.columns = pd.Index(names)
    body = body[non_blank_rows(body)]
    body.insert(0, "row", body.index + 1)
    return WideSurvey(fmt, body, texts, submitted, len(body))


def surveymonkey(grid: pd.DataFrame, file: str) -> WideSurvey:
    """Two header rows: question text (blank over a question's further columns), then
    'Response' / the option or matrix-row label. A matrix row becomes 'Question [Row]'."""
    if len(grid) < 2:
        raise fail(file, "A SurveyMonkey export has two header rows; this file has one.",
                   "Export again with 'All responses data', expanded columns.", row=2)
    names, texts, current = [], {}, ""
    for top, sub in zip(grid.iloc[0].str.strip(), grid.iloc[1].str.strip(), strict=True):
        current = top or current
        name = current if sub.lower() in SM_SINGLE else f"{current} [{sub}]"
        names.append(name)
    names = _unique(names)
    for name, sub in zip(names, grid.iloc[1].str.strip(), strict=True):
        texts[name] = name if sub.lower() in SM_SINGLE else sub
    return _wide("surveymonkey", grid, 2, names, texts,
                 find_column(names, ["End Date", "Start Date"]))


def msforms(grid: pd.DataFrame, file: str) -> WideSurvey:
    """Microsoft Forms 'Open results in Excel': ID, Start time, Completion time, Email, Name, …"""
    names = _unique([c.strip() for c in grid.iloc[0]])
    return _wide("msforms", grid, 1, names, {n: n for n in names},
                 find_column(names, ["Completion time", "Start time"]))


def google_forms(grid: pd.DataFrame, file: str) -> WideSurvey:
    """Google Forms CSV: Timestamp, Email Address, one column per question, grids 'Q [Row]'."""
    names = _unique([c.strip() for c in grid.iloc[0]])
    texts = {}
    for name in names:
        match = GOOGLE_GRID.match(name)
        texts[name] = match.group(2).strip() if match else name
    wide = _wide("google-forms", grid, 1, names, texts, find_column(names, ["Timestamp"]))
    if wide.submitted_column:
        # Forms' own download adds the time zone ("… GMT+1"); the wall-clock time is kept.
        stamp = wide.frame[wide.submitted_column].str.replace(GOOGLE_TZ, "", regex=True)
        wide.frame[wide.submitted_column] = stamp
    return wide


def crossgen_long(grid: pd.DataFrame, file: str) -> WideSurvey:
    """crossgen's long CSV: employee_id, submitted_at, item_id, value (one answer per row)."""
    header = [norm_label(c).replace(" ", "_") for c in grid.iloc[0]]
    refuse_duplicate_headers(header, file=file, row=1)
    missing = [c for c in ("employee_id", "item_id", "value") if c not in header]
    if missing:
        raise fail(file, f"Missing column(s): {', '.join(missing)}.",
                   "crossgen's long CSV has the columns employee_id, submitted_at, item_id, "
                   "value.", row=1, column=missing[0])
    body = grid.iloc[1:].copy()
    body.columns = pd.Index(header)
    body = body[non_blank_rows(body)]
    body = body.assign(row=body.index + 1, employee_id=body["employee_id"].str.strip(),
                       item_id=body["item_id"].str.strip())
    if "submitted_at" not in body:
        body["submitted_at"] = ""
    dup = body.duplicated(["employee_id", "item_id"], keep=False) & (body["employee_id"] != "")
    if dup.any():
        twice = body[dup]
        raise fail(file, f"{twice['employee_id'].nunique()} respondent(s) answered the same item "
                         f"more than once: {first_few(sorted(set(twice['employee_id'])))} "
                         f"(rows {', '.join(map(str, twice['row'].head(6)))}).",
                   "Keep one answer per person and item in this administration (one file per "
                   "survey wave), then import again.",
                   row=int(twice["row"].iloc[0]), column="employee_id")
    body = body[body["employee_id"] != ""]
    values = body.pivot(index="employee_id", columns="item_id", values="value")
    rows = body.pivot(index="employee_id", columns="item_id", values="row")
    first = body.sort_values("row").groupby("employee_id").agg(
        row=("row", "first"), submitted_at=("submitted_at", "first"))
    wide = first.join(values.fillna("")).reset_index()
    wide.columns = pd.Index([str(c) for c in wide.columns])
    cell_rows = {str(c): pd.Series(rows[c].to_numpy(), index=wide.index) for c in rows.columns}
    return WideSurvey("crossgen-long", wide.astype({"row": int}), {}, "submitted_at", len(wide),
                      cell_rows=cell_rows)


LAYOUTS: dict[str, Parser] = {
    "surveymonkey": surveymonkey,
    "msforms": msforms,
    "google-forms": google_forms,
    "crossgen-long": crossgen_long,
}


def detect_layout(grid: pd.DataFrame) -> str | None:
    first = {norm_label(c) for c in grid.iloc[0]}
    if {"respondent id", "collector id"} <= first:
        return "surveymonkey"
    if {"id", "start time", "completion time"} <= first:
        return "msforms"
    if norm_label(grid.iat[0, 0]) == "timestamp":
        return "google-forms"
    if {"employee id", "item id", "value"} <= first:
        return "crossgen-long"
    return None


def match_columns(wide: WideSurvey, wanted: str) -> list[str]:
    """Columns a mapping's ``column`` names: the id or header, else the question or grid-row text,
    else (for full sentences) the one header or question text that ends with it."""
    columns = [c for c in wide.frame.columns if c != "row"]
    if wanted in columns:
        return [wanted]
    key = norm_label(wanted)
    for candidates in (
        [c for c in columns if norm_label(c) == key],
        [c for c in columns if norm_label(wide.texts.get(c, "")) == key],
    ):
        if candidates:
            return candidates
    if len(key) < 15:
        return []
    return [c for c in columns
            if norm_label(c).endswith(key) or norm_label(wide.texts.get(c, "")).endswith(key)]


def default_key(wide: WideSurvey) -> str | None:
    """The first of the layout's usual key columns that holds any value."""
    columns = [c for c in wide.frame.columns if c != "row"]
    fallback = None
    for alias in DEFAULT_KEYS.get(wide.format, []):
        hit = find_column(columns, [alias])
        if hit is None:
            continue
        fallback = fallback or hit
        if (wide.frame[hit].str.strip() != "").any():
            return hit
    return fallback


def guess_key_type(values: pd.Series) -> str:
    present = values[values.str.strip() != ""]
    return "email" if len(present) and present.str.contains("@").mean() > 0.5 else "employee_id"
