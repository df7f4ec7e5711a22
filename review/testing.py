"""An in-memory stand-in for `legalkb.search.library.Library`, for unit tests of the review stages.

Implements exactly what the review engine uses (resolve_law, versions, article, search, cited_by,
registry)
over hand-built LegalDocuments, so each stage can be tested without an index or ../shared.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from legalkb.corpus.crosswalk import containment
from legalkb.ingest.metadata import short_title
from legalkb.ingest.model import CURRENT, Article, LegalDocument, Paragraph
from legalkb.ingest.numerals import article_key, article_label, cn_to_int, int_to_cn
from legalkb.ingest.status import StatusRegistry


@dataclass
class FakeHit:
    title: str
    short_title: str
    article: str
    article_no: int | None
    level: str
    status: str
    text: str
    score: float
    doc_id: str = ""
    effective: str | None = None
    highlight: str = ""
    region: str = ""


@dataclass
class FakeResponse:
    hits: list[FakeHit]


def make_law(title: str, articles: dict[int, str | list[str]], *, effective: dt.date = dt.date(2020, 1, 1),
             level: str = "法律", status: str = CURRENT, in_force_until: dt.date | None = None,
             region: str = "") -> LegalDocument:
    """A LegalDocument from {number: text or [paragraphs]}."""
    arts = []
    for n, t in sorted(articles.items()):
        paras = t if isinstance(t, list) else [t]
        arts.append(Article(number=n, paragraphs=[Paragraph(i + 1, p) for i, p in enumerate(paras)]))
    return LegalDocument(title=title, short_title=short_title(title), level=level, effective=effective,
                         version_date=effective, status=status, in_force_until=in_force_until, articles=arts,
                         region=region)


class FakeLibrary:
    def __init__(self, docs: Sequence[LegalDocument] = (), registry: StatusRegistry | None = None) -> None:
        self.docs: dict[str, list[LegalDocument]] = {}
        for d in docs:
            self.docs.setdefault(d.law_key, []).append(d)
        for v in self.docs.values():
            v.sort(key=lambda d: d.effective or dt.date.min)
        self.registry = registry or StatusRegistry([])
        self.searches = 0
        self.search_options: list[dict[str, Any]] = []  # keyword options of each search call

    def resolve_law(self, name: str) -> str | None:
        key = short_title(name.strip("《》").replace("〈", "《").replace("〉", "》"))
        if key in self.docs:
            return key
        e = self.registry.lookup(name)
        return e.short_title if e else None

    def versions(self, law: str) -> list[LegalDocument]:
        return list(self.docs.get(self.resolve_law(law) or law, []))

    def article(self, law: str, number: int, sub: int = 0,
                as_of: dt.date | None = None) -> tuple[LegalDocument, Article] | None:
        vs = self.versions(law)
        day = as_of or dt.date.today()
        live = [v for v in vs if (v.effective or dt.date.min) <= day
                and (v.in_force_until is None or day < v.in_force_until)]
        doc = live[-1] if live else (vs[-1] if vs else None)
        art = doc.article(number, sub) if doc else None
        return (doc, art) if doc and art else None

    def law_titles(self, level: str) -> list[str]:
        return sorted({d.title for vs in self.docs.values() for d in vs if d.level == level})

    def cited_by(self, law: str, as_of: dt.date | None = None) -> dict[str, list[SimpleNamespace]]:
        """Article key → articles of other laws naming 《law》第N条 (the real one parses every citation)."""
        key = self.resolve_law(law)
        out: dict[str, list[SimpleNamespace]] = {}
        for vs in self.docs.values():
            doc = vs[-1]
            if doc.law_key == key:
                continue
            for a in doc.articles:
                for m in re.finditer(r"《([^》]+)》第([一二三四五六七八九十百零]+)条", a.text):
                    if self.resolve_law(m.group(1)) == key:
                        out.setdefault(article_key(cn_to_int(m.group(2))), []).append(SimpleNamespace(
                            title=doc.title, article=article_label(a.number), status=doc.status, text=a.text,
                            region=doc.region))
        return out

    def search(self, text: str, *, top_k: int = 10, level: Sequence[str] = (), as_of: dt.date | None = None,
               **kw: Any) -> FakeResponse:
        """Ranks current articles by bigram containment — enough for restatement tests."""
        self.searches += 1
        self.search_options.append(kw)
        hits = []
        for vs in self.docs.values():
            doc = vs[-1]
            if level and doc.level not in level:
                continue
            for a in doc.articles:
                s = containment(text, a.text)
                if s > 0.1:
                    hits.append(FakeHit(doc.title, doc.short_title, article_label(a.number), a.number, doc.level,
                                        doc.status, a.text, s, doc_id=doc.doc_id, region=doc.region))
        hits.sort(key=lambda h: -h.score)
        return FakeResponse(hits[:top_k])


def draft_text(*articles: str, title: str = "河湾县测试办法", doc_number: str = "河政发〔2026〕9号",
               issuer: str = "河湾县人民政府",
               tail: str = "本办法自2026年4月1日起施行，有效期至2031年3月31日。") -> str:
    """A minimal draft around the given clauses: title, 文号, issuer line, numbered articles and a
    lawful 施行/有效期 article last, so a rule test sees only the clause under test."""
    head = f"{title}\n{doc_number}\n{issuer}　2026年3月1日\n\n"
    return head + "\n\n".join(f"第{int_to_cn(i + 1)}条　{a}" for i, a in enumerate([*articles, tail]))


def review_clauses(library: Any, *articles: str, **draft: str) -> Any:
    """Review a minimal draft (see draft_text) without the evidence stage."""
    from legalkb.review.pipeline import review_text

    return review_text(draft_text(*articles, **draft), library, evidence=False)


def categories(report: Any, article: int | None = 1) -> set[str]:
    """Finding categories on one draft article (None: on any article)."""
    return {f.category for f in report.findings if article is None or f.article == article}
