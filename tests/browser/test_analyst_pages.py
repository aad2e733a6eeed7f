"""Retention, Engagement and the comparisons against non-participants in a real browser, with
filters applied: the numbers shown equal ``crossgen metrics --json`` for the same filters, and
where the CLI has no such number, the analysis function the page calls."""

from __future__ import annotations

import re
from typing import Any

import pytest

from analysis.pages import engagement, retention
from analysis.report import labels, words
from analysis.store.db import Store
from analysis.store.filters import Filters
from tests.browser.helpers import (
    choose,
    cli_rows,
    one,
    p_text,
    row_cells,
    wait_for_cell,
    wait_for_charts,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _num(value: Any, digits: int, *, sign: bool = False) -> str:
    """A number as the pages' tables write it (``dashboard.components.num``)."""
    return "—" if value is None else f"{value:{'+' if sign else ''},.{digits}f}"


def _ci(row: dict[str, Any], digits: int, *, sign: bool = False) -> str:
    if row["ci_low"] is None and row["ci_high"] is None:
        return "—"
    return f"{_num(row['ci_low'], digits, sign=sign)} to {_num(row['ci_high'], digits, sign=sign)}"


def _p(row: dict[str, Any]) -> str:
    return "—" if row["p_adjusted"] is None else p_text(row["p_adjusted"])


def test_retention_numbers_equal_cli_after_choosing_a_cohort(page, server: str, demo_db) -> None:
    page.goto(server + "/retention")
    wait_for_charts(page, "/retention")
    choose(page, "cohort", re.compile(r"\(C2\)"))
    page.wait_for_url(re.compile(r"cohort=C2"))
    rows = cli_rows(demo_db, "--cohort", "C2", *[a for m in retention.RETENTION_METRICS
                                                  for a in ("--metric", m)])
    diff = one(rows, metric="retention_diff_12m", role="all", group={})
    # The page showed cohort C1 before the filter: wait for the C2 numbers.
    wait_for_cell(page, "retention-results", "retention_diff_12m|all", "n",
                  _num(diff["n"], 0))
    assert "Reverse Mentoring 2024 Autumn" in page.locator("#retention-scope").inner_text()
    shown = [r for r in rows if r["group"] == {} and r["cohort"] == "C2"]
    assert {r["metric"] for r in shown} == set(retention.RETENTION_METRICS)
    for want in shown:
        cells = row_cells(page, "retention-results", f"{want['metric']}|{want['role']}")
        assert cells["n"] == _num(want["n"], 0)
        # S(365) as a percentage, the difference in pp, the HR plain (the deck's words)
        assert cells["estimate_text"] == words.value_text(want)
        assert cells["ci_text"] == words.ci_of(want)
        assert cells["p_text"] == _p(want)
        assert cells["measure"] == labels.metric_name(want["metric"])
    # The 12-month difference and the hazard ratio are real numbers on this cohort.
    hr = one(rows, metric="cox_hr", role="all", group={})
    assert diff["estimate"] is not None and hr["estimate"] is not None

    # At-risk counts: the analysis function the page calls (the CLI has no such row).
    risk = retention.at_risk_table(Store(demo_db, read_only=True), Filters(cohort="C2"))
    for record in risk.to_dict("records"):
        cells = row_cells(page, "retention-at-risk", record["arm"])
        for day in retention.AT_RISK_DAYS:
            value = record[str(day)]
            assert cells[str(day)] == ("—" if value != value else _num(value, 0))
    # The curves' legend carries each arm's n, the same n as its 12-month retention row.
    participants = one(rows, metric="retention_12m", role="all", group={})
    comparison = one(rows, metric="retention_12m", role="comparison", group={})
    page.wait_for_function(
        "(want) => want.every(w => [...document.querySelectorAll('.js-plotly-plot .legendtext')]"
        ".some(e => e.textContent === w))",
        arg=[f"participants (n = {participants['n']})", f"comparison (n = {comparison['n']})"],
        timeout=90_000)


def test_engagement_numbers_equal_cli_for_a_shared_link(page, server: str, demo_db) -> None:
    page.goto(server + "/engagement?cohort=C2")
    wait_for_charts(page, "/engagement")
    rows = cli_rows(demo_db, "--cohort", "C2", *[a for m in engagement.ENGAGEMENT_METRICS
                                                  for a in ("--metric", m)])
    shown = [r for r in rows if r["group"] == {} and r["cohort"] == "C2"]
    for metric in ("sessions_held", "cadence_days", "cancellation_rate", "share_pairs_3plus",
                   "minutes_per_pair", "median_sessions_per_pair", "stalled_pairs"):
        assert any(r["metric"] == metric for r in shown), metric
    for want in shown:
        cells = row_cells(page, "engagement-results", f"{want['metric']}|{want['role']}")
        assert cells["n"] == _num(want["n"], 0)
        assert cells["estimate_text"] == words.value_text(want)  # shares as %
        assert cells["ci_text"] == words.ci_of(want)
        assert cells["p_text"] == _p(want)
        assert cells["measure"] == labels.metric_name(want["metric"])
    # The pair-health headline counts the same stalled pairs as the stalled_pairs share.
    stalled = one(rows, metric="stalled_pairs", role="all", group={})
    count = round(stalled["estimate"] * stalled["n"])
    page.locator("#pairs-stalled").wait_for(timeout=90_000)
    assert page.locator("#pairs-stalled").inner_text() == \
        f"{count} of {stalled['n']} pairs stalled"
    assert page.locator(".ag-row.stalled").count() >= 1
    # Pairs per health status, never one row per pair: three statuses of one cohort.
    assert page.locator(".ag-center-cols-container .ag-row").count() == 3


def test_did_numbers_equal_cli_with_cohort_and_role(page, server: str, demo_db) -> None:
    page.goto(server + "/inclusion?cohort=C2&role=mentee")
    wait_for_charts(page, "/inclusion")
    rows = cli_rows(demo_db, "--cohort", "C2", "--role", "mentee", "--metric", "did")
    for outcome in ("inclusion", "intergenerational"):
        want = one(rows, outcome=outcome, role="mentee", group={}, cohort="C2")
        cells = row_cells(page, "inclusion-extra-results", f"{outcome}|mentee|did")
        assert cells["n"] == _num(want["n"], 0)
        assert cells["estimate"] == _num(want["estimate"], 2, sign=True)  # treat:post
        assert cells["ci"] == _ci(want, 2, sign=True)
        assert cells["p_adjusted"] == _p(want)


def test_overview_comparison_cards_equal_cli(page, server: str, demo_db) -> None:
    page.goto(server + "/?cohort=C2")
    page.wait_for_function(
        "() => document.querySelector('#card-participants')?.innerText === '100'"
        " && document.querySelector('#card-roi')", timeout=90_000)
    rows = cli_rows(demo_db, "--cohort", "C2", "--metric", "did", "--metric",
                    "retention_diff_12m", "--metric", "enps_change", "--metric", "roi")

    def card(key: str) -> tuple[str, str]:
        return (page.locator(f"#card-{key}").inner_text(),
                page.locator(f"#card-{key}-ci").inner_text())

    did = one(rows, metric="did", outcome="inclusion", role="all", group={})
    assert card("inclusion") == (f"{did['estimate']:+.2f}", f"95% CI {did['ci_low']:+.2f} to "
                                 f"{did['ci_high']:+.2f}")
    assert f"n = {did['n_treated']} participants and {did['n_comparison']} non-participants" \
        in page.locator("#card-inclusion").locator("xpath=..").inner_text()
    diff = one(rows, metric="retention_diff_12m", role="all", group={})
    assert card("retention") == (
        f"{diff['estimate'] * 100:+.1f} pp",
        f"95% CI {diff['ci_low'] * 100:+.1f} pp to {diff['ci_high'] * 100:+.1f} pp")
    # the programme survey asks eNPS in the demo, so the card shows it (analysis/metrics/sources.py)
    enps = one(rows, metric="enps_change", role="all", group={}, source="programme")
    assert card("enps")[0] == f"{enps['estimate']:+.1f}"
    # ROI: a range over assumptions, labelled as such, with no significance phrase.
    roi = one(rows, metric="roi", role="all", group={})

    def usd(x: float) -> str:
        return f"USD {x:+,.0f}".replace("-", "−")

    assert card("roi") == (usd(roi["estimate"]), f"Range from low/high assumptions: "
                           f"{usd(roi['ci_low'])} to {usd(roi['ci_high'])}")
    roi_card = page.locator("#card-roi").locator("xpath=..").inner_text()
    assert "significant" not in roi_card and "No test" not in roi_card
    # the currency is said, and that it is the default; what n counts; the verdict and drivers
    assert "Amounts in USD (the default currency)." in roi_card
    assert f"n = {roi['n_treated']} participants against" in roi_card
    assert "Pays off" in roi_card or "Does not pay off" in roi_card
    assert "What drives this: retention" in roi_card
