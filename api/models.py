"""Pydantic models for every request and response of the HTTP API, and the error contract.

The field descriptions are what a user reads in /docs (OpenAPI), so they are written for the
bureau's staff first (Chinese) and for integrators second (English).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Role = Literal["viewer", "reviewer", "admin"]


class ApiError(Exception):
    """An expected failure: becomes `{"code", "message"}` with `status`. `code` is stable (clients
    branch on it); `message` is Chinese and says what to do."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


class ErrorOut(BaseModel):
    """错误响应 / error body. `code` 稳定不变，可供程序判断。"""

    code: str = Field(description="稳定的错误代码，如 not_found、unauthorized、too_large / stable error code",
                      examples=["article_not_found"])
    message: str = Field(description="面向用户的中文说明 / human-readable message (Chinese)")
    detail: Any = Field(default=None, description="可选的补充信息（如参数校验错误列表）/ optional details")


# Every documented error status with its meaning, reused in route `responses=`.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "参数错误 / bad input"},
    401: {"model": ErrorOut, "description": "未登录或 API 密钥无效 / missing or invalid API key"},
    403: {"model": ErrorOut, "description": "权限不足 / role not allowed"},
    404: {"model": ErrorOut, "description": "未找到 / not found"},
    413: {"model": ErrorOut, "description": "文件过大 / upload too large"},
    415: {"model": ErrorOut, "description": "不支持的文件类型 / unsupported file type"},
    422: {"model": ErrorOut, "description": "参数校验失败或文件无法审核 / validation failed or unreviewable file"},
    503: {"model": ErrorOut, "description": "检索引擎不可用 / search engine unavailable"},
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: ERRORS[s] for s in statuses}


# -- search ------------------------------------------------------------------------------------
class SearchHit(BaseModel):
    id: str = Field(description="条文记录编号 / record id, e.g. 行政处罚法@2021-01-22#16")
    doc_id: str = Field(description="法规版本编号 / document version id, e.g. 行政处罚法@2021-01-22")
    title: str = Field(description="法规全称 / full title")
    short_title: str = Field(description="简称 / short title")
    article_no: int | None = Field(description="条号（数字）/ article number; null for texts without articles")
    article: str = Field(description="条文标签，如 第十六条 / article label")
    path: str = Field(default="", description="所在章节 / chapter path")
    level: str = Field(description="效力级别 / level (法律、行政法规、地方性法规 …)")
    status: str = Field(description="时效性 / status: 现行有效、已修改、已废止、尚未生效、已失效")
    effective: str | None = Field(description="施行日期 / effective date (YYYY-MM-DD)")
    region: str = Field(default="", description="地区（全国性法规为空）/ region, empty for national")
    issuer: str = Field(default="", description="制定机关 / issuing body")
    score: float = Field(description="相关度 / relevance score")
    match: Literal["citation", "text"] = Field(description="citation：按引用精确命中；text：全文检索")
    text: str = Field(description="条文全文 / full article text")
    highlight: str | None = Field(
        default=None, description="摘要片段（已做 HTML 转义，命中词以 <em> 标出）/ HTML-escaped snippet with <em> marks")


class CitationInfo(BaseModel):
    law: str = Field(description="识别出的法规 / law recognised in the query")
    article_no: int
    sub: int = 0
    found: bool = Field(description="该条在检索日期有效的版本中是否存在 / article exists in the version in force")
    doc_id: str | None = None


class SearchOut(BaseModel):
    query: str
    total: int = Field(description="命中总数 / total matches")
    page: int
    size: int
    as_of: str | None = Field(description="按此日期有效的版本检索 / versions in force on this date")
    took_ms: float
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="分面计数 / facet counts: field → value → count")
    citations: list[CitationInfo] = Field(default_factory=list, description="查询中识别出的引用 / citations found")
    local_regions: list[str] = Field(
        default_factory=list,
        description="问题中提到的地方（如“在浙江”），其地方性法规已与全国性规定交替排在前列 / regions named "
                    "in the question whose local rules were interleaved with the national ranking")


# -- documents and articles ---------------------------------------------------------------------
class VersionOut(BaseModel):
    doc_id: str
    title: str
    status: str
    promulgated: str | None = None
    effective: str | None = None
    in_force_until: str | None = Field(default=None, description="失效日（不含）/ in force until (exclusive)")
    version_date: str | None = None


class ParagraphOut(BaseModel):
    number: int
    text: str


class ArticleOut(BaseModel):
    key: str = Field(description="锚点键 / anchor key, e.g. 16 or 253之1")
    label: str = Field(description="第十六条")
    number: int
    sub: int = 0
    path: list[str] = Field(default_factory=list)
    text: str
    paragraphs: list[ParagraphOut] = Field(default_factory=list)


class DivisionOut(BaseModel):
    kind: str = Field(description="编 / 分编 / 章 / 节")
    heading: str
    title: str
    article_keys: list[str] = Field(default_factory=list)
    children: list[DivisionOut] = Field(default_factory=list)


class DocumentOut(BaseModel):
    doc_id: str
    law_key: str
    title: str
    short_title: str
    level: str
    status: str
    issuer: str
    doc_number: str
    region: str
    promulgated: str | None
    effective: str | None
    in_force_until: str | None
    successor: str = ""
    header: list[str] = Field(default_factory=list, description="题注（通过、修正、施行日期）/ dated header lines")
    preamble: str = ""
    body: str = ""
    versions: list[VersionOut] = Field(description="版本链，按施行日期排序 / version chain, oldest first")
    divisions: list[DivisionOut] = Field(default_factory=list, description="章节结构 / structure")
    articles: list[ArticleOut] = Field(default_factory=list)


class ArticleLookupOut(BaseModel):
    law_key: str
    doc_id: str = Field(description="所用版本 / the version used")
    title: str
    status: str
    effective: str | None
    in_force_until: str | None
    as_of: str | None = Field(description="查询日期（空为今日有效版本）/ requested date")
    article: ArticleOut
    versions: list[VersionOut]


class CitingArticleOut(BaseModel):
    id: str = Field(description="引用它的条文记录编号 / the citing article's record id")
    doc_id: str
    title: str
    article: str = Field(description="第十八条")
    level: str
    status: str
    region: str = ""
    text: str


class CitedByOut(BaseModel):
    law_key: str
    article: str = Field(description="被引用的条文 / the cited article, e.g. 第一千一百六十五条")
    as_of: str = Field(description="引用它的条文按此日有效的版本 / citing articles in force on this date")
    total: int
    articles: list[CitingArticleOut] = Field(description="其他法规中引用该条的条文，法律、行政法规、司法解释在前 / "
                                                         "articles of other laws citing it, national levels first")


# -- reviews -----------------------------------------------------------------------------------
class ReviewSummary(BaseModel):
    id: str = Field(description="审核编号（随机）/ review id")
    filename: str = Field(description="上传时的文件名（仅供显示）/ original file name, display only")
    title: str
    created: str
    owner: str
    size: int
    findings: int
    as_of: str | None


class ReviewOut(ReviewSummary):
    report: dict[str, Any] = Field(
        description="审核报告（document / findings / citations / evidence）/ the review report")
    draft_text: str = Field(default="", description="草案全文（用于对照显示）/ draft text as read")


class ReviewList(BaseModel):
    reviews: list[ReviewSummary]


# -- admin -------------------------------------------------------------------------------------
class IngestPathIn(BaseModel):
    path: str = Field(description="服务器上的文件或目录（须位于允许的导入目录下）/ server path under an allowed root")


class IngestFailure(BaseModel):
    path: str
    reason: str
    message: str


class IngestOut(BaseModel):
    files: int
    documents: int = Field(description="新增或更新的文档数 / documents added or replaced")
    unchanged: int
    articles: int
    bytes: int
    seconds: float
    failures: list[IngestFailure]
    repealed_by_text: list[str] = Field(
        default_factory=list, description="依其他法规“同时废止”的规定标为已废止的法规（来源仍列为有效）/ laws "
                                          "marked repealed because another law says so")


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"]
    engine: str
    documents: int = 0
    articles: int = 0
    version: str = Field(description="legalkb 版本 / version")
    auth: str = Field(description="认证模式 / auth mode: on, off, local")
    cases: bool = Field(default=False, description="是否提供案例检索 / case endpoints available")
    review: bool = Field(default=False, description="是否提供合法性审核 / review available")


class UserOut(BaseModel):
    name: str
    role: Role
    created: str
    disabled: bool


class MeOut(BaseModel):
    name: str
    role: Role
    anonymous: bool


class LoginIn(BaseModel):
    api_key: str = Field(description="API 密钥 / API key")


# -- cases -------------------------------------------------------------------------------------
class CaseHit(BaseModel):
    case_id: str = Field(description="案例编号 / case id")
    title: str = Field(description="案例名称 / case name")
    case_number: str = Field(default="", description="案号")
    court: str = Field(default="", description="审理法院 / court")
    date: str | None = Field(default=None, description="裁判日期 / judgment date")
    cause: str = Field(default="", description="案由 / cause of action")
    region: str = ""
    score: float = 0.0
    summary: str = Field(default="", description="摘要 / summary")
    cites: list[str] = Field(default_factory=list, description="引用的条文编号 / article ids cited")


class CaseSearchOut(BaseModel):
    query: str
    page: int
    size: int
    more: bool = Field(description="是否还有下一页 / whether another page exists")
    hits: list[CaseHit]


class CaseOut(BaseModel):
    case_id: str
    title: str
    case: dict[str, Any] = Field(description="案例全部字段（案号、法院、案情、裁判理由、引用条文…）/ all case fields")


class CaseList(BaseModel):
    law: str
    article: str
    cases: list[CaseOut]


DivisionOut.model_rebuild()
