"""Plain-language sentences: numbers, significance, suppression, too-small and failed rows."""

from __future__ import annotations

import math

import pandas as pd

from analysis.pages.sentences import sentence, sentences

BASE = {"outcome": "skills.digital", "metric": "paired_change", "cohort": "C1", "role": "mentee",
        "group": {}, "n": 28, "estimate": 0.8214, "ci_low": 0.6312, "ci_high": 1.0198,
        "p_value": 1e-6, "p_adjusted": 4e-6, "effect_size": 1.6, "method": "paired t",
        "suppressed": False, "power_note": ""}


def test_headline_sentence() -> None:
    assert sentence(BASE) == ("Mentees' digital skills rose 0.82 points on a 5-point scale "
                              "(95% CI 0.63 to 1.02, n = 28), a large effect.")


def test_not_significant_says_so_and_adds_the_power_note() -> None:
    note = "With 8 people this comparison can only detect effects of d = 1.17 or larger."
    text = sentence({**BASE, "n": 8, "estimate": -0.1, "ci_low": -0.5, "ci_high": 0.3,
                     "p_value": 0.4, "p_adjusted": 0.9, "effect_size": -0.1,
                     "power_note": note})
    assert text.startswith("Mentees' digital skills fell 0.10 points")
    assert "95% CI −0.50 to 0.30" in text and "could be chance" in text and text.endswith(note)


def test_suppressed_and_failed_rows_show_no_number() -> None:
    hidden = sentence({**BASE, "n": math.nan, "estimate": math.nan, "suppressed": True,
                       "group": {"generation": "Gen Z"}})
    assert hidden.startswith("Gen Z (generation): Not shown for mentees")
    assert not any(ch.isdigit() for ch in hidden)
    failed = sentence({**BASE, "estimate": math.nan, "method": "hazard — an arm has no events"})
    assert "could not be estimated for mentees: an arm has no events" in failed


def test_every_metric_has_words() -> None:
    rows = pd.DataFrame([
        {**BASE, "metric": "did", "outcome": "inclusion", "role": "all", "n_treated": 34,
         "n_comparison": 631, "estimate": 0.44},
        {**BASE, "metric": "retention_diff_12m", "outcome": "retention", "estimate": 0.075,
         "ci_low": 0.026, "ci_high": 0.123},
        {**BASE, "metric": "roi", "outcome": "roi", "replacement_share_base": 0.5,
         "estimate": 215544.4, "ci_low": 21408.2, "ci_high": 409700.0, "programme_cost": 85000.0},
        {**BASE, "metric": "stalled_pairs", "outcome": "engagement", "estimate": 0.54, "n": 50,
         "count": 27},
        {**BASE, "metric": "logrank", "outcome": "retention", "estimate": math.nan},
    ])
    text = sentences(rows).tolist()
    assert "rose 0.44 points more" in text[0] and "34 participants, 631" in text[0]
    assert "7.5 percentage points higher" in text[1]
    assert "215,544 in the base scenario" in text[2]
    assert "ranging from USD 21,408 to USD 409,700" in text[2]  # the currency (default USD)
    assert text[3].startswith("54% of pairs (27 of 50) had stalled")
    assert "retention curves of mentees and the comparison group differ" in text[4]
