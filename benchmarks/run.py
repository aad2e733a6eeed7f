"""Scale benchmark: import, metrics, dashboard callbacks, memory, and the pandas reference.

    python -m benchmarks.run --employees 200000 --json out.json

Prints a table and writes JSON with at least: employees, import_s, metrics_s, callback_p50_ms,
callback_p95_ms, peak_rss_mb, pandas_metrics_s, speedup_vs_pandas.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from benchmarks.enterprise import spec
from benchmarks.reference import REFERENCE_METRICS

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"import_s": 60.0, "metrics_s": 15.0, "callback_p95_ms": 300.0, "peak_rss_mb": 4096.0,
           "speedup_vs_pandas": 5.0}


def _child(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT,
                          check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return elapsed, done.stdout


def _children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run(employees: int, *, workdir: Path, states: int = 30) -> dict[str, object]:
    from analysis.demo.generate import generate

    data = workdir / f"data-{employees}"
    if not (data / "README.md").exists():
        generate(data, spec(employees))
    db = workdir / f"bench-{employees}.duckdb"
    archive = db.with_name(db.name + ".archive")
    for stale in (db, archive):
        if stale.is_dir():
            import shutil

            shutil.rmtree(stale)
        elif stale.exists():
            stale.unlink()

    # Import: the same path as `crossgen demo`, in its own process (its memory counts too).
    import_s, _ = _child(["-c", "import sys; from pathlib import Path; "
                                "from analysis.ingest.demo_db import build_demo; "
                                f"build_demo(Path({str(db)!r}), files=Path({str(data)!r}))"])
    metrics_s, out = _child(["-m", "analysis.cli", "metrics", "--db", str(db), "--json"])
    results = json.loads(out)["results"]
    peak_children = _children_peak_mb()  # crossgen's children only: before the pandas one
    pandas_s, ref_out = _child(["-m", "benchmarks.reference", "--db", str(db)])
    reference = json.loads(ref_out)
    # Like with like: crossgen computing the metrics the reference covers, both timed as whole
    # child processes (start-up included on both sides).
    same = [a for name in REFERENCE_METRICS for a in ("--metric", name)]
    same_s, _ = _child(["-m", "analysis.cli", "metrics", "--db", str(db), "--json", *same])

    # Dashboard callbacks in this process (Flask test client: server time only).
    from dashboard import model
    from dashboard.app import create_app

    started = time.perf_counter()
    app = create_app(db)
    model.wait_warm(timeout=1800)  # the privacy tables, built in the background at start
    warm_s = time.perf_counter() - started
    client = app.server.test_client()
    import dash

    from benchmarks.callbacks import measure

    pages = [p["relative_path"] for p in dash.page_registry.values()]
    per_page = measure(client, pages, model.filter_options(), states=states)
    all_ms = np.concatenate([np.asarray(v) for v in per_page.values()])
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "employees": employees,
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {_cpus()} cores, {platform.python_version()}",
        "answers": _count(db, "responses"),
        "sessions": _count(db, "sessions"),
        "import_s": round(import_s, 2),
        "metrics_s": round(metrics_s, 2),
        "metrics_rows": len(results),
        "app_start_and_warm_s": round(warm_s, 2),
        "callback_p50_ms": round(float(np.percentile(all_ms, 50)), 1),
        "callback_p95_ms": round(float(np.percentile(all_ms, 95)), 1),
        "callback_p95_ms_by_page": {k: round(float(np.percentile(v, 95)), 1)
                                    for k, v in per_page.items()},
        "peak_rss_mb": round(max(peak_children, peak_self), 1),
        "pandas_metrics_s": round(pandas_s, 2),
        "pandas_peak_rss_mb": round(float(reference["peak_rss_mb"]), 1),
        "metrics_same_as_pandas_s": round(same_s, 2),
        "speedup_vs_pandas": round(pandas_s / same_s, 2),
    }


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


def _count(db: Path, table: str) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(f"select count(*) from {table}").fetchone()  # noqa: S608 - fixed
    finally:
        con.close()
    return int(row[0]) if row else 0


def table(result: dict[str, object]) -> str:
    lines = [f"{'measure':<24}{'value':>12}{'target':>12}  ok"]
    for key in ("import_s", "metrics_s", "app_start_and_warm_s", "callback_p50_ms",
                "callback_p95_ms", "peak_rss_mb", "pandas_metrics_s", "metrics_same_as_pandas_s",
                "speedup_vs_pandas"):
        value = result[key]
        target = TARGETS.get(key)
        ok = "" if target is None else (
            "yes" if (value >= target if key == "speedup_vs_pandas" else value <= target)  # type: ignore[operator]
            else "NO")
        lines.append(f"{key:<24}{value!s:>12}{'' if target is None else target:>12}  {ok}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=200_000)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--states", type=int, default=30, help="random filter states per page")
    parser.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    result = run(args.employees, workdir=args.workdir, states=args.states)
    print(f"crossgen benchmark: {args.employees:,} employees, {result['answers']:,} answers, "
          f"{result['sessions']:,} sessions ({result['machine']}, {result['date']})")
    print(table(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
