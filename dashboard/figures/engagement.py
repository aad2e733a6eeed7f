"""Engagement: sessions over time, and the dose–response between sessions and gain."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.base import empty, finish, frame_reason, suppressed_note
from dashboard.theme import OKABE_ITO

STATUS = {"held": ("held", OKABE_ITO[0], ""), "cancelled": ("cancelled", OKABE_ITO[1], "/"),
          "no_show": ("no-show", OKABE_ITO[5], "x")}


def sessions_over_time(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """Stacked monthly sessions by status (colour *and* hatch). ``frame``: month, status,
    sessions, pairs."""
    if frame.empty:
        return empty(title, frame_reason(frame))
    fig = go.Figure()
    for status, (name, colour, pattern) in STATUS.items():
        part = frame[frame["status"] == status]
        fig.add_trace(go.Bar(x=part["month"], y=part["sessions"], name=name,
                             marker={"color": colour, "pattern": {"shape": pattern}},
                             hovertemplate="%{x|%b %Y}: %{y} " + name + "<extra></extra>"))
    fig.update_layout(barmode="stack", yaxis_title="sessions", xaxis_title="month")
    pairs = int(frame["pairs"].iloc[0])
    return finish(fig, title=title, subtitle=f"{pairs} pairs (n = {2 * pairs} people)",
                  height=380)


def dose_response(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """Mean change by sessions held (bubble area ∝ n, n printed). ``frame``: bucket, n,
    mean_change, suppressed, outcome."""
    if frame.empty:
        return empty(title, frame_reason(frame))
    hidden = frame["suppressed"].astype(bool)
    shown = frame[~hidden]
    fig = go.Figure(go.Scatter(
        x=shown["bucket"], y=shown["mean_change"], mode="markers+text",
        marker={"size": 12 + 30 * shown["n"] / max(float(shown["n"].max() or 1), 1.0),
                "color": OKABE_ITO[0], "opacity": 0.8},
        text=shown["n"].map(lambda n: f"n = {int(n)}"), textposition="middle right",
        cliponaxis=False,
        hovertemplate="%{x} sessions held: mean change %{y:.2f}<extra></extra>"))
    fig.add_hline(y=0, line={"color": "#52606D", "width": 1})
    fig.update_layout(xaxis={"title": "sessions held by the person's pair",
                             "categoryorder": "array", "categoryarray": frame["bucket"]},
                      yaxis_title="mean change after − before")
    n = int(shown["n"].sum()) if len(shown) else 0
    return finish(fig, title=title, subtitle=f"descriptive, no test; n = {n}", height=380,
                  note=suppressed_note(int(hidden.sum())))
