"""The independent company's committed exports and expected figures are what their scripts give.

``tests/independent/make_company.py`` writes the exports (seeded), ``tests/independent/oracle.py``
the expected figures from the generating tables (scipy / statsmodels / lifelines, never crossgen
code). If either script or a library changes a byte or a figure, these tests say so, and the
committed files are regenerated with the scripts (see their docstrings).
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.independent import oracle
from tests.independent.make_company import OUT, build_company, render


def test_exports_regenerate_byte_identically(tmp_path: Path) -> None:
    files = render(build_company())
    committed = {p.name for p in OUT.glob("*.csv")}
    assert committed == set(files)
    for name, data in files.items():
        assert (OUT / name).read_bytes() == data, f"{name} differs from what the generator writes"


def test_meetings_are_windows_1252_with_accented_names() -> None:
    data = (OUT / "chronus_meetings.csv").read_bytes()
    text = data.decode("cp1252")
    assert "ë" in text or "é" in text
    with pytest.raises(UnicodeDecodeError):  # a cp1252 file, not UTF-8
        data.decode("utf-8")


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return bool(a == b)


def test_expected_json_is_what_the_oracle_computes() -> None:
    committed = json.loads(oracle.EXPECTED.read_text(encoding="utf-8"))
    fresh = json.loads(oracle.dumps(oracle.expected()))
    assert _close(fresh, committed), "rerun python -m tests.independent.oracle"
    # every figure the integration test holds has its n
    assert all(f["n"] > 0 for f in fresh["figures"])


def test_oracle_sign_flip_p_enumerates_every_sign() -> None:
    """The oracle's exact eNPS permutation p against brute force over all 2^n sign flips."""
    rng = np.random.default_rng(3)
    for n in range(1, 11):
        d = rng.integers(-2, 3, n)
        flips = np.array(list(itertools.product([-1, 1], repeat=n)))
        brute = float(np.mean(np.abs(flips @ d) >= abs(d.sum())))
        assert math.isclose(oracle.sign_flip_p(d), brute, abs_tol=1e-12)
