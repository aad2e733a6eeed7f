"""Before and after means (dumbbells), per construct or per item; one panel per answer scale."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures.base import empty, finish, frame_reason, suppressed_note
from dashboard.theme import OKABE_ITO

BEFORE, AFTER = "#7B8794", OKABE_ITO[0]


def _panels(shown: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Rows grouped by answer scale (e.g. eNPS 0–10 apart from 1–5 scales), larger scale last."""
    if "scale" not in shown or shown["scale"].nunique(dropna=False) < 2:
        return [("", shown)]
    width = shown["scale"].astype(str).str.split("–").map(
        lambda ends: float(ends[-1]) - float(ends[0]) if len(ends) == 2 else np.inf)
    order = width.groupby(shown["scale"].astype(str)).first().sort_values().index
    return [(scale, shown[shown["scale"].astype(str) == scale]) for scale in order]


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
    panels = _panels(shown)
    sizes = [max(len(part), 1) for _, part in panels]
    gap = 90  # pixels between panels: room for the x ticks and the next panel's title
    plot_height = 40 * sum(sizes) + gap * (len(panels) - 1)
    titles = [f"mean score, {scale} scale" for scale, _ in panels] if len(panels) > 1 else None
    fig = make_subplots(rows=len(panels), cols=1, row_heights=sizes, subplot_titles=titles,
                        vertical_spacing=gap / plot_height if len(panels) > 1 else 0.0)
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
    if len(panels) == 1:
        fig.update_xaxes(title_text="mean score")
    fig.update_annotations(font_size=13, xanchor="right", x=1)
    return finish(fig, title=title, subtitle=subtitle or "mean before and after, same people",
                  height=170 + plot_height,
                  note=suppressed_note(int(hidden.sum())))
