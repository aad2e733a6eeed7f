"""The all-groups-at-once statistics equal the per-group functions, and statsmodels directly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.stats.descriptive import mean_ci, median_row
from analysis.stats.did import difference_in_differences
from analysis.stats.grouped import (
    ARM_MOMENTS,
    did_from_moments,
    mean_ci_arrays,
    mean_ci_groups,
    median_arrays,
    paired_change_groups,
    top2box_change_groups,
)
from analysis.stats.paired import paired_change, top2box_change


def _groups() -> pd.DataFrame:
    """Groups covering every branch: many tied Likert-like means, no ties (exact Wilcoxon),
    all changes equal, all zero, one pair, only NaN, and NaNs on either side."""
    rng = np.random.default_rng(5)
    parts = []
    likert = rng.integers(1, 6, size=(60, 2)) + rng.integers(0, 3, size=(60, 2)) / 3
    parts.append(pd.DataFrame({"g": "likert", "before": likert[:, 0], "after": likert[:, 1]}))
    smooth = rng.normal(3, 1, size=(12, 2))
    parts.append(pd.DataFrame({"g": "no_ties", "before": smooth[:, 0], "after": smooth[:, 1]}))
    parts.append(pd.DataFrame({"g": "equal", "before": [1.0, 2.0, 3.0],
                               "after": [1.5, 2.5, 3.5]}))
    parts.append(pd.DataFrame({"g": "zero", "before": [2.0, 3.0, 4.0], "after": [2.0, 3.0, 4.0]}))
    parts.append(pd.DataFrame({"g": "one", "before": [2.0, np.nan], "after": [4.0, 5.0]}))
    parts.append(pd.DataFrame({"g": "none", "before": [np.nan], "after": [3.0]}))
    mixed = rng.integers(1, 6, size=(30, 2)).astype(float)
    mixed[::7, 0] = np.nan
    mixed[::5, 1] = np.nan
    parts.append(pd.DataFrame({"g": "mixed", "before": mixed[:, 0], "after": mixed[:, 1]}))
    frame = pd.concat(parts, ignore_index=True)
    frame["h"] = np.where(frame.index % 2 == 0, "x", "y")
    return frame


def _assert_rows_equal(grouped: pd.DataFrame, reference: pd.DataFrame) -> None:
    for column in reference.columns:
        got, want = grouped[column].iloc[0], reference[column].iloc[0]
        if isinstance(want, str):
            assert got == want, column
        else:
            assert got == pytest.approx(want, rel=1e-9, abs=1e-12, nan_ok=True), column


@pytest.mark.parametrize("keys", [["g"], ["g", "h"]])
def test_paired_change_groups_equal_paired_change(keys: list[str]) -> None:
    frame = _groups()
    grouped = paired_change_groups(frame, keys)
    assert len(grouped) == frame[keys].drop_duplicates().shape[0]
    for _, row in grouped.iterrows():
        mask = (frame[keys] == row[keys]).all(axis=1)
        # reference: the per-group function, itself pinned to scipy.stats.ttest_rel / wilcoxon
        reference = paired_change(frame.loc[mask, "before"], frame.loc[mask, "after"])
        _assert_rows_equal(grouped[(grouped[keys] == row[keys]).all(axis=1)], reference)


def test_paired_change_groups_report_cells_without_rows() -> None:
    frame = _groups()
    cells = pd.DataFrame({"g": ["likert", "absent"]})
    grouped = paired_change_groups(frame, ["g"], cells=cells)
    assert list(grouped["g"]) == ["absent", "likert"]
    absent = grouped[grouped["g"] == "absent"]
    _assert_rows_equal(absent, paired_change([], []))


@pytest.mark.parametrize("keys", [["g"], ["g", "h"]])
def test_top2box_and_mean_groups_equal_per_group(keys: list[str]) -> None:
    frame = _groups()
    top = top2box_change_groups(frame, keys, threshold=4)
    means = mean_ci_groups(frame, keys, value="after")
    for _, row in top.iterrows():
        mask = (frame[keys] == row[keys]).all(axis=1)
        here = (top[keys] == row[keys]).all(axis=1)
        # reference: top2box_change (McNemar via statsmodels) and mean_ci (scipy t) per group
        _assert_rows_equal(top[here], top2box_change(frame.loc[mask, "before"],
                                                     frame.loc[mask, "after"], threshold=4))
        _assert_rows_equal(means[here], mean_ci(frame.loc[mask, "after"]))


def test_mean_and_median_arrays_equal_per_group_functions() -> None:
    frame = _groups()
    frame = frame[frame["after"].notna()]
    group = pd.factorize(frame["g"])[0]
    size = group.max() + 2  # one more group without values
    values = frame["after"].to_numpy(dtype=float)
    with_nan = np.where(np.arange(len(values)) % 4 == 0, np.nan, values)
    means = pd.DataFrame(mean_ci_arrays(values, group, size))
    n, medians = median_arrays(with_nan, group, size)
    for g in range(size):
        # references: mean_ci (scipy t) and median_row (numpy median) on the group's values
        want = mean_ci(values[group == g])
        _assert_rows_equal(means.iloc[[g]], want[["n", "estimate", "ci_low", "ci_high",
                                                  "method", "sd"]])
        row = median_row(with_nan[group == g]).iloc[0]
        assert n[g] == row["n"]
        assert medians[g] == pytest.approx(row["estimate"], rel=1e-12, nan_ok=True)


def _panel(seed: int, n_t: int, n_c: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_t + n_c
    pre = np.round(rng.normal(3, 1, n) * 3) / 3
    post = pre + np.round(rng.normal(0.1, 0.6, n) * 3) / 3
    post[:n_t] += 0.3
    return pd.DataFrame({"employee_id": np.arange(n), "treat": np.r_[np.ones(n_t), np.zeros(n_c)],
                         "pre": pre, "post": post})


def _moments(panel: pd.DataFrame) -> pd.DataFrame:
    panel = panel.assign(d=panel["post"] - panel["pre"])
    agg = panel.groupby("treat").agg(n=("d", "size"), mean_d=("d", "mean"), var_d=("d", "var"),
                                     mean_pre=("pre", "mean"), var_pre=("pre", "var"),
                                     mean_post=("post", "mean"), var_post=("post", "var"))
    row = {f"{m}_t": agg.loc[1.0, m] if 1.0 in agg.index else np.nan for m in ARM_MOMENTS}
    row |= {f"{m}_c": agg.loc[0.0, m] if 0.0 in agg.index else np.nan for m in ARM_MOMENTS}
    return pd.DataFrame([row])


def _long(panel: pd.DataFrame) -> pd.DataFrame:
    keep = panel[["employee_id", "treat"]]
    return pd.concat([keep.assign(post=0, y=panel["pre"]), keep.assign(post=1, y=panel["post"])],
                     ignore_index=True)


@pytest.mark.parametrize(("seed", "n_t", "n_c"), [(1, 37, 120), (2, 5, 400), (3, 2, 2)])
def test_did_from_moments_equals_cluster_robust_ols(seed: int, n_t: int, n_c: int) -> None:
    panel = _panel(seed, n_t, n_c)
    result = did_from_moments(_moments(panel)).iloc[0]
    long = _long(panel)
    # reference: statsmodels OLS y ~ treat * post, cluster-robust by person, use_t=True
    x = sm.add_constant(np.column_stack([long["treat"], long["post"],
                                         long["treat"] * long["post"]]))
    fit = sm.OLS(long["y"].to_numpy(), x).fit(
        cov_type="cluster", cov_kwds={"groups": long["employee_id"].to_numpy()}, use_t=True)
    assert result["estimate"] == pytest.approx(fit.params[3], rel=1e-9)
    assert result["se"] == pytest.approx(fit.bse[3], rel=1e-9)
    assert result["p_value"] == pytest.approx(fit.pvalues[3], rel=1e-7)
    assert [result["ci_low"], result["ci_high"]] == pytest.approx(list(fit.conf_int()[3]),
                                                                  rel=1e-9)
    # and the whole row equals the per-cell function on the long data
    reference = difference_in_differences(long, outcome="y")
    _assert_rows_equal(did_from_moments(_moments(panel)), reference)


@pytest.mark.parametrize(("n_t", "n_c"), [(1, 50), (0, 50), (30, 1)])
def test_did_from_moments_too_few_people(n_t: int, n_c: int) -> None:
    panel = _panel(4, n_t, n_c)
    got = did_from_moments(_moments(panel))
    assert np.isnan(got["estimate"].iloc[0])
    assert got["method"].iloc[0].endswith("needs ≥2 people per arm and rows in both periods")
    assert got["n"].iloc[0] == n_t + n_c


def test_did_from_moments_no_residual_variance() -> None:
    panel = _panel(5, 6, 8)
    panel["pre"] = np.arange(len(panel)) % 5 + 1.0  # exact binary fractions: no rounding noise
    panel["post"] = panel["pre"] + np.where(panel["treat"] == 1, 1.0, 0.5)
    got = did_from_moments(_moments(panel))
    reference = difference_in_differences(_long(panel), outcome="y")  # per-cell reference
    # se: 0 here, NaN from statsmodels (the square root of a covariance of -0.0)
    _assert_rows_equal(got, reference.drop(columns="se"))
    assert not got["se"].iloc[0] > 0
    assert got["method"].iloc[0].endswith("no residual variance")
