"""No request gets a 5xx, and a viewer never gets an analyst's data (property-based).

Requests are generated for every server callback ``/_dash-dependencies`` lists — valid bodies
from the pages as a browser sends them (``benchmarks.dash_requests``), made hostile (values of
other types, huge and control-character strings, unknown filter values, repeated keys) or
broken (keys missing or of the wrong type, client-side outputs) — plus raw bodies and
path-traversal URLs, against ``crossgen serve`` in local mode and signed in as a viewer and as
an analyst. A callback added later is covered without editing this file: its bodies come from
the dependencies and the layouts (or from its registered spec when no page fires it).
"""

from __future__ import annotations

import copy
import http.client
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.store.filters import Filters
from benchmarks.dash_requests import (
    View,
    callback_payloads,
    outputs_of,
    page_components,
    parse_id,
    router,
    walk,
)
from dashboard.charts import CHARTS
from tests.conftest import run_cli
from tests.integration.test_access_http import Client
from tests.privacy_db import start_server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("requests-property")]

PASSWORDS = {"vera": "viewer-pass-123", "anna": "analyst-pass-123"}
SLICING = ("generation", "department", "level", "role")


@dataclass
class Target:
    base: str
    cookie: str  # "" in local mode


def raw(target: Target, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    """One request exactly as given (http.client does not normalise ``..`` in a path)."""
    parts = urlsplit(target.base)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if target.cookie:
        headers["Cookie"] = target.cookie
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def post(target: Target, body: Any) -> tuple[int, bytes]:
    return raw(target, "POST", "/_dash-update-component", json.dumps(body).encode())


def _signed_in(base: str, name: str) -> Target:
    client = Client(base)
    assert client.sign_in(name, PASSWORDS[name]) in (302, 303)
    return Target(base, "; ".join(f"{c.name}={c.value}" for c in client.jar))


@pytest.fixture(scope="module")
def targets(server: str, demo_copy_module: Path) -> Iterator[dict[str, Target]]:
    for name, role in (("vera", "viewer"), ("anna", "analyst")):
        done = run_cli("users", "add", name, "--role", role, "--db", str(demo_copy_module),
                       stdin=PASSWORDS[name] + "\n")
        assert done.returncode == 0, done.stderr
    proc, base = start_server(demo_copy_module)
    try:
        yield {"local": Target(server, ""), "viewer": _signed_in(base, "vera"),
               "analyst": _signed_in(base, "anna")}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def demo_copy_module(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    target = tmp_path_factory.mktemp("secured") / "demo.duckdb"
    shutil.copyfile(demo_db, target)
    return target


def _fetch(target: Target, path: str) -> Any:
    status, payload = raw(target, "GET", path)
    assert status == 200, (path, status)
    return json.loads(payload)


def _spec_body(dep: dict[str, Any]) -> dict[str, Any]:
    """A body from a callback's registered spec alone (a callback no page fires)."""
    def entry(spec: dict[str, Any] | tuple[Any, str], *, value: bool) -> Any:
        cid, prop = ((parse_id(spec["id"]), spec["property"]) if isinstance(spec, dict)
                     else spec)
        if isinstance(cid, dict):
            wild = any(v in (["ALL"], ["ALLSMALLER"]) for v in cid.values())
            cid = {k: ("x" if isinstance(v, list) else v) for k, v in cid.items()}
            one = {"id": cid, "property": prop, **({"value": None} if value else {})}
            return [one] if wild else one
        return {"id": cid, "property": prop, **({"value": None} if value else {})}

    outs = [entry(o, value=False) for o in outputs_of(dep)]
    return {"output": dep["output"], "outputs": outs if dep["output"].startswith("..")
            else outs[0], "inputs": [entry(i, value=True) for i in dep["inputs"]],
            "state": [entry(s, value=True) for s in dep["state"]], "changedPropIds": []}


@dataclass
class Catalogue:
    bodies: dict[str, list[dict[str, Any]]]  # server callback output -> valid bodies
    clientside: list[dict[str, Any]]
    analyst_only: set[str]  # callbacks fired only on pages a viewer may not open
    analyst_paths: set[str]
    from_pages: set[str]  # callbacks whose bodies a page sent (the others: from their spec)


@pytest.fixture(scope="module")
def catalogue(targets: dict[str, Target]) -> Catalogue:
    local, viewer = targets["local"], targets["viewer"]
    deps = _fetch(local, "/_dash-dependencies")
    shell: dict[str, Any] = {}
    walk(_fetch(local, "/_dash-layout"), shell)
    paths = sorted({str(c[1]["href"]) for c in shell.values() if c[2] == "NavLink"})
    viewer_shell: dict[str, Any] = {}
    walk(_fetch(viewer, "/_dash-layout"), viewer_shell)
    viewer_paths = {str(c[1]["href"]) for c in viewer_shell.values() if c[2] == "NavLink"}
    bodies: dict[str, list[dict[str, Any]]] = {}
    seen_by_viewer: set[str] = set()
    for path in paths:
        view = View(path=path, search="?cohort=C1")
        page = page_components(lambda b: post(local, b), deps, shell, view)
        for body in (callback_payloads(router(deps), shell, view,
                                       changed="_pages_location.pathname")
                     + callback_payloads(deps, page, view, changed="url.search")):
            bodies.setdefault(body["output"], []).append(body)
            if path in viewer_paths:
                seen_by_viewer.add(body["output"])
    from_pages = set(bodies)
    server_side = [d for d in deps if not d.get("clientside_function")]
    for dep in server_side:  # every callback, fired by a page or not
        bodies.setdefault(dep["output"], [_spec_body(dep)])
    assert set(bodies) == {d["output"] for d in server_side}
    clientside = [_spec_body(d) for d in deps if d.get("clientside_function")]
    return Catalogue(bodies, clientside, from_pages - seen_by_viewer,
                     set(paths) - viewer_paths, from_pages)


# -- what is generated ----------------------------------------------------------------------------

FILTER_KEYS = ["cohort", "role", "generation", "department", "level", "chart", "zz"]
weird_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=40),  # control characters
    st.sampled_from(["x" * 200_000, "\x00" * 1000, "/" * 5000, "../" * 50, "%00%ff",
                     "C1'; drop table employees; --", "Gen Z\u202e", "\ud7ff\ufffe"]),
)
query = st.lists(st.tuples(st.sampled_from(FILTER_KEYS),
                           st.one_of(st.sampled_from(["C1", "C2", "ZZ", "mentor", "ceo",
                                                      "Gen Z", "Boomers", "Nowhere"]),
                                     weird_text)),
                 max_size=6).map(lambda kv: "?" + "&".join(f"{k}={v}" for k, v in kv))
json_values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), weird_text),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8)
hostile = st.one_of(query, json_values, st.just("/comments"), st.just("/slices"))


def _entries(body: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name in ("inputs", "state"):
        for item in body.get(name, []):
            out += item if isinstance(item, list) else [item]
    return [e for e in out if isinstance(e, dict)]


@st.composite
def callback_request(draw: st.DrawFn, cat: Catalogue) -> dict[str, Any] | Any:
    output = draw(st.sampled_from(sorted(cat.bodies)))
    body = copy.deepcopy(draw(st.sampled_from(cat.bodies[output])))
    how = draw(st.sampled_from(["value", "value", "value", "shape", "clientside"]))
    if how == "value":
        for entry in draw(st.lists(st.sampled_from(_entries(body)), min_size=1, max_size=3)
                          if _entries(body) else st.just([])):
            entry["value"] = draw(hostile)
    elif how == "shape":
        key = draw(st.sampled_from(["output", "outputs", "inputs", "state", "changedPropIds"]))
        if draw(st.booleans()):
            body.pop(key, None)
        else:
            body[key] = draw(st.one_of(json_values, st.just({"id": "url"}),
                                       st.just([{"id": "url", "property": "search"}])))
    elif cat.clientside:
        body = copy.deepcopy(draw(st.sampled_from(cat.clientside)))
    return body


raw_bodies = st.one_of(st.sampled_from([b"[]", b"null", b'"x"', b"{", b"", b"1", b"{}",
                                        b'{"output": null}', b"\xff\xfe"]),
                       st.binary(max_size=64))
traversal = st.one_of(
    st.sampled_from(["/_dash-component-suites/../../etc/passwd",
                     "/_dash-component-suites/dash/../../../etc/passwd",
                     "/_dash-component-suites/dash/..%2f..%2f..%2fetc%2fpasswd",
                     "/_dash-component-suites/nope/x.js", "/assets/../../etc/passwd",
                     "/assets/..%2f..%2fpyproject.toml", "/download/figure/../../etc/passwd",
                     "/download/figure/x.png?generation=Boomers", "/download/deck.pptx?role=x",
                     "/%2e%2e/%2e%2e/etc/passwd", "//etc/passwd", "/_dash-layout/../healthz"]),
    st.lists(st.sampled_from(["..", "%2e%2e", "etc", "passwd", "_dash-component-suites",
                              "assets", "dash", "download", "%00", "a" * 300]),
             min_size=1, max_size=6).map(lambda p: "/" + "/".join(p)),
)

MODES = ["local", "viewer", "analyst"]


def _analyst_data(cat: Catalogue, body: Any) -> bool:
    """Whether answering ``body`` with data would show a viewer what only analysts see."""
    if not isinstance(body, dict):
        return False
    if body.get("output") in cat.analyst_only:
        return True
    for entry in _entries(body):
        value = entry.get("value")
        cid = entry.get("id")
        # one callback draws every page's charts: an analyst page's chart is analyst data
        if isinstance(cid, dict) and isinstance(cid.get("chart"), str) and \
                cid["chart"] in CHARTS and CHARTS[cid["chart"]].page in cat.analyst_paths:
            return True
        if entry.get("property") == "search" and any(
                getattr(Filters.from_query(value), k) for k in SLICING):
            return True
        if entry.get("property") == "pathname" and value in cat.analyst_paths:
            return True
    return False


# Bounded for `make test`: the shapes are few, and every valid-shaped body runs real queries.
PROFILE = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                   suppress_health_check=list(HealthCheck), print_blob=True)


def test_the_catalogue_is_not_vacuous(catalogue: Catalogue) -> None:
    assert len(catalogue.from_pages) >= len(catalogue.bodies) - 2, (
        set(catalogue.bodies) - catalogue.from_pages)  # nearly all fired by a page
    assert catalogue.clientside and catalogue.analyst_only and catalogue.analyst_paths


def test_callback_requests_never_5xx(targets: dict[str, Target], catalogue: Catalogue) -> None:
    @PROFILE
    @given(mode=st.sampled_from(MODES), body=callback_request(catalogue))
    def check(mode: str, body: Any) -> None:
        status, payload = post(targets[mode], body)
        assert status < 500, (mode, status, payload[:300])
        if mode == "viewer" and status == 200:
            assert not _analyst_data(catalogue, body), (body, payload[:300])

    check()


def test_valid_bodies_answer_and_viewer_is_refused(targets: dict[str, Target],
                                                    catalogue: Catalogue) -> None:
    for output in catalogue.from_pages:
        body = catalogue.bodies[output][0]
        status, payload = post(targets["analyst"], body)
        assert status in (200, 204), (output, status, payload[:300])
        status, _ = post(targets["viewer"], body)
        if output in catalogue.analyst_only:
            assert status == 403, output


@PROFILE
@given(mode=st.sampled_from(MODES), data=raw_bodies)
def test_raw_bodies_answer_400(targets: dict[str, Target], mode: str, data: bytes) -> None:
    status, payload = raw(targets[mode], "POST", "/_dash-update-component", data)
    assert status == 400, (status, payload[:200])
    assert "error" in json.loads(payload)


@PROFILE
@given(mode=st.sampled_from(MODES), path=traversal)
def test_traversal_urls_never_5xx_nor_files(targets: dict[str, Target], mode: str,
                                            path: str) -> None:
    status, payload = raw(targets[mode], "GET", path)
    assert status < 500, (path, status)
    assert not re.search(rb"root:.*:0:0:", payload)  # /etc/passwd
    assert b"[project]" not in payload  # a file of the repository
