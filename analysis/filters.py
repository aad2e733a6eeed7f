"""The global filter state (cohort, role, generation, department, level) and its SQL.

The dashboard keeps this state in the URL query string; the CLI builds it from flags. Every data
query that can be sliced takes a :class:`Filters` and turns it into a bound ``where`` fragment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import parse_qs, urlencode

ROLES = ("mentor", "mentee")
SLICE_DIMENSIONS = ("generation", "department", "level", "role")


@dataclass(frozen=True)
class Filters:
    cohort: str | None = None
    role: str | None = None  # mentor / mentee / None (= all participants)
    generation: tuple[str, ...] = ()
    department: tuple[str, ...] = ()
    level: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.role is not None and self.role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {self.role!r}")

    # -- URL query string ----------------------------------------------------------------------

    @classmethod
    def from_query(cls, search: str | None) -> Filters:
        """Parse ``?cohort=C1&generation=Gen%20Z&generation=Millennials``; unknown keys ignored."""
        raw = parse_qs((search or "").lstrip("?"), keep_blank_values=False)
        role = raw.get("role", [""])[0]
        return cls(
            cohort=raw.get("cohort", [""])[0] or None,
            role=role if role in ROLES else None,
            generation=tuple(raw.get("generation", [])),
            department=tuple(raw.get("department", [])),
            level=tuple(raw.get("level", [])),
        )

    def to_query(self) -> str:
        pairs: list[tuple[str, str]] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                pairs += [(f.name, v) for v in value]
            elif value:
                pairs.append((f.name, value))
        return "?" + urlencode(pairs) if pairs else ""

    def with_values(self, **changes: Any) -> Filters:
        clean: dict[str, Any] = {k: (tuple(v) if isinstance(v, list | tuple) else (v or None))
                                 for k, v in changes.items()}
        for key in ("generation", "department", "level"):
            if key in clean and clean[key] is None:
                clean[key] = ()
        return replace(self, **clean)

    # -- SQL ------------------------------------------------------------------------------------

    def people_where(self, alias: str = "e") -> tuple[str, dict[str, Any]]:
        """Conditions on the employees table (generation, department, level) with named
        parameters ($generation_0, …), plus $cohort and $role for the participants table."""
        clauses: list[str] = []
        params: dict[str, Any] = {"cohort": self.cohort, "role": self.role}
        for name in ("generation", "department", "level"):
            values = getattr(self, name)
            if values:
                names = [f"{name}_{i}" for i in range(len(values))]
                clauses.append(f"{alias}.{name} in ({', '.join('$' + n for n in names)})")
                params.update(zip(names, values, strict=True))
        return (" and ".join(clauses) or "true"), params

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value:
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Filters:
        return cls().with_values(**{k: v for k, v in values.items()
                                    if k in {f.name for f in fields(cls)}})
