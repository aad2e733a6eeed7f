"""The ``crossgen`` command line. Errors go to stderr with a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from analysis import logs
from analysis.console import say
from analysis.ingest.problems import ImportFailed
from analysis.store.db import StoreError

EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_UNAVAILABLE = 69  # sysexits EX_UNAVAILABLE: an export dependency (Chromium) failed
EXIT_INTERNAL = 70
REPORT_FORMATS = (".pptx", ".csv", ".xlsx")


def _db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None,
                        help="database file (default: the demo database)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crossgen",
                                     description="Measure a reverse-mentoring programme.")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="build the demo database from generated export files")
    _db_arg(demo)

    serve = sub.add_parser("serve", help="serve the dashboard")
    _db_arg(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8050)

    check = sub.add_parser("check", help="validate an export without importing it")
    check.add_argument("file", type=Path)
    check.add_argument("--kind", choices=["roster", "programme", "sessions", "survey"],
                       default=None, help="what the file is (detected when omitted)")
    check.add_argument("--mapping", type=Path, default=None)
    check.add_argument("--cohort", default=None)
    check.add_argument("--phase", choices=["pre", "post"], default=None)
    _db_arg(check)

    draft = sub.add_parser("mapping", help="print a draft mapping file for an export")
    draft.add_argument("file", type=Path)
    draft.add_argument("--kind", default=None,
                       choices=["roster", "programme", "sessions", "pulse", "programme-survey"],
                       help="what the file is (detected when omitted); a survey is pulse "
                            "(org-wide, the default) or programme-survey (the programme's own "
                            "pre/post survey)")
    draft.add_argument("--name", default=None, help="the survey's name (default: the file's)")
    draft.add_argument("--cohort", default=None)
    draft.add_argument("--phase", choices=["pre", "post"], default=None)

    imp = sub.add_parser("import", help="import an export file")
    imp.add_argument("kind", choices=["roster", "programme", "sessions", "survey"])
    imp.add_argument("file", type=Path)
    imp.add_argument("--mapping", type=Path, default=None)
    imp.add_argument("--cohort", default=None)
    imp.add_argument("--phase", choices=["pre", "post"], default=None)
    _db_arg(imp)

    users = sub.add_parser("users", help="dashboard users: add, list, remove")
    users_sub = users.add_subparsers(dest="action", required=True)
    add = users_sub.add_parser("add", help="add a user (or reset one); password read from stdin")
    add.add_argument("name")
    add.add_argument("--role", choices=["viewer", "analyst", "admin"], required=True)
    _db_arg(add)
    _db_arg(users_sub.add_parser("list", help="list users and their roles"))
    remove = users_sub.add_parser("remove", help="remove a user (signs them out)")
    remove.add_argument("name")
    _db_arg(remove)

    metrics = sub.add_parser("metrics", help="compute the metrics")
    _db_arg(metrics)
    metrics.add_argument("--cohort", default=None)
    metrics.add_argument("--role", choices=["mentor", "mentee"], default=None)
    metrics.add_argument("--generation", action="append", default=[])
    metrics.add_argument("--department", action="append", default=[])
    metrics.add_argument("--level", action="append", default=[])
    metrics.add_argument("--by", choices=["generation", "department", "level", "role"])
    metrics.add_argument("--metric", action="append", default=[],
                         help="only this metric (repeatable); did_weighted runs only when named")
    metrics.add_argument("--min-group-size", type=int, default=None)
    metrics.add_argument("--adjust", choices=["holm", "bh"], default="holm",
                         help="multiple-comparison adjustment (default: holm)")
    metrics.add_argument("--json", action="store_true", help="print the JSON object")

    report = sub.add_parser("report", help="the board pack (.pptx) or the numbers behind its "
                                           "charts (.csv / .xlsx)")
    _db_arg(report)
    report.add_argument("--out", type=Path, required=True,
                        help="deck.pptx, table.csv or table.xlsx")
    report.add_argument("--cohort", default=None)
    report.add_argument("--role", choices=["mentor", "mentee"], default=None)
    report.add_argument("--generation", action="append", default=[])
    report.add_argument("--department", action="append", default=[])
    report.add_argument("--level", action="append", default=[])
    report.add_argument("--min-group-size", type=int, default=None)
    report.add_argument("--no-images", action="store_true",
                        help="leave out the charts PowerPoint cannot draw natively (no Chromium)")
    return parser


def _default_db(db: Path | None, *, build: bool = True) -> Path:
    from analysis.ingest.demo_db import DEFAULT_DB, build_demo

    if db is not None:
        return db
    if not DEFAULT_DB.exists() and build:
        say(f"Building the demo database at {DEFAULT_DB} …", file=sys.stderr)
        build_demo(DEFAULT_DB)
    return DEFAULT_DB


def cmd_demo(args: argparse.Namespace) -> int:
    from analysis.ingest.demo_db import DEFAULT_DB, build_demo

    db = args.db or DEFAULT_DB
    build_demo(db, progress=lambda r: say("\n".join(r.lines()), file=sys.stderr))
    say(f"Demo database written to {db}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from analysis.ingest.live import import_into
    from analysis.ingest.progress import Progress

    # Works while `crossgen serve` reads the database too (copy, import, atomic swap).
    with Progress(sys.stderr, label=f"importing {args.file.name}") as progress:
        report = import_into(_default_db(args.db, build=False), args.kind, args.file,
                             mapping=args.mapping, cohort=args.cohort, phase=args.phase,
                             progress=progress)
    say("\n".join(report.lines()))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from analysis.ingest import import_file
    from analysis.ingest.detect import detect_kind
    from analysis.store.db import Store

    mapping = args.mapping
    if mapping is None and args.file.with_suffix(".toml").exists():
        mapping = args.file.with_suffix(".toml")
    kind = args.kind or detect_kind(args.file, mapping=mapping)
    if kind == "survey" and mapping is None:
        from analysis.ingest.detect import describe_survey

        say("\n".join(describe_survey(args.file)))  # what it is; answers need a mapping
        return 0
    db = _default_db(args.db, build=False)
    if not db.exists():
        say(f"Note: {db} does not exist; checking against an empty roster.", file=sys.stderr)
        import tempfile

        with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "check.duckdb") as store:
            report = import_file(store, kind, args.file, mapping=mapping, cohort=args.cohort,
                                 phase=args.phase, dry_run=True)
    else:
        with Store(db, read_only=True) as store:
            report = import_file(store, kind, args.file, mapping=mapping, cohort=args.cohort,
                                 phase=args.phase, dry_run=True)
    lines = report.check_lines()
    if kind != "survey" and not report.duplicate:
        from analysis.ingest.detect import key_columns

        keys = key_columns(args.file, kind)
        lines.insert(2, "  key column(s): " + (", ".join(map(repr, keys)) or "from the mapping"))
    say("\n".join(lines))
    say("OK: nothing was written.")
    return 0


def cmd_mapping(args: argparse.Namespace) -> int:
    from analysis.ingest.draft import draft_for_file

    say(draft_for_file(args.file, kind=args.kind, name=args.name, cohort=args.cohort,
                       phase=args.phase).rstrip("\n"))
    return 0


def cmd_metrics(args: argparse.Namespace) -> int:
    from analysis.metrics import parallel
    from analysis.metrics import registry as metrics
    from analysis.privacy.rules import resolve_min_group_size
    from analysis.store.db import Store
    from analysis.store.filters import Filters

    filters = Filters(cohort=args.cohort, role=args.role, generation=tuple(args.generation),
                      department=tuple(args.department), level=tuple(args.level))
    k = resolve_min_group_size(args.min_group_size)
    unknown = [m for m in args.metric if m not in metrics.REGISTRY]
    if unknown:
        raise ValueError(f"unknown metric(s) {', '.join(unknown)}; known: "
                         f"{', '.join(metrics.REGISTRY)}")
    db = _default_db(args.db)
    Store(db, read_only=True).close()  # a missing or foreign file fails here, with its message
    importer = threading.Thread(target=metrics.import_statistics_modules, daemon=True)
    importer.start()
    frame = parallel.results(db, filters, by=args.by, names=args.metric or None,
                             min_group_size=k, adjust=args.adjust)
    importer.join()  # a thread still importing when the interpreter shuts down can abort it
    if args.json:
        say(metrics.to_json(frame, filters, min_group_size=k))
    else:
        from analysis.report.table import format_table

        say(format_table(frame))
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    from analysis.store import users as auth

    db = _default_db(args.db, build=False)
    if args.action == "list":
        users = auth.load_users(db)
        for user in sorted(users.values(), key=lambda u: u.name):
            say(f"{user.name}\t{user.role}")
        if not users:
            say("No users: the dashboard serves only on 127.0.0.1, without sign-in.",
                  file=sys.stderr)
        return 0
    if args.action == "remove":
        auth.remove_user(db, args.name)
        say(f"Removed {args.name}.")
        return 0
    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            raise ValueError("the passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    auth.add_user(db, args.name, role=args.role, password=password)
    say(f"User {args.name} ({args.role}) saved in {auth.users_file(db)}.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    import time
    from datetime import UTC, datetime

    from analysis.privacy.rules import resolve_min_group_size
    from analysis.report import images
    from analysis.store.filters import Filters

    out: Path = args.out
    if out.suffix.lower() not in REPORT_FORMATS:
        raise ValueError(f"--out must end in {', '.join(REPORT_FORMATS)}, not {out.name!r}")
    if not out.parent.is_dir():
        raise ValueError(f"--out: folder {out.parent} does not exist")
    filters = Filters(cohort=args.cohort, role=args.role, generation=tuple(args.generation),
                      department=tuple(args.department), level=tuple(args.level))
    k = resolve_min_group_size(args.min_group_size)
    db = _default_db(args.db)
    started = time.perf_counter()
    if out.suffix.lower() == ".pptx":
        from dashboard import exports, model

        model.configure(db, warm=False)
        try:
            data = exports.board_pack(model.store(), filters, min_group_size=k,
                                      with_images=not args.no_images)
        except images.ExportError as exc:
            say(f"crossgen report: {exc} (--no-images builds the deck without them)",
                  file=sys.stderr)
            return EXIT_UNAVAILABLE
    else:
        from analysis.report import content, sheets
        from analysis.store.db import Store

        with Store(db, read_only=True) as store:
            deck = content.build_content(store, filters, min_group_size=k,
                                         generated=datetime.now(UTC))
        frame = content.numbers_behind_charts(deck)
        data = sheets.to_csv(frame) if out.suffix.lower() == ".csv" else sheets.to_xlsx(frame)
    partial = out.with_name(out.name + ".partial")
    partial.write_bytes(data)
    partial.replace(out)  # never a half-written file under the real name
    say(f"Wrote {out} ({len(data) / 1024:.0f} KiB in {time.perf_counter() - started:.1f} s)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from dashboard.server import serve

    return serve(_default_db(args.db), host=args.host, port=args.port)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": cmd_demo,
    "import": cmd_import,
    "check": cmd_check,
    "mapping": cmd_mapping,
    "metrics": cmd_metrics,
    "serve": cmd_serve,
    "users": cmd_users,
    "report": cmd_report,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logs.configure(default="-" if args.command == "serve" else None)
    try:
        return COMMANDS[args.command](args)
    except ImportFailed as exc:
        say(f"crossgen {args.command}: {len(exc.problems)} problem(s); nothing was written.",
              file=sys.stderr)
        for problem in exc.problems:
            say(f"  - {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (StoreError, ValueError) as exc:
        say(f"crossgen {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        say("crossgen: interrupted; nothing half-written (imports are transactions).",
              file=sys.stderr)
        return 130
    except Exception as exc:
        logs.event("command.error", level=logging.ERROR, command=args.command,
                   error=type(exc).__name__)
        say(f"crossgen {args.command}: internal error: {type(exc).__name__}: {exc}. "
              "Please report this with the command you ran.", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
