"""The chart registry: every chart the dashboard draws, by id (minimal; the dashboard branch
extends it). ``figure(data(filters))`` draws a chart for the pages, the PNG/SVG downloads and the
board pack alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pandas as pd
import plotly.graph_objects as go

from analysis.codebook import CONSTRUCTS
from analysis.filters import Filters
from dashboard import model
from dashboard.figures.change import change_by_outcome


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    page: str  # the page's path, e.g. "/"
    data: Callable[[Filters], pd.DataFrame]
    figure: Callable[[pd.DataFrame], go.Figure]

    def render(self, query: str | None) -> go.Figure:
        """The figure for a URL query string (the global filters)."""
        return self.figure(self.data(Filters.from_query(query)))


def _overview_changes(filters: Filters) -> pd.DataFrame:
    return model.overview(filters).changes


CHARTS: dict[str, Chart] = {
    "overview-changes": Chart(
        "overview-changes", "Change from before to after the programme", "/",
        _overview_changes,
        partial(change_by_outcome, title="Change from before to after the programme",
                labels=CONSTRUCTS)),
}
