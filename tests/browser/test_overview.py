"""The Overview page in a real browser: filters live in the URL and change the numbers."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.helpers import choose
from tests.conftest import TEST_OUTPUT, run_cli

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _card(page, name: str) -> str:
    return page.locator(f"#card-{name}").inner_text(timeout=20000)


def test_cohort_filter_changes_url_and_numbers(page, server: str, demo_db) -> None:
    page.goto(server + "/")
    # The cards sit under a loading indicator: wait for their text, not their visibility.
    page.wait_for_function(
        "() => document.querySelector('#card-participants')?.innerText === '300'"
        " && document.querySelector('#card-digital')", timeout=90_000)
    before = _card(page, "digital")

    choose(page, "cohort", re.compile(r"\(C2\)"))
    page.wait_for_url(re.compile(r"cohort=C2"))
    page.wait_for_function(
        "() => document.querySelector('#card-participants')?.innerText === '100'",
        timeout=90_000)
    after = _card(page, "digital")
    assert after != before

    # The card shows what the CLI reports for the same filters.
    done = run_cli("metrics", "--db", str(demo_db), "--json", "--cohort", "C2", "--role",
                   "mentee", "--metric", "paired_change")
    row = next(r for r in json.loads(done.stdout)["results"]
               if r["outcome"] == "skills.digital" and r["group"] == {})
    assert after == f"{row['estimate']:+.2f}"
    assert f"n = {row['n']}" in page.locator("#card-digital").locator("xpath=..").inner_text()
    TEST_OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_OUTPUT / "overview-c2.png"), full_page=True)


def test_shared_link_reopens_the_view(page, server: str) -> None:
    page.goto(server + "/?cohort=C1&role=mentor")
    page.wait_for_function(
        "() => document.querySelector('#card-participants')?.innerText === '50'",
        timeout=90_000)
    assert "C1" in page.locator(".filter-bar").inner_text()
