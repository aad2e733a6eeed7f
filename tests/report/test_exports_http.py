"""Downloads over HTTP: the running server renders PNG/SVG and the board pack; failures are 503."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from pptx import Presentation

from analysis.report import images
from dashboard import exports, model
from tests.report.test_images import FakeEngine, png_size


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=180) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


@pytest.mark.slow
def test_png_and_svg_downloads_from_the_running_server(server: str) -> None:
    status, kind, png = _get(server + "/download/figure/overview-changes.png?cohort=C1")
    assert (status, kind) == (200, "image/png")
    width, height = png_size(png)
    assert width == 2 * images.DEFAULT_WIDTH and height >= 2 * 150  # rendered at 2×
    status, kind, svg = _get(server + "/download/figure/overview-changes.svg?cohort=C1")
    assert status == 200 and kind.startswith("image/svg+xml")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("width") == str(images.DEFAULT_WIDTH)
    assert b"Traceback" not in svg


def test_unknown_chart_is_404(server: str) -> None:
    status, kind, body = _get(server + "/download/figure/no-such-chart.png")
    assert status == 404 and kind.startswith("text/plain") and b"no-such-chart" in body
    _, kind, _ = _get(server + "/download/figure/overview-changes.gif")
    assert not kind.startswith("image/")  # only PNG and SVG are made


@pytest.mark.slow
def test_board_pack_download(server: str) -> None:
    status, kind, data = _get(server + "/download/board-pack.pptx?cohort=C3")
    assert status == 200 and kind == exports.MIME["pptx"]
    prs = Presentation(io.BytesIO(data))
    assert prs.slides[1].shapes.title.text == "Did the programme pay off?"  # the verdict first
    assert prs.slides[2].shapes.title.text == "Headline outcomes"
    assert any(s.has_chart for slide in prs.slides for s in slide.shapes)


@pytest.fixture()
def hanging_app(demo_db: Path) -> Iterator[Flask]:
    """The export routes on a bare Flask app, with a browser that never answers."""
    model.configure(demo_db)
    previous = images.set_renderer(images.Renderer(
        timeout=0.3, engine_factory=lambda _t: FakeEngine(hang_render=True)))
    server = Flask("exports-test")
    exports.register(SimpleNamespace(server=server))  # type: ignore[arg-type]
    yield server
    fake = images.set_renderer(previous)
    assert fake is not None
    fake.close()


def test_export_timeout_is_a_clear_503(hanging_app: Flask) -> None:
    response = hanging_app.test_client().get("/download/figure/overview-changes.png")
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert body.startswith("The PNG could not be made: Rendering the PNG took longer than 0.3 s")
    assert "Traceback" not in body
    bad = hanging_app.test_client().get("/download/board-pack.pptx?cohort=C9")
    assert bad.status_code == 400 and "no cohort 'C9'" in bad.get_data(as_text=True)
