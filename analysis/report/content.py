"""What a board pack says, as tidy frames: built from privacy-checked results, no layout here.

The deck (``deck.py``), the CSV/XLSX tables (``sheets.py``) and the dashboard's Board-pack button
all read these frames, so a slide, its embedded sheet and the table export show the same numbers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from analysis.metrics import data, sources
from analysis.metrics import registry as metrics
from analysis.pages import overview as overview_page
from analysis.report import labels
from analysis.store.codebook import CONSTRUCTS
from analysis.store.db import Store
from analysis.store.filters import Filters

# Which metric an outcome's chart shows when several exist (the rest go in the slide's table).
PRIMARY_METRICS = ["enps_change", "paired_change", "mean", "did", "retention_diff_12m",
                   "retention_12m", "cox_hr", "roi", "sessions_held", "share_pairs_3plus",
                   "median_sessions_per_pair", "dose_response"]
# Estimates that are shares (0–1): charts show them as percentages.
SHARE_METRICS = {name for name, shown in labels.METRICS.items() if shown.share}
# Not an outcome measure: reported in the methods, not on the outcome slides.
SIDE_TABLE_SKIP = {"cronbach_alpha"}
ROLE_LABELS = labels.ROLES
ROLE_ORDER = list(ROLE_LABELS)
# Whom an outcome is meant to move: its headline role when no role filter is set.
TARGET_ROLE = {"skills.digital": "mentee", "skills.leadership": "mentor"}
METRIC_LABELS = {name: shown.name for name, shown in labels.METRICS.items()}
SHORT_LABELS = {name: shown.short for name, shown in labels.METRICS.items()}
TABLE_COLUMNS = ["outcome", "outcome_label", "metric", "metric_label", "cohort", "cohort_name",
                 "role", "role_label", "n", "estimate", "ci_low", "ci_high", "p_value",
                 "p_adjusted", "effect_size", "method", "suppressed", "suppressed_reason",
                 "source", "administration_before", "administration_after"]


@dataclass(frozen=True)
class DeckContent:
    title: str
    subtitle: str
    generated: datetime
    snapshot: str  # sha256 over the imported files' sha256 values
    filters: Filters
    min_group_size: int
    results: pd.DataFrame  # metrics.results(...): already privacy-checked
    cohorts: pd.DataFrame  # cohort_id, name, start_date, end_date
    verdict: str = ""  # the Overview's verdict line for the same filters
    cards: pd.DataFrame = field(default_factory=pd.DataFrame)  # the Overview's headline cards
    scope: str = ""  # whom the verdict and cards describe

    @cached_property
    def view_cohort(self) -> str | None:
        return view_cohort(self.results, self.filters)

    @cached_property
    def rows(self) -> pd.DataFrame:
        """Unsliced results, labelled and in slide order. ``primary`` marks the rows each
        outcome's chart shows: its primary metric, one row per cohort × role (the base scenario
        where a metric has several)."""
        rows = labelled(_ordered(unsliced(self.results), self.cohorts))
        primary = rows.groupby("outcome", sort=False)["metric"].agg(
            lambda m: primary_metric(m.to_frame()))
        rows = rows.assign(primary=rows["metric"] == rows["outcome"].map(primary))
        if "scenario" in rows:
            rows = rows.loc[rows["scenario"].ne("base").sort_values(kind="stable").index]
        # one source per construct (analysis.metrics.sources.RULE), then the first row of each
        ruled = rows["primary"] & sources.preferred(rows)
        first = ~rows[ruled].duplicated(["outcome", "metric", "cohort", "role"])
        rows["primary"] = ruled & first.reindex(rows.index, fill_value=False)
        return _ordered(rows, self.cohorts).reset_index(drop=True)

    def view_cohort_of(self, outcome: str) -> str | None:
        """The cohort an outcome's headline describes: the filtered one, else all cohorts
        together, else (a measure only per cohort, like retention) the latest cohort."""
        rows = self.rows
        cohorts = rows.loc[(rows["outcome"] == outcome) & rows["primary"], "cohort"].unique()
        if self.filters.cohort or self.view_cohort in cohorts or not len(cohorts):
            return self.view_cohort
        return str(cohorts[-1])

    @cached_property
    def headline(self) -> pd.DataFrame:
        return headline(self)

    @property
    def footer(self) -> str:
        return (f"crossgen · generated {self.generated:%d %b %Y %H:%M} UTC · data snapshot "
                f"{self.snapshot[:12]} · {describe_filters(self.filters)}")


def outcome_label(outcome: str) -> str:
    return labels.outcome_name(outcome)


def metric_label(metric: str) -> str:
    return labels.metric_name(metric)


def describe_filters(filters: Filters) -> str:
    chosen = filters.as_dict()
    if not chosen:
        return "all cohorts, all participants"
    return "; ".join(f"{k} {', '.join(v) if isinstance(v, list) else v}"
                     for k, v in chosen.items())


def snapshot_hash(store: Store) -> str:
    """Identifies the data behind an export: changes whenever a file is imported."""
    hashes = store.query("select sha256 from imports order by sha256")["sha256"]
    return hashlib.sha256("\n".join(hashes).encode()).hexdigest()


def build_content(store: Store, filters: Filters, *, min_group_size: int,
                  generated: datetime, title: str = "Reverse mentoring: did it work?"
                  ) -> DeckContent:
    results = metrics.results(store, filters, min_group_size=min_group_size)
    cohorts = data.cohorts(store)[["cohort_id", "name", "start_date", "end_date"]]
    if filters.cohort is not None and filters.cohort not in set(cohorts["cohort_id"]):
        raise ValueError(f"no cohort {filters.cohort!r}; known: "
                         f"{', '.join(cohorts['cohort_id']) or 'none'}")
    shown = cohorts[cohorts["cohort_id"] == filters.cohort] if filters.cohort else cohorts
    subtitle = ", ".join(shown["name"]) if len(shown) <= 3 else f"{len(shown)} cohorts"
    # the verdict slide says what the Overview says for the same filters: the same function
    summary = overview_page.overview(store, filters, min_group_size=min_group_size)
    return DeckContent(title=title, subtitle=f"Board pack · {subtitle}", generated=generated,
                       snapshot=snapshot_hash(store), filters=filters,
                       min_group_size=min_group_size, results=results, cohorts=cohorts,
                       verdict=summary.verdict, cards=summary.cards, scope=summary.scope)


def unsliced(results: pd.DataFrame) -> pd.DataFrame:
    """Rows for the whole filtered population (not a --by slice)."""
    if results.empty:
        return results
    whole = results["group"].map(lambda g: not g).astype(bool)
    return results[whole]


def view_cohort(results: pd.DataFrame, filters: Filters) -> str | None:
    """The cohort a headline describes: the filtered one, else all cohorts together."""
    if filters.cohort:
        return filters.cohort
    cohorts = results["cohort"].dropna().unique().tolist()
    if metrics.ALL_COHORTS in cohorts:
        return metrics.ALL_COHORTS
    return cohorts[0] if len(cohorts) == 1 else None


def outcomes(results: pd.DataFrame) -> list[str]:
    """Outcomes present, constructs in codebook order, then the rest as they appear."""
    present = unsliced(results)["outcome"].dropna().unique().tolist()
    known = [o for o in CONSTRUCTS if o in present]
    return known + [o for o in present if o not in known]


def primary_metric(rows: pd.DataFrame) -> str:
    """The metric an outcome's chart shows: the first of PRIMARY_METRICS present."""
    present = rows["metric"].unique().tolist()
    for metric in PRIMARY_METRICS:
        if metric in present:
            return str(metric)
    return str(present[0])


def _ordered(frame: pd.DataFrame, cohorts: pd.DataFrame) -> pd.DataFrame:
    """Outcomes as :func:`outcomes`, cohorts by start date with 'all cohorts' last, then roles
    mentees, mentors, all, comparison."""
    ranks = {"o": {o: i for i, o in enumerate(outcomes(frame))},
             "c": {c: i for i, c in enumerate([*cohorts["cohort_id"], metrics.ALL_COHORTS])},
             "r": {r: i for i, r in enumerate(ROLE_ORDER)}}
    keys = pd.DataFrame({key: frame[column].map(rank).fillna(len(rank))
                         for (key, rank), column in zip(ranks.items(),
                                                        ["outcome", "cohort", "role"],
                                                        strict=True)}, index=frame.index)
    return frame.loc[keys.sort_values(["o", "c", "r"], kind="stable").index]


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds the display labels; keeps every column (sentences read the metric's extras)."""
    pulse = frame["source"].map(sources.label).fillna("") if "source" in frame else ""
    return frame.assign(
        outcome_label=frame["outcome"].map(outcome_label),
        # a pulse-scored row says so wherever it is listed (side tables, sheets)
        metric_label=frame["metric"].map(metric_label).str.cat(
            pd.Series(pulse, index=frame.index).map(lambda s: f" ({s})" if s else ""))
        if "source" in frame else frame["metric"].map(metric_label),
        role_label=frame["role"].map(labels.role_name),
    )


def chart_rows(content: DeckContent, outcome: str) -> pd.DataFrame:
    """The numbers behind one outcome's chart: its primary metric, per cohort × role."""
    rows = content.rows
    return rows[(rows["outcome"] == outcome) & rows["primary"]].reset_index(drop=True)


def outcome_rows(content: DeckContent, outcome: str) -> pd.DataFrame:
    """Every metric of one outcome for its cohort in view (the slide's side table)."""
    rows = content.rows
    return rows[(rows["outcome"] == outcome)
                & (rows["cohort"] == content.view_cohort_of(outcome))].reset_index(drop=True)


def headline_role(rows: pd.DataFrame, filters: Filters) -> str | None:
    roles = rows["role"].unique().tolist()
    target = [TARGET_ROLE[o] for o in rows["outcome"].unique() if o in TARGET_ROLE]
    for role in ([filters.role] if filters.role else []) + target + ["all", "mentee", "mentor"]:
        if role in roles:
            return str(role)
    return str(roles[0]) if roles else None


def headline(content: DeckContent) -> pd.DataFrame:
    """One row per outcome: its primary metric for the cohort in view and the headline role."""
    rows = content.rows
    rows = rows[rows["primary"]]
    picked = [part[(part["role"] == headline_role(part, content.filters))
                   & (part["cohort"] == content.view_cohort_of(str(outcome)))].head(1)
              for outcome, part in rows.groupby("outcome", sort=False)]
    return pd.concat(picked, ignore_index=True) if picked else rows.head(0)


def numbers_behind_charts(content: DeckContent) -> pd.DataFrame:
    """Every chart's rows, in slide order: what ``crossgen report --out table.csv`` writes."""
    rows = content.rows
    # rows without a source (no before/after metric in view) leave its columns empty
    return rows.loc[rows["primary"]].reindex(columns=TABLE_COLUMNS).reset_index(drop=True)


def n_table(content: DeckContent) -> pd.DataFrame:
    """n per outcome and group for the cohort in view (methods appendix)."""
    rows = content.rows
    rows = rows[rows["primary"] & (rows["cohort"] == content.view_cohort)]
    if rows.empty:
        return pd.DataFrame()
    # Counts as text first: "hidden" (suppressed) differs from "—" (not measured for that group).
    rows = rows.assign(n_text=rows["n"].map(
        lambda v: "hidden" if as_number(v) is None else f"{int(float(v)):,}"))
    wide = rows.pivot_table(index="outcome_label", columns="role_label", values="n_text",
                            aggfunc="first", sort=False)
    return wide.fillna("—").reset_index()


def as_number(value: Any) -> float | None:
    """A finite float, or None (suppressed or undefined)."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None
