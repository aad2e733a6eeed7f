"""Engagement: sessions over time, and the dose–response between sessions and gain."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dashboard.figures.base import Figure, Trace, empty, finish, frame_reason, hline
from dashboard.theme import MUTED, OKABE_ITO, SUPPRESSED

STATUS = {"held": ("held", OKABE_ITO[0], ""), "cancelled": ("cancelled", OKABE_ITO[1], "/"),
          "no_show": ("no-show", OKABE_ITO[5], "x")}


def _hidden_marks(x: pd.Series, *, customdata: np.ndarray, hovertemplate: str) -> Trace:
    """Hidden cells as × on the axis, the reason on hover."""
    return {"type": "scatter", "x": x, "y": [0] * len(x), "mode": "markers",
            "name": "hidden (privacy)", "showlegend": bool(len(x)),
            "marker": {"symbol": "x", "size": 11, "color": MUTED, "line": {"color": SUPPRESSED}},
            "customdata": customdata, "hovertemplate": hovertemplate}


def _title(text: str) -> dict[str, Any]:
    return {"title": {"text": text}}


def sessions_over_time(frame: pd.DataFrame, *, title: str) -> Figure:
    """Stacked monthly sessions by status (colour *and* hatch); hidden cells marked × with
    their reason on hover. ``frame``: month, status, sessions, suppressed, suppressed_reason,
    pairs."""
    if frame.empty:
        return empty(title, frame_reason(frame))
    hidden = frame["suppressed"].astype(bool)
    data: list[Trace] = [
        {"type": "bar", "x": part["month"], "y": part["sessions"], "name": name,
         "marker": {"color": colour, "pattern": {"shape": pattern}},
         "hovertemplate": "%{x|%b %Y}: %{y} " + name + "<extra></extra>"}
        for status, (name, colour, pattern) in STATUS.items()
        for part in [frame[(frame["status"] == status) & ~hidden]]]
    gone = frame[hidden]
    names = gone["status"].map(lambda s: STATUS.get(s, (s,))[0])
    reasons = gone["suppressed_reason"].fillna("too few pairs")
    data.append(_hidden_marks(
        gone["month"], customdata=np.column_stack([names, reasons]),
        hovertemplate="%{x|%b %Y} %{customdata[0]}: %{customdata[1]}<extra></extra>"))
    layout = {"barmode": "stack", "yaxis": _title("sessions"), "xaxis": _title("month")}
    pairs = int(frame["pairs"].iloc[0])
    note = (f"{len(gone)} month × status cell(s) hidden for privacy (× on the axis; hover for "
            "why)" if len(gone) else "")
    return finish(data, layout, title=title, subtitle=f"{pairs} pairs (n = {2 * pairs} people)",
                  height=380, note=note)


def dose_response(frame: pd.DataFrame, *, title: str) -> Figure:
    """Mean change by sessions held (bubble area ∝ n, n printed); hidden buckets marked × with
    their reason on hover. ``frame``: bucket, n, mean_change, suppressed, suppressed_reason."""
    if frame.empty:
        return empty(title, frame_reason(frame))
    hidden = frame["suppressed"].astype(bool)
    shown = frame[~hidden]
    reasons = frame.get("suppressed_reason", pd.Series(None, index=frame.index))
    data: list[Trace] = [
        {"type": "scatter", "x": shown["bucket"], "y": shown["mean_change"],
         "mode": "markers+text",
         "marker": {"size": 12 + 30 * shown["n"] / max(float(shown["n"].max() or 1), 1.0),
                    "color": OKABE_ITO[0], "opacity": 0.8},
         "text": shown["n"].map(lambda n: f"n = {int(n)}"), "textposition": "middle right",
         "cliponaxis": False, "name": "people",
         "hovertemplate": "%{x} sessions held: mean change %{y:.2f}<extra></extra>"},
        _hidden_marks(frame.loc[hidden, "bucket"],
                      customdata=reasons[hidden].fillna("too few people").to_numpy()[:, None],
                      hovertemplate="%{x} sessions held: %{customdata[0]}<extra></extra>"),
    ]
    layout = {"shapes": [hline(0)],
              "xaxis": {**_title("sessions held by the person's pair"),
                        "categoryorder": "array", "categoryarray": frame["bucket"]},
              "yaxis": _title("mean change after − before")}
    n = int(shown["n"].sum()) if len(shown) else 0
    skill = {"skills.digital": "digital skills", "skills.leadership": "leadership skills"}.get(
        str(frame["outcome"].iloc[0]), "mentees: digital skills, mentors: leadership")
    note = (f"{int(hidden.sum())} bucket(s) hidden for privacy (× on the axis; hover for why)"
            if hidden.any() else "")
    return finish(data, layout, title=title,
                  subtitle=f"{skill}; descriptive, no test; n = {n} shown", height=380, note=note)
