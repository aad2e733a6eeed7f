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
    def from_query(cls, search: object) -> Filters:
        """Parse ``?cohort=C1&generation=Gen%20Z&generation=Millennials``. It comes from a
        browser, so anything else is ignored: a non-string (no filters), unknown keys, an
        unknown role, repeated single-valued keys (the first counts), repeated values."""
        if not isinstance(search, str):
            return cls()
        raw = parse_qs(search.lstrip("?"), keep_blank_values=False)
        return cls.from_mapping({k: v if k in MULTI else v[0] for k, v in raw.items()})

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
        """Filters from loosely typed values (dropdowns, a parsed query): only strings count;
        an unknown role, other keys and values of other types are ignored."""
        role = values.get("role")
        cohort = values.get("cohort")
        return cls(
            cohort=cohort if isinstance(cohort, str) and cohort else None,
            role=role if isinstance(role, str) and role in ROLES else None,
            **{name: _strings(values.get(name)) for name in MULTI},
        )


MULTI = ("generation", "department", "level")


def _strings(value: object) -> tuple[str, ...]:
    """A multi-valued filter's values: one string or a list of them, others dropped, each once."""
    items = [value] if isinstance(value, str) else value if isinstance(value, list | tuple) else []
    return tuple(dict.fromkeys(v for v in items if isinstance(v, str) and v))
