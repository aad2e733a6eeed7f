"""Building blocks every page uses: a chart with its download menu, result tables, empty states.

The callbacks here are global: one draws any registered chart from the URL's filter state, one
keeps every download link and nav link carrying the current query string.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, MATCH, Input, Output, State, callback, dcc, html
from dash.development.base_component import Component

from dashboard import answers, ids
from dashboard.charts import CHARTS
from dashboard.figures.base import describe, empty, for_browser

log = logging.getLogger(__name__)
FORMATS = ("png", "svg")
GRAPH_CONFIG: Any = {"displaylogo": False, "responsive": True,
                "toImageButtonOptions": {"format": "png", "scale": 2}}


def download_href(chart: str, fmt: str, search: str | None) -> str:
    return f"/download/figure/{chart}.{fmt}{search or ''}"


def chart_block(chart: str) -> html.Div:
    """The chart (with a loading indicator) and a small PNG / SVG download menu under it.

    The chart's place starts empty: its callback sends the graph with its figure, so plotly
    draws each chart once. A graph in the layout would first draw an empty figure (axes, mode
    bar, layout passes) and then the real one: a sixth of a page's browser time spent on
    charts nobody sees."""
    if chart not in CHARTS:
        raise ValueError(f"unknown chart {chart!r}")
    links: list[Any] = [html.Span("Download ", className="text-muted")]
    for i, fmt in enumerate(FORMATS):
        if i:
            links.append(html.Span(" · ", className="text-muted"))
        links.append(html.A(fmt.upper(), id=ids.download_id(chart, fmt),
                            href=download_href(chart, fmt, ""), className="chart-download"))
    return html.Div([
        dcc.Loading(html.Div(id=ids.chart_holder_id(chart), className="chart-holder"),
                    type="circle"),
        # the chart's text alternative: what it shows and its numbers, for screen readers
        html.P(id={"type": ALT_TYPE, "chart": chart}, className="visually-hidden chart-alt"),
        html.Div(links, className="small text-end mb-3 chart-downloads"),
    ], className="chart-block")


ALT_TYPE = "chart-alt"


@callback(Output({"type": ids.CHART_HOLDER_TYPE, "chart": MATCH}, "children"),
          Output({"type": ALT_TYPE, "chart": MATCH}, "children"),
          Input(ids.URL, "search"), State({"type": ids.CHART_HOLDER_TYPE, "chart": MATCH}, "id"))
def draw_chart(search: str | None, component: dict[str, str]) -> tuple[dcc.Graph, str]:
    """URL state -> the chart's data (one cached analysis call) -> its figure builder -> the
    graph (the same id each time, so a filter change updates the drawn chart in place)."""
    chart = CHARTS[component["chart"]]
    try:
        figure = chart.draw(search)
        text = describe(figure)
    except ValueError as exc:  # a bad option in a hand-edited link
        figure = empty(chart.title, f"This view cannot be shown: {exc}")
        text = describe(figure)
    except Exception:
        log.exception("chart %s failed for %r", chart.id, search)
        answers.do_not_keep()  # the next request tries again
        figure = empty(chart.title, "Something went wrong drawing this chart; it has been logged.")
        text = describe(figure)
    return (dcc.Graph(id=ids.chart_id(chart.id), config=GRAPH_CONFIG, figure=for_browser(figure)),
            "Chart: " + text)


@callback(Output({"type": ids.DOWNLOAD_TYPE, "chart": ALL, "fmt": ALL}, "href"),
          Input(ids.URL, "search"),
          State({"type": ids.DOWNLOAD_TYPE, "chart": ALL, "fmt": ALL}, "id"))
def download_links(search: str | None, components: list[dict[str, str]]) -> list[str]:
    return [download_href(c["chart"], c["fmt"], search) for c in components]


@callback(Output({"type": ids.NAV_TYPE, "path": ALL}, "href"), Input(ids.URL, "search"),
          State({"type": ids.NAV_TYPE, "path": ALL}, "id"))
def nav_links(search: str | None, components: list[dict[str, str]]) -> list[str]:
    """Navigation keeps the filters (a page's own options are dropped)."""
    from analysis.store.filters import Filters

    query = Filters.from_query(search).to_query()
    return [c["path"] + query for c in components]


# -- numbers -------------------------------------------------------------------------------------

def missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or \
        value is pd.NA


def num(value: object, digits: int = 2, *, sign: bool = False) -> str:
    if missing(value):
        return "—"
    return f"{float(value):{'+' if sign else ''},.{digits}f}"  # type: ignore[arg-type]


def p_value(value: object) -> str:
    if missing(value):
        return "—"
    return "< 0.001" if float(value) < 0.001 else f"{float(value):.3f}"  # type: ignore[arg-type]


def empty_state(text: str, *, element_id: str | None = None) -> dbc.Alert:
    return dbc.Alert(text, color="light", className="empty-state border",
                     **({"id": element_id} if element_id else {}))


class ResultTable(Component):
    """A result table as one Dash component (drawn by ``assets/table.js``): the markup of
    ``dbc.Table(size="sm", hover=True, responsive=True)`` without a Dash component per cell, which
    cost the browser seconds on the larger tables while the page loaded."""

    _namespace = "crossgen_components"
    _type = "ResultTable"
    # class attributes, as Dash's generated components have them (its registry reads them)
    _children_props: list[str] = []  # noqa: RUF012
    _base_nodes: list[str] = ["children"]  # noqa: RUF012

    def __init__(self, *, id: str, columns: list[list[str]],
                 rows: list[list[Any]]) -> None:
        self._prop_names = ["id", "columns", "rows"]
        self._valid_wildcard_attributes: list[str] = []
        self.available_properties = list(self._prop_names)
        self.available_wildcard_properties: list[str] = []
        super().__init__(id=id, columns=columns, rows=rows)


def table(frame: pd.DataFrame, columns: Sequence[tuple[str, str]], *, table_id: str,
          formats: dict[str, Any] | None = None, key: str | None = None) -> Component:
    """A plain, readable table; each row carries ``data-key`` (for people and for tests)."""
    if frame.empty:
        return html.Div(empty_state(str(frame.attrs.get("empty_reason")
                                        or "Nothing matches these filters.")), id=table_id)
    formats = formats or {}
    shown = [(col, formats.get(col, _plain)) for col, _ in columns]
    rows = [[str(record.get(key, "")) if key else "",
             [_text(fmt(record.get(col)), col) for col, fmt in shown]]
            for record in frame.to_dict("records")]
    return ResultTable(id=table_id, columns=[[col, title] for col, title in columns], rows=rows)


def _text(value: object, column: str) -> str:
    if not isinstance(value, str):  # the table draws text: a component would be lost
        raise ValueError(f"column {column!r} formatted to {type(value).__name__}, not text")
    return value


def _plain(value: object) -> str:
    if missing(value):
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return "—" if value == "— to —" else str(value)  # an interval with both ends hidden
