"""Estimates with confidence intervals: change per outcome, mentor/mentee split, DiD."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dashboard.figures.base import (
    NOT_SIG_NAME,
    SIG_NAME,
    Figure,
    Trace,
    axis_key,
    empty,
    finish,
    frame_reason,
    line_count,
    panel_axes,
    panel_grid,
    scale_panels,
    shown_rows,
    significant,
    suppressed_note,
    vline,
    wrap,
)
from dashboard.theme import NOT_SIGNIFICANT, OKABE_ITO, SIGNIFICANT

X_TITLE = "change after − before (scale points)"
POINT_COLUMNS = ["label", "n", "estimate", "ci_low", "ci_high", "p_adjusted"]


def _points(part: pd.DataFrame, *, name: str, colour: str, symbol: str, legendgroup: str,
            **placement: Any) -> Trace:
    """Estimates with CI whiskers; ``part``: y (the label), estimate, ci_low, ci_high,
    p_adjusted, n. Arrays go in as numpy: plotly converts pandas columns more slowly."""
    estimate = part["estimate"].to_numpy()
    return {
        "type": "scatter", "x": estimate, "y": part["y"].to_numpy(), "mode": "markers",
        "name": name, "legendgroup": legendgroup,
        "marker": {"color": colour, "size": 13, "symbol": symbol,
                   "line": {"width": 2, "color": colour}},
        "error_x": {"type": "data", "symmetric": False,
                    "array": part["ci_high"].to_numpy() - estimate,
                    "arrayminus": estimate - part["ci_low"].to_numpy(), "color": colour,
                    "thickness": 2},
        "customdata": np.column_stack([part[c].to_numpy(dtype=float)
                                       for c in ("ci_low", "ci_high", "p_adjusted", "n")]),
        "hovertemplate": "%{y}<br>estimate %{x:.2f} (95% CI %{customdata[0]:.2f} to "
                         "%{customdata[1]:.2f})<br>adjusted p = %{customdata[2]:.3f}, "
                         "n = %{customdata[3]}<extra></extra>",
        **placement,
    }


def _label(frame: pd.DataFrame) -> pd.Series:
    n = frame["n"].map(lambda v: "hidden" if pd.isna(v) else f"n = {int(v)}").astype(str)
    # n on a line of its own: the label column stays narrow enough for a phone
    # each part of "construct · cohort" on lines of its own
    return frame["label"].map(lambda t: "<br>".join(
        wrap(part, 18) for part in str(t).split(" · "))).astype(str) + "<br>(" + n + ")"


def ci_bars(frame: pd.DataFrame, *, title: str, x_title: str = X_TITLE) -> Figure:
    """Horizontal CI bars per outcome; significance by colour *and* filled/open marker.

    ``frame``: label, n, estimate, ci_low, ci_high, p_adjusted, suppressed, and optionally
    ``scale``: changes on different answer scales (eNPS 0–10, agreement 1–5) get their own
    panel and x axis.
    """
    if frame.empty:
        return empty(title, frame_reason(frame))
    shown, hidden = shown_rows(frame, POINT_COLUMNS)
    shown["y"] = _label(shown)
    shown["significant"] = significant(shown["p_adjusted"])
    panels = scale_panels(shown)
    # a row tall enough for its label's lines (a DiD row names construct and cohort)
    layout, plot_height = panel_grid(panels, row_px=max(46, 17 * line_count(shown["y"]) + 12),
                                     x_title=x_title,
                                     y_axis={"autorange": "reversed"})
    data: list[Trace] = []
    for row, (_scale, part) in enumerate(panels, start=1):
        # rows in the frame's order, whichever trace (significant or not) draws them
        layout[axis_key(panel_axes(row)["yaxis"])].update(
            categoryorder="array", categoryarray=part["y"].tolist())
        for flag, name, colour, symbol in ((True, SIG_NAME, SIGNIFICANT, "circle"),
                                           (False, NOT_SIG_NAME, NOT_SIGNIFICANT,
                                            "circle-open")):
            data.append(_points(part[part["significant"] == flag], name=name, colour=colour,
                                symbol=symbol, legendgroup=name, showlegend=row == 1,
                                **panel_axes(row)))
    layout["shapes"] = [vline(0, panel=row) for row in range(1, len(panels) + 1)]
    total = shown["n"].max() if len(shown) else None
    subtitle = f"largest group n = {int(total)}" if total is not None and not pd.isna(total) \
        else "no group large enough to show"
    note = "; ".join(t for t in (str(frame.attrs.get("note", "")), suppressed_note(hidden)) if t)
    return finish(data, layout, title=title, subtitle=subtitle, height=170 + plot_height,
                  note=note)


ROLE_STYLE = {"mentor": ("Mentors", OKABE_ITO[1]), "mentee": ("Mentees", OKABE_ITO[0])}


def role_split(frame: pd.DataFrame, *, title: str) -> Figure:
    """Mentors and mentees side by side per outcome: colour = role, fill = significance."""
    if frame.empty:
        return empty(title, frame_reason(frame))
    shown, hidden = shown_rows(frame, [*POINT_COLUMNS, "role"])
    drawn = shown[shown["role"].isin(list(ROLE_STYLE))].copy()
    drawn["y"] = (drawn["label"] + " · " + drawn["role"].map(
        {role: name.lower() for role, (name, _) in ROLE_STYLE.items()})).map(
        lambda t: wrap(t, 18)) + "  (n = " + drawn["n"].astype(int).astype(str) + ")"
    flags = significant(drawn["p_adjusted"])
    data: list[Trace] = []
    for role, (name, colour) in ROLE_STYLE.items():
        for flag, suffix, symbol in ((True, "significant", "circle"),
                                     (False, "not significant", "circle-open")):
            data.append(_points(drawn[(drawn["role"] == role) & (flags == flag)],
                                name=f"{name}, {suffix}", colour=colour, symbol=symbol,
                                legendgroup=role, showlegend=True))
    layout = {"shapes": [vline(0)], "xaxis": {"title": {"text": X_TITLE}},
              "yaxis": {"autorange": "reversed", "categoryorder": "category ascending"}}
    return finish(data, layout, title=title,
                  subtitle="filled marker: significant after Holm adjustment",
                  height=190 + max(40, 17 * line_count(drawn["y"]) + 8) * max(len(shown), 1),
                  note=suppressed_note(hidden))
