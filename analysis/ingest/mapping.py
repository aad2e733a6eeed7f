"""Mapping files (TOML): what an export is and how its columns become crossgen's data.

A survey mapping::

    [survey]
    name = "Pulse 2025-03"          # the administration's name ({cohort}, {phase} filled in)
    kind = "pulse"                  # or "programme" (then cohort and phase)
    cohort = "C1"
    phase = "pre"
    format = "qualtrics"            # optional: detected from the file when absent
    key_column = "ExternalReference"  # optional: each format has a default
    key_type = "employee_id"        # or "email"; optional: guessed from the values
    skip_unknown_respondents = false  # true: skip people not in the roster instead of refusing
    comment_columns = ["Q99_TEXT"]  # free text, shown only to groups of 10 or more

    [scales.frequency]              # optional: your own label -> number map
    min = 1
    max = 5
    labels = { "Never" = 1, "Rarely" = 2, "Sometimes" = 3, "Often" = 4, "Always" = 5 }

    [[questions]]
    column = "Q3_1"                 # the export's column id, header or question text
    item = "incl_belong"
    construct = "inclusion"
    scale = "agree5"                # built in: agree5, proficiency5, satisfied5, likely11
    reverse_coded = false
    required = true                 # false: the file may lack this column (post-only items)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from analysis.ingest.dates import DATE_ORDERS
from analysis.ingest.problems import ImportFailed, Problem, fail
from analysis.ingest.synonyms import PROGRAMME_FIELDS, ROSTER_FIELDS, SESSION_FIELDS
from analysis.store.codebook import ITEMS_BY_ID, SCALE_RANGE, SCALES


@dataclass(frozen=True)
class Scale:
    name: str
    minimum: float
    maximum: float
    labels: dict[str, float]


@dataclass(frozen=True)
class Question:
    column: str
    item: str
    construct: str
    scale: Scale
    reverse_coded: bool = False
    text: str | None = None
    required: bool = True


@dataclass(frozen=True)
class SurveyMapping:
    name: str
    kind: str
    key_column: str | None
    key_type: str | None
    questions: list[Question]
    format: str | None = None
    skip_unknown: bool = False
    cohort: str | None = None
    phase: str | None = None
    comment_columns: list[str] = field(default_factory=list)
    date_format: str | None = None  # submission times; unset: the layout's own (month first)


@dataclass(frozen=True)
class CohortSpec:
    program_name: str
    cohort_id: str
    cost: float | None = None
    start_date: date | None = None  # overrides the date derived from the file
    end_date: date | None = None


@dataclass(frozen=True)
class ProgrammeMapping:
    format: str | None
    cohorts: list[CohortSpec]
    columns: dict[str, str] = field(default_factory=dict)  # field -> the export's header
    date_format: str | None = None
    as_of: date | None = None  # where open connections end (default: the roster's as-of date)


@dataclass(frozen=True)
class RosterMapping:
    """``[roster]``: which header holds what, how dates are written, what exits mean."""

    columns: dict[str, str] = field(default_factory=dict)  # field -> the export's header
    date_format: str | None = None
    two_digit_year_pivot: int | None = None  # birth dates: YY below it -> 20YY, else 19YY
    termination_types: dict[str, str] = field(default_factory=dict)  # lower-cased value -> type


@dataclass(frozen=True)
class SessionsMapping:
    columns: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    statuses: dict[str, str] = field(default_factory=dict)  # lower-cased value -> status


def builtin_scale(name: str) -> Scale:
    lo, hi = SCALE_RANGE[name]
    return Scale(name, lo, hi, {k: float(v) for k, v in SCALES[name].items()})


def load_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise fail(path.name, "The mapping file does not exist.",
                   "Check the path given to --mapping.") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise fail(path.name, f"The mapping file is not valid TOML ({exc}).",
                   "Correct the syntax; see data/examples/ for working mapping files.") from exc


def survey_mapping(path: Path, *, cohort: str | None = None,
                   phase: str | None = None) -> SurveyMapping:
    """Read and validate a survey mapping; command-line cohort/phase override the file's."""
    raw = load_toml(path)
    file = path.name
    problems: list[Problem] = []

    def need(table: dict[str, Any], key: str, where: str) -> Any:
        if key not in table or table[key] in ("", None):
            problems.append(Problem(file, f"'{key}' is missing in [{where}].",
                                    f"Add {key} = \"…\" under [{where}]."))
            return None
        return table[key]

    survey = raw.get("survey", {})
    name = need(survey, "name", "survey")
    kind = survey.get("kind", "pulse")
    if kind not in ("pulse", "programme"):
        problems.append(Problem(file, f"kind = '{kind}' is not a survey kind.",
                                'Use kind = "pulse" or kind = "programme".'))
    cohort = cohort or survey.get("cohort")
    phase = phase or survey.get("phase")
    if kind == "programme" and (not cohort or phase not in ("pre", "post")):
        problems.append(Problem(file, "A programme survey needs its cohort and phase.",
                                'Add cohort = "C1" and phase = "pre" or "post" under [survey], '
                                "or pass --cohort and --phase."))
    key_type = survey.get("key_type")
    if key_type not in (None, "employee_id", "email"):
        problems.append(Problem(file, f"key_type = '{key_type}' is not supported.",
                                'Use key_type = "employee_id" or "email".'))
    scales = {n: builtin_scale(n) for n in SCALES}
    for sname, spec in raw.get("scales", {}).items():
        try:
            labels = {str(k).strip().lower(): float(v) for k, v in spec["labels"].items()}
            scales[sname] = Scale(sname, float(spec["min"]), float(spec["max"]), labels)
        except (KeyError, TypeError, ValueError, AttributeError):
            problems.append(Problem(file, f"[scales.{sname}] is incomplete.",
                                    "Give min, max and labels = { \"Label\" = number, … }."))
    questions = []
    for idx, q in enumerate(raw.get("questions", []), start=1):
        where = f"questions #{idx}"
        column, item = need(q, "column", where), need(q, "item", where)
        known = ITEMS_BY_ID.get(str(item)) if item else None
        construct = q.get("construct") or (known.construct if known else None)
        scale_name = q.get("scale") or (known.scale if known else None)
        if not construct:
            problems.append(Problem(file, f"{where} ('{item}') has no construct.",
                                    'Add construct = "inclusion" (or another construct id).'))
        if scale_name not in scales:
            problems.append(Problem(file, f"{where} uses unknown scale '{scale_name}'.",
                                    f"Use one of {', '.join(sorted(scales))} or define "
                                    f"[scales.{scale_name}]."))
        if column and item and construct and scale_name in scales:
            reverse = q.get("reverse_coded", known.reverse_coded if known else False)
            questions.append(Question(str(column), str(item), str(construct), scales[scale_name],
                                      bool(reverse), q.get("text"),
                                      bool(q.get("required", True))))
    date_format = _date_format(survey, "survey", file, problems)
    if problems:
        raise ImportFailed(problems)
    # One mapping can serve every wave: "{cohort}" and "{phase}" in the name are filled in.
    name = str(name).replace("{cohort}", str(cohort or "")).replace("{phase}", str(phase or ""))
    return SurveyMapping(
        name=name, kind=kind,
        key_column=str(survey["key_column"]) if survey.get("key_column") else None,
        key_type=key_type, questions=questions, format=survey.get("format"),
        skip_unknown=bool(survey.get("skip_unknown_respondents", False)),
        cohort=cohort if kind == "programme" else None,
        phase=phase if kind == "programme" else None,
        comment_columns=[str(c) for c in survey.get("comment_columns", [])],
        date_format=date_format,
    )


def programme_mapping(path: Path | None) -> ProgrammeMapping:
    if path is None:
        return ProgrammeMapping(None, [])
    raw = load_toml(path)
    file = path.name
    problems: list[Problem] = []
    table = _table(raw, "programme", file, problems)
    cohorts = []
    for idx, c in enumerate(raw.get("cohorts", []), start=1):
        if "program_name" not in c or "cohort_id" not in c:
            raise fail(file, f"[[cohorts]] #{idx} needs program_name and cohort_id.",
                       'Add program_name = "…" (as in the export) and cohort_id = "C1".')
        cost = c.get("cost")
        where = f"[[cohorts]] #{idx}"
        start = _date_value(c.get("start_date"), f"{where} start_date", file, problems)
        end = _date_value(c.get("end_date"), f"{where} end_date", file, problems)
        if start and end and end < start:
            problems.append(Problem(file, f"{where}: end_date {end} is before start_date "
                                          f"{start}.", "Correct the two dates."))
        cohorts.append(CohortSpec(str(c["program_name"]), str(c["cohort_id"]),
                                  None if cost is None else float(cost), start, end))
    spec = ProgrammeMapping(
        table.get("format"), cohorts,
        columns=_columns(table, "programme", PROGRAMME_FIELDS, file, problems),
        date_format=_date_format(table, "programme", file, problems),
        as_of=_date_value(table.get("as_of"), "[programme] as_of", file, problems))
    if problems:
        raise ImportFailed(problems)
    return spec


def roster_mapping(path: Path | None) -> RosterMapping:
    """``[roster]`` of a mapping file (an empty mapping when there is none)."""
    if path is None:
        return RosterMapping()
    raw = load_toml(path)
    file = path.name
    problems: list[Problem] = []
    table = _table(raw, "roster", file, problems)
    types = _value_map(table, "roster", "termination_types", TERMINATION_TYPES, file, problems,
                       fix='Map each value to "voluntary", "involuntary" or "other" '
                           "(an exit retention counts as neither).")
    pivot = table.get("two_digit_year_pivot")
    if pivot is not None and (not isinstance(pivot, int) or not 0 <= pivot <= 99):
        problems.append(Problem(file, f"two_digit_year_pivot = {pivot!r} is not 0 to 99.",
                                "Set two_digit_year_pivot = 30 to read 29 as 2029 and 30 as "
                                "1930 (two-digit years below it are 20YY)."))
        pivot = None
    spec = RosterMapping(columns=_columns(table, "roster", ROSTER_FIELDS, file, problems),
                         date_format=_date_format(table, "roster", file, problems),
                         two_digit_year_pivot=pivot, termination_types=types)
    if problems:
        raise ImportFailed(problems)
    return spec


def sessions_mapping(path: Path | None) -> SessionsMapping:
    if path is None:
        return SessionsMapping()
    raw = load_toml(path)
    file = path.name
    problems: list[Problem] = []
    table = _table(raw, "sessions", file, problems)
    statuses = _value_map(table, "sessions", "statuses", ("held", "cancelled", "no_show"), file,
                          problems, fix='Map each value to "held", "cancelled" or "no_show".')
    spec = SessionsMapping(_columns(table, "sessions", SESSION_FIELDS, file, problems),
                           _date_format(table, "sessions", file, problems), statuses)
    if problems:
        raise ImportFailed(problems)
    return spec


TERMINATION_TYPES = ("voluntary", "involuntary", "other")


KEYS = {"roster": ("columns", "date_format", "two_digit_year_pivot", "termination_types"),
        "programme": ("format", "columns", "date_format", "as_of"),
        "sessions": ("columns", "date_format", "statuses")}


def _table(raw: dict[str, Any], name: str, file: str, problems: list[Problem]) -> dict[str, Any]:
    table = raw.get(name, {})
    if not isinstance(table, dict):
        problems.append(Problem(file, f"'{name}' is not a table.",
                                f"Write [{name}] on a line of its own, then its keys."))
        return {}
    unknown = sorted(set(table) - set(KEYS[name]))
    if unknown:  # a misspelt key would otherwise be ignored without a word
        problems.append(Problem(file, f"[{name}] has unknown key(s): {', '.join(unknown)}.",
                                f"Use only {', '.join(KEYS[name])} (see the README, 'Bring your "
                                "own data')."))
    return table


def _value_map(table: dict[str, Any], name: str, key: str, allowed: tuple[str, ...], file: str,
               problems: list[Problem], *, fix: str) -> dict[str, str]:
    """``[name.key]``: export value -> one of ``allowed``, keyed trimmed and lower-cased."""
    mapped = {}
    for value, target in table.get(key, {}).items():
        if target not in allowed:
            problems.append(Problem(file, f"[{name}.{key}] maps {value!r} to {target!r}.", fix))
        mapped[str(value).strip().lower()] = str(target)
    return mapped


def _columns(table: dict[str, Any], name: str, fields: tuple[str, ...], file: str,
             problems: list[Problem]) -> dict[str, str]:
    columns = table.get("columns", {})
    unknown = sorted(set(columns) - set(fields))
    if unknown:
        problems.append(Problem(file, f"[{name}.columns] has unknown field(s): "
                                      f"{', '.join(unknown)}.",
                                f"Use only {', '.join(fields)} (each = the export's header)."))
    return {k: str(v).strip() for k, v in columns.items() if k in fields}


def _date_format(table: dict[str, Any], name: str, file: str,
                 problems: list[Problem]) -> str | None:
    value = table.get("date_format")
    if value is None:
        return None
    text = str(value).strip()
    if text.lower() not in DATE_ORDERS and "%" not in text:
        problems.append(Problem(file, f"date_format = {value!r} under [{name}] is not a date "
                                      "order or pattern.",
                                'Use date_format = "day-first" (31/12/2025), "month-first" '
                                '(12/31/2025), or a pattern such as "%d/%m/%Y".'))
        return None
    return text


def _date_value(value: object, where: str, file: str, problems: list[Problem]) -> date | None:
    """A TOML date (2025-03-01) or an ISO date string."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(Problem(file, f"{where} = {value!r} is not a date.",
                                "Write it as 2025-03-01 (year-month-day)."))
        return None
