"""Server time of a dashboard filter change, page by page (no browser).

A filter change in the browser fires the filter bar's callback (dropdown -> URL query string),
then every callback on the page whose inputs include the URL's query string: the page's tables,
each chart (one request per chart of the pattern-matching chart callback), the download links
and the navigation links. This posts exactly those requests, built from ``/_dash-dependencies``
and the rendered layouts (:mod:`benchmarks.dash_requests`), and sums their server time.
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

from analysis.store.filters import Filters
from benchmarks.dash_requests import (
    Components,
    View,
    callback_payloads,
    id_key,
    page_components,
    url_callbacks,
    walk,
)
from dashboard.filterbar import dropdown_values
from dashboard.ids import FILTER_NAMES, filter_id


def random_filters(rng: random.Random, options: dict[str, list[dict[str, str]]]) -> Filters:
    def pick(name: str, k: int) -> tuple[str, ...]:
        values = [o["value"] for o in options.get(name, [])]
        return tuple(rng.sample(values, min(k, len(values)))) if rng.random() < 0.4 else ()

    cohorts = [o["value"] for o in options.get("cohort", [])]
    return Filters(
        cohort=rng.choice([*cohorts, None]) if cohorts else None,
        role=rng.choice(["mentor", "mentee", None]),
        generation=pick("generation", 2),
        department=pick("department", 2),
        level=pick("level", 1),
    )


def filter_values(filters: Filters) -> dict[str, Any]:
    """The filter bar's dropdown values for ``filters``, keyed as the layout's component ids."""
    return {id_key(filter_id(name)): value
            for name, value in zip(FILTER_NAMES, dropdown_values(filters), strict=True)}


def filter_change(deps: list[dict[str, Any]], page: Components, path: str,
                  filters: Filters) -> list[dict[str, Any]]:
    """The POST bodies a browser sends when the filter bar changes to ``filters`` on ``path``."""
    view = View(path=path, search=filters.to_query(), values=filter_values(filters))
    changed = id_key(filter_id("cohort")) + ".value"
    sync = [d for d in deps if d["output"].startswith("..url.search")]
    rest = [d for d in url_callbacks(deps) if d not in sync]
    return [*callback_payloads(sync, page, view, changed=changed),
            *callback_payloads(rest, page, view, changed="url.search")]


def measure(client: Any, pages: list[str], options: dict[str, list[dict[str, str]]], *,
            states: int = 30, seed: int = 11) -> dict[str, list[float]]:
    """Milliseconds per filter change, per page (the sum over every request it fires)."""
    rng = random.Random(seed)
    deps: list[dict[str, Any]] = client.get("/_dash-dependencies").get_json()
    shell: Components = {}
    walk(client.get("/_dash-layout").get_json(), shell)

    def post(body: dict[str, Any]) -> tuple[int, bytes]:
        resp = client.post("/_dash-update-component", data=json.dumps(body),
                           content_type="application/json")
        return resp.status_code, resp.data

    timings: dict[str, list[float]] = {}
    for path in pages:
        page = page_components(post, deps, shell, View(path=path))
        times = []
        for _ in range(states):
            bodies = filter_change(deps, page, path, random_filters(rng, options))
            start = time.perf_counter()
            for body in bodies:
                status, _ = post(body)
                if status >= 500:
                    raise RuntimeError(f"{path}: callback {body['output']} answered {status}")
            times.append((time.perf_counter() - start) * 1000)
        timings[path] = times
    return timings
