"""Wave resolution: each cohort's before/after pulse survey, and the per-cohort override."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.store.db import Store
from analysis.store.waves import resolve_waves, set_wave_override
from tests.integration.tinydb import build_tiny

# T1 runs 2024-01-01 .. 2024-06-30
PULSES = [
    ("w-old", "2023-06-01 09:00", "2023-06-10 17:00"),
    ("w-on-start", "2023-12-20 09:00", "2024-01-01 23:00"),  # closes on the start date: before
    ("w-during", "2024-03-01 09:00", "2024-03-10 17:00"),  # during the cohort: neither
    ("w-on-end", "2024-06-30 08:00", "2024-07-09 17:00"),  # opens on the end date: after
    ("w-late", "2024-09-01 09:00", "2024-09-10 17:00"),
]


@pytest.fixture()
def store(tmp_path: Path):
    db = build_tiny(tmp_path / "tiny.duckdb")
    with Store(db) as s:
        for admin, opened, closed in PULSES:
            s.execute("insert into administrations values (?, ?, 'pulse', null, null, ?, ?, null)",
                      [admin, admin, opened, closed])
        s.execute("insert into administrations values ('prog-pre', 'p', 'programme', 'T1', "
                  "'pre', '2023-12-31 09:00', '2024-01-01 10:00', null)")
        yield s


def _row(store: Store) -> dict:
    return resolve_waves(store).set_index("cohort_id").loc["T1"].to_dict()


def test_rule_boundaries(store: Store) -> None:
    row = _row(store)
    assert row["before_administration_id"] == "w-on-start"  # latest closed on/before start
    assert row["after_administration_id"] == "w-on-end"  # earliest opened on/after end
    assert (row["before_source"], row["after_source"]) == ("rule", "rule")


def test_override_wins_field_by_field(store: Store) -> None:
    set_wave_override(store, "T1", before="w-old")
    row = _row(store)
    assert row["before_administration_id"] == "w-old" and row["before_source"] == "override"
    assert row["after_administration_id"] == "w-on-end" and row["after_source"] == "rule"
    set_wave_override(store, "T1")  # clearing restores the rule
    assert _row(store)["before_administration_id"] == "w-on-start"


def test_override_is_checked(store: Store) -> None:
    with pytest.raises(ValueError, match="not a pulse"):
        set_wave_override(store, "T1", after="prog-pre")
    with pytest.raises(ValueError, match="no cohort"):
        set_wave_override(store, "T9", after="w-late")


def test_no_wave_fits(store: Store) -> None:
    store.execute("delete from administrations where administration_id in ('w-on-end', 'w-late')")
    row = _row(store)
    assert row["after_administration_id"] is None or row["after_administration_id"] != \
        row["after_administration_id"]  # null (None or NaN)
    assert row["after_source"] == "none"
