"""The chart registry: every chart the dashboard draws, by id.

A chart is ``figure(data(filters, **options))``: ``data`` fetches a tidy DataFrame through
:mod:`dashboard.model` (cached, privacy-checked), ``figure`` is a pure plotly builder. The pages,
the PNG/SVG download routes and the PPTX deck all draw from here, so they draw the same figure.

For exports: ``CHARTS[chart_id].render(query_string)`` parses the global filters and the chart's
own options (for example the slice explorer's ``rows``, ``cols``, ``outcome``) from the URL query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from analysis.pages import engagement, outcomes, overview, retention, slices
from analysis.store.filters import Filters
from dashboard import model
from dashboard.figures import before_after, change, distribution, heatmap, survival, trend
from dashboard.figures import engagement as engagement_figures
from dashboard.figures.base import Figure, validated

Data = Callable[..., pd.DataFrame]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    page: str  # the page's path, e.g. "/skills"
    data: Data  # (filters, **options) -> tidy DataFrame
    figure: Callable[[pd.DataFrame], Figure]
    options: Callable[[str], dict[str, str]] | None = field(default=None)  # from the query

    def options_from_query(self, query: str | None) -> dict[str, str]:
        return {} if self.options is None else self.options(query or "")

    def draw(self, query: str | None) -> Figure:
        """The figure for a URL query string (global filters + this chart's options), as the
        builder made it: what the dashboard sends."""
        filters = Filters.from_query(query)
        return self.figure(self.data(filters, **self.options_from_query(query)))

    def render(self, query: str | None) -> go.Figure:
        """:meth:`draw`, checked by plotly: for exports."""
        return validated(self.draw(query))


def _call(function: Callable[..., pd.DataFrame], *args: Any) -> Data:
    def data(filters: Filters, **options: str) -> pd.DataFrame:
        return model.call(function, filters, *args, **options)
    return data


CHARTS: dict[str, Chart] = {}


def _add(chart: Chart) -> None:
    CHARTS[chart.id] = chart


_add(Chart("overview-trend", "Cohort over cohort: change in the key outcomes", "/",
           _call(overview.trend), partial(trend.cohort_trend,
                                          title="Cohort over cohort: change in the key outcomes")))
_add(Chart("overview-changes", "Change from before to after the programme", "/",
           _call(outcomes.changes_all),
           partial(change.ci_bars, title="Change from before to after the programme")))

TOPIC_TITLES = {"skills": "Skills", "satisfaction": "Satisfaction & eNPS",
                "inclusion": "Inclusion"}
for topic, name in TOPIC_TITLES.items():
    path = f"/{topic}"
    specs: list[tuple[str, str, Data, Callable[..., Figure]]] = [
        ("before-after", f"{name}: before and after", _call(outcomes.changes, topic),
         before_after.dumbbell),
        ("change", f"{name}: change with 95% CI", _call(outcomes.changes, topic),
         change.ci_bars),
        ("distribution", f"{name}: individual changes", _call(outcomes.distribution, topic),
         distribution.change_histogram),
        ("did", f"{name}: against non-participants (difference-in-differences)",
         _call(outcomes.did, topic),
         partial(change.ci_bars, x_title="difference-in-differences (scale points), 95% CI")),
        ("roles", f"{name}: mentors and mentees", _call(outcomes.role_split, topic),
         change.role_split),
        ("items", f"{name}: item by item", _call(outcomes.items, topic),
         partial(before_after.dumbbell, label="item_label", n_before="n_before",
                 n_after="n_after", subtitle="mean answer (raw scale) before / after; "
                                             "n before / after")),
    ]
    for suffix, title, data, builder in specs:
        _add(Chart(f"{topic}-{suffix}", title, path, data, partial(builder, title=title)))

_add(Chart("retention-km", "Retention: Kaplan–Meier curves", "/retention",
           _call(retention.curves),
           partial(survival.km_curves, title="Retention: Kaplan–Meier curves")))
_add(Chart("engagement-sessions", "Sessions per month", "/engagement",
           _call(engagement.sessions_over_time),
           partial(engagement_figures.sessions_over_time, title="Sessions per month")))
_add(Chart("engagement-dose", "Dose–response: sessions held and skill gain",
           "/engagement", _call(engagement.dose_response),
           partial(engagement_figures.dose_response,
                   title="Dose–response: sessions held and skill gain")))
_add(Chart("slices-heatmap", "Slice explorer", "/slices", _call(slices.heatmap),
           partial(heatmap.slice_heatmap, title=""), options=model.slice_options))


def charts_on(page: str) -> list[Chart]:
    return [c for c in CHARTS.values() if c.page == page]
