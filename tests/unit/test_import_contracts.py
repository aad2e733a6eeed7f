"""The import contracts of pyproject.toml (run by ``make lint``): they hold on the tree, and
every exception in them is needed — without it, its contract breaks (so none is left over
from code that has since changed)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
LINT = Path(sys.executable).with_name("lint-imports")
CONTRACTS = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
EXCEPTIONS = [(c["name"], ignored) for c in CONTRACTS for ignored in c.get("ignore_imports", [])]


def lint(config: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "pyproject.toml"
    path.write_text(config)
    return subprocess.run([str(LINT), "--config", str(path), "--no-cache", "--no-logo"],
                          cwd=ROOT, capture_output=True, text=True, check=False)


def test_the_contracts_hold(tmp_path: Path) -> None:
    done = lint(PYPROJECT.read_text(), tmp_path)
    assert done.returncode == 0, done.stdout[-3000:]
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in done.stdout


def test_there_are_contracts_of_every_kind_the_issue_asks_for() -> None:
    kinds = {c["type"] for c in CONTRACTS}
    assert kinds == {"layers", "forbidden", "acyclic_siblings"}
    pure = next(c for c in CONTRACTS
                if c["type"] == "forbidden" and c["source_modules"] == ["analysis.stats"])
    siblings = {p.name.removesuffix(".py") for p in (ROOT / "analysis").iterdir()
                if (p.suffix == ".py" or (p / "__init__.py").exists())
                and p.name not in ("__init__.py", "stats")}
    # stats may import none of its siblings: a new package must be added to the list.
    assert {m.removeprefix("analysis.") for m in pure["forbidden_modules"]
            if m.startswith("analysis.")} == siblings


@pytest.mark.parametrize(("contract", "ignored"), EXCEPTIONS,
                         ids=[ignored for _, ignored in EXCEPTIONS])
def test_without_an_exception_its_contract_breaks(contract: str, ignored: str,
                                                  tmp_path: Path) -> None:
    text = PYPROJECT.read_text()
    line = f'  "{ignored}",\n'
    assert text.count(line) == 1
    done = lint(text.replace(line, ""), tmp_path)
    assert done.returncode == 1, done.stdout[-3000:]
    assert f"{contract} BROKEN" in " ".join(done.stdout.split())
