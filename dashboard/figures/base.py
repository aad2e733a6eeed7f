"""Shared pieces of every figure: the template, titles with n, empty states, suppression notes,
panel grids and reference lines.

Builders return the figure as a plain dict (:data:`Figure`: traces and layout), never through
plotly's incremental API (``make_subplots``, ``add_vline``, ``update_*``), which validates on
every call. Exports and tests check it once with :func:`validated` (``go.Figure``); the dashboard
sends it as it is (:func:`for_browser`): validating each figure of a filter change cost several
milliseconds apiece.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.theme import MUTED, register

register()  # the crossgen template as plotly's default (go.Figure and for_browser apply it)

ALPHA = 0.05
# Characters per line so that text fits a 390 px phone (about 350 px of chart): titles (18 px
# font), subtitles and notes (14 px), axis titles (beside the tick labels' margin), and text
# annotations per pixel of font size. A line too long is clipped by the chart's svg.
TITLE_WIDTH = 34
SUBTITLE_WIDTH = 46
AXIS_TITLE_WIDTH = 22
PHONE_TEXT_PX = 330
SIG_NAME = "significant (adjusted p < 0.05)"
NOT_SIG_NAME = "not significant"
REFERENCE_LINE = {"color": MUTED, "width": 1}

Trace = dict[str, Any]
Layout = dict[str, Any]
Figure = dict[str, Any]  # {"data": [trace, …], "layout": {…}}: what plotly.js draws


def validated(figure: Figure) -> go.Figure:
    """The figure checked by plotly (an invalid property raises), with the crossgen template:
    for exports and tests."""
    return go.Figure(figure)


def for_browser(figure: Figure) -> Figure:
    """The figure as Dash sends it: the builder's dict with the template ``go.Figure`` would
    apply (tests hold the two equal for every chart)."""
    return {"data": figure["data"], "layout": {"template": _template(), **figure["layout"]}}


@cache
def _template() -> dict[str, Any]:
    return dict(pio.templates[pio.templates.default].to_plotly_json())


def frame_reason(frame: pd.DataFrame, default: str = "Nothing matches these filters.") -> str:
    return str(frame.attrs.get("empty_reason") or default)


def paper_text(text: str, *, x: float, y: float, size: int, width_px: int = PHONE_TEXT_PX,
               **placement: Any) -> dict[str, Any]:
    """A text annotation placed in paper coordinates (panel titles, notes, empty states),
    wrapped to ``width_px`` pixels at its font size (each ``<br>`` line on its own)."""
    return {"text": wrap_lines(text, max(12, int(width_px / (0.58 * size)))),
            "xref": "paper", "yref": "paper", "x": x, "y": y, "showarrow": False,
            "font": {"size": size, **placement.pop("font", {})}, **placement}


def empty(title: str, reason: str) -> Figure:
    """A figure that explains why it has nothing to show."""
    return {"data": [], "layout": {
        "title": {"text": wrap(title, TITLE_WIDTH)}, "height": 260,
        "xaxis": {"visible": False}, "yaxis": {"visible": False},
        "annotations": [paper_text(reason, x=0.5, y=0.5, size=16, font={"color": MUTED})],
    }}


def finish(data: list[Trace], layout: Layout, *, title: str, subtitle: str, height: int,
           note: str = "", bottom: int = 110) -> Figure:
    """The figure: a title whose subtitle carries n (and the suppression
    note, if any), the horizontal legend under the plot, ``bottom`` pixels of bottom margin."""
    lines = wrap(title, TITLE_WIDTH)
    sub = wrap(subtitle, SUBTITLE_WIDTH) if subtitle else ""
    if note:  # in italics, line by line (a tag does not span plotly's line breaks)
        sub = "<br>".join([*([sub] if sub else []), *[f"<i>{line}</i>" for line in
                                                      wrap(note, SUBTITLE_WIDTH).split("<br>")]])
    # more lines, more top margin; panel titles above the top panel sit in it too
    above = max([17 * (str(a.get("text", "")).count("<br>") + 1)
                 for a in layout.get("annotations", [])
                 if a.get("yref") == "paper" and a.get("y", 0) >= 1
                 and a.get("yanchor") == "bottom"], default=0)
    extra = 24 * lines.count("<br>") + 19 * sub.count("<br>") + above
    total = height + 40 + extra
    layout = {**_axis_titles_wrapped(layout), "height": total,
              # the title block from 20 px below the top down, so it never runs into the plot
              "title": {"text": lines, "subtitle": {"text": sub}, "yref": "container",
                        "y": 1 - 20 / total, "yanchor": "top"},
              "margin": {"t": 84 + extra, "b": bottom},
              "legend": {"orientation": "h", "yref": "container", "yanchor": "bottom",
                         "y": 0, "x": 0}}
    return {"data": data, "layout": layout}


def _axis_titles_wrapped(layout: Layout) -> Layout:
    """Every axis title wrapped (an x title is centred under a plot narrower than the chart)."""
    out = dict(layout)
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis.get("title"), dict) \
                and "text" in axis["title"]:
            width = AXIS_TITLE_WIDTH if key.startswith("x") else SUBTITLE_WIDTH
            out[key] = {**axis, "title": {**axis["title"],
                                          "text": wrap_lines(axis["title"]["text"], width)}}
    return out


def shown_rows(frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, int]:
    """The rows not suppressed, with only ``columns`` (plus ``scale`` when present), and how
    many rows are hidden. Narrowed first: every row filter copies each column it keeps."""
    hidden = frame["suppressed"].to_numpy(dtype=bool)
    keep = [*columns, "scale"] if "scale" in frame else columns
    return frame.loc[~hidden, keep].copy(), int(hidden.sum())


# -- panels and reference lines ---------------------------------------------------------------

def panel_axes(i: int) -> dict[str, str]:
    """The axis references of panel ``i`` (1-based) for a trace: ``{"xaxis": "x2", …}``."""
    suffix = "" if i == 1 else str(i)
    return {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}


def axis_key(ref: str) -> str:
    """The layout key of an axis reference: "x2" -> "xaxis2"."""
    return f"{ref[0]}axis{ref[1:]}"


def domains(count: int, *, spacing: float, sizes: list[int] | None = None) -> list[list[float]]:
    """Domains of ``count`` panels along one direction, first panel at the low end (left or
    bottom), ``spacing`` between them; the same arithmetic as ``make_subplots``."""
    usable = 1.0 - spacing * (count - 1)
    if sizes is None:
        lengths = [usable / count] * count
    else:
        total = float(sum(sizes))
        lengths = [usable * (size / total) for size in sizes]
    starts = [sum(lengths[:k]) + k * spacing for k in range(count)]
    return [[max(start, 0.0), min(start + length, 1.0)]
            for start, length in zip(starts, lengths, strict=True)]


def vline(x: float, *, panel: int = 1, dash: str | None = None) -> dict[str, Any]:
    """A vertical reference line at ``x`` across the full height of a panel (a layout shape)."""
    axes = panel_axes(panel)
    return {"type": "line", "xref": axes["xaxis"], "x0": x, "x1": x,
            "yref": f"{axes['yaxis']} domain", "y0": 0, "y1": 1,
            "line": {**REFERENCE_LINE, "dash": dash} if dash else REFERENCE_LINE}


def hline(y: float) -> dict[str, Any]:
    """A horizontal reference line at ``y`` across the full width of the plot."""
    return {"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": y, "y1": y,
            "line": REFERENCE_LINE}


def scale_panels(shown: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Rows grouped by answer scale (e.g. eNPS 0–10 apart from 1–5 scales), larger scale last;
    one group when there is no ``scale`` column or a single scale."""
    if "scale" not in shown:
        return [("", shown)]
    scales = shown["scale"].astype(str).to_numpy()
    names = sorted(set(scales))  # alphabetical among scales of equal width
    if len(names) < 2:
        return [("", shown)]

    def width(scale: str) -> float:
        ends = scale.split("–")
        return float(ends[-1]) - float(ends[0]) if len(ends) == 2 else np.inf

    return [(scale, shown[scales == scale]) for scale in sorted(names, key=width)]


def panel_grid(panels: list[tuple[str, pd.DataFrame]], *, row_px: int, x_title: str,
               y_axis: dict[str, Any]) -> tuple[Layout, int]:
    """One panel (row, top to bottom) per answer scale, each with its own x axis titled with the
    scale, sized by its rows; every y axis gets ``y_axis``. Returns the layout's axes and panel
    titles, and the plotting height in pixels. Traces go on ``panel_axes(row)``."""
    sizes = [max(len(part), 1) for _, part in panels]
    gap = 90  # pixels between panels: room for the x ticks and the next panel's title
    plot_height = row_px * sum(sizes) + gap * (len(panels) - 1)
    several = len(panels) > 1
    rows = domains(len(panels), spacing=gap / plot_height if several else 0.0,
                   sizes=sizes[::-1])[::-1]
    layout: Layout = {}
    for i, row in enumerate(rows, start=1):
        axes = panel_axes(i)
        layout[axis_key(axes["xaxis"])] = {"anchor": axes["yaxis"], "domain": [0.0, 1.0]}
        layout[axis_key(axes["yaxis"])] = {"anchor": axes["xaxis"], "domain": row, **y_axis}
    if several:
        layout["annotations"] = [
            paper_text(f"{x_title}, {scale} scale", x=1, y=row[1], size=13, xanchor="right",
                       yanchor="bottom")
            for (scale, _), row in zip(panels, rows, strict=True)]
    else:
        layout["xaxis"]["title"] = {"text": x_title}
    return layout, plot_height


# -- text ---------------------------------------------------------------------------------------

def suppressed_note(count: int, what: str = "group") -> str:
    if not count:
        return ""
    return f"{count} {what}(s) hidden: fewer than the minimum group size."


def significant(p_adjusted: pd.Series) -> pd.Series:
    return pd.to_numeric(p_adjusted, errors="coerce").lt(ALPHA)


def n_text(n: object) -> str:
    return "n = –" if pd.isna(n) else f"n = {int(float(n))}"  # type: ignore[arg-type]


def wrap(text: object, width: int = 16) -> str:
    """``text`` broken into lines of at most ``width`` characters at spaces (plotly's ``<br>``),
    so tick labels and titles fit a phone's width instead of colliding or being cut."""
    lines: list[str] = []
    for word in str(text).split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def wrap_lines(text: object, width: int) -> str:
    """:func:`wrap` applied to each line of a text that already has ``<br>`` breaks."""
    return "<br>".join(wrap(line, width) for line in str(text).split("<br>"))


def line_count(labels: pd.Series) -> int:
    """The most lines any of ``labels`` takes (``<br>`` breaks), at least 1."""
    return int(labels.astype(str).str.count("<br>").max() + 1) if len(labels) else 1


def _plain_text(text: object) -> str:
    return re.sub(r"<[^>]+>", " ", str(text or "")).replace("  ", " ").strip()


def _number(value: object) -> str | None:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if x != x else f"{x:,.2f}"


def describe(figure: Figure, *, most: int = 6) -> str:
    """A chart's text alternative (WCAG 1.1.1): its title, its subtitle (which carries n and
    what is hidden) and its main numbers, trace by trace, or the empty state's reason."""
    layout = figure.get("layout", {})
    title = layout.get("title", {})
    parts = [_plain_text(title.get("text")), _plain_text(title.get("subtitle", {}).get("text"))]
    if not figure.get("data"):
        notes = [_plain_text(a.get("text")) for a in layout.get("annotations", [])]
        return ". ".join(p for p in [*parts, *notes] if p) + "."
    for trace in figure["data"]:
        xs, ys = (list(v) if (v := trace.get(axis)) is not None else []
                  for axis in ("x", "y"))
        horizontal = bool(xs) and _number(xs[0]) is not None and ys and _number(ys[0]) is None
        labels, values = (ys, xs) if horizontal else (xs, ys)
        pairs = [f"{_plain_text(k)}: {v}" for k, raw in zip(labels, values, strict=False)
                 if (v := _number(raw)) is not None][:most]
        if pairs:
            name = _plain_text(trace.get("name"))
            parts.append((f"{name}: " if name else "") + "; ".join(pairs))
    return ". ".join(p for p in parts if p) + "."
