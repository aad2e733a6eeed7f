"""Return on investment of retention, always as a range."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

DEFAULT_REPLACEMENT_SHARES: Mapping[str, float] = {"low": 0.21, "base": 0.50, "high": 1.50}

ROI_COLUMNS = (
    "scenario",
    "replacement_share",
    "avoided_exits",
    "avoided_exits_low",
    "avoided_exits_high",
    "value",
    "value_low",
    "value_high",
    "programme_cost",
    "net",
    "net_low",
    "net_high",
    "roi",
    "roi_low",
    "roi_high",
)


def _num(value: float | None) -> float:
    return math.nan if value is None else float(value)


def roi_columns(
    *,
    retention_diff: float | None,
    retention_diff_ci_low: float | None,
    retention_diff_ci_high: float | None,
    participants: int,
    mean_salary: float,
    programme_cost: float | None,
    replacement_shares: Mapping[str, float] = DEFAULT_REPLACEMENT_SHARES,
) -> dict[str, Any]:
    """Avoided voluntary exits × replacement cost − programme cost, per scenario: the columns
    of :data:`ROI_COLUMNS`, each a list or array with one value per scenario (callers that
    build many rows read it without a frame per cell).

    * ``avoided_exits = retention_diff × participants`` (retention_diff = S₁(t) − S₀(t) as a
      proportion); ``_low`` / ``_high`` use the ends of its CI, so the range carries the
      statistical uncertainty of the retention difference.
    * ``value = avoided_exits × replacement_share × mean_salary`` — replacement cost as a share
      of annual salary: low 21% (Boushey & Glynn 2012, *There Are Significant Business Costs to
      Replacing Employees*, Center for American Progress — median for jobs under $75k), base 50%
      and high 150% (Gallup 2019, *This Fixable Problem Costs U.S. Businesses $1 Trillion*:
      one-half to two times salary).
    * ``net = value − programme_cost``; ``roi = net / programme_cost`` (NaN when the cost is
      0 or unknown; net is NaN when the cost is unknown).

    A negative retention difference gives negative avoided exits (more exits), kept as is.
    """
    if participants is None or participants < 0:
        raise ValueError("participants must be a non-negative count")
    if mean_salary is None or mean_salary < 0:
        raise ValueError("mean_salary must be non-negative")
    if programme_cost is not None and programme_cost < 0:
        raise ValueError("programme_cost must be non-negative")
    diff = _num(retention_diff)
    low, high = _num(retention_diff_ci_low), _num(retention_diff_ci_high)
    if low > high:
        raise ValueError("retention_diff_ci_low must not exceed retention_diff_ci_high")
    names = list(replacement_shares)
    shares = np.array([float(replacement_shares[s]) for s in names], dtype=float)
    if np.any(shares < 0):
        raise ValueError("replacement shares must be non-negative")
    cost = _num(programme_cost)
    exits = np.array([diff, low, high]) * participants  # point, low, high
    value = shares[:, None] * mean_salary * exits[None, :]  # scenario × (point, low, high)
    net = value - cost
    with np.errstate(divide="ignore", invalid="ignore"):  # cost 0/NaN handled just below
        roi = net / cost
    if not cost > 0:
        roi = np.full_like(net, np.nan)
    m = len(names)
    return {
        "scenario": names,
        "replacement_share": shares,
        "avoided_exits": np.repeat(exits[0], m),
        "avoided_exits_low": np.repeat(exits[1], m),
        "avoided_exits_high": np.repeat(exits[2], m),
        "value": value[:, 0],
        "value_low": value[:, 1],
        "value_high": value[:, 2],
        "programme_cost": np.repeat(cost, m),
        "net": net[:, 0],
        "net_low": net[:, 1],
        "net_high": net[:, 2],
        "roi": roi[:, 0],
        "roi_low": roi[:, 1],
        "roi_high": roi[:, 2],
    }


def roi_range(**inputs: Any) -> pd.DataFrame:
    """:func:`roi_columns` (the same keyword arguments) as a frame, one row per scenario."""
    return pd.DataFrame(roi_columns(**inputs), columns=list(ROI_COLUMNS))
