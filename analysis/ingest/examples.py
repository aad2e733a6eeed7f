"""data/examples/: one small, working export per supported layout, with its mapping file.

Every example is keyed to people of the demo roster (data/demo/roster.xlsx), so
``crossgen check data/examples/<file> --db <demo database>`` succeeds on each. Regenerate with
``python -m analysis.ingest.examples``; a test checks the committed files match.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.console import say
from analysis.ingest import samples
from analysis.ingest.datadir import DATA
from analysis.ingest.reading import find_header_row, read_grid
from analysis.store.codebook import ITEMS_BY_ID, SCALE_LABELS, Item

EXAMPLES = DATA / "examples"
DEMO_ROSTER = DATA / "demo" / "roster.xlsx"
ITEMS = [ITEMS_BY_ID[i] for i in ("jobsat_1", "jobsat_2", "enps_1", "incl_belong",
                                  "incl_outsider", "digital_ai", "digital_social")]


def demo_roster() -> pd.DataFrame:
    grid = read_grid(DEMO_ROSTER)
    header = find_header_row(grid, ["Employee ID", "Work Email"])
    assert header is not None
    frame = grid.iloc[header + 1:].copy()
    frame.columns = pd.Index(grid.iloc[header])
    return frame


def demo_people(count: int = 12) -> pd.DataFrame:
    """The first ``count`` demo employees still employed, with their ids and work emails."""
    frame = demo_roster()
    active = frame[frame["Termination Date"] == ""].head(count)
    return pd.DataFrame({"employee_id": active["Employee ID"].to_numpy(),
                         "email": active["Work Email"].to_numpy()})


def answers(items: list[Item], people: pd.DataFrame, *, seed: int, start: str) -> pd.DataFrame:
    """Plausible answer texts (a few left blank) and submission times, one row per person."""
    rng = np.random.default_rng(seed)
    out = people.copy().reset_index(drop=True)
    out["submitted"] = pd.Timestamp(start) + pd.to_timedelta(
        rng.integers(3600, 5 * 86400, len(out)), unit="s")
    for item in items:
        labels = np.array(SCALE_LABELS[item.scale], dtype=object)
        text = labels[rng.integers(len(labels) // 2, len(labels), len(out))]
        text[rng.random(len(out)) < 0.1] = ""
        out[item.item_id] = text
    return out


def _survey_toml(name: str, fmt: str, columns: list[tuple[str, Item]], *,
                 key: tuple[str, str] | None = None, extra: str = "") -> str:
    lines = ["# crossgen mapping file (see README, 'Bring your own data').", "[survey]",
             f'name = "{name}"', 'kind = "pulse"', f'format = "{fmt}"']
    if key:
        lines += [f'key_column = "{key[0]}"', f'key_type = "{key[1]}"']
    lines += [extra] if extra else []
    for column, item in columns:
        lines += ["", "[[questions]]", f"column = {_quote(column)}", f'item = "{item.item_id}"',
                  f'construct = "{item.construct}"', f'scale = "{item.scale}"']
        if item.reverse_coded:
            lines.append("reverse_coded = true")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _grid_headers(items: list[Item]) -> list[tuple[str, Item]]:
    return [(text if len(g) == 1 else f"{text} [{i.text}]", i)
            for text, g in samples.question_groups(items) for i in g]


def write_surveys(out: Path, people: pd.DataFrame) -> None:
    from analysis.demo.exports import qualtrics_columns

    frame = answers(ITEMS, people, seed=1, start="2026-09-07 08:00")
    samples.write_qualtrics(out / "qualtrics.csv", ITEMS, frame, key="id")
    (out / "qualtrics.toml").write_text(_survey_toml(
        "Example Qualtrics pulse", "qualtrics",
        [(c[0], i) for c, i in zip(qualtrics_columns(ITEMS), ITEMS, strict=True)],
        key=("ExternalReference", "employee_id")))
    frame = answers(ITEMS, people, seed=2, start="2016-05-02 09:00")
    samples.write_qualtrics_legacy(out / "qualtrics_legacy.csv", ITEMS, frame)
    legacy_ids = [f"Q{q}" if len(g) == 1 else f"Q{q}_{j}"
                  for q, (_t, g) in enumerate(samples.question_groups(ITEMS), start=1)
                  for j in range(1, len(g) + 1)]
    ordered = [i for _t, g in samples.question_groups(ITEMS) for i in g]
    (out / "qualtrics_legacy.toml").write_text(_survey_toml(
        "Example Qualtrics legacy pulse", "qualtrics-legacy",
        list(zip(legacy_ids, ordered, strict=True)),
        key=("ExternalDataReference", "employee_id")))
    frame = answers(ITEMS, people, seed=3, start="2026-03-02 08:30")
    samples.write_surveymonkey(out / "surveymonkey_csv.csv", ITEMS, frame, key="email")
    (out / "surveymonkey_csv.toml").write_text(_survey_toml(
        "Example SurveyMonkey pulse (CSV)", "surveymonkey", _grid_headers(ITEMS),
        key=("Email Address", "email")))
    frame = answers(ITEMS, people, seed=4, start="2026-04-06 08:30")
    samples.write_surveymonkey(out / "surveymonkey_xlsx.xlsx", ITEMS, frame, key="custom")
    # The matrix-row label alone is enough when it is unique in the file.
    (out / "surveymonkey_xlsx.toml").write_text(_survey_toml(
        "Example SurveyMonkey pulse (XLSX)", "surveymonkey", [(i.text, i) for i in ITEMS],
        key=("Custom Data 1", "employee_id")))
    frame = answers(ITEMS, people, seed=5, start="2026-05-04 10:00")
    samples.write_msforms(out / "msforms.xlsx", ITEMS, frame)
    (out / "msforms.toml").write_text(_survey_toml(
        "Example Microsoft Forms pulse", "msforms", [(i.text, i) for i in ITEMS]))
    frame = answers(ITEMS, people, seed=6, start="2026-06-01 07:45")
    samples.write_google_forms(out / "google_forms.csv", ITEMS, frame)
    (out / "google_forms.toml").write_text(_survey_toml(
        "Example Google Forms pulse", "google-forms", _grid_headers(ITEMS)))
    frame = answers(ITEMS, people, seed=7, start="2026-07-06 09:00")
    samples.write_long(out / "crossgen_long.csv", ITEMS, frame)
    (out / "crossgen_long.toml").write_text(
        "# crossgen's own long CSV: codebook item ids need no [[questions]] blocks.\n"
        '[survey]\nname = "Example crossgen long pulse"\nkind = "pulse"\n'
        'format = "crossgen-long"\n')


def write_rosters(out: Path, people: pd.DataFrame) -> None:
    """Workday (XLSX, demo writer) and BambooHR (CSV, cp1252) rosters of the same people."""
    from analysis.demo.exports import _write_roster
    from analysis.demo.spec import DemoSpec

    frame = demo_roster()
    leavers = frame[frame["Termination Date"] != ""]["Employee ID"].head(2)
    frame = frame[frame["Employee ID"].isin(people["employee_id"]) |
                  frame["Employee ID"].isin(leavers)].reset_index(drop=True)
    names = frame["Worker"].str.split(" ", n=1)
    employees = pd.DataFrame({
        "employee_id": frame["Employee ID"], "first": names.str[0], "last": names.str[1],
        "email": frame["Work Email"], "birth_date": pd.to_datetime(frame["Date of Birth"]),
        "department": frame["Supervisory Organization"], "level": frame["Management Level"],
        "location": frame["Location"], "hire_date": pd.to_datetime(frame["Hire Date"]),
        "termination_date": pd.to_datetime(frame["Termination Date"].replace("", None)),
        "termination_reason": frame["Primary Termination Reason"],
        "salary": frame["Annual Base Pay"].astype(float),
    })
    _write_roster(out / "hris_workday.xlsx", employees, DemoSpec())
    # BambooHR splits Workday's 'Voluntary > Resignation > …' into a type and a reason.
    parts = employees["termination_reason"].str.split(" > ")
    employees["termination_type"] = parts.str[0]
    employees["termination_reason"] = parts.str[-1].where(parts.str.len() > 1, "")
    employees.loc[0, "first"] = "José"  # cp1252 accents, as Excel on Windows saves them
    employees.loc[1, "last"] = "Müller"
    samples.write_bamboohr(out / "bamboohr.csv", employees, as_of="10/31/2026")


def write_programme(out: Path, people: pd.DataFrame) -> None:
    """Platform and crossgen programme files for a new cohort, and session logs for demo pairs."""
    mentors, mentees = people.iloc[0:6:2].reset_index(drop=True), people.iloc[1:6:2]
    pairs = [f"Pilot 2027 pair {k}" for k in range(1, 4)]
    pd.DataFrame({
        "Program Name": "Reverse Mentoring 2027 Pilot", "Program Start Date": "01/11/2027",
        "Program End Date": "06/30/2027", "Mentoring Connection Name": pairs,
        "Mentor Email Address": mentors["email"].to_numpy(),
        "Mentee Email Address": mentees["email"].str.upper().to_numpy(),
        "Connection Status": "Active",
    }).to_csv(out / "platform_programme.csv", index=False)
    (out / "platform_programme.toml").write_text(
        "# Which cohort each platform programme is, and what it cost (for ROI).\n"
        '[programme]\nformat = "platform"\n\n[[cohorts]]\n'
        'program_name = "Reverse Mentoring 2027 Pilot"\ncohort_id = "P27"\ncost = 18000\n')
    rows = []
    for k, (mentor, mentee) in enumerate(zip(people["employee_id"][6:9],
                                             people["employee_id"][9:12], strict=True)):
        rows += [("X27", "Crossgen example cohort 2027", "2027-02-01", "2027-07-31", mentor,
                  "mentor", f"X27-P{k + 1:02d}"),
                 ("X27", "Crossgen example cohort 2027", "2027-02-01", "2027-07-31", mentee,
                  "mentee", f"X27-P{k + 1:02d}")]
    pd.DataFrame(rows, columns=["cohort_id", "cohort_name", "start_date", "end_date",
                                "employee_id", "role", "pair_id"]).to_csv(
        out / "crossgen_programme.csv", index=False)
    # Sessions must belong to pairs already imported: these are the demo's cohort C1 pairs.
    pd.DataFrame({
        "Meeting ID": [900001, 900002, 900003, 900004],
        "Program Name": "Reverse Mentoring 2024 Spring",
        "Mentoring Connection Name": ["C1-P0001", "C1-P0001", "C1-P0002", "C1-P0003"],
        "Meeting Start Time": ["02/05/2024 10:00 AM", "02/26/2024 2:30 PM",
                               "02/07/2024 9:00 AM", "02/08/2024 4:00 PM"],
        "Duration (Minutes)": [45, 60, 0, 30],
        "Meeting Status": ["Completed", "Completed", "Cancelled", "Completed"],
        "Meeting Topic": ["AI tools", "Presenting to leaders", "", "Social media"],
    }).to_csv(out / "platform_sessions.csv", index=False)
    pd.DataFrame({
        "session_id": ["ex-1", "ex-2", "ex-3"], "pair_id": ["C1-P0004", "C1-P0004", "C1-P0005"],
        "date": ["2024-02-12", "2024-03-04", "2024-02-20"], "duration_minutes": [60, 45, 0],
        "status": ["held", "held", "no_show"], "topic": ["Data literacy", "Strategy", ""],
    }).to_csv(out / "crossgen_sessions.csv", index=False)


README = """# Example exports, one per supported layout

Generated by `python -m analysis.ingest.examples` (do not edit by hand). Each file is keyed to
people of the demo roster, so against the demo database every one passes:

    crossgen check data/examples/FILE --db data/crossgen-demo.duckdb

A survey's mapping file has the same name with `.toml` (found automatically by `check`).

- Surveys: `qualtrics.csv`, `qualtrics_legacy.csv`, `surveymonkey_csv.csv` (keyed by Email
  Address), `surveymonkey_xlsx.xlsx` (keyed by employee id in Custom Data 1, questions mapped by
  their matrix-row text), `msforms.xlsx`, `google_forms.csv`, `crossgen_long.csv` (no
  [[questions]] needed for codebook item ids).
- Rosters: `hris_workday.xlsx` (title and Run Date rows), `bamboohr.csv` (Windows-1252, title and
  'Report generated on' rows, Termination Type and Reason).
- Programme: `platform_programme.csv` + `platform_programme.toml` (cohort id and cost),
  `crossgen_programme.csv`.
- Sessions: `platform_sessions.csv`, `crossgen_sessions.csv`; they log meetings of the demo's
  cohort C1 pairs, because a session must belong to a pair already imported.
- Connections dated per connection: `chronus_connections.csv` + `chronus_connections.toml`
  (`Start Date`, `Closed On` as `Mar 02, 2026`; one connection still open runs to the roster's
  as-of date).
- A roster with its own headers: `hris_mapped.csv` + `hris_mapped.toml` (`[roster.columns]`,
  day-first dates, two-digit birth years, padded values, an `Employment Status` column mapped
  in `[roster.termination_types]`).
- Warehouse unloads (Parquet, Snowflake style: upper-case names, DATE/TIMESTAMP/NUMBER types):
  `warehouse_roster.parquet`, `warehouse_survey.parquet` + `warehouse_survey.toml` (long form).
"""


def write_examples(out: Path = EXAMPLES) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    people = demo_people()
    write_surveys(out, people)
    write_rosters(out, people)
    write_programme(out, people)
    from analysis.ingest.example_sources import write_sources  # it imports this module

    write_sources(out, people)
    (out / "README.md").write_text(README, encoding="utf-8")
    return sorted(p for p in out.iterdir() if p.suffix in (".csv", ".xlsx", ".parquet"))


if __name__ == "__main__":
    for path in write_examples():
        say(path)
