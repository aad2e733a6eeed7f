"""Retention: Kaplan–Meier curves per arm, at-risk counts, 12-month retention and hazard ratio."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

from analysis.pages import display, retention
from analysis.store.filters import Filters
from dashboard import ids, model
from dashboard.components import chart_block, num, table

dash.register_page(__name__, path="/retention", name="Retention", order=4)

COLUMNS = [("measure", "Measure"), ("who", "Arm / group"), ("n", "n"),
           ("estimate_text", "Estimate"), ("ci_text", "95% CI"), ("p_text", "Adjusted p"),
           ("words", "In words")]
FORMATS = {"n": lambda v: num(v, 0)}


def layout(**_query: str) -> html.Div:
    return html.Div([
        html.H2("Retention", className="h4"),
        html.P("Everyone employed on the cohort's start date; participants against the "
               "comparison group. A voluntary exit is the event; involuntary exits are censored.",
               className="text-muted"),
        html.P(id="retention-scope", className="fw-semibold"),
        chart_block("retention-km"),
        html.H3("People at risk", className="h5 section-title"),
        dcc.Loading(html.Div(id=ids.Retention.AT_RISK)),
        html.H3("12-month retention and hazard ratio", className="h5 section-title"),
        dcc.Loading(html.Div(id=ids.Retention.TABLE)),
    ])


@callback(Output(ids.Retention.TABLE, "children"), Output(ids.Retention.AT_RISK, "children"),
          Output("retention-scope", "children"), Input(ids.URL, "search"))
def update(search: str | None) -> tuple[object, object, object]:
    filters = Filters.from_query(search)
    frame = display.table_rows(model.call(retention.metric_table, filters))
    risk = model.call(retention.at_risk_table, filters)
    risk_columns = [(c, "Arm" if c == "arm" else f"day {c}") for c in risk.columns]
    note = str(risk.attrs.get("note", ""))
    return (table(frame, COLUMNS, table_id="retention-results", formats=FORMATS, key="key"),
            html.Div([html.P(note, className="small text-muted") if note else None,
                      table(risk, risk_columns, table_id="retention-at-risk",
                            formats={c: (lambda v: num(v, 0)) for c, _ in risk_columns[1:]},
                            key="arm")]),
            model.call(retention.scope, filters))
