"""Result tables as one Dash component (dashboard.components.ResultTable, drawn by
assets/table.js): the rows carry the formatted text and key the pages and tests rely on."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from dash import html

from dashboard.components import ResultTable, num, table


def test_rows_hold_each_columns_formatted_text_and_the_key() -> None:
    frame = pd.DataFrame({"key": ["a|1", "b|2"], "label": ["Skills", "Inclusion"],
                          "n": [12.0, 7.0], "estimate": [0.345, math.nan]})
    out = table(frame, [("label", "Outcome"), ("n", "n"), ("estimate", "Change")],
                table_id="t", formats={"n": lambda v: num(v, 0)}, key="key")
    assert isinstance(out, ResultTable)
    props = out.to_plotly_json()
    assert props["namespace"] == "crossgen_components" and props["type"] == "ResultTable"
    assert props["props"] == {
        "id": "t",
        "columns": [["label", "Outcome"], ["n", "n"], ["estimate", "Change"]],
        "rows": [["a|1", ["Skills", "12", "0.34"]], ["b|2", ["Inclusion", "7", "—"]]],
    }


def test_rows_without_a_key_column_get_an_empty_key() -> None:
    out = table(pd.DataFrame({"x": ["only"]}), [("x", "X")], table_id="t")
    assert out.to_plotly_json()["props"]["rows"] == [["", ["only"]]]


def test_an_empty_frame_says_why_instead_of_a_table() -> None:
    frame = pd.DataFrame({"x": []})
    frame.attrs["empty_reason"] = "Fewer than 5 people match."
    out = table(frame, [("x", "X")], table_id="t")
    assert isinstance(out, html.Div) and out.id == "t"
    assert "Fewer than 5 people match." in str(out.to_plotly_json())


def test_a_format_that_does_not_give_text_is_refused() -> None:
    with pytest.raises(ValueError, match="column 'n' formatted to Span"):
        table(pd.DataFrame({"n": [1]}), [("n", "n")], table_id="t",
              formats={"n": lambda v: html.Span(v)})
