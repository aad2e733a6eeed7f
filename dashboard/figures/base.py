"""Shared pieces of every figure: the template, titles with n, empty states, suppression notes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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


def scale_panels(shown: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Rows grouped by answer scale (e.g. eNPS 0–10 apart from 1–5 scales), larger scale last;
    one group when there is no ``scale`` column or a single scale."""
    if "scale" not in shown or shown["scale"].nunique(dropna=False) < 2:
        return [("", shown)]
    width = shown["scale"].astype(str).str.split("–").map(
        lambda ends: float(ends[-1]) - float(ends[0]) if len(ends) == 2 else np.inf)
    order = width.groupby(shown["scale"].astype(str)).first().sort_values().index
    return [(scale, shown[shown["scale"].astype(str) == scale]) for scale in order]


def panel_grid(panels: list[tuple[str, pd.DataFrame]], *, row_px: int,
               x_title: str) -> tuple[go.Figure, int]:
    """One panel (row) per answer scale, each with its own x axis titled with the scale, sized
    by its rows; returns the figure and the plotting height in pixels."""
    sizes = [max(len(part), 1) for _, part in panels]
    gap = 90  # pixels between panels: room for the x ticks and the next panel's title
    plot_height = row_px * sum(sizes) + gap * (len(panels) - 1)
    several = len(panels) > 1
    titles = [f"{x_title}, {scale} scale" for scale, _ in panels] if several else None
    fig = make_subplots(rows=len(panels), cols=1, row_heights=sizes, subplot_titles=titles,
                        vertical_spacing=gap / plot_height if several else 0.0)
    fig.update_annotations(font_size=13, xanchor="right", x=1)
    if not several:
        fig.update_xaxes(title_text=x_title)
    return fig, plot_height


def suppressed_note(count: int, what: str = "group") -> str:
    if not count:
        return ""
    return f"{count} {what}(s) hidden: fewer than the minimum group size."


def significant(p_adjusted: pd.Series) -> pd.Series:
    return pd.to_numeric(p_adjusted, errors="coerce").lt(ALPHA)


def n_text(n: object) -> str:
    return "n = –" if pd.isna(n) else f"n = {int(float(n))}"  # type: ignore[arg-type]
