"""One plain-language sentence per headline result, shared by the dashboard and the slides.

``sentence(row)`` takes one row of :func:`analysis.metrics.registry.results` (after privacy) and
says what it means, with its n and 95% CI, and whether it holds up after adjusting for multiple
comparisons. Suppressed rows, rows that could not be estimated and cohorts too small to detect a
moderate effect are said so in words, never with a hidden number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from analysis.report.labels import money
from analysis.stats.effect_words import effect_size_label
from analysis.store.codebook import CONSTRUCTS, ITEMS

ALPHA = 0.05
ROLE_OWNER = {"mentee": "Mentees'", "mentor": "Mentors'", "all": "Participants'",
              "comparison": "The comparison group's"}
ROLE_PEOPLE = {"mentee": "mentees", "mentor": "mentors", "all": "participants",
               "comparison": "the comparison group"}
SCALE = {i.construct: (i.scale_min, i.scale_max) for i in ITEMS}


def _num(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def _ok(*values: Any) -> bool:
    return all(math.isfinite(_num(v)) for v in values)


def _label(outcome: str) -> str:
    text = CONSTRUCTS.get(outcome, outcome.replace("_", " ").replace(".", " "))
    return text if text.startswith("eNPS") else text[0].lower() + text[1:]


def _scale(outcome: str) -> str:
    low, high = SCALE.get(outcome, (1, 5))
    return f"a {high:g}-point scale" if low == 1 else f"a {low:g}–{high:g} scale"


def _p(row: Mapping[str, Any]) -> float:
    adjusted = _num(row.get("p_adjusted"))
    return adjusted if math.isfinite(adjusted) else _num(row.get("p_value"))


def _significance(row: Mapping[str, Any]) -> str:
    p = _p(row)
    if not math.isfinite(p):
        return ""
    if p < ALPHA:
        return ", statistically significant after adjusting for multiple comparisons"
    return "; this could be chance (not significant after adjusting for multiple comparisons)"


def _ci(row: Mapping[str, Any], fmt: Callable[[float], str]) -> str:
    if not _ok(row.get("ci_low"), row.get("ci_high")):
        return "no confidence interval"
    return f"95% CI {fmt(_num(row['ci_low']))} to {fmt(_num(row['ci_high']))}"


def _n(row: Mapping[str, Any], unit: str = "") -> str:
    return f"n = {int(_num(row['n']))}{unit}"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _signed(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace("-", "−")


def _one(x: float) -> str:
    return _signed(x, 1)


def _whole(x: float) -> str:
    return _signed(x, 0)


def _paired(row: Mapping[str, Any]) -> str:
    est = _num(row["estimate"])
    verb = "rose" if est > 0 else "fell" if est < 0 else "did not change,"
    words = effect_size_label(_num(row.get("effect_size")))
    text = (f"{ROLE_OWNER.get(row['role'], 'Participants’')} {_label(row['outcome'])} {verb} "
            f"{abs(est):.2f} points on {_scale(row['outcome'])} "
            f"({_ci(row, _signed)}, {_n(row)})")
    text += f", a {words} effect" if words and _p(row) < ALPHA else ""
    text += _significance(row) if _p(row) >= ALPHA else ""
    # a significant change was detected anyway; otherwise say when n was too small to tell
    note = str(row.get("power_note") or "") if not _p(row) < ALPHA else ""
    return text + "." + (f" {note}" if note else "")


def _did(row: Mapping[str, Any]) -> str:
    est = _num(row["estimate"])
    more = "more" if est >= 0 else "less"
    weighted = " (propensity-weighted)" if row["metric"] == "did_weighted" else ""
    return (f"Compared with non-participants{weighted}, "
            f"{ROLE_OWNER.get(row['role'], 'Participants’').lower()} {_label(row['outcome'])} "
            f"rose {abs(est):.2f} points {more} ({_ci(row, _signed)}; "
            f"{int(_num(row.get('n_treated')))} participants, "
            f"{int(_num(row.get('n_comparison')))} in the comparison group)"
            f"{_significance(row)}.")


def _top2(row: Mapping[str, Any]) -> str:
    before, after = _num(row.get("share_before")), _num(row.get("share_after"))
    people = ROLE_PEOPLE.get(row["role"], "participants")
    return (f"The share of {people} scoring 4 or 5 on {_label(row['outcome'])} went from "
            f"{_pct(before)} to {_pct(after)} ({_ci(row, _pct)} for the change, {_n(row)})"
            f"{_significance(row)}.")


def _enps(row: Mapping[str, Any]) -> str:
    est = _num(row["estimate"])
    return (f"{ROLE_OWNER.get(row['role'], 'Participants’')} eNPS "
            f"{'rose' if est >= 0 else 'fell'} {abs(est):.0f} points, from "
            f"{_signed(_num(row.get('enps_before')), 0)} to "
            f"{_signed(_num(row.get('enps_after')), 0)} "
            f"({_ci(row, lambda x: _signed(x, 0))}, {_n(row)}){_significance(row)}.")


def _mean(row: Mapping[str, Any]) -> str:
    people = ROLE_PEOPLE.get(row["role"], "participants").capitalize()
    _low, high = SCALE.get(row["outcome"], (1, 5))
    return (f"{people} rated {_label(row['outcome'])} {_num(row['estimate']):.2f} out of "
            f"{high:g} on average ({_ci(row, _signed)}, {_n(row)}).")


def _retention(row: Mapping[str, Any]) -> str:
    people = ROLE_PEOPLE.get(row["role"], "participants")
    return (f"{_pct(_num(row['estimate']))} of {people} were still employed 12 months after "
            f"the cohort started ({_ci(row, _pct)}, {_n(row)}).")


def _retention_diff(row: Mapping[str, Any]) -> str:
    est = 100 * _num(row["estimate"])
    people = ROLE_PEOPLE.get(row["role"], "participants")
    return (f"12-month retention of {people} was {abs(est):.1f} percentage points "
            f"{'higher' if est >= 0 else 'lower'} than the comparison group's "
            f"({_ci(row, lambda x: _signed(100 * x, 1))} points){_significance(row)}.")


def _cox(row: Mapping[str, Any]) -> str:
    people = ROLE_PEOPLE.get(row["role"], "participants").capitalize()
    return (f"{people} left voluntarily at {_num(row['estimate']):.2f} times the rate of the "
            f"comparison group (hazard ratio, {_ci(row, _signed)}){_significance(row)}.")


def _roi(row: Mapping[str, Any]) -> str:
    share = _num(row.get("replacement_share_base"))
    return (f"Net value of the programme: {money(_num(row['estimate']))} in the base scenario "
            f"(replacement cost {_pct(share)} of salary), ranging from "
            f"{money(_num(row['ci_low']))} to {money(_num(row['ci_high']))} over the low to high "
            f"scenarios and the 95% CI of the retention difference, after a programme cost of "
            f"{money(_num(row.get('programme_cost')))}.")


def _engagement(row: Mapping[str, Any]) -> str:
    est, n = _num(row["estimate"]), int(_num(row["n"]))
    metric = row["metric"]
    if metric == "sessions_held":
        return f"Pairs held {est:.1f} sessions on average ({_ci(row, _one)}, {n} pairs)."
    if metric == "minutes_per_pair":
        return f"Pairs met for {est:.0f} minutes on average ({_ci(row, _whole)}, {n} pairs)."
    if metric == "median_sessions_per_pair":
        return f"The typical pair held {est:g} sessions (median of {n} pairs)."
    if metric == "cadence_days":
        return f"Pairs that met more than once met every {est:g} days (median, {n} pairs)."
    if metric == "cancellation_rate":
        return (f"{_pct(est)} of scheduled sessions were cancelled or missed "
                f"({_ci(row, _pct)}).")
    if metric == "share_pairs_3plus":
        return f"{_pct(est)} of pairs held at least 3 sessions ({_ci(row, _pct)}, {n} pairs)."
    return (f"{_pct(est)} of pairs ({int(_num(row.get('count')))} of {n}) had stalled: no held "
            f"session in the last 45 days.")


def _dose(row: Mapping[str, Any]) -> str:
    return (f"Each additional held session went with a {_signed(_num(row['estimate']))}-point "
            f"gain in {_label(row['outcome']) if row['outcome'] != 'skills' else 'own skills'} "
            f"({_ci(row, _signed)}, {_n(row)}; Spearman ρ = "
            f"{_signed(_num(row.get('effect_size')))}){_significance(row)}.")


def _alpha(row: Mapping[str, Any]) -> str:
    est = _num(row["estimate"])
    pulse = "pulse wave " + ("before" if row.get("phase") == "pre" else "after") + " the programme"
    phase = (f" ({pulse}, {row['administration_id']})" if row.get("source") == "pulse"
             else f" ({row['phase']} survey)" if row.get("phase") else "")
    text = (f"{_label(row['outcome']).capitalize()}{phase}: Cronbach's alpha {est:.2f} "
            f"({_ci(row, _signed)}, {_n(row)})")
    if est < 0.7:
        return text + ", below the usual 0.7: read this construct with care."
    return text + ", reliable."


WRITERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "paired_change": _paired, "did": _did, "did_weighted": _did, "top2box_change": _top2,
    "enps_change": _enps, "mean": _mean, "retention_12m": _retention,
    "retention_diff_12m": _retention_diff, "cox_hr": _cox, "roi": _roi,
    "dose_response": _dose, "cronbach_alpha": _alpha,
    **{m: _engagement for m in ("sessions_held", "minutes_per_pair", "median_sessions_per_pair",
                                "cadence_days", "cancellation_rate", "share_pairs_3plus",
                                "stalled_pairs")},
}


def _prefix(row: Mapping[str, Any]) -> str:
    group = row.get("group") or {}
    return "".join(f"{value} ({key}): " for key, value in dict(group).items())


def sentence(row: Mapping[str, Any]) -> str:
    """The plain-language sentence for one result row."""
    what = f"{_label(str(row.get('outcome', '')))} ({row.get('metric')})"
    people = ROLE_PEOPLE.get(str(row.get("role")), "participants")
    if bool(row.get("suppressed")):
        return (_prefix(row) + f"Not shown for {people}: {what} describes fewer than the "
                "minimum number of people, so it is hidden to protect privacy.")
    if row.get("metric") == "logrank":
        p = _num(row.get("p_value"))
        if not math.isfinite(p):
            return _prefix(row) + "The retention curves could not be compared (no exits)."
        differ = "differ" if _p(row) < ALPHA else "do not clearly differ"
        return (_prefix(row) + f"The retention curves of {people} and the comparison group "
                f"{differ} (log-rank p = {p:.3g}, adjusted {_p(row):.3g}).")
    if not _ok(row.get("estimate")):
        reason = str(row.get("method", "")).partition(" — ")[2] or "too little data"
        return _prefix(row) + f"{what.capitalize()} could not be estimated for {people}: {reason}."
    writer = WRITERS.get(str(row.get("metric")))
    if writer is None:
        return (_prefix(row) + f"{what.capitalize()}: {_num(row['estimate']):.2f} "
                f"({_ci(row, _signed)}, {_n(row)}).")
    return _prefix(row) + writer(row) + _pulse_source(row)


def _pulse_source(row: Mapping[str, Any]) -> str:
    """Where a before/after row comes from the org-wide pulse, the sentence says so."""
    if row.get("source") != "pulse" or row.get("metric") == "cronbach_alpha":
        return ""
    before, after = row.get("administration_before"), row.get("administration_after")
    waves = f" ({before} → {after})" if isinstance(before, str) and isinstance(after, str) \
        else ""
    return f" Measured in the org-wide pulse survey{waves}."


def sentences(frame: pd.DataFrame) -> pd.Series:
    """:func:`sentence` for every row of a results frame (same index)."""
    return pd.Series([sentence(r) for r in frame.to_dict("records")], index=frame.index,
                     dtype=object)


# -- the answer in one line (Overview, board pack) -----------------------------------------------

SCENARIOS = ("low", "base", "high")


def roi_verdict(row: Mapping[str, Any]) -> str:
    """Whether the programme pays off, read from the ROI range: which replacement-cost
    scenarios come out positive at the measured retention difference, and what the rest lose."""
    nets = {s: _num(row.get(f"net_{s}")) for s in SCENARIOS}
    worst = _num(row.get("ci_low"))
    if not all(math.isfinite(v) for v in nets.values()):
        return ""
    if math.isfinite(worst) and worst > 0:
        return ("Pays off under every assumption, even at the low end of the retention "
                "difference's 95% CI.")
    paying = [s for s in SCENARIOS if nets[s] > 0]
    if len(paying) == 3:
        return (f"Pays off in all three replacement-cost scenarios; at the low end of the "
                f"retention difference's 95% CI it could lose {money(-worst, short=True)}.")
    if not paying:
        return (f"Does not pay off in any scenario: the base scenario loses "
                f"{money(-nets['base'], short=True)}.")
    losing = [s for s in SCENARIOS if s not in paying]
    return (f"Pays off in the {' and '.join(paying)} scenario{'s' if len(paying) > 1 else ''}; "
            f"the {' and '.join(losing)} scenario{'s' if len(losing) > 1 else ''} "
            f"lose{'' if len(losing) > 1 else 's'} {money(-nets[losing[0]], short=True)}"
            f"{' or more' if len(losing) > 1 else ''}.")


def roi_drivers(row: Mapping[str, Any]) -> str:
    """What the ROI range is made of, in one line."""
    diff, low, high = (_num(row.get(k)) for k in ("retention_diff", "retention_diff_ci_low",
                                                   "retention_diff_ci_high"))
    exits = [_num(row.get(k)) for k in ("avoided_exits", "avoided_exits_low",
                                        "avoided_exits_high")]
    shares = " / ".join(_pct(_num(row.get(f"replacement_share_{s}"))) for s in SCENARIOS)
    if not _ok(diff, low, high, *exits, row.get("n_treated"), row.get("mean_salary")):
        return ""
    return (f"What drives this: retention {100 * diff:+.1f} pp vs comparison (95% CI "
            f"{100 * low:.1f} to {100 * high:.1f}) × {int(_num(row['n_treated'])):,} participants "
            f"= {exits[0]:.1f} avoided exits ({exits[1]:.1f} to {exits[2]:.1f}), each costing "
            f"{shares} of a mean salary of {money(_num(row['mean_salary']))} to replace "
            f"(low / base / high), against a programme cost of "
            f"{money(_num(row.get('programme_cost')))}.").replace("-", "−")


def _roi_short(row: Mapping[str, Any]) -> str:
    worst, base, high = (_num(row.get(k)) for k in ("ci_low", "net_base", "net_high"))
    if math.isfinite(worst) and worst > 0:
        return "ROI positive under every assumption"
    if base > 0:
        return "ROI likely positive (positive in the base scenario)"
    if high > 0:
        return "ROI positive only with high replacement costs"
    return "ROI negative in every scenario" if math.isfinite(high) else ""


def _shown(card: Mapping[str, Any]) -> bool:
    return bool(card.get("available")) and not bool(card.get("suppressed")) \
        and _ok(card.get("estimate"))


def _per_cohort_words(card: Mapping[str, Any], what: str) -> str:
    rows = [r for r in card.get("per_cohort") or [] if not bool(r.get("suppressed"))
            and _ok(r.get("estimate"))]
    if not rows:
        return ""
    if card.get("metric") == "roi":
        paying = sum(_num(r["estimate"]) > 0 for r in rows)
        return f"ROI positive in the base scenario in {paying} of {len(rows)} cohorts"
    up = [r for r in rows if _num(r["estimate"]) > 0]
    sig = sum(_num(r.get("p_adjusted")) < ALPHA for r in up)
    return (f"{what} higher than the comparison group in {len(up)} of {len(rows)} cohorts "
            f"(significant in {sig})")


def verdict(cards: list[Mapping[str, Any]], *, scope: str) -> str:
    """The Overview's first line and the board pack's verdict slide: how many headline
    outcomes improved significantly, the retention difference and whether ROI is positive,
    for the people the cards describe (``scope``, e.g. 'all 3 cohorts together')."""
    tested = [c for c in cards if _shown(c) and c.get("metric") != "roi"
              and not c.get("per_cohort") and math.isfinite(_num(c.get("p_adjusted")))]
    improved = [c for c in tested if _num(c["p_adjusted"]) < ALPHA and _num(c["estimate"]) > 0]
    parts = [f"{len(improved)} of {len(tested)} outcomes improved significantly"] \
        if tested else []
    for card in cards:
        if card.get("metric") == "retention_diff_12m":
            if card.get("per_cohort"):
                parts.append(_per_cohort_words(card, "retention"))
            elif _shown(card):
                est = 100 * _num(card["estimate"])
                chance = "" if _num(card.get("p_adjusted")) < ALPHA else " (could be chance)"
                parts.append(f"retention {'up' if est >= 0 else 'down'} {abs(est):.1f} pp vs "
                             f"the comparison group{chance}")
        if card.get("metric") == "roi":
            parts.append(_per_cohort_words(card, "ROI") if card.get("per_cohort")
                         else _roi_short(card) if _shown(card) else "")
    parts = [p for p in parts if p]
    if not parts:
        return f"{scope[:1].upper()}{scope[1:]}: too few people to give a verdict."
    return f"{scope[:1].upper()}{scope[1:]}: " + "; ".join(parts) + "."
