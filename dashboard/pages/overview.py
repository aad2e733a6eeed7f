"""Overview: the leadership page."""

from __future__ import annotations

import math

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from analysis.codebook import CONSTRUCTS
from analysis.filters import Filters
from dashboard import ids, model
from dashboard.figures.change import change_by_outcome

dash.register_page(__name__, path="/", name="Overview", order=0)


def _number(value: float | None, digits: int = 0) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else \
        f"{value:,.{digits}f}"


def _card(title: str, value: str, note: str, card_id: str) -> dbc.Col:
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(title, className="text-muted small"),
        html.Div(value, className="fs-2 fw-semibold", id=card_id),
        html.Div(note, className="small"),
    ])), md=3)


def layout(**_query: str) -> html.Div:
    return html.Div([
        html.H2("Did the programme pay off?", className="h4"),
        dcc.Loading(html.Div(id=ids.Overview.CARDS)),
        dcc.Loading(dcc.Graph(id=ids.Overview.CHANGE_CHART, config={"displaylogo": False})),
    ])


@callback(
    Output(ids.Overview.CARDS, "children"),
    Output(ids.Overview.CHANGE_CHART, "figure"),
    Input(ids.URL, "search"),
)
def update(search: str | None) -> tuple[list[dbc.Row], dict[str, object]]:
    view = model.overview(Filters.from_query(search))
    counts = view.counts.iloc[0]
    head = view.headline.iloc[0] if len(view.headline) else None
    if head is None or bool(head["suppressed"]):
        skill_value, skill_note = "—", "too few people to show (privacy minimum)"
    else:
        skill_value = f"{head['estimate']:+.2f}"
        skill_note = (f"95% CI {head['ci_low']:+.2f} to {head['ci_high']:+.2f}, "
                      f"n = {int(head['n'])}")
    cards = dbc.Row([
        _card("Participants", _number(counts["participants"]), "mentors and mentees",
              "card-participants"),
        _card("Pairs", _number(counts["pairs"]), "mentoring pairs", "card-pairs"),
        _card("Sessions held", _number(counts["sessions_held"]), "meetings that took place",
              "card-sessions"),
        _card("Mentees' digital skills", skill_value, skill_note, "card-digital"),
    ], className="g-3 mb-3")
    fig = change_by_outcome(view.changes, title="Change from before to after the programme",
                            labels=CONSTRUCTS)
    return [cards], fig.to_plotly_json()
