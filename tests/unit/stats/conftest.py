"""Fixtures for the statistics tests: the public reference data sets in tests/data/reference."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import reference_file


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(reference_file(name))


@pytest.fixture(scope="session")
def prepost_only() -> pd.DataFrame:
    """R for HR: 25 employees' PreTest/PostTest (paired-samples t-test chapter)."""
    return _read("rforhr_TrainingEvaluation_PrePostOnly.csv")


@pytest.fixture(scope="session")
def prepost_control() -> pd.DataFrame:
    """R for HR: 50 employees, Condition New/Old, PreTest/PostTest."""
    return _read("rforhr_TrainingEvaluation_PrePostControl.csv")


@pytest.fixture(scope="session")
def prepost_control_long(prepost_control: pd.DataFrame) -> pd.DataFrame:
    """Long form: one row per employee × period; treat = Condition == "New"."""
    wide = prepost_control
    pre = wide.assign(post=0, y=wide["PreTest"])
    post = wide.assign(post=1, y=wide["PostTest"])
    long = pd.concat([pre, post], ignore_index=True)
    long["treat"] = (long["Condition"] == "New").astype(int)
    return long[["EmpID", "Condition", "treat", "post", "y"]]


@pytest.fixture(scope="session")
def turnover() -> pd.DataFrame:
    """R for HR survival data, 701 employees. Turnover: 1 = left (the event), 0 = still employed,
    2 = another kind of exit — treated as censored at LOS, as crossgen censors involuntary exits."""
    data = _read("rforhr_Survival.csv")
    return data.assign(event=(data["Turnover"] == 1).astype(int))
