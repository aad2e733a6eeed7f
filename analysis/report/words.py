"""Numbers as a reader sees them on a slide: rounded for display only, significance in words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from analysis.report import labels
from analysis.report.content import SHARE_METRICS, as_number
from analysis.stats.effect_words import effect_size_label

ALPHA = 0.05


def number(value: Any, digits: int = 2, *, signed: bool = False) -> str:
    x = as_number(value)
    if x is None:
        return "—"
    return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"


SIGNED_METRICS = {name for name, shown in labels.METRICS.items() if shown.signed}


def value_text(row: Mapping[str, Any], key: str = "estimate") -> str:
    """An estimate as its metric reads best: shares as %, changes signed, the rest plain."""
    x = as_number(row.get(key))
    if x is None:
        return "—"
    metric = row.get("metric")
    sign = "+" if metric in SIGNED_METRICS else ""
    if metric in SHARE_METRICS:  # a difference of shares is in percentage points
        return f"{x * 100:+.1f} pp" if sign else f"{x * 100:.0f}%"
    if metric == "roi":
        return labels.money(x, signed=True)
    return f"{x:{sign},.2f}" if abs(x) < 1000 else f"{x:{sign},.0f}"


def ci_of(row: Mapping[str, Any]) -> str:
    if as_number(row.get("ci_low")) is None or as_number(row.get("ci_high")) is None:
        return "—"
    span = f"{value_text(row, 'ci_low')} to {value_text(row, 'ci_high')}"
    # ROI: a range over low/high cost assumptions and the retention CI, not a 95% CI.
    return f"range {span}" if row.get("metric") == "roi" else span


def count(value: Any) -> str:
    x = as_number(value)
    return "hidden" if x is None else f"{int(x):,}"


def p_text(value: Any) -> str:
    p = as_number(value)
    if p is None:
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def ci_text(row: Mapping[str, Any], *, signed: bool = False) -> str:
    lo, hi = as_number(row.get("ci_low")), as_number(row.get("ci_high"))
    if lo is None or hi is None:
        return "—"
    return f"{number(lo, signed=signed)} to {number(hi, signed=signed)}"


def significance(row: Mapping[str, Any]) -> str:
    p = as_number(row.get("p_adjusted"))
    if p is None:
        p = as_number(row.get("p_value"))
    if p is None:
        return ""
    if p < ALPHA:
        return f"unlikely to be chance (adjusted p {p_text(p) if p < 0.001 else '= ' + p_text(p)})"
    return f"could be chance (adjusted p = {p_text(p)})"


def _lower_first(text: str) -> str:
    """'Digital skills' -> 'digital skills', but 'eNPS' and 'ROI' stay as they are."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def sentence(row: Mapping[str, Any], *, min_group_size: int) -> str:
    """The stats team's sentence (analysis.pages.sentences) when there is one, else crossgen's
    own."""
    try:
        from analysis.pages.sentences import sentence as shared_sentence
    except ImportError:
        return own_sentence(row, min_group_size=min_group_size)
    return str(shared_sentence(row))


def own_sentence(row: Mapping[str, Any], *, min_group_size: int) -> str:
    """One plain-language sentence for a result row (who, what, how sure, how many)."""
    who = str(row.get("role_label") or "Participants")
    what = str(row.get("outcome_label") or row.get("outcome"))
    if bool(row.get("suppressed")) or as_number(row.get("estimate")) is None:
        return (f"{who}, {_lower_first(what)}: not shown, because fewer than {min_group_size} "
                "people are in this group (privacy minimum).")
    estimate = as_number(row.get("estimate"))
    assert estimate is not None
    sure = significance(row)
    if row.get("metric") == "paired_change":
        direction = "rose" if estimate > 0 else "fell" if estimate < 0 else "did not change"
        size = f" by {abs(estimate):.2f} points" if estimate else ""
        whose = who + ("'" if who.endswith("s") else "'s")
        text = (f"{whose} {_lower_first(what)} {direction}{size} from before to after the "
                f"programme (95% CI {ci_text(row, signed=True)})")
    else:
        text = (f"{who}: {_lower_first(str(row.get('metric_label')))} of {_lower_first(what)} is "
                f"{number(estimate)} (95% CI {ci_text(row)})")
    tail = f"; {sure}" if sure else ""
    return f"{text}{tail}. n = {count(row.get('n'))}."


def in_words(row: Mapping[str, Any]) -> str:
    """A headline row's significance and size in words: a p-value does not say an effect is
    real, so 'significant after adjustment' plus the effect size where one is defined."""
    p = as_number(row.get("p_adjusted"))
    if p is None:
        return "—" if labels.metric(str(row.get("metric", ""))).tested else "descriptive"
    if p >= ALPHA:
        return "could be chance"
    size = effect_size_label(as_number(row.get("effect_size"))) \
        if row.get("metric") == "paired_change" else ""
    return f"significant after adjustment; {size} effect" if size else \
        "significant after adjustment"
