"""Answered questions (search/answered.py): an adviser records which articles answered a question;
similar questions then find those articles higher. Reading needs a viewer, writing a reviewer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from legalkb.api.auth import require
from legalkb.api.models import ApiError, errors
from legalkb.api.routes_search import library
from legalkb.api.store import User

router = APIRouter()
Viewer = Annotated[User, Depends(require("viewer", anonymous_ok=True))]
Reviewer = Annotated[User, Depends(require("reviewer"))]


class AnsweredIn(BaseModel):
    question: str = Field(min_length=1, max_length=500, description="问题原文 / the question as asked")
    articles: list[str] = Field(min_length=1, max_length=30,
                                description="解答它的条文，如 民法典第五十六条、《行政处罚法》第16条 / "
                                            "the articles that answer it")


class AnsweredOut(BaseModel):
    id: str
    question: str
    articles: list[str] = Field(description="记录时写的条文 / the articles as recorded")
    refs: list[tuple[str, int, int]] = Field(description="(法规, 条号, 之N) / (law, article, sub)")
    added: str
    by: str


def _out(e: Any) -> AnsweredOut:
    return AnsweredOut(id=e.id, question=e.question, articles=list(e.cites), refs=[tuple(r) for r in e.refs],
                       added=e.added, by=e.by)


def _store(request: Request) -> Any:
    store = library(request).answered
    if store is None:
        raise ApiError(503, "answered_unavailable", "此数据目录不支持已答问题")
    return store


def _changed(request: Request, user: User, action: str, entry_id: str) -> None:
    request.app.state.generation += 1        # cached search results may rank differently now
    request.app.state.store.audit(user.name, action, entry_id, request.client.host if request.client else "")


def record(request: Request, user: User, question: str, refs: list, cites: list[str]) -> Any:
    """Store an answer (API and web page alike): 400 on bad input, audited, caches invalidated."""
    from legalkb.search.answered import AnsweredError

    try:
        entry = _store(request).add(question, refs, cites, by=user.name)
    except AnsweredError as exc:
        raise ApiError(400, "bad_answered", str(exc)) from None
    _changed(request, user, "answered.add", entry.id)
    return entry


def forget(request: Request, user: User, entry_id: str) -> Any:
    """Remove an answer (API and web page alike): 404 for an unknown id, audited."""
    from legalkb.search.answered import AnsweredError

    try:
        gone = _store(request).remove(entry_id, by=user.name)
    except AnsweredError as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    _changed(request, user, "answered.remove", entry_id)
    return gone


@router.get("/api/answered", response_model=list[AnsweredOut], tags=["检索 search"],
            summary="本地已答问题 / locally answered questions", responses=errors(401, 403))
def list_answered(request: Request, user: Viewer) -> list[AnsweredOut]:
    """本地记录的已答问题（不含随附的 STARD 问答记忆）。"""
    return [_out(e) for e in _store(request).entries()]


@router.post("/api/answered", response_model=AnsweredOut, status_code=201, tags=["检索 search"],
             summary="记录已答问题 / record an answered question", responses=errors(400, 401, 403, 422))
def add_answered(request: Request, body: AnsweredIn, user: Reviewer) -> AnsweredOut:
    """记录“问题由这些条文解答”。此后相似的问题检索时，这些条文会排得更靠前（需开启重排）。
    条文须能在已导入的法规中找到；同一问题与条文重复提交不会产生重复记录。"""
    from legalkb.search.answered import resolve_all

    refs, unknown = resolve_all(body.articles, library(request).resolve_citations)
    if unknown:
        raise ApiError(400, "unknown_article", f"找不到条文：{'、'.join(unknown)}（应写作“民法典第五十六条”）")
    return _out(record(request, user, body.question, refs, body.articles))


@router.delete("/api/answered/{entry_id}", status_code=204, tags=["检索 search"],
               summary="删除已答问题 / delete an answered question", responses=errors(401, 403, 404))
def delete_answered(request: Request, user: Reviewer,
                    entry_id: Annotated[str, Path(description="编号，如 local-3 / id")]) -> None:
    forget(request, user, entry_id)
