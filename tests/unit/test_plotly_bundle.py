"""The plotly.js the dashboard serves (dashboard/assets/plotly-cartesian.min.js): the official
cartesian bundle pinned in dashboard/plotlyjs, of the very version the plotly package ships, so
the page draws a figure as the PNG/SVG downloads (plotly's own plotly.js) do. The browser tests
check that its traces cover every chart and that the full bundle is never fetched."""

from __future__ import annotations

import json
import re

from plotly.offline import get_plotlyjs_version

from tests.conftest import REPO

ASSET = REPO / "dashboard" / "plotlyjs" / "plotly-cartesian.min.js"
PIN = REPO / "dashboard" / "plotlyjs"
PACKAGE = "plotly.js-cartesian-dist-min"


def _asset_version() -> str:
    header = ASSET.read_text(encoding="utf-8")[:300]
    found = re.search(r"plotly\.js \(cartesian - minified\) v(\d+\.\d+\.\d+)", header)
    assert found, f"not plotly.js's cartesian bundle: {header[:120]!r}"
    return found.group(1)


def test_served_bundle_is_the_plotly_packages_version() -> None:
    assert _asset_version() == get_plotlyjs_version(), \
        "plotly was upgraded: pin its plotly.js version in dashboard/plotlyjs and run " \
        "`make plotly-js` (see the Makefile)"


def test_bundle_is_the_pinned_package() -> None:
    package = json.loads((PIN / "package.json").read_text())
    lock = json.loads((PIN / "package-lock.json").read_text())
    locked = lock["packages"][f"node_modules/{PACKAGE}"]
    assert package["dependencies"] == {PACKAGE: _asset_version()}
    assert locked["version"] == _asset_version()
    assert locked["integrity"].startswith("sha512-")  # npm ci checks the download against it


def test_dash_fetches_the_cartesian_bundle_where_it_looks_for_plotly_js(privacy_app) -> None:
    app, _ = privacy_app
    client = app.server.test_client()
    url = "/_dash-component-suites/plotly/package_data/plotly.min.js"
    page = client.get("/").get_data(as_text=True)
    assert f'<link rel="preload" as="script" href="{url}">' in page  # fetched with the page
    with client.get(url) as served:
        assert served.status_code == 200 and served.mimetype == "text/javascript"
        assert served.get_data() == ASSET.read_bytes()  # not plotly's full bundle
        etag = served.headers["ETag"]
    with client.get(url, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304  # a returning browser keeps its copy
    # Dash's own component scripts are still served by Dash
    assert client.get("/_dash-component-suites/dash/dcc/async-graph.js").status_code == 200
