"""Slice explorer heatmap: change per cell, n in each cell, suppressed cells marked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.base import empty, finish, frame_reason, significant, suppressed_note
from dashboard.theme import SUPPRESSED

# Blue–orange diverging (colour-blind safe ends of Okabe–Ito), white at zero.
DIVERGING = [[0.0, "#D55E00"], [0.5, "#FFFFFF"], [1.0, "#0072B2"]]


def slice_heatmap(frame: pd.DataFrame, *, title: str) -> go.Figure:
    """``frame``: row, col, n, estimate, ci_low, ci_high, p_adjusted, suppressed, label, rows,
    cols. Significant cells carry ★ (not colour alone); hidden cells are grey and say so."""
    if frame.empty:
        return empty(title or "Slice explorer: change per cell", frame_reason(frame))
    rows = sorted(frame["row"].astype(str).unique())
    cols = sorted(frame["col"].astype(str).unique())
    grid = frame.assign(row=frame["row"].astype(str), col=frame["col"].astype(str))
    star = np.where(significant(grid["p_adjusted"]), " ★", "")
    grid["text"] = np.where(
        grid["suppressed"].astype(bool), "hidden<br>n < min",
        grid["estimate"].map(lambda v: f"{v:+.2f}") + star + "<br>n = "
        + grid["n"].map(lambda v: "" if pd.isna(v) else str(int(v))))
    z = grid.pivot(index="row", columns="col", values="estimate").reindex(index=rows,
                                                                           columns=cols)
    text = grid.pivot(index="row", columns="col", values="text").reindex(index=rows,
                                                                         columns=cols)
    hidden = grid.pivot(index="row", columns="col", values="suppressed").reindex(
        index=rows, columns=cols)
    limit = float(np.nanmax(np.abs(z.to_numpy(dtype=float)))) if z.notna().any().any() else 1.0
    fig = go.Figure()
    fig.add_trace(go.Heatmap(  # grey under-layer marks hidden and empty cells
        z=np.where(hidden.fillna(True).astype(bool), 1.0, np.nan), x=cols, y=rows,
        colorscale=[[0, SUPPRESSED], [1, SUPPRESSED]], showscale=False, hoverinfo="skip"))
    fig.add_trace(go.Heatmap(
        z=z.to_numpy(dtype=float), x=cols, y=rows, text=text.fillna("no one").to_numpy(),
        texttemplate="%{text}", textfont={"size": 13}, colorscale=DIVERGING, zmid=0,
        zmin=-limit, zmax=limit, xgap=2, ygap=2,
        colorbar={"title": {"text": "change"}},
        hovertemplate="%{y} × %{x}<br>%{text}<extra></extra>"))
    label, dim_r, dim_c = frame["label"].iloc[0], frame["rows"].iloc[0], frame["cols"].iloc[0]
    fig.update_layout(xaxis={"title": dim_c, "side": "bottom"},
                      yaxis={"title": dim_r, "autorange": "reversed"})
    total = int(grid["n"].sum())
    return finish(fig, title=title or f"Change in {label} by {dim_r} × {dim_c}",
                  subtitle=f"{label}: mean change after − before per cell; ★ significant after "
                           f"Holm adjustment across cells; n shown = {total}",
                  height=160 + 64 * len(rows),
                  note=suppressed_note(int(grid["suppressed"].astype(bool).sum()), "cell"))
