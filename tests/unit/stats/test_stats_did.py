from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from analysis.stats import (
    COMMON_COLUMNS,
    balance_table,
    difference_in_differences,
    propensity_weights,
)
from analysis.stats.did import DID_EXTRAS

REL = 1e-6


def one(frame: pd.DataFrame) -> pd.Series:
    assert len(frame) == 1
    return frame.iloc[0]


def reference_fit(long: pd.DataFrame, weights=None):
    """statsmodels OLS/WLS fitted directly: y ~ treat * post, cluster-robust by EmpID, use_t."""
    groups = pd.factorize(long["EmpID"])[0]
    if weights is None:
        model = smf.ols("y ~ treat * post", data=long)
    else:
        model = smf.wls("y ~ treat * post", data=long, weights=weights)
    return model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)


def test_did_rforhr_reference(prepost_control_long):
    long = prepost_control_long
    res = difference_in_differences(long, cluster="EmpID")
    assert list(res.columns) == [*COMMON_COLUMNS, *DID_EXTRAS]
    r = one(res)
    fit = reference_fit(long)  # reference: statsmodels OLS, cluster SE, use_t=True
    ci = fit.conf_int().loc["treat:post"]
    # cell means from the CSV: (72.36 − 50.32) − (61.32 − 48.04) = 8.76
    assert r["estimate"] == pytest.approx(8.76, rel=REL)
    assert r["estimate"] == pytest.approx(fit.params["treat:post"], rel=REL)  # OLS
    assert r["se"] == pytest.approx(fit.bse["treat:post"], rel=REL)  # OLS cluster SE
    assert r["p_value"] == pytest.approx(fit.pvalues["treat:post"], rel=REL)  # OLS t, G−1 df
    assert r["ci_low"] == pytest.approx(ci.iloc[0], rel=REL)
    assert r["ci_high"] == pytest.approx(ci.iloc[1], rel=REL)
    assert (r["n"], r["n_treated"], r["n_comparison"]) == (50, 25, 25)
    pre = long[long["post"] == 0]
    s_t = pre.loc[pre["treat"] == 1, "y"].std(ddof=1)
    s_c = pre.loc[pre["treat"] == 0, "y"].std(ddof=1)
    pooled = math.sqrt((24 * s_t**2 + 24 * s_c**2) / 48)  # pooled pre-period SD by hand
    assert r["effect_size"] == pytest.approx(8.76 / pooled, rel=REL)


def test_did_cluster_ids_as_text_and_boolean_arms(prepost_control_long):
    long = prepost_control_long.assign(
        emp=lambda d: "E" + d["EmpID"].astype(str), treat=lambda d: d["treat"] == 1
    )
    r = one(difference_in_differences(long, cluster="emp"))
    fit = reference_fit(prepost_control_long)
    assert r["se"] == pytest.approx(fit.bse["treat:post"], rel=REL)  # same as integer ids


def test_did_weighted_matches_wls(prepost_control_long):
    long = prepost_control_long.copy()
    long["w"] = 1 + (long["EmpID"] % 5) / 4  # any positive person-level weight
    r = one(difference_in_differences(long, cluster="EmpID", weights="w"))
    fit = reference_fit(long, weights=long["w"])  # reference: statsmodels WLS, cluster SE
    assert r["estimate"] == pytest.approx(fit.params["treat:post"], rel=REL)
    assert r["se"] == pytest.approx(fit.bse["treat:post"], rel=REL)
    assert r["p_value"] == pytest.approx(fit.pvalues["treat:post"], rel=REL)
    assert "WLS" in r["method"]
    # the same weights as an array give the same answer
    r2 = one(difference_in_differences(long, cluster="EmpID", weights=long["w"].to_numpy()))
    assert r2["estimate"] == pytest.approx(r["estimate"], rel=REL)


def test_did_drops_missing_before_building_groups(prepost_control_long):
    extra = pd.DataFrame(
        {"EmpID": [999, 999, 998], "treat": [1, 1, 0], "post": [0, 1, 1], "y": [np.nan] * 3}
    )
    long = pd.concat([prepost_control_long, extra], ignore_index=True)
    r = one(difference_in_differences(long, cluster="EmpID"))
    fit = reference_fit(prepost_control_long)
    assert (r["n"], r["n_treated"], r["n_comparison"]) == (50, 25, 25)
    assert r["se"] == pytest.approx(fit.bse["treat:post"], rel=REL)  # G = 50, not 52


def test_did_too_little_data_returns_nan_row(prepost_control_long):
    only_new = prepost_control_long[prepost_control_long["treat"] == 1]
    r = one(difference_in_differences(only_new, cluster="EmpID"))
    assert r["n"] == 25 and r["n_comparison"] == 0 and math.isnan(r["estimate"])
    empty = prepost_control_long.iloc[:0]
    assert one(difference_in_differences(empty, cluster="EmpID"))["n"] == 0


def test_did_perfect_fit_has_no_inference():
    tiny = pd.DataFrame(
        {
            "employee_id": [1, 1, 2, 2, 3, 3, 4, 4],
            "treat": [1, 1, 1, 1, 0, 0, 0, 0],
            "post": [0, 1] * 4,
            "y": [1.0, 3, 2, 4, 1, 1, 2, 2],
        }
    )
    r = one(difference_in_differences(tiny))
    assert r["estimate"] == pytest.approx(2.0, rel=REL)  # (3−1 and 4−2) − (0 and 0), by hand
    assert math.isnan(r["p_value"]) and math.isnan(r["ci_low"])


def test_did_malformed_input(prepost_control_long):
    with pytest.raises(ValueError, match="no column"):
        difference_in_differences(prepost_control_long)  # default cluster employee_id absent
    bad = prepost_control_long.assign(treat=prepost_control_long["Condition"])
    with pytest.raises(ValueError, match="0/1"):
        difference_in_differences(bad, cluster="EmpID")
    with pytest.raises(ValueError, match="one value per row"):
        difference_in_differences(prepost_control_long, cluster="EmpID", weights=[1.0, 2.0])


# --- propensity weights and balance -----------------------------------------------------------


@pytest.fixture()
def people(prepost_control) -> pd.DataFrame:
    wide = prepost_control
    return pd.DataFrame(
        {
            "treat": (wide["Condition"] == "New").astype(int).to_numpy(),
            "pre": wide["PreTest"].astype(float).to_numpy(),
            "dept": np.where(
                wide["EmpID"] % 3 == 0, "Sales", np.where(wide["EmpID"] % 3 == 1, "IT", "HR")
            ),
        },
        index=wide["EmpID"].to_numpy(),
    )


def test_propensity_weights_match_logit(people):
    w = propensity_weights(people, treat="treat", covariates=["pre", "dept"])
    # reference: statsmodels GLM Binomial with C() fitted directly
    fit = smf.glm("treat ~ pre + C(dept)", data=people, family=sm.families.Binomial()).fit()
    p = fit.fittedvalues
    treated = people["treat"] == 1
    odds = p / (1 - p)
    expected = odds[~treated] * treated.sum() / odds[~treated].sum()
    assert w.index.equals(people.index) and w.name == "weight"
    assert (w[treated] == 1).all()
    np.testing.assert_allclose(w[~treated], expected, rtol=REL)
    assert w[~treated].sum() == pytest.approx(treated.sum(), rel=REL)


def test_propensity_weights_missing_and_degenerate(people):
    people = people.copy()
    people.loc[people.index[0], "pre"] = np.nan
    w = propensity_weights(people, treat="treat", covariates=["pre"])
    assert math.isnan(w.iloc[0]) and w.iloc[1:].notna().all()
    one_arm = people.assign(treat=1)
    assert propensity_weights(one_arm, treat="treat", covariates=["pre"]).isna().all()
    # complete separation: the covariate is the arm → weights cannot be built
    separated = people.assign(pre=people["treat"] * 10.0 + np.arange(len(people)) * 0.01)
    assert propensity_weights(separated, treat="treat", covariates=["pre"]).isna().all()


def test_balance_table_by_hand(people):
    table = balance_table(people, treat="treat", covariates=["pre", "dept"])
    assert list(table.columns) == [
        "covariate",
        "smd_unweighted",
        "smd_weighted",
        "mean_treated",
        "mean_comparison",
    ]
    assert table["covariate"].tolist() == ["pre", "dept=HR", "dept=IT", "dept=Sales"]
    t = people[people["treat"] == 1]
    c = people[people["treat"] == 0]
    smd_pre = (t["pre"].mean() - c["pre"].mean()) / math.sqrt(
        (t["pre"].var(ddof=1) + c["pre"].var(ddof=1)) / 2
    )  # Austin 2009 SMD by hand
    assert table.loc[0, "smd_unweighted"] == pytest.approx(smd_pre, rel=REL)
    it_t, it_c = (t["dept"] == "IT").astype(float), (c["dept"] == "IT").astype(float)
    smd_it = (it_t.mean() - it_c.mean()) / math.sqrt((it_t.var() + it_c.var()) / 2)
    assert table.loc[2, "smd_unweighted"] == pytest.approx(smd_it, rel=REL)
    assert table["smd_weighted"].isna().all()  # no weights given


def test_balance_table_weighted_by_hand(people):
    w = propensity_weights(people, treat="treat", covariates=["pre", "dept"])
    table = balance_table(people, treat="treat", covariates=["pre"], weights=w)
    treated = people["treat"] == 1

    def wmean_var(x, wt):  # weighted mean and reliability-weight variance by hand
        m = np.average(x, weights=wt)
        v = np.sum(wt * (x - m) ** 2) / (wt.sum() - np.sum(wt**2) / wt.sum())
        return m, v

    m_t, v_t = wmean_var(people.loc[treated, "pre"], w[treated])
    m_c, v_c = wmean_var(people.loc[~treated, "pre"], w[~treated])
    assert table.loc[0, "smd_weighted"] == pytest.approx(
        (m_t - m_c) / math.sqrt((v_t + v_c) / 2), rel=REL
    )
    # the weighting improves balance on the covariate it models
    assert abs(table.loc[0, "smd_weighted"]) < abs(table.loc[0, "smd_unweighted"])
    ones = balance_table(people, treat="treat", covariates=["pre"], weights=np.ones(len(people)))
    assert ones.loc[0, "smd_weighted"] == pytest.approx(ones.loc[0, "smd_unweighted"], rel=REL)


def test_balance_table_malformed(people):
    with pytest.raises(ValueError, match="no column"):
        balance_table(people, treat="treat", covariates=["age"])
