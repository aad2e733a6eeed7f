"""A real import that stops inside its transaction, so a test can SIGKILL it there.

Run as ``python -m tests.robust.paused_import DB CSV MAPPING MARKER POINT``. At ``POINT`` — the
log event ``import.writing`` (the imports row written, no answers yet) or the stage
``archiving`` (every answer written, nothing committed) — it writes ``MARKER`` and sleeps until
killed. Same code path as ``crossgen import`` (``live.import_into``), through its public hooks:
a logging handler and the ``progress`` callback, no patching.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from analysis import logs
from analysis.ingest.live import import_into

POINTS = ("import.writing", "archiving")


def main(db: str, csv: str, mapping: str, marker: str, point: str) -> None:
    if point not in POINTS:
        raise ValueError(f"point must be one of {POINTS}, not {point!r}")

    def pause(name: str) -> None:
        if name == point:
            Path(marker).write_text(name)
            time.sleep(3600)  # until the test kills this process

    class PauseAtEvent(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            pause(record.getMessage())

    logs.LOGGER.addHandler(PauseAtEvent())
    logs.LOGGER.setLevel(logging.INFO)
    import_into(Path(db), "survey", Path(csv), mapping=Path(mapping), progress=pause)
    raise SystemExit(f"the import finished without reaching {point!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])
