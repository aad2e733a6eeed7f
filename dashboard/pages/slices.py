"""Slice explorer: change in one outcome across any two of generation, department, level, role."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from analysis.pages import common, slice_choice, slices
from analysis.privacy import rules as privacy
from analysis.report import labels
from analysis.store.codebook import CONSTRUCTS, POST_ONLY_CONSTRUCTS
from analysis.store.filters import SLICE_DIMENSIONS, Filters
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
        chosen = model.slice_options("?" + urlencode(query, doseq=True))
    except ValueError:
        chosen = dict(slices.DEFAULT)
    dims = [{"label": d.capitalize(), "value": d} for d in SLICE_DIMENSIONS]
    outcomes = [{"label": v, "value": k} for k, v in CONSTRUCTS.items()
                if k not in POST_ONLY_CONSTRUCTS]
    return html.Div([
        html.H2("Slice explorer", className="h4"),
        html.P("Mean change after − before on the same people, per cell. Cells with fewer "
               "people than the minimum group size are hidden; ★ marks cells significant after "
               "Holm adjustment across all cells shown. Unless you choose, the explorer opens "
               "on the dimensions and outcome that show the most cells.",
               className="text-muted"),
        html.P(id="slices-scope", className="fw-semibold"),
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


@callback(Output(ids.Slices.TABLE, "children"), Output("slices-scope", "children"),
          Input(ids.URL, "search"))
def cells(search: str | None) -> tuple[object, object]:
    filters = Filters.from_query(search)
    return _cells(search, filters), model.call(common.scope_sentence, filters)


def _cells(search: str | None, filters: Filters) -> object:
    try:
        chosen = model.slice_options(search)
    except ValueError as exc:
        return html.P(f"This view cannot be shown: {exc}")
    frame = model.call(slices.heatmap, filters, **chosen)
    hidden = frame.empty or bool(frame["suppressed"].astype(bool).all())
    if not frame.empty:
        frame = frame.assign(ci=frame["ci_low"].map(lambda v: num(v, sign=True)) + " to "
                             + frame["ci_high"].map(lambda v: num(v, sign=True)),
                             key=frame["row"].astype(str) + "|" + frame["col"].astype(str))
    shown = table(frame, COLUMNS, table_id="slices-results", formats=FORMATS, key="key")
    if not hidden:
        return shown
    return html.Div([_alternatives(search, filters, chosen), shown])


def _alternatives(search: str | None, filters: Filters, chosen: dict[str, str]) -> dbc.Alert:
    """Every cell hidden: say so, and offer the choices that would show cells."""
    offers = model.call(slice_choice.best, filters, count=3,
                        exclude=(chosen["rows"], chosen["cols"], chosen["outcome"]))
    text = (f"Every cell of {chosen['rows']} × {chosen['cols']} is hidden for these filters: "
            f"each has fewer than {privacy.resolve_min_group_size()} people, or is hidden so "
            "that a smaller one cannot be worked out.")
    if not offers:
        return dbc.Alert([text, " No other choice shows cells either: widen the filters."],
                         color="warning", id="slices-all-hidden")
    links = [html.Li(dcc.Link(
        f"{str(o['rows']).capitalize()} × {o['cols']}, {labels.outcome_name(o['outcome'])} "
        f"({o['shown']} of {o['cells']} cells shown)",
        href="/slices" + urlstate.with_options(search, rows=str(o["rows"]), cols=str(o["cols"]),
                                               outcome=str(o["outcome"]))))
        for o in offers]
    return dbc.Alert([html.P(text + " These choices show cells:", className="mb-1"),
                      html.Ul(links, className="mb-0")], color="warning",
                     id="slices-all-hidden")
