"""Distribution of individual changes (binned; small bins suppressed and marked)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures.base import empty, finish, frame_reason
from dashboard.theme import OKABE_ITO, SUPPRESSED


def change_histogram(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """One panel per construct: people per bin of (after − before); hidden bins marked ×.

    ``frame``: outcome, label, bin_low, bin_high, count, suppressed, n (optional
    suppressed_reason: shown on hover of a hidden bin).
    """
    if frame.empty:
        return empty(title, frame_reason(frame))
    labels = list(dict.fromkeys(frame["label"]))
    totals = frame.groupby("label", sort=False)["n"].first()
    titles = [f"{lab} ({'hidden' if pd.isna(totals[lab]) else f'n = {int(totals[lab])}'})"
              for lab in labels]
    fig = make_subplots(rows=1, cols=len(labels), subplot_titles=titles, shared_yaxes=True)
    for i, lab in enumerate(labels, start=1):
        part = frame[frame["label"] == lab]
        centre = (part["bin_low"] + part["bin_high"]) / 2
        shown = ~part["suppressed"].astype(bool)
        fig.add_trace(go.Bar(
            x=centre[shown], y=part.loc[shown, "count"], width=(part["bin_high"]
                                                                - part["bin_low"]).iloc[0] * 0.9,
            marker={"color": OKABE_ITO[0]}, name="people", showlegend=i == 1,
            hovertemplate="change %{x:+.2f}: %{y} people<extra></extra>"), row=1, col=i)
        reasons = part["suppressed_reason"] if "suppressed_reason" in part \
            else pd.Series("too few people", index=part.index)
        fig.add_trace(go.Scatter(
            x=centre[~shown], y=[0] * int((~shown).sum()), mode="markers",
            marker={"symbol": "x", "size": 11, "color": "#52606D",
                    "line": {"color": SUPPRESSED}},
            name="hidden (privacy)", showlegend=i == 1,
            customdata=reasons[~shown].fillna("too few people").to_numpy()[:, None],
            hovertemplate="change %{x:+.2f}: %{customdata[0]}<extra></extra>"),
            row=1, col=i)
        fig.add_vline(x=0, line={"color": "#52606D", "width": 1, "dash": "dot"}, row=1, col=i)
        fig.update_xaxes(title_text="change after − before", row=1, col=i)
    fig.update_yaxes(title_text="people", row=1, col=1)
    return finish(fig, title=title, subtitle="people per band of individual change (fixed bands;"
                                              " the outer two include everything beyond)",
                  height=380)
