"""Cases: search, detail, and the cases citing an article. Thin: legalkb.search.cases does the work."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from legalkb.api.auth import require
from legalkb.api.models import ApiError, CaseHit, CaseList, CaseOut, CaseSearchOut, errors
from legalkb.api.routes_search import library, parse_article
from legalkb.api.store import User
from legalkb.ingest.numerals import article_label

router = APIRouter()
Viewer = Annotated[User, Depends(require("viewer", anonymous_ok=True))]


def _cases_module() -> Any:
    try:
        from legalkb.search import cases
    except ImportError as exc:  # pragma: no cover - cases ship with the package
        raise ApiError(503, "cases_unavailable", "案例模块不可用") from exc
    return cases


def case_out(case: Any) -> CaseOut:
    return CaseOut(case_id=case.case_id, title=case.title, case=case.to_dict())


@router.get("/api/cases", response_model=CaseSearchOut, tags=["案例 cases"], summary="检索案例 / search cases",
            responses=errors(400, 401, 403, 503))
def search_cases(
    request: Request,
    user: Viewer,
    q: Annotated[str, Query(description="主题或关键词 / topic or keywords")] = "",
    cites: Annotated[list[str] | None, Query(description="引用的条文，如 民法典第1165条，可重复（须全部引用）")] = None,
    cause: Annotated[str | None, Query(description="案由（可部分匹配）/ cause of action")] = None,
    court: Annotated[str | None, Query(description="法院（可部分匹配）/ court")] = None,
    year: Annotated[int | None, Query(ge=1949, le=2100, description="裁判年份 / year")] = None,
    region: Annotated[str | None, Query(description="地区 / region")] = None,
    page: Annotated[int, Query(ge=1, le=100)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 10,
) -> CaseSearchOut:
    """按主题、引用条文、案由、法院、年份、地区检索案例。无检索词时按裁判日期从新到旧。"""
    cases = _cases_module()
    try:
        hits = cases.search_cases(library(request), q, cites=cites or (), cause=cause, court=court, year=year,
                                  region=region, top_k=page * size + 1)
    except ValueError as exc:
        raise ApiError(400, "bad_citation", str(exc)) from None
    start = (page - 1) * size
    return CaseSearchOut(query=q, page=page, size=size, more=len(hits) > start + size,
                         hits=[CaseHit(**h.to_dict()) for h in hits[start:start + size]])


@router.get("/api/cases/{case_id}", response_model=CaseOut, tags=["案例 cases"], summary="案例详情 / case",
            responses=errors(401, 403, 404, 503))
def get_case(request: Request, user: Viewer,
             case_id: Annotated[str, Path(description="案例编号、案号或案例名称 / id, case number or name")]) -> CaseOut:
    """案例全文与字段（案号、法院、案情、争议焦点、裁判理由、裁判结果、引用条文及其现行状态）。"""
    case = _cases_module().get_case(library(request), case_id)
    if case is None:
        raise ApiError(404, "case_not_found", f"没有找到案例：{case_id}")
    return case_out(case)


@router.get("/api/articles/{law}/{article}/cases", response_model=CaseList, tags=["案例 cases"],
            summary="引用某条文的案例 / cases citing an article", responses=errors(400, 401, 403, 503))
def cases_citing(
    request: Request,
    user: Viewer,
    law: Annotated[str, Path(description="法规名称，如 民法典（已废止的法律也可，如 合同法）")],
    article: Annotated[str, Path(description="条号：1165、第一千一百六十五条")],
    all_versions: Annotated[bool, Query(description="包括引用该条旧版本的案例 / any version")] = False,
) -> CaseList:
    """适用该条文的案例（例：`/api/articles/民法典/1165/cases`）。"""
    number, sub = parse_article(article)
    found = find_cases_citing(library(request), law, number, sub, all_versions)
    return CaseList(law=law, article=article_label(number, sub), cases=[case_out(c) for c in found])


def find_cases_citing(lib: Any, law: str, number: int, sub: int = 0, all_versions: bool = False) -> list[Any]:
    try:
        return _cases_module().cases_citing(lib, law.strip("《》"), number, sub, all_versions=all_versions)
    except ValueError as exc:
        raise ApiError(400, "bad_citation", str(exc)) from None
