"""Slice explorer heatmap: change per cell, n in each cell, suppressed cells marked."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.figures.base import (
    Figure,
    Trace,
    empty,
    finish,
    frame_reason,
    significant,
    suppressed_note,
)
from dashboard.theme import SUPPRESSED

# Blue–orange diverging (colour-blind safe ends of Okabe–Ito), white at zero.
DIVERGING = [[0.0, "#D55E00"], [0.5, "#FFFFFF"], [1.0, "#0072B2"]]


def slice_heatmap(frame: pd.DataFrame, *, title: str) -> Figure:
    """``frame``: row, col, n, estimate, ci_low, ci_high, p_adjusted, suppressed, label, rows,
    cols. Significant cells carry ★ (not colour alone); hidden cells are grey and say so."""
    if frame.empty:
        return empty(title or "Slice explorer: change per cell", frame_reason(frame))
    row_of = frame["row"].astype(str).to_numpy()
    col_of = frame["col"].astype(str).to_numpy()
    rows, cols = sorted(set(row_of)), sorted(set(col_of))
    # Each frame row's cell in the rows × cols grid (a pivot without pandas' index machinery).
    cell = (np.searchsorted(np.array(rows, dtype=object), row_of),
            np.searchsorted(np.array(cols, dtype=object), col_of))
    if len(np.unique(cell[0] * len(cols) + cell[1])) < len(frame):
        raise ValueError("slice_heatmap needs one frame row per (row, col) cell")
    suppressed = frame["suppressed"].to_numpy(dtype=bool)
    star = np.where(significant(frame["p_adjusted"]), " ★", "")
    text = np.where(
        suppressed, "hidden<br>n < min",
        frame["estimate"].map(lambda v: f"{v:+.2f}") + star + "<br>n = "
        + frame["n"].map(lambda v: "" if pd.isna(v) else str(int(v))))

    def on_grid(values: np.ndarray, empty_cell: object, dtype: type) -> np.ndarray:
        out: np.ndarray = np.full((len(rows), len(cols)), empty_cell, dtype=dtype)
        out[cell] = values
        return out

    z = on_grid(frame["estimate"].to_numpy(dtype=float), np.nan, float)
    limit = float(np.nanmax(np.abs(z))) if not np.isnan(z).all() else 1.0
    data: list[Trace] = [
        {"type": "heatmap",  # grey under-layer marks hidden and empty cells
         "z": np.where(on_grid(suppressed, True, bool), 1.0, np.nan), "x": cols, "y": rows,
         "colorscale": [[0, SUPPRESSED], [1, SUPPRESSED]], "showscale": False,
         "hoverinfo": "skip"},
        {"type": "heatmap", "z": z, "x": cols, "y": rows,
         "text": on_grid(text, "no one", object), "texttemplate": "%{text}",
         "textfont": {"size": 13}, "colorscale": DIVERGING, "zmid": 0, "zmin": -limit,
         "zmax": limit, "xgap": 2, "ygap": 2, "colorbar": {"title": {"text": "change"}},
         "hovertemplate": "%{y} × %{x}<br>%{text}<extra></extra>"},
    ]
    label, dim_r, dim_c = frame["label"].iloc[0], frame["rows"].iloc[0], frame["cols"].iloc[0]
    layout = {"xaxis": {"title": {"text": dim_c}, "side": "bottom"},
              "yaxis": {"title": {"text": dim_r}, "autorange": "reversed"}}
    total = int(frame["n"].sum())
    return finish(data, layout, title=title or f"Change in {label} by {dim_r} × {dim_c}",
                  subtitle=f"{label}: mean change after − before per cell; ★ significant after "
                           f"Holm adjustment across cells; n shown = {total}",
                  height=160 + 64 * len(rows),
                  note=suppressed_note(int(suppressed.sum()), "cell"))
