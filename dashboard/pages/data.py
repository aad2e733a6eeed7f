"""Data: import history, data-quality findings, codebook, reliability (Cronbach's alpha)."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, callback, dcc, html

from analysis.pages import common, quality
from analysis.report import labels
from analysis.store.filters import Filters
from dashboard import ids, model
from dashboard.components import num, table

dash.register_page(__name__, path="/data", name="Data", order=7)

IMPORTS = [("imported_at", "Imported"), ("kind", "Kind"), ("file_name", "File"),
           ("format", "Format"), ("rows_in", "Rows in"), ("rows_accepted", "Accepted"),
           ("rows_rejected", "Rejected")]
FINDINGS = [("finding", "Check"), ("count", "Count"), ("action", "What to do")]
CODEBOOK = [("label", "Construct"), ("text", "Question"),
            ("scale", "Scale"), ("reverse_coded", "Reverse-coded")]
RELIABILITY = [("label", "Construct"), ("cohort", "Cohort"), ("group", "Administration"),
               ("n", "n (complete)"), ("estimate", "Cronbach's α"), ("ci", "95% CI")]


def layout(**_query: str) -> html.Div:
    def section(title: str, element: str) -> list[Any]:
        return [html.H3(title, className="h5 section-title"),
                dcc.Loading(html.Div(id=element))]

    return html.Div([
        html.H2("Data", className="h4"),
        html.P("What was imported, what looks wrong, what the survey asks, and how reliable "
               "each scale is.", className="text-muted"),
        *section("Data-quality findings", ids.Data.FINDINGS),
        *section("Reliability (Cronbach's alpha)", ids.Data.RELIABILITY),
        html.P("Reliability is measured per cohort and survey, so its table lists each cohort "
               "in view; the other tables describe the whole database.",
               className="small text-muted", id="data-scope"),
        *section("Import history", ids.Data.IMPORTS),
        *section("Codebook", ids.Data.CODEBOOK),
    ])


@callback(Output(ids.Data.IMPORTS, "children"), Output(ids.Data.FINDINGS, "children"),
          Output(ids.Data.CODEBOOK, "children"), Input(ids.URL, "pathname"))
def static_tables(_path: str | None) -> tuple[object, object, object]:
    imports = model.call(quality.import_history)
    imports = imports.assign(imported_at=imports["imported_at"].astype(str).str[:19])
    codebook = model.call(quality.codebook)
    codebook = codebook.assign(
        scale=codebook["scale_min"].map(lambda v: num(v, 0)) + "–"
        + codebook["scale_max"].map(lambda v: num(v, 0)),
        reverse_coded=codebook["reverse_coded"].map({True: "yes", False: ""}))
    return (table(imports, IMPORTS, table_id="data-imports-table", key="import_id"),
            table(model.call(quality.findings), FINDINGS, table_id="data-findings-table",
                  formats={"count": lambda v: num(v, 0)}, key="check"),
            table(codebook, CODEBOOK, table_id="data-codebook-table", key="item_id"))


@callback(Output(ids.Data.RELIABILITY, "children"), Input(ids.URL, "search"))
def reliability(search: str | None) -> object:
    frame = model.call(quality.reliability, Filters.from_query(search))
    if not frame.empty:
        frame = frame.assign(ci=frame["ci_low"].map(num) + " to " + frame["ci_high"].map(num),
                             label=frame["outcome"].map(labels.outcome_name),
                             # a survey's own name ("pulse_2023") read as words
                             group=frame["group"].map(lambda g: ", ".join(
                                 str(v) for v in g.values()) if isinstance(g, dict) else g)
                             .astype(str).str.replace("_", " "),
                             key=frame["outcome"] + "|" + frame["cohort"].astype(str),
                             cohort=frame["cohort"].astype(str).replace(
                                 model.call(common.cohort_names)))
    return table(frame, RELIABILITY, table_id="data-reliability-table",
                 formats={"n": lambda v: num(v, 0), "estimate": num}, key="key")
