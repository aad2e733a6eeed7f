from __future__ import annotations

import math

import pytest
from statsmodels.stats.power import TTestPower

from analysis.stats import minimum_detectable_effect, power_note

REL = 1e-5  # solve_power stops at about this tolerance; our root is checked by power() below


@pytest.mark.parametrize("n", [3, 12, 25, 200])
def test_mde_matches_ttestpower(n):
    mde = minimum_detectable_effect(n)
    # reference: statsmodels TTestPower solved directly
    ref = TTestPower().solve_power(effect_size=None, nobs=n, alpha=0.05, power=0.8)
    assert mde == pytest.approx(ref, rel=REL)
    # and back: the power at that effect is 0.8 (TTestPower().power)
    assert TTestPower().power(effect_size=mde, nobs=n, alpha=0.05) == pytest.approx(0.8, rel=1e-9)


@pytest.mark.parametrize("n", [73, 87, 117, 1500, 20000])
def test_mde_where_solve_power_misbehaves(n):
    # statsmodels' solve_power returns a 1-element array (negative at n=73) for these n;
    # reference: the power at our root is 0.8 (TTestPower().power), and the MDE falls with n.
    mde = minimum_detectable_effect(n)
    assert mde > 0
    assert TTestPower().power(effect_size=mde, nobs=n, alpha=0.05) == pytest.approx(0.8, rel=1e-6)
    assert minimum_detectable_effect(n + 1) < mde


def test_mde_options_and_small_n():
    ref = TTestPower().solve_power(effect_size=None, nobs=30, alpha=0.01, power=0.9)
    assert minimum_detectable_effect(30, alpha=0.01, power=0.9) == pytest.approx(ref, rel=REL)
    assert math.isnan(minimum_detectable_effect(2))
    assert math.isnan(minimum_detectable_effect(0))
    with pytest.raises(ValueError):
        minimum_detectable_effect(10, power=80)


def test_power_note():
    mde = minimum_detectable_effect(12)
    assert power_note(12) == (
        f"With 12 people this comparison can only detect effects of d = {mde:.2f} or larger; "
        "a moderate effect (d = 0.5) could be missed."
    )
    assert power_note(40) == ""  # MDE(40) ≈ 0.45 < 0.5
    assert "at least 3" in power_note(2)
