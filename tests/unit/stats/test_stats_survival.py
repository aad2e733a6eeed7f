from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from analysis.stats import (
    COMMON_COLUMNS,
    cox_hazard_ratio,
    kaplan_meier,
    logrank,
    survival_at,
    survival_difference_at,
)
from analysis.stats.cox import COX_EXTRAS
from analysis.stats.survival import KM_COLUMNS, LOGRANK_EXTRAS, SURV_AT_EXTRAS, SURV_DIFF_EXTRAS

REL = 1e-6
Z95 = stats.norm.ppf(0.975)

# tiny table, worked by hand:
# t=1: n=6 d=1 S=5/6; t=2: n=5 d=1 S=4/6; t=3: n=3 d=1 S=4/9; t=5: n=1 d=1 S=0
TINY_D = [1, 2, 2, 3, 4, 5]
TINY_E = [1, 1, 0, 1, 0, 1]


def one(frame: pd.DataFrame) -> pd.Series:
    assert len(frame) == 1
    return frame.iloc[0]


def loglog(s: float, se: float, z: float = Z95) -> tuple[float, float]:
    """Kalbfleisch–Prentice log-log interval, written out independently."""
    sigma = se / (s * abs(math.log(s)))
    return s ** math.exp(z * sigma), s ** math.exp(-z * sigma)


def test_kaplan_meier_tiny_by_hand():
    curve = kaplan_meier(TINY_D, TINY_E)
    assert list(curve.columns) == list(KM_COLUMNS)
    assert curve["time"].tolist() == [0, 1, 2, 3, 5]
    np.testing.assert_allclose(curve["survival"], [1, 5 / 6, 4 / 6, 4 / 9, 0], rtol=REL)
    assert curve["at_risk"].tolist() == [6, 6, 5, 3, 1]
    assert curve["events"].tolist() == [0, 1, 1, 1, 1]
    # Greenwood at t=3: S² · (1/(6·5) + 1/(5·4) + 1/(3·2)) = (16/81)·(1/4) → se = 2/9
    assert curve.loc[3, "se"] == pytest.approx(2 / 9, rel=REL)
    low, high = loglog(4 / 9, 2 / 9)
    assert curve.loc[3, "ci_low"] == pytest.approx(low, rel=REL)
    assert curve.loc[3, "ci_high"] == pytest.approx(high, rel=REL)
    assert (curve.loc[4, "ci_low"], curve.loc[4, "ci_high"]) == (0, 0)  # S = 0


def test_kaplan_meier_rforhr_matches_survfuncright(turnover):
    curve = kaplan_meier(turnover["LOS"], turnover["event"])
    sf = SurvfuncRight(turnover["LOS"], turnover["event"])  # reference: statsmodels
    body = curve.iloc[1:]
    assert curve.iloc[0][["time", "survival", "at_risk"]].tolist() == [0, 1, 701]
    np.testing.assert_allclose(body["time"], sf.surv_times, rtol=REL)
    np.testing.assert_allclose(body["survival"], sf.surv_prob, rtol=REL)
    np.testing.assert_allclose(body["at_risk"], sf.n_risk, rtol=REL)
    np.testing.assert_allclose(body["events"], sf.n_events, rtol=REL)
    np.testing.assert_allclose(body["se"], sf.surv_prob_se, rtol=REL)
    assert body["events"].sum() == 463  # Turnover == 1 rows
    mid = body.iloc[20]
    low, high = loglog(mid["survival"], mid["se"])
    assert (mid["ci_low"], mid["ci_high"]) == (
        pytest.approx(low, rel=REL),
        pytest.approx(high, rel=REL),
    )
    assert ((curve["ci_low"] <= curve["survival"]) & (curve["survival"] <= curve["ci_high"])).all()


def test_kaplan_meier_edge_cases():
    empty = kaplan_meier([], [])
    assert empty.empty and list(empty.columns) == list(KM_COLUMNS)
    no_events = kaplan_meier([3, 4], [0, 0])
    assert no_events["survival"].tolist() == [1.0] and no_events["at_risk"].tolist() == [2]
    with pytest.raises(ValueError, match="same length"):
        kaplan_meier([1, 2], [1])
    with pytest.raises(ValueError, match="0 \\(censored\\) or 1"):
        kaplan_meier([1, 2], [1, 2])  # e.g. raw Turnover code 2 must be mapped first


def test_survival_at_tiny_by_hand():
    r = one(survival_at(TINY_D, TINY_E, t=3.5))
    assert list(survival_at(TINY_D, TINY_E, t=3.5).columns) == [*COMMON_COLUMNS, *SURV_AT_EXTRAS]
    assert r["estimate"] == pytest.approx(4 / 9, rel=REL)  # step value at the last event ≤ 3.5
    assert r["se"] == pytest.approx(2 / 9, rel=REL)  # Greenwood by hand
    low, high = loglog(4 / 9, 2 / 9)
    assert (r["ci_low"], r["ci_high"]) == (
        pytest.approx(low, rel=REL),
        pytest.approx(high, rel=REL),
    )
    assert r["n"] == 6 and r["followup_max"] == 5
    before_first = one(survival_at(TINY_D, TINY_E, t=0.5))
    assert (before_first["estimate"], before_first["se"]) == (1.0, 0.0)
    beyond = one(survival_at(TINY_D, TINY_E, t=6))
    assert math.isnan(beyond["estimate"]) and "follow-up ends" in beyond["method"]


def test_survival_at_365_rforhr(turnover):
    r = one(survival_at(turnover["LOS"], turnover["event"], t=365))
    sf = SurvfuncRight(turnover["LOS"], turnover["event"])  # reference: statsmodels step function
    idx = np.searchsorted(sf.surv_times, 365, side="right") - 1
    assert r["estimate"] == pytest.approx(sf.surv_prob[idx], rel=REL)
    assert r["se"] == pytest.approx(sf.surv_prob_se[idx], rel=REL)
    low, high = loglog(sf.surv_prob[idx], sf.surv_prob_se[idx])
    assert r["ci_low"] == pytest.approx(low, rel=REL)
    assert r["ci_high"] == pytest.approx(high, rel=REL)
    assert r["n"] == 701


def test_survival_difference_at_rforhr(turnover):
    woman = turnover["Gender"] == "Woman"
    d, e = turnover["LOS"], turnover["event"]
    res = survival_difference_at(d[woman], e[woman], d[~woman], e[~woman], t=365)
    assert list(res.columns) == [*COMMON_COLUMNS, *SURV_DIFF_EXTRAS]
    r = one(res)

    def s_se(mask):  # reference: SurvfuncRight per arm
        sf = SurvfuncRight(d[mask], e[mask])
        i = np.searchsorted(sf.surv_times, 365, side="right") - 1
        return sf.surv_prob[i], sf.surv_prob_se[i]

    (s1, se1), (s0, se0) = s_se(woman), s_se(~woman)
    se = math.sqrt(se1**2 + se0**2)
    assert r["estimate"] == pytest.approx(s1 - s0, rel=REL)
    assert r["se"] == pytest.approx(se, rel=REL)
    assert r["ci_low"] == pytest.approx(s1 - s0 - Z95 * se, rel=REL)
    assert r["ci_high"] == pytest.approx(s1 - s0 + Z95 * se, rel=REL)
    assert r["p_value"] == pytest.approx(2 * stats.norm.sf(abs((s1 - s0) / se)), rel=REL)
    assert (r["n_treated"], r["n_comparison"], r["n"]) == (361, 340, 701)
    assert (r["estimate_treated"], r["estimate_comparison"]) == (
        pytest.approx(s1),
        pytest.approx(s0),
    )


def test_survival_difference_not_identified():
    r = one(survival_difference_at([1, 2], [1, 0], [10, 20], [1, 0], t=5))
    assert math.isnan(r["estimate"]) and r["n"] == 4
    flat = one(survival_difference_at([10, 20], [0, 0], [10, 20], [0, 0], t=5))
    assert flat["estimate"] == 0 and math.isnan(flat["p_value"])


@pytest.mark.parametrize("group_col", ["Race", "Gender"])
def test_logrank_rforhr_matches_survdiff(turnover, group_col):
    res = logrank(turnover["LOS"], turnover["event"], turnover[group_col])
    assert list(res.columns) == [*COMMON_COLUMNS, *LOGRANK_EXTRAS]
    r = one(res)
    chi2, p = survdiff(turnover["LOS"], turnover["event"], turnover[group_col])  # reference
    k = turnover[group_col].nunique()
    assert r["chi2"] == pytest.approx(chi2, rel=REL)
    assert r["df"] == k - 1
    assert r["p_value"] == pytest.approx(p, rel=REL)  # survdiff's own p
    assert r["p_value"] == pytest.approx(stats.chi2.sf(chi2, k - 1), rel=REL)
    assert r["n"] == 701 and math.isnan(r["estimate"])


def test_logrank_edge_cases():
    r = one(logrank([1, 2, 3], [1, 0, 1], ["a", "a", "a"]))
    assert math.isnan(r["p_value"]) and r["n"] == 3
    with pytest.raises(ValueError, match="same length"):
        logrank([1, 2, 3], [1, 0, 1], ["a", "b"])


def test_cox_rforhr_matches_phreg(turnover):
    data = turnover.assign(woman=(turnover["Gender"] == "Woman").astype(int))
    res = cox_hazard_ratio(data, duration="LOS", event="event", treat="woman")
    assert list(res.columns) == [*COMMON_COLUMNS, *COX_EXTRAS]
    r = one(res)
    # reference: statsmodels PHReg(ties="efron") fitted directly
    fit = PHReg.from_formula("LOS ~ woman", data, status=data["event"], ties="efron").fit()
    ci = np.exp(fit.conf_int()[0])
    assert r["estimate"] == pytest.approx(math.exp(fit.params[0]), rel=REL)
    assert r["ci_low"] == pytest.approx(ci[0], rel=REL)
    assert r["ci_high"] == pytest.approx(ci[1], rel=REL)
    assert r["p_value"] == pytest.approx(fit.pvalues[0], rel=REL)
    assert r["se"] == pytest.approx(fit.bse[0], rel=REL)
    assert (r["n"], r["n_events"]) == (701, 463)


def test_cox_with_covariates_matches_phreg(turnover):
    data = turnover.assign(woman=(turnover["Gender"] == "Woman").astype(int))
    r = one(
        cox_hazard_ratio(
            data, duration="LOS", event="event", treat="woman", covariates=["Race", "Pay_sat"]
        )
    )
    complete = data.dropna(subset=["Pay_sat"])  # 38 missing Pay_sat rows are dropped
    fit = PHReg.from_formula(
        "LOS ~ woman + C(Race) + Pay_sat", complete, status=complete["event"], ties="efron"
    ).fit()  # reference: PHReg(ties="efron") with treatment-coded Race
    i = fit.model.exog_names.index("woman")  # patsy puts the C() terms first
    assert r["estimate"] == pytest.approx(math.exp(fit.params[i]), rel=REL)
    assert r["p_value"] == pytest.approx(fit.pvalues[i], rel=REL)
    assert r["se"] == pytest.approx(fit.bse[i], rel=REL)
    assert r["n"] == len(complete) == 663
    assert "adjusted for Race, Pay_sat" in r["method"]


def test_cox_edge_cases(turnover):
    data = turnover.assign(woman=1)
    r = one(cox_hazard_ratio(data, duration="LOS", event="event", treat="woman"))
    assert math.isnan(r["estimate"]) and r["n"] == 701
    with pytest.raises(ValueError, match="no column"):
        cox_hazard_ratio(data, duration="LOS", event="event", treat="nope")
