"""Skills: mentees' digital skills and mentors' leadership skills, before and after."""

from __future__ import annotations

import dash
from dash import html

from dashboard import topic

dash.register_page(__name__, path="/skills", name="Skills", order=1)
topic.register("skills")


def layout(**_query: str) -> html.Div:
    return topic.layout("skills", title="Skills", intro=(
        "Self-rated proficiency on the same people before and after the programme: digital "
        "skills (what mentees teach) and leadership skills (what mentors share)."))
