"""Server time of the Dash callbacks a filter change fires, page by page (no browser).

Reads ``/_dash-dependencies`` and, for every callback whose inputs include the URL's query
string, posts the request a browser would send. This measures server time only.
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

from analysis.filters import Filters
from dashboard.ids import FILTER_NAMES

URL_ID = "url"


def url_callbacks(client: Any) -> list[dict[str, Any]]:
    deps = client.get("/_dash-dependencies").get_json()
    return [d for d in deps if any(i["id"] == URL_ID and i["property"] == "search"
                                   for i in d["inputs"])]


def _expand(item_id: str, prop: str, value: Any = None) -> Any:
    """A wildcard (ALL) id becomes the list of concrete filter components it matches."""
    if not item_id.startswith("{"):
        return {"id": item_id, "property": prop, "value": value}
    pattern = json.loads(item_id)
    return [{"id": {**pattern, "name": name}, "property": prop,
             "value": {"name": name, "type": pattern["type"]} if prop == "id" else None}
            for name in FILTER_NAMES]


def _payload(dep: dict[str, Any], search: str, pathname: str) -> dict[str, Any]:
    def entry(item: dict[str, Any]) -> Any:
        if item["id"] == URL_ID:
            return {**item, "value": search if item["property"] == "search" else pathname}
        return _expand(item["id"], item["property"])

    outputs = []
    for out in dep["output"].strip(".").split("..."):
        item_id, prop = out.rsplit(".", 1)
        expanded = _expand(item_id, prop)
        if isinstance(expanded, dict):
            expanded.pop("value")
        else:
            for e in expanded:
                e.pop("value")
        outputs.append(expanded)
    return {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [entry(i) for i in dep["inputs"]],
        "state": [entry(s) for s in dep.get("state", [])],
        "changedPropIds": [f"{URL_ID}.search"],
    }


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


def measure(client: Any, pages: list[str], options: dict[str, list[dict[str, str]]], *,
            states: int = 30, seed: int = 11) -> dict[str, list[float]]:
    """Milliseconds per filter change, per page (sum over the callbacks it fires)."""
    rng = random.Random(seed)
    deps = url_callbacks(client)
    timings: dict[str, list[float]] = {}
    for path in pages:
        page_deps = [d for d in deps if _fires_on(client, d, path)]
        times = []
        for _ in range(states):
            search = random_filters(rng, options).to_query()
            start = time.perf_counter()
            for dep in page_deps:
                resp = client.post("/_dash-update-component", json=_payload(dep, search, path))
                if resp.status_code >= 500:
                    raise RuntimeError(f"{path}: callback {dep['output']} answered "
                                       f"{resp.status_code}")
            times.append((time.perf_counter() - start) * 1000)
        timings[path] = times
    return timings


def _fires_on(client: Any, dep: dict[str, Any], path: str) -> bool:
    """A page's callbacks are those whose outputs exist in that page's layout."""
    layout = client.get(path).status_code == 200 and _page_ids(client, path)
    outputs = {o.rsplit(".", 1)[0] for o in dep["output"].strip(".").split("...")}
    # The global filter-bar callback (it writes the URL) fires on every page.
    return URL_ID in outputs or bool(layout and outputs & layout)


_cache: dict[str, set[str]] = {}


def _page_ids(client: Any, path: str) -> set[str]:
    if path not in _cache:
        import dash

        ids: set[str] = set()
        for page in dash.page_registry.values():
            if page["relative_path"] == path:
                layout = page["layout"]
                tree = layout() if callable(layout) else layout
                ids = _collect(tree)
        _cache[path] = ids
    return _cache[path]


def _collect(component: Any) -> set[str]:
    found: set[str] = set()
    cid = getattr(component, "id", None)
    if isinstance(cid, str):
        found.add(cid)
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found |= _collect(child)
    return found
