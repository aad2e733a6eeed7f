"""Shared pieces of every figure: the template, titles with n, empty states, suppression notes."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.theme import register

ALPHA = 0.05
SIG_NAME = "significant (adjusted p < 0.05)"
NOT_SIG_NAME = "not significant"


def frame_reason(frame: pd.DataFrame, default: str = "Nothing matches these filters.") -> str:
    return str(frame.attrs.get("empty_reason") or default)


def empty(title: str, reason: str) -> go.Figure:
    """A figure that explains why it has nothing to show."""
    fig = go.Figure()
    fig.update_layout(
        template=register(), title={"text": title}, height=260,
        xaxis={"visible": False}, yaxis={"visible": False},
        annotations=[{"text": reason, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                      "showarrow": False, "font": {"size": 16, "color": "#52606D"}}],
    )
    return fig


def finish(fig: go.Figure, *, title: str, subtitle: str, height: int,
           note: str = "") -> go.Figure:
    """Template, a title whose subtitle carries n (and the suppression note, if any)."""
    if note:
        subtitle = f"{subtitle} · <i>{note}</i>" if subtitle else f"<i>{note}</i>"
    fig.update_layout(template=register(), height=height + 40,
                      title={"text": title, "subtitle": {"text": subtitle}},
                      margin={"t": 84, "b": 110},
                      legend={"orientation": "h", "yref": "container", "yanchor": "bottom",
                              "y": 0, "x": 0})
    return fig


def suppressed_note(count: int, what: str = "group") -> str:
    if not count:
        return ""
    return f"{count} {what}(s) hidden: fewer than the minimum group size."


def significant(p_adjusted: pd.Series) -> pd.Series:
    return pd.to_numeric(p_adjusted, errors="coerce").lt(ALPHA)


def n_text(n: object) -> str:
    return "n = –" if pd.isna(n) else f"n = {int(float(n))}"  # type: ignore[arg-type]
