"""The one-line answers: the Overview's verdict, the ROI verdict read from its range, and the
labels every metric of the registry is shown with."""

from __future__ import annotations

import re

import pytest

from analysis.metrics import registry as metrics
from analysis.pages.sentences import roi_drivers, roi_verdict, verdict
from analysis.report import labels

ROI = {"net_low": -10278.9, "net_base": 92907.5, "net_high": 448722.4, "ci_low": -82047.2,
       "ci_high": 961353.7, "retention_diff": 0.0605, "retention_diff_ci_low": 0.0024,
       "retention_diff_ci_high": 0.1187, "avoided_exits": 4.30, "avoided_exits_low": 0.17,
       "avoided_exits_high": 8.43, "n_treated": 71, "mean_salary": 82780.3,
       "programme_cost": 85000.0, "replacement_share_low": 0.21,
       "replacement_share_base": 0.5, "replacement_share_high": 1.5}


def test_roi_verdict_names_the_paying_scenarios_and_the_loss() -> None:
    assert roi_verdict(ROI) == ("Pays off in the base and high scenarios; the low scenario "
                                "loses USD 10k.")
    assert roi_verdict({**ROI, "net_low": 5.0}).startswith(
        "Pays off in all three replacement-cost scenarios; at the low end of the retention "
        "difference's 95% CI it could lose USD 82k")
    assert roi_verdict({**ROI, "ci_low": 1.0, "net_low": 5.0}).startswith(
        "Pays off under every assumption")
    assert roi_verdict({**ROI, "net_low": -50000.0, "net_base": -20000.0}) == (
        "Pays off in the high scenario; the low and base scenarios lose USD 50k or more.")
    assert roi_verdict({**ROI, "net_low": -9e4, "net_base": -6e4, "net_high": -1.5e6}) == (
        "Does not pay off in any scenario: the base scenario loses USD 60k.")
    assert roi_verdict({**ROI, "net_base": float("nan")}) == ""


def test_roi_drivers_say_what_the_range_is_made_of() -> None:
    text = roi_drivers(ROI)
    assert text.startswith("What drives this: retention +6.0 pp vs comparison (95% CI 0.2 to "
                           "11.9) × 71 participants = 4.3 avoided exits (0.2 to 8.4)")
    assert "21% / 50% / 150% of a mean salary of USD 82,780" in text
    assert text.endswith("against a programme cost of USD 85,000.")


def _card(key: str, metric: str, estimate: float, p: float | None, **more: object) -> dict:
    return {"key": key, "metric": metric, "available": True, "suppressed": False,
            "estimate": estimate, "p_adjusted": p, "per_cohort": [], **more}


def test_verdict_counts_outcomes_and_words_retention_and_roi() -> None:
    cards = [_card("digital", "paired_change", 0.84, 0.0001),
             _card("leadership", "paired_change", 0.55, 0.2),
             _card("enps", "enps_change", -3.0, 0.01),  # significant but down: not improved
             _card("retention", "retention_diff_12m", 0.061, 0.041),
             _card("roi", "roi", 92907.5, None, net_base=92907.5, net_high=4e5, ci_low=-8e4)]
    assert verdict(cards, scope="Reverse Mentoring 2025 Spring") == (
        "Reverse Mentoring 2025 Spring: 2 of 4 outcomes improved significantly; retention up "
        "6.1 pp vs the comparison group; ROI likely positive (positive in the base scenario).")
    # per-cohort measures in the all-cohorts view: counted per cohort, never one passed off
    per = [{"estimate": e, "p_adjusted": p, "suppressed": False}
           for e, p in ((0.07, 0.06), (0.09, 0.001), (-0.01, 0.9))]
    pooled = [cards[0], {**cards[3], "per_cohort": per},
              {**cards[4], "per_cohort": [{"estimate": 1.0, "suppressed": False},
                                          {"estimate": -1.0, "suppressed": False}]}]
    assert verdict(pooled, scope="all 3 cohorts together") == (
        "All 3 cohorts together: 1 of 1 outcomes improved significantly; retention higher "
        "than the comparison group in 2 of 3 cohorts (significant in 1); ROI positive in the "
        "base scenario in 1 of 2 cohorts.")
    hidden = [{**c, "suppressed": True} for c in cards]
    assert verdict(hidden, scope="the one cohort") == \
        "The one cohort: too few people to give a verdict."


def test_every_registry_metric_has_a_human_label_and_unit() -> None:
    snake = re.compile(r"[a-z]+_[a-z0-9_]+")
    for name in metrics.REGISTRY:
        shown = labels.METRICS[name]  # KeyError: a metric without a display name
        assert shown.name and shown.short and shown.unit, name
        assert not snake.search(shown.name + shown.short + shown.unit), name
    assert labels.outcome_name("skills.digital") == "Digital skills"
    assert labels.role_name("comparison") == "Comparison group"


def test_currency_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(labels.CURRENCY_ENV, raising=False)
    assert labels.currency() == ("USD", True)
    assert labels.money(-82047.2, signed=True) == "USD −82,047"
    assert labels.money(961353.7, short=True) == "USD 961k"
    monkeypatch.setenv(labels.CURRENCY_ENV, "eur")
    assert labels.currency() == ("EUR", False) and labels.currency_note() == "Amounts in EUR."
    monkeypatch.setenv(labels.CURRENCY_ENV, "euros")
    with pytest.raises(ValueError, match="three-letter currency code"):
        labels.currency()
