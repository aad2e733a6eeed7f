"""Before/after change with confidence intervals."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.theme import NOT_SIGNIFICANT, SIGNIFICANT, register

ALPHA = 0.05


def change_by_outcome(results: pd.DataFrame, *, title: str, labels: dict[str, str]) -> go.Figure:
    """Horizontal CI bars of paired change per outcome; significance by colour *and* marker.

    ``results``: rows of metric ``paired_change`` (n, estimate, ci_low, ci_high, p_adjusted,
    suppressed, outcome).
    """
    frame = results[~results["suppressed"].astype(bool)].copy()
    frame["label"] = frame["outcome"].map(lambda o: labels.get(o, o))
    significant = frame["p_adjusted"] < ALPHA
    fig = go.Figure()
    for flag, name, colour, symbol in ((True, "significant (adjusted p < 0.05)", SIGNIFICANT,
                                        "circle"),
                                       (False, "not significant", NOT_SIGNIFICANT,
                                        "circle-open")):
        part = frame[significant == flag]
        fig.add_trace(go.Scatter(
            x=part["estimate"], y=part["label"] + "  (n = " + part["n"].astype(int).astype(str)
            + ")",
            mode="markers", name=name,
            marker={"color": colour, "size": 12, "symbol": symbol, "line": {"width": 2,
                                                                             "color": colour}},
            error_x={"type": "data", "symmetric": False,
                     "array": part["ci_high"] - part["estimate"],
                     "arrayminus": part["estimate"] - part["ci_low"], "color": colour,
                     "thickness": 2},
            customdata=part[["ci_low", "ci_high", "p_adjusted"]].to_numpy(),
            hovertemplate="%{y}<br>change %{x:.2f} (95% CI %{customdata[0]:.2f} to "
                          "%{customdata[1]:.2f})<br>adjusted p = %{customdata[2]:.3f}"
                          "<extra></extra>",
        ))
    hidden = results[results["suppressed"].astype(bool)]
    note = (f"{len(hidden)} group(s) hidden: fewer than the minimum group size."
            if len(hidden) else "")
    fig.add_vline(x=0, line={"color": "#52606D", "width": 1})
    fig.update_layout(template=register(), title=title, height=120 + 48 * max(len(frame), 1),
                      xaxis_title="change after − before (scale points), 95% CI",
                      annotations=[{"text": note, "xref": "paper", "yref": "paper", "x": 0,
                                    "y": -0.35, "showarrow": False, "font": {"size": 12}}]
                      if note else [])
    return fig
