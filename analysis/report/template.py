"""crossgen's own 16:9 slide template: title band, subtitle, footer (date, data snapshot), page.

Built in code on python-pptx's default package, so no binary template has to be kept in step with
the code. Slides use the "Title Slide" and "Title Only" layouts, so PowerPoint's outline view and
screen readers find every slide's title.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

WIDTH, HEIGHT = Emu(12192000), Emu(6858000)  # PowerPoint's own 16:9 (13.333 × 7.5 in)
MARGIN = Inches(0.5)
INK = RGBColor(0x1F, 0x29, 0x33)
MUTED = RGBColor(0x52, 0x60, 0x6D)
ACCENT = RGBColor(0x00, 0x72, 0xB2)
BAND = RGBColor(0xF0, 0xF4, 0xF8)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
FONT = "Calibri"
# Okabe–Ito, as the dashboard's plotly template (colour-blind safe).
SERIES_COLOURS = ["0072B2", "E69F00", "009E73", "CC79A7", "56B4E9", "D55E00"]
TITLE_SLIDE_LAYOUT, TITLE_ONLY_LAYOUT = 0, 5
Box = tuple[int, int, int, int]  # left, top, width, height in EMU


def new_presentation(*, title: str, subject: str) -> PresentationType:
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    props = prs.core_properties
    props.title, props.subject, props.author = title, subject, "crossgen"
    props.last_modified_by, props.comments = "crossgen", ""
    return prs


def _style_runs(frame: Any, *, size: float, colour: RGBColor, bold: bool = False) -> None:
    for paragraph in frame.paragraphs:
        for run in paragraph.runs:
            run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
            run.font.color.rgb = colour


def text_box(slide: Slide, box: Box, lines: Sequence[str] | str, *, size: float = 14,
             colour: RGBColor = INK, bold: bool = False, align: Any = PP_ALIGN.LEFT) -> Any:
    shape = slide.shapes.add_textbox(*(Emu(v) for v in box))
    frame = shape.text_frame
    frame.word_wrap = True
    for i, line in enumerate([lines] if isinstance(lines, str) else lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text, paragraph.alignment = line, align
        paragraph.space_after = Pt(4)
    _style_runs(frame, size=size, colour=colour, bold=bold)
    return shape


def _footer(slide: Slide, footer: str, page: int) -> None:
    top = HEIGHT - Inches(0.45)
    text_box(slide, (MARGIN, top, WIDTH - 2 * MARGIN - Inches(1), Inches(0.3)), footer,
             size=9, colour=MUTED).name = "crossgen footer"
    text_box(slide, (WIDTH - MARGIN - Inches(1), top, Inches(1), Inches(0.3)), str(page),
             size=9, colour=MUTED, align=PP_ALIGN.RIGHT).name = "crossgen page number"


def title_slide(prs: PresentationType, *, title: str, subtitle: str, footer: str) -> Slide:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_SLIDE_LAYOUT])
    band = slide.shapes.add_shape(1, 0, 0, WIDTH, Inches(0.35))  # 1 = rectangle
    band.fill.solid()
    band.fill.fore_color.rgb = ACCENT
    band.line.fill.background()
    heading, sub = slide.placeholders[0], slide.placeholders[1]
    heading.left, heading.top, heading.width, heading.height = (
        MARGIN, Inches(2.3), WIDTH - 2 * MARGIN, Inches(1.4))
    sub.left, sub.top, sub.width, sub.height = (MARGIN, Inches(3.8), WIDTH - 2 * MARGIN,
                                                Inches(1.2))
    heading.text, sub.text = title, subtitle
    for placeholder in (heading, sub):
        placeholder.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    _style_runs(heading.text_frame, size=40, colour=INK, bold=True)
    _style_runs(sub.text_frame, size=20, colour=MUTED)
    _footer(slide, footer, len(prs.slides))
    return slide


def content_slide(prs: PresentationType, *, title: str, footer: str,
                  kicker: str | None = None) -> Slide:
    """A slide with crossgen's title band; ``kicker`` is the small line above the title."""
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY_LAYOUT])
    rule = slide.shapes.add_shape(1, MARGIN, Inches(1.2), Inches(1.2), Emu(38100))
    rule.fill.solid()
    rule.fill.fore_color.rgb = ACCENT
    rule.line.fill.background()
    heading = slide.shapes.title
    heading.left, heading.top, heading.width, heading.height = (
        MARGIN, Inches(0.45), WIDTH - 2 * MARGIN, Inches(0.7))
    heading.text = title
    heading.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    heading.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    _style_runs(heading.text_frame, size=28, colour=INK, bold=True)
    if kicker:
        text_box(slide, (MARGIN, Inches(0.15), WIDTH - 2 * MARGIN, Inches(0.3)), kicker,
                 size=11, colour=ACCENT, bold=True)
    _footer(slide, footer, len(prs.slides))
    return slide


CHAR_EM = 0.62  # a generous average glyph width (bold, digits, capitals) in ems
CELL_MARGINS = 2 * 91440  # PowerPoint's default cell margins, 0.1 in each side
MIN_SIZE = 8.0


def word_width(word: str, size: float) -> int:
    """The width (EMU) a word needs at ``size`` points, margins included, with the generous
    average glyph width: a column at least this wide never breaks the word across lines."""
    return int(len(word) * size * CHAR_EM * 12700) + CELL_MARGINS


def fit_columns(frame: pd.DataFrame, width: int, *, size: float,
                widths: Sequence[float] | None = None) -> tuple[float, list[int]]:
    """Column widths (EMU, summing to ``width``) in the proportions ``widths`` but each at least
    as wide as its longest word (header included), so no word is broken across lines; the
    font shrinks (to 8 pt at least) until the longest words fit side by side."""
    cols = len(frame.columns)
    share = list(widths) if widths else [1.0] * cols
    texts = [[str(col), *frame[col].astype(str).tolist()] for col in frame.columns]
    longest = [max((w for t in column for w in t.split()), key=len, default="")
               for column in texts]
    while True:
        need = [word_width(word, size) for word in longest]
        if sum(need) <= width or size <= MIN_SIZE:
            break
        size -= 0.5
    total = sum(share)
    wanted = [max(int(width * w / total), n) for w, n in zip(share, need, strict=True)]
    # take the excess back from the columns with room to spare, in proportion to that room
    excess = sum(wanted) - width
    spare = [w - n for w, n in zip(wanted, need, strict=True)]
    room = sum(spare)
    if excess > 0 and room > 0:
        wanted = [w - int(excess * s / room) for w, s in zip(wanted, spare, strict=True)]
    return size, wanted


def table(slide: Slide, box: Box, frame: pd.DataFrame, *, size: float = 11,
          widths: Sequence[float] | None = None) -> Any:
    """A native (editable) table; the frame's cells must already be display strings."""
    rows, cols = len(frame) + 1, len(frame.columns)
    shape = slide.shapes.add_table(rows, cols, *(Emu(v) for v in box))
    grid = shape.table
    size, columns = fit_columns(frame, box[2], size=size, widths=widths)
    for i, width in enumerate(columns):
        grid.columns[i].width = Emu(width)
    cells = [list(map(str, frame.columns)), *frame.astype(str).to_numpy().tolist()]
    for r, values in enumerate(cells):
        for c, value in enumerate(values):
            cell = grid.cell(r, c)
            cell.text = value
            cell.margin_top = cell.margin_bottom = Emu(27432)
            _style_runs(cell.text_frame, size=size, colour=WHITE if r == 0 else INK,
                        bold=r == 0)
            cell.fill.solid()
            cell.fill.fore_color.rgb = ACCENT if r == 0 else (BAND if r % 2 else WHITE)
    return shape
