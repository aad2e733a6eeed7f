"""The demo company written as vendor exports: an HRIS roster, a mentoring platform's
connections and meetings, Qualtrics surveys and their mapping files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.demo.spec import (
    DemoSpec,
)
from analysis.store.codebook import (
    SCALE_LABELS,
    Item,
)

# -- export writers ----------------------------------------------------------------------------


def _write_roster(path: Path, employees: pd.DataFrame, spec: DemoSpec) -> None:
    """Workday-style worker report: report title and run date above the header row."""
    title = [f"{spec.company} — All Workers (Active and Terminated)"]
    run_date = [f"Run Date: {spec.as_of.isoformat()}"]
    header = ["Employee ID", "Worker", "Work Email", "Date of Birth", "Supervisory Organization",
              "Management Level", "Location", "Hire Date", "Termination Date",
              "Primary Termination Reason", "Annual Base Pay"]
    frame = pd.DataFrame({
        "id": employees["employee_id"],
        "worker": employees["first"] + " " + employees["last"],
        "email": employees["email"],
        "dob": employees["birth_date"].dt.date,
        "dept": employees["department"],
        "level": employees["level"],
        "loc": employees["location"],
        "hire": employees["hire_date"].dt.date,
        "term": pd.to_datetime(employees["termination_date"]).dt.date,
        "reason": employees["termination_reason"].replace("", None),
        "salary": employees["salary"],
    })
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerows([title, run_date, [], header])
            frame.to_csv(fh, index=False, header=False, lineterminator="\n")
        return
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Workers")
    for row in (title, run_date, [], header):
        ws.append(row)
    frame = frame.astype(object).where(frame.notna(), None)
    for values in frame.itertuples(index=False, name=None):
        ws.append(list(values))
    wb.save(path)


def _write_programme(path: Path, participants: pd.DataFrame, employees: pd.DataFrame,
                     cohorts: pd.DataFrame) -> None:
    """Chronus-style connections export: one row per mentoring connection."""
    wide = participants.pivot_table(index=["cohort_id", "pair_id"], columns="role",
                                    values="employee_idx", aggfunc="first").reset_index()
    wide = wide.merge(cohorts, on="cohort_id")
    email = employees["email"].to_numpy()
    out = pd.DataFrame({
        "Program Name": wide["name"],
        "Program Start Date": pd.to_datetime(wide["start_date"]).dt.strftime("%m/%d/%Y"),
        "Program End Date": pd.to_datetime(wide["end_date"]).dt.strftime("%m/%d/%Y"),
        "Mentoring Connection Name": wide["pair_id"],
        "Mentor Email Address": email[wide["mentor"].astype(int)],
        "Mentee Email Address": email[wide["mentee"].astype(int)].astype(object),
        "Connection Status": "Closed",
    })
    # Platforms export emails as people typed them: mixed case must still resolve.
    out.loc[out.index % 7 == 3, "Mentee Email Address"] = (
        out.loc[out.index % 7 == 3, "Mentee Email Address"].str.upper()
    )
    out.to_csv(path, index=False)


def _write_sessions(path: Path, sessions: pd.DataFrame, participants: pd.DataFrame,
                    employees: pd.DataFrame, cohorts: pd.DataFrame) -> None:
    email = employees["email"].to_numpy()
    roles = participants.pivot_table(index="pair_id", columns="role", values="employee_idx",
                                     aggfunc="first")
    frame = sessions.merge(roles, left_on="pair_id", right_index=True).merge(
        cohorts[["cohort_id", "name"]], on="cohort_id"
    ).sort_values(["when", "pair_id"], kind="stable")
    out = pd.DataFrame({
        "Meeting ID": np.arange(1, len(frame) + 1) + 500000,
        "Program Name": frame["name"],
        "Mentoring Connection Name": frame["pair_id"],
        "Mentor Email Address": email[frame["mentor"].astype(int)],
        "Mentee Email Address": email[frame["mentee"].astype(int)],
        "Meeting Start Time": pd.to_datetime(frame["when"]).dt.strftime("%m/%d/%Y %I:%M %p"),
        "Duration (Minutes)": frame["minutes"],
        "Meeting Status": frame["status"],
        "Meeting Topic": frame["topic"],
    })
    out.to_csv(path, index=False)


QUALTRICS_META = ["StartDate", "EndDate", "Status", "IPAddress", "Progress",
                  "Duration (in seconds)", "Finished", "RecordedDate", "ResponseId",
                  "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                  "ExternalReference", "LocationLatitude", "LocationLongitude",
                  "DistributionChannel", "UserLanguage"]
QUALTRICS_META_TEXT = ["Start Date", "End Date", "Response Type", "IP Address", "Progress",
                       "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
                       "Recipient Last Name", "Recipient First Name", "Recipient Email",
                       "External Data Reference", "Location Latitude", "Location Longitude",
                       "Distribution Channel", "User Language"]


def qualtrics_columns(items: list[Item]) -> list[tuple[str, str, str]]:
    """(column id, question text, ImportId) per item; matrix questions share a stem."""
    cols = []
    by_construct: dict[str, list[Item]] = {}
    for item in items:
        by_construct.setdefault(item.construct, []).append(item)
    for q, construct_items in enumerate(by_construct.values(), start=1):
        for j, item in enumerate(construct_items, start=1):
            if len(construct_items) == 1:
                cols.append((f"Q{q}", item.text, f"QID{q}"))
            else:
                stem = ("How much do you agree with each statement?"
                        if item.scale == "agree5" else "How would you rate your skill at:")
                cols.append((f"Q{q}_{j}", f"{stem}\n- {item.text}", f"QID{q}_{j}"))
    return cols


def _answers(items: list[Item], latent: pd.DataFrame, rng: np.random.Generator,
             *, skip_rate: float = 0.04) -> pd.DataFrame:
    """Choice-text answers per item from each respondent's latent construct score."""
    trait = {"skills.digital": "t_digital", "skills.leadership": "t_leadership",
             "satisfaction.job": "t_jobsat", "inclusion": "t_inclusion",
             "intergenerational": "t_intergen", "satisfaction.program": "t_progsat"}
    out = {}
    n = len(latent)
    for item in items:
        if item.construct == "enps":
            raw = np.clip(np.rint((latent["t_jobsat"].to_numpy() - 1) * 2.4 + 0.8
                                  + rng.normal(0, 1.3, n)), 0, 10)
        else:
            base = latent[trait.get(item.construct, "t_jobsat")].to_numpy()
            if item.reverse_coded:
                base = 6 - base
            raw = np.clip(np.rint(base + rng.normal(0, 0.6, n)), 1, 5)
        labels = np.array(SCALE_LABELS[item.scale], dtype=object)
        lo = 0 if item.scale == "likely11" else 1
        text = labels[(raw - lo).astype(int)]
        text[rng.random(n) < skip_rate] = ""
        out[item.item_id] = text
    return pd.DataFrame(out, index=latent.index)


def write_qualtrics(path: Path, items: list[Item], respondents: pd.DataFrame,
                    answers: pd.DataFrame, *, key: str, rng: np.random.Generator) -> None:
    """A Qualtrics 'export with choice text': ids row, question-text row, ImportId row, data."""
    cols = qualtrics_columns(items)
    n = len(respondents)
    submitted = pd.to_datetime(respondents["submitted_at"])
    duration = rng.integers(90, 900, n)
    started = submitted - pd.to_timedelta(duration, unit="s")
    finished = respondents.get("finished", pd.Series(1, index=respondents.index)).to_numpy()
    meta = pd.DataFrame({
        "StartDate": started.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
        "EndDate": submitted.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
        "Status": np.where(respondents["channel"].to_numpy() == "preview", 1, 0),
        "IPAddress": "",
        "Progress": np.where(finished == 1, 100, rng.integers(20, 90, n)),
        "Duration (in seconds)": duration,
        "Finished": finished,
        "RecordedDate": submitted.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
        "ResponseId": respondents["response_id"].to_numpy(),
        "RecipientLastName": "",
        "RecipientFirstName": "",
        "RecipientEmail": respondents["email"].to_numpy() if key == "email" else "",
        "ExternalReference": respondents["employee_id"].to_numpy() if key == "id" else "",
        "LocationLatitude": "",
        "LocationLongitude": "",
        "DistributionChannel": respondents["channel"].to_numpy(),
        "UserLanguage": "EN",
    })
    data = pd.concat([meta.reset_index(drop=True),
                      answers[[i.item_id for i in items]].reset_index(drop=True)], axis=1)
    data.columns = QUALTRICS_META + [c[0] for c in cols]
    if "comment" in respondents:
        data["Q99_TEXT"] = respondents["comment"].to_numpy()
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(list(data.columns))
        texts = QUALTRICS_META_TEXT + [c[1] for c in cols]
        imports = [json.dumps({"ImportId": m}) for m in
                   ["startDate", "endDate", "status", "ipAddress", "progress", "duration",
                    "finished", "recordedDate", "_recordId", "recipientLastName",
                    "recipientFirstName", "recipientEmail", "externalDataReference",
                    "locationLatitude", "locationLongitude", "distributionChannel",
                    "userLanguage"]] + [json.dumps({"ImportId": c[2]}) for c in cols]
        if "comment" in respondents:
            texts.append("What was the most valuable part of the programme, and what would "
                         "you change?")
            imports.append(json.dumps({"ImportId": "QID99_TEXT"}))
        writer.writerow(texts)
        writer.writerow(imports)
        data.to_csv(fh, index=False, header=False, lineterminator="\n")


def survey_mapping_toml(*, survey: str, kind: str, items: list[Item], key: str,
                        cohort: str | None = None, phase: str | None = None,
                        comment_column: str | None = None) -> str:
    """The mapping file a user would write for one of these Qualtrics exports."""
    lines = [
        "# crossgen mapping file: how to read one survey export.",
        "[survey]",
        f'name = "{survey}"',
        f'kind = "{kind}"',
        'format = "qualtrics"',
    ]
    if cohort:
        lines += [f'cohort = "{cohort}"', f'phase = "{phase}"']
    if key == "email":
        lines += ['key_column = "RecipientEmail"', 'key_type = "email"']
    else:
        lines += ['key_column = "ExternalReference"', 'key_type = "employee_id"']
    if comment_column:
        lines += [f'comment_columns = ["{comment_column}"]']
    for (column, _text, _iid), item in zip(qualtrics_columns(items), items, strict=True):
        lines += [
            "",
            "[[questions]]",
            f'column = "{column}"',
            f'item = "{item.item_id}"',
            f'construct = "{item.construct}"',
            f'scale = "{item.scale}"',
        ]
        if item.reverse_coded:
            lines.append("reverse_coded = true")
    return "\n".join(lines) + "\n"


def _programme_mapping(cohorts: pd.DataFrame) -> str:
    lines = [
        "# crossgen mapping file for a mentoring-platform connections export.",
        "[programme]",
        'format = "platform"',
        "",
    ]
    for c in cohorts.itertuples():
        lines += [
            "[[cohorts]]",
            f'program_name = "{c.name}"',
            f'cohort_id = "{c.cohort_id}"',
            f"cost = {c.cost:.0f}",
            "",
        ]
    return "\n".join(lines)
