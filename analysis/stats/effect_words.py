"""Words for effect sizes, for people who do not read Cohen's d."""

from __future__ import annotations

import math


def effect_size_label(d: float | None) -> str:
    """Cohen's (1988, *Statistical Power Analysis*, §2.2.3) benchmarks on ``|d|``:
    ``"negligible"`` < 0.2 ≤ ``"small"`` < 0.5 ≤ ``"moderate"`` < 0.8 ≤ ``"large"``.
    Missing or NaN d gives ``""``.
    """
    if d is None or math.isnan(d):
        return ""
    size = abs(d)
    if size < 0.2:
        return "negligible"
    if size < 0.5:
        return "small"
    if size < 0.8:
        return "moderate"
    return "large"
