"""The dashboard as a newcomer meets it (issue 22), in real Chromium on the demo, no filter set:
every page's default view draws data and no empty chart, no internal name is visible, a phone's
width never scrolls sideways, axe-core finds no WCAG 2.1 A/AA violation, the Overview answers
first (its verdict is the analysis layer's sentence) and the Slice explorer opens on cells."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from analysis.pages.overview import overview
from analysis.store.db import Store
from analysis.store.filters import Filters
from dashboard.charts import charts_on
from tests.browser.helpers import TIMEOUT, row_cells, wait_for_charts

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PAGES = ["/", "/skills", "/satisfaction", "/inclusion", "/retention", "/engagement", "/slices",
         "/data", "/comments"]
AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SNAKE = re.compile(r"[a-z]+_[a-z0-9_]+")
# registry ids that are not ordinary words ("did" and "mean" are both)
COINED_IDS = re.compile(r"\b(roi|logrank)\b")
# Chart texts that stick out of their chart's svg by more than a pixel (rounding).
CLIPPED = (
    "() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {"
    " const svg = plot.querySelector('svg.main-svg').getBoundingClientRect();"
    " const title = plot.querySelector('.gtitle')?.textContent || '';"
    " return [...plot.querySelectorAll('.gtitle, .gtitle-subtitle, .annotation-text-g, .legend,"
    " .g-xtitle, .g-ytitle, [class^=\"g-x\"], [class^=\"g-y\"], .xtick text, .ytick text')]"
    "  .map(e => [e, e.getBoundingClientRect()]).filter(([e, r]) => r.width > 0 && Math.max("
    "   svg.left - r.left, r.right - svg.right, svg.top - r.top, r.bottom - svg.bottom) > 1)"
    "  .map(([e, r]) => title + ': ' + e.textContent); })")
UNKNOWN_TRACES = (
    "() => { const known = new Set(Object.keys(Plotly.PlotSchema.get().traces));"
    " return [...document.querySelectorAll('.js-plotly-plot')].flatMap(p => (p.data || [])"
    "  .map(t => t.type || 'scatter')).filter(t => !known.has(t)); }")
FULL_BUNDLE_ONLY = "() => 'scattergeo' in Plotly.PlotSchema.get().traces"  # maps: full bundle
# Visible text that is the user's own data, not crossgen's words: imported file names.
USER_TEXT = "td.col-file_name"


def _settle(page: Any, path: str) -> None:
    """The page's charts drawn and no callback loading."""
    if charts_on(path):
        wait_for_charts(page, path)
    page.wait_for_function(
        "() => document.querySelector('._dash-loading') === null"
        " && !document.querySelector('[data-dash-is-loading=\"true\"]')"
        " && document.querySelector('#_pages_content')?.innerText.length > 40",
        timeout=TIMEOUT)
    page.wait_for_timeout(300)  # the last callbacks' DOM updates


def _visible_text(page: Any) -> str:
    return str(page.evaluate(
        "(skip) => { const clone = document.body.cloneNode(true);"
        " clone.querySelectorAll(skip + ', script, style, .visually-hidden').forEach("
        "e => e.remove());"
        " document.body.appendChild(clone); clone.style.position = 'absolute';"
        " const text = clone.innerText; clone.remove(); return text; }", USER_TEXT))


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    return list(page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' '))}))", WCAG_TAGS))


@pytest.mark.parametrize("path", PAGES)
def test_default_view_has_data_plain_words_and_no_wcag_violation(page, server: str,
                                                                 path: str) -> None:
    page.goto(server + path)
    _settle(page, path)
    charts = page.evaluate(
        "() => [...document.querySelectorAll('.chart-block .js-plotly-plot')].map(p => ({"
        " title: p.querySelector('.gtitle')?.textContent,"
        " points: (p.data || []).reduce((s, t) => s + ((t.x || t.z || t.y || []).length), 0)"
        "}))")
    if charts_on(path):
        assert any(c["points"] for c in charts), charts  # at least one chart with data
        empty = [c["title"] for c in charts if not c["points"]]
        assert not empty, f"charts drawn without data on {path}: {empty}"
        # every chart has its text alternative, naming its title and a number
        alts = page.locator(".chart-alt").all_inner_texts()
        assert len(alts) == len(charts) and all(re.search(r"\d", a) for a in alts), alts
        # the plotly.js that drew them is the cartesian bundle (dashboard/plotlyjs), and it
        # knows every trace type drawn (plotly leaves out a trace of a type it does not know)
        assert page.evaluate(FULL_BUNDLE_ONLY) is False
        assert page.evaluate(UNKNOWN_TRACES) == []
    text = _visible_text(page)
    assert len(text) > 200
    assert not SNAKE.findall(text), sorted(set(SNAKE.findall(text)))
    assert not COINED_IDS.findall(text)
    violations = _axe(page)
    assert violations == [], violations


@pytest.mark.parametrize("path", PAGES)
def test_no_horizontal_scroll_on_a_phone(browser, server: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(server + path)
        _settle(page, path)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        # no chart text is cut off: every title, subtitle, annotation, legend, axis title and
        # tick label lies inside its chart's svg (which clips whatever falls outside it)
        clipped = page.evaluate(CLIPPED)
        assert clipped == [], clipped
        # the navigation is folded behind its menu button: the page's heading is on screen
        assert page.locator("#nav-collapse").is_hidden()
        heading = page.locator("#_pages_content h2").first.bounding_box()
        assert heading is not None and heading["y"] < 844, heading
    finally:
        context.close()


def test_overview_answers_first_with_a_currency(page, server: str, demo_db: Path) -> None:
    page.goto(server + "/")
    _settle(page, "/")
    with Store(demo_db, read_only=True) as store:
        view = overview(store, Filters())
    verdict = page.locator("#overview-verdict")
    assert verdict.inner_text() == view.verdict  # the analysis layer's sentence, as it is
    assert view.verdict.startswith("All 3 cohorts together: ")
    assert page.locator("#overview-scope").inner_text() == \
        "Every card describes all 3 cohorts together."
    roi = page.locator("#card-roi").locator("xpath=../..").inner_text()
    assert "USD" in roi and "Amounts in USD (the default currency)." in roi
    # per-cohort measures list each cohort, never one cohort passed off as all of them
    retention = page.locator("#card-retention").inner_text()
    assert retention.count("Reverse Mentoring") == 3
    # a cohort chosen: its ROI card has the verdict from the range and what drives it
    page.goto(server + "/?cohort=C3")
    page.wait_for_function("() => document.querySelector('#card-roi')?.innerText"
                           ".startsWith('USD')", timeout=TIMEOUT)
    card = page.locator("#card-roi").locator("xpath=..").inner_text()
    assert "Pays off in the base and high scenarios; the low scenario loses USD 10k." in card
    assert "What drives this: retention +6.1 pp vs comparison" in card
    assert page.locator("#overview-verdict").inner_text().startswith(
        "Reverse Mentoring 2025 Spring: ")


def test_slice_explorer_opens_on_cells_and_offers_choices_when_all_are_hidden(
        page, server: str) -> None:
    page.goto(server + "/slices")
    _settle(page, "/slices")
    cells = page.locator("#slices-results td.col-n").all_inner_texts()
    shown = [c for c in cells if c != "—"]
    assert cells and 2 * len(shown) >= len(cells), cells
    # generation × department: every cell hidden on the demo; the page says so and offers links
    page.goto(server + "/slices?rows=generation&cols=department&outcome=skills.digital")
    alert = page.locator("#slices-all-hidden")
    alert.wait_for(timeout=TIMEOUT)
    assert "Every cell of generation × department is hidden" in alert.inner_text()
    offers = alert.locator("a")
    assert offers.count() >= 1
    offers.first.click()
    page.wait_for_url(re.compile(r"rows=department"))
    page.wait_for_function("() => !document.querySelector('#slices-all-hidden')"
                           " && document.querySelector('#slices-results td.col-n')",
                           timeout=TIMEOUT)
    assert [c for c in page.locator("#slices-results td.col-n").all_inner_texts() if c != "—"]


def test_skills_page_says_why_there_is_no_comparison_chart(page, server: str) -> None:
    page.goto(server + "/skills")
    _settle(page, "/skills")
    assert page.locator("#skills-did-absent").inner_text().endswith(
        "so there is no comparison group for them.")
    titles = page.evaluate(
        "() => [...document.querySelectorAll('.gtitle')].map(e => e.textContent || '')")
    assert titles and not [t for t in titles if "non-participants" in t], titles


@pytest.mark.parametrize(("path", "scope"), [
    ("/engagement", "engagement-scope"), ("/inclusion", "inclusion-scope"),
    ("/satisfaction", "satisfaction-scope"), ("/skills", "skills-scope"),
    ("/slices", "slices-scope"), ("/retention", "retention-scope"),
    ("/comments", "comments-scope")])
def test_each_page_says_whom_it_describes(page, server: str, path: str, scope: str) -> None:
    """One scope per page, in words: every cohort together by default (Retention: the latest
    cohort, since it is measured from each cohort's own start), the chosen cohort with one."""
    page.goto(server + path)
    _settle(page, path)
    text = page.locator(f"#{scope}").inner_text()
    assert ("Reverse Mentoring 2025 Spring" in text) if path == "/retention" \
        else ("all 3 cohorts together" in text), text
    page.goto(server + path + "?cohort=C2")
    _settle(page, path)
    page.wait_for_function(f"() => document.querySelector('#{scope}').innerText"
                           ".includes('Reverse Mentoring 2024 Autumn')", timeout=TIMEOUT)


def test_all_cohort_views_name_the_cohort_of_a_per_cohort_measure(page, server: str) -> None:
    """DiD exists only per cohort: the all-cohorts Inclusion page lists each cohort by name in
    the chart and the table; the Engagement page's pair health lists each cohort, and its
    stalled count is the pooled table's (the same pairs)."""
    page.goto(server + "/inclusion")
    _settle(page, "/inclusion")
    did = page.evaluate(
        "() => { const p = [...document.querySelectorAll('.js-plotly-plot')].find(p =>"
        " p.querySelector('.gtitle')?.textContent.includes('difference-in-differences'));"
        " return {ticks: [...p.querySelectorAll('.ytick text')].map(t => t.textContent),"
        " subtitle: p.querySelector('.gtitle-subtitle').textContent}; }")
    ticks = did["ticks"]
    for name in ("Reverse Mentoring 2024 Spring", "Reverse Mentoring 2024 Autumn",
                 "Reverse Mentoring 2025 Spring"):
        assert sum(name.replace(" ", "") in t.replace(" ", "") for t in ticks) == 2, ticks
        assert page.locator("#inclusion-extra-results").get_by_text(name).count() >= 2
    assert "measured per cohort only" in did["subtitle"]
    page.goto(server + "/engagement")
    _settle(page, "/engagement")
    page.locator("#pairs-stalled").wait_for(timeout=TIMEOUT)
    rows = page.evaluate(
        "() => [...document.querySelectorAll('.ag-center-cols-container .ag-row')].map(r =>"
        " Object.fromEntries([...r.querySelectorAll('[col-id]')].map(c =>"
        " [c.getAttribute('col-id'), c.innerText])))")
    assert {r["cohort"] for r in rows} == {"Reverse Mentoring 2024 Spring",
                                           "Reverse Mentoring 2024 Autumn",
                                           "Reverse Mentoring 2025 Spring"}, rows
    pooled = row_cells(page, "engagement-results", "stalled_pairs|all")
    stalled = sum(int(r["pairs"]) for r in rows if r["status"] == "stalled")
    assert page.locator("#pairs-stalled").inner_text() == \
        f"{stalled} of {pooled['n']} pairs stalled"


def test_filters_are_reachable_by_keyboard_with_visible_focus(page, server: str) -> None:
    page.goto(server + "/retention")
    _settle(page, "/retention")
    button = page.locator(".filter-cohort button.dash-dropdown")
    for _ in range(30):  # Tab from the top of the page to the cohort filter
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.closest('.filter-cohort') !== null"):
            break
    assert page.evaluate("() => document.activeElement?.matches('button.dash-dropdown')")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), outline
    page.keyboard.press("Enter")
    page.get_by_role("option").first.wait_for(timeout=TIMEOUT)
    assert button.get_attribute("aria-expanded") == "true"
