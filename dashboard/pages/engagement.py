"""Engagement: are pairs meeting? Sessions over time, cadence, cancellations, pair health."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from analysis.pages import display, engagement
from analysis.privacy import rules as privacy
from analysis.store.filters import Filters
from dashboard import ids, model
from dashboard.components import chart_block, empty_state, num, table

dash.register_page(__name__, path="/engagement", name="Engagement", order=5)

COLUMNS = [("measure", "Measure"), ("who", "Who"), ("n", "n"), ("estimate_text", "Estimate"),
           ("ci_text", "95% CI"), ("p_text", "Adjusted p")]
FORMATS = {"n": lambda v: num(v, 0)}
PAIR_HEADERS = {"cohort": "Cohort", "status": "Status", "pairs": "Pairs",
                "median_sessions": "Median sessions held",
                "median_days_since": "Median days since last held",
                "share_cancelled": "Share cancelled", "suppressed_reason": "Note"}


def layout(**_query: str) -> html.Div:
    return html.Div([
        html.H2("Engagement", className="h4"),
        html.P("Are pairs meeting? A pair is stalled when it has held no session in 45 days "
               "while its cohort runs, slowing when none in 21 days.", className="text-muted"),
        html.P(id="engagement-scope", className="fw-semibold"),
        dcc.Loading(html.Div(id=ids.Engagement.TABLE)),
        dbc.Row([dbc.Col(chart_block("engagement-sessions"), lg=7),
                 dbc.Col(chart_block("engagement-dose"), lg=5)]),
        html.H3("Pair health", className="h5 section-title"),
        dcc.Loading(html.Div(id=ids.Engagement.PAIRS)),
    ])


@callback(Output(ids.Engagement.TABLE, "children"), Output("engagement-scope", "children"),
          Input(ids.URL, "search"))
def metrics_table(search: str | None) -> tuple[object, object]:
    filters = Filters.from_query(search)
    frame = display.table_rows(model.call(engagement.metric_table, filters))
    return (table(frame, COLUMNS, table_id="engagement-results", formats=FORMATS, key="key"),
            model.call(engagement.scope, filters))


@callback(Output(ids.Engagement.PAIRS, "children"), Input(ids.URL, "search"))
def pair_table(search: str | None) -> object:
    frame = model.call(engagement.pairs, Filters.from_query(search))
    if frame.empty:
        return empty_state(str(frame.attrs.get("empty_reason", "No pairs match these filters.")))
    names = frame.attrs.get("names", {})
    rows = frame.assign(
        cohort=frame["cohort"].map(lambda c: names.get(c, c)),
        pairs=frame["pairs"].map(lambda v: num(v, 0)),
        median_sessions=frame["median_sessions"].map(lambda v: num(v, 1)),
        median_days_since=frame["median_days_since"].map(lambda v: num(v, 0)),
        share_cancelled=frame["share_cancelled"].map(
            lambda v: "—" if v != v else f"{v:.0%}"),
        suppressed_reason=frame["suppressed_reason"].fillna(""))
    grid = dag.AgGrid(
        id=ids.Engagement.GRID,
        rowData=rows[list(PAIR_HEADERS)].to_dict("records"),
        columnDefs=[{"field": c, "headerName": h, "sortable": True}
                    for c, h in PAIR_HEADERS.items()],
        rowClassRules={"stalled": "params.data.status === 'stalled'"},
        columnSize="responsiveSizeToFit", dashGridOptions={"domLayout": "autoHeight"},
        className="ag-theme-alpine",
    )
    headline = str(frame.attrs.get("stalled", ""))
    return html.Div([
        html.P([html.Strong(headline, id="pairs-stalled"),
                " (stalled rows highlighted). Each row counts at least "
                f"{privacy.resolve_min_group_size()} pairs; hidden rows say why."],
               className="small"),
        grid,
    ])
