"""Engagement: sessions over time, and the dose–response between sessions and gain."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.base import empty, finish, frame_reason
from dashboard.theme import OKABE_ITO, SUPPRESSED

STATUS = {"held": ("held", OKABE_ITO[0], ""), "cancelled": ("cancelled", OKABE_ITO[1], "/"),
          "no_show": ("no-show", OKABE_ITO[5], "x")}


def sessions_over_time(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """Stacked monthly sessions by status (colour *and* hatch); hidden cells marked × with
    their reason on hover. ``frame``: month, status, sessions, suppressed, suppressed_reason,
    pairs."""
    if frame.empty:
        return empty(title, frame_reason(frame))
    hidden = frame["suppressed"].astype(bool)
    fig = go.Figure()
    for status, (name, colour, pattern) in STATUS.items():
        part = frame[(frame["status"] == status) & ~hidden]
        fig.add_trace(go.Bar(x=part["month"], y=part["sessions"], name=name,
                             marker={"color": colour, "pattern": {"shape": pattern}},
                             hovertemplate="%{x|%b %Y}: %{y} " + name + "<extra></extra>"))
    gone = frame[hidden]
    names = gone["status"].map(lambda s: STATUS.get(s, (s,))[0])
    reasons = gone["suppressed_reason"].fillna("too few pairs")
    fig.add_trace(go.Scatter(
        x=gone["month"], y=[0] * len(gone), mode="markers", name="hidden (privacy)",
        marker={"symbol": "x", "size": 11, "color": "#52606D", "line": {"color": SUPPRESSED}},
        showlegend=bool(len(gone)), customdata=np.column_stack([names, reasons]),
        hovertemplate="%{x|%b %Y} %{customdata[0]}: %{customdata[1]}<extra></extra>"))
    fig.update_layout(barmode="stack", yaxis_title="sessions", xaxis_title="month")
    pairs = int(frame["pairs"].iloc[0])
    note = (f"{len(gone)} month × status cell(s) hidden for privacy (× on the axis; hover for "
            "why)" if len(gone) else "")
    return finish(fig, title=title, subtitle=f"{pairs} pairs (n = {2 * pairs} people)",
                  height=380, note=note)


def dose_response(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """Mean change by sessions held (bubble area ∝ n, n printed); hidden buckets marked × with
    their reason on hover. ``frame``: bucket, n, mean_change, suppressed, suppressed_reason."""
    if frame.empty:
        return empty(title, frame_reason(frame))
    hidden = frame["suppressed"].astype(bool)
    shown = frame[~hidden]
    fig = go.Figure(go.Scatter(
        x=shown["bucket"], y=shown["mean_change"], mode="markers+text",
        marker={"size": 12 + 30 * shown["n"] / max(float(shown["n"].max() or 1), 1.0),
                "color": OKABE_ITO[0], "opacity": 0.8},
        text=shown["n"].map(lambda n: f"n = {int(n)}"), textposition="middle right",
        cliponaxis=False, name="people",
        hovertemplate="%{x} sessions held: mean change %{y:.2f}<extra></extra>"))
    reasons = frame.get("suppressed_reason", pd.Series(None, index=frame.index))
    fig.add_trace(go.Scatter(
        x=frame.loc[hidden, "bucket"], y=[0] * int(hidden.sum()), mode="markers",
        marker={"symbol": "x", "size": 11, "color": "#52606D", "line": {"color": SUPPRESSED}},
        name="hidden (privacy)", showlegend=bool(hidden.any()),
        customdata=reasons[hidden].fillna("too few people").to_numpy()[:, None],
        hovertemplate="%{x} sessions held: %{customdata[0]}<extra></extra>"))
    fig.add_hline(y=0, line={"color": "#52606D", "width": 1})
    fig.update_layout(xaxis={"title": "sessions held by the person's pair",
                             "categoryorder": "array", "categoryarray": frame["bucket"]},
                      yaxis_title="mean change after − before")
    n = int(shown["n"].sum()) if len(shown) else 0
    skill = {"skills.digital": "digital skills", "skills.leadership": "leadership skills"}.get(
        str(frame["outcome"].iloc[0]), "mentees: digital skills, mentors: leadership")
    note = (f"{int(hidden.sum())} bucket(s) hidden for privacy (× on the axis; hover for why)"
            if hidden.any() else "")
    return finish(fig, title=title, subtitle=f"{skill}; descriptive, no test; n = {n} shown",
                  height=380, note=note)
