"""DiD and retention from `crossgen metrics --json`, against statsmodels fitted directly on data
pulled independently from the demo database (pandas here, not analysis.metrics.data's SQL)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from analysis.metrics import registry as metrics
from analysis.metrics.comparison import did_balance
from analysis.store.db import Store
from analysis.store.filters import Filters
from tests.conftest import run_cli

REL = 1e-6


@pytest.fixture(scope="module")
def rows(demo_db: Path) -> list[dict]:
    done = run_cli("metrics", "--db", str(demo_db), "--json", "--metric", "did", "--metric",
                   "did_weighted", "--metric", "retention_12m", "--metric", "retention_diff_12m",
                   "--metric", "logrank", "--metric", "cox_hr", "--metric", "roi", timeout=900)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["results"]


@pytest.fixture(scope="module")
def tables(demo_db: Path) -> dict[str, pd.DataFrame]:
    with Store(demo_db, read_only=True) as store:
        names = ["cohorts", "administrations", "construct_scores", "employees", "participants",
                 "meta"]
        return {n: store.query(f"select * from {n}") for n in names}  # noqa: S608


def _arms(t: dict[str, pd.DataFrame], cohort: str) -> pd.DataFrame:
    """employee_id, role, treat: the cohort's participants and everyone in no cohort."""
    p = t["participants"]
    treated = p[(p["cohort_id"] == cohort) & p["role"].isin(["mentor", "mentee"])]
    others = t["employees"].loc[~t["employees"]["employee_id"].isin(p["employee_id"]),
                                ["employee_id"]]
    return pd.concat([treated[["employee_id", "role"]].assign(treat=1),
                      others.assign(role="comparison", treat=0)], ignore_index=True)


def _did_wide(t: dict[str, pd.DataFrame], cohort: str, construct: str) -> pd.DataFrame:
    c = t["cohorts"].set_index("cohort_id").loc[cohort]
    a = t["administrations"][t["administrations"]["kind"] == "pulse"]
    before = a[a["closed"].dt.normalize() <= c["start_date"]].sort_values("closed").iloc[-1]
    after = a[a["opened"].dt.normalize() >= c["end_date"]].sort_values("opened").iloc[0]
    s = t["construct_scores"][t["construct_scores"]["construct"] == construct]
    pre = s[s["administration_id"] == before["administration_id"]][["employee_id", "score"]]
    post = s[s["administration_id"] == after["administration_id"]][["employee_id", "score"]]
    wide = _arms(t, cohort).merge(pre.rename(columns={"score": "before"}), on="employee_id")
    wide = wide.merge(post.rename(columns={"score": "after"}), on="employee_id")
    return wide.merge(t["employees"], on="employee_id").assign(
        tenure_years=lambda f: (c["start_date"] - f["hire_date"]).dt.days / 365.25)


def _long(wide: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([wide.assign(y=wide["before"], post=0),
                      wide.assign(y=wide["after"], post=1)], ignore_index=True)


def _pick(rows: list[dict], metric: str) -> list[dict]:
    out = [r for r in rows if r["metric"] == metric and r["group"] == {} and not r["suppressed"]]
    assert out, metric
    return out


def test_did_matches_statsmodels_ols(rows: list[dict], tables: dict) -> None:
    did = _pick(rows, "did")
    assert len(did) == 3 * 4 * 3  # cohorts × pulse constructs × (mentor, mentee, all)
    for row in did:
        wide = _did_wide(tables, row["cohort"], row["outcome"])
        if row["role"] != "all":
            wide = wide[(wide["treat"] == 0) | (wide["role"] == row["role"])]
        long = _long(wide)
        # Reference: statsmodels OLS y ~ treat * post, cluster SE by employee, use_t=True
        fit = smf.ols("y ~ treat * post", long).fit(
            cov_type="cluster", cov_kwds={"groups": pd.factorize(long["employee_id"])[0]},
            use_t=True)
        ci = fit.conf_int().loc["treat:post"]
        assert row["estimate"] == pytest.approx(fit.params["treat:post"], rel=REL)
        assert row["ci_low"] == pytest.approx(ci[0], rel=REL)
        assert row["ci_high"] == pytest.approx(ci[1], rel=REL)
        assert row["p_value"] == pytest.approx(fit.pvalues["treat:post"], rel=REL)
        assert row["n_treated"] == int(wide["treat"].sum())
        assert row["n_comparison"] == int((wide["treat"] == 0).sum())


def test_weighted_did_matches_glm_and_wls(rows: list[dict], tables: dict) -> None:
    row = next(r for r in _pick(rows, "did_weighted")
               if r["cohort"] == "C1" and r["outcome"] == "inclusion" and r["role"] == "all")
    wide = _did_wide(tables, "C1", "inclusion")
    # Reference: logistic propensity model (statsmodels GLM Binomial), ATT odds weights
    ps = smf.glm("treat ~ C(generation) + C(department) + C(level) + tenure_years + before",
                 wide, family=sm.families.Binomial()).fit().fittedvalues
    w = np.where(wide["treat"] == 1, 1.0, ps / (1 - ps))
    w[wide["treat"] == 0] *= wide["treat"].sum() / w[wide["treat"] == 0].sum()
    long = _long(wide.assign(w=w))
    fit = smf.wls("y ~ treat * post", long, weights=long["w"]).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(long["employee_id"])[0]},
        use_t=True)
    assert row["estimate"] == pytest.approx(fit.params["treat:post"], rel=REL)
    assert row["p_value"] == pytest.approx(fit.pvalues["treat:post"], rel=REL)


def _survival(t: dict[str, pd.DataFrame], cohort: str) -> pd.DataFrame:
    c = t["cohorts"].set_index("cohort_id").loc[cohort]
    meta = t["meta"].set_index("key")["value"]
    as_of = pd.Timestamp(meta["roster_as_of"])
    e = t["employees"].merge(_arms(t, cohort), on="employee_id")
    e = e[(e["hire_date"] <= c["start_date"])
          & (e["termination_date"].isna() | (e["termination_date"] >= c["start_date"]))]
    left = e["termination_date"].notna() & (e["termination_date"] <= as_of)
    end = e["termination_date"].where(left, as_of)
    return e.assign(duration=(end - c["start_date"]).dt.days.astype(float),
                    event=(left & (e["termination_type"] == "voluntary")).astype(float))


def _s365(frame: pd.DataFrame) -> float:
    sf = SurvfuncRight(frame["duration"], frame["event"])  # reference KM
    before = sf.surv_times <= 365
    return float(sf.surv_prob[before][-1]) if before.any() else 1.0


def test_retention_matches_statsmodels(rows: list[dict], tables: dict) -> None:
    for cohort in ("C1", "C2", "C3"):
        pop = _survival(tables, cohort)
        for role in ("mentor", "mentee", "all"):
            arm = pop[pop["treat"] == 1] if role == "all" else pop[pop["role"] == role]
            comparison = pop[pop["treat"] == 0]
            cell = pd.concat([arm, comparison])
            by = {(r["metric"], r["role"]): r for r in rows
                  if r["cohort"] == cohort and r["group"] == {}}
            r12 = by[("retention_12m", role)]
            assert r12["n"] == len(arm)
            assert r12["estimate"] == pytest.approx(_s365(arm), rel=REL)  # SurvfuncRight
            assert by[("retention_12m", "comparison")]["estimate"] == pytest.approx(
                _s365(comparison), rel=REL)
            diff = by[("retention_diff_12m", role)]
            assert diff["estimate"] == pytest.approx(_s365(arm) - _s365(comparison), rel=REL)
            _chi2, p = survdiff(cell["duration"], cell["event"], cell["treat"])  # reference
            assert by[("logrank", role)]["p_value"] == pytest.approx(p, rel=REL)
            cox = by[("cox_hr", role)]
            if arm["event"].sum() == 0:
                assert cox["estimate"] is None  # HR not estimable with no exits in an arm
                continue
            # Reference: statsmodels PHReg, Efron ties, fitted directly
            fit = PHReg(cell["duration"], cell[["treat"]].astype(float), status=cell["event"],
                        ties="efron").fit()
            assert cox["estimate"] == pytest.approx(math.exp(fit.params[0]), rel=REL)
            assert cox["p_value"] == pytest.approx(fit.pvalues[0], rel=REL)


def test_roi_is_a_range_from_the_retention_difference(rows: list[dict], tables: dict) -> None:
    (r,) = [r for r in _pick(rows, "roi") if r["cohort"] == "C1" and r["role"] == "all"]
    diff = next(r for r in rows if r["metric"] == "retention_diff_12m" and r["cohort"] == "C1"
                and r["role"] == "all" and r["group"] == {})
    pop = _survival(tables, "C1")
    treated = pop[pop["treat"] == 1]
    cost = float(tables["cohorts"].set_index("cohort_id").loc["C1", "cost"])
    salary = treated["salary"].mean()
    ends = []
    for name, share in (("low", 0.21), ("base", 0.50), ("high", 1.50)):
        # hand formula: diff × participants × share × mean salary − cost
        net = diff["estimate"] * len(treated) * share * salary - cost
        assert r[f"net_{name}"] == pytest.approx(net, rel=REL)
        assert r[f"replacement_share_{name}"] == share
        ends += [net, *(d * len(treated) * share * salary - cost
                        for d in (diff["ci_low"], diff["ci_high"]))]
    assert r["estimate"] == pytest.approx(r["net_base"], rel=REL)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((min(ends), max(ends)), rel=REL)
    assert r["ci_low"] < r["estimate"] < r["ci_high"] and r["programme_cost"] == cost


def test_did_balance_follows_the_did_rows_decision(demo_db: Path) -> None:
    store = Store(demo_db, read_only=True)
    departments = store.query("select distinct department from employees "
                              "where department is not null order by 1")["department"]
    views = [Filters(), Filters(generation=("Silent",)),
             Filters(role="mentee", level=("Director",)),
             *[Filters(role="mentor", department=(d,)) for d in departments]]
    seen = set()
    for filters in views:
        table = did_balance(store, filters, cohort="C1", construct="inclusion")
        did = metrics.results(store, filters, metrics=["did"])
        row = did[(did["cohort"] == "C1") & (did["outcome"] == "inclusion")
                  & (did["role"] == (filters.role or "all")) & (did["group"] == {})]
        assert len(row) == 1
        hidden = bool(row["suppressed"].iloc[0])
        seen.add(hidden)
        assert table.empty == hidden, filters
        if hidden:
            assert table.attrs["empty_reason"] == row["suppressed_reason"].iloc[0]
        else:
            assert table["n_treated"].iloc[0] == row["n_treated"].iloc[0]
    assert seen == {True, False}  # both cases occur
