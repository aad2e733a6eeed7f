"""Satisfaction & eNPS: job satisfaction and eNPS before/after, programme satisfaction."""

from __future__ import annotations

import dash
from dash import html

from dashboard import topic

dash.register_page(__name__, path="/satisfaction", name="Satisfaction & eNPS", order=2)
topic.register("satisfaction")


def layout(**_query: str) -> html.Div:
    return topic.layout("satisfaction", title="Satisfaction & eNPS", intro=(
        "Job satisfaction and the likelihood to recommend the organisation (0–10) before and "
        "after, on the same people; eNPS = % promoters (9–10) − % detractors (0–6)."))
