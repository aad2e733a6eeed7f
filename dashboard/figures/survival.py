"""Kaplan–Meier curves per arm with pointwise 95% bands."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.base import empty, finish, frame_reason
from dashboard.theme import OKABE_ITO, SUPPRESSED

ARM_STYLE = [(OKABE_ITO[0], "solid"), (OKABE_ITO[1], "dash"), (OKABE_ITO[2], "dot")]


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def km_curves(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """Step curves (colour *and* dash per arm) with shaded bands; n per arm in the legend.

    ``frame``: arm, time (days), survival, ci_low, ci_high, at_risk (optional n column);
    ``frame.attrs["hidden_arms"]``: arm -> why its curve is hidden (a marked legend entry).
    """
    if frame.empty:
        return empty(title, frame_reason(frame))
    fig = go.Figure()
    for arm, why in dict(frame.attrs.get("hidden_arms") or {}).items():
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=f"{arm}: hidden",
                                 marker={"symbol": "x", "color": SUPPRESSED},
                                 hovertemplate=f"{arm}: {why}<extra></extra>"))
    for i, (arm, part) in enumerate(frame.groupby("arm", sort=False)):
        colour, dash = ARM_STYLE[i % len(ARM_STYLE)]
        part = part.sort_values("time")
        n = int(part["at_risk"].max())
        fig.add_trace(go.Scatter(x=part["time"], y=part["ci_high"], mode="lines",
                                 line={"width": 0, "shape": "hv"}, showlegend=False,
                                 hoverinfo="skip", legendgroup=str(arm)))
        fig.add_trace(go.Scatter(x=part["time"], y=part["ci_low"], mode="lines",
                                 line={"width": 0, "shape": "hv"}, fill="tonexty",
                                 fillcolor=_rgba(colour, 0.18), showlegend=False,
                                 hoverinfo="skip", legendgroup=str(arm)))
        fig.add_trace(go.Scatter(
            x=part["time"], y=part["survival"], mode="lines", name=f"{arm} (n = {n})",
            legendgroup=str(arm), line={"color": colour, "dash": dash, "width": 3, "shape": "hv"},
            customdata=part[["ci_low", "ci_high", "at_risk"]].to_numpy(),
            hovertemplate="day %{x}: %{y:.1%} still employed (95% CI %{customdata[0]:.1%}–"
                          "%{customdata[1]:.1%}), at risk %{customdata[2]}<extra></extra>"))
    fig.add_vline(x=365, line={"color": "#52606D", "width": 1, "dash": "dot"},
                  annotation_text="12 months", annotation_position="bottom left")
    fig.update_layout(xaxis_title="days since the cohort started",
                      yaxis={"title": "still employed (no voluntary exit)", "tickformat": ".0%"})
    return finish(fig, title=title, subtitle="Kaplan–Meier estimate with 95% pointwise band, "
                                              "read every 30 days", height=440)
