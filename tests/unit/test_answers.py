"""Kept callback answers (dashboard.answers): the same bytes again, never across users, roles
or data files; a request the sign-in or the request check refuses stays refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analysis.store import users as auth
from benchmarks.dash_requests import View, callback_payloads, page_components, router, walk
from dashboard import answers, model
from dashboard.answers import Answers

PASSWORDS = {"vera": "viewer-pass-123", "vic": "viewer-pass-456", "anna": "analyst-pass-123"}


@pytest.fixture()
def served(privacy_app: tuple[object, Path]) -> tuple[object, Path]:
    return privacy_app


def _bodies(client: Any, path: str) -> list[dict[str, Any]]:
    """What a browser posts on opening ``path`` (the router, then the page's callbacks)."""
    def post(body: dict[str, Any]) -> tuple[int, bytes]:
        resp = client.post("/_dash-update-component", json=body)
        return resp.status_code, resp.data

    deps = client.get("/_dash-dependencies").get_json()
    shell: dict[str, Any] = {}
    walk(client.get("/_dash-layout").get_json(), shell)
    page = page_components(post, deps, shell, View(path=path))
    nav = router(deps)
    return [*callback_payloads(nav, shell, View(path=path), changed="_pages_location.pathname"),
            *callback_payloads([d for d in deps if d not in nav], page, View(path=path),
                               changed="url.search")]


def _sign_in(client: Any, name: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf" value="')[1].split('"')[0]
    done = client.post("/login", data={"name": name, "password": PASSWORDS[name],
                                       "csrf": token, "next": "/"})
    assert done.status_code == 302


def test_a_kept_answer_is_the_computed_one_and_takes_no_new_entry(served) -> None:
    app, _ = served
    client = app.server.test_client()
    bodies = _bodies(client, "/")
    assert any("overview" in b["output"] for b in bodies)
    first = [client.post("/_dash-update-component", json=b) for b in bodies]
    assert all(r.status_code == 200 for r in first)
    count = answers.kept()
    again = [client.post("/_dash-update-component", json=b) for b in bodies]
    assert [r.data for r in again] == [r.data for r in first]
    assert [r.mimetype for r in again] == [r.mimetype for r in first]
    assert answers.kept() == count
    # a changed body is another request: answered on its own
    other = json.loads(json.dumps(bodies[-1]))
    other["changedPropIds"] = ["something-else.value"]
    client.post("/_dash-update-component", json=other)
    assert answers.kept() == count + 1


def test_answers_are_kept_per_user_and_never_cross_roles(served) -> None:
    app, db = served
    for name, role in (("vera", "viewer"), ("vic", "viewer"), ("anna", "analyst")):
        auth.add_user(db, name, role=role, password=PASSWORDS[name])
    try:
        clients = {name: app.server.test_client() for name in PASSWORDS}
        for name, client in clients.items():
            _sign_in(client, name)
        landing = _bodies(clients["anna"], "/")
        # an analyst page's own callback, and an analyst page's chart through the callback
        # that draws every chart (the overview's, with the chart id of the Skills page's)
        drawn = next(b for b in landing if '"chart"' in b["output"])
        forged = json.loads(json.dumps(drawn).replace(
            json.dumps(drawn["state"][0]["id"]["chart"]), '"skills-change"'))
        assert "skills-change" in json.dumps(forged)
        own = [forged, *(b for b in _bodies(clients["anna"], "/skills")
                         if "skills-" in json.dumps(b))]
        for body in own:  # kept for the analyst ...
            assert clients["anna"].post("/_dash-update-component", json=body).status_code == 200
        for body in own:  # ... and still refused to a viewer
            refused = clients["vera"].post("/_dash-update-component", json=body)
            assert refused.status_code == 403, body["output"]
            assert b"figure" not in refused.data
        # an analyst page's chart is not drawn for a viewer as a download either
        assert clients["vera"].get("/download/figure/skills-change.png").status_code == 403
        assert clients["vera"].get("/download/figure/no-such-chart.png").status_code == 404
        before = answers.kept()
        for name in ("vera", "vic", "anna"):
            for body in landing:
                assert clients[name].post("/_dash-update-component",
                                          json=body).status_code == 200
        # one entry per user for each landing callback: no one is sent another's answer
        assert answers.kept() - before >= 2 * len(landing)
        # signed out: the same body is refused, kept answers or not
        stranger = app.server.test_client()
        assert stranger.post("/_dash-update-component", json=landing[0],
                             headers={"Accept": "application/json"}).status_code == 401
        # a malformed body is refused before any look-up
        broken = dict(landing[0], outputs="x")
        assert clients["anna"].post("/_dash-update-component", json=broken).status_code == 400
    finally:
        for name in PASSWORDS:
            auth.remove_user(db, name)


def test_another_data_file_means_answers_are_made_again(served) -> None:
    app, db = served
    client = app.server.test_client()
    body = _bodies(client, "/")[-1]
    client.post("/_dash-update-component", json=body)
    epoch = model.epoch()
    model.configure(db, warm=False)  # as an import's swap does: the file is opened anew
    assert model.epoch() != epoch
    again = client.post("/_dash-update-component", json=body)
    assert again.status_code == 200
    assert answers.kept() == 1  # the old epoch's answers went with the first new one


def test_the_lru_is_bounded_by_bytes_and_forgets_an_old_epoch() -> None:
    kept = Answers(max_bytes=100)
    kept.put((1, "local", b"a"), "application/json", b"x" * 60)
    kept.put((1, "local", b"b"), "application/json", b"y" * 30)
    assert kept.get((1, "local", b"a")) is not None  # now the most recent
    kept.put((1, "local", b"c"), "application/json", b"z" * 30)  # 120 bytes: "b" goes
    assert kept.get((1, "local", b"b")) is None
    assert kept.get((1, "local", b"a")) == ("application/json", b"x" * 60)
    assert kept.get((1, "user:vera|f", b"a")) is None  # another scope is another key
    kept.put((2, "local", b"a"), "application/json", b"n")
    assert len(kept) == 1 and kept.get((1, "local", b"a")) is None
