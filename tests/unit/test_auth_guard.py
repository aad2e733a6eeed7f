"""The sign-in guard in-process (Flask test client): cases a loopback HTTP test cannot reach."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.store import users as auth


@pytest.fixture()
def app_and_db(privacy_app: tuple[object, Path]) -> tuple[object, Path]:
    return privacy_app


def test_without_users_only_loopback_clients_get_in(app_and_db) -> None:
    app, db = app_and_db
    assert not auth.load_users(db)
    client = app.server.test_client()
    assert client.get("/_dash-layout", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code \
        == 200
    refused = client.get("/_dash-layout", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert refused.status_code == 403
    assert refused.headers["X-Frame-Options"] == "DENY"
    # a reverse proxy on this machine passes others' requests on from loopback
    for header in ({"X-Forwarded-For": "10.1.2.3"}, {"Forwarded": "for=10.1.2.3"}):
        proxied = client.get("/_dash-layout", headers=header,
                             environ_base={"REMOTE_ADDR": "127.0.0.1"})
        assert proxied.status_code == 403, header


def test_login_redirects_only_to_local_paths(app_and_db) -> None:
    app, db = app_and_db
    auth.add_user(db, "ida", role="admin", password="admin-pass-789")
    try:
        client = app.server.test_client()
        page = client.get("/login?next=//evil.example/x").get_data(as_text=True)
        assert 'name="next" value="/"' in page
        token = page.split('name="csrf" value="')[1].split('"')[0]
        done = client.post("/login", data={"name": "ida", "password": "admin-pass-789",
                                           "csrf": token, "next": "/\t/evil.example"})
        assert done.status_code == 302 and done.headers["Location"] == "/"
        cookie = done.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        auth.remove_user(db, "ida")
