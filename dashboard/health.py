"""``/healthz`` for probes and load balancers, and JSON-line logs of server errors.

The health answer needs no sign-in and reads only the schema version and the number of imports
(an audit count) — never a row of people's data.
"""

from __future__ import annotations

import logging
from typing import Any

import flask

from analysis import logs
from dashboard import model

HEALTH_PATH = "/healthz"


_answer: tuple[object, dict[str, Any]] | None = None  # (store, answer): fixed per data file


def healthz() -> tuple[dict[str, Any], int]:
    global _answer
    try:
        db = model.store()
        known = _answer
        if known is not None and known[0] is db:  # the file's numbers: read once per file
            return known[1], 200
        schema = db.scalar("select max(version) from schema_version")
        imports = db.scalar("select count(*) from imports")
    except Exception as exc:  # a probe must get an answer, not a traceback
        logs.event("health.failed", level=logging.ERROR, error=type(exc).__name__)
        return {"status": "error"}, 503
    answer = {"status": "ok", "schema": int(schema), "imports": int(imports)}
    _answer = (db, answer)
    return answer, 200


def _log_exception(sender: flask.Flask, exception: BaseException, **_: Any) -> None:
    # Type and route only: an exception's message can quote a value from the data.
    request = flask.request
    logs.event("http.error", level=logging.ERROR, method=request.method, path=request.path,
               error=type(exception).__name__)


def register(server: flask.Flask) -> None:
    """Health route, reload-on-swap before each request, and error logging on the Flask server."""
    server.add_url_rule(HEALTH_PATH, "healthz", healthz, methods=["GET"])
    server.before_request(model.refresh)
    flask.got_request_exception.connect(_log_exception, server)
