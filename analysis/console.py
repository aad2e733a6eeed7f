"""What the command line tells its user: one function, so output is never confused with debris."""

from __future__ import annotations

import sys
from typing import TextIO


def say(*parts: object, file: TextIO | None = None) -> None:
    """Write a line to stdout (results) or to ``file`` (stderr for messages and errors)."""
    stream = file or sys.stdout
    stream.write(" ".join(str(p) for p in parts) + "\n")
    stream.flush()
