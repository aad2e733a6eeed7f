"""Component IDs, in one place. Pattern-matching IDs are dicts, never strings parsed apart."""

from __future__ import annotations

URL = "url"
FILTER_TYPE = "filter"
FILTER_NAMES = ("cohort", "role", "generation", "department", "level")
RESET = "filter-reset"
SHARE_LINK = "share-link"


def filter_id(name: str) -> dict[str, str]:
    return {"type": FILTER_TYPE, "name": name}


class Overview:
    CARDS = "overview-cards"
    HEADLINE = "overview-headline"
    CHANGE_CHART = "overview-change-chart"
    EMPTY = "overview-empty"
