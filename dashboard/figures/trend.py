"""Cohort over cohort: the key outcomes' change per cohort with CIs and small-cohort notes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.figures.base import (
    Figure,
    Trace,
    empty,
    finish,
    frame_reason,
    hline,
    paper_text,
    significant,
    wrap,
)
from dashboard.theme import MUTED, OKABE_ITO

DASHES = ["solid", "dash", "dot", "dashdot"]


def cohort_trend(frame: pd.DataFrame, *, title: str) -> Figure:
    """Estimate ± CI per cohort, one line per outcome (colour and dash); open marker = not
    significant; n printed at each point; hidden cohorts noted under the chart.

    ``frame``: cohort_name, label, role, n, estimate, ci_low, ci_high, p_adjusted, suppressed,
    note.
    """
    if frame.empty:
        return empty(title, frame_reason(frame))
    data: list[Trace] = []
    for i, (lab, part) in enumerate(frame.groupby("label", sort=False)):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        shown = part[~part["suppressed"].astype(bool)]
        flags = significant(shown["p_adjusted"])
        role = str(part["role"].iloc[0])
        data.append({
            "type": "scatter", "x": shown["cohort_name"].map(lambda t: wrap(t, 11)),
            "y": shown["estimate"],
            "mode": "lines+markers+text",
            "name": f"{lab} ({'all participants' if role == 'all' else role + 's'})",
            "line": {"color": colour, "dash": DASHES[i % len(DASHES)], "width": 2},
            "marker": {"size": 12, "color": colour,
                       "symbol": np.where(flags, "circle", "circle-open").tolist(),
                       "line": {"width": 2, "color": colour}},
            "error_y": {"type": "data", "symmetric": False,
                        "array": shown["ci_high"] - shown["estimate"],
                        "arrayminus": shown["estimate"] - shown["ci_low"], "color": colour},
            "text": shown["n"].map(lambda n: f"n={int(n)}"), "textposition": "middle right",
            "textfont": {"size": 11, "color": colour},
            "hovertemplate": "%{x}<br>change %{y:.2f}<extra>" + lab + "</extra>"})
    notes = frame[frame["note"].astype(bool)]
    per_cohort = (notes["label"].str.lower() + " " + notes["note"]).groupby(
        notes["cohort_name"], sort=False).agg("; ".join)
    # hidden cohorts (with the reason) and cohorts too small to detect a moderate effect
    note = ("Small or hidden cohorts (a moderate effect is d = 0.5):<br>"
            + "<br>".join(per_cohort.index + ": " + per_cohort.to_numpy())) \
        if len(per_cohort) else ""
    layout = {"shapes": [hline(0)], "yaxis": {"title": {"text": "change (scale points)"}},
              "xaxis": {"range": [-0.4, frame["cohort_name"].nunique() - 0.6],
                        "tickangle": 0}}
    height, bottom = 440, 110
    if note:  # under the legend, with room for its lines
        text = paper_text(note, x=0, y=-0.3, size=11, yanchor="top", align="left",
                          font={"color": MUTED})
        lines = text["text"].count("<br>") + 1
        layout["annotations"] = [text]
        height, bottom = height + 16 * lines, bottom + 20 + 16 * lines
    return finish(data, layout, title=title,
                  subtitle="filled marker: significant after adjustment; bars: 95% CI",
                  height=height, bottom=bottom)
