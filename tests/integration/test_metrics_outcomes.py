"""Every registry metric for every cohort in `crossgen metrics --json`, and the programme-survey
and engagement numbers against independent references (statsmodels, scipy, hand formulas)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.power import TTestPower

from analysis.metrics import registry as metrics
from analysis.store.db import Store
from analysis.store.filters import SLICE_DIMENSIONS, Filters
from tests.conftest import REPO, run_cli
from tests.integration.test_metrics_cli import _independent_scores

REL = 1e-6
COHORTS = ["C1", "C2", "C3"]


@pytest.fixture(scope="module")
def payload(demo_db: Path) -> dict:
    done = run_cli("metrics", "--db", str(demo_db), "--json", "--adjust", "bh", timeout=900)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def scores(demo_db: Path) -> pd.DataFrame:
    return _independent_scores(demo_db)


def _row(payload: dict, metric: str, cohort: str, role: str, outcome: str | None = None,
         *, source: str = "programme", **extra: object) -> dict:
    """The one unsliced row (of ``source`` where the metric has sources)."""
    found = [r for r in payload["results"] if r["metric"] == metric and r["cohort"] == cohort
             and r["role"] == role and r["group"] == {}
             and (outcome is None or r["outcome"] == outcome)
             and r.get("source") in (None, source)
             and all(r.get(k) == v for k, v in extra.items())]
    assert len(found) == 1, (metric, cohort, role, outcome, extra, len(found))
    return found[0]


def test_every_metric_for_every_cohort(payload: dict) -> None:
    shown = {(r["metric"], r["cohort"]) for r in payload["results"] if not r["suppressed"]}
    for name in metrics.DEFAULT_METRICS:
        for cohort in COHORTS:
            assert (name, cohort) in shown, (name, cohort)
    for row in payload["results"]:
        assert row["adjustment"] == "Benjamini–Hochberg"
        if row["p_value"] is not None and not row["suppressed"]:
            assert row["p_adjusted"] >= row["p_value"] - 1e-12


def test_docs_describe_every_metric() -> None:
    text = (REPO / "docs" / "methods.md").read_text(encoding="utf-8")
    headings = {line[3:].split(" ")[0].strip() for line in text.splitlines()
                if line.startswith("## ")}
    missing = [name for name in metrics.REGISTRY if name not in headings]
    assert not missing, f"docs/methods.md has no section for {missing}"


@pytest.mark.parametrize("by", SLICE_DIMENSIONS)
def test_by_every_dimension(demo_db: Path, by: str) -> None:
    with Store(demo_db, read_only=True) as store:
        frame = metrics.results(store, Filters(cohort="C1"), by=by)
    assert set(frame["metric"]) == set(metrics.DEFAULT_METRICS)
    if by == "role":
        assert set(frame["role"]) <= {"mentor", "mentee", "comparison"}
        assert all(g == {} for g in frame["group"])
    else:
        assert all(set(g) == {by} for g in frame["group"])
        with Store(demo_db, read_only=True) as store:
            values = store.query(f"select distinct {by} as v from employees")["v"]  # noqa: S608
        assert {g[by] for g in frame["group"]} <= set(values)
    shown = frame[~frame["suppressed"].astype(bool)]
    assert (shown["n"] >= 5).all()
    assert frame.loc[frame["suppressed"].astype(bool), "estimate"].isna().all()


def test_cli_by_generation(demo_db: Path) -> None:
    done = run_cli("metrics", "--db", str(demo_db), "--json", "--cohort", "C2", "--by",
                   "generation", "--metric", "did", "--metric", "sessions_held", timeout=900)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["results"]
    assert {r["metric"] for r in rows} == {"did", "sessions_held"}
    assert all("generation" in r["group"] for r in rows)


def test_paired_rows_carry_power(payload: dict) -> None:
    row = _row(payload, "paired_change", "C1", "mentee", "skills.digital")
    # Reference: statsmodels TTestPower solved for the effect size at 80% power
    mde = TTestPower().solve_power(effect_size=None, nobs=row["n"], alpha=0.05, power=0.8)
    assert row["mde"] == pytest.approx(mde, rel=REL)
    assert (row["power_note"] == "") == (mde <= 0.5)


def test_top2box_matches_mcnemar(payload: dict, scores: pd.DataFrame) -> None:
    for cohort in COHORTS:
        part = scores[(scores["cohort_id"] == cohort) & (scores["construct"] == "inclusion")]
        part = part.dropna(subset=["pre", "post"])
        row = _row(payload, "top2box_change", cohort, "all", "inclusion")
        before, after = part["pre"] >= 4, part["post"] >= 4
        table = [[int((before & after).sum()), int((before & ~after).sum())],
                 [int((~before & after).sum()), int((~before & ~after).sum())]]
        discordant = table[0][1] + table[1][0]
        # Reference: statsmodels mcnemar (exact below 25 discordant pairs)
        ref = mcnemar(table, exact=discordant < 25, correction=True)
        assert row["n"] == len(part)
        assert row["estimate"] == pytest.approx(after.mean() - before.mean(), rel=1e-9)
        assert row["p_value"] == pytest.approx(ref.pvalue, rel=REL)


def _enps(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return 100 * (np.mean(x >= 9, axis=axis) - np.mean(x <= 6, axis=axis))


def test_enps_change_matches_scipy_bootstrap(payload: dict, scores: pd.DataFrame) -> None:
    part = scores[(scores["cohort_id"] == "C1") & (scores["construct"] == "enps")]
    part = part.dropna(subset=["pre", "post"])
    b, a = part["pre"].to_numpy(), part["post"].to_numpy()
    row = _row(payload, "enps_change", "C1", "all")
    # Reference: scipy.stats.bootstrap(paired=True, method="BCa") on the raw pairs; ours draws
    # the 3×3 category table instead, so agreement is within Monte-Carlo error
    ref = stats.bootstrap((b, a), lambda x, y, axis=-1: _enps(y, axis) - _enps(x, axis),
                          paired=True, vectorized=True, n_resamples=9999, method="BCa",
                          rng=np.random.default_rng(20240601))
    assert row["estimate"] == pytest.approx(_enps(a) - _enps(b), rel=1e-9)
    tol = max(0.3 * ref.standard_error, 2 * 100 / len(b))
    assert row["ci_low"] == pytest.approx(ref.confidence_interval.low, abs=tol)
    assert row["ci_high"] == pytest.approx(ref.confidence_interval.high, abs=tol)


def test_programme_satisfaction_mean(payload: dict, demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        answers = store.query(
            "select r.employee_id, avg(r.value) as score, count(*) as k from responses r "
            "join administrations a using (administration_id) join items i using (item_id) "
            "join participants p on p.employee_id = r.employee_id and p.cohort_id = a.cohort_id "
            "where a.cohort_id = 'C2' and a.phase = 'post' and i.construct = "
            "'satisfaction.program' and p.role = 'mentee' group by r.employee_id")
    x = answers.loc[answers["k"] * 2 >= 3, "score"]
    row = _row(payload, "mean", "C2", "mentee", "satisfaction.program")
    low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert row["n"] == len(x)  # reference: scipy.stats.t.interval
    assert row["estimate"] == pytest.approx(x.mean(), rel=1e-9)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=REL)


def test_cronbach_alpha_by_hand(payload: dict, demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        answers = store.query(
            "select r.employee_id, r.item_id, case when i.reverse_coded then i.scale_min + "
            "i.scale_max - r.value else r.value end as v from responses r join items i "
            "using (item_id) where r.administration_id = 'reverse-mentoring-2024-spring-pre' "
            "and i.construct = 'inclusion'")
    wide = answers.pivot(index="employee_id", columns="item_id", values="v").dropna()
    k = wide.shape[1]
    # hand formula: k/(k-1) * (1 - sum of item variances / variance of the total)
    alpha = k / (k - 1) * (1 - wide.var(ddof=1).sum() / wide.sum(axis=1).var(ddof=1))
    row = _row(payload, "cronbach_alpha", "C1", "all", "inclusion", phase="pre")
    assert row["n"] == len(wide) and row["items"] == k
    assert row["estimate"] == pytest.approx(alpha, rel=1e-9)
    assert row["warning"] == ("below 0.7" if alpha < 0.7 else "")


def test_dose_response_matches_ols(payload: dict, scores: pd.DataFrame, demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        held = store.query(
            "select p.employee_id, count(s.session_id) as held from participants p "
            "left join sessions s on s.pair_id = p.pair_id and s.cohort_id = p.cohort_id "
            "and s.status = 'held' where p.cohort_id = 'C3' and p.role = 'mentee' "
            "group by p.employee_id")
    part = scores[(scores["cohort_id"] == "C3") & (scores["construct"] == "skills.digital")
                  & (scores["role"] == "mentee")].dropna(subset=["pre", "post"])
    part = part.merge(held, on="employee_id")
    gain = part["post"] - part["pre"]
    # Reference: statsmodels OLS fitted directly; scipy.stats.spearmanr
    fit = sm.OLS(gain.to_numpy(), sm.add_constant(part["held"].to_numpy(float))).fit()
    row = _row(payload, "dose_response", "C3", "mentee", "skills.digital")
    assert row["n"] == len(part)
    assert row["estimate"] == pytest.approx(fit.params[1], rel=REL)
    assert row["ci_low"] == pytest.approx(fit.conf_int()[1][0], rel=REL)
    assert row["p_value"] == pytest.approx(fit.pvalues[1], rel=REL)
    assert row["effect_size"] == pytest.approx(stats.spearmanr(part["held"], gain).statistic,
                                               rel=REL)


def test_holm_default_and_bh_flag(demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        holm = metrics.compute(store, Filters(cohort="C1"), metrics=["did"])
        bh = metrics.compute(store, Filters(cohort="C1"), metrics=["did"], adjust="bh")
    assert (holm["p_value"].to_numpy() == bh["p_value"].to_numpy()).all()  # raw p kept
    assert (bh["p_adjusted"] <= holm["p_adjusted"] + 1e-12).all()
    assert set(holm["adjustment"]) == {"Holm"}
    with pytest.raises(ValueError, match="adjust"):
        metrics.compute(store, Filters(), adjust="bonferroni")
    assert math.isfinite(holm["p_adjusted"].iloc[0])
