"""Which survey a participants' before/after row comes from, and which one a headline shows.

A construct's before/after on the same people can come from two sources (``source`` in the
result rows): the programme's own pre/post survey ('programme') and the cohort's before and
after org-wide pulse waves ('pulse', :mod:`analysis.store.waves`). Both are reported, each labelled.
Where one number must stand for the construct (a headline card, a chart's bar, a slide), the
rule is :data:`RULE`: the programme survey when it measures the construct for that cohort (it
was asked of exactly these people, right before and after the programme), else the pulse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

PROGRAMME, PULSE = "programme", "pulse"
RULE = ("A construct's before/after comes from the programme's own pre/post survey when that "
        "survey measures it for the cohort; otherwise from the cohort's org-wide pulse waves "
        "(the latest closed by the start, the earliest opened after the end).")
# one row per these within a source; the rule picks between sources
KEYS = ("metric", "outcome", "cohort", "role")


def preferred(frame: pd.DataFrame) -> np.ndarray:
    """Which rows stand for their metric × outcome × cohort × role × slice by :data:`RULE`:
    every row without a source or from the programme survey, and a pulse row only where no
    programme row has the same keys."""
    if frame.empty or "source" not in frame:
        return np.ones(len(frame), dtype=bool)
    source = frame["source"].to_numpy(dtype=object)
    pulse = source == PULSE
    if not pulse.any():
        return np.ones(len(frame), dtype=bool)
    keys = [c for c in KEYS if c in frame]
    key = frame[keys].astype(str).agg("\x1f".join, axis=1)
    if "group" in frame:
        key = key + "\x1f" + frame["group"].map(
            lambda g: repr(sorted(g.items())) if isinstance(g, dict) else "")
    programme = set(key[source == PROGRAMME])
    return ~pulse | ~key.isin(programme).to_numpy()


def by_rule(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` that :func:`preferred` keeps, in their order."""
    keep = preferred(frame)
    return frame if keep.all() else frame[keep].reset_index(drop=True)


def source_note(row: Mapping[str, Any] | pd.Series) -> str:
    """Which survey a headline row shows and why, in words ('' for rows without a source)."""
    source = row.get("source")
    if source not in (PROGRAMME, PULSE):
        return ""
    waves = _waves(row)
    if source == PROGRAMME:
        return ("Source: the programme's own pre/post survey" + waves
                + ", which asks this of the participants.")
    return ("Source: the org-wide pulse survey" + waves + ", the cohort's waves before and "
            "after the programme: the programme's survey does not ask this.")


def label(source: object) -> str:
    """A short label for tables: '' (programme survey or none) or 'org-wide pulse'."""
    return "org-wide pulse" if source == PULSE else ""


def _waves(row: Mapping[str, Any] | pd.Series) -> str:
    before, after = row.get("administration_before"), row.get("administration_after")
    if isinstance(before, str) and isinstance(after, str):
        return f" ({before} → {after})"
    return ""
