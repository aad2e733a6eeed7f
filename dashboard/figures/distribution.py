"""Distribution of individual changes (binned; small bins suppressed and marked)."""

from __future__ import annotations

import pandas as pd

from dashboard.figures.base import (
    PHONE_TEXT_PX,
    Figure,
    Layout,
    Trace,
    axis_key,
    domains,
    empty,
    finish,
    frame_reason,
    panel_axes,
    paper_text,
    vline,
    wrap,
)
from dashboard.theme import MUTED, OKABE_ITO, SUPPRESSED

X_TITLE = "change after − before"


def _columns(titles: list[str]) -> Layout:
    """Panels side by side sharing the first panel's y axis (ticks on the first only), each
    titled above."""
    layout: Layout = {"annotations": []}
    for i, (title, span) in enumerate(zip(titles, domains(len(titles),
                                                           spacing=0.2 / len(titles)),
                                          strict=True), start=1):
        axes = panel_axes(i)
        layout[axis_key(axes["xaxis"])] = {"anchor": axes["yaxis"], "domain": span,
                                           # a narrow panel: its title on more lines
                                           "title": {"text": wrap(X_TITLE, max(
                                               10, int(40 * (span[1] - span[0]))))}}
        layout[axis_key(axes["yaxis"])] = {"anchor": axes["xaxis"], "domain": [0.0, 1.0]} | (
            {"title": {"text": "people"}} if i == 1 else {"matches": "y", "showticklabels": False})
        layout["annotations"].append(paper_text(title, x=sum(span) / 2.0, y=1.0, size=16,
                                                width_px=int(PHONE_TEXT_PX * (span[1] - span[0])),
                                                xanchor="center", yanchor="bottom"))
    return layout


def change_histogram(frame: pd.DataFrame, *, title: str) -> Figure:
    """One panel per construct: people per bin of (after − before); hidden bins marked ×.

    ``frame``: outcome, label, bin_low, bin_high, count, suppressed, n (optional
    suppressed_reason: shown on hover of a hidden bin).
    """
    if frame.empty:
        return empty(title, frame_reason(frame))
    labels = list(dict.fromkeys(frame["label"]))
    totals = frame.groupby("label", sort=False)["n"].first()
    layout = _columns([f"{lab} ({'hidden' if pd.isna(totals[lab]) else f'n = {int(totals[lab])}'})"
                       for lab in labels])
    data: list[Trace] = []
    for i, lab in enumerate(labels, start=1):
        axes = panel_axes(i)
        part = frame[frame["label"] == lab]
        centre = (part["bin_low"] + part["bin_high"]) / 2
        shown = ~part["suppressed"].astype(bool)
        reasons = part["suppressed_reason"] if "suppressed_reason" in part \
            else pd.Series("too few people", index=part.index)
        data += [
            {"type": "bar", "x": centre[shown], "y": part.loc[shown, "count"],
             "width": (part["bin_high"] - part["bin_low"]).iloc[0] * 0.9,
             "marker": {"color": OKABE_ITO[0]}, "name": "people", "showlegend": i == 1,
             "hovertemplate": "change %{x:+.2f}: %{y} people<extra></extra>", **axes},
            {"type": "scatter", "x": centre[~shown], "y": [0] * int((~shown).sum()),
             "mode": "markers",
             "marker": {"symbol": "x", "size": 11, "color": MUTED, "line": {"color": SUPPRESSED}},
             "name": "hidden (privacy)", "showlegend": i == 1,
             "customdata": reasons[~shown].fillna("too few people").to_numpy()[:, None],
             "hovertemplate": "change %{x:+.2f}: %{customdata[0]}<extra></extra>", **axes},
        ]
    layout["shapes"] = [vline(0, panel=i, dash="dot") for i in range(1, len(labels) + 1)]
    return finish(data, layout, title=title,
                  subtitle="people per band of individual change (fixed bands; the outer two "
                           "include everything beyond)", height=380)
