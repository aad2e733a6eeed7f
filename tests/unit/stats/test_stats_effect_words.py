from __future__ import annotations

import math

import pytest

from analysis.stats import effect_size_label


@pytest.mark.parametrize(
    ("d", "label"),
    [
        (0.0, "negligible"),
        (0.19, "negligible"),
        (0.2, "small"),
        (-0.49, "small"),
        (0.5, "moderate"),
        (-0.79, "moderate"),
        (0.8, "large"),
        (-2.5, "large"),
        (math.nan, ""),
        (None, ""),
    ],
)
def test_cohen_1988_bands(d, label):
    assert effect_size_label(d) == label
