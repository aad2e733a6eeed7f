"""``crossgen mapping`` for a roster, programme (connections) or sessions export: a draft of its
``[roster]``, ``[programme]`` or ``[sessions]`` mapping (the format is analysis/ingest/mapping.py).

Each field gets the export's header when it is one the tools write (analysis/ingest/synonyms.py),
else the header whose words say the field (``Personnel Number`` → employee_id, ``Leaving Date`` →
termination_date), checked against the values (emails hold '@', dates read as dates), with a
comment saying it is a guess. What the file cannot tell — a day/month order no value settles, a
leaving reason or meeting status no built-in word covers — is written commented out and marked
DECIDE: the import refuses until a person decides.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from analysis.ingest.columns import find_column, non_blank_rows
from analysis.ingest.dates import file_order
from analysis.ingest.profile import one_line
from analysis.ingest.reading import read_grid
from analysis.ingest.synonyms import (
    PROGRAMME_FIELDS,
    ROSTER_FIELDS,
    SESSION_FIELDS,
    aliases,
    status_words,
    termination_pattern,
)

FIELDS = {"roster": ROSTER_FIELDS, "programme": PROGRAMME_FIELDS, "sessions": SESSION_FIELDS}
# Words that say a field in a header no tool table lists (lower case, whole words).
HINTS: dict[str, set[str]] = {
    "employee_id": {"personnel", "staff", "person", "worker", "employee", "associate", "id",
                    "number", "no"},
    "email": {"email", "mail", "e"},
    "birth_date": {"birth", "dob", "born", "birthday"},
    "birth_year": {"birth", "year", "born"},
    "department": {"department", "dept", "org", "unit", "division", "team", "function"},
    "level": {"level", "grade", "band", "seniority", "rank", "career"},
    "location": {"location", "site", "office", "city", "country", "workplace"},
    "hire_date": {"hire", "hired", "joined", "joining", "entry", "start", "seniority"},
    "termination_date": {"termination", "exit", "leaving", "leave", "left", "separation",
                         "end"},
    "termination_type": {"termination", "exit", "leaving", "separation", "status", "reason",
                         "type"},
    "salary": {"salary", "pay", "compensation", "wage", "base"},
    "program_name": {"program", "programme", "track"},
    "connection": {"connection", "pair", "match", "relationship", "group"},
    "mentor_email": {"mentor", "email"},
    "mentee_email": {"mentee", "student", "protege", "email"},
    "program_start": {"program", "programme", "start"},
    "program_end": {"program", "programme", "end"},
    "start_date": {"start", "started", "began", "matched"},
    "closed_on": {"closed", "ended", "completed", "completion"},
    "planned_end": {"expiry", "expires", "planned", "end"},
    "date": {"date", "time", "when", "meeting", "start"},
    "duration": {"duration", "minutes", "length", "mins"},
    "status": {"status", "state", "outcome"},
    "topic": {"topic", "subject", "agenda"},
    "session_id": {"meeting", "session", "id"},
}
GENERIC = {"date", "of", "the", "on", "at", "in", "original", "actual", "current", "primary"}
DATE_FIELDS = {"birth_date", "hire_date", "termination_date", "program_start", "program_end",
               "start_date", "closed_on", "planned_end", "date"}
# crossgen's own CSV layouts (README, "Bring your own data"): nothing to map.
OWN_LAYOUT = {"programme": ["cohort_id", "employee_id", "role"],
              "sessions": ["pair_id", "date", "status"]}
EMAIL_FIELDS = {"email", "mentor_email", "mentee_email"}
DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}|^[a-z]{3,9}\.? \d{1,2},? \d{4}|"
                       r"^\d{1,2}[- ][a-z]{3,9}\.?[- ]\d{2,4}|^\d{5}(?:\.\d+)?$", re.IGNORECASE)
NUMERIC_DATE = re.compile(r"^\d{1,2}[-/]\d{1,2}[-/]\d{2,4}")


def quote(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; DEL must be escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _words(text: str) -> set[str]:
    """A header's words, without those that say nothing of the field ('Original Start Date')."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    return words - GENERIC or words


def _frame(path: Path) -> tuple[pd.DataFrame, int]:
    """The body under the header row (the first of the widest rows among the first 15)."""
    grid = read_grid(path)
    head = grid.head(15)
    widths = [int((head.iloc[i].str.strip() != "").sum()) for i in range(len(head))]
    at = widths.index(max(widths))
    body = grid.iloc[at + 1:]
    body = body[non_blank_rows(body)]
    body.columns = pd.Index([c.strip() for c in grid.iloc[at]])
    return body, at + 1


def _fits(field: str, values: pd.Series) -> bool:
    present = values.astype(str).str.strip()
    present = present[present != ""]
    if present.empty:
        return field not in EMAIL_FIELDS
    if field in EMAIL_FIELDS:
        return bool(present.str.contains("@").mean() > 0.5)
    if field in DATE_FIELDS:
        return bool(present.str.contains(DATE_LIKE).mean() > 0.9)
    if field == "employee_id":
        return not present.duplicated().any() and not present.str.contains("@").any()
    return not present.str.contains("@").any()


def _columns(kind: str, body: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """field -> (header, why): known headers first, then the best-worded guess that fits."""
    headers = [c for c in body.columns if c]
    found: dict[str, tuple[str, str]] = {}
    for field in FIELDS[kind]:
        hit = find_column([h for h in headers if h not in _used(found)], aliases(kind, field))
        if hit is not None:
            found[field] = (hit, "a header the tools write")
    for field in FIELDS[kind]:
        if field in found:
            continue
        scored = sorted(((len(_words(h) & HINTS.get(field, set())) / len(_words(h) or {""}), h)
                         for h in headers if h not in _used(found)), reverse=True)
        for score, header in scored:
            if score < 0.5:
                break
            if _fits(field, body[header]):
                found[field] = (header, f"guessed from its words ({score:.2f}); check")
                break
    if "birth_date" in found and "birth_year" in found:
        found.pop("birth_year")
    return found


def _used(found: dict[str, tuple[str, str]]) -> set[str]:
    return {h for h, _ in found.values()}


def _date_lines(kind: str, body: pd.DataFrame, found: dict[str, tuple[str, str]]) -> list[str]:
    dates = [body[h] for f, (h, _) in found.items() if f in DATE_FIELDS]
    numeric = [d for d in dates if d.astype(str).str.strip().str.match(NUMERIC_DATE).any()]
    if not numeric:
        return []
    order = file_order(numeric)
    if order is not None:
        name = "day-first" if order == "dmy" else "month-first"
        return [f"# date_format = {quote(name)}  # not needed: the dates show it (a day "
                "over 12)"]
    return ['# date_format = "day-first"  # DECIDE: no date in the file says whether '
            "03/01 is 3 January (day-first) or 1 March (month-first)"]


def _undecided_values(values: pd.Series, known: dict[str, str] | None,
                      pattern: list[str]) -> list[str]:
    text = values.astype(str).str.strip()
    distinct = [str(v) for v in pd.unique(text[text != ""])]
    out = []
    for value in distinct:
        lower = value.lower()
        if known is not None and lower in known:
            continue
        if any(re.search(p, lower) for p in pattern):
            continue
        out.append(value)
    return out


def _roster_extra(body: pd.DataFrame, found: dict[str, tuple[str, str]]) -> list[str]:
    if "termination_type" not in found:
        return []
    values = body[found["termination_type"][0]]
    if "termination_date" in found:
        left = body[found["termination_date"][0]].astype(str).str.strip() != ""
        values = values[left]
    open_ = _undecided_values(values, None, [termination_pattern("voluntary"),
                                             termination_pattern("involuntary")])
    if not open_:
        return []
    lines = ["", "[roster.termination_types]  # value = voluntary | involuntary | other"]
    lines += [f'# {quote(v)} = "voluntary"  # DECIDE: voluntary, involuntary or other'
              for v in open_]
    return lines


def _sessions_extra(body: pd.DataFrame, found: dict[str, tuple[str, str]]) -> list[str]:
    if "status" not in found:
        return []
    open_ = _undecided_values(body[found["status"][0]], status_words("sessions", "status"), [])
    if not open_:
        return []
    lines = ["", "[sessions.statuses]  # value = held | cancelled | no_show"]
    lines += [f'# {quote(v)} = "held"  # DECIDE: held, cancelled or no_show' for v in open_]
    return lines


def _cohorts(body: pd.DataFrame, found: dict[str, tuple[str, str]]) -> list[str]:
    if "program_name" not in found:
        return []
    names = body[found["program_name"][0]].astype(str).str.strip()
    lines = []
    for name in pd.unique(names[names != ""]):
        slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
        lines += ["", "[[cohorts]]", f"program_name = {quote(str(name))}",
                  f"cohort_id = {quote(slug)}  # the id programme surveys name (--cohort)",
                  "# cost = 25000  # optional: what the programme cost, for ROI",
                  "# start_date = 2026-01-15  # optional: override the dates read from the file",
                  "# end_date = 2026-07-15"]
    return lines


def draft_table(path: Path, kind: str) -> str:
    """The draft mapping's text for a roster, programme or sessions export."""
    if kind not in FIELDS:
        raise ValueError(f"kind must be one of {', '.join(FIELDS)}, not {kind!r}")
    body, header_row = _frame(path)
    own = OWN_LAYOUT.get(kind)
    if own and all(find_column(list(body.columns), [c]) for c in own):
        return (f"# {path.name} is crossgen's own {kind} CSV ({', '.join(own)}, …): it imports "
                f"without a mapping.\n[{kind}]\n")
    found = _columns(kind, body)
    missing = [f for f in FIELDS[kind] if f not in found]
    lines = [f"# Draft crossgen mapping for {path.name} ({kind}, header on row {header_row}, "
             f"{len(body)} rows), written by `crossgen mapping`.",
             "# Check each column named below; lines marked DECIDE are yours. Then:",
             f"# crossgen check {path.name} --mapping THIS_FILE.toml --db …", "", f"[{kind}]"]
    if kind == "programme" and ("mentor_email" in found or "mentee_email" in found):
        lines.append('format = "platform"  # a mentoring platform\'s connections export')
    lines += _date_lines(kind, body, found)
    lines += ["", f"[{kind}.columns]  # field = the export's header"]
    for field in FIELDS[kind]:
        if field in found:
            header, why = found[field]
            lines.append(f"{field} = {quote(header)}  # {why}")
    for field in missing:
        lines.append(f'# {field} = "…"  # not found: name the header, or leave it out')
    unused = [h for h in body.columns if h and h not in _used(found)]
    if unused:
        lines.append(f"# Columns not read: {one_line(', '.join(unused), 150)}")
    extra = {"roster": _roster_extra, "sessions": _sessions_extra,
             "programme": _cohorts}[kind](body, found)
    return "\n".join(lines + extra) + "\n"
