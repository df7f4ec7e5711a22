"""Server-side state that is not the legal corpus: users, API keys, browser sessions, review
metadata and the audit log — one SQLite file, `$LEGALKB_HOME/api.sqlite3`.

Uploaded drafts and their reports live in `$LEGALKB_HOME/reviews/<random id>/` under fixed file
names: a user-supplied file name is kept only as a display string, never as a path. Nothing in
here is ever written to the search index.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROLES = ("viewer", "reviewer", "admin")
ROLE_RANK = {r: i for i, r in enumerate(ROLES)}

KEY_PREFIX = "lkb"
# scrypt parameters: a key is 256 random bits, so the KDF guards a leaked database rather than
# weak secrets; n=2**14 costs ~30 ms, and verified keys are cached in memory (see auth.py).
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
    created TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
    salt BLOB NOT NULL, hash BLOB NOT NULL, label TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL, last_used TEXT, revoked TEXT);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
    key_id TEXT, created TEXT NOT NULL, expires TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reviews (
    id TEXT PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES users(id), filename TEXT NOT NULL,
    suffix TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, created TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '', findings INTEGER NOT NULL DEFAULT 0, as_of TEXT);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY, ts TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '{}', ip TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS reviews_owner ON reviews(owner_id, created);
"""


class StoreError(Exception):
    """A user-facing problem with a store operation (unknown user, duplicate name…)."""


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    created: str = ""
    disabled: bool = False

    def can(self, role: str) -> bool:
        return not self.disabled and ROLE_RANK[self.role] >= ROLE_RANK[role]


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    user: str
    label: str
    created: str
    last_used: str | None
    revoked: str | None


@dataclass(frozen=True)
class ReviewRow:
    id: str
    owner_id: int
    owner: str
    filename: str
    suffix: str
    size: int
    sha256: str
    created: str
    title: str
    findings: int
    as_of: str | None


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def hash_secret(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, **_SCRYPT)


def split_key(key: str) -> tuple[str, str] | None:
    """'lkb_<key_id>_<secret>' → (key_id, secret); None when it is not shaped like a key."""
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


class Store:
    def __init__(self, home: str | Path) -> None:
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.path = self.home / "api.sqlite3"
        self.reviews_dir = self.home / "reviews"
        self._local = threading.local()
        self._connection().executescript(_SCHEMA)  # executescript manages its own transaction

    # sqlite3 connections are not shareable across threads; FastAPI runs sync routes in a pool.
    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _query(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        return self._connection().execute(sql, args).fetchall()

    # -- users -------------------------------------------------------------------------------
    def create_user(self, name: str, role: str) -> User:
        name = name.strip()
        if not name or len(name) > 64:
            raise StoreError("用户名不能为空，且不超过 64 个字符")
        if role not in ROLES:
            raise StoreError(f"未知角色 {role}（可选 {'/'.join(ROLES)}）")
        try:
            with self._conn() as c:
                cur = c.execute("INSERT INTO users(name, role, created) VALUES (?, ?, ?)", (name, role, now()))
        except sqlite3.IntegrityError:
            raise StoreError(f"用户 {name} 已存在") from None
        return User(id=int(cur.lastrowid or 0), name=name, role=role, created=now())

    def user(self, name: str) -> User | None:
        rows = self._query("SELECT * FROM users WHERE name = ?", (name,))
        return _user(rows[0]) if rows else None

    def user_by_id(self, user_id: int) -> User | None:
        rows = self._query("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(rows[0]) if rows else None

    def users(self) -> list[User]:
        return [_user(r) for r in self._query("SELECT * FROM users ORDER BY name")]

    def ensure_user(self, name: str, role: str) -> User:
        """The built-in account used when auth is off (single-user laptop)."""
        return self.user(name) or self.create_user(name, role)

    def disable_user(self, name: str) -> int:
        """Disable a user, revoke all their keys and end their sessions. Returns keys revoked."""
        u = self.user(name)
        if u is None:
            raise StoreError(f"没有用户 {name}")
        with self._conn() as c:
            c.execute("UPDATE users SET disabled = 1 WHERE id = ?", (u.id,))
            n = c.execute("UPDATE api_keys SET revoked = ? WHERE user_id = ? AND revoked IS NULL",
                          (now(), u.id)).rowcount
            c.execute("DELETE FROM sessions WHERE user_id = ?", (u.id,))
        return n

    # -- API keys ----------------------------------------------------------------------------
    def create_key(self, user_name: str, label: str = "") -> str:
        """A new key for the user. The full key is returned once and never stored."""
        u = self.user(user_name)
        if u is None:
            raise StoreError(f"没有用户 {user_name}")
        if u.disabled:
            raise StoreError(f"用户 {user_name} 已停用")
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_bytes(16)
        with self._conn() as c:
            c.execute("INSERT INTO api_keys(key_id, user_id, salt, hash, label, created) VALUES (?,?,?,?,?,?)",
                      (key_id, u.id, salt, hash_secret(secret, salt), label, now()))
        return f"{KEY_PREFIX}_{key_id}_{secret}"

    def verify_key(self, key: str) -> tuple[User, str] | None:
        """(user, key_id) for a valid, unrevoked key of an enabled user; else None. Slow (scrypt)."""
        parts = split_key(key)
        if parts is None:
            return None
        key_id, secret = parts
        rows = self._query("SELECT k.salt, k.hash, k.revoked, k.user_id FROM api_keys k WHERE k.key_id = ?",
                           (key_id,))
        if not rows:
            hash_secret(secret, b"0" * 16)  # same work either way: no timing hint that the id exists
            return None
        row = rows[0]
        if not hmac.compare_digest(hash_secret(secret, row["salt"]), row["hash"]) or row["revoked"]:
            return None
        user = self.user_by_id(row["user_id"])
        if user is None or user.disabled:
            return None
        return user, key_id

    def key_active(self, key_id: str) -> User | None:
        """Cheap re-check of a cached key: still unrevoked and its user still enabled."""
        rows = self._query("SELECT user_id FROM api_keys WHERE key_id = ? AND revoked IS NULL", (key_id,))
        if not rows:
            return None
        user = self.user_by_id(rows[0]["user_id"])
        return user if user and not user.disabled else None

    def touch_key(self, key_id: str) -> None:
        with self._conn() as c:
            c.execute("UPDATE api_keys SET last_used = ? WHERE key_id = ?", (now(), key_id))

    def keys(self, user_name: str | None = None) -> list[ApiKey]:
        sql = ("SELECT k.key_id, u.name AS user, k.label, k.created, k.last_used, k.revoked "
               "FROM api_keys k JOIN users u ON u.id = k.user_id")
        rows = (self._query(sql + " WHERE u.name = ? ORDER BY k.created", (user_name,)) if user_name
                else self._query(sql + " ORDER BY u.name, k.created"))
        return [ApiKey(**dict(r)) for r in rows]

    def revoke_key(self, key_id: str) -> bool:
        with self._conn() as c:
            n = c.execute("UPDATE api_keys SET revoked = ? WHERE key_id = ? AND revoked IS NULL",
                          (now(), key_id)).rowcount
            c.execute("DELETE FROM sessions WHERE key_id = ?", (key_id,))
        return n > 0

    # -- sessions ----------------------------------------------------------------------------
    def create_session(self, user: User, key_id: str | None, hours: float) -> str:
        token = secrets.token_urlsafe(32)
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
        with self._conn() as c:
            c.execute("DELETE FROM sessions WHERE expires < ?", (now(),))
            c.execute("INSERT INTO sessions(token_hash, user_id, key_id, created, expires) VALUES (?,?,?,?,?)",
                      (_token_hash(token), user.id, key_id, now(), expires.isoformat(timespec="seconds")))
        return token

    def session_user(self, token: str) -> User | None:
        rows = self._query("SELECT user_id, expires FROM sessions WHERE token_hash = ?", (_token_hash(token),))
        if not rows or rows[0]["expires"] < now():
            return None
        user = self.user_by_id(rows[0]["user_id"])
        return user if user and not user.disabled else None

    def end_session(self, token: str) -> None:
        with self._conn() as c:
            c.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))

    # -- reviews -----------------------------------------------------------------------------
    def new_review_dir(self) -> tuple[str, Path]:
        """A fresh random id and its private folder (0700: drafts are not for other local users)."""
        review_id = secrets.token_hex(16)
        path = self.reviews_dir / review_id
        self.reviews_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.mkdir(mode=0o700)
        return review_id, path

    def review_dir(self, review_id: str) -> Path:
        if not _is_review_id(review_id):
            raise StoreError("无效的审核编号")
        return self.reviews_dir / review_id

    def add_review(self, row: ReviewRow) -> None:
        with self._conn() as c:
            c.execute("INSERT INTO reviews(id, owner_id, filename, suffix, size, sha256, created, title, findings,"
                      " as_of) VALUES (?,?,?,?,?,?,?,?,?,?)",
                      (row.id, row.owner_id, row.filename, row.suffix, row.size, row.sha256, row.created,
                       row.title, row.findings, row.as_of))

    def review(self, review_id: str) -> ReviewRow | None:
        if not _is_review_id(review_id):
            return None
        rows = self._query("SELECT r.*, u.name AS owner FROM reviews r JOIN users u ON u.id = r.owner_id "
                           "WHERE r.id = ?", (review_id,))
        return ReviewRow(**dict(rows[0])) if rows else None

    def reviews(self, owner_id: int | None = None, limit: int = 200) -> list[ReviewRow]:
        sql = "SELECT r.*, u.name AS owner FROM reviews r JOIN users u ON u.id = r.owner_id"
        rows = (self._query(sql + " WHERE r.owner_id = ? ORDER BY r.created DESC LIMIT ?", (owner_id, limit))
                if owner_id is not None else self._query(sql + " ORDER BY r.created DESC LIMIT ?", (limit,)))
        return [ReviewRow(**dict(r)) for r in rows]

    def delete_review(self, review_id: str) -> bool:
        """Remove the row and every file of the review (draft, reports)."""
        with self._conn() as c:
            n = c.execute("DELETE FROM reviews WHERE id = ?", (review_id,)).rowcount
        path = self.review_dir(review_id)
        if path.exists():
            shutil.rmtree(path)
        return n > 0

    # -- audit -------------------------------------------------------------------------------
    def audit(self, actor: str, action: str, target: str = "", ip: str = "", **detail: Any) -> None:
        with self._conn() as c:
            c.execute("INSERT INTO audit(ts, actor, action, target, detail, ip) VALUES (?,?,?,?,?,?)",
                      (now(), actor, action, target, json.dumps(detail, ensure_ascii=False), ip))

    def audit_log(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self._query("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))
        return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]


def _user(row: sqlite3.Row) -> User:
    return User(id=row["id"], name=row["name"], role=row["role"], created=row["created"],
                disabled=bool(row["disabled"]))


def _token_hash(token: str) -> str:
    # Session tokens are 256 random bits: a plain hash is enough to make a stolen DB useless.
    return hashlib.sha256(token.encode()).hexdigest()


def _is_review_id(value: str) -> bool:
    return len(value) == 32 and all(ch in "0123456789abcdef" for ch in value)
