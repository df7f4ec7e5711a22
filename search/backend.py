"""The one contract both search engines implement (embedded tantivy, Elasticsearch).

Engines never tokenise: records arrive with their token streams already made by
`legalkb.search.analysis`, and queries arrive as token lists. That is what keeps results the same
across engines. The shared contract tests live in tests/contract.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


class BackendError(Exception):
    """The engine failed (unreachable, refused, index missing). Message names what and where."""


class BackendUnavailable(BackendError):
    """The engine cannot be reached at all."""


@dataclass
class Record:
    """One indexed unit: a whole document (kind='document') or one article (kind='article').

    Token fields are space-joined token strings made by legalkb.search.analysis.
    """

    id: str                    # 'doc_id' for documents, 'doc_id#16' for articles
    kind: str                  # 'document' | 'article'
    doc_id: str
    law_key: str
    title: str
    short_title: str
    level: str
    status: str
    issuer: str = ""
    region: str = ""
    category: str = ""
    doc_number: str = ""
    article_no: int | None = None
    article_sub: int = 0
    article: str = ""          # label: 第十六条
    path: str = ""             # chapter path: 第二章 行政处罚的种类和设定
    text: str = ""             # display text (article text, or document summary)
    effective: dt.date | None = None
    in_force_until: dt.date | None = None  # exclusive; None = open-ended
    ordinal: int = 0           # article order in the document
    cites: list[str] = field(default_factory=list)  # article ids a case/document cites ('民法典@2020-05-28#1165')
    title_tokens: str = ""
    path_tokens: str = ""
    text_tokens: str = ""
    chars: str = ""            # per-character stream of `text`
    payload: str = ""          # JSON of the whole LegalDocument (document records only)
    content_hash: str = ""     # of the source text: re-ingesting an unchanged file is a no-op
    vector: list[float] | None = None


@dataclass
class Filters:
    level: Sequence[str] = ()
    status: Sequence[str] = ()
    region: Sequence[str] = ()
    issuer: Sequence[str] = ()
    category: Sequence[str] = ()
    kind: str | None = "article"   # None = both
    law_keys: Sequence[str] = ()
    doc_ids: Sequence[str] = ()
    cites: Sequence[str] = ()       # records citing any of these article ids
    as_of: dt.date | None = None   # in force on that date: effective <= as_of < in_force_until
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None

    def term_filters(self) -> list[tuple[str, list[str]]]:
        """(keyword field, accepted values) pairs: one list both engines turn into their own
        terms filters, so a new keyword filter is added here once."""
        pairs = [("kind", [self.kind] if self.kind else []), ("level", self.level), ("status", self.status),
                 ("region", self.region), ("issuer", self.issuer), ("category", self.category),
                 ("law_key", self.law_keys), ("doc_id", self.doc_ids), ("cites", self.cites)]
        return [(name, list(values)) for name, values in pairs if values]


@dataclass
class FieldQuery:
    """Tokens to score against each field with a boost. Empty `tokens` = match all (filters only)."""

    tokens: Sequence[str] = ()
    title_boost: float = 2.0
    path_boost: float = 0.5
    text_boost: float = 1.0
    phrases: Sequence[Sequence[str]] = ()   # char-token phrases that must match (in `chars`)
    phrase_boost: float = 2.0
    # Char-token phrases that earn a bonus when present (not required): the query's own wording.
    should_phrases: Sequence[Sequence[str]] = ()
    should_phrase_boost: float = 3.0
    # Extra per-token weights (query analysis may weight terms); missing → 1.0.
    weights: dict[str, float] = field(default_factory=dict)
    # Boost whole laws (law_key → boost), e.g. from law-title prediction.
    law_boosts: dict[str, float] = field(default_factory=dict)

    def term_boosts(self) -> list[tuple[str, str, float]]:
        """(token field, token, boost) for every scoring term clause. Repeated tokens count once
        with their multiplicity; both engines build their term clauses from this list, so the
        scoring semantics live in one place."""
        counts: dict[str, int] = {}
        for t in self.tokens:
            counts[t] = counts.get(t, 0) + 1
        out = []
        for tok, c in counts.items():
            w = self.weights.get(tok, 1.0) * c
            for name, boost in (("title_tokens", self.title_boost), ("path_tokens", self.path_boost),
                                ("text_tokens", self.text_boost)):
                if boost > 0 and w > 0:
                    out.append((name, tok, boost * w))
        return out


@dataclass
class EngineHit:
    id: str
    score: float
    record: Record


@dataclass
class EngineResult:
    total: int
    hits: list[EngineHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@runtime_checkable
class SearchBackend(Protocol):
    """What an engine must do. Methods are synchronous; errors are BackendError."""

    name: str

    def upsert(self, records: Iterable[Record]) -> int:
        """Index records, replacing every record of the same doc_ids (a changed document replaces
        its old version completely). Returns the number of records written. Visible after
        `refresh()`."""
        ...

    def delete_documents(self, doc_ids: Sequence[str]) -> int:
        """Remove all records of these documents."""
        ...

    def refresh(self) -> None:
        """Make writes visible to search."""
        ...

    def search(self, query: FieldQuery, filters: Filters, *, limit: int = 10, offset: int = 0,
               facets: Sequence[str] = ()) -> EngineResult:
        """BM25 over title/path/text token fields (+ phrase constraints), filtered; facet counts
        (value → count) for the requested keyword fields over all matching records."""
        ...

    def get(self, ids: Sequence[str]) -> list[Record]:
        """Records by id, in the order asked; missing ids are skipped."""
        ...

    def documents(self, filters: Filters, *, limit: int = 10_000) -> list[Record]:
        """Document records matching filters (no scoring), e.g. all versions of a law_key."""
        ...

    def vector_search(self, vector: Sequence[float], filters: Filters, *, limit: int = 10) -> list[EngineHit]:
        """Nearest article records by cosine similarity (records that have vectors)."""
        ...

    def count(self, filters: Filters | None = None) -> int: ...

    def info(self) -> dict[str, Any]:
        """Engine name, location, record counts, analyzer version — for `stats` and health."""
        ...

    def clear(self) -> None:
        """Remove everything (tests, full rebuilds)."""
        ...

    def close(self) -> None: ...
