"""Static PNG/SVG of plotly figures: kaleido 1.x with the system Chromium, one browser per process.

kaleido's own ``start_sync_server``/``calc_fig_sync`` waits on a queue with no timeout, and if the
browser fails to start its server thread dies while callers keep waiting, so a broken Chromium
hangs the caller for ever. Here one :class:`kaleido.Kaleido` lives on a private event-loop thread,
is opened once (lazily) and every call waits at most ``timeout`` seconds, then raises
:class:`ExportError` with a message a user can act on.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import os
import shutil
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

import plotly.graph_objects as go

FORMATS = ("png", "svg")
MIN_SCALE = 2  # PNGs are at least twice the figure's CSS size (sharp on projectors)
DEFAULT_WIDTH = 1200
DEFAULT_HEIGHT = 675
DEFAULT_TIMEOUT = 60.0
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class ExportError(RuntimeError):
    """A chart could not be rendered; the message says why and what to do."""


class Engine(Protocol):
    """What the renderer needs from kaleido.Kaleido (a hand-written fake stands in for tests)."""

    async def open(self) -> Any: ...
    async def calc_fig(self, fig: Any, opts: dict[str, Any] | None = None) -> bytes: ...
    async def close(self) -> Any: ...


def browser_path() -> str:
    """$BROWSER_PATH (kaleido's own override), else Chromium/Chrome on PATH (Debian: chromium)."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        if not os.access(configured, os.X_OK):
            raise ExportError(f"BROWSER_PATH={configured!r} is not an executable browser.")
        return configured
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ExportError("Image export needs Chromium, which is not installed: run "
                      "`apt-get install chromium` (Debian/Ubuntu) or set BROWSER_PATH.")


def kaleido_engine(timeout: float) -> Engine:
    import kaleido

    # mathjax=False: the default fetches MathJax from a CDN, which stalls on offline servers.
    engine: Engine = kaleido.Kaleido(path=browser_path(), timeout=timeout, mathjax=False)
    return engine


def timeout_from_env() -> float:
    raw = os.environ.get("CROSSGEN_EXPORT_TIMEOUT")
    if raw is None:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"CROSSGEN_EXPORT_TIMEOUT must be a number of seconds, not {raw!r}") \
            from None
    if value <= 0:
        raise ValueError("CROSSGEN_EXPORT_TIMEOUT must be positive")
    return value


class Renderer:
    """One browser, opened on first use and reused for every figure; every wait is bounded."""

    def __init__(self, *, timeout: float | None = None,
                 engine_factory: Callable[[float], Engine] = kaleido_engine) -> None:
        self.timeout = timeout_from_env() if timeout is None else float(timeout)
        self._factory = engine_factory
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._engine: Engine | None = None
        self.starts = 0  # how many times a browser was started (tests: once per process)

    def _run(self, coro: Coroutine[Any, Any, Any], what: str) -> Any:
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout=self.timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise ExportError(f"{what} took longer than {self.timeout:g} s and was stopped. "
                              "Chromium may be missing or stuck; try again, or raise "
                              "CROSSGEN_EXPORT_TIMEOUT.") from None

    def _start(self) -> Engine:
        if self._engine is not None:
            return self._engine
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever,
                                            name="crossgen-kaleido", daemon=True)
            self._thread.start()
        engine = self._factory(self.timeout)
        try:
            self._run(engine.open(), "Starting Chromium for image export")
        except ExportError:
            self._discard(engine)
            raise
        except Exception as exc:
            raise ExportError(f"Chromium could not be started for image export "
                              f"({type(exc).__name__}: {exc}).") from exc
        self._engine = engine
        self.starts += 1
        if self.starts == 1:
            # Registered after the browser's own temp-dir finalisers, so it runs before them.
            atexit.register(self.close)
        return engine

    def render(self, fig: go.Figure | dict[str, Any], *, fmt: str = "png", scale: float = MIN_SCALE,
               width: int | None = None, height: int | None = None) -> bytes:
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        if scale < MIN_SCALE and fmt == "png":
            raise ValueError(f"PNG scale must be at least {MIN_SCALE}")
        layout = fig.layout if isinstance(fig, go.Figure) else go.Layout(fig.get("layout", {}))
        # SVG is vector: scale 1 keeps its width/height the figure's own.
        opts = {"format": fmt, "scale": scale if fmt == "png" else 1,
                "width": width or layout.width or DEFAULT_WIDTH,
                "height": height or layout.height or DEFAULT_HEIGHT}
        with self._lock:  # one tab: figures render one after another
            engine = self._start()
            try:
                data = self._run(engine.calc_fig(fig, opts=opts), f"Rendering the {fmt.upper()}")
            except ExportError:
                self._engine = None  # a stuck browser is replaced on the next call
                self._discard(engine)
                raise
            except Exception as exc:
                raise ExportError(f"The chart could not be rendered as {fmt.upper()} "
                                  f"({type(exc).__name__}: {exc}).") from exc
        if not isinstance(data, bytes | bytearray) or not data:
            raise ExportError(f"Chromium returned no {fmt.upper()} data.")
        return bytes(data)

    def _discard(self, engine: Engine) -> None:
        """Close a browser without waiting long; a failure here must not hide the first error."""
        if self._loop is None:
            return
        future = asyncio.run_coroutine_threadsafe(engine.close(), self._loop)
        try:
            future.result(timeout=min(self.timeout, 10))
        except Exception:
            future.cancel()

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._discard(self._engine)
                self._engine = None
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
            if loop is not None and thread is not None:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(timeout=10)
                if not thread.is_alive():
                    loop.close()


_shared: Renderer | None = None
_shared_lock = threading.Lock()


def renderer() -> Renderer:
    """The process's renderer (one Chromium for every export in this process)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Renderer()
        return _shared


def set_renderer(value: Renderer | None) -> Renderer | None:
    """Swap the process's renderer (tests use a fake engine); returns the previous one."""
    global _shared
    with _shared_lock:
        previous, _shared = _shared, value
    return previous


def to_image(fig: go.Figure, *, fmt: str = "png", scale: float = MIN_SCALE,
             width: int | None = None, height: int | None = None) -> bytes:
    return renderer().render(fig, fmt=fmt, scale=scale, width=width, height=height)
