"""The chart registry and page bundles on the real demo database (no browser)."""

from __future__ import annotations

import base64
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.io.json import to_json_plotly

from analysis.metrics import data
from analysis.pages import outcomes, slice_choice, slices
from analysis.stats.paired import paired_change
from analysis.store.db import Store
from analysis.store.filters import Filters
from dashboard import model, urlstate
from dashboard.charts import CHARTS
from dashboard.figures.base import for_browser, validated

# no filter, a cohort and role, and a filter that leaves nobody (every chart's empty state)
QUERIES = ["", "?cohort=C2&role=mentee", "?cohort=C1&generation=Silent"]


@pytest.fixture(scope="module")
def configured(demo_db: Path) -> Path:
    model.configure(demo_db)
    return demo_db


@pytest.mark.parametrize("query", QUERIES)
def test_every_chart_renders_with_a_title(configured: Path, query: str) -> None:
    for chart in CHARTS.values():
        fig = chart.render(query)
        assert fig.layout.title.text, chart.id
        if query.endswith("Silent") and chart.id != "engagement-sessions":
            # Nobody is left: the figure explains itself instead of drawing nothing.
            texts = " ".join(a.text for a in fig.layout.annotations or [])
            assert texts or fig.data, chart.id


ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def plain(value: Any) -> Any:
    """JSON with timestamps in one spelling, gaps as null, and plotly's typed arrays
    ({"dtype", "bdata"[, "shape"]}: base64 of a numpy array, what ``go.Figure`` makes of numpy
    values) decoded to lists, as plotly.js reads them."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
        return plain(array.tolist())
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):  # a gap: JSON's null
        return None
    if isinstance(value, str) and ISO_TIME.match(value):  # "…T00:00:00" or "…T00:00:00.000000"
        return pd.Timestamp(value).isoformat()
    return value


@pytest.mark.parametrize("query", QUERIES)
def test_the_browser_gets_what_plotly_validates(configured: Path, query: str) -> None:
    # The dashboard sends the builders' dicts unchecked; plotly's own figure (go.Figure with
    # the default template, as exports use) must serialise to the very same JSON.
    for chart in CHARTS.values():
        figure = chart.draw(query)
        sent = plain(json.loads(to_json_plotly(for_browser(figure))))
        checked = plain(json.loads(to_json_plotly(validated(figure))))
        assert sent == checked, chart.id
        assert sent["layout"]["template"]["layout"]["colorway"], chart.id


def test_distribution_hides_small_bins_and_counts_everyone(demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        frame = outcomes.distribution(store, Filters(cohort="C2"), "skills")
        scores = data.paired_scores(store, Filters(cohort="C2"))
    digital = frame[frame["outcome"] == "skills.digital"]
    complete = scores[scores["construct"] == "skills.digital"].dropna(subset=["before", "after"])
    # Hand count: every person with both answers is in exactly one bin.
    assert int(digital["n"].iloc[0]) == len(complete)
    shown = digital[~digital["suppressed"]]
    assert (shown["count"] >= 5).all()
    assert digital.loc[digital["suppressed"], "count"].isna().all()
    assert shown["count"].sum() <= len(complete)


def test_heatmap_cell_equals_a_direct_paired_change(demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        frame = slices.heatmap(store, Filters(), rows="generation", cols="role",
                               outcome="skills.digital")
        scores = data.paired_scores(store, Filters(), construct="skills.digital")
    cell = frame[(frame["row"] == "Millennials") & (frame["col"] == "mentee")].iloc[0]
    part = scores[(scores["generation"] == "Millennials") & (scores["role"] == "mentee")]
    # Reference: analysis.stats.paired_change called directly on the cell's people.
    want = paired_change(part["before"], part["after"]).iloc[0]
    assert cell["n"] == want["n"]
    assert np.isclose(cell["estimate"], want["estimate"])
    assert frame.loc[frame["suppressed"], "estimate"].isna().all()


def test_url_state_keeps_page_options_beside_filters() -> None:
    search = urlstate.with_options("?cohort=C1", rows="level", cols="role")
    assert search == "?cohort=C1&rows=level&cols=role"
    moved = urlstate.with_filters(Filters(role="mentor"), search)
    assert moved == "?role=mentor&rows=level&cols=role"
    assert Filters.from_query(moved) == Filters(role="mentor")
    with pytest.raises(ValueError, match="rows must be one of"):
        slices.options({"rows": "salary"})


def test_heatmap_and_its_table_default_to_the_choice_for_every_chosen_value(
        configured: Path) -> None:
    # Two generations chosen: the default is decided on both, as every callback reads the
    # filters. On the demo, Boomers alone open on generation × department, both on a choice
    # with role (a chart that read only the first value drew another view than its table).
    query = "?generation=Boomers&generation=Gen+X"
    want = slice_choice.default(model.store(), Filters.from_query(query))
    assert want != slice_choice.default(model.store(), Filters.from_query("?generation=Boomers"))
    assert CHARTS["slices-heatmap"].options_from_query(query) == slices.options(want)
    assert model.slice_options(query) == slices.options(want)


def _axis_by_label(fig: go.Figure) -> dict[str, str]:
    """The x axis each marker row (label without its "(n = …)", lines joined) is drawn on."""
    return {re.split(r"\s*\(n", str(y).replace("<br>", " "))[0]: trace.xaxis
            for trace in fig.data if trace.mode == "markers" for y in trace.y}


def test_enps_gets_its_own_axis_on_before_after(configured: Path) -> None:
    fig = CHARTS["satisfaction-before-after"].render("?cohort=C2")
    axis_of = _axis_by_label(fig)
    # eNPS (0–10) and job satisfaction (1–5) never share an x axis.
    assert axis_of["eNPS"] != axis_of["Job satisfaction"]
    titles = {a.text.replace("<br>", " ") for a in fig.layout.annotations}
    assert {"mean score, 0–10 scale", "mean score, 1–5 scale"} <= titles
    # One scale only (skills): a single panel.
    skills = CHARTS["skills-before-after"].render("?cohort=C2")
    assert {t.xaxis for t in skills.data} == {"x"}


def test_enps_change_gets_its_own_axis_on_the_change_chart(configured: Path) -> None:
    fig = CHARTS["satisfaction-change"].render("?cohort=C2")
    axis_of = _axis_by_label(fig)
    assert axis_of["eNPS"] != axis_of["Job satisfaction"]
    titles = {a.text.replace("<br>", " ") for a in fig.layout.annotations}
    assert any(t.endswith("0–10 scale") for t in titles)
    assert any(t.endswith("1–5 scale") for t in titles)
    # the legend names each significance style once, whatever the number of panels
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert len(names) == len(set(names))
