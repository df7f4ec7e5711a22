"""Server-rendered pages (Chinese UI): search, document, review, login, API docs.

Pages call the same functions as the JSON API (run_search, create_review, …) so both validate
and answer alike; JavaScript only adds conveniences (auto-submit filters, an upload spinner).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from legalkb.api.auth import SESSION_COOKIE, current_user
from legalkb.api.models import ApiError
from legalkb.api.store import Store, User
from legalkb.ingest.metadata import book_title
from legalkb.ingest.numerals import article_key

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["book"] = book_title

STATUS_CLASS = {"现行有效": "current", "已修改": "amended", "已废止": "repealed", "尚未生效": "pending",
                "已失效": "expired", "未核实": "unverified"}
SEVERITY_CLASS = {"blocker": "blocker", "high": "high", "medium": "medium", "low": "low"}
SEVERITY_CN = {"blocker": "严重", "high": "高", "medium": "中", "low": "低"}
FACET_LABELS = {"level": "效力级别", "status": "时效性", "region": "地区"}
templates.env.globals.update(STATUS_CLASS=STATUS_CLASS, SEVERITY_CLASS=SEVERITY_CLASS, FACET_LABELS=FACET_LABELS)


def _user(request: Request) -> User | None:
    try:
        return current_user(request)
    except ApiError:  # a bad key header on a page: treat as not logged in
        return None


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    state = request.app.state
    base = {"user": _user(request), "auth_mode": state.auth.mode, "version": state.version, "nav": ""}
    return templates.TemplateResponse(request, name, {**base, **ctx}, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status=status, status_code=status, message=message)


def _safe_next(value: str | None) -> str:
    # Only same-site paths: an open redirect after login would be a phishing aid.
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def _login_redirect(request: Request) -> RedirectResponse:
    from urllib.parse import quote

    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def _viewer_or_redirect(request: Request) -> User | RedirectResponse | None:
    """Pages for viewers: anonymous is fine in local mode; otherwise log in first."""
    user = _user(request)
    if user is None and request.app.state.auth.mode != "local":
        return _login_redirect(request)
    return user


# -- search ------------------------------------------------------------------------------------
_STATS: dict[str, Any] = {}


def _stats(request: Request) -> dict[str, Any]:
    """Index statistics for the landing page, cached for a minute (it scans facets)."""
    if _STATS.get("until", 0) < time.monotonic():
        try:
            _STATS.update(value=request.app.state.library.get().stats(), until=time.monotonic() + 60)
        except Exception:  # the page still works; /api/health reports the engine problem
            return {}
    return _STATS.get("value", {})


@router.get("/", response_class=HTMLResponse)
@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = "", as_of: str = "", all_versions: bool = False, page: int = 1) -> Any:
    from legalkb.api.routes_search import run_search

    user = _viewer_or_redirect(request)
    if isinstance(user, RedirectResponse):
        return user
    params = request.query_params
    level, status, region = params.getlist("level"), params.getlist("status"), params.getlist("region")
    result, error = None, ""
    if q.strip():
        try:
            result = run_search(request.app.state.library.get(), q, page=max(1, min(page, 1000)), size=10,
                                level=level, status=status, region=region, as_of=as_of or None,
                                all_versions=all_versions, facets="level,status,region")
        except ApiError as exc:
            if exc.status >= 500:
                raise
            error = exc.message
    pages = 0
    if result:
        pages = min(100, (result.total + result.size - 1) // result.size)
    store = getattr(request.app.state.library.get(), "answered", None)
    can_answer = user is not None and user.can("reviewer") and store is not None
    # Articles already recorded as answering this very question: shown as such, not as a button.
    # Keyed like a hit's id without the version: 'law_key#article key' (law_key is the id's prefix).
    recorded = ({f"{law}#{article_key(no, sub)}" for law, no, sub in store.refs_for(q)}
                if can_answer and result else set())
    return render(request, "search.html", nav="search", q=q, as_of=as_of, all_versions=all_versions,
                  can_answer=can_answer, answered=params.get("answered", ""), answered_id=params.get("aid", ""),
                  recorded=recorded,
                  back=page_url(request, answered=None),
                  selected={"level": level, "status": status, "region": region}, result=result, error=error,
                  pages=pages, page=page, stats=None if q.strip() else _stats(request),
                  today=dt.date.today().isoformat())


def page_url(request: Request, **changes: Any) -> str:
    """The current URL with some query parameters replaced (pagination links); the one-off
    notices (answered, aid, deleted) are never carried over."""
    from urllib.parse import urlencode

    items = [(k, v) for k, v in request.query_params.multi_items()
             if k not in changes and k not in ("answered", "aid", "deleted")]
    items += [(k, str(v)) for k, v in changes.items() if v is not None]
    return f"{request.url.path}?{urlencode(items)}"


templates.env.globals["page_url"] = page_url


# -- documents ---------------------------------------------------------------------------------
def _cases_by_article(lib: Any, law_key: str) -> dict[str, list[Any]]:
    """Cases citing any version of this law, by article key. Cases are few (hundreds), so one
    pass over them beats a query per article."""
    try:
        from legalkb.search.cases import all_cases
    except ImportError:
        return {}
    out: dict[str, list[Any]] = {}
    for case in all_cases(lib):
        for c in case.cites:
            if c.law_key == law_key and case not in out.get(c.key, []):
                out.setdefault(c.key, []).append(case)
    return out


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str, as_of: str = "") -> Any:
    from legalkb.api.routes_search import find_document, parse_date

    user = _viewer_or_redirect(request)
    if isinstance(user, RedirectResponse):
        return user
    lib = request.app.state.library.get()
    doc = find_document(lib, doc_id)
    if as_of:  # "as in force on": jump to the version of that date
        day = parse_date(as_of)
        rec = lib.version_at(doc.law_key, day)
        if rec is None:
            raise ApiError(404, "no_version_in_force", f"《{doc.short_title}》在 {as_of} 没有有效版本")
        if rec.doc_id != doc.doc_id:
            return RedirectResponse(f"/documents/{rec.doc_id}?as_of={as_of}", status_code=303)
    versions = lib.versions(doc.law_key)
    current = next((v for v in versions if v.status == "现行有效"), None)
    # Other laws' articles citing this one: shown on the version in force today, the one they mean.
    cited_by = lib.cited_by(doc.law_key) if current is not None and current.doc_id == doc.doc_id else {}
    return render(request, "document.html", nav="search", doc=doc, versions=versions, current=current,
                  as_of=as_of, cases=_cases_by_article(lib, doc.law_key), articles=_article_groups(doc),
                  cited_by=cited_by)


def _article_groups(doc: Any) -> list[tuple[list[str], list[Any]]]:
    """Articles grouped under their chapter path, in order, for headings in the text."""
    groups: list[tuple[list[str], list[Any]]] = []
    for a in doc.articles:
        if not groups or groups[-1][0] != a.path:
            groups.append((a.path, []))
        groups[-1][1].append(a)
    return groups


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str) -> Any:
    user = _viewer_or_redirect(request)
    if isinstance(user, RedirectResponse):
        return user
    try:
        from legalkb.search.cases import get_case
    except ImportError as exc:
        raise ApiError(404, "case_not_found", "案例模块不可用") from exc
    case = get_case(request.app.state.library.get(), case_id)
    if case is None:
        raise ApiError(404, "case_not_found", f"没有找到案例：{case_id}")
    return render(request, "case.html", nav="search", case=case)


# -- review ------------------------------------------------------------------------------------
@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request) -> Any:
    from legalkb.api.routes_search import review_available

    user = _viewer_or_redirect(request)
    if isinstance(user, RedirectResponse):
        return user
    rows = []
    if user is not None and user.can("reviewer"):
        rows = request.app.state.store.reviews(user.id)
    return render(request, "review.html", nav="review", rows=rows, available=review_available(), error="",
                  max_mb=request.app.state.settings.max_upload_mb)


@router.post("/review", response_class=HTMLResponse)
async def review_submit(request: Request, file: Annotated[UploadFile, File()],
                        as_of: Annotated[str, Form()] = "") -> Any:
    from legalkb.api.routes_review import create_review, read_upload
    from legalkb.api.routes_search import parse_date

    user = _user(request)
    if user is None:
        return _login_redirect(request)
    if not user.can("reviewer"):
        raise ApiError(403, "forbidden", "您的账号没有审核权限（需要 reviewer 角色）")
    try:
        day = parse_date(as_of or None)
        data = await read_upload(file, request.app.state.settings.max_upload_mb)
        row = await run_in_threadpool(create_review, request, user, file.filename or "", data, day)
    except ApiError as exc:
        if exc.status >= 500:
            raise
        rows = request.app.state.store.reviews(user.id)
        return render(request, "review.html", status=exc.status, nav="review", rows=rows, available=True,
                      error=exc.message, max_mb=request.app.state.settings.max_upload_mb)
    return RedirectResponse(f"/reviews/{row.id}", status_code=303)


_BLANK_LINES = re.compile(r"\n[ \t\u3000]*\n+")


def _marked_segments(text: str, spans: list[tuple[int, int, int]]) -> list[tuple[str, int | None]]:
    """Split `text` into runs, each either plain (None) or covered by a finding (its index).
    Overlaps go to the earlier finding: a clause is marked once, every finding still has a card."""
    owner: list[int | None] = [None] * len(text)
    for start, end, idx in spans:
        for i in range(max(0, start), min(len(text), end)):
            if owner[i] is None:
                owner[i] = idx
    out: list[tuple[str, int | None]] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and owner[j] == owner[i]:
            j += 1
        out.append((text[i:j], owner[i]))
        i = j
    return out


def review_blocks(bundle: dict[str, Any]) -> dict[str, Any]:
    """The draft cut into blocks (preamble, then one per article), each with its marked text and
    its findings, for the side-by-side view. Document-level findings (article 0) and any finding
    that cannot be placed go on top."""
    text: str = bundle["draft_text"]
    findings = bundle["view"]["findings"]
    spans = bundle.get("finding_spans") or []
    located: list[tuple[int, int, int]] = []
    for i, f in enumerate(findings):
        start, end = spans[i] if i < len(spans) else (-1, -1)
        if start is None or start < 0:  # no offsets: find the quote (it is an exact span of the draft)
            start = text.find(f["quote"]) if f.get("quote") else -1
            end = start + len(f["quote"]) if start >= 0 else -1
        f["number"] = i + 1
        located.append((start, end, i))
    articles = bundle.get("articles") or []
    bounds: list[tuple[int, int, dict | None]] = [(0, articles[0]["start"] if articles else len(text), None)]
    bounds += [(a["start"], a["end"], a) for a in articles]
    blocks = []
    placed: set[int] = set()
    for lo, hi, art in bounds:
        while lo < hi and text[lo] in "\n\r \u3000":
            lo += 1
        while hi > lo and text[hi - 1] in "\n\r \u3000":
            hi -= 1
        if hi <= lo:
            continue
        local = [(s - lo, e - lo, i) for s, e, i in located if 0 <= s < hi and e > lo]
        # Marks for every finding (incl. document-level ones, whose cards stay on top).
        idx = [i for _, _, i in local if findings[i]["article"] != 0]
        if art is not None:  # findings about this article whose quote was not found in it
            idx += [i for i, f in enumerate(findings) if f["article"] == art["number"] and i not in idx
                    and located[i][0] < 0]
        mine = [findings[i] for i in sorted(set(idx) - placed)]
        placed.update(idx)
        # Drafts often put a blank line between paragraphs; shown as written that doubles every gap.
        segments = [(_BLANK_LINES.sub("\n", t), i) for t, i in _marked_segments(text[lo:hi], local)]
        blocks.append({"article": art, "segments": segments, "findings": mine})
    document_level = [f for i, f in enumerate(findings) if i not in placed]
    return {"blocks": blocks, "document_findings": document_level}


@router.get("/reviews/{review_id}", response_class=HTMLResponse)
def review_detail(request: Request, review_id: str) -> Any:
    from legalkb.api.routes_review import load_bundle, owned_review

    user = _user(request)
    if user is None:
        return _login_redirect(request)
    if not user.can("reviewer"):
        raise ApiError(403, "forbidden", "您的账号没有审核权限（需要 reviewer 角色）")
    row = owned_review(request, user, review_id)
    bundle = load_bundle(request.app.state.store, row)
    view = bundle["view"]
    counts = {sev: sum(1 for f in view["findings"] if f["severity"] == sev) for sev in SEVERITY_CLASS}
    severity_counts = [(sev, SEVERITY_CN[sev], n) for sev, n in counts.items() if n]  # most severe first
    return render(request, "review_detail.html", nav="review", row=row, view=view,
                  severity_counts=severity_counts, **review_blocks(bundle))


@router.post("/reviews/{review_id}/delete")
def review_delete(request: Request, review_id: str) -> Any:
    from legalkb.api.routes_review import owned_review

    user = _user(request)
    if user is None or not user.can("reviewer"):
        return _login_redirect(request)
    row = owned_review(request, user, review_id)
    store: Store = request.app.state.store
    store.delete_review(row.id)
    store.audit(user.name, "review.delete", row.id, request.client.host if request.client else "",
                owner=row.owner, filename=row.filename)
    return RedirectResponse("/review?deleted=1", status_code=303)


def _back_to(back: str, **notice: str) -> RedirectResponse:
    """Back to a same-site page with a one-off notice in its query string."""
    from urllib.parse import urlencode

    target = _safe_next(back)
    return RedirectResponse(f"{target}{'&' if '?' in target else '?'}{urlencode(notice)}", status_code=303)


@router.post("/answered")
def answered_submit(request: Request, q: Annotated[str, Form()], ref: Annotated[str, Form()],
                    back: Annotated[str, Form()] = "/") -> Any:
    """'This article answered the question' from a search result: recorded in the answered-question
    memory (search/answered.py), then back to the same results."""
    from legalkb.api.routes_answered import record

    user = _user(request)
    if user is None or not user.can("reviewer"):
        return _login_redirect(request)
    got = request.app.state.library.get().backend.get([ref])
    rec = got[0] if got and got[0].kind == "article" and got[0].article_no is not None else None
    if rec is None:
        raise ApiError(404, "not_found", f"没有这条条文：{ref}")
    cite = f"{rec.short_title or rec.title}{rec.article or ''}"
    entry = record(request, user, q, [(rec.law_key, rec.article_no, rec.article_sub or 0)], [cite])
    return _back_to(back, answered=cite, aid=entry.id)


@router.get("/answered", response_class=HTMLResponse)
def answered_page(request: Request) -> Any:
    """The answered questions recorded here: what they are, who added them, and (reviewers) removal."""
    user = _viewer_or_redirect(request)
    if isinstance(user, RedirectResponse):
        return user
    store = getattr(request.app.state.library.get(), "answered", None)
    entries = list(reversed(store.entries())) if store is not None else []
    can_edit = user is not None and user.can("reviewer") and store is not None
    return render(request, "answered.html", nav="search", entries=entries, can_edit=can_edit,
                  deleted=request.query_params.get("deleted", ""))


@router.post("/answered/{entry_id}/delete")
def answered_delete(request: Request, entry_id: str, back: Annotated[str, Form()] = "/answered") -> Any:
    from legalkb.api.routes_answered import forget

    user = _user(request)
    if user is None or not user.can("reviewer"):
        return _login_redirect(request)
    return _back_to(back, deleted=forget(request, user, entry_id).question)


# -- login -------------------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Any:
    return render(request, "login.html", next=_safe_next(next), error="")


@router.post("/login", response_class=HTMLResponse)
def login_submit(request: Request, api_key: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/") -> Any:
    from legalkb.api.routes_admin import login_user, set_session_cookie

    try:
        _, token = login_user(request, api_key)
    except ApiError as exc:
        return render(request, "login.html", status=401, next=_safe_next(next), error=exc.message)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, token)
    return response


@router.post("/logout")
def logout_submit(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        request.app.state.store.end_session(token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- API docs ----------------------------------------------------------------------------------
@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Any:
    """A self-contained reading of the OpenAPI schema (Swagger UI would need a CDN)."""
    spec = request.app.openapi()
    ops = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            ops.append({"path": path, "method": method.upper(), **op})
    tags = [t["name"] for t in spec.get("tags", [])]
    ops.sort(key=lambda o: (tags.index(o["tags"][0]) if o.get("tags") and o["tags"][0] in tags else 99))
    return render(request, "docs.html", nav="docs", spec=spec, ops=ops, tags=spec.get("tags", []))
