"""``crossgen mapping``: a draft mapping file for a survey export, for a person to finish.

Every question column gets a [[questions]] block: its scale from the answer labels it holds
(analysis/ingest/scale_guess.py) and, where its wording matches a codebook item closely enough
(analysis/ingest/wording.py), that item and construct with the match score in a comment. Where
the draft cannot know, the construct line is left commented out — the file then refuses to
import until a person decides — and columns that are not ratings are commented out entirely.
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis.ingest.draft_tables import quote
from analysis.ingest.problems import ImportFailed, fail
from analysis.ingest.profile import QuestionColumn, SurveyProfile, one_line, profile_survey
from analysis.ingest.scale_guess import ScaleGuess
from analysis.ingest.wording import Match, match_items, statement
from analysis.store.codebook import CONSTRUCTS

SURVEY_KINDS = {"pulse": "pulse", "programme-survey": "programme"}
DECIDE = ("# construct = ", "# DECIDE")  # how an undecided construct line starts; tests fill it
# Statements where agreeing means less of a construct (an outsider, left out): reverse-coded.
NEGATIVE_WORDING = re.compile(
    r"\b(?:left out|outsider|excluded|isolated|ignored|overlooked|not|never|no one|nobody|"
    r"unfair|unfairly|difficult|hard to|struggle|worried|stressed|burn(?:ed|t)? out|"
    r"dismissed|undervalued|unheard|alone)\b", re.IGNORECASE)


def _slug(text: str, limit: int = 40) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    out = ""
    for word in words:
        if out and len(out) + 1 + len(word) > limit:
            break
        out = f"{out}_{word}" if out else word[:limit]
    return out or "question"


def _numbers(q: QuestionColumn) -> tuple[float | None, float | None]:
    values = []
    for label in q.labels:
        try:
            values.append(float(label))
        except ValueError:
            return None, None
    return (min(values), max(values)) if values else (None, None)


class _Scales:
    """Custom scales used by the draft, one block per distinct label map."""

    def __init__(self) -> None:
        self.blocks: dict[tuple[object, ...], tuple[str, ScaleGuess]] = {}

    def name(self, guess: ScaleGuess) -> str:
        if guess.builtin:
            return guess.name
        key = (guess.minimum, guess.maximum, tuple(guess.labels.items()))
        if key not in self.blocks:
            taken = {n for n, _ in self.blocks.values()}
            name = guess.name if guess.name not in taken else f"{guess.name}_{len(taken) + 1}"
            self.blocks[key] = (name, guess)
        return self.blocks[key][0]

    def lines(self) -> list[str]:
        out = []
        for name, guess in self.blocks.values():
            labels = ", ".join(f"{quote(k)} = {v:g}" for k, v in guess.labels.items())
            out += [f"[scales.{name}]  # {guess.how}", f"min = {guess.minimum:g}",
                    f"max = {guess.maximum:g}", f"labels = {{ {labels} }}", ""]
        return out


def _item_id(profile: SurveyProfile, q: QuestionColumn, taken: set[str]) -> str:
    base = _slug(q.column if profile.format.startswith("qualtrics") else statement(q.text))
    item, n = base, 2
    while item in taken:
        item, n = f"{base}_{n}", n + 1
    taken.add(item)
    return item


def _question(profile: SurveyProfile, q: QuestionColumn, match: Match | None, scales: _Scales,
              taken: set[str]) -> list[str]:
    sure = match is not None and match.sure
    head = "[[questions]]" if sure else "[[questions]]  # to decide: its construct"
    lines = [head, f"column = {quote(q.column)}"]
    if q.text and q.text != q.column:
        lines.append(f"# text: {one_line(q.text, 110)}")
    seen = f"{q.answered} answers" + (f": {one_line(', '.join(q.labels), 80)}"
                                      if q.labels else "")
    if match is not None and sure:
        item = match.item
        lines += [f"item = {quote(item.item_id)}",
                  f"construct = {quote(item.construct)}  # codebook item {item.item_id}, "
                  f"wording score {match.score:.2f}: {one_line(item.text, 70)}"]
        if q.scale is not None and q.scale.name == item.scale:
            lines.append(f"scale = {quote(item.scale)}  # {q.scale.how}")
        else:
            lines.append(f"scale = {quote(item.scale)}  # the codebook item's scale ({seen})")
        if item.reverse_coded:
            lines.append("reverse_coded = true  # as in the codebook")
        return lines
    if q.scale is None:
        raise ValueError(f"column {q.column!r} has no scale to draft")
    lines.append(f"item = {quote(_item_id(profile, q, taken))}")
    if match is not None:
        other = "" if match.fits else f", though on {match.item.scale}"
        lines.append(f"{DECIDE[0]}{quote(match.item.construct)}  {DECIDE[1]}: possible "
                     f"match, codebook item {match.item.item_id}{other}, wording score "
                     f"{match.score:.2f}: {one_line(match.item.text, 60)}")
    else:
        lines.append(f'{DECIDE[0]}""  {DECIDE[1]}: no codebook item reads like this question')
    negative = NEGATIVE_WORDING.search(statement(q.text))
    hint = (f"the wording reads negative ('{negative.group(0)}'): probably true"
            if negative else "true when a high answer means less of the construct")
    lines += [f"scale = {quote(scales.name(q.scale))}  # {q.scale.how}",
              f"reverse_coded = false  # {hint}"]
    return lines


def _left_out(q: QuestionColumn) -> list[str]:
    why = {"choice": "its answers have no order crossgen can tell",
           "empty": "nobody answered it, so its scale is unknown"}[q.role]
    shown = f" (answers: {one_line(', '.join(q.labels), 80)})" if q.labels else ""
    return [f"# Not drafted: {why}{shown}. To import it, define its scale and uncomment:",
            "# [[questions]]", f"# column = {quote(q.column)}",
            f"# item = {quote(_slug(statement(q.text)))}", '# construct = "…"',
            '# scale = "…"']


def _survey_table(profile: SurveyProfile, kind: str, name: str, cohort: str | None,
                  phase: str | None, comments: list[str]) -> list[str]:
    lines = ["[survey]", f"name = {quote(name)}  # the administration's name: one per wave"]
    if kind == "programme":
        lines.append('kind = "programme"  # the programme\'s own pre/post survey')
        lines.append(f"cohort = {quote(cohort)}" if cohort else
                     '# cohort = "…"  # the cohort id, or pass --cohort to crossgen import')
        lines.append(f"phase = {quote(phase)}" if phase else
                     '# phase = "pre"  # or "post", or pass --phase to crossgen import')
    else:
        lines.append('kind = "pulse"  # an org-wide survey; a programme\'s pre/post survey is '
                     '"programme" (crossgen mapping FILE --kind programme-survey)')
    lines.append(f"format = {quote(profile.format)}  # {profile.tool}")
    if profile.key_column:
        lines += [f"key_column = {quote(profile.key_column)}  # {profile.keys_filled} of "
                  f"{profile.respondents} responses carry a value",
                  f"key_type = {quote(profile.key_type or 'employee_id')}  # guessed from "
                  "its values"]
    else:
        lines.append('# key_column = "…"  # DECIDE: the column with the employee id or email')
    if comments:
        lines.append(f"comment_columns = [{', '.join(quote(c) for c in comments)}]  "
                     "# free text: shown only to groups of 10 or more")
    return lines


def draft_survey(profile: SurveyProfile, *, kind: str = "pulse", name: str | None = None,
                 cohort: str | None = None, phase: str | None = None) -> str:
    """The draft mapping's text for ``profile``; ``kind`` is pulse or programme-survey."""
    if kind not in SURVEY_KINDS:
        raise ValueError(f"kind must be one of {', '.join(SURVEY_KINDS)}, not {kind!r}")
    ratings = [q for q in profile.questions if q.role == "rating"]
    matches = match_items([(q.column, q.text, q.scale.name if q.scale else None, *_numbers(q))
                           for q in profile.questions if q.role in ("rating", "empty")])
    ratings += [q for q in profile.questions if q.role == "empty" and q not in ratings
                and q.column in matches and matches[q.column].sure]
    comments = [q.column for q in profile.questions if q.role == "text"]
    left_out = [q for q in profile.questions if q.role in ("choice", "empty")
                and q not in ratings]
    decide = sum(1 for q in ratings if q.column not in matches or not matches[q.column].sure)
    scales = _Scales()
    taken = {m.item.item_id for m in matches.values() if m.sure}
    blocks = [_question(profile, q, matches.get(q.column), scales, taken) for q in ratings]
    header = [
        f"# Draft crossgen mapping for {profile.file} ({profile.tool}), written by "
        "`crossgen mapping`.",
        f"# {profile.respondents} responses; {len(ratings)} rating questions "
        f"({len(ratings) - decide} matched to the codebook, {decide} to decide), "
        f"{len(comments)} free-text, {len(left_out)} not drafted.",
        "# Lines marked DECIDE are yours: uncomment a construct line and set a construct id,",
        f"# one of {', '.join(CONSTRUCTS)}",
        "# or a new id of your own; or delete that question's block.",
        "# Check the scales too, then: crossgen check FILE --mapping THIS_FILE.toml",
        "",
    ]
    body = _survey_table(profile, SURVEY_KINDS[kind], name or Path(profile.file).stem, cohort,
                         phase, comments)
    out = header + body + [""] + scales.lines()
    for block in blocks:
        out += [*block, ""]
    for q in left_out:
        out += [*_left_out(q), ""]
    return "\n".join(out).rstrip() + "\n"



def draft_for_file(path: Path, *, kind: str | None = None, name: str | None = None,
                   cohort: str | None = None, phase: str | None = None) -> str:
    """The draft mapping for the export at ``path``: a survey (``kind`` pulse or
    programme-survey), or a roster, programme or sessions file; detected when ``kind`` is None."""
    from analysis.ingest.draft_tables import FIELDS, draft_table

    if not path.is_file():
        raise fail(path.name, "The file does not exist.", "Check the path given to "
                   "crossgen mapping.")
    if kind in FIELDS:
        return draft_table(path, kind)
    profile = profile_survey(path)
    if profile is None:
        if kind is not None:
            raise fail(path.name, "The first rows match no survey layout crossgen knows.",
                       "Export the survey unchanged as the tool wrote it, or pass the file's "
                       "kind: --kind roster, programme or sessions.", row=1)
        from analysis.ingest.detect import detect_kind

        try:
            found = detect_kind(path)
        except ImportFailed as exc:
            raise fail(path.name, "crossgen cannot tell what this file is from its columns.",
                       "Pass --kind roster, programme, sessions, pulse or programme-survey.",
                       row=1) from exc
        return draft_table(path, found)
    return draft_survey(profile, kind=kind or ("programme-survey" if cohort or phase
                                               else "pulse"),
                        name=name, cohort=cohort, phase=phase)
