"""Metric registry: each metric turns the filter state into tidy result rows.

Every row has the columns in :data:`RESULT_COLUMNS` (DESIGN.md, "Command line"). The pipeline is
compute -> multiple-comparison adjustment -> privacy; nothing reaches a user without passing
through :func:`results`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis import data, privacy
from analysis.codebook import CONSTRUCTS, POST_ONLY_CONSTRUCTS
from analysis.filters import SLICE_DIMENSIONS, Filters
from analysis.stats.multiple import adjust_pvalues
from analysis.stats.paired import paired_change
from analysis.store import Store

RESULT_COLUMNS = [
    "outcome", "metric", "cohort", "cohort_name", "role", "group", "n", "estimate", "ci_low",
    "ci_high", "p_value", "p_adjusted", "effect_size", "method", "suppressed",
    "suppressed_reason",
]
ALL_COHORTS = "all"
NUMBER_COLUMNS = ["estimate", "ci_low", "ci_high", "p_value", "p_adjusted", "effect_size"]


@dataclass(frozen=True)
class Metric:
    name: str
    description: str
    compute: Callable[[Store, Filters, str | None], pd.DataFrame]
    tested: bool = True  # takes part in multiple-comparison adjustment
    # One row per counted person (privacy.UNIT_COLUMNS) over the whole database, so the privacy
    # layer can decide complementary suppression on complete breakdowns. None: primary rule only.
    units: Callable[[Store], pd.DataFrame] | None = None


def _role_groups(frame: pd.DataFrame, filters: Filters) -> list[tuple[str, pd.DataFrame]]:
    """Per role, plus 'all' participants together when no role filter is set."""
    roles = [filters.role] if filters.role else ["mentor", "mentee"]
    out = [(r, frame[frame["role"] == r]) for r in roles]
    if not filters.role:
        out.append(("all", frame))
    return out


def _groups(frame: pd.DataFrame, by: str | None) -> list[tuple[dict[str, Any], pd.DataFrame]]:
    if by is None or by == "role":
        return [({}, frame)]
    return [({by: key}, part) for key, part in frame.groupby(by, sort=True, dropna=True)]


def paired_change_rows(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    """Before/after on the same people, per cohort × construct × role (× slice)."""
    scores = data.paired_scores(store, filters)
    scores = scores[~scores["construct"].isin(POST_ONLY_CONSTRUCTS)]
    names = data.cohorts(store).set_index("cohort_id")["name"].to_dict()
    if filters.cohort is None and scores["cohort_id"].nunique() > 1:
        # Every cohort together, as well as each one.
        scores = pd.concat([scores, scores.assign(cohort_id=ALL_COHORTS)], ignore_index=True)
        names[ALL_COHORTS] = "All cohorts"
    rows = []
    for (cohort, construct), part in scores.groupby(["cohort_id", "construct"], sort=True):
        for role, role_part in _role_groups(part, filters):
            if by == "role" and role == "all":
                continue
            for group, cell in _groups(role_part, by):
                result = paired_change(cell["before"], cell["after"])
                result.insert(0, "outcome", construct)
                result.insert(1, "metric", "paired_change")
                result.insert(2, "cohort", cohort)
                result.insert(3, "cohort_name", names.get(cohort))
                result.insert(4, "role", role)
                result.insert(5, "group", [group])
                rows.append(result)
    return pd.concat(rows, ignore_index=True) if rows else empty_results()


def paired_change_units(store: Store) -> pd.DataFrame:
    """Completed pairs (before and after both answered): what a paired row's n counts."""
    scores = data.paired_scores(store, Filters())
    done = scores[scores["before"].notna() & scores["after"].notna()]
    return done.rename(columns={"cohort_id": "cohort", "construct": "outcome"}).assign(
        metric="paired_change")[privacy.UNIT_COLUMNS]


REGISTRY: dict[str, Metric] = {
    "paired_change": Metric(
        "paired_change",
        "Mean change after − before on the same people (paired t-test, Wilcoxon, d_z).",
        paired_change_rows,
        units=paired_change_units,
    ),
}


def empty_results() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_COLUMNS})


def compute(store: Store, filters: Filters, *, by: str | None = None,
            metrics: list[str] | None = None) -> pd.DataFrame:
    """Raw results of the chosen metrics (all by default), before privacy. Internal use."""
    if by is not None and by not in SLICE_DIMENSIONS:
        raise ValueError(f"--by must be one of {', '.join(SLICE_DIMENSIONS)}, not {by!r}")
    chosen = metrics or list(REGISTRY)
    frames = [REGISTRY[m].compute(store, filters, by) for m in chosen]
    frame = pd.concat([f for f in frames if not f.empty], ignore_index=True) if any(
        not f.empty for f in frames) else empty_results()
    return adjust_families(frame)


def adjust_families(frame: pd.DataFrame, *, method: str = "holm") -> pd.DataFrame:
    """Holm (or BH) within each family: one metric, cohort and role across outcomes and slices."""
    if frame.empty or "p_value" not in frame:
        return frame
    frame = frame.copy()
    frame["p_adjusted"] = np.nan
    keys = frame[["metric", "cohort", "role"]].astype(str).agg("|".join, axis=1)
    for _key, idx in frame.groupby(keys).groups.items():
        p_values = frame.loc[idx, "p_value"].to_numpy(dtype=float)
        frame.loc[idx, "p_adjusted"] = adjust_pvalues(p_values, method=method)
    return frame


def results(store: Store, filters: Filters, *, by: str | None = None,
            metrics: list[str] | None = None, min_group_size: int | None = None) -> pd.DataFrame:
    """What a user may see: computed, adjusted, then suppressed where groups are too small."""
    frame = compute(store, filters, by=by, metrics=metrics)
    providers = [REGISTRY[m].units for m in (metrics or list(REGISTRY))]
    units = [unit(store) for unit in providers if unit is not None]
    return privacy.suppress_results(
        frame, min_group_size=min_group_size, filters=filters,
        units=pd.concat(units, ignore_index=True) if units else None)


def _clean(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def to_json(frame: pd.DataFrame, filters: Filters, *, min_group_size: int) -> str:
    """The ``crossgen metrics --json`` object (DESIGN.md, "Command line")."""
    records = []
    for record in frame.to_dict("records"):
        clean = {str(k): _clean(v) for k, v in record.items()}
        for key in ("n", "n_treated", "n_comparison"):
            if isinstance(clean.get(key), float):
                clean[key] = int(clean[key])
        records.append(clean)
    payload = {"min_group_size": min_group_size, "filters": filters.as_dict(),
               "results": records}
    return json.dumps(payload, indent=2, ensure_ascii=False)


def construct_label(outcome: str) -> str:
    return CONSTRUCTS.get(outcome, outcome.replace("_", " ").capitalize())
