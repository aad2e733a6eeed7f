"""Metric registry: each metric turns the filter state into tidy result rows.

Every row has the columns in :data:`analysis.metrics.slicing.RESULT_COLUMNS` (DESIGN.md, "Command
line"). The pipeline is compute -> multiple-comparison adjustment -> privacy; nothing reaches a
user without passing through :func:`results`.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.metrics import (
    comparison,
    data,
    engagement,
    item_queries,
    moments,
    outcomes,
    retention,
    slicing,
    units,
    warm_frames,
)
from analysis.privacy import canon
from analysis.privacy import rules as privacy
from analysis.privacy.decisions import suppress_results
from analysis.stats._groups import group_ids
from analysis.stats.grouped import paired_change_arrays
from analysis.stats.multiple import adjust_pvalues_by_family
from analysis.stats.power import minimum_detectable_effect, power_note
from analysis.store.codebook import CONSTRUCTS, POST_ONLY_CONSTRUCTS
from analysis.store.db import Store
from analysis.store.filters import SLICE_DIMENSIONS, Filters

ADJUST_METHODS = ("holm", "bh")
ALL_COHORTS = slicing.ALL_COHORTS  # every cohort together
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
    # The groups behind a row when not its own metric and outcome (privacy.Arm: two arms,
    # pairs by member, families shared by several metrics).
    arms: privacy.Arms | None = None
    # In every run unless asked for by name: optional analyses (DESIGN.md) too slow for
    # every filter change at enterprise scale.
    default: bool = True
    # ``compute`` takes ``only=`` (the wanted metrics among those it computes together) and
    # skips the rest: the overview's retention card needs no Cox fit per cell.
    selective: bool = False
    # ``compute`` takes ``pooled=False``: no every-cohorts-together rows (the overview's cohort
    # trend reads each cohort's rows only; they are the same rows either way).
    poolable: bool = False


def paired_change_rows(store: Store, filters: Filters, by: str | None, *,
                       pooled: bool = True) -> pd.DataFrame:
    """Before/after on the same people, per cohort × construct × role (× slice), with the
    minimum detectable effect (``mde``, d_z at 80% power) and a plain ``power_note``; without
    a cohort filter also every cohort together (cohort 'all') unless not ``pooled``."""
    every = outcomes.programme_cells(store, filters, by, pooled=pooled)
    constructs = set(every.cells["construct"].astype(str)) - set(POST_ONLY_CONSTRUCTS)
    cells, before, after, cell = every.part(constructs)
    result = cells.assign(**paired_change_arrays(before, after, cell, len(cells)))
    by_n = {n: (minimum_detectable_effect(n), power_note(n)) for n in result["n"].unique()}
    result["mde"] = result["n"].map(lambda n: by_n[n][0]).astype(float)
    result["power_note"] = result["n"].map(lambda n: by_n[n][1])
    return slicing.label_cells(result, metric="paired_change", names=slicing.cohort_names(store),
                               by=by)


PULSE_FAMILY = "|pulse"  # suffix of a pulse-scored outcome's unit family


def _by_source(done: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Counted people (score rows of :func:`data.paired_scores`) as units, each source its own
    family: a pulse row's outcome is the construct + :data:`PULSE_FAMILY`."""
    pulse = (done["source"] == "pulse").to_numpy()
    outcome = np.array(done["construct"].astype(str), dtype=object)  # a copy: written below
    outcome[pulse] = outcome[pulse] + PULSE_FAMILY
    people = done.rename(columns={"cohort_id": "cohort"}).assign(
        outcome=outcome, metric=metric)[privacy.UNIT_COLUMNS]
    # counted per cell (the privacy tables count people per cell, weighted by ``people``): a
    # row per person was 0.6M rows at 200,000 employees for every table to select from
    group, first = group_ids(people, privacy.UNIT_COLUMNS)
    counted = people.iloc[first].reset_index(drop=True)
    counted[privacy.WEIGHT] = np.bincount(group, minlength=len(first)).astype(float)
    return counted


def source_arms(row: Any, _sliced: bool) -> list[privacy.Arm] | None:
    """A pulse-scored row is decided on its source's family (:func:`_by_source`); a programme
    row on its own metric and outcome."""
    if row.get("source") != "pulse":
        return None
    return [privacy.Arm(str(row["metric"]), f"{row['outcome']}{PULSE_FAMILY}")]


def paired_change_units(store: Store) -> pd.DataFrame:
    """Completed pairs (before and after both answered): what a paired row's n counts."""
    scores = data.paired_scores(store, Filters(), source=None)
    done = scores[scores["before"].notna() & scores["after"].notna()]
    return _by_source(done[~done["construct"].isin(POST_ONLY_CONSTRUCTS)], "paired_change")


def _units_like(metric: str, keep: Callable[[Store, pd.DataFrame], pd.Series],
                *, post_only: bool = False) -> Callable[[Store], pd.DataFrame]:
    """Units of a programme-survey metric whose n counts people (complete pairs, or answers
    after the programme for post-only constructs), for complementary suppression."""
    def units(store: Store) -> pd.DataFrame:
        scores = data.paired_scores(store, Filters(), source=None)
        answered = scores["after"].notna() & (post_only or scores["before"].notna())
        return _by_source(scores[answered & keep(store, scores)], metric)
    return units


def _five_point(store: Store, scores: pd.DataFrame) -> pd.Series:
    scales = item_queries.construct_scales(store)
    five = scales.loc[(scales["scale_min"] == 1) & (scales["scale_max"] == 5), "construct"]
    return scores["construct"].isin(set(five) - set(POST_ONLY_CONSTRUCTS))


def _metric(name: str, description: str,
            compute: Callable[[Store, Filters, str | None], pd.DataFrame],
            units: Callable[[Store], pd.DataFrame] | None = None, *,
            arms: privacy.Arms | None = None, default: bool = True,
            selective: bool = False, poolable: bool = False) -> Metric:
    return Metric(name, description, compute, units=units, arms=arms, default=default,
                  selective=selective, poolable=poolable)


REGISTRY: dict[str, Metric] = {m.name: m for m in [
    _metric("paired_change",
            "Mean change after − before on the same people (paired t-test, Wilcoxon, d_z).",
            paired_change_rows, units=paired_change_units, arms=source_arms, poolable=True),
    _metric("top2box_change", "Change in the share scoring 4 or 5 (McNemar).",
            outcomes.top2box_rows, _units_like("top2box_change", _five_point),
            arms=source_arms),
    _metric("enps_change", "eNPS after − before among people answering both (bootstrap CI).",
            outcomes.enps_rows,
            _units_like("enps_change", lambda _s, f: f["construct"] == "enps"),
            arms=source_arms),
    _metric("mean", "Programme satisfaction after the programme (mean, t CI).",
            outcomes.mean_rows,
            _units_like("mean", lambda _s, f: f["construct"].isin(POST_ONLY_CONSTRUCTS),
                        post_only=True), arms=source_arms),
    _metric("did", "Difference-in-differences against non-participants on the pulse surveys.",
            comparison.did_rows, units.did_units, arms=units.did_arms),
    _metric("did_weighted", "Propensity-weighted difference-in-differences (on request: "
            "a propensity model per cell).", comparison.did_weighted_rows, units.did_units,
            arms=units.did_arms, default=False),
    *[_metric(name, description, engagement.engagement_rows, units.engagement_units,
              arms=units.engagement_arms)
      for name, description in [
        ("sessions_held", "Held sessions per pair (pairs with none count as 0)."),
        ("minutes_per_pair", "Minutes of held sessions per pair."),
        ("median_sessions_per_pair", "Median held sessions per pair."),
        ("cadence_days", "Median days between held sessions."),
        ("cancellation_rate", "Share of scheduled sessions cancelled or missed."),
        ("share_pairs_3plus", "Share of pairs with at least 3 held sessions."),
        ("stalled_pairs", "Share of pairs with no held session in 45 days."),
    ]],
    *[_metric(name, description, retention.retention_rows, units.retention_units,
              arms=units.retention_arms, selective=True) for name, description in [
        ("retention_12m", "Kaplan–Meier 12-month retention per arm."),
        ("retention_diff_12m", "12-month retention, participants − comparison."),
        ("logrank", "Log-rank test of the retention curves."),
        ("cox_hr", "Cox hazard ratio of a voluntary exit, participants vs comparison."),
    ]],
    _metric("roi", "Avoided exits × replacement cost − programme cost, low/base/high.",
            retention.roi_rows, units.retention_units, arms=units.retention_arms),
    _metric("dose_response", "Held sessions against skill gain (slope, Spearman).",
            engagement.dose_response_rows, units.dose_units, arms=units.dose_arms),
    _metric("cronbach_alpha", "Reliability per construct and administration.",
            outcomes.cronbach_rows, units.cronbach_units, arms=units.cronbach_arms),
]}
DEFAULT_METRICS = [name for name, metric in REGISTRY.items() if metric.default]


def compute(store: Store, filters: Filters, *, by: str | None = None,
            metrics: list[str] | None = None, adjust: str = "holm",
            pooled: bool = True) -> pd.DataFrame:
    """Raw results of the chosen metrics (:data:`DEFAULT_METRICS` when none are named), before
    privacy. Internal use.

    Metrics computed together (retention, engagement) share one call. ``pooled=False``: no
    every-cohorts-together rows from the metrics that can skip them (:attr:`Metric.poolable`;
    the chosen metrics must all be such); each cohort's rows are the same."""
    if by is not None and by not in SLICE_DIMENSIONS:
        raise ValueError(f"--by must be one of {', '.join(SLICE_DIMENSIONS)}, not {by!r}")
    if adjust not in ADJUST_METHODS:
        raise ValueError(f"--adjust must be one of {', '.join(ADJUST_METHODS)}, not {adjust!r}")
    chosen = metrics or DEFAULT_METRICS
    unknown = [m for m in chosen if m not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown metric(s) {', '.join(unknown)}; known: {', '.join(REGISTRY)}")
    if not pooled and not all(REGISTRY[m].poolable for m in chosen):
        raise ValueError("pooled=False: only for metrics that can skip pooled rows")
    frames = []
    for function in dict.fromkeys(REGISTRY[m].compute for m in chosen):
        wanted = [m for m in chosen if REGISTRY[m].compute is function]
        options: dict[str, Any] = {"only": wanted} if REGISTRY[wanted[0]].selective else {}
        if not pooled:
            options["pooled"] = False
        frames.append(function(store, filters, by, **options))
    frame = slicing.concat(frames)
    for column in ("source", "administration_before", "administration_after"):
        if column in frame:  # NaN where a metric has none, as text columns hold it in either
            # text mode (concat leaves NaN or None); JSON writes null
            frame[column] = frame[column].astype(object).where(frame[column].notna(), np.nan)
    frame = frame[frame["metric"].isin(chosen)]
    order = {m: i for i, m in enumerate(chosen)}
    frame = frame.sort_values("metric", key=lambda m: m.map(order), kind="stable")
    return adjust_families(frame.reset_index(drop=True), method=adjust)


def adjust_families(frame: pd.DataFrame, *, method: str = "holm") -> pd.DataFrame:
    """Holm (or BH) within each family of tests shown together: one metric, cohort, role and
    source (programme survey or pulse: different people and instruments), across outcomes and
    slices. Raw ``p_value`` is kept beside ``p_adjusted``."""
    if frame.empty or "p_value" not in frame:
        return frame
    frame = frame.copy()
    keys = ["metric", "cohort", "role", *(["source"] if "source" in frame else [])]
    family = group_ids(frame, keys)[0]
    frame["p_adjusted"] = adjust_pvalues_by_family(frame["p_value"].to_numpy(dtype=float),
                                                   family, method=method)
    frame["adjustment"] = "Holm" if method == "holm" else "Benjamini–Hochberg"
    return frame


def results(store: Store, filters: Filters, *, by: str | None = None,
            metrics: list[str] | None = None, min_group_size: int | None = None,
            adjust: str = "holm", units_for: list[str] | None = None,
            pooled: bool = True) -> pd.DataFrame:
    """What a user may see: computed, adjusted (``adjust``: "holm" or "bh"), then suppressed
    where groups are too small.

    ``units_for``: the metrics whose counted people are loaded for the privacy tables (default:
    the chosen ones). A metric's rows are decided on its own families alone, so this changes no
    decision; the dashboard passes every metric so all its views share one set of tables.
    ``pooled``: see :func:`compute`."""
    k = privacy.resolve_min_group_size(min_group_size)
    # The privacy tables depend on the data alone: built beside the metrics (DuckDB and numpy
    # release the GIL, so a second core does one while the first does the other).
    with ThreadPoolExecutor(max_workers=1) as worker:
        prepared = worker.submit(_prepare, store, units_for or metrics or DEFAULT_METRICS, k)
        frame = compute(store, filters, by=by, metrics=metrics, adjust=adjust, pooled=pooled)
        units = prepared.result()
    return suppress_results(frame, min_group_size=k, filters=filters, units=units,
                                    arms=_arms)


def _prepare(store: Store, names: list[str], k: int) -> pd.DataFrame | None:
    """The units of the named metrics, with their one-way canonical tables built."""
    units = _units(store, names)
    if units is not None:
        canon.warm(units, min_group_size=k, two_way=False)
    return units


def _arms(row: Any, sliced: bool) -> list[privacy.Arm] | None:
    metric = REGISTRY.get(str(row["metric"]))
    return metric.arms(row, sliced) if metric is not None and metric.arms else None


_units_cache: dict[tuple[object, ...], pd.DataFrame | None] = {}


def _build_units(store: Store, functions: tuple[Callable[[Store], pd.DataFrame], ...]
                 ) -> pd.DataFrame | None:
    frames = [unit(store) for unit in functions]
    return pd.concat(frames, ignore_index=True) if frames else None


def _units(store: Store, names: list[str]) -> pd.DataFrame | None:
    """The counted people behind the named metrics over the whole database. They do not depend
    on the filters, so they are kept per database file and import state (a dashboard filter
    change would otherwise rebuild them); several metrics share one units function
    (engagement, retention), built once."""
    functions = tuple(dict.fromkeys(
        unit for unit in (REGISTRY[m].units for m in names if m in REGISTRY) if unit is not None))
    if not functions:
        return None
    version = store.data_version()
    if version is None:  # an in-memory or vanished file: nothing to key on, do not cache
        return _build_units(store, functions)
    key = (*version, functions)
    kept = _units_cache.get(key)  # one lookup: another request thread may clear the dict
    if kept is None:
        kept = _build_units(store, functions)
        if len(_units_cache) > 8:
            _units_cache.clear()
        _units_cache[key] = kept
    return kept


def shared_units(store: Store) -> pd.DataFrame | None:
    """The counted people of every metric, kept: the privacy tables every dashboard view shares
    (a row is decided on its own metric's families alone, so the wider set changes nothing)."""
    return _units(store, list(REGISTRY))


_ON_USE = ("scipy.stats", "statsmodels.regression.linear_model", "statsmodels.tools.tools",
           "statsmodels.duration.hazard_regression", "statsmodels.stats.contingency_tables")


def import_statistics_modules() -> None:
    """Import the statistics libraries the metrics load on first use (scipy.stats alone takes
    1–2 s): a server does it in its warm-up; a one-off command, in a thread while its first
    queries run in DuckDB (which releases the interpreter lock)."""
    for module in _ON_USE:
        importlib.import_module(module)


def warm(store: Store, *, min_group_size: int | None = None) -> None:
    """Build the whole-data frames and every canonical privacy table of this database now (the
    dashboard does this in the background when it opens a file, so the first views need not
    wait for them)."""
    import_statistics_modules()  # imported where used; a server does it now, not in a request
    warm_frames.warm(store)
    moments.warm(store)
    units = shared_units(store)
    if units is not None:
        canon.warm(units, min_group_size=min_group_size)


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
    counts = {"n", "n_treated", "n_comparison"}
    columns = [_json_values(frame[name], whole=name in counts) for name in frame.columns]
    keys = [str(name) for name in frame.columns]
    records = [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]
    payload = {"min_group_size": min_group_size, "filters": filters.as_dict(),
               "results": records}
    # compact: the indenting encoder is pure Python and costs seconds at enterprise scale
    return json.dumps(payload, ensure_ascii=False)


def _json_values(column: pd.Series, *, whole: bool) -> list[Any]:
    """A column as JSON-ready Python values, converted a column at a time (a value at a time
    cost a second for the 200,000-employee results): non-finite numbers None, counts
    (``whole``) int."""
    numpy = isinstance(column.dtype, np.dtype)  # not nullable or Arrow-backed: those via objects
    if numpy and column.dtype.kind == "f":
        values = column.to_numpy()
        out: list[Any] = values.tolist()
        for i in np.flatnonzero(~np.isfinite(values)).tolist():
            out[i] = None
        return [int(v) if v is not None else None for v in out] if whole else out
    if numpy and column.dtype.kind in "iub":
        return column.to_numpy().tolist()
    out = [_clean(v) for v in column.to_numpy(dtype=object, na_value=None)]
    return [int(v) if whole and isinstance(v, float) else v for v in out]


def construct_label(outcome: str) -> str:
    return CONSTRUCTS.get(outcome, outcome.replace("_", " ").capitalize())
