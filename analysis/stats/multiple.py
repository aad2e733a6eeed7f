"""Multiple-comparison adjustment across a family of tests shown together."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stats._result import as_float_array

_METHODS = {"holm": "holm", "fdr_bh": "fdr_bh", "bh": "fdr_bh"}


def adjust_pvalues(p: object, *, method: str = "holm") -> np.ndarray:
    """Adjusted p-values, same length and order as ``p``.

    * ``"holm"``: Holm (1979, Scand. J. Stat. 6:65) step-down; controls the family-wise error.
      Sorted p₍ᵢ₎, m tests: ``p̃₍ᵢ₎ = max_{j≤i} min(1, (m − j + 1)·p₍ⱼ₎)``.
    * ``"fdr_bh"`` / ``"bh"``: Benjamini & Hochberg (1995, JRSS-B 57:289); controls the false
      discovery rate. ``p̃₍ᵢ₎ = min_{j≥i} min(1, m·p₍ⱼ₎ / j)``.

    NaN p-values (tests that could not be run) stay NaN and are not counted in m, as
    ``statsmodels.stats.multitest.multipletests`` on the non-NaN values (the tests' reference).
    """
    values = as_float_array(p, "p")
    return adjust_pvalues_by_family(values, np.zeros(values.shape, dtype=int), method=method)


def adjust_pvalues_by_family(p: object, families: object, *, method: str = "holm") -> np.ndarray:
    """:func:`adjust_pvalues` within each family at once (same formulas, vectorised).

    ``families`` labels each p-value's family. Holm: within a family sorted ascending with rank
    r of m, ``cummax((m − r + 1)·p)``; BH: ``reverse-cummin(m·p / r)``; both capped at 1. NaN
    p-values stay NaN and are not counted in m. (statsmodels' ``multipletests`` runs a full
    garbage collection on every call, seconds over hundreds of families.)
    """
    key = _METHODS.get(str(method).lower())
    if key is None:
        raise ValueError(f"method must be one of {sorted(_METHODS)}, got {method!r}")
    values = as_float_array(p, "p")
    labels = np.asarray(families)
    if labels.dtype == object:  # mixed labels compare as text
        labels = pd.Series(labels).astype(str).to_numpy()
    if labels.shape != values.shape:
        raise ValueError("families must have one label per p-value")
    finite = ~np.isnan(values)
    if np.any((values[finite] < 0) | (values[finite] > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    frame = pd.DataFrame({"family": labels[finite], "p": values[finite],
                          "pos": np.flatnonzero(finite)}).sort_values(["family", "p"],
                                                                      kind="mergesort")
    grouped = frame.groupby("family", sort=False)
    rank = grouped.cumcount().to_numpy() + 1.0
    m = grouped["p"].transform("size").to_numpy(dtype=float)
    if key == "holm":
        frame["adj"] = (m - rank + 1) * frame["p"].to_numpy()
        adjusted = frame.groupby("family", sort=False)["adj"].cummax()
    else:
        frame["adj"] = m * frame["p"].to_numpy() / rank
        reverse = frame.iloc[::-1]
        adjusted = reverse.groupby("family", sort=False)["adj"].cummin()
    out = np.full(values.shape, np.nan)
    out[frame.loc[adjusted.index, "pos"].to_numpy()] = np.minimum(adjusted.to_numpy(), 1.0)
    return out
