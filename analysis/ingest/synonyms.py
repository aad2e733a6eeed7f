"""Column names and status words of each tool crossgen reads, one table per tool.

The readers find a column by the names below (case, spacing and underscores ignored), crossgen's
own name first, then every tool's in the order listed; a mapping file's ``[roster.columns]``,
``[programme.columns]`` or ``[sessions.columns]`` names any other header. crossgen's own
programme CSV (``cohort_id, cohort_name, start_date, …``) is read by its fixed names. The
README's table "Column names crossgen knows" is :func:`markdown_table` (a test keeps them equal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Tool:
    """What one tool writes for one kind of file: field -> its header(s), and status words."""

    name: str
    kind: str  # roster, programme or sessions
    columns: dict[str, tuple[str, ...]]
    words: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> value -> meaning


ROSTER_FIELDS = ("employee_id", "email", "birth_date", "birth_year", "department", "level",
                 "location", "hire_date", "termination_date", "termination_type", "salary")
PROGRAMME_FIELDS = ("program_name", "connection", "mentor_email", "mentee_email",
                    "program_start", "program_end", "start_date", "closed_on", "planned_end")
SESSION_FIELDS = ("connection", "date", "duration", "status", "topic", "session_id")

TOOLS: tuple[Tool, ...] = (
    Tool("crossgen", "roster", {
        "employee_id": ("employee_id",), "email": ("email",), "birth_year": ("birth_year",),
        "birth_date": ("birth_date",), "department": ("department",), "level": ("level",),
        "location": ("location",), "hire_date": ("hire_date",),
        "termination_date": ("termination_date",), "termination_type": ("termination_type",),
        "salary": ("salary",)}),
    Tool("Workday", "roster", {
        "employee_id": ("Employee ID", "Worker ID"), "email": ("Work Email", "Primary Work Email"),
        "birth_date": ("Date of Birth",), "department": ("Supervisory Organization",),
        "level": ("Management Level", "Job Level"), "location": ("Location",),
        "hire_date": ("Hire Date", "Original Hire Date"), "termination_date": ("Termination Date",),
        "termination_type": ("Primary Termination Reason", "Termination Category"),
        "salary": ("Annual Base Pay",)}),
    Tool("BambooHR", "roster", {
        "employee_id": ("Employee #",), "email": ("Work Email",), "birth_date": ("Birth Date",),
        "department": ("Department", "Division"), "level": ("Job Level",),
        "location": ("Location",), "hire_date": ("Hire Date",),
        "termination_date": ("Termination Date",),
        "termination_type": ("Termination Type", "Termination Reason"),
        "salary": ("Annual Salary",)}),
    Tool("SAP SuccessFactors", "roster", {
        "employee_id": ("Person ID External", "User ID"), "email": ("Business Email Address",),
        "birth_date": ("Date Of Birth",), "department": ("Department",),
        "level": ("Pay Grade",), "location": ("Location",), "hire_date": ("Hire Date",),
        "termination_date": ("Termination Date",), "termination_type": ("Event Reason",)}),
    Tool("ADP / UKG / Oracle", "roster", {
        "employee_id": ("Associate ID", "Employee Number", "Person Number", "EEID"),
        "email": ("Work Email Address", "Email Address"), "birth_date": ("Birth Date", "DOB"),
        "department": ("Home Department", "Cost Center"), "level": ("Grade", "Job Grade"),
        "location": ("Work Location",), "hire_date": ("Original Hire Date", "Hire Date"),
        "termination_date": ("Term Date", "Termination Date"),
        "termination_type": ("Termination Reason", "Term Reason", "Action Reason"),
        "salary": ("Annual Salary", "Base Salary")}),
    Tool("HiBob / Personio / Rippling", "roster", {
        "employee_id": ("Employee Id", "Employee Number", "Employee #"),
        "email": ("Email", "Email Address", "Work email"),
        "birth_date": ("Birthdate", "Date of birth"),
        "birth_year": ("Year of Birth", "Birth Year"),
        "department": ("Department", "Team"), "level": ("Level", "Seniority"),
        "location": ("Site", "Office"), "hire_date": ("Start Date", "Hire date"),
        "termination_date": ("End Date", "Termination date", "Leave date"),
        "termination_type": ("Termination Type", "Termination reason"),
        "salary": ("Salary", "Base salary")}),
    Tool("Chronus", "programme", {
        "program_name": ("Program Name", "Program"),
        "connection": ("Mentoring Connection Name", "Connection Name"),
        "mentor_email": ("Mentor Email Address", "Mentor Email"),
        "mentee_email": ("Mentee Email Address", "Mentee Email", "Student Email"),
        "program_start": ("Program Start Date",), "program_end": ("Program End Date",),
        "start_date": ("Start Date", "Started On", "Connection Start Date"),
        "closed_on": ("Closed On", "Ended On", "Closed Date"),
        "planned_end": ("End Date", "Expiry Date", "Expires On")}),
    Tool("Together / MentorcliQ", "programme", {
        "program_name": ("Program", "Programme"), "connection": ("Relationship", "Match ID"),
        "mentor_email": ("Mentor email",), "mentee_email": ("Mentee email",),
        "start_date": ("Match Date", "Relationship Start"),
        "closed_on": ("Completion Date", "Relationship End")}),
    Tool("crossgen", "sessions", {
        "connection": ("pair_id",), "date": ("date",), "duration": ("duration_minutes",),
        "status": ("status",), "topic": ("topic",), "session_id": ("session_id",)}),
    Tool("Chronus", "sessions", {
        "connection": ("Mentoring Connection Name", "Connection Name"),
        "date": ("Meeting Start Time", "Meeting Date"),
        "duration": ("Duration (Minutes)", "Duration", "Minutes"),
        "status": ("Meeting Status",), "topic": ("Meeting Topic", "Topic"),
        "session_id": ("Meeting ID",)},
        {"status": {"Completed": "held", "Held": "held", "Done": "held", "Attended": "held",
                    "Cancelled": "cancelled", "Canceled": "cancelled",
                    "Declined": "cancelled", "Rescheduled": "cancelled",
                    "No Show": "no_show", "No-show": "no_show", "no_show": "no_show",
                    "Missed": "no_show"}}),
)

# How an HRIS says why someone left: a value starting with one of these words (Workday's
# 'Voluntary > Resignation > …', BambooHR's 'Voluntary', a status 'Voluntarily Terminated',
# a reason 'Resigned'). Anything else needs a [roster.termination_types] line.
TERMINATION_WORDS: dict[str, tuple[str, ...]] = {
    "voluntary": ("voluntary", "voluntarily", "resign", "retire", "quit", "left for",
                  "employee initiated"),
    "involuntary": ("involuntary", "involuntarily", "terminat", "dismiss", "fired", "lay off",
                    "layoff", "laid off", "reduction in force", "redundan", "end of contract",
                    "end of assignment", "employer initiated", "for cause"),
}


def aliases(kind: str, name: str) -> list[str]:
    """Every header known for ``name`` in files of ``kind``, crossgen's own first."""
    out: dict[str, str] = {}  # spelling-blind key -> the first spelling
    for tool in TOOLS:
        if tool.kind == kind:
            for header in tool.columns.get(name, ()):
                out.setdefault(" ".join(header.lower().replace("_", " ").split()), header)
    return list(out.values())


def status_words(kind: str, name: str) -> dict[str, str]:
    """Lower-cased value -> meaning, from every tool's words for ``name``."""
    out: dict[str, str] = {}
    for tool in TOOLS:
        if tool.kind == kind:
            out.update({k.strip().lower(): v for k, v in tool.words.get(name, {}).items()})
    return out


def termination_pattern(kind: str) -> str:
    """A regular expression for values that start with a ``kind`` word (lower-cased text)."""
    words = "|".join(re.escape(w).replace(r"\ ", " ?") for w in TERMINATION_WORDS[kind])
    return rf"^(?:{words})"


def markdown_table() -> str:
    """The README's table: per kind and field, the headers each tool writes."""
    lines = ["| kind | field | headers recognised (case, spaces and `_` ignored) |",
             "| --- | --- | --- |"]
    for kind, fields in (("roster", ROSTER_FIELDS), ("programme", PROGRAMME_FIELDS),
                         ("sessions", SESSION_FIELDS)):
        for name in fields:
            known = aliases(kind, name)
            if known:
                lines.append(f"| {kind} | `{name}` | {', '.join(f'`{h}`' for h in known)} |")
    words = status_words("sessions", "status")
    for meaning in ("held", "cancelled", "no_show"):
        held = [k for k, v in words.items() if v == meaning]
        lines.append(f"| sessions | status `{meaning}` | {', '.join(f'`{w}`' for w in held)} |")
    for meaning, starts in TERMINATION_WORDS.items():
        lines.append(f"| roster | termination `{meaning}` (value starts with) | "
                     f"{', '.join(f'`{w}`' for w in starts)} |")
    return "\n".join(lines)
