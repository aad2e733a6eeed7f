"""Shared browser-test helpers: wait for a page's charts, read result tables, ask the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from dashboard.charts import charts_on
from tests.conftest import TEST_OUTPUT, run_cli

TIMEOUT = 90_000


def wait_for_charts(page: Any, path: str) -> None:
    """Every chart the page shows has drawn its title (data or an empty state). A page may leave
    out a registered chart that cannot have data (it says why in its place instead)."""
    expected = len(charts_on(path))
    page.wait_for_function(
        "(most) => { const blocks = document.querySelectorAll('.chart-block');"
        " const absent = document.querySelectorAll('.chart-absent').length;"
        " return blocks.length + absent >= most"
        " && [...blocks].every(b => b.querySelector('.js-plotly-plot .gtitle'))"
        " && !document.querySelector('[data-dash-is-loading=\"true\"]'); }",
        arg=expected, timeout=TIMEOUT)


def row_cells(page: Any, table_id: str, key: str) -> dict[str, str]:
    """The cells of the row with ``data-key`` in the table, by column class (col-<name>)."""
    row = page.locator(f"#{table_id} tr[data-key='{key}']")
    row.wait_for(timeout=TIMEOUT)
    cells = row.locator("td")
    out = {}
    for i in range(cells.count()):
        cell = cells.nth(i)
        name = (cell.get_attribute("class") or "").removeprefix("col-")
        out[name] = cell.inner_text()
    return out


def choose(page: Any, name: str, option: str | re.Pattern[str]) -> None:
    """Pick ``option`` in the filter bar's ``name`` dropdown, as a user would."""
    page.locator(f".filter-{name} .dash-dropdown").click()
    page.get_by_role("option", name=option).click()


def wait_for_cell(page: Any, table_id: str, key: str, column: str, text: str) -> None:
    """Wait until a table cell shows ``text`` (the table re-renders after a filter change)."""
    page.wait_for_function(
        "([t, k, c, want]) => document.querySelector(`#${t} tr[data-key='${k}'] td.col-${c}`)"
        "?.innerText === want", arg=[table_id, key, column, text], timeout=TIMEOUT)


def p_text(p: float) -> str:
    """An adjusted p as the pages write it."""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def cli_rows(db: Path, *args: str) -> list[dict[str, Any]]:
    done = run_cli("metrics", "--db", str(db), "--json", *args)
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout)["results"])


def one(rows: list[dict[str, Any]], **wanted: Any) -> dict[str, Any]:
    hits = [r for r in rows if all(r.get(k) == v for k, v in wanted.items())]
    assert len(hits) == 1, f"expected one row for {wanted}, got {len(hits)}"
    return hits[0]


def screenshot(page: Any, name: str) -> Path:
    TEST_OUTPUT.mkdir(exist_ok=True)
    path = TEST_OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
