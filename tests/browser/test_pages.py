"""Every dashboard page in a real browser: it renders, filters apply and live in the URL, shared
links reopen the view, and the numbers shown equal ``crossgen metrics --json``."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import (
    choose,
    cli_rows,
    one,
    p_text,
    row_cells,
    screenshot,
    wait_for_charts,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PAGES = {"/": "overview", "/skills": "skills", "/satisfaction": "satisfaction",
         "/inclusion": "inclusion", "/retention": "retention", "/engagement": "engagement",
         "/slices": "slices", "/data": "data"}


@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders_with_downloads_and_screenshot(page, server: str, path: str) -> None:
    page.goto(server + path + "?cohort=C2")
    wait_for_charts(page, path)
    # Every chart offers PNG and SVG downloads for the view on screen.
    for link in page.locator(".chart-download").all():
        href = link.get_attribute("href") or ""
        assert re.fullmatch(r"/download/figure/[a-z0-9-]+\.(png|svg)\?cohort=C2(&[a-z_.=&]+)?",
                            href), href
    # Navigation keeps the filters (its links follow the URL in their own callback: wait for it).
    page.wait_for_function(
        "() => document.querySelector('.navbar a.nav-link')?.getAttribute('href') "
        "=== '/?cohort=C2'", timeout=30_000)
    shot = screenshot(page, f"page-{PAGES[path]}")
    assert shot.stat().st_size > 10_000


def test_skills_numbers_equal_cli_for_the_same_filters(page, server: str, demo_db) -> None:
    page.goto(server + "/skills?cohort=C2")
    rows = cli_rows(demo_db, "--cohort", "C2", "--metric", "paired_change")
    for outcome, role in (("skills.digital", "mentee"), ("skills.leadership", "mentor"),
                          ("skills.digital", "all")):
        want = one(rows, outcome=outcome, role=role, group={})
        cells = row_cells(page, "skills-results", f"{outcome}|{role}|paired_change")
        assert cells["n"] == str(want["n"])
        assert cells["estimate"] == f"{want['estimate']:+.2f}"
        assert cells["ci"] == f"{want['ci_low']:+.2f} to {want['ci_high']:+.2f}"
        assert cells["p_adjusted"] == p_text(want["p_adjusted"])


def test_role_filter_changes_url_and_inclusion_numbers(page, server: str, demo_db) -> None:
    page.goto(server + "/inclusion")
    row_cells(page, "inclusion-results", "inclusion|all|paired_change")
    choose(page, "role", "Mentors")
    page.wait_for_url(re.compile(r"role=mentor"))
    page.wait_for_function(
        "() => !document.querySelector(\"#inclusion-results tr[data-key='inclusion|all|"
        "paired_change']\")", timeout=90_000)
    want = one(cli_rows(demo_db, "--role", "mentor", "--metric", "paired_change"),
               outcome="inclusion", role="mentor", group={}, cohort="all",
               source="programme")  # the rule's pick: the programme survey asks it
    cells = row_cells(page, "inclusion-results", "inclusion|mentor|paired_change")
    assert (cells["n"], cells["estimate"]) == (str(want["n"]), f"{want['estimate']:+.2f}")


def test_shared_slice_link_reopens_the_heatmap(page, server: str, demo_db) -> None:
    # Role × department: on the small demo every generation × department cell is hidden by
    # complementary suppression (two-way tables, README "Privacy and access").
    link = "/slices?role=mentee&rows=role&cols=department&outcome=skills.digital"
    page.goto(server + link)
    wait_for_charts(page, "/slices")
    # the filter bar takes the link's role from the URL in a callback of its own, which may
    # answer after the charts
    page.wait_for_function(
        "() => document.querySelector('.filter-bar').innerText.includes('Mentees')",
        timeout=30_000)
    assert "Mentees" in page.locator(".filter-bar").inner_text()
    rows = cli_rows(demo_db, "--role", "mentee", "--by", "department", "--metric",
                    "paired_change")
    shown = [r for r in rows if r["outcome"] == "skills.digital" and r["cohort"] == "all"]
    assert shown
    compared = 0
    for want in shown:
        department = want["group"]["department"]
        cells = row_cells(page, "slices-results", f"mentee|{department}")
        if want["suppressed"] and want["n"] is None and "fewer than" in str(
                want.get("suppressed_reason", "fewer than")):
            assert cells["n"] == "—" and cells["estimate"] == "—"  # too small anywhere
        elif not want["suppressed"] and cells["n"] != "—":
            compared += 1
            assert (cells["n"], cells["estimate"]) == (str(want["n"]),
                                                       f"{want['estimate']:+.2f}")
    assert compared >= 1
    # The heatmap marks hidden cells in the chart itself.
    heat = page.locator(".js-plotly-plot").first.inner_text()
    assert "n = " in heat


def test_overview_cards_equal_cli_and_empty_state_explains(page, server: str, demo_db) -> None:
    page.goto(server + "/?cohort=C1")
    page.wait_for_function(
        "() => document.querySelector('#card-participants')?.innerText === '100'",
        timeout=90_000)
    rows = cli_rows(demo_db, "--cohort", "C1", "--metric", "paired_change")
    for card, outcome, role in (("digital", "skills.digital", "mentee"),
                                ("leadership", "skills.leadership", "mentor")):
        want = one(rows, outcome=outcome, role=role, group={})
        assert page.locator(f"#card-{card}").inner_text() == f"{want['estimate']:+.2f}"
        ci = page.locator(f"#card-{card}-ci").inner_text()
        assert ci == f"95% CI {want['ci_low']:+.2f} to {want['ci_high']:+.2f}"
        assert f"n = {want['n']} people with answers before and after" in \
            page.locator(f"#card-{card}").locator("xpath=..").inner_text()
    board = page.locator("#board-pack").get_attribute("href")
    assert board == "/download/board-pack.pptx?cohort=C1"

    # A filter that leaves (almost) no one says so instead of drawing nothing.
    page.goto(server + "/?cohort=C1&generation=Silent")
    page.locator("#overview-empty").wait_for(timeout=90_000)
    assert "minimum group size" in page.locator("#overview-empty").inner_text()
    page.get_by_role("button", name="Reset filters").click()
    page.wait_for_function(
        "() => document.querySelector('#card-participants')?.innerText === '300'",
        timeout=90_000)
    assert "generation" not in page.url
