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
from pathlib import Path
from typing import Any

from analysis.codebook import ITEMS_BY_ID, SCALE_RANGE, SCALES
from analysis.ingest.problems import ImportFailed, Problem, fail


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


@dataclass(frozen=True)
class CohortSpec:
    program_name: str
    cohort_id: str
    cost: float | None = None


@dataclass(frozen=True)
class ProgrammeMapping:
    format: str | None
    cohorts: list[CohortSpec]


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
    )


def programme_mapping(path: Path | None) -> ProgrammeMapping:
    if path is None:
        return ProgrammeMapping(None, [])
    raw = load_toml(path)
    cohorts = []
    for idx, c in enumerate(raw.get("cohorts", []), start=1):
        if "program_name" not in c or "cohort_id" not in c:
            raise fail(path.name, f"[[cohorts]] #{idx} needs program_name and cohort_id.",
                       'Add program_name = "…" (as in the export) and cohort_id = "C1".')
        cost = c.get("cost")
        cohorts.append(CohortSpec(str(c["program_name"]), str(c["cohort_id"]),
                                  None if cost is None else float(cost)))
    return ProgrammeMapping(raw.get("programme", {}).get("format"), cohorts)
