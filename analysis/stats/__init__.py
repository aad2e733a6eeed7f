"""Pure statistics for crossgen: arrays/DataFrames in, tidy DataFrames out (no I/O).

Every estimate row starts with ``n, estimate, ci_low, ci_high, p_value, p_adjusted,
effect_size, method`` (see :mod:`analysis.stats._result`); formulas and references are in the
docstrings and in ``docs/methods.md``.
"""

from importlib import import_module
from typing import Any

from analysis.stats._result import COMMON_COLUMNS, result_row
from analysis.stats.cox import cox_hazard_ratio
from analysis.stats.effect_words import effect_size_label
from analysis.stats.enps import enps, enps_change
from analysis.stats.multiple import adjust_pvalues
from analysis.stats.paired import paired_change, top2box_change
from analysis.stats.power import minimum_detectable_effect, power_note
from analysis.stats.reliability import cronbach_alpha
from analysis.stats.roi import roi_range
from analysis.stats.survival import kaplan_meier, logrank, survival_at, survival_difference_at

# Loaded on first use: statsmodels' GLM behind the regression DiD costs half a second to
# import, and most commands take the DiD from moments.
_LAZY = {"balance_table": "did", "difference_in_differences": "did",
         "propensity_weights": "did"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'analysis.stats' has no attribute {name!r}")
    return getattr(import_module(f"analysis.stats.{_LAZY[name]}"), name)


__all__ = [
    "COMMON_COLUMNS",
    "adjust_pvalues",
    "balance_table",
    "cox_hazard_ratio",
    "cronbach_alpha",
    "difference_in_differences",
    "effect_size_label",
    "enps",
    "enps_change",
    "kaplan_meier",
    "logrank",
    "minimum_detectable_effect",
    "paired_change",
    "power_note",
    "propensity_weights",
    "result_row",
    "roi_range",
    "survival_at",
    "survival_difference_at",
    "top2box_change",
]
