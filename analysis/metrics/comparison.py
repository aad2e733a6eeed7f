"""Participants against non-participants on the pulse surveys: difference-in-differences.

Data: :func:`analysis.metrics.data.pulse_pairs` (people with a score in both the cohort's before
and after pulse waves, :mod:`analysis.store.waves`). The DiD itself is :func:`analysis.stats.did`.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from types import ModuleType

import numpy as np
import pandas as pd

from analysis.metrics import data, units
from analysis.metrics.moments import pulse_change_moments
from analysis.metrics.slicing import concat, label, label_cells, role_groups, slices
from analysis.privacy import rules as privacy
from analysis.privacy.complement import UNPUBLISHED
from analysis.privacy.decisions import suppress_results
from analysis.stats._groups import lookup
from analysis.stats.grouped import ARM_MOMENTS, did_from_moments
from analysis.store.db import Store
from analysis.store.filters import Filters

PROPENSITY_COVARIATES = ("generation", "department", "level", "tenure_years", "before")


def did_stats() -> ModuleType:
    """The regression DiD and propensity models, imported when first needed (statsmodels' GLM
    costs half a second; the default DiD comes from moments)."""
    return importlib.import_module("analysis.stats.did")


def _long(wide: pd.DataFrame) -> pd.DataFrame:
    """One row per person × period (post 0/1) from one row per person with before/after."""
    keep = ["employee_id", "treat", "weight"] if "weight" in wide else ["employee_id", "treat"]
    before = wide[keep].assign(y=wide["before"].to_numpy(), post=0)
    after = wide[keep].assign(y=wide["after"].to_numpy(), post=1)
    return pd.concat([before, after], ignore_index=True)


def _with_weights(wide: pd.DataFrame, covariates: Sequence[str]) -> pd.DataFrame:
    """ATT propensity weights on the people in view; missing covariates get their own level."""
    frame = wide.copy()
    for column in covariates:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].fillna("unknown")
    # covariates constant in view (a slice on one of them) cannot enter the model
    used = [c for c in covariates if frame[c].nunique(dropna=True) > 1]
    frame["weight"] = did_stats().propensity_weights(frame, treat="treat", covariates=used)
    return frame


def did_cell(wide: pd.DataFrame, *, weighted: bool = False,
             covariates: Sequence[str] = PROPENSITY_COVARIATES) -> pd.DataFrame:
    """DiD for one cell (one cohort, construct, treated role and slice) from wide rows
    (employee_id, treat, before, after[, covariates])."""
    if not weighted:
        return did_stats().difference_in_differences(_long(wide), outcome="y",
                                                     cluster="employee_id")
    frame = _with_weights(wide, covariates)
    if frame["weight"].isna().all():
        result = did_stats().difference_in_differences(_long(wide.iloc[:0]), outcome="y")
        result["n_treated"] = int(wide.loc[wide["treat"] == 1, "employee_id"].nunique())
        result["n_comparison"] = int(wide.loc[wide["treat"] == 0, "employee_id"].nunique())
        result["n"] = result["n_treated"] + result["n_comparison"]
        result["method"] = ("propensity-weighted difference-in-differences — the propensity "
                            "model could not be fitted (an arm is empty or perfectly separated)")
        return result
    result = did_stats().difference_in_differences(_long(frame), outcome="y", weights="weight")
    result["method"] = "propensity-weighted (ATT) " + result["method"]
    return result


def did_rows(store: Store, filters: Filters, by: str | None, *,
             weighted: bool = False) -> pd.DataFrame:
    """DiD per cohort × pulse construct × treated role (× slice); comparison arm always whole.

    Unweighted, from per-arm moments aggregated in SQL (:func:`did_from_moments`); weighted,
    per cell on the people (a propensity model per cell)."""
    if weighted:
        return _did_weighted_rows(store, filters, by)
    moments = pulse_change_moments(store, filters, by=by)
    sliced = by is not None and by != "role"
    place = ["cohort_id", "construct", *(["slice"] if sliced else [])]
    roles = [filters.role] if filters.role else ["mentor", "mentee"]
    if not filters.role and by != "role":
        roles.append("all")
    treated = moments[(moments["treat"] == 1) & moments["role"].isin(roles)]
    comparison = moments[moments["treat"] == 0]
    # cells: every role of each cohort × construct present in either arm; with a slice, the
    # values present in that role or in the comparison arm
    cells = pd.concat([treated[[*place, "role"]],
                       comparison[place].merge(pd.DataFrame({"role": roles}), how="cross")])
    if not sliced:
        cells = cells[place].drop_duplicates().merge(pd.DataFrame({"role": roles}), how="cross")
    cells = cells.drop_duplicates().reset_index(drop=True)
    arms = pd.DataFrame({
        **_arm(treated, cells, [*place, "role"], suffix="_t"),
        **_arm(comparison, cells, place, suffix="_c")})
    result = pd.concat([cells, did_from_moments(arms)], axis=1)
    if sliced:
        result = result.rename(columns={"slice": by})
    names = data.cohorts(store).set_index("cohort_id")["name"].to_dict()
    return label_cells(result, metric="did", names=names, by=by)


def _arm(moments: pd.DataFrame, cells: pd.DataFrame, keys: list[str], *,
         suffix: str) -> dict[str, np.ndarray]:
    """One arm's moments (:data:`ARM_MOMENTS`) for each cell, NaN where the arm has no row (as a
    left join; the arm has one row per key)."""
    where = lookup(moments, cells, keys)
    out = {}
    for column in ARM_MOMENTS:
        values = np.append(moments[column].to_numpy(dtype=float), np.nan)
        out[column + suffix] = values[where]  # -1: the NaN appended last
    return out


def _did_weighted_rows(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    frame = data.pulse_pairs(store, filters)
    names = data.cohorts(store).set_index("cohort_id")["name"].to_dict()
    rows = []
    for (cohort, construct), part in frame.groupby(["cohort_id", "construct"], sort=True):
        comparison = part[part["treat"] == 0]
        for role, treated in role_groups(part[part["treat"] == 1], filters, by):
            cell_frame = pd.concat([treated, comparison], ignore_index=True)
            for group, cell in slices(cell_frame, by):
                result = did_cell(cell, weighted=True)
                rows.append(label(result, outcome=construct, metric="did_weighted",
                                  cohort=cohort, names=names, role=role, group=group))
    return concat(rows)


def did_weighted_rows(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    return did_rows(store, filters, by, weighted=True)


def did_balance(store: Store, filters: Filters, *, cohort: str, construct: str,
                covariates: Sequence[str] = PROPENSITY_COVARIATES,
                min_group_size: int | None = None) -> pd.DataFrame:
    """Covariate balance (standardised mean differences) of the participants against the
    comparison group before and after propensity weighting, for one cohort and construct.

    Columns: covariate, smd_unweighted, smd_weighted, mean_treated, mean_comparison,
    suppressed, suppressed_reason, plus n_treated and n_comparison. Shown only when the ``did``
    row of the same group (cohort, construct, role in view, no slice) is shown: both arms'
    complementary-suppression decisions (:func:`analysis.metrics.units.did_arms`); else empty, with
    the reason in ``attrs["empty_reason"]``. A level of a categorical covariate is a share of each
    arm (share × n counts people), so it is the did row broken down by that covariate: its
    numbers are shown only when that row (cohort, role, filters and the level) is shown — the
    same decision for both arms, the breakdown's complementary suppression included."""
    k = privacy.resolve_min_group_size(min_group_size)
    frame = data.pulse_pairs(store, filters)
    part = frame[(frame["cohort_id"] == cohort) & (frame["construct"] == construct)]
    sizes = {"n_treated": int((part["treat"] == 1).sum()),
             "n_comparison": int((part["treat"] == 0).sum())}
    row = pd.DataFrame([{"metric": "did", "outcome": construct, "cohort": cohort,
                         "role": filters.role or "all", "group": {}, **sizes}])
    did_units = units.did_units(store)
    decided = suppress_results(row, min_group_size=k, units=did_units,
                                       filters=filters, arms=units.did_arms)
    if bool(decided["suppressed"].iloc[0]):
        empty = pd.DataFrame(columns=[*BALANCE_COLUMNS, *sizes])
        empty.attrs["empty_reason"] = str(decided["suppressed_reason"].iloc[0])
        return empty
    weighted = _with_weights(part, covariates)
    used = [c for c in covariates if weighted[c].nunique(dropna=True) > 1]
    table = did_stats().balance_table(weighted, treat="treat", covariates=used,
                                      weights=None if weighted["weight"].isna().all() else "weight")
    levels = _level_rows(part, table, used, construct=construct, cohort=cohort,
                         role=filters.role or "all")
    checked = suppress_results(levels, min_group_size=k, units=did_units,
                                       filters=filters, arms=units.did_arms,
                                       number_columns=list(sizes))
    hidden = pd.Series(False, index=table.index)
    reasons = pd.Series(None, index=table.index, dtype=object)
    at = checked["at"].to_numpy(dtype=int)
    hidden.iloc[at] = checked["suppressed"].to_numpy(dtype=bool)
    reasons.iloc[at] = checked["suppressed_reason"].to_numpy()
    numeric = ~table["covariate"].isin(levels["covariate"])
    incomplete = len(part) - len(weighted.dropna(subset=used))
    if 0 < incomplete < k:  # means over the arms less 1–4 people would describe them
        hidden |= numeric
        reasons = reasons.where(~numeric, privacy.REASON_FILTER)
    out = table.assign(suppressed=hidden.to_numpy(), suppressed_reason=reasons.where(hidden))
    numbers = ["smd_unweighted", "smd_weighted", "mean_treated", "mean_comparison"]
    out[numbers] = out[numbers].astype(float).where(~hidden, axis=0)
    return out.assign(**sizes)[[*BALANCE_COLUMNS, *sizes]]


BALANCE_COLUMNS = ["covariate", "smd_unweighted", "smd_weighted", "mean_treated",
                   "mean_comparison", "suppressed", "suppressed_reason"]


def _level_rows(part: pd.DataFrame, table: pd.DataFrame, used: Sequence[str], *,
                construct: str, cohort: str, role: str) -> pd.DataFrame:
    """One ``did`` row broken down by each categorical covariate level of ``table`` (``at``:
    its position there): the people of each arm with that level, counted on ``part`` (a level
    of people with no value, "unknown", is the breakdown's unrecorded group: hidden)."""
    categorical = [c for c in used if not pd.api.types.is_numeric_dtype(part[c])]
    names = table["covariate"].astype(str)
    split = names.str.split("=", n=1, expand=True).reindex(columns=[0, 1])
    rows = table.assign(at=range(len(table)), dim=split[0], level=split[1])
    rows = rows[rows["dim"].isin(categorical) & rows["level"].notna()]
    counted = []
    for dim in categorical:  # a handful of covariates, not data rows
        counts = part.groupby([part[dim].astype(object).fillna("unknown"), "treat"]).size()
        counts = counts.unstack("treat").reindex(columns=[1, 0]).fillna(0)
        counted.append(counts.set_axis(["n_treated", "n_comparison"], axis=1).rename_axis(
            "level").reset_index().assign(dim=dim))
    if not counted:
        return pd.DataFrame(columns=["metric", "outcome", "cohort", "role", "group",
                                     "n_treated", "n_comparison", "at", "covariate"])
    rows = rows.merge(pd.concat(counted, ignore_index=True), on=["dim", "level"], how="left")
    group = [{d: UNPUBLISHED if v == "unknown" else v}
             for d, v in zip(rows["dim"], rows["level"], strict=True)]
    return pd.DataFrame({"metric": "did", "outcome": construct, "cohort": cohort, "role": role,
                         "group": group, "n_treated": rows["n_treated"].to_numpy(),
                         "n_comparison": rows["n_comparison"].to_numpy(),
                         "at": rows["at"].to_numpy(), "covariate": rows["covariate"].to_numpy()})
