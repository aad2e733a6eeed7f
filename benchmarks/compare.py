"""Compare two ``crossgen metrics --json`` outputs (or any two JSON files of results).

    python -m benchmarks.compare before.json after.json

Equal when every value is equal, floats within a relative 1e-9: DuckDB sums floats on several
threads in whichever order they finish, so two runs of the same code differ in the last digits.
Exit 0 when equal, 1 with the first differences listed otherwise.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path

REL_TOL = 1e-9
ABS_TOL = 1e-12  # a difference of two equal means: 1e-15 one run, -1e-15 the next


def differences(before: object, after: object, path: str = "") -> Iterator[str]:
    """Where ``after`` differs from ``before``, as 'path: before != after' lines."""
    if isinstance(before, float) and isinstance(after, float):
        if not (math.isclose(before, after, rel_tol=REL_TOL, abs_tol=ABS_TOL)
                or (math.isnan(before) and math.isnan(after))):
            yield f"{path}: {before!r} != {after!r}"
    elif isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(before.keys() | after.keys()):
            if key not in before or key not in after:
                yield f"{path}.{key}: only in {'after' if key in after else 'before'}"
            else:
                yield from differences(before[key], after[key], f"{path}.{key}")
    elif isinstance(before, list) and isinstance(after, list):
        if len(before) != len(after):
            yield f"{path}: {len(before)} items != {len(after)}"
        for i, (b, a) in enumerate(zip(before, after, strict=False)):
            yield from differences(b, a, f"{path}[{i}]")
    elif before != after or type(before) is not type(after):
        yield f"{path}: {before!r} != {after!r}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--show", type=int, default=20, help="differences to list")
    args = parser.parse_args(argv)
    found = list(differences(json.loads(args.before.read_text()),
                             json.loads(args.after.read_text())))
    for line in found[:args.show]:
        print(line)
    print(f"{len(found)} difference(s)" if found else "equal")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
