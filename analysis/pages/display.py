"""Result rows as a reader sees them in a page's table: the metric's display name and unit, who,
the estimate and CI as text, adjusted p, significance in words. Rounding happens only here."""

from __future__ import annotations

import pandas as pd

from analysis.pages import common
from analysis.report import labels, words

DISPLAY_COLUMNS = ["key", "measure", "unit", "who", "n", "estimate_text", "ci_text", "p_text",
                   "words"]


def table_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """One display row per result row (same order), columns :data:`DISPLAY_COLUMNS`.

    ``key`` is ``metric|role`` (for tests and people who link to a row); every other column is
    text for people: no metric id, no snake_case word."""
    if frame.empty:
        out = pd.DataFrame(columns=DISPLAY_COLUMNS)
        out.attrs.update(frame.attrs)
        return out
    records = frame.to_dict("records")
    out = pd.DataFrame({
        "key": [f"{r['metric']}|{r['role']}" for r in records],
        "measure": [labels.metric_name(str(r["metric"])) for r in records],
        "unit": [labels.metric(str(r["metric"])).unit for r in records],
        "who": [labels.role_name(r["role"]) for r in records],
        "n": [r["n"] for r in records],
        "estimate_text": [words.value_text(r) for r in records],
        "ci_text": [_ci(r) for r in records],
        "p_text": [words.p_text(r.get("p_adjusted")) for r in records],
        "words": [common.significance_words(r) for r in records],
    })
    out.attrs.update(frame.attrs)
    return out


def _ci(row: dict[str, object]) -> str:
    text = words.ci_of(row)
    return text.removeprefix("range ")
