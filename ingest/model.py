"""The structured model of a legal document: document → 编/分编/章/节 → 条 → 款 → 项.

Plain dataclasses (no ORM, no engine types) so every stage — readers, search records, review —
shares one vocabulary and tests can build documents by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from legalkb.ingest.numerals import article_key, article_label

# Levels (效力位阶), highest first. Kept as plain strings: they are what users see and filter on.
LEVELS = ("宪法", "法律", "行政法规", "监察法规", "司法解释", "部门规章", "地方性法规",
          "地方政府规章", "行政规范性文件", "案例", "其他")
# Levels that bind the whole country (案例 are national 典型案例): a document of any other level
# that names a region is a local rule.
NATIONAL_LEVELS = frozenset({"宪法", "法律", "行政法规", "监察法规", "司法解释", "部门规章", "案例"})

# Status values.
CURRENT = "现行有效"
AMENDED = "已修改"
REPEALED = "已废止"
NOT_YET = "尚未生效"
EXPIRED = "已失效"
STATUSES = (CURRENT, AMENDED, REPEALED, NOT_YET, EXPIRED)

DIVISION_KINDS = ("编", "分编", "章", "节")


@dataclass
class Item:
    """项: （一）… inside a 款."""

    label: str   # "（一）"
    text: str


@dataclass
class Paragraph:
    """款: one paragraph of an article. Items (项) are listed separately but stay in `text`."""

    number: int  # 1-based
    text: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Article:
    """条. `number`/`sub` give 第二百五十三条之一 as (253, 1)."""

    number: int
    sub: int = 0
    paragraphs: list[Paragraph] = field(default_factory=list)
    path: list[str] = field(default_factory=list)  # ["第二编 物权", "第一章 一般规定"]

    @property
    def label(self) -> str:
        return article_label(self.number, self.sub)

    @property
    def key(self) -> str:
        return article_key(self.number, self.sub)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


@dataclass
class Division:
    """编 / 分编 / 章 / 节 heading, with the ordinal and title: kind='章', number=2, title='行政处罚的种类和设定'."""

    kind: str
    number: int
    title: str
    heading: str  # full heading text as written: "第二章 行政处罚的种类和设定"
    children: list[Division] = field(default_factory=list)
    article_keys: list[str] = field(default_factory=list)


@dataclass
class LegalDocument:
    """One version of one law / regulation / normative document / case.

    `law_key` identifies the law across versions (its short title, normalised); `doc_id` identifies
    this version: '行政处罚法@2021-01-22'.
    """

    title: str
    short_title: str
    level: str = "其他"
    issuer: str = ""
    doc_number: str = ""          # 文号, e.g. 国务院令第732号, 国办发〔2018〕37号
    promulgated: dt.date | None = None
    effective: dt.date | None = None
    expires: dt.date | None = None  # 有效期 end, when the document says so
    region: str = ""              # "" for national; "山东省", "东临市青川区" …
    status: str = CURRENT          # computed from the version chain and the status registry
    declared_status: str = ""      # what the source says (LawRefBook `expired`), input to `status`
    # A repeal the source states without a date happened by this day (the catalogue's newest date): a
    # draft reviewed as of a later day must not find the law in force.
    repealed_by: dt.date | None = None
    category: str = ""            # LawRefBook folder: 行政法, 民法商法 …
    header: list[str] = field(default_factory=list)  # dated header lines (passed/amended/施行)
    preamble: str = ""
    articles: list[Article] = field(default_factory=list)
    divisions: list[Division] = field(default_factory=list)
    body: str = ""                # full text for documents without articles (cases, notices)
    source_path: str = ""
    # The catalogue row the source's metadata came from (LawRefBook's db.sqlite3): hashed with the
    # text, so a catalogue that now marks the law repealed re-ingests an unchanged file.
    source_meta: str = ""
    content_hash: str = ""
    version_date: dt.date | None = None  # the date that names this version (LawRefBook file date)
    # Filled by the library from the version chain, not by readers:
    in_force_until: dt.date | None = None
    successor: str = ""           # law_key or title of the replacing law (repealed laws)
    versions: list[str] = field(default_factory=list)

    @property
    def law_key(self) -> str:
        return self.short_title

    @property
    def doc_id(self) -> str:
        d = self.version_date or self.effective or self.promulgated
        return f"{self.short_title}@{d.isoformat() if d else 'undated'}"

    def article(self, number: int, sub: int = 0) -> Article | None:
        for a in self.articles:
            if a.number == number and a.sub == sub:
                return a
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict. Hand-written: dataclasses.asdict deep-copies recursively and was the
        single largest cost of indexing the national corpus."""
        d: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, dt.date):
                v = v.isoformat()
            elif f.name == "articles":
                v = [{"number": a.number, "sub": a.sub, "path": list(a.path),
                      "paragraphs": [{"number": p.number, "text": p.text,
                                      "items": [{"label": i.label, "text": i.text} for i in p.items]}
                                     for p in a.paragraphs]} for a in v]
            elif f.name == "divisions":
                v = [_division_to_dict(x) for x in v]
            elif isinstance(v, list):
                v = list(v)
            d[f.name] = v
        d["doc_id"] = self.doc_id
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LegalDocument:
        d = dict(d)
        d.pop("doc_id", None)
        for k in ("promulgated", "effective", "expires", "version_date", "in_force_until", "repealed_by"):
            if d.get(k):
                d[k] = dt.date.fromisoformat(d[k])
        d["articles"] = [
            Article(number=a["number"], sub=a["sub"], path=a["path"],
                    paragraphs=[Paragraph(number=p["number"], text=p["text"],
                                          items=[Item(**i) for i in p["items"]])
                                for p in a["paragraphs"]])
            for a in d.get("articles", [])
        ]
        d["divisions"] = [_division_from_dict(x) for x in d.get("divisions", [])]
        return cls(**d)


def _division_to_dict(d: Division) -> dict[str, Any]:
    return {"kind": d.kind, "number": d.number, "title": d.title, "heading": d.heading,
            "children": [_division_to_dict(c) for c in d.children], "article_keys": list(d.article_keys)}


def _division_from_dict(d: dict[str, Any]) -> Division:
    return Division(kind=d["kind"], number=d["number"], title=d["title"], heading=d["heading"],
                    children=[_division_from_dict(c) for c in d["children"]],
                    article_keys=list(d["article_keys"]))
