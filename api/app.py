"""The HTTP API and web UI: `create_app(library=None, settings=None)`.

One process serves both: JSON under /api (OpenAPI at /docs), server-rendered pages elsewhere,
static files from the package (no CDN: the bureau's intranet has no internet).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from legalkb.api.auth import Authenticator
from legalkb.api.models import ApiError
from legalkb.api.store import Store
from legalkb.search.backend import BackendError
from legalkb.search.config import Config

HERE = Path(__file__).parent
MB = 1024 * 1024


def _version() -> str:
    try:
        return importlib.metadata.version("legalkb")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        return "0+unknown"


@dataclass
class Settings:
    """Server settings; `from_env` reads LEGALKB_* variables (see docs/api.md)."""

    home: Path
    host: str = "127.0.0.1"
    auth: str = "auto"                 # on | off | auto (see legalkb.api.auth)
    max_upload_mb: float = 20.0        # a draft; drafts are a few hundred KB at most
    max_ingest_mb: float = 200.0       # one ingest request (several law files)
    ingest_roots: list[Path] = field(default_factory=list)  # server paths admins may ingest from
    session_hours: float = 12.0        # one working day
    search_cache: int = 4096           # cached search answers per process; 0 turns the cache off
    backend: str | None = None

    @classmethod
    def from_env(cls, home: str | Path | None = None, host: str = "127.0.0.1", **overrides: Any) -> Settings:
        env = os.environ
        cfg = Config.from_env(home=home)
        roots = [Path(p) for p in env.get("LEGALKB_INGEST_ROOTS", "").split(os.pathsep) if p.strip()]
        values: dict[str, Any] = dict(
            home=cfg.home, host=host, auth=env.get("LEGALKB_AUTH", "auto"),
            max_upload_mb=float(env.get("LEGALKB_MAX_UPLOAD_MB", "20")),
            max_ingest_mb=float(env.get("LEGALKB_MAX_INGEST_MB", "200")),
            ingest_roots=roots or [cfg.home / "inbox"],
            session_hours=float(env.get("LEGALKB_SESSION_HOURS", "12")),
            search_cache=int(env.get("LEGALKB_SEARCH_CACHE", "4096")),
        )
        values.update(overrides)
        return cls(**values)


class LibraryHolder:
    """Opens the library on first use and again after a failure, so a server started before its
    Elasticsearch node answers /api/health with 503 and recovers without a restart."""

    def __init__(self, settings: Settings, library: Any = None) -> None:
        self.settings = settings
        self._library = library
        self._lock = threading.Lock()

    def get(self) -> Any:
        if self._library is None:
            with self._lock:
                if self._library is None:
                    from legalkb.search.library import Library

                    try:
                        self._library = Library.open(home=self.settings.home, backend=self.settings.backend)
                    except BackendError as exc:
                        raise ApiError(503, "engine_unavailable", f"检索引擎不可用：{exc}") from exc
        return self._library

    def close(self) -> None:
        if self._library is not None:
            self._library.close()
            self._library = None


class BodyLimit:
    """Rejects request bodies over the limit before they are parsed: by Content-Length at once,
    and by counting for chunked uploads that announce no length."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def _limit(self, path: str) -> int:
        if path.startswith("/api/ingest"):
            return int(self.settings.max_ingest_mb * MB)
        # Multipart framing adds a little to the file itself; allow 64 KB for it.
        return int(self.settings.max_upload_mb * MB) + 64 * 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT"):
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _too_large(self.settings)(scope, receive, send)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise ApiError(413, "too_large", _too_large_message(self.settings))
            return message

        await self.app(scope, counted, send)


CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
_SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                     (b"referrer-policy", b"same-origin")]


class SecurityHeaders:
    """Everything is served from this origin; nothing may be framed or loaded from elsewhere.
    Plain ASGI rather than @app.middleware("http"): that wrapper costs ~1 ms a request, which
    shows in the search benchmark."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in _SECURITY_HEADERS if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _too_large_message(settings: Settings) -> str:
    return f"文件过大：上限 {settings.max_upload_mb:g} MB"


def _too_large(settings: Settings) -> ASGIApp:
    return JSONResponse({"code": "too_large", "message": _too_large_message(settings)}, status_code=413)


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "too_large", 415: "unsupported_type"}


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get("accept", "")


def _install_error_handlers(app: FastAPI) -> None:
    from legalkb.api.routes_web import error_page

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Any:
        if _wants_html(request):
            return error_page(request, exc.status, exc.message)
        return JSONResponse({"code": exc.code, "message": exc.message}, status_code=exc.status,
                            headers=exc.headers)

    @app.exception_handler(BackendError)
    async def backend_error(request: Request, exc: BackendError) -> Any:
        message = f"检索引擎不可用：{exc}"
        if _wants_html(request):
            return error_page(request, 503, message)
        return JSONResponse({"code": "engine_unavailable", "message": message}, status_code=503)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Any:
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()]
        return JSONResponse({"code": "validation_error", "message": "请求参数不符合要求", "detail": detail},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        message = {404: "页面或接口不存在", 405: "不支持该请求方法"}.get(exc.status_code, str(exc.detail))
        if _wants_html(request):
            return error_page(request, exc.status_code, message)
        return JSONResponse({"code": _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}"),
                             "message": message}, status_code=exc.status_code, headers=exc.headers)


DESCRIPTION = """
**legalkb** 法律法规知识库与合法性审核助手（离线）的接口。/ The legalkb HTTP API.

* 检索 `/api/search`：引用（行政处罚法第十六条）、关键词或问题；按效力级别、时效性、地区筛选；按某日有效的版本检索。
* 法规 `/api/documents/{id}`、条文 `/api/articles/{法规}/{条号}`。
* 合法性审核 `/api/review`：上传草案（.txt .docx .pdf，≤ 20 MB），返回审核报告（JSON / HTML / DOCX）。
  草案与报告只对上传者和管理员可见，从不进入公共语料库，可随时删除。
* 认证 / auth：`Authorization: Bearer <API 密钥>`（或 `X-API-Key`）。密钥用 `legalkb users create` 创建。
* 错误 / errors：`{"code": "...", "message": "..."}`，`code` 稳定不变。
"""


def create_app(library: Any = None, settings: Settings | None = None) -> FastAPI:
    """The ASGI app. `library` (a legalkb Library) is opened from settings.home when not given."""
    from legalkb.api import (
        routes_admin,
        routes_answered,
        routes_cases,
        routes_review,
        routes_search,
        routes_web,
    )

    settings = settings or Settings.from_env()
    store = Store(settings.home)
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.library.close()

    # docs_url=None: FastAPI's Swagger page loads its scripts from a CDN, which the intranet lacks;
    # routes_web serves a self-contained /docs rendered from the same OpenAPI schema instead.
    app = FastAPI(title="legalkb 法律法规知识库 API", version=_version(), description=DESCRIPTION,
                  docs_url=None, redoc_url=None, lifespan=lifespan,
                  openapi_tags=[
                      {"name": "检索 search", "description": "法规与条文检索、条文引用查询"},
                      {"name": "审核 review", "description": "规范性文件草案合法性审核"},
                      {"name": "案例 cases", "description": "案例检索与引用某条文的案例"},
                      {"name": "管理 admin", "description": "导入语料、审计日志（管理员）"},
                      {"name": "系统 system", "description": "健康检查、登录"},
                  ])
    app.state.settings = settings
    app.state.store = store
    app.state.auth = Authenticator(store, settings)
    app.state.library = LibraryHolder(settings, library)
    app.state.version = _version()
    app.state.generation = 0  # bumped by every ingest: search results cached before it are stale
    app.state.search_cache = routes_search.SearchCache(size=settings.search_cache)
    _install_error_handlers(app)
    for module in (routes_search, routes_answered, routes_review, routes_admin, routes_cases, routes_web):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(BodyLimit, settings=settings)

    app.add_middleware(SecurityHeaders)
    return app
