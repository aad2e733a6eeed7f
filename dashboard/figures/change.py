"""Estimates with confidence intervals: change per outcome, mentor/mentee split, DiD."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.base import (
    NOT_SIG_NAME,
    SIG_NAME,
    empty,
    finish,
    frame_reason,
    panel_grid,
    scale_panels,
    significant,
    suppressed_note,
)
from dashboard.theme import NOT_SIGNIFICANT, OKABE_ITO, SIGNIFICANT

X_TITLE = "change after − before (scale points)"


def _points(part: pd.DataFrame, *, name: str, colour: str, symbol: str,
            y: pd.Series, legendgroup: str | None = None, showlegend: bool = True) -> go.Scatter:
    return go.Scatter(
        x=part["estimate"], y=y, mode="markers", name=name, legendgroup=legendgroup,
        showlegend=showlegend,
        marker={"color": colour, "size": 13, "symbol": symbol,
                "line": {"width": 2, "color": colour}},
        error_x={"type": "data", "symmetric": False, "array": part["ci_high"] - part["estimate"],
                 "arrayminus": part["estimate"] - part["ci_low"], "color": colour,
                 "thickness": 2},
        customdata=part[["ci_low", "ci_high", "p_adjusted", "n"]].to_numpy(),
        hovertemplate="%{y}<br>estimate %{x:.2f} (95% CI %{customdata[0]:.2f} to "
                      "%{customdata[1]:.2f})<br>adjusted p = %{customdata[2]:.3f}, "
                      "n = %{customdata[3]}<extra></extra>",
    )


def _label(frame: pd.DataFrame) -> pd.Series:
    n = frame["n"].map(lambda v: "hidden" if pd.isna(v) else f"n = {int(v)}").astype(str)
    return frame["label"].astype(str) + "  (" + n + ")"


def ci_bars(frame: pd.DataFrame, *, title: str, x_title: str = X_TITLE) -> go.Figure:
    """Horizontal CI bars per outcome; significance by colour *and* filled/open marker.

    ``frame``: label, n, estimate, ci_low, ci_high, p_adjusted, suppressed, and optionally
    ``scale``: changes on different answer scales (eNPS 0–10, agreement 1–5) get their own
    panel and x axis.
    """
    if frame.empty:
        return empty(title, frame_reason(frame))
    hidden = frame["suppressed"].astype(bool)
    shown = frame[~hidden].copy()
    panels = scale_panels(shown)
    fig, plot_height = panel_grid(panels, row_px=46, x_title=x_title)
    for row, (_scale, part) in enumerate(panels, start=1):
        flags = significant(part["p_adjusted"])
        for flag, name, colour, symbol in ((True, SIG_NAME, SIGNIFICANT, "circle"),
                                           (False, NOT_SIG_NAME, NOT_SIGNIFICANT,
                                            "circle-open")):
            sub = part[flags == flag]
            fig.add_trace(_points(sub, name=name, colour=colour, symbol=symbol, y=_label(sub),
                                  legendgroup=name, showlegend=row == 1), row=row, col=1)
        fig.add_vline(x=0, line={"color": "#52606D", "width": 1}, row=row, col=1)
        fig.update_yaxes(autorange="reversed", row=row, col=1)
    total = shown["n"].max() if len(shown) else None
    subtitle = f"largest group n = {int(total)}" if total is not None and not pd.isna(total) \
        else "no group large enough to show"
    return finish(fig, title=title, subtitle=subtitle, height=170 + plot_height,
                  note=suppressed_note(int(hidden.sum())))


def change_by_outcome(results: pd.DataFrame, *, title: str, labels: dict[str, str]) -> go.Figure:
    """``ci_bars`` for paired_change rows labelled by construct."""
    frame = results.copy()
    frame["label"] = frame["outcome"].map(lambda o: labels.get(o, o))
    return ci_bars(frame, title=title)


ROLE_STYLE = {"mentor": ("Mentors", OKABE_ITO[1]), "mentee": ("Mentees", OKABE_ITO[0])}


def role_split(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """Mentors and mentees side by side per outcome: colour = role, fill = significance."""
    if frame.empty:
        return empty(title, frame_reason(frame))
    hidden = frame["suppressed"].astype(bool)
    shown = frame[~hidden].copy()
    fig = go.Figure()
    for role, (name, colour) in ROLE_STYLE.items():
        part = shown[shown["role"] == role]
        flags = significant(part["p_adjusted"])
        for flag, suffix, symbol in ((True, "significant", "circle"),
                                     (False, "not significant", "circle-open")):
            sub = part[flags == flag]
            y = sub["label"] + " · " + name.lower() + "  (n = " + \
                sub["n"].astype(int).astype(str) + ")"
            fig.add_trace(_points(sub, name=f"{name}, {suffix}", colour=colour, symbol=symbol,
                                  y=y, legendgroup=role))
    fig.add_vline(x=0, line={"color": "#52606D", "width": 1})
    fig.update_layout(xaxis_title=X_TITLE, yaxis={"autorange": "reversed",
                                                   "categoryorder": "category ascending"})
    return finish(fig, title=title, subtitle="filled marker: significant after Holm adjustment",
                  height=190 + 40 * max(len(shown), 1), note=suppressed_note(int(hidden.sum())))
