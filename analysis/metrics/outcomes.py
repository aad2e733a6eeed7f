"""Participants' before/after outcomes beyond the paired mean change: top-2-box, eNPS,
programme satisfaction (post only), and reliability (Cronbach's alpha) per construct ×
administration.

Every cell is per source as well: the programme's own pre/post survey ('programme') and the
cohort's before and after org-wide pulse waves ('pulse', :mod:`analysis.store.waves`) for the
constructs the pulse measures; rows carry ``source``, ``administration_before`` and
``administration_after``."""

from __future__ import annotations

from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.cache import memo
from analysis.metrics import data, item_queries
from analysis.metrics.slicing import (
    ALL_COHORTS,
    cell_rows,
    cohort_names,
    concat,
    label_cells,
    role_groups,
    with_label,
)
from analysis.stats.enps import category, enps_change_record
from analysis.stats.grouped import (
    group_index,
    mean_ci_cells,
    reported_groups,
    top2box_change_arrays,
)
from analysis.stats.reliability import alpha_from_moments, cronbach_alpha_cells
from analysis.store.codebook import POST_ONLY_CONSTRUCTS
from analysis.store.db import Store
from analysis.store.filters import Filters

TOP_BOX = 4  # "agree" or better on a 5-point scale
ENPS_SEED = 20240601


def programme_scores(store: Store, filters: Filters, *, pooled: bool = True) -> pd.DataFrame:
    """:func:`analysis.metrics.data.coded_scores` of both sources, with every cohort together as
    cohort 'all' too (unless not ``pooled``)."""
    scores = data.coded_scores(store, filters, source=None)
    if pooled and filters.cohort is None and scores["cohort_id"].nunique() > 1:
        cohort, every = with_label(scores["cohort_id"], ALL_COHORTS)
        scores = pd.concat([scores.assign(cohort_id=cohort), scores.assign(cohort_id=every)],
                           ignore_index=True)
    return scores


@dataclass(frozen=True)
class ProgrammeCells:
    """The programme and pulse scores of a filter state stacked per role group
    (:func:`cell_rows` within cohort × construct × source), the cells to report (sorted by
    cohort, construct, source, role[, slice]; with the administrations each source compares)
    and each stacked row's cell: worked out once for the metrics of a view, each of which takes
    its constructs."""

    cells: pd.DataFrame
    cell: np.ndarray  # each stacked row's position in ``cells``, -1 for none
    before: np.ndarray
    after: np.ndarray

    def part(self, constructs: Collection[str], *, pairs: bool = True
             ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
        """The cells of ``constructs`` (in order), and the before, after and cell number of
        every stacked row in one of them with both answers (``pairs``) or an answer after."""
        wanted = self.cells["construct"].isin(list(constructs)).to_numpy()
        renumber = np.full(len(self.cells) + 1, -1)  # the last: rows in no cell
        renumber[np.flatnonzero(wanted)] = np.arange(int(wanted.sum()))
        cell = renumber[self.cell]
        rows = (cell >= 0) & ~np.isnan(self.after) & (~np.isnan(self.before) | (not pairs))
        return (self.cells[wanted].reset_index(drop=True), self.before[rows], self.after[rows],
                cell[rows])


def programme_cells(store: Store, filters: Filters, by: str | None, *,
                    pooled: bool = True) -> ProgrammeCells:
    """:class:`ProgrammeCells` of the filter state, kept for the few latest states."""
    def build() -> ProgrammeCells:
        scores = programme_scores(store, filters, pooled=pooled)
        stacked, keys, cells = cell_rows(scores, filters, by,
                                         within=["cohort_id", "construct", "source"])
        groups = reported_groups(stacked, keys, cells).reset_index(drop=True)
        return ProgrammeCells(with_administrations(store, groups),
                              group_index(stacked, groups, keys),
                              stacked["before"].to_numpy(dtype=float),
                              stacked["after"].to_numpy(dtype=float))
    return memo.kept_for_state(store, ("programme_cells", filters, by, pooled), build)


def with_administrations(store: Store, cells: pd.DataFrame) -> pd.DataFrame:
    """``cells`` (cohort_id, source, …) with the administrations each compares:
    ``administration_before`` and ``administration_after`` (null for every cohort together)."""
    named = data.score_administrations(store).set_index(["cohort_id", "source"])
    at = named.index.get_indexer(pd.MultiIndex.from_arrays(
        [np.asarray(cells["cohort_id"], dtype=object), np.asarray(cells["source"], dtype=object)]))
    out = cells.copy()
    for column in ("administration_before", "administration_after"):
        values = np.array([*named[column].to_numpy(dtype=object), None], dtype=object)
        out[column] = values[at]  # -1 (no such cohort and source): the None appended
    return out


def top2box_rows(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    """Share in the top two boxes (score ≥ 4) before and after, on 5-point constructs."""
    scales = item_queries.construct_scales(store)
    five = set(scales.loc[(scales["scale_min"] == 1) & (scales["scale_max"] == 5), "construct"])
    cells, before, after, cell = programme_cells(store, filters, by).part(
        five - set(POST_ONLY_CONSTRUCTS))
    result = cells.assign(**top2box_change_arrays(before, after, cell, len(cells),
                                                  threshold=TOP_BOX))
    return label_cells(result, metric="top2box_change", names=cohort_names(store), by=by)


def enps_rows(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    """eNPS after − before among participants answering both (seeded bootstrap CI), from the
    3×3 category tables of every cell, counted in one bincount."""
    cells, before, after, cell = programme_cells(store, filters, by).part(["enps"])
    if cells.empty:
        return concat([])
    for side, values in (("before", before), ("after", after)):
        if ((values < 0) | (values > 10)).any():
            raise ValueError(f"{side}: eNPS answers must be on the 0–10 scale")
    code = 3 * category(before) + category(after)
    tables = np.bincount(9 * cell + code, minlength=9 * len(cells)).reshape(-1, 9)
    results = pd.DataFrame(_enps_records(tables))
    if "n" in results:
        results = results.astype({"n": "int64"})
    return label_cells(pd.concat([cells, results], axis=1), metric="enps_change",
                       names=cohort_names(store), by=by)


def _enps_records(tables: np.ndarray) -> list[dict[str, object]]:
    """:func:`enps_change_record` of each 3×3 table (records: a one-row frame per cell costs
    milliseconds each). The bootstrap's multinomial draws release the GIL and each cell seeds
    its own generator, so two threads share the cells with the same results; a table seen
    before (the same cell in another view) is looked up, not drawn again."""
    def record(table: np.ndarray) -> dict[str, object]:
        key = (table.tobytes(),)
        found = _enps_seen.get(key)
        if found is None:
            found = enps_change_record(table, seed=ENPS_SEED)
            _enps_seen.put(key, found)
        return dict(found)

    tables = np.ascontiguousarray(tables, dtype=np.int64)
    if len(tables) < 4:
        return [record(table) for table in tables]
    with ThreadPoolExecutor(max_workers=2) as workers:
        return list(workers.map(record, tables))


# eNPS change records by their 3×3 table: a pure function of the counts (seeded bootstrap),
# about 5 ms each, and a dashboard's views repeat the same cells
_enps_seen: memo.Kept[dict[str, object]] = memo.Kept(50_000)


def mean_rows(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    """Mean of the post-only constructs (programme satisfaction) with a t CI."""
    cells, _, after, cell = programme_cells(store, filters, by).part(POST_ONLY_CONSTRUCTS,
                                                                      pairs=False)
    return label_cells(mean_ci_cells(cells, after, cell), metric="mean",
                       names=cohort_names(store), by=by)


def _multi_item(answers: pd.DataFrame) -> pd.DataFrame:
    items_per = answers.groupby("construct")["item_id"].nunique()
    return answers[answers["construct"].isin(items_per[items_per >= 2].index)]


def _labelled(cells: pd.DataFrame, results: pd.DataFrame, metric: str, store: Store,
              by: str | None) -> pd.DataFrame:
    """:func:`label` for many rows at once: ``cells`` (outcome, cohort_id, cell_role, the slice
    column) beside the stats ``results`` row by row."""
    names = cohort_names(store)
    sliced = by is not None and by != "role"
    result = results.reset_index(drop=True)
    result.insert(0, "outcome", cells["outcome"].to_numpy())
    result.insert(1, "metric", metric)
    result.insert(2, "cohort", cells["cohort_id"].to_numpy())
    result.insert(3, "cohort_name", cells["cohort_id"].map(names).to_numpy())
    result.insert(4, "role", cells["cell_role"].astype(str).to_numpy())
    groups = [{by: v} for v in cells[by]] if sliced else [{} for _ in range(len(cells))]
    result.insert(5, "group", groups)
    return result


def cronbach_rows(store: Store, filters: Filters, by: str | None) -> pd.DataFrame:
    """Cronbach's alpha per cohort × construct × administration × role group [× slice]: the
    programme's pre and post surveys (``source`` 'programme') and the cohort's before ('pre')
    and after ('post') pulse waves ('pulse', its participants' answers); every cell from
    moments aggregated in SQL (:func:`item_queries.alpha_moments`)."""
    roles = [role for role, _ in role_groups(pd.DataFrame({"role": []}), filters, by)]
    def of(source: str) -> pd.DataFrame:
        return item_queries.alpha_moments(store, filters, views=roles, by=by,
                                          source=source).assign(source=source)

    # one query per source, side by side (DuckDB releases the interpreter lock)
    with ThreadPoolExecutor(max_workers=len(data.SOURCES)) as pool:
        moments = pd.concat(list(pool.map(of, data.SOURCES)), ignore_index=True)
    if moments.empty:
        return concat([])
    keys = ["cohort_id", "construct", "source", "administration_id", "phase"]
    moments = moments.rename(columns={"view": "cell_role"})
    moments["cell_role"] = pd.Categorical(moments["cell_role"], categories=roles)
    sliced = by is not None and by != "role"
    if sliced:
        moments = moments.rename(columns={"slice": by})
        cell_keys = [*keys, "cell_role", by]
        cells = moments.sort_values(cell_keys, kind="stable").reset_index(drop=True)
    else:  # every role group of every administration is a row, even an empty one
        cell_keys = [*keys, "cell_role"]
        grid = moments[keys].drop_duplicates().merge(
            pd.DataFrame({"cell_role": pd.Categorical(roles, categories=roles)}), how="cross")
        cells = grid.merge(moments.drop(columns="slice"), on=cell_keys, how="left")
        cells = cells.fillna({"k": 0}).sort_values(cell_keys, kind="stable").reset_index(
            drop=True)
    results = alpha_from_moments(cells).rename(columns={"n_items": "items"}).assign(
        administration_id=cells["administration_id"], phase=cells["phase"],
        source=cells["source"])
    # "items", not "n_items": n_* columns count people for the privacy layer
    return _labelled(cells.rename(columns={"construct": "outcome"}), results, "cronbach_alpha",
                     store, by)


def reliability(store: Store, filters: Filters) -> pd.DataFrame:
    """Cronbach's alpha for every administration (pulse waves included) × multi-item construct,
    all respondents in view: administration_id, kind, cohort_id, phase, construct, then the
    alpha row (n, estimate, ci_low, ci_high, …, n_items, warning). For the Data page."""
    answers = _multi_item(item_queries.item_answers(store, filters, programme_only=False))
    if answers.empty:
        return pd.DataFrame()
    keys = ["administration_id", "kind", "construct"]
    cells = cronbach_alpha_cells(answers, keys)
    # one cohort and phase per administration
    admin = answers.drop_duplicates("administration_id").set_index("administration_id")
    cells.insert(2, "cohort_id", cells["administration_id"].map(admin["cohort_id"]).astype(object))
    cells.insert(3, "phase", cells["administration_id"].map(admin["phase"]).astype(object))
    return cells
