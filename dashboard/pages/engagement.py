"""Engagement: are pairs meeting? Sessions over time, cadence, cancellations, pair health."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from analysis.filters import Filters
from analysis.pages import common, engagement
from dashboard import ids, model
from dashboard.components import chart_block, empty_state, num, p_value, table

dash.register_page(__name__, path="/engagement", name="Engagement", order=5)

COLUMNS = [("metric", "Measure"), ("outcome", "Outcome"), ("role", "Who"), ("n", "n"),
           ("estimate", "Estimate"), ("ci", "95% CI"), ("p_adjusted", "Adjusted p")]
FORMATS = {"n": lambda v: num(v, 0), "estimate": lambda v: num(v, 2), "p_adjusted": p_value}
PAIR_HEADERS = {"pair_id": "Pair", "held": "Held", "minutes": "Minutes",
                "scheduled": "Scheduled", "cancelled": "Cancelled", "no_show": "No-show",
                "last_held": "Last held", "median_gap_days": "Median gap (days)",
                "days_since_held": "Days since held", "stalled": "Stalled"}


def layout(**_query: str) -> html.Div:
    return html.Div([
        html.H2("Engagement", className="h4"),
        html.P("Are pairs meeting? A pair is stalled when it has held no session in 45 days "
               "while its cohort runs.", className="text-muted"),
        dcc.Loading(html.Div(id=ids.Engagement.TABLE)),
        dbc.Row([dbc.Col(chart_block("engagement-sessions"), lg=7),
                 dbc.Col(chart_block("engagement-dose"), lg=5)]),
        html.H3("Pair health", className="h5 section-title"),
        dcc.Loading(html.Div(id=ids.Engagement.PAIRS)),
    ])


@callback(Output(ids.Engagement.TABLE, "children"), Input(ids.URL, "search"))
def metrics_table(search: str | None) -> object:
    frame = model.call(engagement.metric_table, Filters.from_query(search))
    if not frame.empty:
        frame = frame.assign(
            metric=frame["metric"].map(lambda m: m.replace("_", " ")),
            outcome=frame["outcome"].map(lambda o: common.label(str(o)) if o else ""),
            ci=frame["ci_low"].map(num) + " to " + frame["ci_high"].map(num),
            key=frame["metric"] + "|" + frame["role"].astype(str))
    return table(frame, COLUMNS, table_id="engagement-results", formats=FORMATS, key="key")


@callback(Output(ids.Engagement.PAIRS, "children"), Input(ids.URL, "search"))
def pair_table(search: str | None) -> object:
    frame = model.call(engagement.pairs, Filters.from_query(search))
    if frame.empty:
        return empty_state(str(frame.attrs.get("empty_reason", "No pairs match these filters.")))
    stalled = int(frame["stalled"].sum())
    rows = frame.assign(last_held=frame["last_held"].astype(str),
                        stalled=frame["stalled"].map({True: "stalled", False: ""}))
    grid = dag.AgGrid(
        id=ids.Engagement.GRID,
        rowData=rows.to_dict("records"),
        columnDefs=[{"field": c, "headerName": h, "sortable": True, "filter": True}
                    for c, h in PAIR_HEADERS.items() if c in rows],
        rowClassRules={"stalled": "params.data.stalled === 'stalled'"},
        columnSize="responsiveSizeToFit", dashGridOptions={"domLayout": "autoHeight",
                                                            "pagination": True,
                                                            "paginationPageSize": 20},
        className="ag-theme-alpine",
    )
    note = str(frame.attrs.get("note", ""))
    return html.Div([
        html.P([html.Strong(f"{stalled} of {len(frame)} pairs stalled", id="pairs-stalled"),
                " (highlighted, with the word “stalled”). " + note], className="small"),
        grid,
    ])
