"""The URL query string holds the view: global filters plus a page's own options."""

from __future__ import annotations

from dataclasses import fields
from urllib.parse import parse_qsl, urlencode

from analysis.store.filters import Filters

FILTER_KEYS = {f.name for f in fields(Filters)}


def extras(search: str | None) -> list[tuple[str, str]]:
    """The query's non-filter parameters (a page's own options), in order."""
    return [(k, v) for k, v in parse_qsl((search or "").lstrip("?")) if k not in FILTER_KEYS]


def with_filters(filters: Filters, search: str | None) -> str:
    """``filters`` as the query, keeping the page options already in ``search``."""
    query = filters.to_query().lstrip("?")
    rest = urlencode(extras(search))
    joined = "&".join(p for p in (query, rest) if p)
    return "?" + joined if joined else ""


def with_options(search: str | None, **options: str | None) -> str:
    """``search`` with page options set (None removes one), filters untouched."""
    kept = [(k, v) for k, v in parse_qsl((search or "").lstrip("?")) if k not in options]
    kept += [(k, v) for k, v in options.items() if v]
    return "?" + urlencode(kept) if kept else ""
