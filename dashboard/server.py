"""Serve the dashboard with waitress (threaded)."""

from __future__ import annotations

import sys
from pathlib import Path

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def serve(db: Path, *, host: str = "127.0.0.1", port: int = 8050) -> int:
    from waitress import serve as waitress_serve

    from dashboard.app import create_app

    app = create_app(db)
    print(f"crossgen dashboard on http://{host}:{port}/ (database {db})", file=sys.stderr)
    waitress_serve(app.server, host=host, port=port, threads=8, _quiet=True)
    return 0
