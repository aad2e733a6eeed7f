"""The board pack speaks to people: the verdict first (the Overview's sentence for the same
filters), retention as the difference against the comparison group, no internal metric id, no
"real effect", and table columns wide enough that no word breaks across lines."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pptx import Presentation

from analysis.metrics import registry as metrics
from analysis.pages.overview import overview
from analysis.report import labels, template
from analysis.report.content import build_content
from analysis.report.deck import build_deck
from analysis.store.db import Store
from analysis.store.filters import Filters

GENERATED = datetime(2026, 1, 2, 9, 30, tzinfo=UTC)
# ids that are also English words ("did", "mean") can only be told apart by their use: the ids
# with an underscore, and the two coined ones, must never appear
IDS = [m for m in metrics.REGISTRY if "_" in m or m in ("roi", "logrank")]
METRIC_ID = re.compile(r"\b(" + "|".join(sorted(map(re.escape, IDS), key=len, reverse=True))
                       + r")\b")


def _deck(db: Path, filters: Filters) -> tuple[Presentation, str]:
    with Store(db, read_only=True) as store:
        content = build_content(store, filters, min_group_size=5, generated=GENERATED)
        verdict = overview(store, filters, min_group_size=5).verdict
    return Presentation(io.BytesIO(build_deck(content))), verdict


def _tables(prs: Presentation) -> list[tuple[int, object]]:
    return [(i, shape) for i, slide in enumerate(prs.slides) for shape in slide.shapes
            if shape.has_table]


@pytest.mark.parametrize("filters", [Filters(), Filters(cohort="C2")], ids=["all", "C2"])
def test_second_slide_is_the_overview_verdict(demo_db: Path, filters: Filters) -> None:
    prs, verdict = _deck(demo_db, filters)
    assert verdict  # the Overview has one for these filters
    second = prs.slides[1]
    texts = [shape.text_frame.text for shape in second.shapes if shape.has_text_frame]
    assert second.shapes.title.text == "Did the programme pay off?"
    assert verdict in texts
    numbers = next(shape.table for shape in second.shapes if shape.has_table)
    cells = [numbers.cell(r, c).text for r in range(len(numbers.rows))
             for c in range(len(numbers.columns))]
    assert any(cell.startswith("95% CI ") for cell in cells)  # headline numbers with CIs
    assert any(cell.startswith("range USD ") for cell in cells)  # ROI range, currency
    assert any("Amounts in USD (the default currency)." in t for t in texts)


def test_no_metric_id_in_any_title_or_table_cell(demo_db: Path) -> None:
    prs, _ = _deck(demo_db, Filters())
    titles = [slide.shapes.title.text for slide in prs.slides if slide.shapes.title]
    cells = [shape.table.cell(r, c).text for _, shape in _tables(prs)
             for r in range(len(shape.table.rows)) for c in range(len(shape.table.columns))]
    assert titles and cells
    leaks = [t for t in titles + cells if METRIC_ID.search(t)]
    assert not leaks, leaks
    assert "Roi" not in titles and "Return on investment" in titles
    assert not [c for c in cells if "real effect" in c]
    assert any(c.startswith("significant after adjustment; large effect") for c in cells)


def test_headline_table_gives_retention_as_the_difference(demo_db: Path) -> None:
    prs, _ = _deck(demo_db, Filters(cohort="C3"))
    table = next(shape.table for i, shape in _tables(prs) if i == 2)
    rows = [[table.cell(r, c).text for c in range(len(table.columns))]
            for r in range(len(table.rows))]
    header, body = rows[0], rows[1:]
    retention = next(r for r in body if r[0] == "Retention")
    with Store(demo_db, read_only=True) as store:
        want = metrics.results(store, Filters(cohort="C3"), metrics=["retention_diff_12m"])
    want = want[(want["role"] == "all") & want["group"].map(lambda g: not g)].iloc[0]
    # the difference in percentage points against the comparison group, with its 95% CI
    assert retention[header.index("Measure")] == labels.metric_name("retention_diff_12m")
    assert retention[header.index("Estimate")] == f"{want['estimate'] * 100:+.1f} pp"
    assert retention[header.index("95% CI")] == \
        f"{want['ci_low'] * 100:+.1f} pp to {want['ci_high'] * 100:+.1f} pp"
    assert next(r for r in body if r[1] == labels.metric_name("dose_response"))[0] == \
        "Skill gain per session held"  # not "Skills"


def test_no_word_is_narrower_than_its_column(demo_db: Path) -> None:
    prs, _ = _deck(demo_db, Filters())
    checked = 0
    for _, shape in _tables(prs):
        table = shape.table
        for c, column in enumerate(table.columns):
            for r in range(len(table.rows)):
                cell = table.cell(r, c)
                size = max((run.font.size.pt for p in cell.text_frame.paragraphs
                            for run in p.runs if run.font.size), default=11.0)
                for word in cell.text.split():
                    assert column.width >= template.word_width(word, size), (word, cell.text)
                    checked += 1
    assert checked > 200


def test_fit_columns_shrinks_the_font_before_breaking_words() -> None:
    import pandas as pd

    frame = pd.DataFrame({"A": ["Intergenerational"], "B": ["understanding"]})
    narrow = template.word_width("Intergenerational", 8) + template.word_width(
        "understanding", 8)
    size, widths = template.fit_columns(frame, narrow, size=14, widths=[1, 1])
    assert size < 14 and sum(widths) <= narrow
    assert widths[0] >= template.word_width("Intergenerational", size)
    # room to spare: the given proportions are kept
    size, widths = template.fit_columns(frame, 10 * narrow, size=11, widths=[3, 1])
    assert size == 11 and widths[0] == pytest.approx(3 * widths[1], rel=0.01)
