"""Count-based survival statistics (rows of people per duration × event, as SQL groups them)
against statsmodels called directly on the raw one-row-per-person data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from analysis.stats.cox import cox_hazard_ratio_counts
from analysis.stats.survival import (
    kaplan_meier_counts,
    logrank_counts,
    survival_at_counts,
    survival_difference_at_counts,
)

TOL = 1e-9
Z95 = stats.norm.ppf(0.975)


@pytest.fixture(scope="module")
def people(turnover: pd.DataFrame) -> pd.DataFrame:
    """R for HR turnover: LOS, event, and a 0/1 arm (women) per person."""
    return pd.DataFrame({"d": turnover["LOS"].to_numpy(dtype=float),
                         "e": turnover["event"].to_numpy(dtype=float),
                         "arm": (turnover["Gender"] == "Woman").astype(int).to_numpy()})


def counted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """People per distinct key combination, shuffled so nothing relies on the row order."""
    out = frame.groupby(keys, as_index=False).size()
    return out.sample(frac=1.0, random_state=7).reset_index(drop=True)


def test_kaplan_meier_counts_matches_survfuncright_on_people(people):
    c = counted(people, ["d", "e"])
    assert len(c) < len(people)  # ties: the counted rows really are fewer
    curve = kaplan_meier_counts(c["d"], c["e"], c["size"]).iloc[1:]
    sf = SurvfuncRight(people["d"], people["e"])  # reference: statsmodels on one row per person
    np.testing.assert_allclose(curve["time"], sf.surv_times, rtol=TOL)
    np.testing.assert_allclose(curve["survival"], sf.surv_prob, rtol=TOL)
    np.testing.assert_allclose(curve["se"], sf.surv_prob_se, rtol=TOL)
    np.testing.assert_array_equal(curve["at_risk"], sf.n_risk)  # reference: SurvfuncRight
    np.testing.assert_array_equal(curve["events"], sf.n_events)  # reference: SurvfuncRight


@pytest.mark.parametrize("arm", [0, 1])
def test_survival_at_counts_matches_survfuncright(people, arm):
    part = people[people["arm"] == arm]
    c = counted(part, ["d", "e"])
    t = float(np.median(part["d"]))
    r = survival_at_counts(c["d"], c["e"], c["size"], t=t)
    sf = SurvfuncRight(part["d"], part["e"])  # reference: statsmodels on people
    i = np.searchsorted(sf.surv_times, t, side="right") - 1
    assert r["n"] == len(part)
    assert r["estimate"] == pytest.approx(sf.surv_prob[i], rel=TOL)  # SurvfuncRight.surv_prob
    assert r["se"] == pytest.approx(sf.surv_prob_se[i], rel=TOL)  # SurvfuncRight.surv_prob_se


def test_survival_difference_at_counts_matches_survfuncright(people):
    arms = [people[people["arm"] == a] for a in (1, 0)]
    counts = [counted(a, ["d", "e"]) for a in arms]
    t = float(np.median(people["d"]))
    r = survival_difference_at_counts(*(c[k] for c in counts for k in ("d", "e", "size")), t=t)
    s, se = [], []
    for part in arms:
        sf = SurvfuncRight(part["d"], part["e"])  # reference: statsmodels per arm on people
        i = np.searchsorted(sf.surv_times, t, side="right") - 1
        s.append(sf.surv_prob[i])
        se.append(sf.surv_prob_se[i])
    est, se_diff = s[0] - s[1], math.hypot(*se)
    assert r["estimate"] == pytest.approx(est, rel=TOL)
    assert r["ci_low"] == pytest.approx(est - Z95 * se_diff, rel=TOL)  # Wald CI by hand
    assert r["p_value"] == pytest.approx(2 * stats.norm.sf(abs(est / se_diff)), rel=TOL)
    assert (r["n_treated"], r["n_comparison"]) == (len(arms[0]), len(arms[1]))


def test_logrank_counts_matches_survdiff(people):
    c = counted(people, ["d", "e", "arm"])
    r = logrank_counts(c["d"], c["e"], c["arm"], c["size"])
    chi2, p = survdiff(people["d"], people["e"], people["arm"])  # reference: survdiff on people
    assert r["chi2"] == pytest.approx(chi2, rel=TOL)
    assert r["p_value"] == pytest.approx(p, rel=1e-6)  # survdiff: 1 − cdf, less precise
    assert r["n"] == len(people)


def test_logrank_counts_three_groups_matches_survdiff(turnover):
    frame = pd.DataFrame({"d": turnover["LOS"], "e": turnover["event"],
                          "g": turnover["Race"].astype(str)})
    c = counted(frame, ["d", "e", "g"])
    r = logrank_counts(c["d"], c["e"], c["g"], c["size"])
    codes = pd.factorize(frame["g"], sort=True)[0]
    chi2, _ = survdiff(frame["d"], frame["e"], codes)  # reference: survdiff, k groups on people
    assert r["chi2"] == pytest.approx(chi2, rel=TOL)
    assert r["df"] == frame["g"].nunique() - 1


def test_cox_hazard_ratio_counts_matches_phreg(people):
    c = counted(people, ["d", "e", "arm"])
    r = cox_hazard_ratio_counts(c["d"], c["e"], c["arm"], c["size"])
    # reference: statsmodels PHReg(ties="efron") fitted on one row per person
    fit = PHReg(people["d"], people[["arm"]].to_numpy(float), status=people["e"],
                ties="efron").fit()
    assert r["coef"] == pytest.approx(fit.params[0], rel=1e-7)
    assert r["se"] == pytest.approx(fit.bse[0], rel=1e-7)
    assert r["p_value"] == pytest.approx(fit.pvalues[0], rel=1e-6)
    assert (r["n"], r["n_events"]) == (len(people), people["e"].sum())


def test_counts_checks_and_zero_rows():
    with pytest.raises(ValueError, match="whole numbers"):
        survival_at_counts([1, 2], [1, 0], [1.5, 2])
    with pytest.raises(ValueError, match="one entry per duration"):
        kaplan_meier_counts([1, 2], [1, 0], [3])
    with pytest.raises(ValueError, match="treat must be 0/1"):
        cox_hazard_ratio_counts([1, 2], [1, 1], [0, 2], [1, 1])
    # a row counting nobody changes nothing: same as leaving it out (hand-checked: S(1) = 2/3)
    with_zero = survival_at_counts([1, 2, 9], [1, 0, 1], [1, 2, 0], t=1)
    assert with_zero["estimate"] == pytest.approx(2 / 3) and with_zero["n"] == 3


def test_result_record_columns_and_types():
    from analysis.stats._result import result_record, result_row

    kwargs = {"n": 3, "method": "m", "estimate": 0.5, "p_value": None,
              "extra": {"se": 1, "note": "x"}}
    record = result_record(**kwargs)
    assert list(record) == ["n", "estimate", "ci_low", "ci_high", "p_value", "p_adjusted",
                            "effect_size", "method", "se", "note"]
    assert record["n"] == 3 and record["estimate"] == 0.5 and record["se"] == 1.0
    assert math.isnan(record["p_value"]) and math.isnan(record["p_adjusted"])
    assert record["note"] == "x"
    frame = result_row(**kwargs)
    assert frame.shape == (1, 10) and str(frame["n"].dtype) == "int64"
    assert frame["se"].dtype == float
    with pytest.raises(ValueError, match="clashes"):
        result_record(n=1, method="m", extra={"n": 2})


def test_cox_not_estimable_when_the_likelihood_has_no_maximum() -> None:
    # every participant leaves before anyone in the comparison arm: the partial likelihood
    # rises for ever in β (monotone likelihood), so there is no hazard ratio to report —
    # and no overflow or RuntimeWarning on the way (pytest turns warnings into errors)
    from analysis.stats.cox import cox_hazard_ratio

    frame = pd.DataFrame({"duration": [1, 2, 3, 10, 11, 12], "event": [1] * 6,
                          "treat": [1, 1, 1, 0, 0, 0]})
    row = cox_hazard_ratio(frame, duration="duration", event="event", treat="treat").iloc[0]
    assert np.isnan(row["estimate"]) and np.isnan(row["p_value"])
    assert row["method"].endswith("the hazard ratio is not estimable")


def test_logrank_counts_without_an_event_while_both_groups_are_at_risk() -> None:
    # Group 0 is censored (day 1) before group 1's only events (days 5, 6): survdiff's variance
    # is 0, so there is no test (statsmodels' survdiff divides by it); a row, not an error.
    row = logrank_counts(np.array([1.0, 1.0, 5.0, 6.0]), np.array([0, 0, 1, 1]),
                         np.array([0, 0, 1, 1]), np.array([1.0, 1.0, 1.0, 1.0]))
    assert math.isnan(row["p_value"]) and row["n"] == 4
    assert "no event while both groups were at risk" in row["method"]
