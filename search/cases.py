"""Cases in the library: link their citations to corpus articles, index them as `kind="case"`
records in the same backend as the laws, and find them by article, topic, 案由, court, year, region.

Cases go through the `SearchBackend` contract only (no engine-specific code), so the embedded and
Elasticsearch engines serve them alike. A case record stores the whole case as JSON in `payload`;
`cites` holds, for every citation, the id of the article version the case applied
('民法典@2020-05-28#1165') when that version is in the corpus, and always the version-less
'民法典#1165' — the only id a citation of a repealed law (合同法#52) can have.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from legalkb.ingest.cases import (
    CASE_SUFFIXES,
    KNOWN_ALIASES,
    Case,
    CitedArticle,
    load_case,
    normalize_case_number,
    parse_citation,
)
from legalkb.ingest.errors import IngestError
from legalkb.ingest.metadata import all_dates, short_title
from legalkb.ingest.model import AMENDED, CURRENT, REPEALED
from legalkb.ingest.numerals import article_key
from legalkb.search.analysis import words
from legalkb.search.backend import FieldQuery, Filters, Record

if TYPE_CHECKING:
    from legalkb.ingest.model import Article, LegalDocument
    from legalkb.search.library import Library

KIND = "case"
NOT_IN_CORPUS = "未收录"          # the law is not in the corpus at all
VERSION_MISSING = "版本未收录"     # the law is, but not the version in force on the judgment date
ARTICLE_MISSING = "条文未找到"     # the version is, but has no such article
SKIP_NAMES = {"_index.md", "README.md", "readme.md", "SUMMARY.md"}
SUMMARY_CHARS = 240
QUOTE_MATCH = 0.8   # share of quoted text found in an article for the quote to confirm the link


# -- linking ----------------------------------------------------------------------------------
def _name_variants(name: str) -> list[str]:
    """Spellings to try: as written, with 〈〉/《》 swapped inside, and known colloquial aliases."""
    out = [name, name.replace("《", "〈").replace("》", "〉"), name.replace("〈", "《").replace("〉", "》")]
    bare = name.removeprefix("中华人民共和国")
    if bare in KNOWN_ALIASES:
        out.append(KNOWN_ALIASES[bare])
    return list(dict.fromkeys(out))


def _compact(text: str) -> str:
    return re.sub(r"[\s，。；：、“”‘’（）()《》,.;:!?！？\"']", "", text)


def quote_matches(quote: str, article_text: str) -> bool:
    """Does the text a case quotes ('…规定：“…”') appear in the article? Quotes elide with ……;
    each remaining piece of 4+ characters must be found, by length share ≥ QUOTE_MATCH."""
    target = _compact(article_text)
    pieces = [_compact(p) for p in re.split(r"…+|\.{3,}", quote)]
    pieces = [p for p in pieces if len(p) >= 4]
    total = sum(len(p) for p in pieces)
    if not total or not target:
        return False
    return sum(len(p) for p in pieces if p in target) / total >= QUOTE_MATCH


def _first_existed(doc: LegalDocument) -> dt.date | None:
    """When the law first existed: the earliest date in the header of a version (passed 2009 …)."""
    dates = [d for line in doc.header for d in all_dates(line)]
    dates += [d for d in (doc.promulgated, doc.effective) if d]
    return min(dates) if dates else None


def _resolve(library: Library, name: str) -> tuple[str | None, Any]:
    """→ (law_key, registry entry) for a cited law name; either may be None."""
    key, entry = None, None
    for variant in _name_variants(name):
        key = key or library.resolve_law(variant)
        entry = entry or library.registry.lookup(variant)
    if entry is not None and key is None:
        key = entry.short_title
    return key, entry


def link_citation(library: Library, c: CitedArticle, when: dt.date | None, estimated: bool) -> None:
    """Fill law_key / article_id / status / note of one citation, as of the judgment date."""
    key, entry = _resolve(library, c.law)
    c.article_id, c.successor, c.note = "", "", ""
    if key is None:
        c.law_key, c.status = short_title(c.law), NOT_IN_CORPUS
        c.note = "语料库中没有该法规"
        return
    c.law_key = key
    # No date: the version in force today is the best guess (not the oldest one in the corpus).
    got = library.article(key, c.number, c.sub, as_of=when)
    if got and when is None:
        c.note = f"裁判日期不详，链接至现行文本（{got[0].doc_id}）"
    if got:
        doc, art = got
        c.article_id, c.status = f"{doc.doc_id}#{art.key}", doc.status or CURRENT
        if doc.status == AMENDED:
            c.note = f"裁判时施行的是 {doc.doc_id} 版本，此后该法已修改"
        if entry is not None and entry.repealed:
            c.successor = entry.successor or ""
        return
    if entry is not None and entry.repealed and not library.versions(key):
        # A repealed law (合同法) whose texts the corpus lacks: keep the reference, point to the
        # successor. No article mapping: none is verified.
        c.status, c.successor = REPEALED, entry.successor or ""
        c.note = (f"{entry.title}已于{entry.repealed.isoformat()}废止"
                  + (f"，由{entry.successor}取代（条文对应关系需人工核对）" if entry.successor else ""))
        return
    versions = [d for d in library.versions(key) if d.article(c.number, c.sub)]
    if not versions:
        c.status = ARTICLE_MISSING if library.versions(key) else NOT_IN_CORPUS
        c.note = f"语料库中的{key}没有{c.label}" if c.status == ARTICLE_MISSING else "语料库中没有该法规的文本"
        return
    later = [d for d in versions if when is None or (d.effective or dt.date.min) > when] or versions[-1:]
    doc = later[0]
    art = doc.article(c.number, c.sub)
    assert art is not None
    existed = _first_existed(versions[0])
    if when is None or estimated:
        why = "裁判日期不详" if when is None else f"裁判日期不详（推定不早于 {when.isoformat()}）"
        c.note = f"{why}，链接至 {doc.doc_id} 版本"
    elif existed and existed <= when and not (c.quote and quote_matches(c.quote, art.text)):
        # The law existed in an older version that the corpus lacks; article numbers may have
        # moved since, so a link by number could show the wrong text.
        c.status = VERSION_MISSING
        c.note = (f"裁判时（{when.isoformat()}）施行的{key}版本未收录，语料库最早为 {versions[0].doc_id}；"
                  "条文序号可能已变化，未链接")
        return
    elif existed and existed <= when:
        c.note = f"裁判时施行的版本未收录；案例引文与 {doc.doc_id} 版本该条一致，已链接"
    else:
        c.note = f"裁判时该法尚未施行（评析引用），链接至 {doc.doc_id} 版本"
    c.article_id, c.status = f"{doc.doc_id}#{art.key}", doc.status or CURRENT


def link_case(library: Library, case: Case) -> Case:
    """Link every citation of a case as of its judgment date (or estimated date)."""
    for c in case.cites:
        link_citation(library, c, case.date, case.date_estimated)
    return case


# -- records ----------------------------------------------------------------------------------
def _summary(case: Case) -> str:
    text = case.holding or case.facts or case.result or case.significance
    return text[:SUMMARY_CHARS] + ("…" if len(text) > SUMMARY_CHARS else "")


def cite_ids(case: Case) -> list[str]:
    ids: list[str] = []
    for c in case.cites:
        for i in (c.article_id, c.ref_id):
            if i and i not in ids:
                ids.append(i)
    return ids


def case_record(case: Case) -> Record:
    # The year filter uses `effective`: an estimated date (the latest date in the facts) is not a
    # judgment date, so it is not indexed; the 案号 year stands in when there is no date.
    effective = None if case.date_estimated else case.date
    if effective is None and case.year:
        effective = dt.date(case.year, 1, 1) if case.case_number else None
    text = "\n".join(x for x in (case.facts, case.claims, case.issues, case.holding, case.reasoning,
                                   case.result, case.significance) if x)
    return Record(
        id=case.doc_id, kind=KIND, doc_id=case.doc_id, law_key=case.doc_id, title=case.title,
        short_title=case.case_number or case.title, level="案例", status="", issuer=case.court,
        region=case.region, category=case.cause, doc_number=case.case_number, text=_summary(case),
        effective=effective, path=" / ".join(x for x in (case.court_level, case.procedure) if x),
        cites=cite_ids(case),
        title_tokens=" ".join(words(f"{case.title} {case.headline}")),
        path_tokens=" ".join(words(" ".join([case.cause, case.court, *case.keywords]))),
        text_tokens=" ".join(words(text)),
        payload=json.dumps(case.to_dict(), ensure_ascii=False),
    )


def index_cases(library: Library, cases: Iterable[Case]) -> int:
    n = library.backend.upsert(case_record(c) for c in cases)
    library.backend.refresh()
    return n


# -- ingest -----------------------------------------------------------------------------------
@dataclass
class CaseIngestReport:
    files: int = 0
    cases: int = 0
    linked: int = 0                      # cases with ≥ 1 citation linked to a corpus article
    citations: int = 0
    linked_citations: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    case_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def case_files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            # Hidden parts are checked below the given folder only: '../shared/…' must still work.
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in CASE_SUFFIXES
                              and f.name not in SKIP_NAMES
                              and not any(x.startswith(".") for x in f.relative_to(p).parts)))
        else:
            out.append(p)
    return out


def ingest_cases(library: Library, paths: Sequence[str | Path]) -> CaseIngestReport:
    """Read, link and index case files/folders. One bad file is reported, never fatal."""
    report = CaseIngestReport()
    cases: list[Case] = []
    for path in case_files(Path(p) for p in paths):
        report.files += 1
        try:
            case = link_case(library, load_case(path))
        except IngestError as exc:
            report.failures.append({"path": str(path), "reason": exc.reason, "message": exc.message})
            continue
        except OSError as exc:
            report.failures.append({"path": str(path), "reason": "os_error", "message": str(exc)})
            continue
        cases.append(case)
        if case.warnings:
            report.warnings[str(path)] = list(case.warnings)
    by_id = {c.case_id: c for c in cases}  # the same case twice: the later file wins
    for case in by_id.values():
        report.cases += 1
        report.case_ids.append(case.case_id)
        report.citations += len(case.cites)
        n = sum(1 for c in case.cites if c.article_id)
        report.linked_citations += n
        report.linked += 1 if n else 0
    if by_id:
        index_cases(library, by_id.values())
    return report


# -- finding ----------------------------------------------------------------------------------
@dataclass
class CaseHit:
    case_id: str
    title: str
    case_number: str
    court: str
    date: str | None
    cause: str
    region: str
    score: float
    summary: str
    cites: list[str]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _hit(rec: Record, score: float) -> CaseHit:
    return CaseHit(case_id=rec.doc_id.removeprefix("case:"), title=rec.title, case_number=rec.doc_number,
                   court=rec.issuer, date=rec.effective.isoformat() if rec.effective else None,
                   cause=rec.category, region=rec.region, score=round(score, 4), summary=rec.text,
                   cites=[c for c in rec.cites if "@" in c])


def _facet_values(library: Library, name: str, value: str) -> list[str]:
    """Index values of a keyword field that contain `value` ('买卖合同' → 买卖合同纠纷,
    房屋买卖合同纠纷): users type part of a 案由 or court name, the filter needs exact terms."""
    res = library.backend.search(FieldQuery(), Filters(kind=KIND), limit=0, facets=[name])
    values = list(res.facets.get(name, {}))
    if value in values:
        return [value]
    return [v for v in values if value in v] or ["\x00none"]


def citation_ids(library: Library, citation: str, all_versions: bool = False) -> list[str]:
    """'民法典第1165条' → ids to filter `cites` on. Default: the article in the current version (or
    the version-less id for laws without texts, e.g. 合同法); `all_versions`: any version cited
    by that number. Raises ValueError when the text is not a citation."""
    parsed = parse_citation(citation)
    if parsed is None:
        raise ValueError(f"无法识别的法条：{citation}（示例：民法典第1165条、合同法第五十二条）")
    law, number, sub = parsed
    key, _ = _resolve(library, law)
    key = key or short_title(law)
    ref = f"{key}#{article_key(number, sub)}"
    if all_versions:
        return [ref]
    got = library.article(key, number, sub)
    return [f"{got[0].doc_id}#{got[1].key}"] if got else [ref]


def search_cases(library: Library, query: str = "", *, cites: Sequence[str] = (), cause: str | None = None,
                 court: str | None = None, year: int | None = None, region: str | None = None,
                 top_k: int = 10, all_versions: bool = False) -> list[CaseHit]:
    """Cases by topic (full text, same analysis as the laws) and/or filters. Several `cites` must
    all be cited. Without a query, newest first."""
    f = Filters(kind=KIND)
    if cause:
        f.category = _facet_values(library, "category", cause)
    if court:
        f.issuer = _facet_values(library, "issuer", court)
    if region:
        f.region = _facet_values(library, "region", region)
    if year:
        f.effective_from, f.effective_to = dt.date(year, 1, 1), dt.date(year, 12, 31)
    tokens = words(query) if query.strip() else []
    q = FieldQuery(tokens=tokens, title_boost=2.0, path_boost=1.0, text_boost=1.0)
    limit = top_k if tokens and not cites else 10_000
    if len(cites) <= 1:
        f.cites = [i for c in cites for i in citation_ids(library, c, all_versions)]
        res = library.backend.search(q, f, limit=limit)
        hits = [(h.record, h.score) for h in res.hits]
    else:  # Filters.cites is any-of; 'all of' is an intersection of one search per citation
        hits = []
        keep: set[str] | None = None
        for c in cites:
            f.cites = citation_ids(library, c, all_versions)
            found = {h.id: (h.record, h.score) for h in library.backend.search(q, f, limit=limit).hits}
            keep = set(found) if keep is None else keep & set(found)
            hits = [found[i] for i in found if i in keep]
    if not tokens:
        hits.sort(key=lambda x: (x[0].effective or dt.date.min, x[0].title), reverse=True)
    return [_hit(r, s) for r, s in hits[:top_k]]


def _cases(library: Library, ids: Sequence[str]) -> list[Case]:
    return [Case.from_dict(json.loads(r.payload)) for r in library.backend.get(list(ids)) if r.payload]


def _all(library: Library, filters: Filters) -> list[Case]:
    res = library.backend.search(FieldQuery(), filters, limit=10_000)
    cases = _cases(library, [h.id for h in res.hits])
    return sorted(cases, key=lambda c: (c.date or dt.date.min, c.title), reverse=True)


def all_cases(library: Library) -> list[Case]:
    return _all(library, Filters(kind=KIND))


def cases_for_article(library: Library, article_id: str) -> list[Case]:
    """Cases citing this article version ('民法典@2020-05-28#1165'), for an article view."""
    return _all(library, Filters(kind=KIND, cites=[article_id]))


def cases_citing(library: Library, law: str, article_no: int, sub: int = 0,
                 all_versions: bool = False) -> list[Case]:
    """Cases applying an article: cases_citing(lib, '民法典', 1165). Repealed laws work too
    (cases_citing(lib, '合同法', 52)) through the version-less id."""
    ids = citation_ids(library, f"{law}第{article_no}条" + (f"之{sub}" if sub else ""), all_versions)
    return _all(library, Filters(kind=KIND, cites=ids))


def get_case(library: Library, id_or_number: str) -> Case | None:
    """By case id, 案号 (any bracket style) or exact case name."""
    wanted = id_or_number.strip().removeprefix("case:")
    ids = [f"case:{wanted}"]
    number = normalize_case_number(wanted)
    if number:
        ids.append(f"case:{number}")
    found = _cases(library, ids)
    if found:
        return found[0]
    res = library.backend.search(FieldQuery(tokens=words(wanted)), Filters(kind=KIND), limit=20)
    for h in res.hits:
        if h.record.title == wanted or (number and h.record.doc_number == number):
            return _cases(library, [h.id])[0]
    return None


# -- cards for lecturers ------------------------------------------------------------------------
@dataclass
class CardArticle:
    citation: str            # 《民法典》第一千一百六十五条第一款
    status: str
    note: str
    article_id: str          # the version the case applied, if linked
    current_id: str = ""     # the version in force today
    current_text: str = ""
    quote: str = ""          # the text the case itself quotes, shown when no corpus text is linked


@dataclass
class CaseCard:
    case: Case
    summary: str             # 案情简介
    issues: str              # 争议焦点
    result: str              # 裁判结果
    points: str              # 释法要点
    articles: list[CardArticle] = field(default_factory=list)


def _trim(text: str, limit: int) -> str:
    """Cut at a sentence end before `limit` so a card does not stop mid-sentence."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = max(text.rfind(p, 0, limit) for p in "。；！？")
    return text[:cut + 1] if cut > limit // 2 else text[:limit] + "…"


def _issues(case: Case) -> str:
    if case.issues:
        return case.issues
    found = re.findall(r"(?:^|[。\n])\s*[一二三四五六七八九十、]*\s*关于([^。\n]{4,80}?)的问题", case.reasoning)
    return "；".join(f"{q}" for q in found[:4])


def _current(library: Library, c: CitedArticle) -> tuple[LegalDocument, Article] | None:
    if c.status in (REPEALED, NOT_IN_CORPUS) or not c.law_key:
        return None
    return library.article(c.law_key, c.number, c.sub)


def case_card(library: Library, case: Case) -> CaseCard:
    articles = []
    for c in case.cites:
        cur = _current(library, c)
        ca = CardArticle(citation=c.display(), status=c.status, note=c.note, article_id=c.article_id)
        if cur and (c.article_id or c.status != VERSION_MISSING):
            doc, art = cur
            ca.current_id, ca.current_text = f"{doc.doc_id}#{art.key}", art.text
            if c.article_id and ca.current_id != c.article_id:
                ca.note = (ca.note + "；" if ca.note else "") + f"下列为现行文本（{doc.doc_id}）"
        if not ca.current_text:
            ca.quote = c.quote
        articles.append(ca)
    return CaseCard(
        case=case,
        summary=_trim(case.facts or case.claims, 500),
        issues=_issues(case),
        result=_trim(case.result, 500),
        points=_trim(case.holding or case.significance or case.reasoning, 600),
        articles=articles,
    )
