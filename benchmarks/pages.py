"""Demo-database benchmark of the dashboard and the board pack (issue 5 and 6 targets).

* Server time of the callbacks a filter change fires, per page, over random filter states
  (:func:`benchmarks.callbacks.measure`, Flask test client, no browser): p50 / p95 per page,
  target < 1 s per page.
* The board pack as ``crossgen report --out deck.pptx`` builds it (:func:`dashboard.exports.
  board_pack`), timed in-process after kaleido's one Chromium has started: target < 15 s.

Runs on a private copy of the demo database (built from the committed demo exports unless
``--db`` names one to copy). ``python -m benchmarks.pages [--states 30] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

PAGE_TARGET_MS = 1000.0
DECK_TARGET_S = 15.0


def demo_copy(workdir: Path, source: Path | None) -> Path:
    """A private demo database in ``workdir``: a copy of ``source``, else built afresh."""
    db = workdir / "demo.duckdb"
    if source is not None:
        shutil.copyfile(source, db)
        return db
    from analysis.ingest.demo_db import DEMO_FILES, build_demo

    return build_demo(db, files=DEMO_FILES)


def page_times(db: Path, *, states: int, seed: int) -> tuple[dict[str, list[float]], float]:
    """Server time per page over random filter states, once the app's background warm-up of the
    privacy tables is done (a server runs for hours; its start-up is timed on its own)."""
    import dash

    from benchmarks.callbacks import measure
    from dashboard import model
    from dashboard.app import create_app

    started = time.perf_counter()
    app = create_app(db)
    model.wait_warm(timeout=600)
    warm_s = time.perf_counter() - started
    client = app.server.test_client()
    pages = [p["relative_path"] for p in dash.page_registry.values()]
    return measure(client, pages, model.filter_options(), states=states, seed=seed), warm_s


def deck_times(*, builds: int) -> dict[str, float]:
    """Kaleido's start, then ``builds`` demo decks, each from cold caches (as a fresh filter)."""
    import plotly.graph_objects as go

    from analysis.pages import common
    from analysis.report import images
    from analysis.store.filters import Filters
    from dashboard import exports, model

    started = time.perf_counter()
    # Starts the process's one Chromium; every deck image after this reuses it.
    images.to_image(go.Figure(), fmt="png", scale=images.MIN_SCALE)
    kaleido_s = time.perf_counter() - started
    seconds = []
    size = 0
    for _ in range(builds):
        model.configure(model.store().path)  # fresh store and empty caches: a cold build
        common.clear_cache()
        started = time.perf_counter()
        size = len(exports.board_pack(model.store(), Filters()))
        seconds.append(time.perf_counter() - started)
    return {"kaleido_start_s": round(kaleido_s, 2), "deck_first_s": round(seconds[0], 2),
            "deck_median_s": round(statistics.median(seconds), 2),
            "deck_kib": round(size / 1024), "browser_starts": images.renderer().starts}


def run(*, states: int, seed: int, builds: int, source: Path | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="crossgen-bench-") as tmp:
        db = demo_copy(Path(tmp), source)
        per_page, warm_s = page_times(db, states=states, seed=seed)
        deck = deck_times(builds=builds)
    return {
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
        "machine": f"{platform.machine()}, {_cpus()} cores, Python {platform.python_version()}",
        "states": states,
        "start_and_warm_s": round(warm_s, 2),
        "pages": {path: {"p50_ms": round(float(np.percentile(ms, 50)), 1),
                         "p95_ms": round(float(np.percentile(ms, 95)), 1),
                         "max_ms": round(float(np.max(ms)), 1)}
                  for path, ms in per_page.items()},
        **deck,
    }


def report(result: dict[str, object]) -> str:
    pages: dict[str, dict[str, float]] = result["pages"]  # type: ignore[assignment]
    lines = [f"crossgen demo benchmark ({result['machine']}, {result['date']}, "
             f"{result['states']} random filter states per page; app start and background "
             f"warm-up {result['start_and_warm_s']} s, timed before the pages)",
             f"{'page':<16}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'target':>10}  ok"]
    for path, t in pages.items():
        ok = "yes" if t["p95_ms"] < PAGE_TARGET_MS else "NO"
        lines.append(f"{path:<16}{t['p50_ms']:>10}{t['p95_ms']:>10}{t['max_ms']:>10}"
                     f"{PAGE_TARGET_MS:>10.0f}  {ok}")
    deck_ok = "yes" if float(result["deck_first_s"]) < DECK_TARGET_S else "NO"  # type: ignore[arg-type]
    lines.append(f"kaleido start {result['kaleido_start_s']} s (once per process); board pack "
                 f"(demo, all cohorts) first build {result['deck_first_s']} s, median "
                 f"{result['deck_median_s']} s, {result['deck_kib']} KiB; target < "
                 f"{DECK_TARGET_S:g} s  {deck_ok}; Chromium starts: {result['browser_starts']}")
    return "\n".join(lines)


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--states", type=int, default=30, help="random filter states per page")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--decks", type=int, default=3, help="board-pack builds to time")
    parser.add_argument("--db", type=Path, default=None,
                        help="demo database to copy (default: build one from the demo exports)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.states < 1 or args.decks < 1:
        raise SystemExit("--states and --decks must be at least 1")
    result = run(states=args.states, seed=args.seed, builds=args.decks, source=args.db)
    print(report(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
