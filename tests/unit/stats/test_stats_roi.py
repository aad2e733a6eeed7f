from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.stats import roi_range
from analysis.stats.roi import ROI_COLUMNS

REL = 1e-6
ARGS = dict(
    retention_diff=0.05,
    retention_diff_ci_low=-0.01,
    retention_diff_ci_high=0.11,
    participants=40,
    mean_salary=60_000,
    programme_cost=50_000,
)


def test_roi_by_hand():
    table = roi_range(**ARGS)
    assert list(table.columns) == list(ROI_COLUMNS)
    assert table["scenario"].tolist() == ["low", "base", "high"]
    base = table.set_index("scenario").loc["base"]
    # avoided exits 0.05·40 = 2 (CI −0.4 … 4.4); value 2 · 0.5 · 60 000 = 60 000
    assert base["avoided_exits"] == pytest.approx(2.0, rel=REL)
    assert base["avoided_exits_low"] == pytest.approx(-0.4, rel=REL)
    assert base["avoided_exits_high"] == pytest.approx(4.4, rel=REL)
    assert base["value"] == pytest.approx(60_000, rel=REL)
    assert base["value_high"] == pytest.approx(4.4 * 0.5 * 60_000, rel=REL)
    assert base["net"] == pytest.approx(10_000, rel=REL)
    assert base["net_low"] == pytest.approx(-0.4 * 30_000 - 50_000, rel=REL)
    assert base["roi"] == pytest.approx(0.2, rel=REL)
    low = table.set_index("scenario").loc["low"]
    assert low["value"] == pytest.approx(2 * 0.21 * 60_000, rel=REL)  # Boushey & Glynn 21%
    high = table.set_index("scenario").loc["high"]
    assert high["roi_high"] == pytest.approx((4.4 * 1.5 * 60_000 - 50_000) / 50_000, rel=REL)


def test_roi_cost_zero_or_unknown():
    zero = roi_range(**{**ARGS, "programme_cost": 0})
    assert zero["roi"].isna().all() and zero["net"].tolist() == zero["value"].tolist()
    unknown = roi_range(**{**ARGS, "programme_cost": None})
    assert unknown["net"].isna().all() and unknown["roi"].isna().all()


def test_roi_custom_scenarios_and_nan_difference():
    table = roi_range(**{**ARGS, "replacement_shares": {"only": 1.0}})
    assert table["scenario"].tolist() == ["only"]
    nan = roi_range(**{**ARGS, "retention_diff": math.nan})
    assert np.isnan(nan["value"]).all()


def test_roi_malformed():
    with pytest.raises(ValueError):
        roi_range(**{**ARGS, "participants": -1})
    with pytest.raises(ValueError):
        roi_range(**{**ARGS, "retention_diff_ci_low": 0.2})
    with pytest.raises(ValueError):
        roi_range(**{**ARGS, "programme_cost": -5})
