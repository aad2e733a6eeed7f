"""The grouped Wilcoxon signed-rank p equals scipy.stats.wilcoxon(d, zero_method="pratt") with
scipy's default method for every group size: exact for small groups with or without ties and
zero changes, the normal approximation above (issue 24)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.grouped import paired_change_groups


def _likert_groups(seed: int, groups: int) -> pd.DataFrame:
    """Random 5-point answers (many ties and zero changes) as construct scores (means of 1–4
    items: fractional ties too), in groups of n = 2 … 30; one group in five untied (normal
    noise), for scipy's exact branch."""
    rng = np.random.default_rng(seed)
    parts = []
    # scipy's sign-flip reference takes seconds per group at n = 12-13: a few groups there
    sizes = [n for n in range(2, 31) if n not in (12, 13)]
    for g in range(groups):
        n = int(rng.choice(sizes)) if g % 25 else 12 + g // 25 % 2
        items = int(rng.integers(1, 5))
        before = rng.integers(1, 6, size=(n, items))
        step = rng.integers(-1, 3, size=(n, items)) * (rng.random((n, items)) < 0.6)
        after = np.clip(before + step, 1, 5).mean(axis=1)
        if g % 5 == 0:
            after = before.mean(axis=1) + rng.normal(0.3, 1, size=n)
        parts.append(pd.DataFrame({"g": g, "before": before.mean(axis=1), "after": after}))
    return pd.concat(parts, ignore_index=True)


def test_wilcoxon_equals_scipy_default_on_random_likert_groups() -> None:
    frame = _likert_groups(1, 300)
    grouped = paired_change_groups(frame, ["g"]).set_index("g")
    checked = {"exact": 0, "flips": 0, "normal": 0}
    for key, part in frame.groupby("g"):
        d = (part["after"] - part["before"]).to_numpy()
        got = grouped.loc[key]
        if not np.any(d != 0):
            assert np.isnan(got["wilcoxon_p"])
            continue
        # reference: scipy.stats.wilcoxon(d, zero_method="pratt"), scipy's default method="auto"
        want = stats.wilcoxon(d, zero_method="pratt")
        assert got["wilcoxon_p"] == want.pvalue, (key, d)
        assert got["wilcoxon_stat"] == want.statistic, (key, d)
        tied = np.unique(np.abs(d)).size < d.size or np.any(d == 0)
        checked["normal" if (tied and d.size > 13) else "flips" if tied else "exact"] += 1
    # every branch of scipy's choice was met many times
    assert min(checked.values()) >= 20, checked


def test_wilcoxon_issue_example_and_zero_changes() -> None:
    frame = pd.DataFrame({"g": [0] * 5 + [1] * 6 + [2] * 3,
                          "before": [0.0] * 14,
                          "after": [1, 1, 2, 1, 1, 0, 0, 1, -1, 2, 2, 0.5, 1.5, 2.5]})
    grouped = paired_change_groups(frame, ["g"]).set_index("g")
    # the issue's example: reference scipy.stats.wilcoxon([1, 1, 2, 1, 1], zero_method="pratt")
    assert grouped.loc[0, "wilcoxon_p"] == 0.0625
    for key, part in frame.groupby("g"):
        # reference: scipy.stats.wilcoxon(d, zero_method="pratt")
        assert grouped.loc[key, "wilcoxon_p"] == stats.wilcoxon(
            part["after"].to_numpy(), zero_method="pratt").pvalue
