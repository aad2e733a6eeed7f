"""data/examples/ for sources beyond the classic layouts: a Chronus connections export dated per
connection, an HRIS roster read through a roster mapping, and warehouse (Parquet) unloads.

Written by :func:`analysis.ingest.examples.write_examples`, keyed to the demo's people.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analysis.ingest.examples import answers, demo_roster
from analysis.store.codebook import ITEMS_BY_ID, SCALES

WAREHOUSE_ITEMS = [ITEMS_BY_ID[i] for i in ("jobsat_1", "incl_belong", "digital_ai")]


def _name(email: str) -> str:
    """A display name from 'first.last.123@…', as a platform's 'Mentor Name' column shows it."""
    first, last = email.split("@")[0].split(".")[:2]
    return f"{first.title()} {last.title()}"


def write_chronus(out: Path, people: pd.DataFrame) -> None:
    """Connections dated one by one (Start Date, Closed On), text dates, one still open."""
    mentors, mentees = people.iloc[0:8:2].reset_index(drop=True), people.iloc[1:8:2]
    emails = mentees["email"].to_numpy()
    pd.DataFrame({
        "Mentoring Connection Name": [f"RM 2026 #{k}" for k in range(1, 5)],
        "Program Name": "Reverse Mentoring 2026",
        "Mentor Name": [_name(e) for e in mentors["email"]],
        "Mentor Email": mentors["email"].to_numpy(),
        "Mentee Name": [_name(e) for e in emails],
        "Mentee Email": emails,
        "Status": ["Closed", "Closed", "Closed", "Active"],
        "Start Date": ["Mar 02, 2026", "Mar 02, 2026", "Mar 09, 2026", "Mar 16, 2026"],
        "Closed On": ["Aug 28, 2026", "Sep 04, 2026", "Jul 31, 2026", ""],
        "Closure Reason": ["Completed", "Completed", "Mentee left the program", ""],
    }).to_csv(out / "chronus_connections.csv", index=False, lineterminator="\r\n")
    (out / "chronus_connections.toml").write_text(
        "# A connections export dated per connection: the cohort runs from the first Start Date\n"
        "# to the last Closed On; the open connection runs to the roster's as-of date.\n"
        '[programme]\nformat = "platform"\n\n[[cohorts]]\n'
        'program_name = "Reverse Mentoring 2026"\ncohort_id = "R26"\ncost = 24000\n'
        "# start_date = 2026-03-02   # uncomment to override the dates read from the file\n"
        "# end_date = 2026-10-31\n")


STATUS = {"voluntary": "Voluntarily Terminated", "involuntary": "Terminated for Cause"}


def write_mapped_roster(out: Path, roster: pd.DataFrame) -> None:
    """An HRIS export with its own headers, day-first dates, two-digit birth years, padded
    values and an employment-status column: readable only through its roster mapping."""
    born = pd.to_datetime(roster["Date of Birth"])
    hired = pd.to_datetime(roster["Hire Date"])
    left = pd.to_datetime(roster["Termination Date"].replace("", None))
    kind = roster["Primary Termination Reason"].str.split(" > ").str[0].str.lower()
    status = kind.map(STATUS).where(left.notna(), "Active")
    every_other = pd.Series(np.arange(len(roster)) % 2 == 1, index=roster.index)
    status[left.notna() & kind.eq("voluntary") & every_other] = "Resigned"
    pd.DataFrame({
        "Personnel Number": roster["Employee ID"].to_numpy(),
        "Full Name": roster["Worker"].to_numpy(),
        "Business Email": roster["Work Email"].to_numpy(),
        "DOB": born.dt.strftime("%d/%m/%y").to_numpy(),
        "Org Unit": ("  " + roster["Supervisory Organization"] + " ").to_numpy(),
        "Pay Grade": roster["Management Level"].to_numpy(),
        "Site": roster["Location"].to_numpy(),
        "Entry Date": hired.dt.strftime("%d/%m/%Y").to_numpy(),
        "Leaving Date": left.dt.strftime("%d/%m/%Y").fillna("").to_numpy(),
        "Employment Status": status.to_numpy(),
        "Base Pay": roster["Annual Base Pay"].to_numpy(),
    }).to_csv(out / "hris_mapped.csv", index=False, lineterminator="\r\n")
    (out / "hris_mapped.toml").write_text(
        "# A roster whose headers crossgen does not know: name them, say how dates are written\n"
        "# and what each employment status means.\n"
        '[roster]\ndate_format = "day-first"\ntwo_digit_year_pivot = 10   # DOB 09 -> 2009, '
        "10 -> 1910\n\n[roster.columns]\n"
        'employee_id = "Personnel Number"\nemail = "Business Email"\nbirth_date = "DOB"\n'
        'department = "Org Unit"\nlevel = "Pay Grade"\nlocation = "Site"\n'
        'hire_date = "Entry Date"\ntermination_date = "Leaving Date"\n'
        'termination_type = "Employment Status"\nsalary = "Base Pay"\n\n'
        "[roster.termination_types]\n"
        '"Voluntarily Terminated" = "voluntary"\n"Resigned" = "voluntary"\n'
        '"Terminated for Cause" = "involuntary"\n')


def _copy_parquet(frame: pd.DataFrame, path: Path, select: str) -> None:
    with duckdb.connect() as con:
        con.register("frame", frame)
        con.execute(f"copy (select {select} from frame order by all) to '{path}' "  # noqa: S608
                    "(format parquet)")


def write_warehouse(out: Path, people: pd.DataFrame, roster: pd.DataFrame) -> None:
    """Snowflake-style unloads: upper-case names, DATE / TIMESTAMP / NUMBER types."""
    frame = roster[roster["Employee ID"].isin(people["employee_id"])]
    _copy_parquet(frame, out / "warehouse_roster.parquet",
                  '"Employee ID" as EMPLOYEE_ID, "Work Email" as WORK_EMAIL, '
                  'year(cast("Date of Birth" as date)) as BIRTH_YEAR, '
                  '"Supervisory Organization" as DEPARTMENT, "Management Level" as LEVEL, '
                  '"Location" as LOCATION, cast("Hire Date" as date) as HIRE_DATE, '
                  "cast(nullif(\"Termination Date\", '') as date) as TERMINATION_DATE, "
                  "cast(\"Annual Base Pay\" as decimal(12, 2)) as SALARY")
    wide = answers(WAREHOUSE_ITEMS, people, seed=8, start="2026-09-14 08:00")
    long = wide.melt(id_vars=["employee_id", "submitted"],
                     value_vars=[i.item_id for i in WAREHOUSE_ITEMS], var_name="item_id")
    long = long[long["value"] != ""]
    scale = {i.item_id: SCALES[i.scale] for i in WAREHOUSE_ITEMS}
    long = long.assign(code=[scale[i][v.lower()] for i, v in zip(long["item_id"], long["value"],
                                                           strict=True)])
    _copy_parquet(long, out / "warehouse_survey.parquet",
                  "employee_id as EMPLOYEE_ID, cast(submitted as timestamp) as SUBMITTED_AT, "
                  "item_id as ITEM_ID, cast(code as decimal(38, 0)) as VALUE")
    (out / "warehouse_survey.toml").write_text(
        "# A warehouse unload in crossgen's long form (EMPLOYEE_ID, SUBMITTED_AT, ITEM_ID,\n"
        "# VALUE): codebook item ids need no [[questions]]; numbers are read on the item's\n"
        "# scale.\n"
        '[survey]\nname = "Example warehouse pulse"\nkind = "pulse"\n'
        'format = "crossgen-long"\n')


def write_sources(out: Path, people: pd.DataFrame) -> None:
    roster = demo_roster()
    left = roster[roster["Termination Date"] != ""]
    why = left["Primary Termination Reason"].str.split(" > ").str[0]
    leavers = pd.concat([left[why == "Voluntary"].head(2), left[why == "Involuntary"].head(2)])[
        "Employee ID"]
    picked = roster[roster["Employee ID"].isin(people["employee_id"]) |
                    roster["Employee ID"].isin(leavers)].reset_index(drop=True)
    write_chronus(out, people)
    write_mapped_roster(out, picked)
    write_warehouse(out, people, picked)
