"""Comments: what participants wrote in the programme surveys (privacy-checked, shown as text)."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, html

from analysis.pages import common
from analysis.pages.comments import comments_for
from analysis.store.filters import Filters
from dashboard import ids, model

dash.register_page(__name__, path="/comments", name="Comments", order=90, min_role="analyst")

PANEL = "comments-panel"


def layout(**_query: str) -> html.Div:
    return html.Div([html.H2("What participants wrote", className="h4"), html.Div(id=PANEL)])


@callback(Output(PANEL, "children"), Input(ids.URL, "search"))
def update(search: str | None) -> html.Div:
    filters = Filters.from_query(search)
    return html.Div([html.P(model.call(common.scope_sentence, filters), id="comments-scope",
                            className="fw-semibold"), _comments(filters)])


def _comments(filters: Filters) -> html.Div:
    view = comments_for(model.store(), filters)
    if view.reason:
        return html.Div(html.P(view.reason, className="text-muted"), id="comments-note")
    # Plain strings as children: React renders them as text, never as HTML.
    return html.Div([html.P(f"{len(view.texts)} comments, sorted by text.", className="small"),
                     html.Ul([html.Li(text, className="comment") for text in view.texts])])
