"""Search, documents, article lookup, health: everything a viewer may do."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections import OrderedDict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from legalkb.api.auth import current_user, require
from legalkb.api.models import (
    ApiError,
    ArticleLookupOut,
    ArticleOut,
    CitedByOut,
    CitingArticleOut,
    DivisionOut,
    DocumentOut,
    HealthOut,
    MeOut,
    ParagraphOut,
    SearchOut,
    VersionOut,
    errors,
)
from legalkb.api.store import User
from legalkb.ingest.metadata import book_title
from legalkb.ingest.model import LEVELS, STATUSES, Article, Division, LegalDocument
from legalkb.ingest.numerals import CN_NUM_CHARS, cn_to_int
from legalkb.search.backend import BackendError

router = APIRouter()
Viewer = Annotated[User, Depends(require("viewer", anonymous_ok=True))]

FACET_FIELDS = ("level", "status", "region", "issuer")
MAX_QUERY_CHARS = 500


def library(request: Request) -> Any:
    return request.app.state.library.get()


def parse_date(value: str | None, name: str = "as_of") -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, "bad_date", f"{name} 日期格式应为 YYYY-MM-DD：{value}") from None


_ARTICLE = re.compile(rf"^[第笫]?\s*([0-9０-９{CN_NUM_CHARS}]+)\s*条?\s*(?:之\s*([0-9０-９{CN_NUM_CHARS}]+))?$")


def parse_article(value: str) -> tuple[int, int]:
    """'16', '第十六条', '253之1', '第二百五十三条之一' → (number, sub)."""
    m = _ARTICLE.match(value.strip())
    try:
        if not m:
            raise ValueError(value)
        number = cn_to_int(m.group(1))
        sub = cn_to_int(m.group(2)) if m.group(2) else 0
    except ValueError:
        raise ApiError(400, "bad_article", f"无法识别条号：{value}（可写 16、第十六条、253之1）") from None
    if number <= 0:
        raise ApiError(400, "bad_article", f"条号应大于 0：{value}")
    return number, sub


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def version_out(d: LegalDocument) -> VersionOut:
    return VersionOut(doc_id=d.doc_id, title=d.title, status=d.status, promulgated=_iso(d.promulgated),
                      effective=_iso(d.effective), in_force_until=_iso(d.in_force_until),
                      version_date=_iso(d.version_date))


def article_out(a: Article) -> ArticleOut:
    return ArticleOut(key=a.key, label=a.label, number=a.number, sub=a.sub, path=a.path, text=a.text,
                      paragraphs=[ParagraphOut(number=p.number, text=p.text) for p in a.paragraphs])


def division_out(d: Division) -> DivisionOut:
    return DivisionOut(kind=d.kind, heading=d.heading, title=d.title, article_keys=d.article_keys,
                       children=[division_out(c) for c in d.children])


def document_out(doc: LegalDocument, versions: list[LegalDocument], with_articles: bool = True) -> DocumentOut:
    return DocumentOut(
        doc_id=doc.doc_id, law_key=doc.law_key, title=doc.title, short_title=doc.short_title, level=doc.level,
        status=doc.status, issuer=doc.issuer, doc_number=doc.doc_number, region=doc.region,
        promulgated=_iso(doc.promulgated), effective=_iso(doc.effective), in_force_until=_iso(doc.in_force_until),
        successor=doc.successor, header=doc.header, preamble=doc.preamble, body=doc.body,
        versions=[version_out(v) for v in versions], divisions=[division_out(d) for d in doc.divisions],
        articles=[article_out(a) for a in doc.articles] if with_articles else [])


class SearchCache:
    """Serialized answers to recent identical searches. Users repeat searches (the same citation,
    the same topic) and an answer costs 5–10 ms of engine time on two cores. The key holds the
    day (default as_of) and the ingest generation, so a new day or an ingest never serves stale
    results; entries also expire after `ttl` seconds."""

    def __init__(self, size: int = 4096, ttl: float = 300.0) -> None:
        self.size, self.ttl = size, ttl
        self._items: OrderedDict[tuple, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] < time.monotonic():
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: tuple, value: bytes) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = (time.monotonic() + self.ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def run_search(lib: Any, q: str, *, page: int = 1, size: int = 10, level: list[str] | None = None,
               status: list[str] | None = None, region: list[str] | None = None, as_of: str | None = None,
               all_versions: bool = False, facets: str = "level,status,region",
               highlights: bool = True) -> SearchOut:
    """Shared by the API and the search page, so both validate and answer alike."""
    q = q.strip()
    if not q:
        raise ApiError(400, "empty_query", "请输入检索内容：法条引用、关键词或问题")
    if len(q) > MAX_QUERY_CHARS:
        raise ApiError(400, "query_too_long", f"检索内容过长（上限 {MAX_QUERY_CHARS} 字）")
    for value in level or ():
        if value not in LEVELS:
            raise ApiError(400, "bad_filter", f"未知的效力级别：{value}（可选 {'、'.join(LEVELS)}）")
    for value in status or ():
        if value not in STATUSES:
            raise ApiError(400, "bad_filter", f"未知的时效性：{value}（可选 {'、'.join(STATUSES)}）")
    wanted = [f.strip() for f in facets.split(",") if f.strip()]
    for f in wanted:
        if f not in FACET_FIELDS:
            raise ApiError(400, "bad_facet", f"不支持的分面：{f}（可选 {', '.join(FACET_FIELDS)}）")
    day = parse_date(as_of)
    if day is None and not status and not all_versions:
        day = dt.date.today()  # what Library.search does too; echoed so the client knows
    resp = lib.search(q, top_k=size, offset=(page - 1) * size, level=level or (), status=status or (),
                      region=region or (), as_of=day, all_versions=all_versions, facets=wanted)
    out = resp.to_dict()
    if not highlights:
        for h in out["hits"]:
            h["highlight"] = None
    return SearchOut(query=q, total=out["total"], page=page, size=size, as_of=_iso(day), took_ms=out["took_ms"],
                     hits=out["hits"], facets=out["facets"], citations=out["citations"],
                     local_regions=out["local_regions"])


@router.get("/api/search", response_model=SearchOut, tags=["检索 search"], summary="检索法条 / search articles",
            responses=errors(400, 401, 403, 422, 503))
def search(
    request: Request,
    user: Viewer,
    q: Annotated[str, Query(description="检索内容：引用（行政处罚法第十六条）、关键词或问题 / citation, keywords or question",
                            examples=["行政处罚法第十六条"])],
    level: Annotated[list[str] | None, Query(description="效力级别，可重复 / level filter, repeatable")] = None,
    status: Annotated[list[str] | None, Query(description="时效性，可重复；指定后不再默认只查现行版本 / status filter")] = None,
    region: Annotated[list[str] | None, Query(description="地区，如 山东省 / region filter")] = None,
    as_of: Annotated[str | None, Query(description="按该日有效的版本检索（YYYY-MM-DD），默认今日 / in force on date")] = None,
    all_versions: Annotated[bool, Query(description="检索全部版本（含已修改、已废止）/ search every version")] = False,
    facets: Annotated[str, Query(description="分面计数字段，逗号分隔：level,status,region,issuer；默认不计（计数约增加"
                                             "一半检索时间）/ facet fields, none by default")] = "",
    page: Annotated[int, Query(ge=1, le=1000, description="页码，从 1 开始 / page number")] = 1,
    size: Annotated[int, Query(ge=1, le=100, description="每页条数 / page size")] = 10,
    highlights: Annotated[bool, Query(description="返回高亮摘要 / include highlighted snippets")] = True,
) -> Any:
    """按引用、关键词或问题检索条文。默认只检索今日有效的版本；`as_of` 指定日期，`all_versions` 检索全部版本。
    引用（如“行政处罚法第十六条”）精确命中的条文排在最前（`match: citation`）。

    Citation-aware full-text search over articles; exact citation hits come first."""
    state = request.app.state
    key = (q.strip(), tuple(level or ()), tuple(status or ()), tuple(region or ()), as_of or dt.date.today(),
           all_versions, facets, page, size, highlights, state.generation)
    body = state.search_cache.get(key)
    cached = body is not None
    if body is None:
        out = run_search(library(request), q, page=page, size=size, level=level, status=status, region=region,
                         as_of=as_of, all_versions=all_versions, facets=facets, highlights=highlights)
        body = out.model_dump_json().encode()
        state.search_cache.put(key, body)
    return Response(body, media_type="application/json", headers={"X-Cache": "hit" if cached else "miss"})


def find_document(lib: Any, doc_id: str) -> LegalDocument:
    doc = lib.get_document(doc_id)
    if doc is None and "@" not in doc_id:
        # A bare law name: the version in force today (or the newest, for a repealed law).
        rec = lib.version_at(doc_id)
        doc = lib.get_document(rec.doc_id) if rec else None
    if doc is None:
        raise ApiError(404, "document_not_found", f"没有找到法规：{doc_id}")
    return doc


@router.get("/api/documents/{doc_id}", response_model=DocumentOut, tags=["检索 search"],
            summary="法规详情 / document", responses=errors(401, 403, 404, 503))
def get_document(
    request: Request,
    user: Viewer,
    doc_id: Annotated[str, Path(description="版本编号（行政处罚法@2021-01-22）或法规名称（取今日有效版本）"
                                            " / version id or law name")],
    articles: Annotated[bool, Query(description="是否返回全部条文 / include article texts")] = True,
) -> DocumentOut:
    """法规某一版本的元数据、时效性、版本链和章节结构（含条文）。/ Metadata, status, version chain, structure."""
    lib = library(request)
    doc = find_document(lib, doc_id)
    return document_out(doc, lib.versions(doc.law_key), with_articles=articles)


def _law_key(lib: Any, law: str) -> str:
    """The law's key in the corpus, or a 404 naming the law as asked."""
    key = lib.resolve_law(law)
    if key is None:
        raise ApiError(404, "law_not_found", f"语料中没有{book_title(law)}")
    return key


@router.get("/api/articles/{law}/{article}", response_model=ArticleLookupOut, tags=["检索 search"],
            summary="条文引用查询 / citation lookup", responses=errors(400, 401, 403, 404, 503))
def get_article(
    request: Request,
    user: Viewer,
    law: Annotated[str, Path(description="法规名称或简称，如 行政处罚法 / law name", examples=["行政处罚法"])],
    article: Annotated[str, Path(description="条号：16、第十六条、253之1 / article number", examples=["16"])],
    as_of: Annotated[str | None, Query(description="取该日有效的版本（YYYY-MM-DD），默认今日 / version in force on")]
    = None,
) -> ArticleLookupOut:
    """例：`/api/articles/行政处罚法/16?as_of=2020-01-01` 返回 2020 年 1 月 1 日有效版本的第十六条。

    The article as worded in the version in force on `as_of` (default today)."""
    lib = library(request)
    number, sub = parse_article(article)
    day = parse_date(as_of)
    key = _law_key(lib, law)
    rec = lib.version_at(key, day)
    if rec is None:
        raise ApiError(404, "no_version_in_force", f"《{key}》在 {as_of} 没有有效版本")
    doc = lib.get_document(rec.doc_id)
    art = doc.article(number, sub) if doc else None
    if doc is None or art is None:
        from legalkb.ingest.numerals import article_label

        n = len(doc.articles) if doc else 0
        raise ApiError(404, "article_not_found",
                       f"《{rec.title}》（{rec.doc_id}）没有{article_label(number, sub)}（共 {n} 条）")
    return ArticleLookupOut(law_key=doc.law_key, doc_id=doc.doc_id, title=doc.title, status=doc.status,
                            effective=_iso(doc.effective), in_force_until=_iso(doc.in_force_until),
                            as_of=_iso(day), article=article_out(art),
                            versions=[version_out(v) for v in lib.versions(key)])


@router.get("/api/articles/{law}/{article}/cited-by", response_model=CitedByOut, tags=["检索 search"],
            summary="引用某条文的其他法规条文 / articles citing an article", responses=errors(400, 401, 403, 404, 503))
def cited_by(
    request: Request,
    user: Viewer,
    law: Annotated[str, Path(description="法规名称或简称，如 民法典 / law name", examples=["民法典"])],
    article: Annotated[str, Path(description="条号：1165、第一千一百六十五条 / article number", examples=["1165"])],
    as_of: Annotated[str | None, Query(description="引用它的条文取该日有效的版本，默认今日 / citing articles in "
                                                   "force on")] = None,
) -> CitedByOut:
    """例：`/api/articles/民法典/1165/cited-by` — 司法解释、行政法规、地方性法规中写明引用该条的条文
    （“依照民法典第一千一百六十五条…”）。仅统计写明条号的引用。"""
    from legalkb.ingest.numerals import article_key, article_label

    lib = library(request)
    number, sub = parse_article(article)
    day = parse_date(as_of) or dt.date.today()
    key = _law_key(lib, law)
    found = lib.cited_by(key, day).get(article_key(number, sub), [])
    return CitedByOut(law_key=key, article=article_label(number, sub), as_of=day.isoformat(), total=len(found),
                      articles=[CitingArticleOut(id=a.id, doc_id=a.doc_id, title=a.title, article=a.article,
                                                 level=a.level, status=a.status, region=a.region, text=a.text)
                                for a in found])


@router.get("/api/health", response_model=HealthOut, tags=["系统 system"], summary="健康检查 / health",
            responses=errors(503))
def health(request: Request) -> Any:
    """检索引擎是否可用、索引规模、版本。无需登录（供监控使用）。/ Engine reachable, index size, version."""
    from fastapi.responses import JSONResponse

    state = request.app.state
    base = {"version": state.version, "auth": state.auth.mode, "review": review_available(),
            "cases": cases_available()}
    try:
        info = state.library.get().backend.info()
    except (ApiError, BackendError) as exc:
        body = HealthOut(status="unavailable", engine=state.settings.backend or "embedded", **base).model_dump()
        return JSONResponse({**body, "code": "engine_unavailable", "message": getattr(exc, "message", str(exc))},
                            status_code=503)
    return HealthOut(status="ok", engine=info.get("engine", ""), documents=info.get("documents", 0),
                     articles=info.get("articles", 0), **base)


@router.get("/api/me", response_model=MeOut, tags=["系统 system"], summary="当前用户 / who am I",
            responses=errors(401))
def me(request: Request) -> MeOut:
    """当前请求所用的身份与角色。/ The identity and role of the caller."""
    user = current_user(request)
    if user is None:
        if request.app.state.auth.mode == "local":
            return MeOut(name="anonymous", role="viewer", anonymous=True)
        raise ApiError(401, "unauthorized", "需要登录：请提供 API 密钥")
    return MeOut(name=user.name, role=user.role, anonymous=False)  # type: ignore[arg-type]


def review_available() -> bool:
    try:
        import legalkb.review.pipeline  # noqa: F401
    except ImportError:
        return False
    return True


def cases_available() -> bool:
    try:
        import legalkb.search.cases  # noqa: F401
    except ImportError:
        return False
    return True
