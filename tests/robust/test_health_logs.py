"""/healthz answers without sign-in or private data; logs are JSON lines without personal data."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

from analysis.store.db import SCHEMA_VERSION, Store
from benchmarks.load import _extra_sessions
from tests.conftest import REPO, run_cli

DEMO = REPO / "data" / "demo"


def test_healthz_answers_without_sign_in(server: str) -> None:
    with urllib.request.urlopen(server + "/healthz", timeout=30) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("application/json")
        body = json.loads(resp.read())
    assert body["status"] == "ok"
    assert body["schema"] == SCHEMA_VERSION
    assert set(body) == {"status", "schema", "imports"}  # nothing about people


def test_import_logs_carry_counts_not_people(demo_copy: Path, tmp_path: Path) -> None:
    log = tmp_path / "crossgen.jsonl"
    env = {"CROSSGEN_LOG": str(log)}
    # A success, a duplicate, and a refusal whose problems quote emails.
    good = _extra_sessions(tmp_path)
    assert run_cli("import", "sessions", str(good), "--db", str(demo_copy), env=env).returncode == 0
    assert run_cli("import", "sessions", str(good), "--db", str(demo_copy), env=env).returncode == 0
    bad = tmp_path / "programme.csv"
    bad.write_text((DEMO / "programme.csv").read_text().replace("@northwind.example",
                                                                "@elsewhere.example"))
    refused = run_cli("import", "programme", str(bad), "--db", str(demo_copy), env=env)
    assert refused.returncode == 3 and "@elsewhere.example" in refused.stderr

    lines = [json.loads(line) for line in log.read_text().splitlines()]
    done = {e["event"]: e for e in lines}
    assert {"import.writing", "import.done", "import.duplicate", "import.refused"} <= set(done)
    assert done["import.done"]["rows_accepted"] == 40
    assert re.fullmatch(r"[0-9a-f]{12}", str(done["import.done"]["sha256"]))
    assert done["import.done"]["file"] == good.name and done["import.done"]["ms"] >= 0
    assert done["import.refused"]["problems"] >= 1
    for event in lines:
        assert {"ts", "level", "event"} <= set(event)

    # No email, employee id or name from the data anywhere in the log.
    text = log.read_text()
    with Store(demo_copy, read_only=True) as store:
        ids = set(store.query("select employee_id from employees")["employee_id"])
    assert "@" not in text
    assert not ids & set(re.findall(r"[A-Za-z0-9]+", text))
    names = {w for line in good.read_text().splitlines()[1:] for w in
             re.findall(r"([a-z]+)\.[a-z]+\.\d+@", line)}
    assert names and not any(re.search(rf"\b{n}\b", text, re.IGNORECASE) for n in names)
