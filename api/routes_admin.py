"""Admin actions (ingest, users, audit) and browser login/logout. Every admin action is audited."""

from __future__ import annotations

import secrets
import shutil
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from legalkb.api.auth import SESSION_COOKIE, require
from legalkb.api.models import ApiError, IngestOut, LoginIn, MeOut, UserOut, errors
from legalkb.api.routes_review import read_upload
from legalkb.api.store import Store, User
from legalkb.ingest.loader import SUFFIXES

router = APIRouter()
Admin = Annotated[User, Depends(require("admin"))]
_SAFE = set("-_.()（）·")


def _ip(request: Request) -> str:
    return request.client.host if request.client else ""


def safe_name(filename: str | None, n: int) -> str:
    """A file name to write inside a fresh private folder. LawRefBook names carry the version date
    (`行政处罚法(2021-01-22).md`), so the name is kept when it is plain (letters, digits, CJK,
    a few punctuation marks); anything else becomes `upload-N<suffix>`."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    suffix = Path(name).suffix.lower()
    plain = (name and not name.startswith(".") and len(name) <= 160
             and all(ch.isalnum() or ch in _SAFE or unicodedata.category(ch) == "Lo" for ch in name))
    return name if plain else f"upload-{n}{suffix}"


def allowed_path(settings: Any, raw: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_absolute():
        raise ApiError(400, "bad_path", "请给出服务器上的绝对路径")
    path = path.resolve()
    roots = [Path(r).expanduser().resolve() for r in settings.ingest_roots]
    if not any(path == r or path.is_relative_to(r) for r in roots):
        shown = "、".join(str(r) for r in roots) or "（未配置）"
        raise ApiError(403, "path_not_allowed", f"只能导入允许目录下的文件：{shown}（LEGALKB_INGEST_ROOTS）")
    if not path.exists():
        raise ApiError(404, "path_not_found", f"服务器上没有该路径：{path}")
    return path


def _ingest(library: Any, paths: list[Path], kind: str) -> dict[str, Any]:
    if kind == "cases":
        from legalkb.search.cases import ingest_cases

        rep = ingest_cases(library, paths).to_dict()
        return {"files": rep["files"], "documents": rep["cases"], "unchanged": 0, "articles": 0, "bytes": 0,
                "seconds": 0.0, "failures": rep["failures"]}
    return library.ingest_paths(paths).to_dict()


@router.post("/api/ingest", response_model=IngestOut, tags=["管理 admin"], summary="导入语料 / ingest",
             responses=errors(400, 401, 403, 404, 413, 415, 503))
async def ingest(
    request: Request,
    user: Admin,
    files: Annotated[list[UploadFile] | None, File(description="法律文本文件（.md .txt .docx .pdf .html）/ files")]
    = None,
    path: Annotated[str | None, Form(description="或：服务器上的文件或目录（须在 LEGALKB_INGEST_ROOTS 下）"
                                                 " / or a server path under an allowed root")] = None,
    kind: Annotated[Literal["laws", "cases"], Form(description="laws：法律法规；cases：案例")] = "laws",
) -> Any:
    """管理员导入法律法规（或案例）到公共语料库：上传文件，或指定服务器上的路径。单个文件失败不影响其余文件。

    Admin only. Upload files (multipart `files`) or give a server `path`."""
    settings = request.app.state.settings
    store: Store = request.app.state.store
    library = request.app.state.library.get()
    if bool(files) == bool(path):
        raise ApiError(400, "bad_request", "请上传文件（files）或给出服务器路径（path），二者选一")
    if path:
        target = allowed_path(settings, path)
        report = await run_in_threadpool(_ingest, library, [target], kind)
        request.app.state.generation += 1
        store.audit(user.name, "ingest.path", str(target), _ip(request), kind=kind, files=report["files"],
                    documents=report["documents"], failures=len(report["failures"]))
        return report
    folder = settings.home / "tmp" / f"ingest-{secrets.token_hex(8)}"
    folder.mkdir(parents=True, mode=0o700)
    names: dict[str, str] = {}
    try:
        for n, upload in enumerate(files or [], 1):
            shown = upload.filename or f"upload-{n}"
            suffix = Path(shown).suffix.lower()
            if kind == "laws" and suffix not in SUFFIXES:
                raise ApiError(415, "unsupported_type", f"不支持的文件类型 {suffix or '（无扩展名）'}：{shown}")
            # An empty file is one failed file in the report, like in a CLI batch, not a failed request.
            data = await read_upload(upload, settings.max_ingest_mb, allow_empty=True)
            target = folder / safe_name(upload.filename, n)
            if target.exists():
                target = folder / f"upload-{n}{suffix}"
            target.write_bytes(data)
            names[str(target)] = shown
        report = await run_in_threadpool(_ingest, library, sorted(folder.iterdir()), kind)
        request.app.state.generation += 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for f in report["failures"]:  # report the names the admin uploaded, not our temp paths
        f["path"] = names.get(f["path"], Path(f["path"]).name)
    store.audit(user.name, "ingest.upload", "", _ip(request), kind=kind, files=sorted(names.values())[:50],
                documents=report["documents"], failures=len(report["failures"]))
    return report


@router.get("/api/users", response_model=list[UserOut], tags=["管理 admin"], summary="用户列表 / users",
            responses=errors(401, 403))
def users(request: Request, user: Admin) -> list[UserOut]:
    """所有用户及其角色（密钥用命令行 `legalkb users` / `legalkb keys` 管理）。"""
    return [UserOut(name=u.name, role=u.role, created=u.created, disabled=u.disabled)  # type: ignore[arg-type]
            for u in request.app.state.store.users()]


@router.get("/api/audit", tags=["管理 admin"], summary="审计日志 / audit log", responses=errors(401, 403))
def audit(request: Request, user: Admin, limit: int = 100) -> list[dict[str, Any]]:
    """最近的审核与管理操作记录（最新在前）。/ Recent reviews and admin actions, newest first."""
    return request.app.state.store.audit_log(min(max(limit, 1), 1000))


def login_user(request: Request, api_key: str) -> tuple[User, str]:
    auth = request.app.state.auth
    store: Store = request.app.state.store
    user = auth.user_for_key(api_key.strip()) if api_key.strip() else None
    if user is None:
        store.audit("?", "login.failed", "", _ip(request))
        raise ApiError(401, "invalid_key", "API 密钥无效或已吊销")
    key_id = api_key.strip().split("_", 2)[1]
    token = store.create_session(user, key_id, request.app.state.settings.session_hours)
    store.audit(user.name, "login", key_id, _ip(request))
    return user, token


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https",
                        max_age=int(request.app.state.settings.session_hours * 3600))


@router.post("/api/login", response_model=MeOut, tags=["系统 system"], summary="登录 / login",
             responses=errors(401, 422))
def login(request: Request, body: LoginIn) -> Any:
    """以 API 密钥登录，返回会话 Cookie（HttpOnly、SameSite=Strict）。/ Exchange an API key for a session cookie."""
    user, token = login_user(request, body.api_key)
    response = JSONResponse(MeOut(name=user.name, role=user.role, anonymous=False).model_dump())  # type: ignore[arg-type]
    set_session_cookie(request, response, token)
    return response


@router.post("/api/logout", status_code=204, tags=["系统 system"], summary="退出 / logout")
def logout(request: Request) -> Response:
    """结束当前会话。/ End the browser session."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        request.app.state.store.end_session(token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
