"""Slice explorer: change in one outcome across any two of generation, department, level, role."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from analysis.codebook import CONSTRUCTS, POST_ONLY_CONSTRUCTS
from analysis.filters import SLICE_DIMENSIONS, Filters
from analysis.pages import slices
from dashboard import ids, model, urlstate
from dashboard.components import chart_block, num, p_value, table

dash.register_page(__name__, path="/slices", name="Slice explorer", order=6)

COLUMNS = [("row", "Row"), ("col", "Column"), ("n", "n"), ("estimate", "Change"),
           ("ci", "95% CI"), ("p_adjusted", "Adjusted p (Holm, across cells)")]
FORMATS = {"n": lambda v: num(v, 0), "estimate": lambda v: num(v, sign=True),
           "p_adjusted": p_value}


def _choice(label: str, component_id: str, options: list[dict[str, str]], value: str) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=component_id, className="small mb-0"),
                    dcc.Dropdown(id=component_id, options=options, value=value,
                                 clearable=False)], md=3)


def layout(**query: str) -> html.Div:
    try:
        chosen = slices.options(query)
    except ValueError:
        chosen = dict(slices.DEFAULT)
    dims = [{"label": d.capitalize(), "value": d} for d in SLICE_DIMENSIONS]
    outcomes = [{"label": v, "value": k} for k, v in CONSTRUCTS.items()
                if k not in POST_ONLY_CONSTRUCTS]
    return html.Div([
        html.H2("Slice explorer", className="h4"),
        html.P("Mean change after − before on the same people, per cell. Cells with fewer "
               "people than the minimum group size are hidden; ★ marks cells significant after "
               "Holm adjustment across all cells shown.", className="text-muted"),
        dbc.Row([_choice("Rows", ids.Slices.ROWS, dims, chosen["rows"]),
                 _choice("Columns", ids.Slices.COLS, dims, chosen["cols"]),
                 _choice("Outcome", ids.Slices.OUTCOME, outcomes, chosen["outcome"])],
                className="g-2 mb-2"),
        chart_block("slices-heatmap"),
        html.H3("Cells", className="h5 section-title"),
        dcc.Loading(html.Div(id=ids.Slices.TABLE)),
    ])


@callback(Output(ids.URL, "search", allow_duplicate=True),
          Input(ids.Slices.ROWS, "value"), Input(ids.Slices.COLS, "value"),
          Input(ids.Slices.OUTCOME, "value"), State(ids.URL, "search"),
          prevent_initial_call=True)
def choose(rows: str, cols: str, outcome: str, search: str | None) -> object:
    """The heatmap's choices live in the URL too, so a copied link reopens the same view."""
    if ctx.triggered_id is None:
        return no_update
    new = urlstate.with_options(search, rows=rows, cols=cols, outcome=outcome)
    return no_update if new == (search or "") else new


@callback(Output(ids.Slices.TABLE, "children"), Input(ids.URL, "search"))
def cells(search: str | None) -> object:
    raw = dict(urlstate.extras(search))
    try:
        chosen = slices.options(raw)
    except ValueError as exc:
        return html.P(f"This view cannot be shown: {exc}")
    frame = model.call(slices.heatmap, Filters.from_query(search), **chosen)
    if not frame.empty:
        frame = frame.assign(ci=frame["ci_low"].map(lambda v: num(v, sign=True)) + " to "
                             + frame["ci_high"].map(lambda v: num(v, sign=True)),
                             key=frame["row"].astype(str) + "|" + frame["col"].astype(str))
    return table(frame, COLUMNS, table_id="slices-results", formats=FORMATS, key="key")
