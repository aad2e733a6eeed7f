"""Human labels for every metric, outcome and role: the one place pages, exports and the deck
read them from, so no internal id (``retention_diff_12m``, ``skills.digital``) reaches a reader.

Each metric of :data:`analysis.metrics.registry.REGISTRY` has a display name, a short name for tight
table cells and a unit (what its estimate is measured in); a test holds the two in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from analysis.store.codebook import CONSTRUCTS


@dataclass(frozen=True)
class Display:
    name: str  # a column or slide title: "12-month retention difference vs comparison"
    short: str  # a crowded table cell: "Retention difference"
    unit: str  # what the estimate is in: "percentage points", "scale points", …
    share: bool = False  # the estimate is a share (0–1), shown as a percentage
    signed: bool = False  # a change or difference: shown with its sign
    tested: bool = True  # has a p-value (False: descriptive, "no test" is not news)


METRICS: dict[str, Display] = {
    "paired_change": Display("Change after − before (same people)", "Change",
                             "scale points", signed=True),
    "top2box_change": Display("Change in the share scoring 4 or 5", "Top-2-box change",
                              "percentage points", share=True, signed=True),
    "enps_change": Display("Change in eNPS", "eNPS change", "eNPS points", signed=True),
    "mean": Display("Mean rating after the programme", "Mean after", "scale points",
                    tested=False),
    "did": Display("Difference-in-differences vs non-participants", "vs non-participants",
                   "scale points", signed=True),
    "did_weighted": Display("Propensity-weighted difference-in-differences",
                            "vs non-participants (weighted)", "scale points", signed=True),
    "sessions_held": Display("Sessions held per pair", "Sessions per pair", "sessions",
                             tested=False),
    "minutes_per_pair": Display("Minutes of held sessions per pair", "Minutes per pair",
                                "minutes", tested=False),
    "median_sessions_per_pair": Display("Median sessions held per pair", "Median sessions",
                                        "sessions", tested=False),
    "cadence_days": Display("Days between held sessions (median)", "Days between sessions",
                            "days", tested=False),
    "cancellation_rate": Display("Sessions cancelled or missed", "Cancelled or missed",
                                 "percent of sessions", share=True, tested=False),
    "share_pairs_3plus": Display("Pairs with 3 or more held sessions", "Pairs with 3+ sessions",
                                 "percent of pairs", share=True, tested=False),
    "stalled_pairs": Display("Stalled pairs (no session in 45 days)", "Stalled pairs",
                             "percent of pairs", share=True, tested=False),
    "retention_12m": Display("12-month retention", "12-month retention", "percent retained",
                             share=True, tested=False),
    "retention_diff_12m": Display("12-month retention difference vs comparison",
                                  "Retention difference", "percentage points", share=True,
                                  signed=True),
    "logrank": Display("Retention curves compared (log-rank test)", "Log-rank test",
                       "chi-square"),
    "cox_hr": Display("Hazard ratio of leaving vs comparison (Cox)", "Hazard ratio",
                      "ratio"),
    "roi": Display("Return on investment (net value)", "Net value", "money", signed=True,
                   tested=False),
    "dose_response": Display("Dose–response: skill gain per session held",
                             "Gain per session", "scale points per session", signed=True),
    "cronbach_alpha": Display("Reliability (Cronbach's alpha)", "Cronbach's alpha",
                              "alpha (0–1)", tested=False),
}
ROLES = {"mentee": "Mentees", "mentor": "Mentors", "all": "All participants",
         "comparison": "Comparison group"}
CURRENCY_ENV = "CROSSGEN_CURRENCY"
DEFAULT_CURRENCY = "USD"
# Outcomes that are not survey constructs (rows of retention, engagement, ROI, dose–response).
OTHER_OUTCOMES = {"retention": "Retention", "engagement": "Engagement", "roi": "Return on "
                  "investment", "skills": "Skill gain per session held"}


def metric(name: str) -> Display:
    """The display of a metric; an unknown id gets a readable name built from it."""
    found = METRICS.get(name)
    if found is not None:
        return found
    words = name.replace("_", " ").replace(".", " ").strip().capitalize()
    return Display(words, words, "")


def metric_name(name: str) -> str:
    return metric(name).name


def metric_short(name: str) -> str:
    return metric(name).short


def outcome_name(outcome: object) -> str:
    """A construct's or other outcome's display name ('' for none)."""
    if outcome is None or outcome != outcome or outcome == "":
        return ""
    text = str(outcome)
    if text in CONSTRUCTS:
        return CONSTRUCTS[text]
    if text in OTHER_OUTCOMES:
        return OTHER_OUTCOMES[text]
    return text.replace("_", " ").replace(".", " ").strip().capitalize()


def role_name(role: object) -> str:
    text = "" if role is None or role != role else str(role)
    return ROLES.get(text, text.replace("_", " ").capitalize())


def currency() -> tuple[str, bool]:
    """The currency money is shown in (an ISO code such as EUR from $CROSSGEN_CURRENCY) and
    whether it is the default (then the pages say so: costs were imported without one)."""
    chosen = os.environ.get(CURRENCY_ENV, "").strip().upper()
    if chosen and not (len(chosen) == 3 and chosen.isalpha()):
        raise ValueError(f"{CURRENCY_ENV} must be a three-letter currency code such as EUR or "
                         f"GBP (got {chosen!r})")
    return (chosen, False) if chosen else (DEFAULT_CURRENCY, True)


def money(value: float, *, signed: bool = False, short: bool = False) -> str:
    """An amount with its currency: 'USD +961,354' (``short``: 'USD +961k')."""
    code, _default = currency()
    sign = "+" if signed else ""
    if short and abs(value) >= 1000:
        scaled, suffix = (value / 1e6, "m") if abs(value) >= 1e6 else (value / 1e3, "k")
        text = f"{scaled:{sign}.1f}{suffix}" if abs(scaled) < 10 else f"{scaled:{sign}.0f}{suffix}"
    else:
        text = f"{value:{sign},.0f}"
    return f"{code} {text.replace('-', '−')}"


def currency_note() -> str:
    code, default = currency()
    return f"Amounts in {code} (the default currency)." if default else f"Amounts in {code}."
