"""Failed sign-ins are counted across the server's processes (dashboard.signins)."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

from analysis.store import users as auth
from dashboard.signins import MAX_FAILURES, WINDOW, FailedSignins


def test_failures_are_shared_by_processes_and_expire(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    one, two = FailedSignins(db), FailedSignins(db)  # as two server processes see the file
    for n in range(MAX_FAILURES):
        assert not two.too_many("10.0.0.7", "ida")
        (one if n % 2 else two).failed("10.0.0.7", "ida")
    assert one.too_many("10.0.0.7", "ida") and two.too_many("10.0.0.7", "ida")
    assert not one.too_many("10.0.0.8", "ida") and not one.too_many("10.0.0.7", "bo")
    text = one.path.read_text()
    assert "ida" not in text and "10.0.0.7" not in text  # hashes only
    assert stat.S_IMODE(one.path.stat().st_mode) == 0o600
    # attempts older than the window no longer count
    old = {k: [time.time() - WINDOW - 1 for _ in v] for k, v in json.loads(text).items()}
    one.path.write_text(json.dumps(old))
    assert not two.too_many("10.0.0.7", "ida")
    two.failed("10.0.0.7", "ida")
    one.succeeded("10.0.0.7", "ida")
    assert json.loads(one.path.read_text()) == {}


def test_a_torn_file_starts_the_count_again(tmp_path: Path) -> None:
    log = FailedSignins(tmp_path / "x.duckdb")
    log.path.write_text('{"abc": [1, 2')
    assert not log.too_many("a", "b")
    log.failed("a", "b")
    assert len(json.loads(log.path.read_text())) == 1


def test_the_sign_in_form_refuses_after_too_many_failures(privacy_app) -> None:
    app, db = privacy_app
    auth.add_user(db, "ida", role="admin", password="admin-pass-789")
    try:
        client = app.server.test_client()

        def attempt(password: str) -> int:
            page = client.get("/login").get_data(as_text=True)
            token = page.split('name="csrf" value="')[1].split('"')[0]
            return client.post("/login", data={"name": "ida", "password": password,
                                               "csrf": token, "next": "/"}).status_code

        assert [attempt("wrong-pass-000") for _ in range(MAX_FAILURES)] == [401] * MAX_FAILURES
        assert attempt("admin-pass-789") == 429  # even the right one, until the window ends
    finally:
        auth.remove_user(db, "ida")
        FailedSignins(db).path.unlink(missing_ok=True)
