"""Dataclasses passed between the review stages (parse → citations → resolve → check → report).

Every stage takes and returns these plain objects, so each can be tested alone and a report can be
rebuilt from them without the engine. Spans are character offsets into `DraftDocument.text`, which
is the draft exactly as read (only line ends normalised), so a quote is always a real span of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# Stable API category codes (the contract). Extra codes may be added, never renamed.
CATEGORIES = (
    "issuer_authority", "power_expansion", "penalty_creation", "penalty_range", "licensing_creation",
    "compulsory_measure", "fee_creation", "certificate_demand", "rights_restriction", "retroactivity",
    "fair_competition", "citation_repealed", "citation_outdated_article", "citation_nonexistent",
    "validity_period",
)
# Categories that concern the whole document: reported with article 0.
DOCUMENT_LEVEL = ("issuer_authority", "validity_period")

SEVERITIES = ("blocker", "high", "medium", "low")

# Citation resolution outcomes.
FOUND = "found"
REPEALED = "repealed"
RENUMBERED = "renumbered"
NONEXISTENT = "nonexistent"
NOT_FOUND = "not_found"      # the law is not in the corpus: shown as 未核实, never as valid
NOT_YET = "not_yet_in_force"
RESOLUTION_LABELS = {FOUND: "已核实", REPEALED: "已废止", RENUMBERED: "条号已变更",
                     NONEXISTENT: "法律或条文不存在", NOT_FOUND: "未核实", NOT_YET: "尚未生效"}


class ReviewError(Exception):
    """A file cannot be reviewed. The message is Chinese and says what to do; the CLI prints it
    without a traceback. Never replaced by an empty 'no problems' report."""

    reason = "unreviewable"

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.message = message
        self.path = path


class UnreadableDraftError(ReviewError):
    """Empty, scanned, corrupt or unsupported file."""

    reason = "unreadable"


class NotADraftError(ReviewError):
    """Text that is not a normative document (no numbered articles, no title…)."""

    reason = "not_a_draft"


@dataclass
class Clause:
    """One paragraph (款) of a draft article with its span in the draft text."""

    text: str
    start: int
    end: int


@dataclass
class DraftArticle:
    number: int
    sub: int
    label: str          # 第十五条 as written
    text: str           # body without the label, paragraphs joined by newline
    start: int          # span of the whole article (label included) in the draft text
    end: int
    body_start: int     # where `text` starts in the draft text (after the label)
    clauses: list[Clause] = field(default_factory=list)
    path: list[str] = field(default_factory=list)  # chapter headings


@dataclass
class DraftDocument:
    text: str
    title: str = ""
    issuer: str = ""                # as written, may name several bodies
    issuer_span: tuple[int, int] | None = None
    issuers: list[str] = field(default_factory=list)
    doc_number: str = ""
    issued: dt.date | None = None   # 印发/成文日期
    effective: dt.date | None = None
    effective_rule: str = ""        # 'date' | 'on_issue' (自印发之日起施行) | ''
    expires: dt.date | None = None  # last day of validity, when computable
    validity_text: str = ""         # the 施行/有效期 clause as written
    validity_span: tuple[int, int] | None = None
    validity_years: float | None = None
    validity_article: int = 0
    has_validity_clause: bool = False
    is_provisional: bool = False    # 暂行 / 试行 in the title
    preamble: str = ""
    articles: list[DraftArticle] = field(default_factory=list)
    source_path: str = ""

    def article(self, number: int) -> DraftArticle | None:
        for a in self.articles:
            if a.number == number and a.sub == 0:
                return a
        return None

    def article_at(self, pos: int) -> DraftArticle | None:
        for a in self.articles:
            if a.start <= pos < a.end:
                return a
        return None


@dataclass
class Citation:
    """A reference found in the draft. `law` is the title as written (without 《》); `article` 0
    means the law as a whole. `kind`: 'law' (《…》 with or without article), 'back_ref' (本法/该法
    第X条 — `law` inherited from the nearest preceding title), 'doc_number' (国办发〔2018〕37号)."""

    raw: str
    law: str
    start: int
    end: int
    draft_article: int
    article: int = 0
    sub: int = 0
    paragraph: int = 0
    item: int = 0
    kind: str = "law"
    referral: bool = False     # '依照/根据/按照 …的规定': the clause applies the cited provision

    @property
    def article_label(self) -> str:
        from legalkb.ingest.numerals import article_label

        if not self.article:
            return ""
        s = article_label(self.article, self.sub)
        if self.paragraph:
            from legalkb.ingest.numerals import int_to_cn

            s += f"第{int_to_cn(self.paragraph)}款"
        return s


@dataclass
class ResolvedCitation:
    citation: Citation
    resolution: str                  # FOUND / REPEALED / RENUMBERED / NONEXISTENT / NOT_FOUND / NOT_YET
    law_key: str = ""
    title: str = ""                  # full title of the version used
    status: str = ""                 # 现行有效 / 已废止 / … or 未核实
    successor: str = ""
    text: str = ""                   # article text (current version) — quoted in reports
    version: str = ""                # doc_id of the version used
    current_article: int = 0         # for RENUMBERED: the article's number in the current version
    old_text: str = ""               # for RENUMBERED: the article text in the version the drafter used
    note: str = ""                   # human-readable explanation (Chinese)

    def to_dict(self) -> dict[str, Any]:
        c = self.citation
        return {"raw": c.raw, "article": c.draft_article, "resolution": self.resolution,
                "title": self.title or c.law, "status": self.status, "successor": self.successor,
                "text": self.text, "cited_article": c.article_label, "current_article": self.current_article,
                "note": self.note}


@dataclass
class Basis:
    """A legal basis quoted in a finding. `status` is the law's status on the review date, or 未核实
    when the text is not in the corpus (then `text` is the rule catalogue's gist)."""

    title: str
    article: str
    status: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "article": self.article, "status": self.status, "text": self.text}


@dataclass
class Finding:
    category: str
    rule: str
    severity: str
    article: int        # draft article number; 0 = document level
    quote: str          # exact span of the draft
    message: str
    basis: list[Basis] = field(default_factory=list)
    suggestion: str = ""
    start: int = -1
    end: int = -1

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category, "rule": self.rule, "severity": self.severity,
                "article": self.article, "quote": self.quote, "message": self.message,
                "basis": [b.to_dict() for b in self.basis], "suggestion": self.suggestion}


@dataclass
class EvidenceHit:
    title: str
    article: str
    status: str
    text: str
    score: float
    overlap: float      # share of the clause's character bigrams found in this provision


@dataclass
class Evidence:
    """Superior provisions retrieved for one obligation/restriction clause."""

    article: int
    quote: str
    hits: list[EvidenceHit] = field(default_factory=list)
    basis_found: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"article": self.article, "quote": self.quote, "basis_found": self.basis_found,
                "hits": [h.__dict__ for h in self.hits]}


@dataclass
class ReviewReport:
    draft: DraftDocument
    findings: list[Finding]
    citations: list[ResolvedCitation]
    evidence: list[Evidence] = field(default_factory=list)
    as_of: dt.date | None = None
    seconds: float = 0.0

    def document_dict(self) -> dict[str, Any]:
        d = self.draft
        return {"title": d.title, "issuer": d.issuer, "doc_number": d.doc_number,
                "effective": d.effective.isoformat() if d.effective else None,
                "expires": d.expires.isoformat() if d.expires else None,
                "articles": len(d.articles)}

    def to_dict(self) -> dict[str, Any]:
        return {"document": self.document_dict(),
                "findings": [f.to_dict() for f in self.findings],
                "citations": [c.to_dict() for c in self.citations],
                "evidence": [e.to_dict() for e in self.evidence],
                "as_of": self.as_of.isoformat() if self.as_of else None}
