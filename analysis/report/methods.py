"""The board pack's methods appendix: tests, CIs, multiplicity, suppression, cohorts, data, n."""

from __future__ import annotations

import pandas as pd
from pptx.presentation import Presentation
from pptx.util import Inches

from analysis.report import content as c
from analysis.report import template as t


def tests_used(results: pd.DataFrame) -> pd.DataFrame:
    """One row per metric: its label and the method its rows report (notes stripped)."""
    if results.empty:
        return pd.DataFrame({"Measure": [], "Method": []})
    methods = results.assign(base=results["method"].astype(str).str.split(" — ").str[0])
    methods = methods[results["method"].notna()].drop_duplicates(["metric", "base"])
    joined = methods.groupby("metric", sort=False)["base"].agg("; ".join)
    return pd.DataFrame({"Measure": [c.metric_label(str(m)) for m in joined.index],
                         "Method": joined.to_numpy()})


def methods_slides(prs: Presentation, content: c.DeckContent) -> None:
    results = content.results
    hidden = int(results["suppressed"].astype(bool).sum()) if len(results) else 0
    slide = t.content_slide(prs, title="Methods", footer=content.footer, kicker="Appendix")
    lines = [
        "Tests used: see the next slide; each outcome slide names its main measure.",
        "Before and after: the same people's programme pre- and post-surveys; a construct's "
        "score is the mean of its items after reverse-coding, needing at least half answered. "
        "Estimates are after − before.",
        "Confidence intervals: 95% throughout (error bars on the charts, CI columns in tables).",
        "Multiple comparisons: Holm step-down within each family of tests shown together (one "
        "metric × cohort × role, across outcomes); slides quote the adjusted p, the table "
        "export has both raw and adjusted p.",
        f"Privacy: no group of fewer than {content.min_group_size} people is shown or exported "
        "(a paired comparison counts people with both surveys); hidden cells are blank in "
        f"charts, tables and the charts' embedded sheets. {hidden} result(s) are hidden in this "
        "pack. The file holds aggregates only: no names, employee ids or email addresses.",
    ]
    t.text_box(slide, (t.MARGIN, Inches(1.45), t.WIDTH - 2 * t.MARGIN, Inches(5.3)),
               lines, size=14)

    tests = tests_used(results)
    slide = t.content_slide(prs, title="Tests used", footer=content.footer, kicker="Appendix")
    if len(tests):
        t.table(slide, (t.MARGIN, Inches(1.4), t.WIDTH - 2 * t.MARGIN,
                        Inches(0.28) * (len(tests) + 1)), tests,
                size=9 if len(tests) > 10 else 11, widths=[1.0, 3.2])

    slide = t.content_slide(prs, title="Cohorts, data and n", footer=content.footer,
                            kicker="Appendix")
    cohorts = pd.DataFrame({
        "Cohort": content.cohorts["cohort_id"].astype(str),
        "Name": content.cohorts["name"].astype(str),
        "Start": pd.to_datetime(content.cohorts["start_date"]).dt.strftime("%d %b %Y"),
        "End": pd.to_datetime(content.cohorts["end_date"]).dt.strftime("%d %b %Y"),
    })
    rows = max(len(cohorts), 1) + 1
    t.table(slide, (t.MARGIN, Inches(1.5), Inches(6.2), Inches(0.36) * rows), cohorts,
            size=11, widths=[0.9, 3.0, 1.3, 1.3])
    n = c.n_table(content)
    if not n.empty:
        n = n.rename(columns={"outcome_label": "Outcome"})
        t.text_box(slide, (Inches(7.0), Inches(1.15), Inches(5.8), Inches(0.3)),
                   "n per group, cohort in view", size=11, colour=t.MUTED, bold=True)
        t.table(slide, (Inches(7.0), Inches(1.5), Inches(5.8), Inches(0.34) * (len(n) + 1)),
                n, size=10, widths=[2.6] + [1.2] * (len(n.columns) - 1))
    t.text_box(slide, (t.MARGIN, Inches(5.2), t.WIDTH - 2 * t.MARGIN, Inches(1.6)), [
        f"Filters: {c.describe_filters(content.filters)}. Cohort in view: "
        f"{'all cohorts together' if content.view_cohort == 'all' else content.view_cohort}.",
        f"Generated {content.generated:%d %b %Y %H:%M} UTC by crossgen.",
        f"Data snapshot (sha256 over every imported file's sha256): {content.snapshot}",
    ], size=11, colour=t.MUTED)
