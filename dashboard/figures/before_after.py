"""Before and after means (dumbbells), per construct or per item; one panel per answer scale."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.figures.base import (
    Figure,
    Trace,
    empty,
    finish,
    frame_reason,
    line_count,
    panel_axes,
    panel_grid,
    scale_panels,
    shown_rows,
    suppressed_note,
    wrap,
)
from dashboard.theme import OKABE_ITO

BEFORE, AFTER = "#7B8794", OKABE_ITO[0]


def dumbbell(frame: pd.DataFrame, *, title: str, label: str = "label",
             n_before: str = "n", n_after: str = "n", subtitle: str = "") -> Figure:
    """Mean before (open diamond) and after (filled circle) joined by a line, n in each label.

    ``frame``: ``label``, mean_before, mean_after, the n columns, suppressed, and optionally
    ``scale`` ("1–5", "0–10"): rows on different scales get their own panel and x axis, so a
    0–10 eNPS never shares an axis with 1–5 agreement scales.
    """
    if frame.empty:
        return empty(title, frame_reason(frame))
    shown, hidden = shown_rows(frame, list(dict.fromkeys(
        [label, n_before, n_after, "mean_before", "mean_after"])))

    def n_of(column: str) -> pd.Series:
        return shown[column].map(lambda v: "–" if pd.isna(v) else str(int(v))).astype(str)

    shown[label] = shown[label].astype(str).map(lambda t: wrap(t, 24))  # fits a phone
    if n_before == n_after:
        shown["y"] = shown[label] + "  (n = " + n_of(n_before) + ")"
    else:
        shown["y"] = shown[label] + "  (n = " + n_of(n_before) + " / " + n_of(n_after) + ")"
    panels = scale_panels(shown)
    layout, plot_height = panel_grid(panels, row_px=max(40, 17 * line_count(shown["y"]) + 8),
                                     x_title="mean score",
                                     y_axis={"autorange": "reversed"})
    data: list[Trace] = []
    for row, (_scale, part) in enumerate(panels, start=1):
        axes = panel_axes(row)
        # One line per row: before, after, gap (None breaks the line), flattened.
        xs = np.column_stack([part["mean_before"], part["mean_after"],
                              np.full(len(part), None)]).ravel()
        ys = np.column_stack([part["y"], part["y"], np.full(len(part), None)]).ravel()
        data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "hoverinfo": "skip",
                     "showlegend": False, "line": {"color": "#CBD2D9", "width": 4}, **axes})
        data += [{"type": "scatter", "x": part[column], "y": part["y"], "mode": "markers",
                  "name": name, "legendgroup": name, "showlegend": row == 1,
                  "marker": {"color": colour, "size": 13, "symbol": symbol,
                             "line": {"width": 2, "color": colour}},
                  "hovertemplate": "%{y}<br>" + name + " mean %{x:.2f}<extra></extra>", **axes}
                 for column, name, colour, symbol in (
                     ("mean_before", "before", BEFORE, "diamond-open"),
                     ("mean_after", "after", AFTER, "circle"))]
    return finish(data, layout, title=title,
                  subtitle=subtitle or "mean before and after, same people",
                  height=170 + plot_height, note=suppressed_note(hidden))
