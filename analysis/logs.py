"""Structured logs: one JSON object per line, via the standard library's logging.

Events carry counts, file names, a sha256 prefix, durations and exception *types* — never emails,
names, employee ids or exception messages (those can quote a cell of the file).

Where the lines go: ``CROSSGEN_LOG`` names a file (appended to) or ``-`` for stderr. ``crossgen
serve`` logs to stderr when it is unset; other commands log only when it is set, so their output
stays what a person reads.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

LOGGER = logging.getLogger("crossgen")
LOGGER.addHandler(logging.NullHandler())  # unconfigured: silent, not logging's "last resort"
_HANDLER_NAME = "crossgen-jsonl"


class JsonLines(logging.Formatter):
    """``{"ts": …, "level": …, "event": …, **fields}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            "pid": record.process,
        }
        line.update(getattr(record, "fields", {}))
        return json.dumps(line, default=str, ensure_ascii=False)


def configure(*, default: str | None = None) -> None:
    """Attach the JSON-lines handler once; ``CROSSGEN_LOG`` wins over ``default``."""
    target = os.environ.get("CROSSGEN_LOG") or default
    if not target or any(h.get_name() == _HANDLER_NAME for h in LOGGER.handlers):
        return
    handler: logging.Handler = (logging.StreamHandler(sys.stderr) if target == "-"
                                else logging.FileHandler(target, encoding="utf-8"))
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonLines())
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False


def event(name: str, *, level: int = logging.INFO, **fields: Any) -> None:
    """Log one event. Pass only counts, file names, hashes, durations and type names."""
    LOGGER.log(level, name, extra={"fields": fields})


def since(started: float) -> int:
    """Milliseconds since ``started`` (a ``time.monotonic()`` reading)."""
    return round((time.monotonic() - started) * 1000)
