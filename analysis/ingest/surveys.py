"""Survey exports -> administrations, items, responses, comments and construct scores.

Each vendor layout has a small parser that turns its grid into a :class:`WideSurvey` (one row per
respondent, one column per question, spreadsheet row numbers kept). Everything after that —
mapping labels to numbers, resolving people, validation, writing — is shared.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.ingest.columns import email_hash, find_column, parse_dates
from analysis.ingest.keys import resolve
from analysis.ingest.layouts import (
    DEFAULT_KEYS,
    LAYOUTS,
    Parser,
    WideSurvey,
    default_key,
    detect_layout,
    guess_key_type,
    match_columns,
)
from analysis.ingest.mapping import Question, SurveyMapping, builtin_scale, survey_mapping
from analysis.ingest.plan import Plan
from analysis.ingest.problems import ImportFailed, Problem, fail, first_few
from analysis.ingest.reading import read_grid
from analysis.ingest.scores import ITEMS_SQL, score_table
from analysis.store.codebook import ITEMS_BY_ID
from analysis.store.db import Store, incoming


def _qualtrics(grid: pd.DataFrame, file: str) -> WideSurvey:
    """Qualtrics CSV: ids row, question-text row, ImportId row (or the legacy two-row layout)."""
    if len(grid) < 2:
        raise fail(file, "The export has fewer than the two header rows a Qualtrics CSV starts "
                         "with.", "Export the responses again from Qualtrics (Data & Analysis > "
                         "Export > CSV) and import the complete file.", row=1)
    legacy = not grid.iloc[2].str.startswith('{"ImportId"').any() if len(grid) > 2 else True
    ids = [c.strip() for c in grid.iloc[0]]
    texts_row = [c.strip() for c in grid.iloc[1]]
    if legacy:
        # Legacy: row 0 is V1..Vn for metadata (real names in row 1), Q ids for questions.
        ids = [t if re.fullmatch(r"V\d+", i) else i for i, t in zip(ids, texts_row, strict=True)]
        start = 2
    else:
        start = 3
    body = grid.iloc[start:]
    body.columns = pd.Index(ids)
    body = body.loc[:, ~body.columns.duplicated()]
    rows_in = len(body)
    dropped: dict[str, int] = {}
    # Rows are dropped once, at the end: each test counts among the rows the earlier ones kept.
    keep = np.ones(len(body), dtype=bool)
    channel = find_column(ids, ["DistributionChannel"])
    if channel:
        preview = (body[channel].str.strip().str.lower() == "preview").to_numpy()
        dropped["preview responses"] = int(preview.sum())
        keep &= ~preview
    status = find_column(ids, ["Status"])
    if status:
        preview = body[status].str.strip().str.lower().isin(["1", "survey preview"]).to_numpy()
        dropped["preview responses"] = (dropped.get("preview responses", 0)
                                        + int((preview & keep).sum()))
        keep &= ~preview
    finished = find_column(ids, ["Finished"])
    if finished:
        done = body[finished].str.strip().str.lower().isin(["1", "true"]).to_numpy()
        dropped["unfinished responses"] = int((keep & ~done).sum())
        keep &= done
    if not keep.all():  # a copy of every column otherwise
        body = body[keep]
    body.insert(0, "row", body.index + 1)
    submitted = find_column(ids, ["RecordedDate", "EndDate"])
    return WideSurvey("qualtrics-legacy" if legacy else "qualtrics", body,
                      dict(zip(ids, texts_row, strict=True)), submitted, rows_in,
                      {k: v for k, v in dropped.items() if v})


PARSERS: dict[str, Parser] = {
    "qualtrics": _qualtrics,
    "qualtrics-legacy": _qualtrics,
    **LAYOUTS,
}


def detect_format(grid: pd.DataFrame) -> str | None:
    if len(grid) > 2 and grid.iloc[2].str.startswith('{"ImportId"').any():
        return "qualtrics"
    if "ResponseID" in {c.strip() for c in grid.iloc[1]} if len(grid) > 1 else False:
        return "qualtrics-legacy"
    return detect_layout(grid)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _to_values(wide: WideSurvey, mapping: SurveyMapping, file: str,
               problems: list[Problem], absent: list[str],
               matched: dict[str, str]) -> list[tuple[str, np.ndarray]]:
    """Per mapped item, its value on every row of the frame (NaN: unanswered or refused)."""
    frame = wide.frame
    # First every column's distinct labels (a handful each), then all of them parsed at once.
    found: list[Problem | tuple[Question, str, np.ndarray, int]] = []
    distinct = []
    for q in mapping.questions:
        hits = match_columns(wide, q.column)
        if len(hits) > 1:
            found.append(Problem(file, f"The mapped question '{q.column}' matches "
                                       f"{len(hits)} columns: {first_few(hits, 3)}.",
                                 "Use the exact column header (or id) in the mapping file.",
                                 row=1, column=q.column))
            continue
        if not hits:
            if not q.required:
                absent.append(q.column)
                continue
            found.append(Problem(file, f"The mapped question column '{q.column}' is not in "
                                       "the file.",
                                 "Correct the column name in the mapping file (the column id, "
                                 "header or question text as exported), or remove the "
                                 "question, or mark it required = false.",
                                 row=1, column=q.column))
            continue
        column = matched[q.item] = hits[0]
        codes, uniques = pd.factorize(frame[column])
        found.append((q, column, codes, len(uniques)))
        distinct.append(np.asarray(uniques, dtype=object))
    seen = pd.Series(np.concatenate(distinct) if distinct else [], dtype=object)
    labels_all = seen.astype(str).str.strip()
    numbers_all = pd.to_numeric(labels_all.where(labels_all != ""), errors="coerce")
    lower_all = labels_all.str.lower().to_numpy(dtype=object)
    labels_all_np = labels_all.to_numpy(dtype=object)
    numbers_all_np = numbers_all.to_numpy(dtype=float)
    out = []
    at = 0
    for entry in found:
        if isinstance(entry, Problem):
            problems.append(entry)
            continue
        q, column, codes, n = entry
        part = slice(at, at + n)
        at += n
        rows = wide.cell_rows.get(column, frame["row"]).to_numpy()
        named = np.array([q.scale.labels.get(x, np.nan) for x in lower_all[part]], dtype=float)
        parsed = np.where(np.isnan(numbers_all_np[part]), named, numbers_all_np[part])
        # Code -1 (a missing cell) takes the extra last slot: unanswered.
        label = np.append(labels_all_np[part], "")
        value = np.append(parsed, np.nan)[codes]
        answered = (label != "")[codes]
        unmapped = answered & np.isnan(value)
        if unmapped.any():
            labels = sorted(set(label[np.unique(codes[unmapped])]))
            problems.append(Problem(
                file, f"{int(unmapped.sum())} answer(s) use label(s) not in scale "
                      f"'{q.scale.name}': {first_few(labels)}.",
                f"Add them under [scales.{q.scale.name}] labels in the mapping file, or map "
                "the question to the right scale.",
                row=int(rows[unmapped.argmax()]), column=column))
        with np.errstate(invalid="ignore"):
            out_of_range = ~np.isnan(value) & ~((value >= q.scale.minimum)
                                                & (value <= q.scale.maximum))
        if out_of_range.any():
            first = int(out_of_range.argmax())
            problems.append(Problem(
                file, f"{int(out_of_range.sum())} value(s) lie outside {q.scale.minimum:g}–"
                      f"{q.scale.maximum:g}, e.g. {label[codes[first]]!r}.",
                "Check the export's recoding or the scale in the mapping file.",
                row=int(rows[first]), column=column))
        out.append((q.item, np.where(out_of_range, np.nan, value)))
    return out


def _long_table(answers: np.ndarray, item_ids: list[str],
                columns: dict[str, pa.Array]) -> pa.Table:
    """One row per answer, respondent by respondent as in the file (a person's answers next to
    each other also compress far better in DuckDB): ``columns`` (one entry per frame row) are
    taken along, plus item_id and value. ``answers`` is rows × items, NaN where none is kept."""
    rows, which = np.nonzero(~np.isnan(answers))
    items = pa.array(item_ids, pa.string())
    return pa.table({**{n: c.take(rows) for n, c in columns.items()},
                     "item_id": items.take(which), "value": answers[rows, which]})


def _codebook_questions(wide: WideSurvey, file: str) -> list[Question]:
    """crossgen's long CSV names its items: codebook items need no [[questions]] block."""
    items = [c for c in wide.frame.columns if c not in ("row", "employee_id", "submitted_at")]
    unknown = [i for i in items if i not in ITEMS_BY_ID]
    if unknown:
        raise fail(file, f"item_id(s) not in crossgen's codebook: {first_few(unknown)}.",
                   "Map them with [[questions]] blocks (item, construct, scale) in the mapping "
                   "file, or correct the item ids.", column="item_id")
    return [Question(i, i, ITEMS_BY_ID[i].construct, builtin_scale(ITEMS_BY_ID[i].scale),
                     ITEMS_BY_ID[i].reverse_coded) for i in items]


def _resolve_keys(store: Store, wide: WideSurvey, mapping: SurveyMapping, file: str,
                  problems: list[Problem], warnings: list[Problem]) -> tuple[pd.Series, str]:
    frame = wide.frame
    if mapping.key_column:
        column = find_column(list(frame.columns), [mapping.key_column])
    else:
        column = default_key(wide)
    if column is None:
        wanted = mapping.key_column or " or ".join(
            repr(k) for k in DEFAULT_KEYS.get(wide.format, ["ExternalReference"]))
        raise fail(file, f"The key column {wanted} is not in the file, so no answer can be "
                         "matched to the roster.",
                   "Set key_column in the mapping file to the column holding the employee id or "
                   "email (for Qualtrics, ExternalReference or RecipientEmail; for SurveyMonkey, "
                   "Email Address or a Custom Data column).",
                   row=1, column=mapping.key_column or DEFAULT_KEYS.get(wide.format, [None])[0])
    raw = frame[column].astype(str).str.strip()
    key_type = mapping.key_type or guess_key_type(raw)
    if key_type == "email":
        ids = resolve(store, email_hash(raw, store.meta("email_hash_key") or ""),
                      by="email_hash")
    else:
        ids = resolve(store, raw, by="employee_id")
    blank = raw == ""
    unknown = ids.isna() & ~blank
    if (blank | unknown).all() and len(frame):
        raise fail(file, f"None of the {len(frame)} respondents match the roster by "
                         f"'{column}' ({key_type}).",
                   "Import the roster first, or point key_column/key_type at the right column.",
                   row=int(frame["row"].iloc[0]), column=column)
    if unknown.any():
        noun = "email(s)" if key_type == "email" else "employee id(s)"
        shown = first_few(sorted(set(raw[unknown].str.lower() if key_type == "email"
                                     else raw[unknown])))
        if mapping.skip_unknown:
            warnings.append(Problem(
                file, f"{int(unknown.sum())} respondent {noun} are not in the roster and were "
                      f"skipped: {shown}.",
                "Import a roster that includes them, or ignore if they are not employees.",
                row=int(frame["row"][unknown].iloc[0]), column=column))
        else:
            problems.append(Problem(
                file, f"{int(unknown.sum())} respondent {noun} are not in the roster: {shown}.",
                "Import a roster that includes them or correct the key; to import the others "
                "anyway, set skip_unknown_respondents = true under [survey].",
                row=int(frame["row"][unknown].iloc[0]), column=column))
    if blank.any():
        warnings.append(Problem(file, f"{int(blank.sum())} response(s) have no respondent key "
                                      "and were skipped.",
                                "Distribute the survey through a contact list so each response "
                                "carries the employee's id or email.",
                                row=int(frame["row"][blank].iloc[0]), column=column))
    return ids, column


def plan_survey(store: Store, path: Path, data: bytes, *, mapping: Path | None,
                cohort: str | None = None, phase: str | None = None) -> Plan:
    file = path.name
    if mapping is None:
        raise fail(file, "A survey import needs a mapping file.",
                   "Pass --mapping with a TOML mapping (see data/examples/ and "
                   "data/survey-template/mapping.toml).")
    spec = survey_mapping(mapping, cohort=cohort, phase=phase)
    grid = read_grid(path, data)
    if spec.format is not None and spec.format not in PARSERS:
        raise fail(mapping.name, f"format = '{spec.format}' is not a survey format crossgen "
                                 "reads.",
                   f"Use one of {', '.join(PARSERS)}, or remove format to detect it.")
    fmt = spec.format or detect_format(grid)
    if fmt is None:
        raise fail(file, "The survey layout is not one crossgen knows (the first rows match no "
                         "Qualtrics, SurveyMonkey, Microsoft Forms, Google Forms or crossgen "
                         "long-CSV header).",
                   "Import the export unchanged as the tool wrote it (no edited header rows), "
                   "or set format in the mapping file to one of "
                   f"{', '.join(PARSERS)}.", row=1)
    wide = PARSERS[fmt](grid, file)
    if wide.frame.empty:
        raise fail(file, "The export has no completed responses.",
                   "Export again once responses are recorded (unfinished and preview responses "
                   "are not imported).")
    if not spec.questions:
        if fmt != "crossgen-long":
            raise fail(mapping.name, "No [[questions]] are mapped.",
                       "Add a [[questions]] block for each question column to import.")
        spec = replace(spec, questions=_codebook_questions(wide, file))
    problems: list[Problem] = []
    warnings: list[Problem] = []
    if spec.kind == "programme":
        exists = store.scalar("select count(*) from cohorts where cohort_id = ?", [spec.cohort])
        if not exists:
            problems.append(Problem(file, f"Cohort '{spec.cohort}' is not in the database.",
                                    "Import the programme file first, or correct the cohort."))
    ids, key_column = _resolve_keys(store, wide, spec, file, problems, warnings)
    frame = wide.frame.assign(employee_id=ids.to_numpy())
    # Survey tools write submission times month first unless the account's locale says
    # otherwise (then the mapping's date_format); a day over 12 in the column decides anyway.
    submitted = (parse_dates(frame[wide.submitted_column], file=file,
                             column=wide.submitted_column, rows=frame["row"], problems=problems,
                             date_format=spec.date_format, default_order="mdy",
                             section="survey")
                 if wide.submitted_column else pd.Series(pd.NaT, index=frame.index))
    frame = frame.assign(submitted_at=submitted)
    dup = frame[frame["employee_id"].notna() & frame.duplicated("employee_id", keep=False)]
    if len(dup):
        problems.append(Problem(
            file, f"{dup['employee_id'].nunique()} respondent(s) answered more than once "
                  f"(rows {', '.join(map(str, dup['row'].head(6)))}).",
            "Keep one response per person in this administration (delete the duplicates in "
            "the export), then import again.", row=int(dup["row"].iloc[0]),
            column=key_column))
    absent: list[str] = []
    matched: dict[str, str] = {}
    values = _to_values(wide, spec, file, problems, absent, matched)
    admin_id = _slug(spec.name)
    taken = store.scalar("select count(*) from administrations where administration_id = ?",
                         [admin_id])
    if taken:
        problems.append(Problem(file, f"A survey named '{spec.name}' is already imported.",
                                "Give this administration its own name in the mapping file."))
    if problems:
        raise ImportFailed(problems)

    person = frame["employee_id"].notna().to_numpy()
    people = frame.loc[person, ["row", "employee_id", "submitted_at"]]
    resp_col = find_column(list(frame.columns), ["ResponseId", "ResponseID"])
    response_ids = (frame[resp_col].astype(str) if resp_col
                    else admin_id + ":" + frame["row"].astype(str))
    # Respondents × items, NaN where no answer is kept (nobody's answers for unknown people).
    item_ids = [item for item, _ in values]
    answers = (np.column_stack([v for _, v in values]) if values
               else np.empty((len(frame), 0), dtype=float))
    answers[~person] = np.nan
    respondents = pa.array(frame["employee_id"].to_numpy(dtype=object), pa.string(),
                           from_pandas=True)
    # Arrow columns all the way into DuckDB: no per-row Python objects for 18M answers.
    long = _long_table(answers, item_ids, {
        "response_id": pa.array(response_ids.to_numpy(dtype=object), pa.string()),
        "employee_id": respondents,
        "submitted_at": pa.Array.from_pandas(frame["submitted_at"].astype("datetime64[us]")),
    })
    items = pd.DataFrame([{
        "item_id": q.item, "construct": q.construct,
        "text": q.text or (ITEMS_BY_ID[q.item].text if q.item in ITEMS_BY_ID
                           else matched.get(q.item, q.column)),
        "scale_min": q.scale.minimum, "scale_max": q.scale.maximum,
        "reverse_coded": q.reverse_coded,
    } for q in spec.questions])
    comments = _comments(wide, frame, spec, admin_id)
    opened = people["submitted_at"].min()
    closed = people["submitted_at"].max()

    def write(con: duckdb.DuckDBPyConnection, import_id: int) -> None:
        con.execute(
            "insert into administrations values (?, ?, ?, ?, ?, ?, ?, ?)",
            [admin_id, spec.name, spec.kind, spec.cohort, spec.phase,
             None if pd.isna(opened) else opened.to_pydatetime(),
             None if pd.isna(closed) else closed.to_pydatetime(), import_id],
        )
        with incoming(con, incoming_items=items):
            con.execute("insert or ignore into items select item_id, construct, text, "
                        "scale_min, scale_max, reverse_coded from incoming_items")
            # Scored with the items as stored (an item imported before keeps its definition).
            definitions = con.execute(ITEMS_SQL).df()
        with incoming(con, incoming_responses=long, incoming_comments=comments):
            con.execute("insert into responses select response_id, ?, employee_id, "
                        "submitted_at, item_id, value from incoming_responses", [admin_id])
            con.execute("insert into comments select administration_id, employee_id, item_id, "
                        "text from incoming_comments")
        scores = score_table(answers, item_ids, definitions, respondents)
        with incoming(con, incoming_scores=scores):  # a new administration: no scores yet
            con.execute("insert into construct_scores select ?, employee_id, construct, score, "
                        "items_answered, items_total from incoming_scores", [admin_id])

    summary: dict[str, object] = {
        "administration": admin_id, "respondents": int(people["employee_id"].nunique()),
        "answers": long.num_rows,
    }
    summary.update(wide.dropped)
    if absent:
        summary["optional questions not in this file"] = len(absent)
    return Plan(wide.format, wide.rows_in, len(people), write, warnings=warnings,
                summary=summary)


def _comments(wide: WideSurvey, frame: pd.DataFrame, spec: SurveyMapping,
              admin_id: str) -> pd.DataFrame:
    parts = []
    for wanted in spec.comment_columns:
        hits = match_columns(wide, wanted)
        if len(hits) != 1:
            continue
        column = hits[0]
        text = frame[column].astype(str).str.strip()
        keep = (text != "") & frame["employee_id"].notna()
        parts.append(pd.DataFrame({"administration_id": admin_id,
                                   "employee_id": frame["employee_id"][keep],
                                   "item_id": column, "text": text[keep]}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in
                             ("administration_id", "employee_id", "item_id", "text")})
    return pd.concat(parts, ignore_index=True).astype({"employee_id": str})


__all__ = ["PARSERS", "WideSurvey", "detect_format", "np", "plan_survey"]
