"""The request guard in-process: shapes refused with 400, a real bug still 500 and logged.

A small Dash app with one callback of its own (its bug: dividing by zero on "boom") behind the
same hooks ``create_app`` installs (``dashboard.health.register``, ``dashboard.guard.install``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import flask
import pytest
from dash import Dash, Input, Output, dcc, html

from analysis import logs
from analysis.store.filters import Filters
from dashboard import guard, health


class Lines(logging.Handler):
    """Keeps each crossgen log event's name and fields."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.events: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.events.append({"event": record.getMessage(), **getattr(record, "fields", {})})


@pytest.fixture()
def lines() -> Iterator[Lines]:
    handler = Lines()
    level = logs.LOGGER.level
    logs.LOGGER.addHandler(handler)
    logs.LOGGER.setLevel(logging.INFO)
    yield handler
    logs.LOGGER.removeHandler(handler)
    logs.LOGGER.setLevel(level)


@pytest.fixture(scope="module")
def client() -> flask.testing.FlaskClient:
    app = Dash(__name__, server=flask.Flask("guard-test"))
    app.layout = html.Div([dcc.Input(id="numerator"), html.Div(id="ratio")])

    @app.callback(Output("ratio", "children"), Input("numerator", "value"))
    def ratio(value: str | None) -> str:
        return str(1 / 0) if value == "boom" else f"got {value}"

    health.register(app.server)
    guard.install(app, guard.Shapes(app))
    return app.server.test_client()


def body(value: object) -> dict[str, object]:
    return {"output": "ratio.children", "outputs": {"id": "ratio", "property": "children"},
            "inputs": [{"id": "numerator", "property": "value", "value": value}],
            "changedPropIds": ["numerator.value"]}


def test_a_registered_callback_answers(client) -> None:
    resp = client.post("/_dash-update-component", json=body("7"))
    assert resp.status_code == 200
    assert json.loads(resp.data)["response"]["ratio"]["children"] == "got 7"


@pytest.mark.parametrize("bad", [
    [], None, "x", 1, {}, {**body("1"), "output": "nope.children"},
    {k: v for k, v in body("1").items() if k != "inputs"},
    {k: v for k, v in body("1").items() if k != "changedPropIds"},
    {**body("1"), "inputs": {"id": "numerator"}}, {**body("1"), "outputs": "ratio"},
    {**body("1"), "inputs": [{"id": "other", "property": "value", "value": 1}]},
    {**body("1"), "inputs": [{"id": "numerator", "property": "title", "value": 1}]},
    body({"an": "object"}), body([None]), body(True),
])
def test_malformed_bodies_get_400_with_a_json_error(client, lines: Lines, bad: object) -> None:
    resp = client.post("/_dash-update-component", data=json.dumps(bad),
                       content_type="application/json")
    assert resp.status_code == 400
    assert json.loads(resp.data)["error"].startswith("Bad request:")
    logged = [e for e in lines.events if e["event"] == "http.response"]
    assert logged == [{"event": "http.response", "method": "POST",
                       "path": "/_dash-update-component", "status": 400,
                       "ms": logged[0]["ms"]}]  # no body, no values


def test_a_bug_in_our_code_still_answers_500_and_is_logged_with_its_type(
        client, lines: Lines) -> None:
    resp = client.post("/_dash-update-component", json=body("boom"))
    assert resp.status_code == 500
    assert b"ZeroDivisionError" not in resp.data and b"Traceback" not in resp.data
    errors = [e for e in lines.events if e["event"] == "http.error"]
    assert errors and errors[0]["error"] == "ZeroDivisionError"
    assert any(e["event"] == "http.response" and e["status"] == 500 for e in lines.events)
    assert "boom" not in json.dumps(lines.events)


def test_unknown_component_suites_are_404_not_500(client) -> None:
    for path in ("/_dash-component-suites/../../etc/passwd",
                 "/_dash-component-suites/dash/../../etc/passwd",
                 "/_dash-component-suites/nope/x.js"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("search", [1, [], {"cohort": "C1"}, True, None, b"?role=mentor"])
def test_filters_from_a_non_string_are_no_filters(search: object) -> None:
    assert Filters.from_query(search) == Filters()


def test_filters_ignore_what_they_do_not_know() -> None:
    got = Filters.from_query("?role=ceo&cohort=C1&cohort=C2&generation=Gen%20Z&generation="
                             "Gen%20Z&level=%00&zz=1")
    assert got == Filters(cohort="C1", generation=("Gen Z",), level=("\x00",))
    assert Filters.from_mapping({"role": ["mentor"], "cohort": 3, "generation": [1, "Boomers",
                                 None], "department": "Sales"}) == Filters(
        generation=("Boomers",), department=("Sales",))


def test_behind_a_proxy_the_client_and_scheme_come_from_its_headers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSGEN_BEHIND_PROXY", "1")
    app = Dash(__name__, server=flask.Flask("proxy-test"))
    app.layout = html.Div()
    app.server.add_url_rule("/whoami", "whoami", lambda: f"{flask.request.remote_addr} "
                            f"{flask.request.scheme}")
    guard.install(app, guard.Shapes(app))
    got = app.server.test_client().get("/whoami", headers={
        "X-Forwarded-For": "10.1.2.3", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert got.get_data(as_text=True) == "10.1.2.3 https"
    assert app.server.config["SESSION_COOKIE_SECURE"] is True
