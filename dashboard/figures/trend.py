"""Cohort over cohort: the key outcomes' change per cohort with CIs and small-cohort notes."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.base import empty, finish, frame_reason, significant
from dashboard.theme import OKABE_ITO

DASHES = ["solid", "dash", "dot", "dashdot"]


def cohort_trend(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """Estimate ± CI per cohort, one line per outcome (colour and dash); open marker = not
    significant; n printed at each point; hidden cohorts noted under the chart.

    ``frame``: cohort_name, label, role, n, estimate, ci_low, ci_high, p_adjusted, suppressed,
    note.
    """
    if frame.empty:
        return empty(title, frame_reason(frame))
    fig = go.Figure()
    for i, (lab, part) in enumerate(frame.groupby("label", sort=False)):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        shown = part[~part["suppressed"].astype(bool)]
        flags = significant(shown["p_adjusted"])
        role = str(part["role"].iloc[0])
        fig.add_trace(go.Scatter(
            x=shown["cohort_name"], y=shown["estimate"], mode="lines+markers+text",
            name=f"{lab} ({'all participants' if role == 'all' else role + 's'})",
            line={"color": colour, "dash": DASHES[i % len(DASHES)], "width": 2},
            marker={"size": 12, "color": colour,
                    "symbol": ["circle" if f else "circle-open" for f in flags],
                    "line": {"width": 2, "color": colour}},
            error_y={"type": "data", "symmetric": False,
                     "array": shown["ci_high"] - shown["estimate"],
                     "arrayminus": shown["estimate"] - shown["ci_low"], "color": colour},
            text=shown["n"].map(lambda n: f"n={int(n)}"), textposition="middle right",
            textfont={"size": 11, "color": colour},
            hovertemplate="%{x}<br>change %{y:.2f}<extra>" + lab + "</extra>"))
    fig.add_hline(y=0, line={"color": "#52606D", "width": 1})
    notes = frame[frame["note"].astype(bool)]
    per_cohort = (notes["label"].str.lower() + " " + notes["note"]).groupby(
        notes["cohort_name"], sort=False).agg("; ".join)
    note = ("Too small to tell a moderate effect (d = 0.5):<br>"
            + "<br>".join(per_cohort.index + ": " + per_cohort.to_numpy())) \
        if len(per_cohort) else ""
    fig.update_layout(yaxis_title="change (scale points)",
                      xaxis={"range": [-0.4, frame["cohort_name"].nunique() - 0.6]})
    out = finish(fig, title=title,
                 subtitle="filled marker: significant after adjustment; bars: 95% CI",
                 height=440)
    if note:
        lines = note.count("<br>") + 1
        out.add_annotation(text=note, xref="paper", yref="paper", x=0, y=-0.3, yanchor="top",
                           showarrow=False, align="left", font={"size": 11, "color": "#52606D"})
        out.update_layout(margin={"b": 130 + 16 * lines}, height=480 + 16 * lines)
    return out
