"""Expected figures for the independent company, computed straight from its generating tables.

Never imports ``analysis``: the definitions are crossgen's documented ones (docs/methods.md,
DESIGN.md), computed here with scipy, statsmodels and lifelines called directly (and numpy for
Cronbach's alpha and Greenwood's variance, by their textbook formulas). Run
``python -m tests.independent.oracle`` to rewrite ``tests/independent/expected.json``; the test
suite checks that the committed file is what this script gives.

Definitions used (docs/methods.md):
- construct score: mean of the answered items after reverse-coding (x' = min + max − x), kept
  when at least half of the construct's items in that administration were answered (an item is
  in an administration when anyone answered it); only finished, non-preview responses count;
- a cohort runs from its earliest connection start to its latest close; its *before* pulse is
  the latest one closed (last submission) on or before the start, its *after* pulse the earliest
  opened (first submission) on or after the end;
- paired figures on people with a score both before and after; top-2-box at ≥ 4 on 1–5
  constructs, McNemar exact when b + c < 25, else chi-square with continuity correction;
- eNPS = % promoters (9–10) − % detractors (0–6); the change's point estimate and its exact
  paired permutation p (sign flips enumerated by convolution), not its bootstrap CI (which
  differs between implementations);
- DiD: the cohort's participants (of the role) against everyone in no cohort, people with a score
  in both waves, ``y ~ treat * post`` OLS, cluster-robust by person, ``use_t=True``; effect size
  b3 over the pooled within-arm SD before;
- retention: everyone employed on the cohort's start (hired on or before it, not gone before
  it); days to a voluntary exit (event), involuntary exits censored at their date, the rest at
  the roster's as-of date (its latest date); KM S(365), Greenwood SE, log-log CI; log-rank; Cox
  HR with Efron ties;
- Cronbach's alpha per construct × administration × role on the cohort's participants, for its
  programme surveys and its before and after pulses, on complete cases (every item anyone in
  the cell answered), ddof = 1;
- engagement: held sessions per pair (none = 0), share of scheduled sessions cancelled or no
  show (Wilson CI), share of pairs with 3+ held sessions (Wilson CI); n = pairs.
"""

from __future__ import annotations

import json
import math
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats
import statsmodels.formula.api as smf
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

from tests.independent.make_company import (
    COHORTS,
    PROGRAMME_QUESTIONS,
    PULSE_QUESTIONS,
    PULSES,
    SEED,
    Company,
    build_company,
)

EXPECTED = Path(__file__).with_name("expected.json")
ROLES = ("mentor", "mentee", "all")
PULSE_CONSTRUCTS = ["enps", "inclusion", "intergenerational", "satisfaction.job"]
PROGRAMME_CONSTRUCTS = ["skills.digital", "skills.leadership"]
POST_ONLY = ["satisfaction.program"]
QUESTIONS = {q.item: q for q in PULSE_QUESTIONS + PROGRAMME_QUESTIONS}
# The administrations' names as the user's mapping files give them.
PROGRAMME_NAME = "Harbourline programme survey {cohort} {phase}"


def admin_name(admin: str, company: Company) -> str:
    row = company.administrations.set_index("admin").loc[admin]
    if row["kind"] == "pulse":
        return admin
    return PROGRAMME_NAME.format(cohort=row["cohort_id"], phase=row["phase"])


# --- scores ----------------------------------------------------------------------------------

def construct_scores(company: Company) -> pd.DataFrame:
    """admin, employee_id, construct, score — one row per kept score."""
    kept = company.answers[company.answers["finished"] & ~company.answers["preview"]]
    frames = []
    for admin, answers in kept.groupby("admin", sort=True):
        items = [i for i in QUESTIONS if i in answers and answers[i].notna().any()]
        by_construct: dict[str, list[str]] = {}
        for item in items:
            by_construct.setdefault(QUESTIONS[item].construct, []).append(item)
        for construct, members in sorted(by_construct.items()):
            values = np.column_stack([_recoded(answers[i].to_numpy(float), QUESTIONS[i])
                                      for i in members])
            answered = (~np.isnan(values)).sum(axis=1)
            keep = (answered > 0) & (2 * answered >= len(members))
            score = np.nansum(values[keep], axis=1) / answered[keep]
            frames.append(pd.DataFrame({"admin": admin, "employee_id":
                                        answers["employee_id"].to_numpy()[keep],
                                        "construct": construct, "score": score}))
    return pd.concat(frames, ignore_index=True)


def _recoded(values: np.ndarray, q: Any) -> np.ndarray:
    top = q.minimum + len(q.labels) - 1
    return q.minimum + top - values if q.reverse else values


def cohort_dates(company: Company) -> dict[str, tuple[date, date]]:
    p = company.pairs
    return {c: (min(g["start_date"]), max(g["closed_on"])) for c, g in p.groupby("cohort_id")}


def pulse_waves(company: Company) -> dict[str, tuple[str, str]]:
    kept = company.answers[company.answers["finished"] & ~company.answers["preview"]]
    pulse = kept[kept["admin"].isin([w.admin for w in PULSES])]
    span = pulse.groupby("admin")["submitted"].agg(["min", "max"])
    waves = {}
    for cohort, (start, end) in cohort_dates(company).items():
        closed = span[span["max"].dt.date <= start]
        opened = span[span["min"].dt.date >= end]
        waves[cohort] = (str(closed["max"].idxmax()), str(opened["min"].idxmin()))
    return waves


def members(company: Company, cohort: str, role: str) -> set[str]:
    p = company.pairs[company.pairs["cohort_id"] == cohort]
    ids: list[str] = []
    if role in ("mentor", "all"):
        ids += list(p["mentor_id"])
    if role in ("mentee", "all"):
        ids += list(p["mentee_id"])
    return set(ids)


def outsiders(company: Company) -> set[str]:
    inside = set(company.pairs["mentor_id"]) | set(company.pairs["mentee_id"])
    return set(company.employees["employee_id"]) - inside


def paired(scores: pd.DataFrame, before: str, after: str, construct: str,
           people: set[str]) -> pd.DataFrame:
    mine = scores[(scores["construct"] == construct) & scores["employee_id"].isin(people)]
    b = mine[mine["admin"] == before].set_index("employee_id")["score"]
    a = mine[mine["admin"] == after].set_index("employee_id")["score"]
    both = pd.concat([b.rename("before"), a.rename("after")], axis=1, join="inner")
    return both.sort_index()


# --- statistics ------------------------------------------------------------------------------

def paired_change(before: np.ndarray, after: np.ndarray) -> dict[str, Any]:
    d = after - before
    test = scipy.stats.ttest_rel(after, before)
    ci = test.confidence_interval(0.95)
    return {"n": len(d), "estimate": float(d.mean()), "ci_low": float(ci.low),
            "ci_high": float(ci.high), "p_value": float(test.pvalue),
            "effect_size": float(d.mean() / d.std(ddof=1)),
            "wilcoxon_p": float(scipy.stats.wilcoxon(d, zero_method="pratt").pvalue)}


def top2box(before: np.ndarray, after: np.ndarray) -> dict[str, Any]:
    n = len(before)
    b = int(((before < 4) & (after >= 4)).sum())
    c = int(((before >= 4) & (after < 4)).sum())
    estimate = (b - c) / n
    se = math.sqrt((b + c) - (b - c) ** 2 / n) / n
    z = scipy.stats.norm.ppf(0.975)
    table = [[0, b], [c, 0]]
    if b + c == 0:  # no discordant pairs: no information about change (methods.md)
        return {"n": n, "estimate": 0.0, "ci_low": None, "ci_high": None, "p_value": None,
                "effect_size": None, "discordant_up": 0, "discordant_down": 0}
    p = mcnemar(table, exact=b + c < 25, correction=True).pvalue
    return {"n": n, "estimate": estimate, "ci_low": estimate - z * se,
            "ci_high": estimate + z * se, "p_value": float(p),
            "effect_size": b / c if c else float("nan"), "discordant_up": b,
            "discordant_down": c}


def enps_change(before: np.ndarray, after: np.ndarray) -> dict[str, Any]:
    """Point estimate (its bootstrap CI is not comparable across implementations) and the exact
    paired permutation p: each person's two answers swapped or not, all 2^n equally likely."""
    def category(x: np.ndarray) -> np.ndarray:
        return np.where(x >= 9, 1, np.where(x <= 6, -1, 0))
    b, a = category(before), category(after)
    return {"n": len(before), "estimate": 100 * float(a.mean() - b.mean()),
            "enps_before": 100 * float(b.mean()), "enps_after": 100 * float(a.mean()),
            "p_value": sign_flip_p(a - b)}


def sign_flip_p(d: np.ndarray) -> float:
    """Two-sided p of sum(d) under random signs, by convolving each person's ±|d| (exact)."""
    dist = np.array([1.0])
    for v in np.abs(d[d != 0]).astype(int):
        wider = np.zeros(len(dist) + 2 * v)
        wider[: len(dist)] += dist / 2
        wider[2 * v:] += dist / 2
        dist = wider
    sums = np.arange(len(dist)) - (len(dist) - 1) // 2
    return float(min(1.0, dist[np.abs(sums) >= abs(int(d.sum()))].sum()))


def mean_ci(values: np.ndarray) -> dict[str, Any]:
    ci = scipy.stats.ttest_1samp(values, 0.0).confidence_interval(0.95)
    return {"n": len(values), "estimate": float(values.mean()), "ci_low": float(ci.low),
            "ci_high": float(ci.high)}


def did(treated: pd.DataFrame, comparison: pd.DataFrame) -> dict[str, Any]:
    long = pd.concat([
        pd.DataFrame({"person": f.index, "treat": t, "post": p, "y": f[col].to_numpy()})
        for f, t in ((treated, 1), (comparison, 0))
        for col, p in (("before", 0), ("after", 1))], ignore_index=True)
    fit = smf.ols("y ~ treat * post", data=long).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(long["person"])[0]}, use_t=True)
    low, high = fit.conf_int(0.05).loc["treat:post"]
    nt, nc = len(treated), len(comparison)
    pooled = math.sqrt(((nt - 1) * treated["before"].var(ddof=1)
                        + (nc - 1) * comparison["before"].var(ddof=1)) / (nt + nc - 2))
    estimate = float(fit.params["treat:post"])
    return {"n": nt + nc, "n_treated": nt, "n_comparison": nc, "estimate": estimate,
            "ci_low": float(low), "ci_high": float(high),
            "p_value": float(fit.pvalues["treat:post"]), "effect_size": estimate / pooled}


def retention_population(company: Company, cohort: str, people: set[str]) -> pd.DataFrame:
    start = cohort_dates(company)[cohort][0]
    e = company.employees[company.employees["employee_id"].isin(people)]
    employed = (e["hire_date"] <= start) & e["termination_date"].map(
        lambda d: d is None or d >= start)
    e = e[employed]
    as_of = company.as_of
    end = e["termination_date"].map(lambda d: d if d is not None and d <= as_of else as_of)
    event = [int(t == "voluntary" and d is not None and d <= as_of)
             for t, d in zip(e["termination_type"], e["termination_date"], strict=True)]
    return pd.DataFrame({"duration": [(x - start).days for x in end], "event": event},
                        index=e["employee_id"]).sort_index()


def km_at(arm: pd.DataFrame, t: int = 365) -> dict[str, Any]:
    from lifelines import KaplanMeierFitter
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        km = KaplanMeierFitter().fit(arm["duration"], arm["event"])
        estimate = float(km.predict(t))
        band = km.confidence_interval_survival_function_
        row = band[band.index <= t].iloc[-1]
    # Greenwood by hand: the same step value, and its SE for the difference's test
    times = np.sort(arm.loc[arm["event"] == 1, "duration"].unique())
    times = times[times <= t]
    d = np.array([((arm["duration"] == s) & (arm["event"] == 1)).sum() for s in times])
    n = np.array([(arm["duration"] >= s).sum() for s in times])
    surv = float(np.prod(1 - d / n))
    if abs(surv - estimate) > 1e-12:
        raise ValueError("lifelines and the hand-computed Kaplan–Meier step disagree")
    se = surv * math.sqrt(float(np.sum(d / (n * (n - d)))))
    return {"n": len(arm), "estimate": estimate, "ci_low": float(row.iloc[0]),
            "ci_high": float(row.iloc[1]), "se": se}


def survival_tests(treated: pd.DataFrame, comparison: pd.DataFrame) -> dict[str, dict[str, Any]]:
    from lifelines import CoxPHFitter
    from lifelines.statistics import logrank_test
    s1, s0 = km_at(treated), km_at(comparison)
    diff = s1["estimate"] - s0["estimate"]
    se = math.sqrt(s1["se"] ** 2 + s0["se"] ** 2)
    z = scipy.stats.norm.ppf(0.975)
    frame = pd.concat([treated.assign(treat=1), comparison.assign(treat=0)], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logrank = logrank_test(treated["duration"], comparison["duration"], treated["event"],
                               comparison["event"])
        cox = CoxPHFitter().fit(frame, "duration", "event").summary.loc["treat"]
    n = len(treated) + len(comparison)
    both = {"n_treated": len(treated), "n_comparison": len(comparison)}
    # crossgen's rule: an arm with no exits by t has a Greenwood SE of 0 and no reliable CI,
    # and with no events at all the hazard ratio is not estimable (0 or infinite)
    flat = min(treated.loc[treated["duration"] <= 365, "event"].sum(),
               comparison.loc[comparison["duration"] <= 365, "event"].sum()) == 0
    if flat:
        s1["ci_low"] = s1["ci_high"] = s1["estimate"] if s1["se"] == 0 else s1["ci_low"]
        diff_ci: dict[str, Any] = {"ci_low": None, "ci_high": None, "p_value": None}
    else:
        diff_ci = {"ci_low": diff - z * se, "ci_high": diff + z * se,
                   "p_value": float(2 * scipy.stats.norm.sf(abs(diff / se)))}
    no_events = min(treated["event"].sum(), comparison["event"].sum()) == 0
    hr: dict[str, Any] = (
        {"estimate": None, "ci_low": None, "ci_high": None, "p_value": None} if no_events
        else {"estimate": float(cox["exp(coef)"]), "ci_low": float(cox["exp(coef) lower 95%"]),
              "ci_high": float(cox["exp(coef) upper 95%"]), "p_value": float(cox["p"])})
    return {
        "retention_12m": {k: v for k, v in s1.items() if k != "se"},
        "retention_12m_comparison": {k: v for k, v in s0.items() if k != "se"},
        "retention_diff_12m": {"n": n, **both, "estimate": diff, **diff_ci},
        "logrank": {"n": n, **both, "p_value": float(logrank.p_value)},
        "cox_hr": {"n": n, **both, **hr},
    }


def cronbach(answers: pd.DataFrame, items: list[str]) -> dict[str, Any]:
    """Alpha on complete cases of every item anyone here answered (ddof = 1)."""
    asked = [i for i in items if answers[i].notna().any()]
    values = np.column_stack([_recoded(answers[i].to_numpy(float), QUESTIONS[i])
                              for i in asked])
    complete = values[~np.isnan(values).any(axis=1)]
    k = len(asked)
    alpha = k / (k - 1) * (1 - complete.var(axis=0, ddof=1).sum()
                           / complete.sum(axis=1).var(ddof=1))
    return {"n": len(complete), "items": k, "estimate": float(alpha)}


def engagement(company: Company, cohort: str) -> dict[str, dict[str, Any]]:
    pairs = company.pairs[company.pairs["cohort_id"] == cohort]
    m = company.meetings[company.meetings["pair_id"].isin(pairs["pair_id"])]
    held = m[m["status"] == "Completed"].groupby("pair_id").size()
    per_pair = pairs["pair_id"].map(held).fillna(0).to_numpy(float)
    missed = int(m["status"].isin(["Cancelled", "No Show"]).sum())
    three = int((per_pair >= 3).sum())
    n = len(pairs)
    lo_c, hi_c = proportion_confint(missed, len(m), method="wilson")
    lo_3, hi_3 = proportion_confint(three, n, method="wilson")
    return {
        "sessions_held": {**mean_ci(per_pair), "total_held": int(per_pair.sum())},
        "cancellation_rate": {"n": n, "estimate": missed / len(m), "ci_low": float(lo_c),
                              "ci_high": float(hi_c), "n_sessions": len(m)},
        "share_pairs_3plus": {"n": n, "estimate": three / n, "ci_low": float(lo_3),
                              "ci_high": float(hi_3), "count": three},
    }


# --- assembling ------------------------------------------------------------------------------

def figures(company: Company) -> list[dict[str, Any]]:
    scores = construct_scores(company)
    waves = pulse_waves(company)
    out: list[dict[str, Any]] = []

    def add(metric: str, outcome: str, cohort: str, role: str, values: dict[str, Any],
            **labels: Any) -> None:
        out.append({"metric": metric, "outcome": outcome, "cohort": cohort, "role": role,
                    **labels, **values})

    comparison = outsiders(company)
    for c in COHORTS:
        cohort = c.cohort_id
        before, after = waves[cohort]
        pre, post = f"programme_{cohort}_pre", f"programme_{cohort}_post"
        sources = [("pulse", before, after, PULSE_CONSTRUCTS),
                   ("programme", pre, post, PROGRAMME_CONSTRUCTS)]
        for role in ROLES:
            people = members(company, cohort, role)
            for source, b_admin, a_admin, constructs in sources:
                names = {"source": source,
                         "administration_before": admin_name(b_admin, company),
                         "administration_after": admin_name(a_admin, company)}
                for construct in constructs:
                    both = paired(scores, b_admin, a_admin, construct, people)
                    x, y = both["before"].to_numpy(), both["after"].to_numpy()
                    add("paired_change", construct, cohort, role, paired_change(x, y), **names)
                    if construct == "enps":
                        add("enps_change", construct, cohort, role, enps_change(x, y), **names)
                    else:
                        add("top2box_change", construct, cohort, role, top2box(x, y), **names)
                    if source == "pulse":
                        outside = paired(scores, b_admin, a_admin, construct, comparison)
                        add("did", construct, cohort, role, did(both, outside))
            sat = scores[(scores["admin"] == post) & (scores["construct"] == "satisfaction.program")
                         & scores["employee_id"].isin(people)]
            add("mean", "satisfaction.program", cohort, role,
                mean_ci(sat.sort_values("employee_id")["score"].to_numpy()), source="programme",
                administration_after=admin_name(post, company))
            arms = survival_tests(retention_population(company, cohort, people),
                                  retention_population(company, cohort, comparison))
            for metric, values in arms.items():
                if metric == "retention_12m_comparison":
                    if role == "all":  # the comparison arm is the same for every role
                        add("retention_12m", "retention", cohort, "comparison", values)
                    continue
                add(metric, "retention", cohort, role, values)
        # engagement counts pairs: without a slice every role's view holds all of them, and
        # crossgen reports it once, for role 'all'
        for metric, values in engagement(company, cohort).items():
            add(metric, "engagement", cohort, "all", values)
        out.extend(_alphas(company, cohort, (pre, post), PROGRAMME_QUESTIONS))
        out.extend(_alphas(company, cohort, (before, after), PULSE_QUESTIONS))
    return out


def _alphas(company: Company, cohort: str, admins: tuple[str, str],
            questions: list[Any]) -> list[dict[str, Any]]:
    """Per construct × administration × role (mentor, mentee, all) on the cohort's
    participants: its programme surveys, and the pulses that are its before and after."""
    kept = company.answers[company.answers["finished"] & ~company.answers["preview"]]
    rows = []
    for admin in admins:
        answers = kept[kept["admin"] == admin]
        for construct in sorted({q.construct for q in questions}):
            items = [q.item for q in questions if q.construct == construct]
            if sum(answers[i].notna().any() for i in items) < 2:
                continue
            for role in ROLES:
                people = members(company, cohort, role)
                rows.append({"metric": "cronbach_alpha", "outcome": construct, "cohort": cohort,
                             "role": role, "administration": admin_name(admin, company),
                             **cronbach(answers[answers["employee_id"].isin(people)], items)})
    return rows


def expected(seed: int = SEED) -> dict[str, Any]:
    company = build_company(seed)
    dates = cohort_dates(company)
    waves = pulse_waves(company)
    return {
        "seed": seed,
        "as_of": company.as_of.isoformat(),
        "cohorts": {c: {"start_date": s.isoformat(), "end_date": e.isoformat(),
                        "before": waves[c][0], "after": waves[c][1]}
                    for c, (s, e) in sorted(dates.items())},
        "tolerance": {"estimate": 1e-6, "p_value": 1e-4},
        "figures": figures(company),
    }


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def dumps(payload: dict[str, Any]) -> str:
    return json.dumps(_clean(payload), indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    EXPECTED.write_text(dumps(expected()), encoding="utf-8")
    print(EXPECTED)
