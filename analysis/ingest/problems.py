"""What went wrong in a file, said so that a person can find it and fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in one file. ``row`` is the row number a spreadsheet shows (1-based)."""

    file: str
    message: str
    fix: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message} Fix: {self.fix}"


class ImportFailed(Exception):
    """An import was refused; nothing was written. Carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def fail(file: str, message: str, fix: str, *, row: int | None = None,
         column: str | None = None) -> ImportFailed:
    return ImportFailed([Problem(file, message, fix, row=row, column=column)])


def first_few(values: list[str], k: int = 5) -> str:
    shown = ", ".join(repr(v) for v in values[:k])
    more = f" and {len(values) - k} more" if len(values) > k else ""
    return shown + more
