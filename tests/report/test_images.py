"""PNG/SVG rendering: one browser per process, bounded waits, clear errors (fakes and real)."""

from __future__ import annotations

import asyncio
import struct
import time
import xml.etree.ElementTree as ET
from typing import Any

import plotly.graph_objects as go
import pytest

from analysis.report import images

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk (PNG spec, section 11.2.2)."""
    assert data[:8] == PNG_MAGIC
    width, height = struct.unpack(">II", data[16:24])
    return width, height


class FakeEngine:
    """Stands in for kaleido.Kaleido: records calls; can hang or fail on purpose."""

    opened = 0

    def __init__(self, *, hang_open: bool = False, hang_render: bool = False,
                 fail: str | None = None) -> None:
        self.hang_open, self.hang_render, self.fail = hang_open, hang_render, fail
        self.closed = False

    async def open(self) -> None:
        FakeEngine.opened += 1
        if self.hang_open:
            await asyncio.sleep(3600)

    async def calc_fig(self, fig: Any, opts: dict[str, Any] | None = None) -> bytes:
        if self.hang_render:
            await asyncio.sleep(3600)
        if self.fail:
            raise RuntimeError(self.fail)
        return PNG_MAGIC + b"fake"

    async def close(self) -> None:
        self.closed = True


@pytest.fixture()
def figure() -> go.Figure:
    return go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), layout={"width": 400, "height": 300})


def test_browser_started_once_for_many_figures(figure: go.Figure) -> None:
    FakeEngine.opened = 0
    renderer = images.Renderer(timeout=5, engine_factory=lambda _t: FakeEngine())
    try:
        for fmt in ("png", "svg", "png"):
            assert renderer.render(figure, fmt=fmt).startswith(PNG_MAGIC)
        assert (FakeEngine.opened, renderer.starts) == (1, 1)
    finally:
        renderer.close()


def test_hanging_render_times_out_with_a_clear_message(figure: go.Figure) -> None:
    engines: list[FakeEngine] = []

    def factory(_timeout: float) -> FakeEngine:
        engines.append(FakeEngine(hang_render=len(engines) == 0))  # only the first one hangs
        return engines[-1]

    renderer = images.Renderer(timeout=0.3, engine_factory=factory)
    try:
        started = time.monotonic()
        with pytest.raises(images.ExportError, match=r"Rendering the PNG took longer than 0\.3 s"):
            renderer.render(figure)
        assert time.monotonic() - started < 10  # bounded, not the fake's hour
        assert engines[0].closed  # the stuck browser is closed …
        assert renderer.render(figure).startswith(PNG_MAGIC)  # … and replaced on the next call
        assert renderer.starts == 2
    finally:
        renderer.close()


def test_browser_that_never_starts_times_out(figure: go.Figure) -> None:
    renderer = images.Renderer(timeout=0.3,
                               engine_factory=lambda _t: FakeEngine(hang_open=True))
    try:
        with pytest.raises(images.ExportError, match="Starting Chromium for image export took"):
            renderer.render(figure)
    finally:
        renderer.close()


def test_render_failure_is_reported_not_raised_raw(figure: go.Figure) -> None:
    renderer = images.Renderer(timeout=5, engine_factory=lambda _t: FakeEngine(fail="boom"))
    try:
        with pytest.raises(images.ExportError, match=r"could not be rendered as SVG .*boom"):
            renderer.render(figure, fmt="svg")
    finally:
        renderer.close()


def test_input_checks(figure: go.Figure) -> None:
    renderer = images.Renderer(timeout=5, engine_factory=lambda _t: FakeEngine())
    with pytest.raises(ValueError, match="format must be one of png, svg"):
        renderer.render(figure, fmt="gif")
    with pytest.raises(ValueError, match="at least 2"):
        renderer.render(figure, scale=1)
    renderer.close()


def test_missing_browser_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(images.ExportError, match="BROWSER_PATH='/nonexistent/chromium' is not"):
        images.browser_path()
    monkeypatch.delenv("BROWSER_PATH")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(images.ExportError, match="apt-get install chromium"):
        images.browser_path()


def test_timeout_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSGEN_EXPORT_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="number of seconds"):
        images.Renderer()
    monkeypatch.setenv("CROSSGEN_EXPORT_TIMEOUT", "7.5")
    assert images.Renderer().timeout == 7.5


@pytest.mark.slow
def test_real_chromium_png_at_twice_the_size_and_svg(figure: go.Figure) -> None:
    renderer = images.Renderer(timeout=120)
    try:
        png = renderer.render(figure, fmt="png", scale=2)
        assert png_size(png) == (800, 600)  # 2 × the figure's 400 × 300
        svg = renderer.render(figure, fmt="svg")
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert (root.get("width"), root.get("height")) == ("400", "300")
        assert renderer.starts == 1
    finally:
        renderer.close()
