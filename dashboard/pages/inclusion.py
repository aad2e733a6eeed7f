"""Inclusion: belonging, voice, respect and intergenerational understanding."""

from __future__ import annotations

import dash
from dash import html

from dashboard import topic

dash.register_page(__name__, path="/inclusion", name="Inclusion", order=3)
topic.register("inclusion")


def layout(**_query: str) -> html.Div:
    return topic.layout("inclusion", title="Inclusion", intro=(
        "Belonging, voice and respect (one reverse-coded item) and understanding across "
        "generations, before and after; against non-participants with difference-in-differences."))
