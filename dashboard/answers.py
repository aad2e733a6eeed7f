"""Callback answers kept per data epoch, user and request body.

Most callback requests repeat one already answered: the landing views, a page someone opened
before, the download and navigation links of a filter state. Kept answers are sent back as the
bytes Dash sent the first time, without touching pandas, DuckDB or plotly, so the cores are
left for the requests that need a computation.

* **Same data**: the key holds the data epoch (:func:`dashboard.model.epoch`, a new one each
  time an import's file is opened); an answer made while the epoch changed is not kept, and
  all are forgotten when it changes. A kept answer is therefore wholly from the data before an
  import or wholly from the data after it, as a computed one is.
* **Same person**: the key holds the signed-in user (name and password fingerprint) or, with
  no users configured, the local client: an answer never goes to another user or role. The
  look-up runs after sign-in, the role checks and the request check, so a request those refuse
  is refused as before.
* **Bounded**: least recently used answers go first beyond ``MAX_BYTES`` (bodies included);
  only complete answers (status 200) are kept, never one whose callback logged an error.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import flask

from dashboard import model
from dashboard.guard import CALLBACK_PATH

MAX_BYTES = 64 * 1024 * 1024
MAX_ANSWER_BYTES = 2 * 1024 * 1024  # a larger answer is rare and cheap to recompute by ratio

Key = tuple[int, str, bytes]


class Answers:
    """A byte-bounded LRU of (mimetype, body) by key, for request threads at once."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Key, tuple[str, bytes]] = OrderedDict()
        self._bytes = 0
        self._epoch: int | None = None
        self._lock = threading.Lock()

    def get(self, key: Key) -> tuple[str, bytes] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Key, mimetype: str, body: bytes) -> None:
        with self._lock:
            if key[0] != self._epoch:  # new data: the old answers go
                self._items.clear()
                self._bytes = 0
                self._epoch = key[0]
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1])
            self._items[key] = (mimetype, body)
            self._bytes += len(body)
            while self._bytes > self.max_bytes and self._items:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)


_answers = Answers(MAX_BYTES)


def _scope() -> str:
    user = flask.g.get("user")
    if user is None:  # no users configured: the loopback client (auth refuses the rest)
        return "local"
    return f"user:{user.name}|{user.fingerprint}"


def do_not_keep() -> None:
    """Called by a callback that answered with an error message: the next request tries again."""
    if flask.has_request_context():
        flask.g.answer_key = None


def lookup() -> flask.Response | None:
    request = flask.request
    if request.path != CALLBACK_PATH or request.method != "POST":
        return None
    body = request.get_data(cache=True)
    key: Key = (model.epoch(), _scope(), hashlib.sha256(body).digest())
    found = _answers.get(key)
    if found is not None:
        flask.g.answer_key = None  # sent from here: nothing to keep
        return flask.Response(found[1], status=200, mimetype=found[0])
    flask.g.answer_key = key
    return None


def keep(response: flask.Response) -> flask.Response:
    key = flask.g.get("answer_key")
    if (key is not None and response.status_code == 200 and not response.direct_passthrough
            and key[0] == model.epoch()):  # not across an import's swap
        body = response.get_data()
        if len(body) <= MAX_ANSWER_BYTES:
            _answers.put(key, response.mimetype or "application/json", body)
    return response


def install(server: flask.Flask) -> None:
    """After :func:`dashboard.guard.install`: looked up once a request is allowed and checked."""
    server.before_request(lookup)
    server.after_request(keep)


def clear() -> None:
    _answers.clear()


def kept() -> int:
    return len(_answers)
