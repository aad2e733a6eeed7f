"""Sign-in and roles for the dashboard: ``install(app, db)`` from ``create_app``.

No users configured (``crossgen users add`` never run): the dashboard is open, as `make run`
expects, but only to loopback clients (``crossgen serve`` also refuses other addresses then).
With users: everything except /login, /logout, /healthz and /assets/ needs a signed-in session;
pages get a redirect to /login, XHR/JSON calls a 401. Roles are checked on the server for every
page and every Dash callback: a page declares its lowest role with
``dash.register_page(..., min_role="viewer")`` (default: "viewer" for "/", "analyst" otherwise); a
callback needs the highest role of the pages its outputs, inputs and state live on. Viewers may
not slice (generation, department, level, role in the URL).
"""

from __future__ import annotations

import html
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dash
from dash import Dash
from flask import Response, g, has_request_context, jsonify, redirect, request, session

from analysis.store import users as auth
from analysis.store.filters import Filters
from dashboard import guard as shape_guard
from dashboard.signins import FailedSignins

OPEN_PATHS = {"/login", "/logout", "/healthz"}
FIGURE_ENDPOINT = "crossgen_figure"  # dashboard.exports: /download/figure/<chart_id>.<fmt>
OPEN_PREFIXES = ("/assets/",)  # static styling of the login page; holds no data
SAFE_NEXT = re.compile(r"/[A-Za-z0-9_\-./?=&%+~,]*")
HEADERS = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "same-origin"}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
SLICING = ("generation", "department", "level", "role")



def _page_role(page: dict[str, Any]) -> str:
    return str(page.get("min_role") or ("viewer" if page.get("path") == "/" else "analyst"))


def may_see(page: dict[str, Any]) -> bool:
    """Whether the signed-in user's role may open ``page`` (True without sign-in: local mode)."""
    user = getattr(g, "user", None) if has_request_context() else None
    return user is None or bool(user.may(_page_role(page)))


def _ids(component: Any, out: set[str]) -> set[str]:
    """Every component id in a layout tree (dict ids by their "type")."""
    if isinstance(component, list | tuple):
        for child in component:
            _ids(child, out)
        return out
    cid = getattr(component, "id", None)
    if cid is not None:
        out.add(_id_key(cid))
    for attr in ("children",):
        child = getattr(component, attr, None)
        if child is not None and not isinstance(child, str | int | float):
            _ids(child, out)
    return out


def _id_key(cid: Any) -> str:
    """What a component's role is looked up by: its id, a pattern id's "type" — and its
    chart, since one callback draws every page's charts (a viewer may not draw an analyst
    page's chart through the one on the overview)."""
    if not isinstance(cid, dict):
        return str(cid)
    kind = str(cid.get("type"))
    return f"{kind}/{cid['chart']}" if "chart" in cid else kind


def _layout_of(page: dict[str, Any]) -> Any:
    layout = page.get("layout")
    try:
        return layout() if callable(layout) else layout
    except Exception:  # a page that cannot lay out without a request: its ids stay "analyst"
        return None


class _Policy:
    """Which role each page path and each component id needs (built on first use)."""

    def __init__(self, app: Dash) -> None:
        self.app = app
        self._by_id: dict[str, str] | None = None

    def page_role(self, path: str) -> str | None:
        for page in dash.page_registry.values():
            if page.get("path") == path or page.get("relative_path") == path:
                return _page_role(page)
        return None

    def chart_role(self, chart: str) -> str | None:
        """The role of the page a registered chart is on (None: no such chart, a 404)."""
        from dashboard.charts import CHARTS

        found = CHARTS.get(chart)
        return None if found is None else self.page_role(found.page) or "analyst"

    def id_roles(self) -> dict[str, str]:
        if self._by_id is None:
            by_id: dict[str, str] = {}
            for page in dash.page_registry.values():
                role = _page_role(page)
                for cid in _ids(_layout_of(page), set()):
                    if cid not in by_id or auth.ROLES.index(role) < auth.ROLES.index(by_id[cid]):
                        by_id[cid] = role
            layout = self.app.layout() if callable(self.app.layout) else self.app.layout
            for cid in _ids(layout, set()):
                by_id[cid] = "viewer"  # the shell: navigation, filter bar, page router
            self._by_id = by_id
        return self._by_id

    def callback_role(self, body: dict[str, Any]) -> str:
        """The highest role of the pages the callback's outputs, inputs and state live on (an
        analyst page's control may not drive even a shell output, such as the URL)."""
        outputs = body.get("outputs")
        outputs = outputs if isinstance(outputs, list) else [outputs]
        roles = self.id_roles()
        needed = "viewer"
        for output in [*outputs, *body.get("inputs", []), *body.get("state", [])]:
            entries = output if isinstance(output, list) else [output]
            for entry in entries:
                cid = entry.get("id") if isinstance(entry, dict) else None
                role = roles.get(_id_key(cid), "analyst")  # unknown ids: not for viewers
                if auth.ROLES.index(role) > auth.ROLES.index(needed):
                    needed = role
        for item in body.get("inputs", []) + body.get("state", []):
            for entry in item if isinstance(item, list) else [item]:
                if not isinstance(entry, dict):
                    continue
                if entry.get("property") == "pathname" and isinstance(entry.get("value"), str):
                    role = self.page_role(entry["value"]) or "viewer"
                    if auth.ROLES.index(role) > auth.ROLES.index(needed):
                        needed = role
                if entry.get("property") == "search" and _slices(entry.get("value")):
                    needed = max(needed, "analyst", key=auth.ROLES.index)
        return needed


def _slices(search: object) -> bool:
    if not isinstance(search, str):
        return False
    filters = Filters.from_query(search)
    return any(getattr(filters, name) for name in SLICING)


def _wants_json() -> bool:
    return (request.path.startswith(("/_dash-", "/download"))
            or request.method != "GET"
            or request.headers.get("X-Requested-With") == "XMLHttpRequest"
            or "application/json" in request.headers.get("Accept", ""))


def _refuse(status: int, message: str) -> Response:
    if _wants_json():
        response = jsonify({"error": message})
    else:
        response = Response(_page("crossgen", f"<p>{html.escape(message)}</p>"
                                  '<p><a href="/">Back to the overview</a></p>'),
                            mimetype="text/html")
    response.status_code = status
    return response


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}"
            "</title><link rel=stylesheet href=/assets/bootstrap.min.css></head>"
            f"<body class='container py-5' style='max-width:28rem'>{body}</body></html>")


def _safe_next(target: str | None) -> str:
    """Only same-site paths: no scheme, host, backslash or control characters (open redirects)."""
    if not target or not SAFE_NEXT.fullmatch(target) or target.startswith("//"):
        return "/"
    return target


def _csrf() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return str(session["csrf"])


def _login_form(error: str = "", next_url: str = "/") -> str:
    note = f"<div class='alert alert-danger'>{html.escape(error)}</div>" if error else ""
    return _page("Sign in — crossgen", f"""
      <h1 class="h4 mb-3">Sign in to crossgen</h1>{note}
      <form method="post" action="/login">
        <input type="hidden" name="csrf" value="{html.escape(_csrf())}">
        <input type="hidden" name="next" value="{html.escape(_safe_next(next_url))}">
        <label class="form-label" for="name">Name</label>
        <input class="form-control mb-2" id="name" name="name" autocomplete="username" required>
        <label class="form-label" for="password">Password</label>
        <input class="form-control mb-3" id="password" name="password" type="password"
               autocomplete="current-password" required>
        <button class="btn btn-primary" type="submit">Sign in</button>
      </form>""")


def install(app: Dash, db: Path, shapes: shape_guard.Shapes) -> None:
    """Sign-in, sign-out and the role checks, on the Flask server under the Dash app; a
    callback body is checked against ``shapes`` before its role is worked out."""
    server = app.server
    server.secret_key = auth.session_secret(db)
    server.config.update(SESSION_COOKIE_NAME="crossgen_session", SESSION_COOKIE_HTTPONLY=True,
                         SESSION_COOKIE_SAMESITE="Lax", PERMANENT_SESSION_LIFETIME=12 * 3600)
    policy = _Policy(app)
    failures = FailedSignins(db)  # shared by the server's processes

    def current_user() -> auth.User | None:
        user = auth.load_users(db).get(str(session.get("user", "")))
        if user is None or session.get("fp") != user.fingerprint:
            return None
        return user

    @server.before_request
    def guard() -> Any:
        users = auth.load_users(db)
        g.user = None
        if not users:  # local mode: open, to this machine only
            # A reverse proxy on this machine connects from loopback on others' behalf.
            proxied = any(h in request.headers for h in ("X-Forwarded-For", "Forwarded"))
            if request.remote_addr not in LOOPBACK or proxied:
                return _refuse(403, "No users are configured; only local access is allowed.")
            return None
        if request.path in OPEN_PATHS or request.path.startswith(OPEN_PREFIXES):
            return None
        user = current_user()
        if user is None:
            if _wants_json():
                return _refuse(401, "Sign in required.")
            target = request.full_path if request.query_string else request.path
            return redirect("/login?next=" + quote(target, safe=""))
        g.user = user
        if request.path == "/_dash-update-component":
            bad = shape_guard.check_callback(shapes)
            if bad is not None:
                return bad
            if not user.may(policy.callback_role(request.get_json())):
                return _refuse(403, "Your role may not use this view.")
            return None
        if not user.may("analyst") and request.args and any(k in request.args for k in SLICING):
            return _refuse(403, "Your role may not slice by generation, department, level or "
                                "role.")
        role = policy.page_role(request.path)
        if role is not None and not user.may(role):
            return _refuse(403, "Your role may not open this page.")
        chart = request.view_args.get("chart_id") if request.view_args else None
        if request.endpoint == FIGURE_ENDPOINT and isinstance(chart, str):
            role = policy.chart_role(chart)
            if role is not None and not user.may(role):
                return _refuse(403, "Your role may not open this chart's page.")
        return None

    @server.after_request
    def headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @server.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if request.method == "GET":
            return _login_form(next_url=request.args.get("next", "/"))
        form = request.form
        next_url = _safe_next(form.get("next"))
        if not secrets.compare_digest(str(form.get("csrf", "")), str(session.get("csrf", ""))):
            return _login_form("Your sign-in form expired; please try again.", next_url), 400
        key = (str(request.remote_addr), str(form.get("name", "")))
        if failures.too_many(*key):
            return _login_form("Too many attempts; wait a few minutes.", next_url), 429
        user = auth.authenticate(db, form.get("name", ""), form.get("password", ""))
        if user is None:
            failures.failed(*key)
            return _login_form("Wrong name or password.", next_url), 401
        failures.succeeded(*key)
        session.clear()
        session.permanent = True
        session.update(user=user.name, fp=user.fingerprint, csrf=secrets.token_urlsafe(24))
        return redirect(next_url)

    @server.route("/logout", methods=["GET", "POST"])
    def logout() -> Any:
        if request.method == "POST":
            if secrets.compare_digest(str(request.form.get("csrf", "")),
                                      str(session.get("csrf", ""))):
                session.clear()
            return redirect("/login")
        return _page("Sign out — crossgen", f"""
          <form method="post" action="/logout">
            <input type="hidden" name="csrf" value="{html.escape(_csrf())}">
            <button class="btn btn-secondary" type="submit">Sign out</button>
          </form>""")

    original = app.interpolate_index

    def interpolate_index(**kwargs: Any) -> str:
        page = original(**kwargs)
        user = getattr(g, "user", None)
        if user is None:
            return page
        bar = (f"<form method=post action=/logout class='small text-light' id=signout "
               "style='position:fixed;top:.6rem;right:1rem;z-index:2000'>"
               f"{html.escape(user.name)} ({html.escape(user.role)}) "
               f"<input type=hidden name=csrf value='{html.escape(_csrf())}'>"
               "<button class='btn btn-sm btn-outline-light' type=submit>Sign out</button>"
               "</form>")
        return page.replace("</body>", bar + "</body>", 1)

    app.interpolate_index = interpolate_index  # type: ignore[method-assign,assignment]
