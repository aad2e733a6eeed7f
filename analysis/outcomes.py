"""Programme-survey outcomes beyond the paired mean change: top-2-box, eNPS, programme
satisfaction (post only), and reliability (Cronbach's alpha) per construct × administration."""

from __future__ import annotations

import pandas as pd

from analysis import data
from analysis.codebook import POST_ONLY_CONSTRUCTS
from analysis.filters import Filters
from analysis.slicing import (
    ALL_COHORTS,
    cell_rows,
    cohort_names,
    concat,
    label,
    label_cells,
    role_groups,
    slices,
)
from analysis.stats.enps import enps_change
from analysis.stats.grouped import mean_ci_groups, top2box_change_groups
from analysis.stats.reliability import cronbach_alpha
from analysis.store import Store

TOP_BOX = 4  # "agree" or better on a 5-point scale
ENPS_SEED = 20240601


def programme_scores(store: Store, filters: Filters) -> pd.DataFrame:
    """:func:`analysis.data.paired_scores`, with every cohort together as cohort 'all' too."""
    scores = data.paired_scores(store, filters)
    if filters.cohort is None and scores["cohort_id"].nunique() > 1:
        scores = pd.concat([scores, scores.assign(cohort_id=ALL_COHORTS)], ignore_index=True)
    return scores


def _cells(scores: pd.DataFrame, filters: Filters, by: str | None):
    for (cohort, construct), part in scores.groupby(["cohort_id", "construct"], sort=True):
        for role, role_part in role_groups(part, filters, by):
            for group, cell in slices(role_part, by):
                yield cohort, construct, role, group, cell


def top2box_rows(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    """Share in the top two boxes (score ≥ 4) before and after, on 5-point constructs."""
    scales = data.construct_scales(store)
    five = set(scales.loc[(scales["scale_min"] == 1) & (scales["scale_max"] == 5), "construct"])
    scores = programme_scores(store, filters)
    scores = scores[scores["construct"].isin(five - set(POST_ONLY_CONSTRUCTS))]
    rows, keys, cells = cell_rows(scores, filters, by, within=["cohort_id", "construct"])
    result = top2box_change_groups(rows, keys, threshold=TOP_BOX, cells=cells)
    return label_cells(result, metric="top2box_change", names=cohort_names(store), by=by)


def enps_rows(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    """eNPS after − before among participants answering both (seeded bootstrap CI)."""
    scores = programme_scores(store, filters)
    scores = scores[scores["construct"] == "enps"]
    names = cohort_names(store)
    rows = [label(enps_change(cell["before"], cell["after"], seed=ENPS_SEED),
                  outcome="enps", metric="enps_change", cohort=cohort, names=names, role=role,
                  group=group)
            for cohort, _construct, role, group, cell in _cells(scores, filters, by)]
    return concat(rows)


def mean_rows(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    """Mean of the post-only constructs (programme satisfaction) with a t CI."""
    scores = programme_scores(store, filters)
    scores = scores[scores["construct"].isin(POST_ONLY_CONSTRUCTS)]
    rows, keys, cells = cell_rows(scores, filters, by, within=["cohort_id", "construct"])
    result = mean_ci_groups(rows, keys, value="after", cells=cells)
    return label_cells(result, metric="mean", names=cohort_names(store), by=by)


def _alpha(answers: pd.DataFrame) -> pd.DataFrame:
    # one answer per person × item (importers keep it so); unstack is then a plain reshape
    one = answers.drop_duplicates(["employee_id", "item_id"])
    wide = one.set_index(["employee_id", "item_id"])["value"].unstack()
    return cronbach_alpha(wide)


def cronbach_rows(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    """Cronbach's alpha per cohort × construct × programme administration (pre, post)."""
    answers = data.item_answers(store, filters, programme_only=True)
    items_per = answers.groupby("construct")["item_id"].nunique()
    answers = answers[answers["construct"].isin(items_per[items_per >= 2].index)]
    names = cohort_names(store)
    rows = []
    keys = ["cohort_id", "construct", "administration_id", "phase"]
    for (cohort, construct, admin, phase), part in answers.groupby(keys, sort=True):
        for role, role_part in role_groups(part, filters, by):
            for group, cell in slices(role_part, by):
                # "items", not "n_items": n_* columns count people for the privacy layer
                result = _alpha(cell).rename(columns={"n_items": "items"}).assign(
                    administration_id=admin, phase=phase)
                rows.append(label(result, outcome=construct, metric="cronbach_alpha",
                                  cohort=cohort, names=names, role=role, group=group))
    return concat(rows)


def reliability(store: Store, filters: Filters) -> pd.DataFrame:
    """Cronbach's alpha for every administration (pulse waves included) × multi-item construct,
    all respondents in view: administration_id, kind, cohort_id, phase, construct, then the
    alpha row (n, estimate, ci_low, ci_high, …, n_items, warning). For the Data page."""
    answers = data.item_answers(store, filters, programme_only=False)
    items_per = answers.groupby("construct")["item_id"].nunique()
    answers = answers[answers["construct"].isin(items_per[items_per >= 2].index)]
    rows = []
    keys = ["administration_id", "kind", "construct"]
    for (admin, kind, construct), part in answers.groupby(keys, sort=True):
        result = _alpha(part)
        result.insert(0, "administration_id", admin)
        result.insert(1, "kind", kind)
        result.insert(2, "cohort_id", part["cohort_id"].iloc[0])
        result.insert(3, "phase", part["phase"].iloc[0])
        result.insert(4, "construct", construct)
        rows.append(result)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
