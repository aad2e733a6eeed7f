"""The leadership Overview: headline cards, the cohort-over-cohort trend, small-cohort notes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.cache import memo
from analysis.metrics import data
from analysis.metrics import registry as metrics
from analysis.metrics.sources import by_rule, source_note
from analysis.pages import common, sentences
from analysis.privacy import canon
from analysis.privacy import rules as privacy
from analysis.privacy.decisions import group_hidden
from analysis.stats.power import minimum_detectable_effect, power_note
from analysis.store.db import Store
from analysis.store.filters import Filters


@dataclass(frozen=True)
class Headline:
    key: str
    title: str
    metric: str
    outcome: str | None
    role: str | None  # None: the filter's role, else every participant ("all")
    unit: str  # points / enps / share / money


HEADLINES = (
    Headline("digital", "Mentees' digital skills", "paired_change", "skills.digital", "mentee",
             "points"),
    Headline("leadership", "Mentors' leadership skills", "paired_change", "skills.leadership",
             "mentor", "points"),
    Headline("inclusion", "Inclusion vs non-participants (DiD)", "did", "inclusion", None,
             "points"),
    Headline("enps", "eNPS change", "enps_change", "enps", None, "enps"),
    Headline("retention", "12-month retention vs comparison", "retention_diff_12m", None, None,
             "share"),
    Headline("roi", "Return on investment", "roi", None, None, "money"),
)
CARD_COLUMNS = ["key", "title", "unit", "available", "metric", "outcome", "role", "cohort", "n",
                "estimate", "ci_low", "ci_high", "p_adjusted", "effect_size", "suppressed",
                "words", "sentence", "note", "counted", "per_cohort", "detail", "net_low",
                "net_base", "net_high", "source"]
PER_COHORT_COLUMNS = ["cohort", "cohort_name", "n", "estimate", "ci_low", "ci_high",
                      "p_adjusted", "suppressed", "n_treated", "n_comparison"]
MODERATE = 0.5  # Cohen's moderate d: a cohort that cannot detect it is "too small to tell"
TREND = (("skills.digital", "mentee"), ("skills.leadership", "mentor"), ("inclusion", "all"))


@dataclass(frozen=True)
class Overview:
    counts: pd.DataFrame  # one row: participants, pairs, sessions_held (nulls when suppressed)
    cards: pd.DataFrame  # one row per headline (CARD_COLUMNS)
    changes: pd.DataFrame  # paired_change rows for the cohort and role in view
    headline: pd.DataFrame  # the mentees' digital-skill row (0 or 1 rows); kept for exports
    verdict: str = ""  # the one-line answer at the top (analysis.pages.sentences.verdict)
    scope: str = ""  # whom every card describes


def pick(frame: pd.DataFrame, *, metric: str, outcome: str | None, role: str | None,
         cohort: str | None) -> pd.Series | None:
    """The one whole-group row of a metric for the cohort and role in view (None if absent).
    ``frame``: whole-group rows (:func:`common.overall`)."""
    if frame.empty:
        return None

    def column(name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype=object)

    # masks over a few columns, one row taken at the end: boolean indexing of the whole (wide)
    # results frame six times per filter change cost more than the statistics behind a card
    rows = column("metric") == metric
    if outcome is not None and "outcome" in frame:
        rows &= column("outcome") == outcome
    if "scenario" in frame:
        scenario = column("scenario")
        if pd.notna(scenario[rows]).any():  # ROI: the base scenario
            rows &= scenario == "base"
    cohorts = column("cohort")
    if cohort is not None and (rows & (cohorts == cohort)).any():
        rows &= cohorts == cohort
    elif cohort is not None:
        # A per-cohort measure (no "all cohorts" row): the latest cohort that has an estimate.
        rows &= pd.to_numeric(frame["estimate"], errors="coerce").notna().to_numpy()
        if not rows.any():
            return None
        rows &= cohorts == cohorts[np.flatnonzero(rows)[-1]]
    roles = column("role")
    for wanted in (role, "all", None):
        match = rows & (pd.isna(roles) if wanted is None else roles == wanted)
        if match.any():
            return frame.iloc[int(np.flatnonzero(match)[0])]
    return None


def _sentence(_spec: Headline, row: pd.Series) -> str:
    return sentences.sentence(row.to_dict())


def _counted(spec: Headline, row: pd.Series) -> str:
    """What a card's n counts, in words."""
    if pd.isna(row.get("n")):
        return ""
    n = int(row["n"])
    if spec.metric == "did":
        return (f"n = {int(row['n_treated']):,} participants and {int(row['n_comparison']):,} "
                "non-participants with answers before and after")
    if spec.metric in ("retention_diff_12m", "roi"):
        treated = row.get("n_treated")
        people = f"{int(treated):,} participants" if pd.notna(treated) else f"{n:,} people"
        comparison = row.get("n_comparison")
        return f"n = {people}" + (f" against {int(comparison):,} in the comparison group"
                                  if pd.notna(comparison) else "")
    return f"n = {n:,} people with answers before and after"


def _per_cohort(whole: pd.DataFrame, spec: Headline, role: str | None) -> list[dict[str, object]]:
    """Each cohort's row of a measure that exists only per cohort (hidden ones flagged)."""
    out = []
    for cohort in dict.fromkeys(whole["cohort"]):
        if cohort == metrics.ALL_COHORTS:
            continue
        row = pick(whole, metric=spec.metric, outcome=spec.outcome, role=role, cohort=cohort)
        if row is not None and row["cohort"] == cohort:
            out.append({c: row.get(c) for c in PER_COHORT_COLUMNS})
    return out


def headline_cards(results: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """One row per headline: the estimate with CI, n, significance in words and a sentence."""
    cohort = common.cohort_in_view(results, filters)
    whole = by_rule(common.overall(results))  # one source per construct (analysis.metrics.sources)
    rows = []
    for spec in HEADLINES:
        role = filters.role or spec.role
        base = {"key": spec.key, "title": spec.title, "unit": spec.unit, "metric": spec.metric,
                "outcome": spec.outcome, "role": role, "cohort": cohort}
        empty = {"suppressed": False, "words": "", "sentence": "", "counted": "",
                 "per_cohort": [], "detail": ""}
        if not common.available(spec.metric):
            rows.append({**base, **empty, "available": False,
                         "note": "Not available yet in this build."})
            continue
        row = pick(whole, metric=spec.metric, outcome=spec.outcome, role=role, cohort=cohort)
        if row is None:
            rows.append({**base, **empty, "available": True,
                         "note": "No data for the current filters."})
            continue
        note = "" if bool(row["suppressed"]) or pd.isna(row["n"]) or spec.unit != "points" \
            else power_note(int(row["n"]))
        per_cohort: list[dict[str, object]] = []
        if row["cohort"] != cohort:
            # no all-cohorts figure is defined: each cohort's own, never one passed off as all
            per_cohort = _per_cohort(whole, spec, role)
            note = ("Measured per cohort only (from each cohort's own start), so no "
                    "all-cohorts figure is defined: each cohort is shown; choose a cohort for "
                    "its full card.")
        note = (note + " " + source_note(row)).strip()
        words = common.significance_words(row)
        detail = ""
        if spec.key == "roi":
            # A range over assumptions, not a test: no significance phrase.
            words = "" if not bool(row["suppressed"]) else words
            if not per_cohort and not bool(row["suppressed"]):
                words = sentences.roi_verdict(row.to_dict())
                detail = sentences.roi_drivers(row.to_dict())
        rows.append({**base, "available": True, "role": row["role"],
                     **{c: row.get(c) for c in ("n", "estimate", "ci_low", "ci_high",
                                                "p_adjusted", "effect_size", "net_low",
                                                "net_base", "net_high")},
                     "suppressed": bool(row["suppressed"]),
                     "words": "" if per_cohort else words,
                     "sentence": "" if per_cohort else _sentence(spec, row), "note": note,
                     "counted": "" if per_cohort else _counted(spec, row),
                     "per_cohort": per_cohort, "detail": detail,
                     "source": row.get("source")})
    return pd.DataFrame(rows, columns=CARD_COLUMNS)


def overview(store: Store, filters: Filters, *, min_group_size: int | None = None) -> Overview:
    k = privacy.resolve_min_group_size(min_group_size)
    counts = data.overview_counts(store, filters)
    if group_hidden(int(counts["participants"].iloc[0]), cohort=filters.cohort,
                            role=filters.role, units=_participant_units(store), filters=filters,
                            min_group_size=k):
        counts = counts.astype(float) * float("nan")
    names = [spec.metric for spec in HEADLINES]
    results = common.results(store, filters, list(dict.fromkeys(names)), min_group_size=k)
    cohort = common.cohort_in_view(results, filters)
    paired = by_rule(common.overall(results[results["metric"] == "paired_change"])) \
        if not results.empty else results
    changes = paired[(paired["cohort"] == cohort) & (paired["role"] == (filters.role or "all"))] \
        if not paired.empty else paired
    headline = paired[(paired["cohort"] == cohort) & (paired["outcome"] == "skills.digital")
                      & (paired["role"] == (filters.role or "mentee"))] \
        if not paired.empty else paired
    cards = headline_cards(results, filters)
    scope = scope_text(store, filters, cohort)
    verdict = sentences.verdict(cards.to_dict("records"), scope=scope) \
        if not counts["participants"].isna().iloc[0] else ""
    return Overview(counts, cards, changes.reset_index(drop=True),
                    headline.reset_index(drop=True), verdict=verdict, scope=scope)


def scope_text(store: Store, filters: Filters, cohort: str | None) -> str:
    """Whom the cards describe: every cohort together, or the cohort chosen (by name)."""
    if cohort is None or cohort == metrics.ALL_COHORTS:
        count = len(data.cohorts(store))
        return f"all {count} cohorts together" if count > 1 else "the one cohort"
    names = data.cohorts(store).set_index("cohort_id")["name"]
    return str(names.get(cohort, cohort))


def _participant_units(store: Store) -> pd.DataFrame:
    """Every participant once per cohort: what the overview's participant count counts
    (:data:`analysis.privacy.rules.UNIT_COLUMNS`). The same object while the data is unchanged
    (``memo.kept``, not a copy: the privacy layer keys its tables on it)."""
    def build() -> pd.DataFrame:
        people = data.participants(store)
        return pd.DataFrame({"metric": "count", "outcome": "participants",
                             "cohort": people["cohort_id"], "role": people["role"],
                             **{c: people[c] for c in privacy.SLICES}})
    return memo.kept(store, ("participant_units",), build)


def warm(store: Store, *, min_group_size: int | None = None) -> None:
    """The participant count's units and their privacy tables now (the dashboard's background
    warm-up): the first overview would otherwise pay a query and every table."""
    canon.warm(_participant_units(store), min_group_size=min_group_size)


def trend(store: Store, filters: Filters, *, min_group_size: int | None = None) -> pd.DataFrame:
    """Cohort-over-cohort change of the key outcomes (every cohort; other filters apply).

    Columns: cohort, cohort_name, start_date, outcome, label, role, n, estimate, ci_low,
    ci_high, p_adjusted, suppressed, note (a power or privacy note for small cohorts).
    """
    k = privacy.resolve_min_group_size(min_group_size)
    everyone = filters.with_values(cohort=None)
    # each cohort's rows only: the pooled ones are not drawn (when the view itself has no
    # cohort filter, its own results already hold these rows)
    frame = common.results(store, everyone, ["paired_change"], min_group_size=k,
                           pooled=filters.cohort is None)
    columns = ["cohort", "cohort_name", "start_date", "outcome", "label", "role", "n",
               "estimate", "ci_low", "ci_high", "p_adjusted", "suppressed", "note"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = by_rule(common.overall(frame))
    frame = frame[frame["cohort"] != metrics.ALL_COHORTS]
    wanted = pd.DataFrame(TREND, columns=["outcome", "want_role"])
    if filters.role:
        wanted["want_role"] = filters.role
    frame = frame.merge(wanted, left_on=["outcome", "role"], right_on=["outcome", "want_role"])
    starts = data.cohorts(store)[["cohort_id", "start_date"]].rename(
        columns={"cohort_id": "cohort"})
    frame = frame.merge(starts, on="cohort", how="left").sort_values(["start_date", "outcome"])
    frame["label"] = frame["outcome"].map(common.label)
    mde = frame["n"].map(lambda n: np.nan if pd.isna(n) else minimum_detectable_effect(int(n)))
    # a hidden cohort says why: too small, or hidden beside a smaller one (complementary)
    reason = frame["suppressed_reason"].fillna(privacy.SUPPRESSED_REASON.format(k=k))
    frame["note"] = np.where(
        frame["suppressed"].astype(bool), "hidden (" + reason.astype(str) + ")",
        np.where(mde > MODERATE, "n = " + frame["n"].fillna(0).astype(int).astype(str)
                 + ", detects only d ≥ " + mde.map(lambda d: f"{d:.2f}"), ""))
    return frame[columns].reset_index(drop=True)
