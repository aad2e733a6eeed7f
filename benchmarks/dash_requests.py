"""The Dash app as a browser sees it: components in a layout, and the POST bodies of the
callbacks a change fires (derived from ``/_dash-dependencies``, so new pages and callbacks are
covered without editing the benchmarks). Shared by the load test and the callback benchmark."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Components = dict[str, tuple[Any, dict[str, Any], str]]
Post = Callable[[dict[str, Any]], tuple[int, bytes]]

def id_key(cid: Any) -> str:
    return json.dumps(cid, sort_keys=True, separators=(",", ":")) if isinstance(cid, dict) else cid


def parse_id(text: str) -> Any:
    return json.loads(text) if text.startswith("{") else text


def walk(tree: Any, found: Components) -> None:
    """Collect components with an id: key -> (id, props, type)."""
    if isinstance(tree, list):
        for item in tree:
            walk(item, found)
    elif isinstance(tree, dict) and "props" in tree:
        props = tree["props"]
        if "id" in props:
            found[id_key(props["id"])] = (props["id"], props, tree.get("type", ""))
        for value in props.values():
            walk(value, found)


def matches(pattern: Any, cid: Any) -> bool:
    if not isinstance(pattern, dict):
        return pattern == cid
    return (isinstance(cid, dict) and set(pattern) == set(cid)
            and all(isinstance(v, list) or cid[k] == v for k, v in pattern.items()))


def outputs_of(dep: dict[str, Any]) -> list[tuple[Any, str]]:
    text = dep["output"]
    parts = text[2:-2].split("...") if text.startswith("..") else [text]
    return [(parse_id(p.rsplit(".", 1)[0]), p.rsplit(".", 1)[1]) for p in parts]


@dataclass
class View:
    path: str = "/"
    search: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # filter component key -> value


def value_of(cid: Any, prop: str, comp: dict[str, Any], view: View) -> Any:
    if prop == "search":
        return view.search
    if prop == "pathname":
        return view.path
    if prop == "id":
        return cid
    key = id_key(cid)
    return view.values[key] if key in view.values and prop == "value" else comp.get(prop)


def callback_payloads(deps: list[dict[str, Any]], comps: Components,
                      view: View, *, changed: str) -> list[dict[str, Any]]:
    """One POST body per callback (and per MATCH instance) whose inputs are all on the page."""
    bodies = []
    for dep in deps:
        if dep.get("clientside_function"):
            continue
        specs = [(parse_id(s["id"]), s["property"]) for s in dep["inputs"] + dep["state"]]
        outs = outputs_of(dep)
        match_pattern = next((p for p, _ in specs + outs if isinstance(p, dict)
                              and any(v == ["MATCH"] for v in p.values())), None)
        instances = ([c[0] for c in comps.values() if matches(match_pattern, c[0])]
                     if match_pattern else [None])
        for inst in instances:
            def resolve(pattern: Any, inst: Any = inst) -> list[Any]:
                if isinstance(pattern, dict) and inst is not None:
                    pattern = {k: (inst[k] if v == ["MATCH"] else v) for k, v in pattern.items()}
                return [c[0] for c in comps.values() if matches(pattern, c[0])]

            def entries(pattern: Any, prop: str, *, value: bool) -> Any:
                hits = resolve(pattern)
                rows = [{"id": h, "property": prop,
                         **({"value": value_of(h, prop, comps[id_key(h)][1], view)}
                            if value else {})} for h in hits]
                wild_all = isinstance(pattern, dict) and any(
                    v in (["ALL"], ["ALLSMALLER"]) for v in pattern.values())
                return rows if wild_all else (rows[0] if rows else None)

            inputs = [entries(p, prop, value=True) for p, prop in
                      [(parse_id(s["id"]), s["property"]) for s in dep["inputs"]]]
            if any(i is None for i in inputs):
                continue  # an input is not on this page: the browser would not fire it
            state = [entries(parse_id(s["id"]), s["property"], value=True) for s in dep["state"]]
            outputs = [entries(p, prop, value=False) for p, prop in outs]
            if any(o is None for o in outputs):
                continue
            bodies.append({"output": dep["output"],
                           "outputs": outputs if dep["output"].startswith("..") else outputs[0],
                           "inputs": inputs, "state": state, "changedPropIds": [changed]})
    return bodies


def page_components(post: Post, deps: list[dict[str, Any]], shell: Components,
                    view: View) -> Components:
    """The shell's components plus those of ``view``'s page, as the Pages router renders it."""
    page: Components = dict(shell)
    for body in callback_payloads(router(deps), shell, view,
                                  changed="_pages_location.pathname"):
        status, payload = post(body)
        if status == 200:
            content = json.loads(payload)["response"].get("_pages_content", {})
            walk(content.get("children"), page)
    return page


def router(deps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Dash Pages callback that renders a page's layout."""
    return [d for d in deps if "_pages_content" in d["output"]]


def url_callbacks(deps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Callbacks a change of the URL's query string fires (the router aside)."""
    pages = router(deps)
    return [d for d in deps if d not in pages
            and any(i["id"] == "url" and i["property"] == "search" for i in d["inputs"])]
