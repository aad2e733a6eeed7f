"""One layout and one numbers-table callback for the outcome pages (Skills, Satisfaction & eNPS,
Inclusion): the same sections, different constructs."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from analysis.pages import common, outcomes
from analysis.store.filters import Filters
from dashboard import ids, model
from dashboard.components import chart_block, num, p_value, table

RESULT_COLUMNS = [("label", "Outcome"), ("role", "Who"), ("n", "n"),
                  ("mean_before", "Before"), ("mean_after", "After"), ("estimate", "Change"),
                  ("ci", "95% CI"), ("p_adjusted", "Adjusted p"), ("words", "In words")]
EXTRA_METRICS = {topic: [m for m in names if m != "paired_change"]
                 for topic, names in outcomes.TOPIC_METRICS.items()}
METRIC_WORDS = {"did": "vs non-participants (DiD)", "enps_change": "eNPS change",
                "top2box_change": "top-2-box change", "mean": "mean (after)"}
ROLE_WORDS = {"all": "all participants", "mentor": "mentors", "mentee": "mentees"}


def table_id(topic: str, part: str) -> str:
    return f"{topic}-{part}"


def _numbers(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames' rows ready for one table: CI as text, significance in words (one pass over
    the records: a few dozen rows, where per-column ``map`` and row-wise ``apply`` each cost
    more than the table)."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame()
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    records = frame.to_dict("records")
    extra = pd.DataFrame({
        "ci": [f"{num(r['ci_low'], sign=True)} to {num(r['ci_high'], sign=True)}"
               for r in records],
        "words": [common.significance_words(r) for r in records],
        # a measure listed per cohort has a row per cohort: the key names it
        "key": [f"{r['outcome']}|{r['role']}|{r['metric']}"
                + (f"|{r['cohort']}" if r.get("per_cohort") in (True,) else "")
                for r in records],
    })
    shown = {"role": [ROLE_WORDS.get(r["role"], r["role"]) for r in records],
             "metric": [METRIC_WORDS.get(r["metric"], r["metric"]) for r in records]}
    return pd.concat([frame.assign(**shown), extra], axis=1)


FORMATS = {"n": lambda v: num(v, 0), "mean_before": num, "mean_after": num,
           "estimate": lambda v: num(v, sign=True), "p_adjusted": p_value}


def layout(topic: str, *, title: str, intro: str) -> html.Div:
    section = [
        html.H2(title, className="h4"),
        html.P(intro, className="text-muted"),
        html.P(id=table_id(topic, ids.Topic.SCOPE), className="fw-semibold"),
        dbc.Row([dbc.Col(chart_block(f"{topic}-before-after"), lg=6),
                 dbc.Col(chart_block(f"{topic}-change"), lg=6)]),
        html.H3("The numbers", className="h5 section-title"),
        dcc.Loading(html.Div(id=table_id(topic, ids.Topic.TABLE))),
        dcc.Loading(html.Div(id=table_id(topic, ids.Topic.EXTRA))),
        dbc.Row([dbc.Col(_did_block(topic), lg=6),
                 dbc.Col(chart_block(f"{topic}-roles"), lg=6)]),
        chart_block(f"{topic}-distribution"),
        chart_block(f"{topic}-items"),
    ]
    return html.Div(section)


def _did_block(topic: str) -> html.Div:
    """The DiD chart, or (when it can never have data: no pulse survey asks these constructs)
    one sentence in its place saying why."""
    reason = model.call(outcomes.did_absent_reason, topic)
    if reason:
        return html.Div(html.P(reason, className="text-muted"), id=f"{topic}-did-absent",
                        className="chart-absent border rounded p-3 mb-3")
    return chart_block(f"{topic}-did")


def register(topic: str) -> None:
    """The numbers table: paired change rows for every role, plus the topic's extra metrics."""

    @callback(Output(table_id(topic, ids.Topic.TABLE), "children"),
              Output(table_id(topic, ids.Topic.EXTRA), "children"),
              Output(table_id(topic, ids.Topic.SCOPE), "children"),
              Input(ids.URL, "search"))
    def numbers(search: str | None) -> tuple[object, object, object]:
        filters = Filters.from_query(search)
        return (*_tables(topic, filters), model.call(outcomes.scope, filters, topic))


def _tables(topic: str, filters: Filters) -> tuple[object, object]:
    """The paired-change table and the table of the topic's other metrics."""
    paired = model.call(outcomes.metric_rows, filters, topic, "paired_change")
    extra = [m for m in EXTRA_METRICS[topic] if common.available(m)]
    extra_rows = _numbers([model.call(outcomes.metric_rows, filters, topic, m)
                           for m in extra])
    if not paired.empty:
        paired = _numbers([paired])
    first = table(paired, RESULT_COLUMNS, table_id=f"{topic}-results", formats=FORMATS,
                  key="key")
    if extra_rows.empty:
        note = html.P("Top-2-box, eNPS and programme-satisfaction metrics are not available "
                      "yet in this build." if not extra else "", className="small text-muted")
        return first, note
    columns = [("metric", "Metric"), *RESULT_COLUMNS[:3], ("estimate", "Estimate"),
               *RESULT_COLUMNS[6:]]
    return first, table(extra_rows, columns, table_id=f"{topic}-extra-results",
                        formats=FORMATS, key="key")
