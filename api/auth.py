"""Who is calling: API keys (header), browser sessions (cookie), and the anonymous rules.

Auth modes (`LEGALKB_AUTH`):
  on    every endpoint but /api/health needs a key or a session.
  off   single-user laptop: every request acts as the built-in admin 'local'.
  auto  (default) 'local' when the server is bound to a loopback address: anyone who can reach it
        may search and read laws anonymously, but reviews and admin actions need a user;
        'on' when bound to any other address.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import Request

from legalkb.api.models import ApiError
from legalkb.api.store import Store, User

if TYPE_CHECKING:
    from legalkb.api.app import Settings

SESSION_COOKIE = "lkb_session"
ANONYMOUS = User(id=0, name="anonymous", role="viewer")
LOCAL_USER = "local"
_KEY_CACHE_TTL = 300.0
_LOOPBACK = ("127.", "::1", "localhost")


def is_loopback(host: str) -> bool:
    return host.startswith(_LOOPBACK) or host == "[::1]"


def effective_mode(auth: str, host: str) -> str:
    """'on' | 'off' | 'local' (anonymous viewers allowed)."""
    auth = auth.lower()
    if auth in ("off", "0", "false", "no"):
        return "off"
    if auth in ("on", "1", "true", "yes"):
        return "on"
    return "local" if is_loopback(host) else "on"


class KeyCache:
    """Verified keys by digest, so a client that sends its key on every request pays scrypt once
    per five minutes. Revocation still takes effect at once: every hit re-checks the key row."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> str | None:
        with self._lock:
            item = self._items.get(digest)
            if item and item[1] > time.monotonic():
                return item[0]
            self._items.pop(digest, None)
            return None

    def put(self, digest: str, key_id: str) -> None:
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[digest] = (key_id, time.monotonic() + _KEY_CACHE_TTL)


class Authenticator:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.mode = effective_mode(settings.auth, settings.host)
        self.cache = KeyCache()
        self._local: User | None = None

    def user_for_key(self, key: str) -> User | None:
        digest = hashlib.sha256(key.encode()).hexdigest()
        key_id = self.cache.get(digest)
        if key_id is not None:
            return self.store.key_active(key_id)
        found = self.store.verify_key(key)
        if found is None:
            return None
        user, key_id = found
        self.cache.put(digest, key_id)
        self.store.touch_key(key_id)
        return user

    def identify(self, request: Request) -> User | None:
        """The user behind the request, or None. Raises 401 for a key that is present but wrong:
        silently falling back to anonymous would hide a typo in a script's key."""
        if self.mode == "off":
            if self._local is None:
                self._local = self.store.ensure_user(LOCAL_USER, "admin")
            return self._local
        key = _header_key(request)
        if key:
            user = self.user_for_key(key)
            if user is None:
                raise ApiError(401, "invalid_key", "API 密钥无效或已吊销", {"WWW-Authenticate": "Bearer"})
            return user
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            return self.store.session_user(token)
        return None


def _header_key(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key", "").strip()


def current_user(request: Request) -> User | None:
    """The identified user, cached on the request (several dependencies may ask)."""
    if not hasattr(request.state, "user"):
        request.state.user = request.app.state.auth.identify(request)
    return request.state.user


def require(role: str, *, anonymous_ok: bool = False) -> Callable[[Request], User]:
    """A dependency: the caller must have at least `role`. `anonymous_ok` lets anonymous callers
    through as viewers when the server runs in 'local' mode (search and reading only)."""

    def dependency(request: Request) -> User:
        user = current_user(request)
        if user is None:
            if anonymous_ok and request.app.state.auth.mode == "local" and role == "viewer":
                return ANONYMOUS
            raise ApiError(401, "unauthorized", "需要登录：请提供 API 密钥（Authorization: Bearer …）",
                           {"WWW-Authenticate": "Bearer"})
        if not user.can(role):
            raise ApiError(403, "forbidden", f"权限不足：此操作需要 {ROLE_NAMES[role]} 角色")
        return user

    return dependency


ROLE_NAMES = {"viewer": "查阅（viewer）", "reviewer": "审核（reviewer）", "admin": "管理员（admin）"}
