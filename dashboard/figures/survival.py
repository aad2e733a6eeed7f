"""Kaplan–Meier curves per arm with pointwise 95% bands."""

from __future__ import annotations

import pandas as pd

from dashboard.figures.base import Figure, Trace, empty, finish, frame_reason, vline
from dashboard.theme import OKABE_ITO, SUPPRESSED

ARM_STYLE = [(OKABE_ITO[0], "solid"), (OKABE_ITO[1], "dash"), (OKABE_ITO[2], "dot")]


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def km_curves(frame: pd.DataFrame, *, title: str) -> Figure:
    """Step curves (colour *and* dash per arm) with shaded bands; n per arm in the legend.

    ``frame``: arm, time (days), survival, ci_low, ci_high, at_risk (optional n column);
    ``frame.attrs["hidden_arms"]``: arm -> why its curve is hidden (a marked legend entry).
    """
    if frame.empty:
        return empty(title, frame_reason(frame))
    data: list[Trace] = [
        {"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": f"{arm}: hidden",
         "marker": {"symbol": "x", "color": SUPPRESSED},
         "hovertemplate": f"{arm}: {why}<extra></extra>"}
        for arm, why in dict(frame.attrs.get("hidden_arms") or {}).items()]
    for i, (arm, part) in enumerate(frame.groupby("arm", sort=False)):
        colour, dash = ARM_STYLE[i % len(ARM_STYLE)]
        part = part.sort_values("time")
        n = int(part["at_risk"].max())
        band = {"type": "scatter", "x": part["time"], "mode": "lines",
                "line": {"width": 0, "shape": "hv"}, "showlegend": False, "hoverinfo": "skip",
                "legendgroup": str(arm)}
        data += [
            {**band, "y": part["ci_high"]},
            {**band, "y": part["ci_low"], "fill": "tonexty", "fillcolor": _rgba(colour, 0.18)},
            {"type": "scatter", "x": part["time"], "y": part["survival"], "mode": "lines",
             "name": f"{arm} (n = {n})", "legendgroup": str(arm),
             "line": {"color": colour, "dash": dash, "width": 3, "shape": "hv"},
             "customdata": part[["ci_low", "ci_high", "at_risk"]].to_numpy(),
             "hovertemplate": "day %{x}: %{y:.1%} still employed (95% CI %{customdata[0]:.1%}–"
                              "%{customdata[1]:.1%}), at risk %{customdata[2]}<extra></extra>"},
        ]
    year = 365  # the 12-month mark, labelled at its bottom left
    layout = {
        "shapes": [vline(year, dash="dot")],
        "annotations": [{"text": "12 months", "x": year, "xref": "x", "xanchor": "right",
                         "y": 0, "yref": "y domain", "yanchor": "bottom", "showarrow": False}],
        "xaxis": {"title": {"text": "days since the cohort started"}},
        "yaxis": {"title": {"text": "still employed (no voluntary exit)"}, "tickformat": ".0%"}}
    return finish(data, layout, title=title,
                  subtitle="Kaplan–Meier estimate with 95% pointwise band, read every 30 days",
                  height=440)
