"""Sign-in and roles over real HTTP: `crossgen serve` in a child process, on loopback only."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.store import users as auth
from tests.conftest import free_port, run_cli
from tests.privacy_db import build_privacy_db, start_server

PASSWORDS = {"vera": "viewer-pass-123", "anna": "analyst-pass-123"}


class Client:
    """A cookie-keeping HTTP client that does not follow redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path: str, *, data: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode()

    def sign_in(self, name: str, password: str) -> int:
        _status, _headers, page = self.request("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token, page
        form = urllib.parse.urlencode({"name": name, "password": password,
                                       "csrf": token.group(1), "next": "/"}).encode()
        status, _headers, _body = self.request("/login", data=form)
        return status

    def callback(self, body: dict[str, object]) -> int:
        status, _h, _b = self.request(
            "/_dash-update-component", data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"})
        return status


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    db = build_privacy_db(tmp_path_factory.mktemp("access") / "access.duckdb")
    for name, role in (("vera", "viewer"), ("anna", "analyst")):
        done = run_cli("users", "add", name, "--role", role, "--db", str(db),
                       stdin=PASSWORDS[name] + "\n")
        assert done.returncode == 0, done.stderr
    proc, base = start_server(db)
    yield base, db
    proc.terminate()
    proc.wait(timeout=10)


def _pages_body(pathname: str, search: str = "") -> dict[str, object]:
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}


def _comments_body(search: str = "") -> dict[str, object]:
    return {"output": "comments-panel.children",
            "outputs": {"id": "comments-panel", "property": "children"},
            "inputs": [{"id": "url", "property": "search", "value": search}],
            "changedPropIds": ["url.search"], "state": []}


ROUTES = ["/", "/comments", "/some/unknown/page", "/_dash-layout", "/_dash-dependencies",
          "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js", "/_favicon.ico",
          "/download/overview.png", "/?cohort=C1"]


def test_unauthenticated_requests_are_refused(secured) -> None:
    base, _db = secured
    client = Client(base)
    for path in ROUTES:
        status, headers, _body = client.request(path)
        if path.startswith(("/_dash-", "/download")):
            assert status == 401, path
        else:
            assert status in (302, 303), path
            assert headers["Location"].startswith("/login?next="), path
    assert client.request("/assets/bootstrap.min.css")[0] == 200  # the login page's styling
    status, _h, body = client.request("/", headers={"Accept": "application/json"})
    assert status == 401 and "Sign in" in body
    assert client.callback(_pages_body("/")) == 401
    assert client.callback(_comments_body()) == 401


def test_wrong_password_and_forged_form_are_refused(secured) -> None:
    base, _db = secured
    assert Client(base).sign_in("vera", "not-her-password") == 401
    assert Client(base).sign_in("nobody", "whatever-it-is") == 401
    form = urllib.parse.urlencode({"name": "vera", "password": PASSWORDS["vera"],
                                   "csrf": "forged"}).encode()
    status, _h, _b = Client(base).request("/login", data=form)
    assert status == 400


def test_viewer_sees_overview_but_not_analyst_pages_or_slices(secured) -> None:
    base, _db = secured
    vera = Client(base)
    assert vera.sign_in("vera", PASSWORDS["vera"]) in (302, 303)
    assert vera.request("/")[0] == 200
    status, _h, layout = vera.request("/_dash-layout")
    assert status == 200 and "u002fcomments" not in layout  # the link is not even offered
    assert vera.callback(_pages_body("/")) == 200
    # Refused on the server, not only hidden: the page, its router call, its callback, slices.
    assert vera.request("/comments")[0] == 403
    assert vera.callback(_pages_body("/comments")) == 403
    assert vera.callback(_comments_body()) == 403
    assert vera.callback(_pages_body("/", "?generation=Boomers")) == 403
    assert vera.request("/?department=Finance")[0] == 403


def test_analyst_may_use_every_page_and_sign_out(secured) -> None:
    base, _db = secured
    anna = Client(base)
    assert anna.sign_in("anna", PASSWORDS["anna"]) in (302, 303)
    assert anna.request("/comments")[0] == 200
    assert "u002fcomments" in anna.request("/_dash-layout")[2]
    assert anna.callback(_comments_body("?cohort=C1")) == 200
    assert anna.callback(_pages_body("/", "?generation=Boomers")) == 200
    _status, _h, page = anna.request("/")
    token = re.search(r"name=csrf value='([^']+)'", page)
    assert token and "anna (analyst)" in page
    anna.request("/logout", data=urllib.parse.urlencode({"csrf": token.group(1)}).encode())
    assert anna.request("/_dash-layout")[0] == 401


def test_removed_user_is_signed_out_at_once(secured) -> None:
    base, db = secured
    done = run_cli("users", "add", "temp", "--role", "analyst", "--db", str(db),
                   stdin="temporary-pass-1\n")
    assert done.returncode == 0, done.stderr
    temp = Client(base)
    assert temp.sign_in("temp", "temporary-pass-1") in (302, 303)
    assert temp.request("/_dash-layout")[0] == 200
    assert run_cli("users", "remove", "temp", "--db", str(db)).returncode == 0
    assert temp.request("/_dash-layout")[0] == 401


def test_users_cli_stores_only_a_scrypt_hash(secured) -> None:
    _base, db = secured
    listed = run_cli("users", "list", "--db", str(db))
    assert listed.returncode == 0
    assert "vera\tviewer" in listed.stdout and "anna\tanalyst" in listed.stdout
    stored = auth.users_file(db).read_text()
    assert PASSWORDS["vera"] not in stored and "scrypt$" in stored
    assert auth.users_file(db).stat().st_mode & 0o777 == 0o600
    assert auth.secret_file(db).stat().st_mode & 0o777 == 0o600
    short = run_cli("users", "add", "x", "--role", "viewer", "--db", str(db), stdin="short\n")
    assert short.returncode == 2 and "at least" in short.stderr


def test_serve_refuses_other_hosts_without_users(tmp_path: Path) -> None:
    db = build_privacy_db(tmp_path / "open.duckdb")
    done = run_cli("serve", "--db", str(db), "--host", "0.0.0.0", "--port", str(free_port()),
                   timeout=60)
    assert done.returncode != 0
    assert "refusing to serve on 0.0.0.0: no users are configured" in done.stderr
    assert "crossgen users add" in done.stderr
