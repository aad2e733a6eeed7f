"""Writers for the export layouts crossgen reads: used for data/examples/ and the test fixtures.

Each writer takes the items asked and one row per respondent (``employee_id``, ``email``,
``submitted`` and one answer-text column per item id) and writes the file as the tool does: its
header rows, date formats, encoding. Several items of one construct become one matrix (grid)
question under a shared stem whose text holds a comma and a line break, as real ones often do.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.store.codebook import Item

STEMS = {
    "agree5": "Thinking of the last three months, how much do you agree with each statement?",
    "proficiency5": "How would you rate your skill at the following?\n(Novice = just starting, "
                    "Expert = could teach it)",
    "satisfied5": "How satisfied are you with each of these?",
}
SM_META = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
           "Email Address", "First Name", "Last Name", "Custom Data 1"]
LEGACY_META = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress",
               "IPAddress", "Status", "StartDate", "EndDate", "Finished"]


def question_groups(items: list[Item]) -> list[tuple[str, list[Item]]]:
    """(question text, items) per question: one item alone, or a matrix of one construct."""
    by_construct: dict[str, list[Item]] = {}
    for item in items:
        by_construct.setdefault(item.construct, []).append(item)
    return [(group[0].text, group) if len(group) == 1 else (STEMS[group[0].scale], group)
            for group in by_construct.values()]


def _save(path: Path, rows: Sequence[Sequence[object]], *, encoding: str = "utf-8-sig") -> None:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Sheet1")
        for row in rows:
            ws.append([None if v == "" else v for v in row])
        wb.save(path)
        return
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def _body(frame: pd.DataFrame, columns: Sequence[object]) -> list[list[object]]:
    return pd.DataFrame({i: np.asarray(c, dtype=object) for i, c in enumerate(columns)},
                        index=frame.index).to_numpy().tolist()


def _us_time(stamps: pd.Series) -> pd.Series:
    """'3/14/2025 9:05:07 AM' — US month first, no leading zeros on month, day or hour."""
    text = stamps.dt.strftime("%m/%d/%Y %I:%M:%S %p")
    return text.str.replace(r"^0", "", regex=True).str.replace(r"/0", "/", regex=True) \
        .str.replace(r" 0(\d):", r" \1:", regex=True)


def write_surveymonkey(path: Path, items: list[Item], frame: pd.DataFrame, *,
                       key: str = "email") -> None:
    """SurveyMonkey 'All responses', expanded: question row (blank continuation cells) and a
    'Response' / matrix-row label row. ``key='custom'`` puts the employee id in Custom Data 1."""
    groups = question_groups(items)
    top = SM_META + [t for text, g in groups for t in [text] + [""] * (len(g) - 1)]
    sub = [""] * len(SM_META) + [
        label for _t, g in groups for label in
        (["Response"] if len(g) == 1 else [i.text for i in g])]
    n = len(frame)
    stamps = pd.to_datetime(frame["submitted"])
    columns = [
        np.arange(n) + 11842001001, np.full(n, 431279001),
        _us_time(stamps - pd.Timedelta(minutes=6)), _us_time(stamps), np.full(n, ""),
        frame["email"] if key == "email" else np.full(n, ""), np.full(n, ""), np.full(n, ""),
        frame["employee_id"] if key == "custom" else np.full(n, ""),
    ] + [frame[i.item_id] for _t, g in groups for i in g]
    _save(path, [top, sub, *_body(frame, columns)])


def write_msforms(path: Path, items: list[Item], frame: pd.DataFrame) -> None:
    """Microsoft Forms 'Open results in Excel': one header row, real date-time cells."""
    stamps = pd.to_datetime(frame["submitted"])
    header = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
    header += [i.text for i in items]
    columns = [np.arange(1, len(frame) + 1), (stamps - pd.Timedelta(minutes=4)).dt.to_pydatetime(),
               stamps.dt.to_pydatetime(), frame["email"], np.full(len(frame), ""),
               np.full(len(frame), "")] + [frame[i.item_id] for i in items]
    _save(path, [header, *_body(frame, columns)])


def write_google_forms(path: Path, items: list[Item], frame: pd.DataFrame, *,
                       encoding: str = "utf-8") -> None:
    """Google Forms 'Download responses (.csv)': Timestamp with time zone, grids 'Q [Row]'."""
    groups = question_groups(items)
    header = ["Timestamp", "Email Address"] + [
        text if len(g) == 1 else f"{text} [{i.text}]" for text, g in groups for i in g]
    stamps = pd.to_datetime(frame["submitted"])
    when = stamps.dt.strftime("%Y/%m/%d ") + _us_time(stamps).str.split(" ", n=1).str[1] + " GMT+1"
    columns = [when, frame["email"]] + [frame[i.item_id] for _t, g in groups for i in g]
    _save(path, [header, *_body(frame, columns)], encoding=encoding)


def write_long(path: Path, items: list[Item], frame: pd.DataFrame) -> None:
    """crossgen's long CSV: employee_id, submitted_at, item_id, value; unanswered items omitted."""
    long = frame.assign(submitted_at=pd.to_datetime(frame["submitted"]).dt.strftime(
        "%Y-%m-%d %H:%M:%S")).melt(id_vars=["employee_id", "submitted_at"],
                                   value_vars=[i.item_id for i in items], var_name="item_id")
    long = long[long["value"] != ""]
    long.to_csv(path, index=False, lineterminator="\n")


def write_qualtrics_legacy(path: Path, items: list[Item], frame: pd.DataFrame) -> None:
    """The legacy Qualtrics layout (before 2017): V1… ids over metadata, two header rows, BOM."""
    groups = question_groups(items)
    ids = [f"V{k}" for k in range(1, len(LEGACY_META) + 1)] + [
        f"Q{q}" if len(g) == 1 else f"Q{q}_{j}" for q, (_t, g) in enumerate(groups, start=1)
        for j in range(1, len(g) + 1)]
    texts = LEGACY_META + [
        text if len(g) == 1 else f"{text}-{i.text}" for text, g in groups for i in g]
    stamps = pd.to_datetime(frame["submitted"])
    n = len(frame)
    columns = [np.char.add("R_legacy", np.arange(n).astype(str)),
               np.full(n, "Default Response Set"), np.full(n, ""), frame["employee_id"],
               np.full(n, ""), np.full(n, ""), np.full(n, "0"),
               (stamps - pd.Timedelta(minutes=7)).dt.strftime("%Y-%m-%d %H:%M:%S"),
               stamps.dt.strftime("%Y-%m-%d %H:%M:%S"), np.full(n, "1")]
    columns += [frame[i.item_id] for _t, g in groups for i in g]
    _save(path, [ids, texts, *_body(frame, columns)])


def write_qualtrics(path: Path, items: list[Item], frame: pd.DataFrame, *,
                    key: str = "id") -> None:
    """Qualtrics three-row CSV, written by the demo generator's own writer."""
    from analysis.demo.exports import write_qualtrics as demo_writer

    respondents = frame.assign(
        submitted_at=pd.to_datetime(frame["submitted"]), channel="anonymous" if key == "id"
        else "email", response_id=[f"R_example{k:04d}" for k in range(len(frame))])
    demo_writer(path, items, respondents, frame[[i.item_id for i in items]], key=key,
                rng=np.random.default_rng(7))


def write_bamboohr(path: Path, people: pd.DataFrame, *, as_of: str,
                   encoding: str = "cp1252") -> None:
    """BambooHR custom report: title and 'Report generated on' rows above 'Employee #' headers."""
    header = ["Employee #", "First Name", "Last Name", "Work Email", "Birth Date", "Department",
              "Division", "Job Title", "Location", "Hire Date", "Termination Date",
              "Termination Type", "Termination Reason"]

    def us(col: str) -> pd.Series:
        return pd.to_datetime(people[col]).dt.strftime("%m/%d/%Y").fillna("")

    columns = [people["employee_id"], people["first"], people["last"], people["email"],
               us("birth_date"), people["department"], np.full(len(people), "Europe"),
               people["level"], people["location"], us("hire_date"), us("termination_date"),
               people["termination_type"], people["termination_reason"]]
    rows = [["Employee Roster (all statuses)"], [f"Report generated on {as_of} 09:14 AM"], header]
    _save(path, [*rows, *_body(people, columns)], encoding=encoding)
