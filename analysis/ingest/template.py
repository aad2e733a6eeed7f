"""data/survey-template/: the recommended pre/post instrument and its mapping, from the codebook.

Both files are generated from :mod:`analysis.store.codebook` so they cannot drift from what crossgen
scores; regenerate with ``python -m analysis.ingest.template [FOLDER]`` (a test compares them).
From a wheel, that writes both files to FOLDER or the user's data folder (ingest/datadir.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

from analysis.console import say
from analysis.ingest.datadir import DATA
from analysis.store.codebook import (
    CONSTRUCTS,
    POST_ONLY_CONSTRUCTS,
    PROGRAMME_CONSTRUCTS,
    SCALE_LABELS,
    SCALE_RANGE,
    items_for,
)

TEMPLATE_DIR = DATA / "survey-template"
WHO = {
    "skills.digital": "everyone (the outcome for mentees)",
    "skills.leadership": "everyone (the outcome for mentors)",
    "satisfaction.program": "participants, post only",
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def template_markdown() -> str:
    items = items_for(PROGRAMME_CONSTRUCTS + POST_ONLY_CONSTRUCTS)
    lines = [
        "# crossgen survey template: reverse-mentoring pre/post instrument",
        "",
        "Generated from `analysis/store/codebook.py` by `python -m analysis.ingest.template`; "
        "do not edit by hand.",
        "",
        "Ask the **pre** survey in the two weeks before a cohort starts and the **post** survey "
        "in the two weeks after it ends, to every mentor and mentee, keyed by employee id or work "
        "email (use your survey tool's contact list so each response carries it). Keep each item's "
        "wording as below: `mapping.toml` in this folder finds the questions by their text, in "
        "Qualtrics, SurveyMonkey, Microsoft Forms and Google Forms exports alike. Ask each "
        "statement as a row of a matrix/grid or as its own question.",
        "",
        "Import with: `crossgen import survey FILE --mapping data/survey-template/mapping.toml "
        "--cohort C1 --phase pre` (then `--phase post`).",
        "",
        "## Scales",
        "",
    ]
    for name, labels in SCALE_LABELS.items():
        lo, hi = SCALE_RANGE[name]
        shown = " · ".join(f"{lo + k} {label}" if label != str(lo + k) else label
                           for k, label in enumerate(labels))
        lines.append(f"- `{name}` ({lo}–{hi}): {shown}")
    lines += ["", "## Constructs and items", ""]
    for construct in PROGRAMME_CONSTRUCTS + POST_ONLY_CONSTRUCTS:
        phases = "post only" if construct in POST_ONLY_CONSTRUCTS else "pre and post"
        who = WHO.get(construct, "everyone")
        lines += [f"### {CONSTRUCTS[construct]} (`{construct}`): {phases}; asked of {who}", "",
                  "| item id | wording | scale | reverse-coded |", "| --- | --- | --- | --- |"]
        for item in items:
            if item.construct == construct:
                reverse = "yes (scored 6 − answer)" if item.reverse_coded else ""
                lines.append(f"| `{item.item_id}` | {item.text} | `{item.scale}` | {reverse} |")
        lines.append("")
    lines += [
        "A construct's score is the mean of its items after reverse-coding, when at least half "
        "of them are answered. Add your own questions with further `[[questions]]` blocks "
        "(any construct name, any scale defined under `[scales.…]`).",
        "",
    ]
    return "\n".join(lines)


def mapping_toml() -> str:
    items = items_for(PROGRAMME_CONSTRUCTS + POST_ONLY_CONSTRUCTS)
    lines = [
        "# crossgen mapping for the survey template (data/survey-template/README.md).",
        "# Generated from analysis/store/codebook.py; questions are found by their wording.",
        "# Pass --cohort and --phase on the command line, e.g. --cohort C1 --phase pre.",
        "# key_column is left out: each survey tool's usual key (email or external reference)",
        "# is used; set key_column / key_type to override.",
        "[survey]",
        'name = "Reverse mentoring {cohort} {phase}"  # {cohort} and {phase} are filled in',
        'kind = "programme"',
    ]
    for item in items:
        lines += ["", "[[questions]]", f"column = {_quote(item.text)}",
                  f'item = "{item.item_id}"', f'construct = "{item.construct}"',
                  f'scale = "{item.scale}"']
        if item.reverse_coded:
            lines.append("reverse_coded = true")
        if item.construct in POST_ONLY_CONSTRUCTS:
            lines.append("required = false  # post only")
    return "\n".join(lines) + "\n"


def write_template(out: Path = TEMPLATE_DIR) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    doc, mapping = out / "README.md", out / "mapping.toml"
    doc.write_text(template_markdown(), encoding="utf-8")
    mapping.write_text(mapping_toml(), encoding="utf-8")
    return [doc, mapping]


if __name__ == "__main__":
    for path in write_template(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE_DIR):
        say(path)
