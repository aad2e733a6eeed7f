"""Band tables (analysis.privacy.banded) on a hand-made population: the rules, one by one."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.privacy import banded
from analysis.privacy import rules as privacy
from analysis.privacy.canon import canonical_tables

K = 5


def _units() -> pd.DataFrame:
    """Two cohorts; in cohort A, 3 Boomer mentees all in band "1" (a small group)."""
    rows = []
    for cohort in ("A", "B"):
        for role in ("mentor", "mentee"):
            for generation, size in (("Millennials", 20), ("Gen X", 12)):
                for i in range(size):
                    rows.append((cohort, role, generation, str(i % 3)))
    rows += [("A", "mentee", "Boomers", "1")] * 3
    frame = pd.DataFrame(rows, columns=["cohort", "role", "generation", "band"])
    return frame.assign(department="D", level="L")


def _bands(units: pd.DataFrame) -> banded.Bands:
    base_units = units.assign(metric="m", outcome="o")[privacy.UNIT_COLUMNS]
    base = canonical_tables(base_units, "m", "o", min_group_size=K)
    return banded.protect(units, base, k=K)


def _counts(units: pd.DataFrame, **where: object) -> pd.Series:
    keep = np.ones(len(units), dtype=bool)
    for column, values in where.items():
        keep &= units[column].isin(values if isinstance(values, tuple) else (values,))
    return units[keep]["band"].value_counts()


def test_a_small_band_is_hidden_with_a_partner_in_its_view() -> None:
    units = _units()
    bands = _bands(units)
    view = banded.decide(bands, cohort="A", role="mentee", conditions={},
                         counts=_counts(units, cohort="A", role="mentee"))
    # every band here is large (the 3 Boomers are spread over band "1"): all shown, by hand
    assert not view["suppressed"].any()
    boomers = banded.decide(bands, cohort=None, role="mentee",
                            conditions={"generation": ("Boomers",)},
                            counts=_counts(units, role="mentee", generation="Boomers"),
                            every=("0", "1", "2"))
    # 3 people: fewer than 5; the empty bands are marked alike, or they would tell that all
    # three are in band "1"
    assert boomers["band"].tolist() == ["1", "0", "2"] and boomers["suppressed"].all()
    assert boomers["n"].isna().all()
    # Millennials and Boomers together minus Millennials alone would give the Boomers' band.
    both = banded.decide(bands, cohort=None, role="mentee",
                         conditions={"generation": ("Millennials", "Boomers")},
                         counts=_counts(units, role="mentee",
                                        generation=("Millennials", "Boomers")))
    alone = banded.decide(bands, cohort=None, role="mentee",
                          conditions={"generation": ("Millennials",)},
                          counts=_counts(units, role="mentee", generation="Millennials"))
    one = both.set_index("band").loc["1"], alone.set_index("band").loc["1"]
    assert one[0]["suppressed"] or one[1]["suppressed"]
    shown = pd.concat([view, both, alone])
    assert (shown.loc[~shown["suppressed"], "n"] >= K).all()


def test_views_the_tables_cannot_decide_are_hidden_with_their_reason() -> None:
    units = _units()
    bands = _bands(units)
    sliced = banded.decide(bands, cohort="A", role=None, conditions={"generation": ("Gen X",)},
                           counts=_counts(units, cohort="A", generation="Gen X"))
    assert sliced["suppressed"].all()
    assert set(sliced["suppressed_reason"]) == {banded.REASON_COHORT_SLICE}
    wrong = _counts(units, cohort="B").add(1)  # not the people the tables count
    off = banded.decide(bands, cohort="B", role=None, conditions={}, counts=wrong)
    assert off["suppressed"].all()
    assert set(off["suppressed_reason"]) == {privacy.REASON_UNCHECKED}
    assert off["n"].isna().all()
