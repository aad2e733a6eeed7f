"""Build the Dash app: navigation, the global filter bar, and the pages (Dash Pages)."""

from __future__ import annotations

from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import flask
from dash import Dash, Input, Output, State, dcc, html

from dashboard import answers, auth, guard, health, ids, model, theme

ASSETS = Path(__file__).parent / "assets"
PAGES = Path(__file__).parent / "pages"


def _navbar() -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], active="partial"
                                if page["relative_path"] != "/" else "exact",
                                id=ids.nav_id(page["relative_path"])))
        for page in dash.page_registry.values() if auth.may_see(page)
    ]
    # Below the lg breakpoint the links fold behind a menu button: on a phone the page's own
    # question comes first, not a screen of navigation.
    return dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand("crossgen", href="/", className="fw-bold"),
            dbc.NavbarToggler(id=NAV_TOGGLE, n_clicks=0),
            dbc.Collapse(dbc.Nav(links, navbar=True, className="ms-auto"), id=NAV_COLLAPSE,
                         is_open=False, navbar=True),
        ], fluid=True),
        color="dark", dark=True, expand="lg", className="mb-2",
    )


NAV_TOGGLE, NAV_COLLAPSE = "nav-toggle", "nav-collapse"
# Scripts Dash fetches only once a page's components ask for them, one after the other
# (dropdown, then graph, then plotly.js): fetched with the page's own scripts instead.
PLOTLY_JS_PATH = "plotly/package_data/plotly.min.js"
LAZY_SCRIPTS = ("dash/dcc/async-dropdown.js", "dash/dcc/async-graph.js", PLOTLY_JS_PATH)
# plotly.js's official cartesian bundle (scatter, bar, heatmap, box, histogram, ...: every
# trace the charts draw; 1.5 MB instead of the full 4.8 MB), the version plotly ships: served
# where Dash's graph fetches plotly.js, so pages without a chart never run it (`make plotly-js`).
PLOTLY_JS = Path(__file__).parent / "plotlyjs" / "plotly-cartesian.min.js"


def _serve_plotly_js(app: Dash) -> None:
    """plotly.js for Dash's graphs: the cartesian bundle at the URL of plotly's full one (a
    rule without variables, so it comes before Dash's for every component script). Checked
    again on each load (ETag, 304): the URL stays the same across versions."""
    def plotly_js() -> flask.Response:
        return flask.send_file(PLOTLY_JS, mimetype="text/javascript", conditional=True,
                               etag=True, max_age=0)

    url = f"{app.config.routes_pathname_prefix}_dash-component-suites/{PLOTLY_JS_PATH}"
    app.server.add_url_rule(url, "crossgen_plotly_js", plotly_js)


def _preloads(prefix: str) -> str:
    return "\n".join(f'<link rel="preload" as="script" href="{prefix}_dash-component-suites/'
                     f'{path}">' for path in LAZY_SCRIPTS)

def create_app(db: Path) -> Dash:
    model.configure(db)
    theme.register()
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PAGES),
        assets_folder=str(ASSETS),
        title="crossgen",
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1).replace(
        "{%css%}", "{%css%}\n" + _preloads(str(app.config.requests_pathname_prefix)), 1)
    app.clientside_callback(
        "function (n, open) { return n ? !open : open; }",
        Output(NAV_COLLAPSE, "is_open"), Input(NAV_TOGGLE, "n_clicks"),
        State(NAV_COLLAPSE, "is_open"), prevent_initial_call=True)
    health.register(app.server)  # /healthz, reload after an import's swap, error logs
    from dashboard import components, filterbar  # noqa: F401  (register the global callbacks)

    app.layout = lambda: html.Div([
        # refresh=False: the filter bar's URL change reaches only this Location, so the Pages
        # router does not re-render the page (which would fire every callback a second time).
        dcc.Location(id=ids.URL, refresh=False),
        _navbar(),
        dbc.Container([filterbar.layout(), dash.page_container], fluid=True,
                      className="page-body"),
    ])
    from dashboard import exports

    exports.register(app)  # PNG/SVG/PPTX download routes
    _serve_plotly_js(app)
    shapes = guard.Shapes(app)
    auth.install(app, db, shapes)  # sign-in and roles (no-op opening when no users are configured)
    guard.install(app, shapes)  # malformed callback bodies -> 400; 4xx/5xx logged
    answers.install(app.server)  # then answers already given, per data epoch and user
    return app
