"""Multiple-comparison adjustment across a family of tests shown together."""

from __future__ import annotations

import numpy as np
from statsmodels.stats.multitest import multipletests

from analysis.stats._result import as_float_array

_METHODS = {"holm": "holm", "fdr_bh": "fdr_bh", "bh": "fdr_bh"}


def adjust_pvalues(p: object, *, method: str = "holm") -> np.ndarray:
    """Adjusted p-values, same length and order as ``p``.

    * ``"holm"``: Holm (1979, Scand. J. Stat. 6:65) step-down; controls the family-wise error.
      Sorted p₍ᵢ₎, m tests: ``p̃₍ᵢ₎ = max_{j≤i} min(1, (m − j + 1)·p₍ⱼ₎)``.
    * ``"fdr_bh"`` / ``"bh"``: Benjamini & Hochberg (1995, JRSS-B 57:289); controls the false
      discovery rate. ``p̃₍ᵢ₎ = min_{j≥i} min(1, m·p₍ⱼ₎ / j)``.

    NaN p-values (tests that could not be run) stay NaN and are not counted in m:
    ``statsmodels.stats.multitest.multipletests`` is called on the non-NaN values only.
    """
    key = _METHODS.get(str(method).lower())
    if key is None:
        raise ValueError(f"method must be one of {sorted(_METHODS)}, got {method!r}")
    values = as_float_array(p, "p")
    finite = ~np.isnan(values)
    if np.any((values[finite] < 0) | (values[finite] > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    out = np.full(values.shape, np.nan)
    if finite.any():
        out[finite] = multipletests(values[finite], method=key)[1]
    return out
