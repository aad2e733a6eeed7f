"""Users, roles and passwords, kept in a file beside the database.

Why a file and not a table: the dashboard holds the database open read-only, so users can be added
or removed while it runs (a removal takes effect on the next request), and copying the database
to someone does not hand them the password hashes.

Passwords: scrypt from the standard library (n=2**14, r=8, p=1, 16-byte salt), compared in
constant time. The file is written atomically with mode 0600.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROLES = ("viewer", "analyst", "admin")  # each includes what the previous one may do
NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD = 10
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
SECRET_ENV = "CROSSGEN_SECRET_KEY"


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str

    def may(self, role: str) -> bool:
        """Whether this user has ``role`` or a higher one."""
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def fingerprint(self) -> str:
        """Changes when the password or role changes: signs sessions out."""
        return hashlib.sha256(f"{self.role}|{self.password_hash}".encode()).hexdigest()[:16]


def users_file(db: Path) -> Path:
    return db.with_name(db.name + ".users.json")


def secret_file(db: Path) -> Path:
    return db.with_name(db.name + ".secret")


# -- passwords ----------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    b64 = base64.b64encode
    return (f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}$"
            f"{b64(salt).decode()}${b64(digest).decode()}")


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt),
                                n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# Spent on unknown names too, so the answer time does not tell which names exist.
_DUMMY_HASH = hash_password(secrets.token_hex(8))


# -- the users file -----------------------------------------------------------------------------

def load_users(db: Path) -> dict[str, User]:
    path = users_file(db)
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {u["name"]: User(u["name"], u["role"], u["password_hash"])
                for u in raw.get("users", [])}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not a valid users file ({exc}); fix or remove it") from exc


@contextlib.contextmanager
def _locked(db: Path) -> Iterator[None]:
    lock = db.with_name(db.name + ".users.lock")
    fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _save(db: Path, users: dict[str, User]) -> None:
    path = users_file(db)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    payload = {"users": [{"name": u.name, "role": u.role, "password_hash": u.password_hash}
                         for u in sorted(users.values(), key=lambda u: u.name)]}
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(payload, out, indent=2)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def add_user(db: Path, name: str, *, role: str, password: str) -> User:
    """Add a user, or change an existing user's role and password."""
    if not NAME.match(name):
        raise ValueError("user names use letters, digits and . _ @ - (at most 64)")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
    with _locked(db):
        users = load_users(db)
        users[name] = User(name, role, hash_password(password))
        _save(db, users)
    return users[name]


def remove_user(db: Path, name: str) -> None:
    with _locked(db):
        users = load_users(db)
        if name not in users:
            raise ValueError(f"no user named {name!r}")
        del users[name]
        _save(db, users)


def authenticate(db: Path, name: str, password: str) -> User | None:
    user = load_users(db).get(name)
    ok = verify_password(password, user.password_hash if user else _DUMMY_HASH)
    return user if ok and user is not None else None


def session_secret(db: Path) -> bytes:
    """$CROSSGEN_SECRET_KEY, else a random key generated once into a 0600 file beside the db."""
    from_env = os.environ.get(SECRET_ENV)
    if from_env:
        return from_env.encode()
    path = secret_file(db)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32))
    return path.read_bytes().strip()
