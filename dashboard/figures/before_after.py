"""Before and after means on the same scale (dumbbells), per construct or per item."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.base import empty, finish, frame_reason, suppressed_note
from dashboard.theme import OKABE_ITO

BEFORE, AFTER = "#7B8794", OKABE_ITO[0]


def dumbbell(frame: pd.DataFrame, *, title: str, label: str = "label",
             n_before: str = "n", n_after: str = "n", subtitle: str = "") -> go.Figure:
    """Mean before (open diamond) and after (filled circle) joined by a line, n in each label.

    ``frame``: ``label``, mean_before, mean_after, the n columns, suppressed.
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
    fig = go.Figure()
    # One line per row: before, after, gap (None breaks the line), flattened.
    xs = np.column_stack([shown["mean_before"], shown["mean_after"],
                          np.full(len(shown), None)]).ravel()
    ys = np.column_stack([shown["y"], shown["y"], np.full(len(shown), None)]).ravel()
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#CBD2D9", "width": 4},
                             hoverinfo="skip", showlegend=False))
    for column, name, colour, symbol in (("mean_before", "before", BEFORE, "diamond-open"),
                                         ("mean_after", "after", AFTER, "circle")):
        fig.add_trace(go.Scatter(
            x=shown[column], y=shown["y"], mode="markers", name=name,
            marker={"color": colour, "size": 13, "symbol": symbol,
                    "line": {"width": 2, "color": colour}},
            hovertemplate="%{y}<br>" + name + " mean %{x:.2f}<extra></extra>"))
    fig.update_layout(xaxis_title="mean score", yaxis={"autorange": "reversed"})
    return finish(fig, title=title, subtitle=subtitle or "mean before and after, same people",
                  height=170 + 40 * max(len(shown), 1),
                  note=suppressed_note(int(hidden.sum())))
