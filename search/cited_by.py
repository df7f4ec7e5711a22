"""Where an article is cited by other laws: 民法典第一千一百六十五条 is applied by articles of the
司法解释 and of local regulations that name it. An adviser reading an article wants those next to it.

Found when asked, through the engine: one phrase search for the law's name among articles in force,
then each hit's own citations parsed (search/citations.py, the parser queries use) and resolved with
the library's law names — so it needs no index field, costs ~0.3 s for the 民法典 (419 articles
name it) and works the same on both engines. Cases citing an article are search/cases.py's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from legalkb.ingest.numerals import article_key
from legalkb.search.analysis import chars, words
from legalkb.search.backend import FieldQuery, Filters, Record, SearchBackend
from legalkb.search.citations import find_citations

# Articles naming one law: the 民法典 is named by ~420 in force, the most of any law.
MAX_NAMING = 5_000
_LEVEL_ORDER = {lv: i for i, lv in enumerate(("法律", "行政法规", "司法解释", "部门规章", "地方性法规"))}


@dataclass(frozen=True)
class CitingArticle:
    id: str
    doc_id: str
    title: str
    short_title: str
    article: str
    level: str
    status: str
    region: str
    text: str

    @classmethod
    def of(cls, r: Record) -> CitingArticle:
        return cls(id=r.id, doc_id=r.doc_id, title=r.title, short_title=r.short_title, article=r.article or "",
                   level=r.level, status=r.status, region=r.region, text=r.text)


def citing_articles(backend: SearchBackend, resolve: Callable[[str], str | None], law_key: str,
                    names: list[str], as_of: dt.date | None = None) -> dict[str, list[CitingArticle]]:
    """Article key ('1165', '253之1') of `law_key` → the articles of other laws in force on `as_of`
    (default: any version) that cite it, national levels first. `names`: the law's titles to look
    for (full and short)."""
    seen: dict[str, Record] = {}
    for name in dict.fromkeys(n for n in names if n):
        q = FieldQuery(tokens=words(name), phrases=[chars(name)])
        for h in backend.search(q, Filters(kind="article", as_of=as_of), limit=MAX_NAMING).hits:
            if h.record.law_key != law_key:
                seen.setdefault(h.id, h.record)
    out: dict[str, list[CitingArticle]] = {}
    for r in seen.values():
        cites, _ = find_citations(r.text, resolve)
        for key in dict.fromkeys(article_key(c.number, c.sub) for c in cites if c.law_key == law_key):
            out.setdefault(key, []).append(CitingArticle.of(r))
    for arts in out.values():
        arts.sort(key=lambda a: (_LEVEL_ORDER.get(a.level, 9), a.title, a.id))
    return out
