"""Requests checked before Dash sees them; bad ones answered 400/404, every 4xx/5xx logged.

A callback body (``POST /_dash-update-component``) must have the shape of a registered server
callback: its output key, its outputs, inputs and state entry by entry (ids and properties as
registered, wildcards matched), ``changedPropIds`` as a list of strings, and values of the right
type where Dash or crossgen reads a property as one (the URL's parts are strings, clicks are
counts, a dropdown's value is text or numbers). Anything else — a client-side callback's output,
``[]``, a missing key — gets a short JSON error with status 400, so Dash's dispatcher never
fails on it. Errors of crossgen's own code still answer 500 and are logged with their type.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

import flask
from dash import Dash
from dash.exceptions import DependencyException, InvalidResourceError
from werkzeug.middleware.proxy_fix import ProxyFix

from analysis import logs

CALLBACK_PATH = "/_dash-update-component"
MAX_BODY_BYTES = 2 * 1024 * 1024  # the largest real body (every filter's options) is ~10 kB
WILDCARDS = (["MATCH"], ["ALL"], ["ALLSMALLER"])
SCALAR = str | int | float | bool
# Properties whose type Dash or crossgen relies on: a hostile value of another type is refused.
TEXT_PROPS = {"search", "hash", "href", "active_tab"}
COUNT_PROPS = {"n_clicks", "n_clicks_timestamp"}


def _text(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _count(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def _choice(value: Any) -> bool:
    def one(v: Any) -> bool:
        return isinstance(v, str | int | float) and not isinstance(v, bool)
    return value is None or one(value) or (isinstance(value, list) and all(map(one, value)))


def _path(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.startswith("/"))


VALUE_CHECKS = {**{p: _text for p in TEXT_PROPS}, **{p: _count for p in COUNT_PROPS},
                "value": _choice, "pathname": _path}


def _parse_id(text: str) -> Any:
    return json.loads(text) if text.startswith("{") else text


def _outputs_of(key: str) -> list[tuple[Any, str]]:
    """The (id, property) of each output in a callback's key (``..a.b...c.d..`` or ``a.b``)."""
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    return [(_parse_id(p.rsplit(".", 1)[0]), _bare(p.rsplit(".", 1)[1])) for p in parts]


def _bare(prop: Any) -> Any:
    # allow_duplicate outputs carry "@<hash>" after the property
    return prop.split("@", 1)[0] if isinstance(prop, str) else prop


class Shapes:
    """The registered server callbacks, as (outputs, inputs, state) specs by output key."""

    def __init__(self, app: Dash) -> None:
        self.app = app
        self._specs: dict[str, tuple[list[tuple[Any, str]], ...]] | None = None

    def specs(self) -> dict[str, tuple[list[tuple[Any, str]], ...]]:
        if self._specs is None:  # callbacks are all registered once the app serves
            self._specs = {
                key: (_outputs_of(key),
                      [(_parse_id(str(s["id"])), str(s["property"])) for s in cb["inputs"]],
                      [(_parse_id(str(s["id"])), str(s["property"])) for s in cb["state"]])
                for key, cb in self.app.callback_map.items() if callable(cb.get("callback"))
            }
        return self._specs

    def problem(self, body: Any) -> str | None:
        """Why ``body`` is not a call of a registered server callback (None when it is)."""
        if not isinstance(body, dict):
            return "the body must be a JSON object"
        key = body.get("output")
        if not isinstance(key, str):
            return "'output' must be a string"
        spec = self.specs().get(key)
        if spec is None:
            return "'output' is not a server callback of this app"
        outs, inputs, state = spec
        changed = body.get("changedPropIds")
        if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
            return "'changedPropIds' must be a list of strings"
        multi = key.startswith("..")
        outputs = body.get("outputs")
        listed = outputs if multi else [outputs]
        if not isinstance(listed, list) or len(listed) != len(outs):
            return f"'outputs' must list the callback's {len(outs)} output(s)"
        for (cid, prop), entry in zip(outs, listed, strict=True):
            why = _entry_problem(cid, prop, entry, value=False)
            if why:
                return f"'outputs': {why}"
        for name, specs, required in (("inputs", inputs, True), ("state", state, bool(state))):
            given = body.get(name, None if required else [])
            if not isinstance(given, list) or len(given) != len(specs):
                return f"'{name}' must list the callback's {len(specs)} entr(y/ies)"
            for (cid, prop), entry in zip(specs, given, strict=True):
                why = _entry_problem(cid, prop, entry, value=True)
                if why:
                    return f"'{name}': {why}"
        return None


def _entry_problem(pattern: Any, prop: str, entry: Any, *, value: bool) -> str | None:
    """An input/state/output entry: one ``{id, property[, value]}`` or, for ALL / ALLSMALLER
    wildcards, a list of them."""
    many = isinstance(pattern, dict) and any(
        v in (["ALL"], ["ALLSMALLER"]) for v in pattern.values())
    items = entry if many and isinstance(entry, list) else [entry]
    if many and not isinstance(entry, list):
        return "a wildcard entry must be a list"
    for item in items:
        if not isinstance(item, dict) or not _id_matches(pattern, item.get("id")):
            return "an entry's id does not match the callback"
        if _bare(item.get("property")) != prop:
            return "an entry's property does not match the callback"
        if value and "value" in item:
            check = VALUE_CHECKS.get(prop)
            if prop == "id" and item["value"] != item["id"]:
                return "an entry's id value differs from its id"
            if check is not None and not check(item["value"]):
                return f"the value of '{prop}' has the wrong type"
    return None


def _id_matches(pattern: Any, cid: Any) -> bool:
    if not isinstance(pattern, dict):
        return isinstance(cid, str) and cid == pattern
    if not isinstance(cid, dict) or set(cid) != set(pattern):
        return False
    return all(isinstance(cid[k], SCALAR) if v in WILDCARDS else cid[k] == v
               for k, v in pattern.items())


def refuse(status: int, message: str) -> flask.Response:
    response = flask.jsonify({"error": message})
    response.status_code = status
    return response


def check_callback(shapes: Shapes) -> flask.Response | None:
    """The 400 answer for a callback request Dash could not dispatch (None: let it through)."""
    request = flask.request
    if request.path != CALLBACK_PATH or request.method != "POST":
        return None
    if "callback_problem" not in flask.g:  # checked once, whichever hook asks first
        try:  # kept by Flask: Dash's get_json() reads the same bytes
            body = json.loads(request.get_data(cache=True))
        except ValueError:
            flask.g.callback_problem = "the body must be JSON"
        else:
            flask.g.callback_problem = shapes.problem(body)
    problem = flask.g.callback_problem
    return refuse(400, f"Bad request: {problem}.") if problem else None


def _log_response(response: flask.Response) -> flask.Response:
    # Method, route, status and time only: paths of bad requests are cut, bodies never logged.
    if response.status_code >= 400:
        request = flask.request
        started = flask.g.get("started")
        logs.event("http.response", level=logging.ERROR if response.status_code >= 500
                   else logging.WARNING, method=request.method, path=request.path[:120],
                   status=response.status_code,
                   ms=None if started is None else round((time.perf_counter() - started) * 1000))
    return response


def install(app: Dash, shapes: Shapes) -> None:
    """The callback check, 400/404 for Dash's bad-request exceptions, and the error log
    (after :func:`dashboard.auth.install`, so a stranger gets 401 before any 400)."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    if os.environ.get("CROSSGEN_BEHIND_PROXY") == "1":
        # One TLS-terminating proxy in front (README): the client's address and scheme come
        # from its X-Forwarded-* headers, and the session cookie is sent over HTTPS only.
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=1, x_proto=1,
                                   x_host=1)
        server.config["SESSION_COOKIE_SECURE"] = True

    def started() -> None:
        flask.g.started = time.perf_counter()

    server.before_request_funcs.setdefault(None, []).insert(0, started)  # before sign-in
    server.before_request(lambda: check_callback(shapes))
    server.after_request(_log_response)

    @server.errorhandler(DependencyException)
    @server.errorhandler(InvalidResourceError)
    def not_found(_exc: Exception) -> flask.Response:
        # an unknown component suite or file (e.g. ../../etc/passwd): nothing here
        return refuse(404, "Not found.")
