"""Minimum detectable effect for the paired comparison at the n at hand."""

from __future__ import annotations

import math
from functools import lru_cache

from scipy import optimize, special


def minimum_detectable_effect(n: int, *, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest standardised mean change (Cohen's d_z) a two-sided paired / one-sample t-test on
    ``n`` pairs detects with the given power (Cohen 1988, ch. 2): the d solving
    ``P(|T_{n−1}(δ = d·√n)| > t_{1−α/2, n−1}) = power`` with non-central t
    (the same equation as ``statsmodels.stats.power.TTestPower``, solved here by a bracketed root
    because ``solve_power`` returns arrays or a negative root for some n, e.g. 73). NaN for n < 3.
    """
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError("alpha and power must be between 0 and 1")
    if n is None or math.isnan(float(n)) or n < 3:
        return math.nan
    return _solve(int(n), float(alpha), float(power))


def _power(d: float, n: int, alpha: float) -> float:
    """Power of the two-sided one-sample t-test: P(|T'| > t_crit), T' ~ nct(n − 1, d·√n).

    scipy.special's distribution functions directly: the frozen-distribution machinery of
    ``scipy.stats.nct`` costs ~30× more per call, and the root finder calls this often."""
    df = n - 1
    critical = special.stdtrit(df, 1 - alpha / 2)
    shift = d * math.sqrt(n)
    upper = 1.0 - special.nctdtr(df, shift, critical)
    lower = special.nctdtr(df, shift, -critical)  # NaN where this tail underflows
    return float(upper + (0.0 if math.isnan(lower) else lower))


@lru_cache(maxsize=1024)
def _solve(n: int, alpha: float, power: float) -> float:
    """Root finding costs milliseconds and many rows share an n: solve each n once."""
    # Bracket from the normal approximation: scipy's nct turns NaN far beyond the root.
    high = (special.ndtri(1 - alpha / 2) + special.ndtri(power)) / math.sqrt(n)
    while _power(high, n, alpha) < power:  # power rises with d
        high *= 2
    return float(optimize.brentq(lambda d: _power(d, n, alpha) - power, 0.0, high, xtol=1e-12))


def power_note(n: int, *, alpha: float = 0.05, power: float = 0.8, moderate: float = 0.5) -> str:
    """Plain-language warning when the n at hand cannot reliably detect a moderate effect.

    Returns ``""`` when the minimum detectable effect is at most ``moderate``.
    """
    mde = minimum_detectable_effect(n, alpha=alpha, power=power)
    people = "person" if n == 1 else "people"
    if math.isnan(mde):
        return f"With {n} {people} this comparison cannot be tested; at least 3 are needed."
    if mde <= moderate:
        return ""
    return (
        f"With {n} {people} this comparison can only detect effects of d = {mde:.2f} or larger; "
        f"a moderate effect (d = {moderate:g}) could be missed."
    )
