"""The board pack: a PPTX built from :class:`~analysis.report.content.DeckContent`.

Slides: title; headline outcomes; one per outcome with a native, editable PowerPoint chart (its
numbers live in the chart's embedded workbook; 95% CIs as custom error bars) and the sentence and n
beneath it; image slides for charts PowerPoint cannot draw natively; a methods appendix.
Only aggregate, privacy-checked rows ever reach this module.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_TICK_LABEL_POSITION
from pptx.oxml.ns import qn
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from analysis.report import content as c
from analysis.report import labels, words
from analysis.report import template as t


@dataclass(frozen=True)
class ImageSlide:
    """A chart PowerPoint cannot draw natively, as a high-resolution PNG."""

    title: str
    png: bytes
    caption: str


CHART_BOX = (t.MARGIN, Inches(1.45), Inches(7.5), Inches(4.2))
SIDE_BOX = (Inches(8.2), Inches(1.8), Inches(4.65), Inches(3.4))
CAPTION_BOX = (t.MARGIN, Inches(5.75), Inches(12.3), Inches(1.2))


def _error_bars(series_xml: etree._Element, plus: list[float], minus: list[float]) -> None:
    """Custom (per-point) error bars: PowerPoint shows and edits them; python-pptx has no API."""
    bars = etree.SubElement(series_xml, qn("c:errBars"))
    for tag, value in (("c:errBarType", "both"), ("c:errValType", "cust"),
                       ("c:noEndCap", "0")):
        etree.SubElement(bars, qn(tag)).set("val", value)
    for tag, values in (("c:plus", plus), ("c:minus", minus)):
        literal = etree.SubElement(etree.SubElement(bars, qn(tag)), qn("c:numLit"))
        etree.SubElement(literal, qn("c:formatCode")).text = "General"
        etree.SubElement(literal, qn("c:ptCount")).set("val", str(len(values)))
        for i, v in enumerate(values):
            point = etree.SubElement(literal, qn("c:pt"))
            point.set("idx", str(i))
            etree.SubElement(point, qn("c:v")).text = repr(float(v))
    line = etree.SubElement(etree.SubElement(bars, qn("c:spPr")), qn("a:ln"))
    line.set("w", "12700")
    etree.SubElement(etree.SubElement(line, qn("a:solidFill")), qn("a:srgbClr")).set(
        "val", "1F2933")
    # Schema order: errBars comes before cat/val.
    series_xml.find(qn("c:cat")).addprevious(bars)


def nice_scale(low: float, high: float, *, ticks: int = 6) -> tuple[float, float, float]:
    """Axis bounds that include 0, low and high, on a 1-2-5 step."""
    low, high = min(float(low), 0.0), max(float(high), 0.0)
    raw = (high - low) / ticks or 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return (math.floor(low / step) * step, math.ceil(high / step) * step, step)


def native_chart(slide: Slide, rows: pd.DataFrame, *, box: t.Box, value_title: str,
                 line: bool = False) -> object:
    """Clustered bars (or a line), categories = cohorts, one series per role.

    Suppressed cells are left empty: the embedded sheet never holds a hidden value.
    """
    categories = rows["cohort_name"].fillna(rows["cohort"]).astype(str)
    rows = rows.assign(category=categories)
    order = list(dict.fromkeys(categories))
    fmt = "0%" if rows["metric"].iloc[0] in c.SHARE_METRICS else "#,##0.00"
    chart_data = CategoryChartData(number_format=fmt)
    chart_data.categories = order
    plus_minus = []
    for label, part in rows.groupby("role_label", sort=False):
        part = part.set_index("category").reindex(order)
        values = [c.as_number(v) for v in part["estimate"]]
        chart_data.add_series(str(label), values)
        hi = (part["ci_high"].astype(float) - part["estimate"].astype(float)).fillna(0.0)
        lo = (part["estimate"].astype(float) - part["ci_low"].astype(float)).fillna(0.0)
        plus_minus.append((hi.tolist(), lo.tolist()))
    kind = XL_CHART_TYPE.LINE_MARKERS if line else XL_CHART_TYPE.COLUMN_CLUSTERED
    left, top, width, height = (Emu(v) for v in box)
    frame: Any = slide.shapes.add_chart(kind, left, top, width, height,
                                        chart_data)  # type: ignore[arg-type]
    chart = frame.chart
    chart.font.size, chart.font.name = Pt(12), t.FONT
    chart.has_title = False  # the slide title says it
    chart.has_legend = len(plus_minus) > 1
    if chart.has_legend:
        chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
    axis = chart.value_axis
    axis.has_title = True
    axis.axis_title.text_frame.text = value_title
    axis.tick_labels.number_format, axis.tick_labels.number_format_is_linked = fmt, False
    axis.major_gridlines.format.line.color.rgb = t.BAND
    # Fit the error bars too (PowerPoint and LibreOffice scale to the bars alone).
    low, high = rows[["ci_low", "estimate"]].min().min(), rows[["ci_high", "estimate"]].max().max()
    if pd.notna(low) and pd.notna(high):
        axis.minimum_scale, axis.maximum_scale, axis.major_unit = nice_scale(low, high)
    chart.category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    for i, (series, (plus, minus)) in enumerate(zip(chart.plots[0].series, plus_minus,
                                                    strict=True)):
        colour = t.RGBColor.from_string(t.SERIES_COLOURS[i % len(t.SERIES_COLOURS)])
        if line:
            series.format.line.color.rgb = colour
        else:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = colour
        _error_bars(series._element, plus, minus)
    return frame


SIDE_ROWS = 6


def _side_table(rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows[~rows["metric"].isin(c.SIDE_TABLE_SKIP)]
    rows = rows.sort_values("primary", ascending=False, kind="stable").head(SIDE_ROWS)
    several = rows["metric"].nunique() > 1
    records = rows.to_dict("records")
    return pd.DataFrame({
        "Who": (rows["metric"].map(lambda m: c.SHORT_LABELS.get(m, c.metric_label(m))) + " · "
                if several else "") + rows["role_label"],
        "Estimate": [words.value_text(r) for r in records],
        "95% CI": [words.ci_of(r) for r in records],
        "p (adj.)": rows["p_adjusted"].map(words.p_text),
        "n": rows["n"].map(words.count),
    })


def outcome_slide(prs: object, content: c.DeckContent, outcome: str) -> Slide:
    rows = c.chart_rows(content, outcome)
    label = c.outcome_label(outcome)
    metric = str(rows["metric"].iloc[0])
    slide = t.content_slide(prs, title=label, footer=content.footer,  # type: ignore[arg-type]
                            kicker=c.metric_label(metric))
    shown = rows[~rows["suppressed"].astype(bool)]
    if shown["estimate"].notna().any():
        unit = "change, scale points (95% CI)" if metric == "paired_change" else \
            f"{c.metric_label(metric)} (95% CI)"
        native_chart(slide, rows, box=CHART_BOX, value_title=unit)
    else:
        t.text_box(slide, CHART_BOX, f"Every group is below the privacy minimum of "
                   f"{content.min_group_size} people, so nothing is shown.", size=16)
    side = c.outcome_rows(content, outcome)
    if not side.empty:
        cohort = content.view_cohort_of(outcome)
        scope = "All cohorts together" if cohort == "all" else f"Cohort {cohort}"
        t.text_box(slide, (SIDE_BOX[0], Inches(1.4), SIDE_BOX[2], Inches(0.3)), scope,
                   size=11, colour=t.MUTED, bold=True)
        table = _side_table(side)
        box = (*SIDE_BOX[:3], Inches(0.36) * (len(table) + 1))
        t.table(slide, box, table, size=9 if len(table) > 5 else 10,
                widths=[1.4, 1.15, 1.4, 0.9, 0.6])
    lead = content.headline
    lead = lead[lead["outcome"] == outcome]
    sentence = words.sentence(lead.iloc[0].to_dict() if len(lead) else rows.iloc[0].to_dict(),
                              min_group_size=content.min_group_size)
    roles = list(dict.fromkeys(rows["role_label"]))
    counts = rows.assign(cohort_label=rows["cohort_name"].fillna(rows["cohort"]),
                         n_text=rows["n"].map(words.count))
    per_cohort = counts.pivot_table(index="cohort_label", columns="role_label", values="n_text",
                                    aggfunc="first", sort=False).reindex(columns=roles)
    ns = "; ".join(f"{name} " + " / ".join(per_cohort.loc[name].fillna("—"))
                   for name in per_cohort.index)
    hidden = int(rows["suppressed"].astype(bool).sum())
    note = f" {hidden} group(s) hidden (fewer than {content.min_group_size})." if hidden else ""
    caption = t.text_box(slide, CAPTION_BOX, [sentence, f"n ({' / '.join(roles)}): {ns}.{note}"],
                         size=13)
    caption.text_frame.paragraphs[1].runs[0].font.size = Pt(10)
    return slide


def headline_slide(prs: object, content: c.DeckContent) -> Slide:
    scope = "all cohorts together" if content.view_cohort == "all" else \
        f"cohort {content.view_cohort}"
    slide = t.content_slide(prs, title="Headline outcomes",  # type: ignore[arg-type]
                            footer=content.footer,
                            kicker=f"At a glance: each outcome's main measure, {scope} "
                                   "(a cohort named: measured per cohort only, the latest "
                                   "shown); p Holm-adjusted")
    lead = content.headline
    if lead.empty:
        t.text_box(slide, (t.MARGIN, Inches(1.5), Inches(12), Inches(1)),
                   "No results for these filters.", size=18)
        return slide
    records = lead.to_dict("records")
    cohort = content.view_cohort
    who = [r["role_label"] + ("" if r["cohort"] == cohort
                              else f" · {r.get('cohort_name') or r['cohort']}")
           for r in records]
    frame = pd.DataFrame({
        "Outcome": lead["outcome_label"],
        "Measure": lead["metric_label"],
        "Who": who,
        "Estimate": [words.value_text(r) for r in records],
        "95% CI": [words.ci_of(r) for r in records],
        "p (adj.)": lead["p_adjusted"].map(words.p_text),
        "n": lead["n"].map(words.count),
        "In words": [words.in_words(r) for r in records],
    })
    dense = len(frame) > 7
    height = (Inches(0.3) if dense else Inches(0.42)) * (len(frame) + 1)
    t.table(slide, (t.MARGIN, Inches(1.4), t.WIDTH - 2 * t.MARGIN, height), frame,
            size=10 if dense else 13, widths=[2.3, 3.0, 1.9, 1.1, 1.9, 1.0, 0.8, 1.5])
    return slide


def verdict_slide(prs: object, content: c.DeckContent) -> Slide:
    """The answer first: the Overview's verdict sentence for the same filters, then each
    headline number with its CI (per cohort where no all-cohorts figure exists), ROI as a range
    with its currency."""
    slide = t.content_slide(prs, title="Did the programme pay off?",  # type: ignore[arg-type]
                            footer=content.footer,
                            kicker=f"The answer, for {content.scope or 'the data in view'}")
    t.text_box(slide, (t.MARGIN, Inches(1.3), t.WIDTH - 2 * t.MARGIN, Inches(1.0)),
               content.verdict or "No results for these filters.", size=18, bold=True)
    numbers = verdict_numbers(content.cards)
    if not numbers.empty:
        dense = len(numbers) > 8
        height = (Inches(0.27) if dense else Inches(0.36)) * (len(numbers) + 1)
        t.table(slide, (t.MARGIN, Inches(2.35), t.WIDTH - 2 * t.MARGIN, height), numbers,
                size=10 if dense else 12, widths=[5.2, 1.5, 3.3, 1.8])
    roi = content.cards[content.cards["key"] == "roi"] if not content.cards.empty else \
        content.cards
    notes = [str(v) for v in (roi["words"].tolist() + roi["detail"].tolist()) if v] \
        if len(roi) else []
    t.text_box(slide, (t.MARGIN, Inches(6.15), t.WIDTH - 2 * t.MARGIN, Inches(0.8)),
               [" ".join(notes), labels.currency_note()] if notes
               else [labels.currency_note()], size=11, colour=t.MUTED)
    return slide


def verdict_numbers(cards: pd.DataFrame) -> pd.DataFrame:
    """The Overview's cards as table rows: measure, estimate, 95% CI (or ROI range), n."""
    rows = []
    for card in cards.to_dict("records") if not cards.empty else []:
        parts = card["per_cohort"] or [None]
        for part in parts:
            shown = {**card, **(part or {})}
            title = str(card["title"]) + (f" · {part.get('cohort_name') or part['cohort']}"
                                          if part else "")
            if bool(shown.get("suppressed")) or c.as_number(shown.get("estimate")) is None:
                rows.append([title, "hidden", "—", "fewer than the minimum"])
                continue
            value = words.value_text(shown)
            ci = words.ci_of(shown)
            ci = ("range " + ci.removeprefix("range ")) if card["metric"] == "roi" else \
                f"95% CI {ci}"
            n = words.count(shown.get("n_treated") if c.as_number(shown.get("n_treated"))
                            is not None else shown.get("n"))
            rows.append([title, value, ci, f"{n} participants"
                         if card["metric"] in ("did", "retention_diff_12m", "roi")
                         else f"{n} people"])
    return pd.DataFrame(rows, columns=["Measure", "Estimate", "95% CI / range", "n"])


def image_slide(prs: object, content: c.DeckContent, image: ImageSlide) -> Slide:
    slide = t.content_slide(prs, title=image.title,  # type: ignore[arg-type]
                            footer=content.footer)
    slide.shapes.add_picture(io.BytesIO(image.png), t.MARGIN, Inches(1.45),
                             height=Inches(4.3))
    t.text_box(slide, CAPTION_BOX, image.caption, size=13)
    return slide


def build_deck(content: c.DeckContent, *, images: Sequence[ImageSlide] = ()) -> bytes:
    from analysis.report.methods import methods_slides

    prs = t.new_presentation(title=content.title, subject=content.subtitle)
    t.title_slide(prs, title=content.title, subtitle=content.subtitle, footer=content.footer)
    verdict_slide(prs, content)
    headline_slide(prs, content)
    for outcome in c.outcomes(content.results):
        if not c.chart_rows(content, outcome).empty:
            outcome_slide(prs, content, outcome)
    for image in images:
        image_slide(prs, content, image)
    methods_slides(prs, content)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
