"""Each dashboard page's browser time on the demo: from navigation to the last chart drawn.

Serves the demo database with ``crossgen serve`` (one process), opens every page in headless
Chromium (Debian's) at 1440 px with no filter set, and reads ``performance.now()``
(milliseconds since navigation started) at the first animation frame where every chart block
holds a drawn plotly figure and no callback is loading. Each page is loaded ``--runs`` times in
a fresh browser context (cold: a first visit, every script fetched and compiled) and ``--runs``
times in a context that has opened it before (warm: scripts from the browser cache), after one
warm-up visit; the median and the slowest of each are reported. A benchmark, not a test: the
target is < 1.5 s per page, held against the cold median.

    python -m benchmarks.browser_pages --db data/crossgen-demo.duckdb \
        --json benchmarks/out/pages.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PAGES = ["/", "/skills", "/satisfaction", "/inclusion", "/retention", "/engagement", "/slices",
         "/data", "/comments"]
TARGET_MS = 1500
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"]
# Every chart block drawn (a plotly title), the page's own content present, and no callback
# requested, on its way or waiting to be drawn (Dash's store: the DOM alone has a frame between
# the page's layout and its first callbacks where nothing is marked loading yet, so a page
# without charts, Data or Comments, could pass before its tables came). textContent, not
# innerText: this runs at every animation frame, and innerText would lay the page out each time.
DRAWN = ("() => { const blocks = [...document.querySelectorAll('.chart-block')];"
         " const body = document.querySelector('#_pages_content');"
         " const store = (window.dash_stores || [])[0];"
         " const state = store && store.getState();"
         " const pending = !state || state.isLoading || ['requested', 'prioritized', 'blocked',"
         "  'executing', 'watched', 'executed', 'stored']"
         "  .some(k => (state.callbacks[k] || []).length);"
         " return !pending && body && body.textContent.length > 40"
         " && blocks.every(b => b.querySelector('.js-plotly-plot .gtitle'))"
         " && !document.querySelector('[data-dash-is-loading=\"true\"]')"
         " && !document.querySelector('._dash-loading') ? performance.now() : false; }")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(db: Path) -> Iterator[str]:
    """``crossgen serve`` on a free loopback port until the block ends; yields its URL."""
    port = _free_port()
    # One server process: its kept answers (dashboard.answers) are per process, so with one the
    # warm-up visit fills them all, and every counted load measures the browser, not a process
    # computing a view for the first time (the server's own benchmarks measure that).
    env = {**os.environ, "CROSSGEN_PROCESSES": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "analysis.cli", "serve", "--db", str(db),
                             "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("crossgen serve did not start") from None
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    raise RuntimeError("Chromium is not installed (apt-get install chromium)")


def drawn_ms(page: Any, url: str) -> float:
    """Load ``url``; milliseconds from navigation to the last chart drawn."""
    page.goto(url)
    return float(page.wait_for_function(DRAWN, timeout=120_000, polling="raf").json_value())


def measure(base: str, *, runs: int) -> list[dict[str, Any]]:
    """Per page: ``runs`` loads in fresh browser contexts (cold: the dashboard's scripts fetched
    and compiled each time, a first visit) and ``runs`` loads in one context that has opened the
    dashboard before (warm: scripts from the browser's cache, as a returning reader), each
    after one warm-up visit that fills the server's per-view cache."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), headless=True,
                                     args=CHROMIUM_ARGS)
        viewport = {"width": 1440, "height": 900}
        for path in PAGES:
            cold = []
            for run in range(runs + 1):
                context = browser.new_context(viewport=viewport)
                ms = drawn_ms(context.new_page(), base + path)
                context.close()
                if run:  # the first visit warms the server's per-view cache: not counted
                    cold.append(ms)
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            drawn_ms(page, base + path)  # fills the browser's cache
            warm = [drawn_ms(page, base + path) for _ in range(runs)]
            context.close()
            rows.append({"page": path, "runs": runs,
                         "median_ms": round(statistics.median(cold)), "max_ms": round(max(cold)),
                         "warm_median_ms": round(statistics.median(warm)),
                         "warm_max_ms": round(max(warm)),
                         "under_target": statistics.median(cold) < TARGET_MS})
        browser.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("data/crossgen-demo.duckdb"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not args.db.exists():
        raise SystemExit(f"no database at {args.db}: run `make demo` first")
    with serve(args.db) as base:
        rows = measure(base, runs=args.runs)
    print(f"{'page':<14} {'cold median':>12} {'cold max':>9} {'warm median':>12} "
          f"{'warm max':>9}  target < {TARGET_MS} ms (cold median)")
    for row in rows:
        print(f"{row['page']:<14} {row['median_ms']:>12} {row['max_ms']:>9} "
              f"{row['warm_median_ms']:>12} {row['warm_max_ms']:>9}  "
              f"{'ok' if row['under_target'] else 'OVER'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"target_ms": TARGET_MS, "pages": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
