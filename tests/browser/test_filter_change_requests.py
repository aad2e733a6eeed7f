"""What a filter change costs the server, seen from a real browser: every callback fires once
(the page is not re-rendered by the Pages router as well), and the callback benchmark
(:func:`benchmarks.callbacks.filter_change`) posts exactly the requests the browser sends."""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from typing import Any

import pytest

from analysis.store.filters import Filters
from benchmarks.callbacks import filter_change
from benchmarks.dash_requests import View, page_components, walk
from tests.browser.helpers import choose, wait_for_charts

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _signature(body: dict[str, Any]) -> str:
    """A request told apart by its callback and the concrete components it writes."""
    return body["output"] + " " + json.dumps(body["outputs"], sort_keys=True)


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as resp:
        return json.loads(resp.read())


def _post(server: str, body: dict[str, Any]) -> tuple[int, bytes]:
    request = urllib.request.Request(server + "/_dash-update-component",
                                     data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as resp:
        return resp.status, resp.read()


@pytest.mark.parametrize("path", ["/skills", "/engagement"])
def test_a_filter_change_fires_each_callback_once_as_the_benchmark_posts(
        page, server: str, path: str) -> None:
    page.goto(server + path)
    wait_for_charts(page, path)
    page.wait_for_timeout(1000)  # late initial callbacks (download and navigation links)
    sent: list[str] = []

    def record(request: Any) -> None:
        if "/_dash-update-component" in request.url:
            sent.append(_signature(json.loads(request.post_data)))

    page.on("request", record)
    choose(page, "role", "Mentees")
    page.wait_for_url(f"**{path}?role=mentee", timeout=30_000)
    wait_for_charts(page, path)
    page.wait_for_timeout(2000)  # anything still to fire would have fired

    assert sent, "the filter change sent no callback"
    repeated = {s: n for s, n in Counter(sent).items() if n > 1}
    assert not repeated, f"callbacks fired more than once for one filter change: {repeated}"
    assert not any("_pages_content" in s for s in sent), "the Pages router re-rendered the page"

    deps = _get(server + "/_dash-dependencies")
    shell: dict[str, Any] = {}
    walk(_get(server + "/_dash-layout"), shell)
    components = page_components(lambda body: _post(server, body), deps, shell, View(path=path))
    posted = filter_change(deps, components, path, Filters(role="mentee"))
    assert sorted(_signature(b) for b in posted) == sorted(sent)
