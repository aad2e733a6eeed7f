"""Component IDs, in one place. Pattern-matching IDs are dicts, never strings parsed apart."""

from __future__ import annotations

URL = "url"
FILTER_TYPE = "filter"
FILTER_NAMES = ("cohort", "role", "generation", "department", "level")
RESET = "filter-reset"
SHARE_LINK = "share-link"
CHART_TYPE = "chart"
CHART_HOLDER_TYPE = "chart-holder"
DOWNLOAD_TYPE = "chart-download"
NAV_TYPE = "nav-link"
BOARD_PACK = "board-pack"


def filter_id(name: str) -> dict[str, str]:
    return {"type": FILTER_TYPE, "name": name}


def chart_id(chart: str) -> dict[str, str]:
    return {"type": CHART_TYPE, "chart": chart}


def chart_holder_id(chart: str) -> dict[str, str]:
    return {"type": CHART_HOLDER_TYPE, "chart": chart}


def download_id(chart: str, fmt: str) -> dict[str, str]:
    return {"type": DOWNLOAD_TYPE, "chart": chart, "fmt": fmt}


def nav_id(path: str) -> dict[str, str]:
    return {"type": NAV_TYPE, "path": path}


class Overview:
    CARDS = "overview-cards"
    COUNTS = "overview-counts"
    VERDICT = "overview-verdict-box"
    HEADLINE = "overview-headline"
    CHANGE_CHART = "overview-change-chart"
    EMPTY = "overview-empty"


class Topic:
    """Skills / Satisfaction / Inclusion pages: ``f"{topic}-{suffix}"``."""

    TABLE = "table"
    EXTRA = "extra"
    SCOPE = "scope"


class Retention:
    TABLE = "retention-table"
    AT_RISK = "retention-at-risk-table"


class Engagement:
    TABLE = "engagement-table"
    PAIRS = "engagement-pairs"
    GRID = "engagement-pair-grid"


class Slices:
    ROWS = "slices-rows"
    COLS = "slices-cols"
    OUTCOME = "slices-outcome"
    TABLE = "slices-table"


class Data:
    IMPORTS = "data-imports"
    FINDINGS = "data-findings"
    CODEBOOK = "data-codebook"
    RELIABILITY = "data-reliability"
