"""Skills, Satisfaction & eNPS and Inclusion pages: one topic = a few constructs.

Before/after and change (paired, same people), the distribution of individual changes (fixed
bins, each decided by :mod:`analysis.pages.change_bins`), difference-in-differences against the
comparison group, item-level means and the mentor/mentee split. Tidy frames; a frame that
cannot be filled says why in ``frame.attrs["empty_reason"]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.cache import memo
from analysis.metrics import data, item_queries
from analysis.metrics import registry as metrics
from analysis.metrics.sources import by_rule
from analysis.pages import change_bins, common
from analysis.privacy import rules as privacy
from analysis.store.db import Store
from analysis.store.filters import Filters

TOPICS: dict[str, tuple[str, ...]] = {
    "skills": ("skills.digital", "skills.leadership"),
    "satisfaction": ("satisfaction.job", "enps", "satisfaction.program"),
    "inclusion": ("inclusion", "intergenerational"),
}
# Every metric a topic page shows (the numbers tables and the charts): computed together.
TOPIC_METRICS: dict[str, tuple[str, ...]] = {
    "skills": ("paired_change", "did", "top2box_change"),
    "satisfaction": ("paired_change", "did", "enps_change", "top2box_change", "mean"),
    "inclusion": ("paired_change", "did", "top2box_change"),
}
CHANGE_COLUMNS = ["outcome", "label", "cohort", "cohort_name", "per_cohort", "role", "n",
                  "estimate", "ci_low", "ci_high", "p_value", "p_adjusted", "effect_size",
                  "mean_before", "mean_after", "suppressed", "scale"]
REASON_WITH_CHANGE = "hidden with the construct's change"
REASON_WAVES = ("hidden: answered by nearly the same people as the construct's change, so the "
                "difference would describe a few people")


def _constructs(topic: str) -> tuple[str, ...]:
    if topic == "all":
        return tuple(c for group in TOPICS.values() for c in group)
    if topic not in TOPICS:
        raise ValueError(f"topic must be one of {', '.join(TOPICS)}, not {topic!r}")
    return TOPICS[topic]


def metric_rows(store: Store, filters: Filters, topic: str, metric: str) -> pd.DataFrame:
    """Whole-group rows of one metric for the topic's constructs, cohort in view, every role.
    Kept per filter state: a page's charts and table read the same rows several times."""
    k = privacy.resolve_min_group_size(None)
    return memo.remembered_for_state(store, ("metric_rows", filters, topic, metric, k),
                                     lambda: _metric_rows(store, filters, topic, metric))


def _metric_rows(store: Store, filters: Filters, topic: str, metric: str) -> pd.DataFrame:
    if not common.available(metric):
        return common.empty(CHANGE_COLUMNS, f"The {metric.replace('_', ' ')} metric is not "
                                            "available yet in this build.")
    # one source per construct and cohort (analysis.metrics.sources.RULE); ``source`` says which
    frame = by_rule(common.overall(common.results(store, filters, [metric],
                                                  along=TOPIC_METRICS.get(topic, ()))))
    frame = frame[frame["outcome"].isin(_constructs(topic))] if not frame.empty else frame
    if frame.empty:
        return common.empty(CHANGE_COLUMNS, "No one with answers before and after matches "
                                            "these filters.")
    cohort = common.cohort_in_view(frame, filters)
    if filters.cohort is None and cohort != metrics.ALL_COHORTS \
            and frame["cohort"].nunique() > 1:
        # no every-cohorts figure (DiD): each cohort listed and named, never one passed off as
        # all of them
        names = common.cohort_names(store)  # in start order
        order = {c: i for i, c in enumerate(_constructs(topic))}
        frame = frame.assign(_o=frame["outcome"].map(order),
                             _c=frame["cohort"].map({c: i for i, c in enumerate(names)}))
        frame = frame.sort_values(["_o", "_c"], kind="stable").drop(columns=["_o", "_c"])
        frame["cohort_name"] = frame["cohort"].map(names)
        frame["label"] = frame["outcome"].map(common.label) + " · " + frame["cohort_name"]
        frame["per_cohort"] = True
        frame.attrs["note"] = "measured per cohort only: each cohort listed"
    else:
        frame = frame[frame["cohort"] == cohort].copy()
        frame["label"] = frame["outcome"].map(common.label)
        frame["per_cohort"] = False
    frame = with_scale(store, frame)
    for column in CHANGE_COLUMNS:
        if column not in frame:
            frame[column] = np.nan
    return frame.reset_index(drop=True)


def with_scale(store: Store, frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``scale`` ("1–5", "0–10"): charts put means on different scales on separate axes."""
    scales = item_queries.construct_scales(store)
    # built per construct, not as column arithmetic: with no items (scores imported without
    # their questionnaire) the empty columns are floats, and float + text would raise
    text = {construct: f"{low:g}–{high:g}" for construct, low, high in
            zip(scales["construct"], scales["scale_min"], scales["scale_max"], strict=True)}
    return frame.assign(scale=frame["outcome"].map(text))


def changes(store: Store, filters: Filters, topic: str) -> pd.DataFrame:
    """Paired change per construct for the role in view (every participant when none)."""
    frame = metric_rows(store, filters, topic, "paired_change")
    if frame.empty:
        return frame
    return frame[frame["role"] == (filters.role or "all")].reset_index(drop=True)


def role_split(store: Store, filters: Filters, topic: str) -> pd.DataFrame:
    """Paired change per construct for mentors and mentees side by side."""
    frame = metric_rows(store, filters, topic, "paired_change")
    if frame.empty:
        return frame
    return frame[frame["role"].isin(["mentor", "mentee"])].reset_index(drop=True)


def did_absent_reason(store: Store, topic: str) -> str:
    """Why the page has no difference-in-differences chart ('' when it can have one): only
    constructs that the org-wide pulse surveys ask have a comparison group."""
    constructs = list(_constructs(topic))
    # kept while the data is unchanged: every filter change asks, the answers do not change
    asked = memo.kept(store, ("pulse_asks", *constructs), lambda: store.scalar(
        "select exists (select 1 from responses r"
        " join administrations a on a.administration_id = r.administration_id"
        " join items i on i.item_id = r.item_id"
        " where a.kind = 'pulse' and list_contains($constructs, i.construct))",
        {"constructs": constructs}))
    if asked:
        return ""
    names = " and ".join(common.label(c).lower() for c in constructs)
    return (f"No comparison against non-participants here: {names} are asked only of "
            "participants, in the programme's own surveys, so there is no comparison group "
            "for them.")


def scope(store: Store, filters: Filters, topic: str) -> str:
    """Whom the whole topic page describes, in one sentence (which measures list each cohort)."""
    listed = "" if did_absent_reason(store, topic) else (
        "The difference-in-differences against non-participants is measured per cohort only "
        "(each cohort against the comparison group over its own dates), so it lists each cohort.")
    return common.scope_sentence(store, filters, per_cohort=listed)


def did(store: Store, filters: Filters, topic: str) -> pd.DataFrame:
    """Difference-in-differences against the comparison group, per construct."""
    frame = metric_rows(store, filters, topic, "did")
    if frame.empty:
        return frame
    role = filters.role or "all"
    return frame[frame["role"] == role].reset_index(drop=True) \
        if (frame["role"] == role).any() else frame


def distribution(store: Store, filters: Filters, topic: str, *,
                 min_group_size: int | None = None) -> pd.DataFrame:
    """Counts of individual changes (after − before) per construct in fixed bins.

    Columns: outcome, label, bin (change / bin width, rounded), bin_low, bin_high, count,
    suppressed, suppressed_reason, n (people in the construct). Each bin is decided by
    :mod:`analysis.pages.change_bins` (complementary suppression across filters, cohorts and
    breakdowns); nothing of a construct whose paired change (the same people) is hidden.
    """
    k = privacy.resolve_min_group_size(min_group_size)
    columns = ["outcome", "label", "bin", "bin_low", "bin_high", "count", "suppressed",
               "suppressed_reason", "n"]
    counts = change_bins.histogram(store, filters, _constructs(topic), min_group_size=k)
    if counts.empty:
        return common.empty(columns, "No one with answers before and after matches these filters.")
    paired = _paired_in_view(store, filters, topic, k)
    shown = paired.loc[~paired["suppressed"].astype(bool), "n"]
    people = data.coded_scores(store, filters).dropna(subset=["before", "after"])
    n = people.groupby("construct", observed=True).size()
    n.index = n.index.astype(str)
    whole_ok = (counts["outcome"].map(shown) == counts["outcome"].map(n)).to_numpy()
    hide = ~whole_ok & ~counts["suppressed"].to_numpy(dtype=bool)
    counts["suppressed"] = counts["suppressed"].to_numpy(dtype=bool) | hide
    counts.loc[hide, "suppressed_reason"] = REASON_WITH_CHANGE
    counts["count"] = counts["count"].astype(float).where(~counts["suppressed"])
    counts["n"] = counts["outcome"].map(n).astype(float).where(whole_ok)
    counts["label"] = counts["outcome"].map(common.label)
    return counts[columns].reset_index(drop=True)


def _paired_in_view(store: Store, filters: Filters, topic: str, k: int) -> pd.DataFrame:
    """The paired-change rows of the cohort and role in view (no slice), one per construct,
    indexed by outcome: the decision and n that the distribution and the items follow."""
    paired = by_rule(common.overall(common.results(
        store, filters, ["paired_change"], min_group_size=k, along=TOPIC_METRICS.get(topic, ()))))
    paired = paired[(paired["cohort"] == (filters.cohort or metrics.ALL_COHORTS))
                    & (paired["role"] == (filters.role or "all"))]
    return paired.drop_duplicates("outcome").set_index("outcome")


def items(store: Store, filters: Filters, topic: str, *,
          min_group_size: int | None = None) -> pd.DataFrame:
    """Item-level mean answer before and after (raw scale, reverse-coded items flagged).

    Waves rule (README, "Privacy and access"): both means count only the people who answered the
    item before *and* after among the construct's completed pairs, so the two waves cover the
    same people; an item is hidden when the construct's paired change is hidden, or when its
    people differ from those pairs by 1 to k − 1 (the difference would describe them).

    Columns: outcome, label, item_id, text, reverse_coded, n_before, mean_before, n_after,
    mean_after, suppressed, suppressed_reason.
    """
    k = privacy.resolve_min_group_size(min_group_size)
    cube = data.select_people(_item_cube(store), filters)
    cube = cube[cube["construct"].isin(_constructs(topic))]
    sums = cube.groupby(["construct", "item_id"], as_index=False, sort=True, observed=True)[
        ["n", "sum_before", "sum_after"]].sum()
    frame = sums.merge(_item_texts(store), on="item_id", how="left").rename(
        columns={"construct": "outcome"})
    frame = frame.assign(n_before=frame["n"], mean_before=frame["sum_before"] / frame["n"],
                         n_after=frame["n"], mean_after=frame["sum_after"] / frame["n"])[
        ["outcome", "item_id", "text", "reverse_coded", "n_before", "mean_before", "n_after",
         "mean_after"]]
    if frame.empty:
        return common.empty(["outcome", "label", "item_id", "text", "reverse_coded",
                             "n_before", "mean_before", "n_after", "mean_after", "suppressed",
                             "suppressed_reason"], "No survey answers match these filters.")
    # The construct's paired change for the same people: its privacy decision and its n.
    by_outcome = _paired_in_view(store, filters, topic, k)
    pair_n = frame["outcome"].map(by_outcome["n"])
    pair_hidden = frame["outcome"].map(by_outcome["suppressed"]).fillna(True).astype(bool)
    gap = pair_n - frame["n_before"]
    small = (frame["n_before"] < k).to_numpy()
    near = ((gap > 0) & (gap < k)).to_numpy()
    hidden = small | pair_hidden.to_numpy() | near | gap.isna().to_numpy()
    frame["suppressed"] = hidden
    frame["suppressed_reason"] = np.select(
        [small, pair_hidden.to_numpy(), near],
        [privacy.SUPPRESSED_REASON.format(k=k), REASON_WITH_CHANGE,
         REASON_WAVES], privacy.REASON_UNCHECKED)
    frame["suppressed_reason"] = frame["suppressed_reason"].where(hidden, None)
    for column in ("n_before", "mean_before", "n_after", "mean_after"):
        frame[column] = frame[column].astype(float).where(~hidden)
    frame.insert(1, "label", frame["outcome"].map(common.label))
    frame = with_scale(store, frame)
    frame["item_label"] = frame["text"].fillna(frame["item_id"]).str.slice(0, 60) + \
        frame["reverse_coded"].map({True: " (reverse-coded)", False: ""})
    return frame


def _item_cube(store: Store) -> pd.DataFrame:
    """Per cohort × role × slice × construct × item: the count and the sums of the before and
    after answers of people who answered the item in both programme surveys and completed the
    construct's pair. Kept while the data is unchanged: a filter state sums a few cube rows
    (the same means as averaging its people's answers)."""
    return memo.remembered(store, ("item_cube",), lambda: store.query("""
        with answers as (
            select i.construct, r.item_id, p.cohort_id, p.role, r.employee_id,
                   max(case when a.phase = 'pre' then r.value end) as before,
                   max(case when a.phase = 'post' then r.value end) as after
            from responses r
            join administrations a using (administration_id)
            join items i using (item_id)
            join participants p on p.cohort_id = a.cohort_id and p.employee_id = r.employee_id
            where a.kind = 'programme' and p.role in ('mentor', 'mentee')
            group by all
        ), pairs as (
            select a.cohort_id, s.employee_id, s.construct
            from construct_scores s join administrations a using (administration_id)
            where a.kind = 'programme'
            group by all
            having count(distinct a.phase) = 2
        )
        select n.cohort_id, n.role, e.generation, e.department, e.level, n.construct,
               n.item_id, count(*) as n, sum(n.before) as sum_before, sum(n.after) as sum_after
        from answers n
        join pairs using (cohort_id, employee_id, construct)
        join employees e on e.employee_id = n.employee_id
        where n.before is not null and n.after is not null
        group by all
    """))


def _item_texts(store: Store) -> pd.DataFrame:
    return memo.remembered(store, ("item_texts",), lambda: store.query(
        "select item_id, text, reverse_coded from items"))


def warm(store: Store) -> None:
    """Build the item cube now (the dashboard's background warm-up)."""
    _item_cube(store)
    _item_texts(store)


def changes_all(store: Store, filters: Filters) -> pd.DataFrame:
    """Paired change of every before/after construct, for the cohort and role in view."""
    frame = metric_rows(store, filters, "all", "paired_change")
    if frame.empty:
        return frame
    return frame[frame["role"] == (filters.role or "all")].reset_index(drop=True)
