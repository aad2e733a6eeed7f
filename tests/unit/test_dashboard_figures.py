"""The figure builders on the real demo database: every chart, several filter states.

The builders assemble plain dicts and construct the figure once; these tests check the drawn
figure against its data frame (traces, panels, titles with n, suppression notes, reference
lines, empty states) and the hand-computed panel geometry against plotly's own make_subplots.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from analysis.store.filters import Filters
from dashboard import model
from dashboard.charts import CHARTS, Chart
from dashboard.figures.base import (
    REFERENCE_LINE,
    domains,
    frame_reason,
    hline,
    validated,
    vline,
)
from dashboard.theme import OKABE_ITO

STATES = {
    "everyone": "",
    "cohort": "?cohort=C2",
    "cohort and role": "?cohort=C2&role=mentee",
    "one generation": "?generation=Silent",
    "nobody": "?cohort=C1&generation=Silent",
    "heatmap options": "?cohort=C2&rows=department&cols=level",
}


@pytest.fixture(scope="module")
def configured(demo_db: Path) -> Path:
    model.configure(demo_db)
    return demo_db


def draw(chart: Chart, query: str) -> tuple[pd.DataFrame, go.Figure]:
    frame = chart.data(Filters.from_query(query), **chart.options_from_query(query))
    return frame, validated(chart.figure(frame))


def kind(chart_id: str) -> str:
    for suffix, name in (("-change", "ci"), ("-changes", "ci"), ("-did", "ci"),
                         ("-before-after", "dumbbell"), ("-items", "dumbbell"),
                         ("-distribution", "histogram"), ("-roles", "roles")):
        if chart_id.endswith(suffix):
            return name
    return chart_id


def plain(text: object) -> str:
    """A chart text as read: the lines a phone's width holds joined again, no italics."""
    return re.sub(r"</?i>", "", str(text or "")).replace("<br>", " ")


def points(fig: go.Figure, *, mode: str = "markers") -> list[go.Scatter]:
    return [t for t in fig.data if t.type == "scatter" and t.mode == mode]


def values(traces: list[go.Scatter], axis: str = "x") -> list[float]:
    return sorted(float(v) for t in traces for v in getattr(t, axis))


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[~frame["suppressed"].astype(bool)]


def check_panels(fig: go.Figure, frame: pd.DataFrame) -> None:
    """One panel per answer scale; each trace on a defined axis pair; each panel its x = 0."""
    scales = sorted(shown(frame)["scale"].astype(str).unique()) if "scale" in frame else []
    panels = max(len(scales), 1)
    layout = fig.layout
    assert [f"yaxis{i if i > 1 else ''}" in layout for i in range(1, panels + 2)] \
        == [True] * panels + [False]
    for trace in fig.data:
        assert trace.xaxis in {f"x{i if i > 1 else ''}" for i in range(1, panels + 1)}
        assert trace.yaxis == "y" + trace.xaxis[1:]
    if panels > 1:  # each panel titled with its scale
        titles = " ".join(plain(a.text) for a in layout.annotations)
        assert all(f"{scale} scale" in titles for scale in scales)


def check_chart(chart: Chart, frame: pd.DataFrame, fig: go.Figure) -> None:
    layout = fig.layout
    subtitle = plain(layout.title.subtitle.text)
    kind_ = kind(chart.id)
    # The histogram marks hidden bins ×; the trend drops hidden points without a note.
    if "suppressed" in frame and kind_ not in ("histogram", "overview-trend"):
        hidden = int(frame["suppressed"].astype(bool).sum())
        what = {"slices-heatmap": "cell", "engagement-sessions": "month × status cell",
                "engagement-dose": "bucket"}.get(chart.id, "group")
        assert (f"{hidden} {what}(s) hidden" in subtitle) == (hidden > 0), chart.id
    lines = [s for s in layout.shapes if s.type == "line"]
    if kind_ == "ci":
        check_panels(fig, frame)
        visible = shown(frame)
        assert values(points(fig)) == sorted(visible["estimate"].astype(float))
        labels = [plain(y) for t in fig.data for y in t.y]
        assert all("(n = " in y for y in labels) and len(labels) == len(visible)
        assert (f"largest group n = {int(visible['n'].max())}" if len(visible)
                else "no group large enough to show") in subtitle
        # Reference line at zero across each panel's full height.
        assert sorted((s.xref, s.yref, s.x0) for s in lines) == sorted(
            (t.xaxis, f"{t.yaxis} domain", 0) for t in fig.data[::2])
    elif kind_ == "dumbbell":
        check_panels(fig, frame)
        visible = shown(frame)
        for name in ("before", "after"):
            drawn = [t for t in points(fig) if t.name == name]
            assert values(drawn) == sorted(visible[f"mean_{name}"].astype(float))
        assert all(" (n = " in str(y) for t in points(fig) for y in t.y)
    elif kind_ == "histogram":
        labels = list(dict.fromkeys(frame["label"]))
        assert [plain(a.text).split(" (")[0] for a in layout.annotations] == labels
        totals = frame.groupby("label", sort=False)["n"].first()
        assert [plain(a.text).split(" (")[1] for a in layout.annotations] == [
            "hidden)" if pd.isna(n) else f"n = {int(n)})" for n in totals]
        bars = [t for t in fig.data if t.type == "bar"]
        assert sum(float(v) for t in bars for v in t.y) == shown(frame)["count"].sum()
        assert sum(len(t.x) for t in points(fig)) == int(frame["suppressed"].sum())
        assert len(lines) == len(labels) and all(s.line.dash == "dot" for s in lines)
        if len(labels) > 1:  # panels share the people axis
            assert layout.yaxis2.matches == "y" and layout.yaxis2.showticklabels is False
    elif kind_ == "roles":
        visible = shown(frame)
        visible = visible[visible["role"].isin(["mentor", "mentee"])]
        assert values(points(fig)) == sorted(visible["estimate"].astype(float))
        assert all(any(r in plain(y) for r in (" · mentors", " · mentees")) for t in fig.data
                   for y in t.y)
        assert [(s.x0, s.yref) for s in lines] == [(0, "y domain")]
    elif chart.id == "retention-km":
        curves = points(fig, mode="lines")
        for arm, part in frame.groupby("arm"):
            assert f"{arm} (n = {int(part['at_risk'].max())})" in {t.name for t in curves}
        assert [(s.x0, s.x1, s.yref) for s in lines] == [(365, 365, "y domain")]
        assert [a.text for a in layout.annotations] == ["12 months"]
    elif chart.id == "engagement-sessions":
        assert layout.barmode == "stack"
        bars = [t for t in fig.data if t.type == "bar"]
        assert sum(float(v) for t in bars for v in t.y) == shown(frame)["sessions"].sum()
        assert sum(len(t.x) for t in points(fig)) == int(frame["suppressed"].sum())
        assert f"{int(frame['pairs'].iloc[0])} pairs" in subtitle
    elif chart.id == "engagement-dose":
        assert f"n = {int(shown(frame)['n'].sum())} shown" in subtitle
        assert sum(len(t.x) for t in points(fig)) == int(frame["suppressed"].sum())
        assert [(s.xref, s.y0, s.y1) for s in lines] == [("x domain", 0, 0)]
    elif chart.id == "slices-heatmap":
        under, cells = fig.data
        shape = (frame["row"].nunique(), frame["col"].nunique())
        assert np.shape(cells.z) == shape
        # Grey under-layer: hidden cells and cells nobody is in.
        assert np.count_nonzero(~np.isnan(np.asarray(under.z, dtype=float))) == int(
            frame["suppressed"].sum()) + shape[0] * shape[1] - len(frame)
        assert sum(str(t).startswith("hidden") for row in cells.text for t in row) \
            == int(frame["suppressed"].sum())
        assert f"n shown = {int(frame['n'].sum())}" in subtitle
    elif chart.id == "overview-trend":
        assert {t.name.split(" (")[0] for t in fig.data} == set(frame["label"])
        assert [(s.xref, s.y0) for s in lines] == [("x domain", 0)]
        notes = frame["note"].astype(bool).any()
        assert any("Small or hidden cohorts" in plain(a.text)
                   for a in layout.annotations) == notes
        # a hidden cohort is listed under the chart with its reason
        hidden_any = frame["suppressed"].astype(bool).any()
        assert any("hidden (" in plain(a.text) for a in layout.annotations) == hidden_any
    else:
        pytest.fail(f"no check for chart {chart.id}")


@pytest.mark.parametrize("query", STATES.values(), ids=STATES.keys())
def test_every_chart_draws_its_data(configured: Path, query: str) -> None:
    empties = 0
    for chart in CHARTS.values():
        frame, fig = draw(chart, query)
        layout = fig.layout
        assert isinstance(fig, go.Figure)
        assert layout.template.layout.colorway == tuple(OKABE_ITO), chart.id  # crossgen's
        # The slice explorer titles itself from its options; every other chart by its title.
        # (titles wrap onto lines a phone's width can hold)
        assert layout.title.text.replace("<br>", " ").startswith(
            ("Change in", "Slice explorer") if chart.id == "slices-heatmap" else chart.title)
        if frame.empty:
            empties += 1
            assert fig.data == () and layout.xaxis.visible is False, chart.id
            assert [plain(a.text) for a in layout.annotations] == [frame_reason(frame)]
            continue
        # 84 px for a title and subtitle of one line each, more for each wrapped line
        assert layout.legend.yref == "container" and layout.margin.t >= 84
        check_chart(chart, frame, fig)
    # The states do reach both sides: the filter that empties charts, and the others.
    assert (empties > len(CHARTS) // 2) == (query == STATES["nobody"])


def test_figure_round_trips_through_plotly_validation(configured: Path) -> None:
    """The dict-built figures are valid plotly: rebuilding them from JSON gives the same."""
    for chart in CHARTS.values():
        _, fig = draw(chart, STATES["cohort"])
        again = go.Figure(fig.to_plotly_json())
        assert json.loads(again.to_json()) == json.loads(fig.to_json()), chart.id


@pytest.mark.parametrize("sizes", [[3], [4, 1], [2, 7, 3]])
def test_panel_domains_match_make_subplots(sizes: list[int]) -> None:
    # Reference: plotly's make_subplots with the same rows, heights and spacing.
    spacing = 0.1 if len(sizes) > 1 else 0.0
    ref = make_subplots(rows=len(sizes), cols=1, row_heights=sizes, vertical_spacing=spacing)
    rows = domains(len(sizes), spacing=spacing, sizes=sizes[::-1])[::-1]
    assert rows == [list(ref.layout[f"yaxis{i if i > 1 else ''}"].domain)
                    for i in range(1, len(sizes) + 1)]
    ref = make_subplots(rows=1, cols=len(sizes), horizontal_spacing=0.2 / len(sizes))
    assert domains(len(sizes), spacing=0.2 / len(sizes)) == [
        list(ref.layout[f"xaxis{i if i > 1 else ''}"].domain) for i in range(1, len(sizes) + 1)]


def test_reference_lines_match_plotly_add_line() -> None:
    # Reference: the shapes plotly's own add_vline / add_hline write.
    ref = make_subplots(rows=2, cols=1)
    ref.add_vline(x=0, line=REFERENCE_LINE, row=2, col=1, exclude_empty_subplots=False)
    ref.add_hline(y=0, line=REFERENCE_LINE, row=1, col=1, exclude_empty_subplots=False)
    mine = go.Figure(layout={"shapes": [vline(0, panel=2), hline(0)]})
    assert mine.layout.shapes[0].to_plotly_json() == ref.layout.shapes[0].to_plotly_json()
    assert mine.layout.shapes[1].to_plotly_json() == ref.layout.shapes[1].to_plotly_json()
