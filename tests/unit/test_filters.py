from __future__ import annotations

import pytest

from analysis.store.filters import Filters


def test_query_string_round_trip() -> None:
    f = Filters(cohort="C2", role="mentee", generation=("Gen Z", "Millennials"),
                department=("Sales",))
    assert Filters.from_query(f.to_query()) == f
    assert Filters().to_query() == ""


def test_unknown_role_in_url_is_ignored_but_rejected_in_code() -> None:
    assert Filters.from_query("?role=ceo").role is None
    with pytest.raises(ValueError):
        Filters(role="ceo")


def test_people_where_binds_values() -> None:
    where, params = Filters(generation=("Gen Z",), level=("Manager", "Director")).people_where()
    assert "Gen Z" not in where
    assert params["generation_0"] == "Gen Z" and params["level_1"] == "Director"
