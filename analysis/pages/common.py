"""Helpers shared by the page bundles: metric availability, row selection, words."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.cache import memo
from analysis.metrics import data
from analysis.metrics import registry as metrics
from analysis.metrics.slicing import empty_results
from analysis.privacy import rules as privacy
from analysis.report import labels
from analysis.stats.effect_words import effect_size_label
from analysis.store.db import Store
from analysis.store.filters import Filters

ALPHA = 0.05


def available(name: str) -> bool:
    """Whether the metric registry provides ``name`` in this build."""
    return name in metrics.REGISTRY


def results(store: Store, filters: Filters, names: list[str], *, by: str | None = None,
            min_group_size: int | None = None, along: Sequence[str] = (),
            pooled: bool = True) -> pd.DataFrame:
    """Privacy-checked results of the metrics in ``names`` that exist (empty frame otherwise).

    ``along``: the other metrics the same view asks for in its next requests, computed in the
    same pass when not kept yet (one adjustment and privacy pass instead of one per request).
    ``pooled=False``: each cohort's rows without the every-cohorts-together ones
    (:func:`analysis.metrics.registry.compute`); kept apart from the pooled results."""
    chosen = [n for n in names if available(n)]
    if not chosen:
        return empty_results()
    return cached_results(store, filters, tuple(chosen), by,
                          privacy.resolve_min_group_size(min_group_size),
                          along=tuple(n for n in along if available(n)), pooled=pooled)


def empty(columns: list[str], reason: str) -> pd.DataFrame:
    """A frame with no rows that says why (``attrs["empty_reason"]``, shown by the charts)."""
    frame = pd.DataFrame(columns=columns)
    frame.attrs["empty_reason"] = reason
    return frame


def cohort_in_view(frame: pd.DataFrame, filters: Filters) -> str | None:
    """The filtered cohort, else the all-cohorts rows when present, else the only cohort."""
    if filters.cohort:
        return filters.cohort
    if frame.empty:
        return None
    if (frame["cohort"] == metrics.ALL_COHORTS).any():
        return metrics.ALL_COHORTS
    return str(frame["cohort"].iloc[0])


def scope_sentence(store: Store, filters: Filters, *, per_cohort: str = "") -> str:
    """Whom a whole page describes, in words: the cohort chosen, or every cohort together; with
    several cohorts, ``per_cohort`` names the measures defined only per cohort, which list each
    cohort instead (one scope per page: nothing of one cohort beside figures of all)."""
    cohorts = data.cohorts(store)
    if cohorts.empty:
        return "No cohort has started yet."
    if filters.cohort:
        names = cohorts.set_index("cohort_id")["name"]
        return (f"Everything on this page describes {names.get(filters.cohort, filters.cohort)} "
                "(the cohort chosen in the filter bar).")
    if len(cohorts) == 1:
        return f"Everything on this page describes the one cohort, {cohorts['name'].iloc[0]}."
    listed = f" {per_cohort}" if per_cohort else ""
    return (f"Everything on this page describes all {len(cohorts)} cohorts together (choose a "
            f"cohort in the filter bar to see one).{listed}")


def cohort_names(store: Store) -> dict[str, str]:
    """Cohort id -> the cohort's name, as people read it."""
    cohorts = data.cohorts(store)
    return dict(zip(cohorts["cohort_id"].astype(str), cohorts["name"].astype(str), strict=True))


def overall(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows for the whole group (no slice)."""
    if frame.empty:
        return frame
    return frame[frame["group"].map(lambda g: not g)]


def label(outcome: str) -> str:
    return labels.outcome_name(outcome)


def is_significant(p_adjusted: object) -> bool:
    return isinstance(p_adjusted, float | int) and not math.isnan(float(p_adjusted)) and \
        float(p_adjusted) < ALPHA


def significance_words(row: Mapping[str, Any] | pd.Series) -> str:
    """Significance after multiple-comparison adjustment, in words a sponsor reads."""
    if bool(row.get("suppressed", False)):
        return "Too few people to show (privacy minimum)."
    p = row.get("p_adjusted")
    if p is None or (isinstance(p, float) and math.isnan(p)):
        # a descriptive figure has no test by design: saying so on every row is noise
        tested = labels.metric(str(row.get("metric", ""))).tested
        return "Could not be tested for this group." if tested else ""
    effect = effect_size_label(_float(row.get("effect_size")))
    size = f" The effect is {effect} (d = {float(row['effect_size']):.2f})." if effect \
        and row.get("metric") == "paired_change" else ""
    if float(p) < ALPHA:
        return f"Statistically significant after adjustment (Holm, adjusted p {_p(p)}).{size}"
    return (f"Not statistically significant after adjustment (Holm, adjusted p {_p(p)}): "
            f"could be chance.{size}")


def _float(value: object) -> float | None:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


_results_cache: dict[tuple[object, ...], pd.DataFrame] = {}


def cached_results(store: Store, filters: Filters, names: tuple[str, ...], by: str | None,
                   k: int, *, along: tuple[str, ...] = (), pooled: bool = True) -> pd.DataFrame:
    """``results`` memoised per store, filter state and metric, so views asking for different
    sets of metrics share each one (the overview's cards and its change chart both read
    paired_change). The same rows as one call for all ``names``: Holm families and privacy
    decisions are per metric. ``along``: computed with them when missing, not returned."""
    def key(name: str, view: Filters = filters, pooled: bool = pooled) -> tuple[object, ...]:
        return (id(store), view, name, by, k, pooled)

    def found(name: str) -> pd.DataFrame | None:
        frame = _results_cache.get(key(name))
        if frame is None and filters.cohort is not None and metrics.REGISTRY[name].poolable:
            # A poolable metric's rows of one cohort are those of the every-cohort view with
            # the same other filters (cells per cohort; Holm families per metric, cohort and
            # role; privacy decided per row on the slice filters): the overview's trend has
            # just computed them.
            every = filters.with_values(cohort=None)
            whole = next((f for p in (False, True)
                          if (f := _results_cache.get(key(name, every, p))) is not None), None)
            if whole is not None:
                frame = _results_cache[key(name)] = \
                    whole[whole["cohort"] == filters.cohort].reset_index(drop=True)
        return frame

    wanted = tuple(dict.fromkeys((*names, *along)))
    kept = {name: frame for name in wanted if (frame := found(name)) is not None}
    missing = [name for name in wanted if name not in kept] \
        if any(name not in kept for name in names) else []
    if missing:
        # The charts of one view ask at once: the first computes, the others then find theirs.
        with memo.one_build(("results", id(store), filters, by, k, pooled)):
            kept.update({name: frame for name in missing if (frame := found(name)) is not None})
            missing = [name for name in missing if name not in kept]
            if missing:
                _compute_missing(store, filters, missing, by, k, pooled, kept, key)
    frames = [kept[name] for name in names]
    shown = [f for f in frames if not f.empty]
    if len(shown) < 2:
        return shown[0] if shown else frames[0]
    return pd.concat(shown, ignore_index=True)


def _compute_missing(store: Store, filters: Filters, missing: list[str], by: str | None,
                     k: int, pooled: bool, kept: dict[str, pd.DataFrame],
                     key: Callable[[str], tuple[object, ...]]) -> None:
    if len(_results_cache) > 1024:
        _results_cache.clear()
    # every metric's units: all views share the tables the background warm-up built
    frame = metrics.results(store, filters, by=by, metrics=missing,
                            units_for=list(metrics.REGISTRY), min_group_size=k, pooled=pooled)
    for name in missing:
        kept[name] = _results_cache[key(name)] = \
            frame[frame["metric"] == name].reset_index(drop=True)


def clear_cache() -> None:
    _results_cache.clear()
