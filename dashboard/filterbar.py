"""The global filter bar, and the one callback that keeps it and the URL query string in step."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from analysis.store.filters import Filters
from dashboard import ids, model, urlstate

LABELS = {"cohort": "Cohort", "role": "Role", "generation": "Generation",
          "department": "Department", "level": "Level"}
MULTI = {"generation", "department", "level"}


def layout() -> html.Div:
    options = model.filter_options()
    controls = [
        dbc.Col(
            [
                dbc.Label(LABELS[name], html_for=f"filter-{name}", className="small mb-0"),
                dcc.Dropdown(
                    id=ids.filter_id(name),
                    options=options.get(name, []),
                    multi=name in MULTI,
                    placeholder="All",
                    clearable=True,
                    persistence=False,
                ),
            ],
            xs=6, md=4, lg=2,
            className=f"filter-{name}",
        )
        for name in ids.FILTER_NAMES
    ]
    controls.append(dbc.Col(
        dbc.Button("Reset filters", id=ids.RESET, color="dark", outline=True, size="sm",
                   className="mt-md-4 mt-3"), xs=6, md=4, lg=2))
    return html.Div(dbc.Row(controls, className="g-2"), className="filter-bar p-2 p-md-3 mb-3")


def dropdown_values(filters: Filters) -> list[Any]:
    """The dropdowns' values for ``filters``, in :data:`ids.FILTER_NAMES` order."""
    out = []
    for name in ids.FILTER_NAMES:
        value = getattr(filters, name)
        out.append(list(value) if name in MULTI else value)
    return out


@callback(
    Output(ids.URL, "search"),
    Output({"type": ids.FILTER_TYPE, "name": ALL}, "value"),
    Input(ids.URL, "search"),
    Input({"type": ids.FILTER_TYPE, "name": ALL}, "value"),
    Input(ids.RESET, "n_clicks"),
    State({"type": ids.FILTER_TYPE, "name": ALL}, "id"),
)
def sync_filters(search: str | None, values: list[Any], _reset: int | None,
                 components: list[dict[str, str]]) -> tuple[str, list[Any]]:
    """URL -> dropdowns on load or a shared link; dropdowns -> URL on every change."""
    if ctx.triggered_id == ids.RESET:
        return "", dropdown_values(Filters())
    if ctx.triggered_id == ids.URL or ctx.triggered_id is None:
        return search or "", dropdown_values(Filters.from_query(search))
    chosen = {c["name"]: v for c, v in zip(components, values, strict=True)}
    filters = Filters.from_mapping(chosen)
    return urlstate.with_filters(filters, search), dropdown_values(filters)
