"""Everything a user can see, captured into one JSON file, to show that a change of layout left
every answer as it was.

    python -m benchmarks.snapshot capture --db DB --out after.json [--states 5] [--seed 21]
    python -m benchmarks.snapshot compare before.json after.json
    python -m benchmarks.snapshot commits BEFORE AFTER --db DB [--workdir DIR]

``capture`` writes ``crossgen metrics --json`` (all rows, and ``--by generation``) and the
response of every server callback of every dashboard page: the page's default view, then
``--states`` seeded random filter states, each firing every callback whose inputs are on the page
(bodies built from ``/_dash-dependencies`` by :mod:`benchmarks.dash_requests`, posted with Flask's
test client). It runs on a private copy of the database, so a capture never changes it.

``compare`` is :mod:`benchmarks.compare` (floats within 1e-9 relative: DuckDB's threaded float
sums differ in the last digits from run to run). ``commits`` checks both commits out into
worktrees under ``--workdir`` and captures each with its own code (the capture script of this
tree, the code of that commit), then compares.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.compare import differences

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(__file__).resolve()


def private_copy(db: Path, workdir: Path) -> Path:
    """``db`` and its key file beside it (emails' HMAC secret), copied into ``workdir``."""
    copy = workdir / db.name
    shutil.copyfile(db, copy)
    for extra in (".secret",):
        side = db.with_name(db.name + extra)
        if side.exists():
            shutil.copyfile(side, copy.with_name(copy.name + extra))
    return copy


def metrics_json(db: Path, *options: str) -> Any:
    done = subprocess.run([sys.executable, "-m", "analysis.cli", "metrics", "--db", str(db),
                           "--json", *options], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"crossgen metrics {' '.join(options)} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def callback_responses(db: Path, *, states: int, seed: int) -> dict[str, Any]:
    """page -> view -> callback output (and pattern instance) -> {status, response}."""
    import dash

    # Filters through benchmarks.callbacks: the same script captures the code before a move.
    from benchmarks.callbacks import Filters, filter_values, random_filters
    from benchmarks.dash_requests import (
        Components,
        View,
        callback_payloads,
        page_components,
        router,
        walk,
    )
    from dashboard import model
    from dashboard.app import create_app

    app = create_app(db)
    model.wait_warm(timeout=3600)
    client = app.server.test_client()

    def post(body: dict[str, Any]) -> tuple[int, bytes]:
        resp = client.post("/_dash-update-component", data=json.dumps(body),
                           content_type="application/json")
        return resp.status_code, resp.data

    deps: list[dict[str, Any]] = client.get("/_dash-dependencies").get_json()
    routed = router(deps)
    served = [d for d in deps if d not in routed and not d.get("clientside_function")]
    shell: Components = {}
    walk(client.get("/_dash-layout").get_json(), shell)
    rng = random.Random(seed)
    options = model.filter_options()
    out: dict[str, Any] = {}
    for path in sorted(p["relative_path"] for p in dash.page_registry.values()):
        views = {"default": Filters()}
        for i in range(states):
            views[f"state-{i}"] = random_filters(rng, options)
        page_out: dict[str, Any] = {}
        for name, filters in views.items():
            view = View(path=path, search=filters.to_query(), values=filter_values(filters))
            page = page_components(post, deps, shell, view)
            answers: dict[str, Any] = {"query": filters.to_query()}
            for body in callback_payloads(served, page, view, changed="url.search"):
                status, payload = post(body)
                key = body["output"] + " " + json.dumps(body["inputs"], sort_keys=True)
                try:
                    response: Any = json.loads(payload)
                except ValueError:
                    response = payload.decode("utf-8", "replace")
                answers[key] = {"status": status, "response": response}
            page_out[name] = answers
        out[path] = page_out
    return out


def capture(db: Path, out: Path, *, states: int, seed: int) -> None:
    with tempfile.TemporaryDirectory(prefix="crossgen-snapshot-") as tmp:
        copy = private_copy(db, Path(tmp))
        result = {
            "metrics": metrics_json(copy),
            "metrics_by_generation": metrics_json(copy, "--by", "generation"),
            "callbacks": callback_responses(copy, states=states, seed=seed),
        }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, sort_keys=True))
    n = sum(len(v) - 1 for page in result["callbacks"].values() for v in page.values())
    print(f"{out}: {len(result['metrics']['results'])} metric rows, {n} callback responses")


def compare(before: Path, after: Path, *, show: int = 20) -> int:
    found = list(differences(json.loads(before.read_text()), json.loads(after.read_text())))
    for line in found[:show]:
        print(line[:400])
    print(f"{len(found)} difference(s)" if found else "equal")
    return 1 if found else 0


def commits(before: str, after: str, db: Path, *, workdir: Path, states: int, seed: int) -> int:
    """Capture ``db`` with the code of each commit (a worktree each), then compare."""
    workdir.mkdir(parents=True, exist_ok=True)
    outs = []
    for label, ref in (("before", before), ("after", after)):
        tree = workdir / f"tree-{label}"
        if tree.exists():
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT,
                           check=True)
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), ref], cwd=ROOT,
                       check=True, capture_output=True)
        out = workdir / f"{label}-{db.stem}.json"
        # The commit's own packages first on the path (ahead of this tree's editable install).
        env = {**os.environ, "PYTHONPATH": str(tree)}
        try:
            subprocess.run([sys.executable, str(SCRIPT), "capture", "--db", str(db.resolve()),
                            "--out", str(out), "--states", str(states), "--seed", str(seed)],
                           cwd=tree, env=env, check=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT,
                           check=False)
        outs.append(out)
    return compare(*outs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cap = sub.add_parser("capture", help="metrics and callback responses of one database")
    cap.add_argument("--db", type=Path, required=True)
    cap.add_argument("--out", type=Path, required=True)
    cmp_ = sub.add_parser("compare", help="two captures, floats within 1e-9 relative")
    cmp_.add_argument("before", type=Path)
    cmp_.add_argument("after", type=Path)
    cmp_.add_argument("--show", type=int, default=20)
    two = sub.add_parser("commits", help="capture with two commits' code, then compare")
    two.add_argument("before")
    two.add_argument("after")
    two.add_argument("--db", type=Path, required=True)
    two.add_argument("--workdir", type=Path, default=ROOT / "benchmarks" / "out" / "snapshot")
    for p in (cap, two):
        p.add_argument("--states", type=int, default=5, help="random filter states per page")
        p.add_argument("--seed", type=int, default=21)
    args = parser.parse_args(argv)
    if args.command == "capture":
        capture(args.db, args.out, states=args.states, seed=args.seed)
        return 0
    if args.command == "compare":
        return compare(args.before, args.after, show=args.show)
    return commits(args.before, args.after, args.db, workdir=args.workdir, states=args.states,
                   seed=args.seed)


if __name__ == "__main__":
    if __package__ in (None, ""):
        # Run as a file from another commit's worktree: that tree is the import root.
        sys.path.insert(0, os.getcwd())
    sys.exit(main())
