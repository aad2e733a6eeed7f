"""Distribution functions for the statistics, straight from :mod:`scipy.special`.

These are the special functions scipy.stats' t, normal, chi-square and F distributions call
(``t.sf(x, df) = stdtr(df, −x)``, ``t.ppf = stdtrit``, ``norm.sf(x) = ndtr(−x)``,
``norm.ppf = ndtri``, ``chi2.sf = chdtrc``, ``f.ppf = fdtri``), without importing scipy.stats
(about a second at every command's start). Anything else of scipy.stats is imported where used.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import numpy as np
from scipy import special


def t_sf(x: object, df: object) -> np.ndarray:
    return np.asarray(special.stdtr(df, -np.asarray(x, dtype=float)))


def t_ppf(q: object, df: object) -> np.ndarray:
    return np.asarray(special.stdtrit(df, q))


def norm_sf(x: object) -> np.ndarray:
    return np.asarray(special.ndtr(-np.asarray(x, dtype=float)))


def norm_ppf(q: object) -> np.ndarray:
    return np.asarray(special.ndtri(q))


def chi2_sf(x: object, df: object) -> np.ndarray:
    return np.asarray(special.chdtrc(df, x))


def f_ppf(q: object, dfn: object, dfd: object) -> np.ndarray:
    return np.asarray(special.fdtri(dfn, dfd, q))


def wilson(count: object, n: object, *, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion, as
    ``statsmodels.stats.proportion.proportion_confint(count, n, method="wilson")``:
    centre (p + z²/2n)/(1 + z²/n), half-width z·√(p(1−p)/n + z²/4n²)/(1 + z²/n)."""
    count, n = np.asarray(count, dtype=float), np.asarray(n, dtype=float)
    z = -special.ndtri((1 - confidence) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = count / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return centre - half, centre + half


def scipy_stats() -> ModuleType:
    """scipy.stats itself (the exact Wilcoxon, binomial, Spearman), imported on first use."""
    return importlib.import_module("scipy.stats")
