"""Before and after means (dumbbells), per construct or per item; one panel per answer scale."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.base import (
    empty,
    finish,
    frame_reason,
    panel_grid,
    scale_panels,
    suppressed_note,
)
from dashboard.theme import OKABE_ITO

BEFORE, AFTER = "#7B8794", OKABE_ITO[0]


def dumbbell(frame: pd.DataFrame, *, title: str, label: str = "label",
             n_before: str = "n", n_after: str = "n", subtitle: str = "") -> go.Figure:
    """Mean before (open diamond) and after (filled circle) joined by a line, n in each label.

    ``frame``: ``label``, mean_before, mean_after, the n columns, suppressed, and optionally
    ``scale`` ("1–5", "0–10"): rows on different scales get their own panel and x axis, so a
    0–10 eNPS never shares an axis with 1–5 agreement scales.
    """
    if frame.empty:
        return empty(title, frame_reason(frame))
    hidden = frame["suppressed"].astype(bool)
    shown = frame[~hidden].copy()

    def n_of(column: str) -> pd.Series:
        return shown[column].map(lambda v: "–" if pd.isna(v) else str(int(v))).astype(str)

    shown[label] = shown[label].astype(str)
    if n_before == n_after:
        shown["y"] = shown[label] + "  (n = " + n_of(n_before) + ")"
    else:
        shown["y"] = shown[label] + "  (n = " + n_of(n_before) + " / " + n_of(n_after) + ")"
    panels = scale_panels(shown)
    fig, plot_height = panel_grid(panels, row_px=40, x_title="mean score")
    for row, (_scale, part) in enumerate(panels, start=1):
        # One line per row: before, after, gap (None breaks the line), flattened.
        xs = np.column_stack([part["mean_before"], part["mean_after"],
                              np.full(len(part), None)]).ravel()
        ys = np.column_stack([part["y"], part["y"], np.full(len(part), None)]).ravel()
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                                 line={"color": "#CBD2D9", "width": 4}), row=row, col=1)
        for column, name, colour, symbol in (("mean_before", "before", BEFORE, "diamond-open"),
                                             ("mean_after", "after", AFTER, "circle")):
            fig.add_trace(go.Scatter(
                x=part[column], y=part["y"], mode="markers", name=name, legendgroup=name,
                showlegend=row == 1,
                marker={"color": colour, "size": 13, "symbol": symbol,
                        "line": {"width": 2, "color": colour}},
                hovertemplate="%{y}<br>" + name + " mean %{x:.2f}<extra></extra>"),
                row=row, col=1)
        fig.update_yaxes(autorange="reversed", row=row, col=1)
    return finish(fig, title=title, subtitle=subtitle or "mean before and after, same people",
                  height=170 + plot_height,
                  note=suppressed_note(int(hidden.sum())))
