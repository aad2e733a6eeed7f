"""Overview: the leadership page — did the programme pay off?"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from analysis.report import labels
from analysis.store.filters import Filters
from dashboard import ids, model
from dashboard.components import chart_block, empty_state, missing, num

dash.register_page(__name__, path="/", name="Overview", order=0)

UNIT_WORDS = {"points": "scale points", "enps": "eNPS points (−100 to +100)",
              "share": "percentage points", "money": ""}


def value_text(unit: str, value: object) -> str:
    """How a headline estimate is written on its card (tests compare against this)."""
    if missing(value):
        return "—"
    if unit == "share":
        return f"{float(value) * 100:+.1f} pp"  # type: ignore[arg-type]
    if unit == "enps":
        return f"{float(value):+.1f}"  # type: ignore[arg-type]
    if unit == "money":
        return labels.money(float(value), signed=True)  # type: ignore[arg-type]
    return f"{float(value):+.2f}"  # type: ignore[arg-type]


def _ci_text(row: Mapping[str, Any]) -> str:
    if missing(row["ci_low"]):
        return ""
    low, high = value_text(row["unit"], row["ci_low"]), value_text(row["unit"], row["ci_high"])
    if row["unit"] == "money":  # scenarios × retention CI: a range of assumptions, not a CI
        return f"Range from low/high assumptions: {low} to {high}"
    return f"95% CI {low} to {high}"


def _per_cohort(row: Mapping[str, Any]) -> html.Ul:
    """Each cohort's figure of a measure that has no all-cohorts figure."""
    items = []
    for part in row["per_cohort"]:
        name = str(part.get("cohort_name") or part["cohort"])
        if bool(part["suppressed"]) or missing(part["estimate"]):
            items.append(html.Li(f"{name}: hidden (fewer than the minimum group size)"))
            continue
        shown = {**part, "unit": row["unit"]}
        ci = _ci_text(shown).replace("Range from low/high assumptions: ", "range ")
        sig = "" if row["unit"] == "money" or missing(part["p_adjusted"]) else (
            ", significant" if float(part["p_adjusted"]) < 0.05 else ", could be chance")
        n = f"n = {int(part['n']):,}" if missing(part.get("n_treated")) else \
            f"{int(part['n_treated']):,} participants vs {int(part['n_comparison']):,}"
        items.append(html.Li([html.Strong(f"{name}: {value_text(row['unit'], part['estimate'])}"),
                              f" ({ci}; {n}{sig})"]))
    return html.Ul(items, className="per-cohort small ps-3 mb-1", id=f"card-{row['key']}")


def _headline(row: Mapping[str, Any]) -> dbc.Col:
    state = "unavailable" if not row["available"] or missing(row["estimate"]) else (
        "significant" if "Statistically significant" in str(row["words"]) else "not-significant")
    money_note = labels.currency_note() if row["unit"] == "money" else ""
    if row["per_cohort"]:
        body = [html.H3(f"{row['title']}, per cohort", className="card-title-small"),
                _per_cohort(row),
                html.Div(UNIT_WORDS.get(row["unit"], ""), className="small text-muted")]
    else:
        n = row["counted"] or ("" if missing(row["n"]) else f"n = {int(row['n'])}")
        body = [
            html.H3(row["title"], className="card-title-small"),
            html.Div(value_text(row["unit"], row["estimate"]), className="card-value",
                     id=f"card-{row['key']}"),
            html.Div(UNIT_WORDS.get(row["unit"], ""), className="small text-muted"),
            html.Div(_ci_text(row), className="small", id=f"card-{row['key']}-ci"),
            html.Div(n, className="small text-muted counted"),
            html.Div(row["words"], className="small fw-semibold mt-1 sig-words"),
            html.Div(row["detail"], className="small mt-1 drivers"),
            html.Div(row["sentence"], className="small mt-1 sentence"),
        ]
    body += [html.Div(money_note, className="small text-muted currency"),
             html.Div(row["note"], className="small text-muted fst-italic mt-1 note")]
    return dbc.Col(dbc.Card(dbc.CardBody(body), className=f"headline-card {state}"),
                   md=6, xl=4, className="mb-3")


def _count(title: str, value: object, card_id: str) -> dbc.Col:
    return dbc.Col(html.Div([html.Span(num(value, 0), id=card_id, className="fs-4 fw-semibold"),
                             html.Span(f" {title}", className="text-muted")]), width="auto")


def layout(**_query: str) -> html.Div:
    return html.Div([
        dbc.Row([
            dbc.Col(html.H2("Did the programme pay off?", className="h4 mb-0")),
            dbc.Col(dbc.Button("Board pack (PPTX)", id=ids.BOARD_PACK,
                               href="/download/board-pack.pptx", external_link=True,
                               color="primary", size="sm"), width="auto"),
        ], className="align-items-center mb-2"),
        dash.dcc.Loading(html.Div(id=ids.Overview.VERDICT), type="dot"),
        dash.dcc.Loading(html.Div(id=ids.Overview.COUNTS), type="dot"),
        dash.dcc.Loading(html.Div(id=ids.Overview.CARDS), type="circle"),
        dbc.Row([dbc.Col(chart_block("overview-trend"), lg=7),
                 dbc.Col(chart_block("overview-changes"), lg=5)]),
    ])


@callback(Output(ids.BOARD_PACK, "href"), Input(ids.URL, "search"))
def board_pack_link(search: str | None) -> str:
    return "/download/board-pack.pptx" + (search or "")


@callback(Output(ids.Overview.VERDICT, "children"), Output(ids.Overview.COUNTS, "children"),
          Output(ids.Overview.CARDS, "children"), Input(ids.URL, "search"))
def update(search: str | None) -> tuple[object, object, object]:
    view = model.overview(Filters.from_query(search))
    counts = view.counts.iloc[0]
    row = dbc.Row([
        _count("participants", counts["participants"], "card-participants"),
        _count("pairs", counts["pairs"], "card-pairs"),
        _count("sessions held", counts["sessions_held"], "card-sessions"),
    ], className="g-4 mb-3")
    verdict = html.P(view.verdict, className="verdict lead mb-2", id="overview-verdict")
    if missing(counts["participants"]):
        return None, row, empty_state(
            "Fewer than the minimum group size of participants match these filters, so no "
            "outcomes are shown. Widen the filters or press Reset filters.",
            element_id=ids.Overview.EMPTY)
    cards = dbc.Row([_headline(r) for r in view.cards.to_dict("records")], className="g-3")
    scope = html.P(f"Every card describes {view.scope}.", className="small text-muted mb-2",
                   id="overview-scope")
    return verdict, row, html.Div([scope, cards])
