"""Downloads: every registered chart as PNG/SVG, and the board pack as PPTX.

Routes on the Dash app's Flask server (``register(app)``, one line in ``create_app``):

* ``/download/figure/<chart_id>.<png|svg>?<filters>``: the chart as the page draws it, rendered by
  kaleido (one Chromium per process, bounded wait: ``analysis.report.images``).
* ``/download/board-pack.pptx?<filters>``: the same deck ``crossgen report --out deck.pptx`` builds.

Export failures answer 503 with a plain message; no traceback reaches a user.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from dash import Dash
from flask import Response, request

from analysis.privacy import rules as privacy
from analysis.report import images
from analysis.report.content import build_content
from analysis.report.deck import ImageSlide, build_deck
from analysis.store.db import Store
from analysis.store.filters import Filters
from dashboard import model
from dashboard.charts import CHARTS

log = logging.getLogger(__name__)
MIME = {"png": "image/png", "svg": "image/svg+xml",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
# Charts PowerPoint cannot draw natively (step curves with bands, scatter with a fit): in the
# deck as high-resolution images when the registry has them. Everything else is native.
DECK_IMAGE_CHARTS = ("retention-km", "engagement-dose")
DECK_IMAGE_SCALE = 3


def figure_bytes(chart_id: str, fmt: str, query: str | None) -> bytes:
    """One chart for a URL query string, as PNG (2× scale) or SVG."""
    if chart_id not in CHARTS:
        raise KeyError(chart_id)
    figure = CHARTS[chart_id].render(query)
    return images.to_image(figure, fmt=fmt, scale=images.MIN_SCALE)


def deck_images(filters: Filters) -> list[ImageSlide]:
    """The non-native charts, rendered with the process's one browser."""
    slides = []
    for chart_id in (c for c in DECK_IMAGE_CHARTS if c in CHARTS):
        chart = CHARTS[chart_id]
        png = images.to_image(chart.render(filters.to_query()), fmt="png",
                              scale=DECK_IMAGE_SCALE)
        slides.append(ImageSlide(chart.title, png, f"{chart.title}: n per group and hidden "
                                 "groups are marked on the chart (dashboard page "
                                 f"{chart.page})."))
    return slides


def board_pack(store: Store, filters: Filters, *, min_group_size: int | None = None,
               with_images: bool = True, generated: datetime | None = None) -> bytes:
    """The board pack for a filter state. Image charts read the dashboard's configured store."""
    k = privacy.resolve_min_group_size(min_group_size)
    content = build_content(store, filters, min_group_size=k,
                            generated=generated or datetime.now(UTC))
    return build_deck(content, images=deck_images(filters) if with_images else ())


def _plain(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def _attachment(data: bytes, fmt: str, name: str) -> Response:
    response = Response(data, mimetype=MIME[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def figure_route(chart_id: str, fmt: str) -> Response:
    query = request.query_string.decode("utf-8", "replace")
    try:
        with model.EXPORT_SLOTS.hold():  # one render at a time: pages keep their share
            data = figure_bytes(chart_id, fmt, query)
    except KeyError:
        return _plain(f"No chart called {chart_id!r}.", 404)
    except images.ExportError as exc:
        log.warning("figure export %s.%s failed: %s", chart_id, fmt, exc)
        return _plain(f"The {fmt.upper()} could not be made: {exc}", 503)
    except ValueError as exc:
        return _plain(f"This view cannot be exported: {exc}", 400)
    return _attachment(data, fmt, f"crossgen-{chart_id}.{fmt}")


def board_pack_route() -> Response:
    query = request.query_string.decode("utf-8", "replace")
    try:
        with model.EXPORT_SLOTS.hold():  # one deck at a time; its computations queue fairly
            data = board_pack(model.store(), Filters.from_query(query))
    except images.ExportError as exc:
        log.warning("board pack failed: %s", exc)
        return _plain(f"The board pack could not be made: {exc}", 503)
    except ValueError as exc:
        return _plain(f"This view cannot be exported: {exc}", 400)
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return _attachment(data, "pptx", f"crossgen-board-pack-{stamp}.pptx")


def register(app: Dash) -> None:
    server = app.server
    server.add_url_rule("/download/figure/<chart_id>.<any(png, svg):fmt>",
                        "crossgen_figure", figure_route)
    server.add_url_rule("/download/board-pack.pptx", "crossgen_board_pack", board_pack_route)
