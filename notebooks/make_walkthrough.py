"""Write notebooks/walkthrough.ipynb and execute it in place (outputs stored).

Run from the repository root: .venv/bin/python notebooks/make_walkthrough.py
Uses $CROSSGEN_DB when set, else builds the demo database in a temporary folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

CELLS = [
    ("md", """# crossgen walkthrough: from the demo exports to every outcome

This notebook uses the `analysis` API (no dashboard) on the demo database: three cohorts of a
reverse-mentoring programme, four org-wide pulse surveys, programme pre/post surveys, mentoring
sessions and a roster with exits. Every number below passes the privacy layer (groups under 5
people are hidden) and comes with its n and 95% confidence interval. Methods: `docs/methods.md`."""),
    ("code", """import os
import tempfile
from pathlib import Path

import pandas as pd

from analysis.metrics import registry as metrics
from analysis.metrics.comparison import did_balance
from analysis.ingest.demo_db import build_demo
from analysis.store.filters import Filters
from analysis.metrics.outcomes import reliability
from analysis.pages.pair_health import pair_health
from analysis.metrics.retention import km_curves
from analysis.pages.sentences import sentences
from analysis.store.db import Store
from analysis.store.waves import resolve_waves

pd.set_option("display.precision", 3)
pd.set_option("display.width", 120)

# The demo database: $CROSSGEN_DB when given (the test suite passes its own), else built here.
db = os.environ.get("CROSSGEN_DB") or build_demo(Path(tempfile.mkdtemp()) / "demo.duckdb")
store = Store(db, read_only=True)
everyone = Filters()
store.query("select cohort_id, name, start_date, end_date, cost from cohorts order by 1")"""),
    ("md", """## 1. Import: what is in the database

The demo database was built by the same importers a user runs (`crossgen import ...`)."""),
    ("code", """store.query(\"\"\"
    select kind, count(*) as administrations, min(opened)::date as first, max(closed)::date as last
    from administrations group by kind order by kind
\"\"\")"""),
    ("md", """## 2. Waves: each cohort's before and after pulse survey

Before = the latest pulse survey that closed on or before the cohort's start; after = the earliest
that opened on or after its end. A row in `wave_overrides` wins (`analysis.store.waves.set_wave_override`)."""),
    ("code", "resolve_waves(store)"),
    ("md", """## 3. Skills and attitudes: before/after on the same people

`paired_change`: mean change (after − before) with a paired t-test, Wilcoxon, Cohen's d_z, the
minimum detectable effect (`mde`) and Holm-adjusted p across the constructs shown together."""),
    ("code", """paired = metrics.results(store, everyone, metrics=["paired_change"])
headline = paired[(paired["cohort"] == "all") & (paired["role"] != "all")]
headline[["outcome", "role", "n", "estimate", "ci_low", "ci_high", "p_adjusted", "effect_size", "mde"]]"""),
    ("code", """digital = paired[(paired["outcome"] == "skills.digital") & (paired["role"] == "mentee")]
for text in sentences(digital):
    print(text)"""),
    ("md", """## 4. Satisfaction, inclusion and eNPS

Top-2-box change (McNemar), eNPS change (seeded bootstrap CI) and programme satisfaction (post only)."""),
    ("code", """survey = metrics.results(store, everyone,
                         metrics=["top2box_change", "enps_change", "mean"])
survey = survey[(survey["cohort"] == "all") & (survey["role"] == "all")]
for text in sentences(survey):
    print(text)"""),
    ("md", """## 5. Against non-participants: difference-in-differences on the pulse surveys

People with a score in both the cohort's before and after pulse wave; OLS `y ~ treat * post` with
cluster-robust SE by employee, and a propensity-weighted variant with its covariate balance."""),
    ("code", """did = metrics.results(store, Filters(cohort="C1"), metrics=["did", "did_weighted"])
did[did["role"] == "all"][["outcome", "metric", "n_treated", "n_comparison", "estimate",
                          "ci_low", "ci_high", "p_adjusted"]]"""),
    ("code", """did_balance(store, everyone, cohort="C1", construct="inclusion").head(8)"""),
    ("md", """## 6. Retention

Everyone employed on the cohort's start date; a voluntary exit is the event, involuntary exits are
censored at their date, everyone else at the roster's as-of date."""),
    ("code", """ret = metrics.results(store, Filters(cohort="C1"),
                      metrics=["retention_12m", "retention_diff_12m", "logrank", "cox_hr"])
for text in sentences(ret[ret["role"].isin(["all", "comparison"])]):
    print(text)"""),
    ("code", """curves = km_curves(store, everyone, cohort="C1")
curves.groupby("arm").tail(2)"""),
    ("md", "## 7. Return on investment (a range, never a point)"),
    ("code", """roi = metrics.results(store, Filters(cohort="C1"), metrics=["roi"])
roi = roi[roi["role"] == "all"]
roi[["avoided_exits", "mean_salary", "programme_cost", "net_low", "net_base", "net_high",
     "estimate", "ci_low", "ci_high"]]"""),
    ("md", "## 8. Engagement: are pairs meeting?"),
    ("code", """names = ["sessions_held", "minutes_per_pair", "median_sessions_per_pair", "cadence_days",
         "cancellation_rate", "share_pairs_3plus", "stalled_pairs", "dose_response"]
eng = metrics.results(store, Filters(cohort="C3"), metrics=names)
for text in sentences(eng[eng["role"].isin(["all", "mentee"])]):
    print(text)"""),
    ("code", """pair_health(store, everyone, cohort="C3")"""),
    ("md", "## 9. Reliability of the survey constructs"),
    ("code", """rel = reliability(store, everyone)
rel[["administration_id", "construct", "n", "estimate", "ci_low", "ci_high", "warning"]].head(10)"""),
    ("md", """## 10. Slices

Any metric by generation, department, level or role; groups under 5 people are suppressed."""),
    ("code", """by_gen = metrics.results(store, Filters(cohort="C2"), by="generation",
                         metrics=["paired_change"])
cell = by_gen[(by_gen["outcome"] == "skills.digital") & (by_gen["role"] == "mentee")]
cell.assign(generation=cell["group"].map(lambda g: g["generation"]))[
    ["generation", "n", "estimate", "ci_low", "ci_high", "suppressed"]]"""),
]


def build() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "md"
                else nbformat.v4.new_code_cell(src) for kind, src in CELLS]
    return nb


if __name__ == "__main__":
    notebook = build()
    NotebookClient(notebook, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(HERE.parent)}}).execute()
    out = HERE / "walkthrough.ipynb"
    nbformat.write(notebook, out)
    print(f"wrote {out}", file=sys.stderr)
