"""A comment containing <script> renders as text, after signing in through the login form."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.privacy_db import SCRIPT_COMMENT, build_privacy_db, start_server

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PASSWORD = "analyst-pass-456"


@pytest.fixture(scope="module")
def secured_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db: Path = build_privacy_db(tmp_path_factory.mktemp("browser-access") / "b.duckdb")
    done = run_cli("users", "add", "anna", "--role", "analyst", "--db", str(db),
                   stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    proc, base = start_server(db)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def test_script_in_a_comment_is_shown_as_text(page, secured_server: str) -> None:
    page.goto(secured_server + "/comments?cohort=C1")
    page.wait_for_url("**/login?next=*")
    page.fill("#name", "anna")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/comments?cohort=C1")
    page.wait_for_selector("li.comment", timeout=30000)
    texts = page.locator("li.comment").all_inner_texts()
    assert SCRIPT_COMMENT in texts  # the markup, literally, as text
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("li.comment script, li.comment b, li.comment i").count() == 0
    # Sliced views never show comments; the reason is said instead.
    page.goto(secured_server + "/comments?cohort=C1&generation=Boomers")
    page.wait_for_selector("#comments-note", timeout=30000)
    assert page.locator("li.comment").count() == 0
