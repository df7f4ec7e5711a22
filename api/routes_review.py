"""Legality review of uploaded drafts. A draft and its reports are private to the uploader (and
admins), stored under `$LEGALKB_HOME/reviews/<random id>/` with fixed file names, never indexed,
and deleted on request."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import unicodedata
from pathlib import Path as FsPath
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Path, Query, Request, UploadFile
from fastapi.responses import Response

from legalkb.api.auth import require
from legalkb.api.models import ApiError, ReviewList, ReviewOut, ReviewSummary, errors
from legalkb.api.routes_search import parse_date
from legalkb.api.store import ReviewRow, Store, User, now
from legalkb.ingest.errors import IngestError
from legalkb.review.model import ReviewError

router = APIRouter()
Reviewer = Annotated[User, Depends(require("reviewer"))]

ALLOWED = (".txt", ".docx", ".pdf")
FORMATS = ("json", "html", "docx")
MEDIA = {"json": "application/json", "html": "text/html; charset=utf-8",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
_CHUNK = 1024 * 1024


def _pipeline() -> Any:
    try:
        from legalkb.review import pipeline
    except ImportError as exc:
        raise ApiError(503, "review_unavailable", "合法性审核模块尚未安装（legalkb.review.pipeline）") from exc
    return pipeline


def display_name(filename: str | None) -> str:
    """A file name fit to show (never used as a path): last path component, no control characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:200] or "未命名"


def check_type(name: str, head: bytes) -> str:
    """The suffix, when the name and the first bytes agree on an allowed type; else 415."""
    suffix = FsPath(name).suffix.lower()
    if suffix not in ALLOWED:
        raise ApiError(415, "unsupported_type",
                       f"不支持的文件类型 {suffix or '（无扩展名）'}：请上传 .txt、.docx 或 .pdf 文件")
    ok = {".docx": head.startswith(b"PK\x03\x04"), ".pdf": head.startswith(b"%PDF-"),
          ".txt": head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" not in head[:8192]}[suffix]
    if not ok:
        raise ApiError(415, "unsupported_type", f"文件内容与扩展名 {suffix} 不符：请确认文件未损坏")
    return suffix


async def read_upload(upload: UploadFile, limit_mb: float, allow_empty: bool = False) -> bytes:
    """The upload's bytes, refusing more than the limit without reading it all into memory first."""
    limit = int(limit_mb * 1024 * 1024)
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"文件过大：上限 {limit_mb:g} MB")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data and not allow_empty:
        raise ApiError(400, "empty_file", "上传的文件为空")
    return data


def _bundle(report: Any) -> dict[str, Any]:
    """What the review page needs besides the report JSON: the draft text and where each finding
    and article sits in it (the report JSON carries quotes, not offsets), plus the view model the
    HTML/DOCX reports are rendered from, so the page uses the same Chinese labels."""
    from legalkb.review import report as rr

    draft = report.draft
    return {
        "report": rr.to_json(report),
        "view": rr.view(report),
        "draft_text": draft.text,
        "finding_spans": [[f.start, f.end] for f in report.findings],
        "articles": [{"number": a.number, "sub": a.sub, "label": a.label, "start": a.start, "end": a.end,
                      "path": a.path} for a in draft.articles],
    }


def _write_reports(report: Any, folder: FsPath) -> dict[str, Any]:
    from legalkb.review import report as rr

    bundle = _bundle(report)
    (folder / "review.json").write_text(json.dumps(bundle, ensure_ascii=False), "utf-8")
    (folder / "report.json").write_text(rr.dumps(report), "utf-8")
    (folder / "report.html").write_text(rr.to_html(report), "utf-8")
    rr.to_docx(report, folder / "report.docx")
    return bundle


def create_review(request: Request, user: User, filename: str, data: bytes, as_of: dt.date | None) -> ReviewRow:
    """Store the draft, review it, store the reports. On any failure nothing is kept."""
    state = request.app.state
    store: Store = state.store
    suffix = check_type(filename, data[:8192])
    pipeline = _pipeline()
    review_id, folder = store.new_review_dir()
    draft = folder / f"draft{suffix}"  # fixed name: the uploaded name is display-only
    try:
        draft.write_bytes(data)
        try:
            report = pipeline.review_file(draft, state.library.get(), as_of=as_of)
        except (ReviewError, IngestError) as exc:
            # Unreadable, scanned or not a draft: the user must act, so say why (422), never an
            # empty 'no problems' report.
            raise ApiError(422, exc.reason, exc.message) from exc
        bundle = _write_reports(report, folder)
        row = ReviewRow(id=review_id, owner_id=user.id, owner=user.name, filename=display_name(filename),
                        suffix=suffix, size=len(data), sha256=hashlib.sha256(data).hexdigest(), created=now(),
                        title=bundle["report"].get("document", {}).get("title", "") or "",
                        findings=len(report.findings),
                        as_of=report.as_of.isoformat() if report.as_of else None)
        store.add_review(row)
    except BaseException as exc:
        shutil.rmtree(folder, ignore_errors=True)
        store.audit(user.name, "review.failed", "", _ip(request), filename=display_name(filename),
                    size=len(data), error=getattr(exc, "code", exc.__class__.__name__))
        raise
    store.audit(user.name, "review.create", review_id, _ip(request), filename=row.filename, size=row.size,
                sha256=row.sha256, findings=row.findings)
    return row


def _ip(request: Request) -> str:
    return request.client.host if request.client else ""


def owned_review(request: Request, user: User, review_id: str) -> ReviewRow:
    """The review if the caller may see it. Others' reviews are 'not found', not 'forbidden': a
    review's existence is itself private."""
    store: Store = request.app.state.store
    row = store.review(review_id)
    if row is None or (row.owner_id != user.id and not user.can("admin")):
        raise ApiError(404, "review_not_found", "没有找到该审核记录（或无权查看）")
    if row.owner_id != user.id:
        store.audit(user.name, "review.read_other", review_id, _ip(request), owner=row.owner)
    return row


def load_bundle(store: Store, row: ReviewRow) -> dict[str, Any]:
    return json.loads((store.review_dir(row.id) / "review.json").read_text("utf-8"))


def summary(row: ReviewRow) -> ReviewSummary:
    return ReviewSummary(id=row.id, filename=row.filename, title=row.title, created=row.created, owner=row.owner,
                         size=row.size, findings=row.findings, as_of=row.as_of)


def review_response(request: Request, row: ReviewRow, fmt: str, status: int = 200, download: bool = False) -> Any:
    store: Store = request.app.state.store
    if fmt == "json" and not download:  # the stored report plus the metadata and draft text (for clients that show it)
        bundle = load_bundle(store, row)
        out = ReviewOut(**summary(row).model_dump(), report=bundle["report"], draft_text=bundle["draft_text"])
        return Response(out.model_dump_json(), status_code=status, media_type=MEDIA["json"],
                        headers={"Location": f"/api/reviews/{row.id}"})
    path = store.review_dir(row.id) / f"report.{fmt}"
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", row.filename) or "draft"
    name = f"{stem}-审核报告.{fmt}"
    disposition = f"attachment; filename=\"review-{row.id[:8]}.{fmt}\"; filename*=UTF-8''{quote(name)}"
    return Response(path.read_bytes(), status_code=status, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": disposition, "Location": f"/api/reviews/{row.id}"})


Format = Annotated[Literal["json", "html", "docx"],
                   Query(description="json：审核报告 JSON；html / docx：下载渲染好的报告 / response format")]


@router.post("/api/review", status_code=201, response_model=ReviewOut, tags=["审核 review"],
             summary="上传草案并审核 / review a draft",
             responses={**errors(400, 401, 403, 413, 415, 422, 503),
                        200: {"description": "format=html|docx 时为报告文件下载 / the rendered report"}})
async def post_review(
    request: Request,
    user: Reviewer,
    file: Annotated[UploadFile, File(description="草案文件：.txt .docx .pdf，不超过 20 MB / the draft")],
    as_of: Annotated[str | None, Query(description="按该日有效的法律审核（YYYY-MM-DD），默认今日 / review date")]
    = None,
    format: Format = "json",
) -> Any:
    """上传规范性文件草案，返回合法性审核报告。草案只对上传者和管理员可见，不会进入公共语料库。

    Upload a draft (multipart field `file`) and get the review report; `format=html|docx` returns
    the rendered report as a download instead of JSON."""
    from starlette.concurrency import run_in_threadpool

    day = parse_date(as_of)
    limit = request.app.state.settings.max_upload_mb
    data = await read_upload(file, limit)
    row = await run_in_threadpool(create_review, request, user, file.filename or "", data, day)
    return review_response(request, row, format, status=201)


@router.get("/api/reviews", response_model=ReviewList, tags=["审核 review"], summary="我的审核 / my reviews",
            responses=errors(401, 403))
def list_reviews(request: Request, user: Reviewer,
                 all: Annotated[bool, Query(description="管理员：列出所有用户的审核 / admin: everyone's")] = False,
                 ) -> ReviewList:
    """当前用户的审核记录（最新在前）。/ The caller's reviews, newest first."""
    store: Store = request.app.state.store
    if all and not user.can("admin"):
        raise ApiError(403, "forbidden", "只有管理员可以查看所有用户的审核")
    rows = store.reviews(None if all else user.id)
    return ReviewList(reviews=[summary(r) for r in rows])


ReviewId = Annotated[str, Path(description="审核编号 / review id")]


@router.get("/api/reviews/{review_id}", response_model=ReviewOut, tags=["审核 review"],
            summary="审核报告 / a review", responses=errors(401, 403, 404))
def get_review(request: Request, user: Reviewer, review_id: ReviewId, format: Format = "json",
               download: Annotated[bool, Query(description="以附件形式下载（json 报告文件）/ as an attachment")]
               = False) -> Any:
    """审核报告（JSON），或 `format=html|docx` 下载。只有上传者和管理员可以查看。"""
    return review_response(request, owned_review(request, user, review_id), format, download=download)


@router.delete("/api/reviews/{review_id}", status_code=204, tags=["审核 review"],
               summary="删除审核及草案 / delete a review", responses=errors(401, 403, 404))
def delete_review(request: Request, user: Reviewer, review_id: ReviewId) -> Response:
    """删除草案原件和全部报告文件（不可恢复）。/ Deletes the draft and every report file."""
    row = owned_review(request, user, review_id)
    request.app.state.store.delete_review(row.id)
    request.app.state.store.audit(user.name, "review.delete", row.id, _ip(request), owner=row.owner,
                                  filename=row.filename)
    return Response(status_code=204)
