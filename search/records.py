"""LegalDocument → index Records. The one place that decides what is searchable and how."""

from __future__ import annotations

import json

from legalkb.ingest.model import LegalDocument
from legalkb.search.analysis import chars, words
from legalkb.search.backend import Record

SUMMARY_CHARS = 300


def _base(doc: LegalDocument) -> dict:
    return dict(doc_id=doc.doc_id, law_key=doc.law_key, title=doc.title, short_title=doc.short_title,
                level=doc.level, status=doc.status, issuer=doc.issuer, region=doc.region,
                category=doc.category, doc_number=doc.doc_number, effective=doc.effective,
                content_hash=doc.content_hash,
                in_force_until=doc.in_force_until)


def document_records(doc: LegalDocument) -> list[Record]:
    """A document record (metadata + stored payload) and one record per article. A document with
    no articles (a notice, a case text) gets one text record with article_no None, so that
    'article-level' search still finds it."""
    base = _base(doc)
    title_tokens = " ".join(words(f"{doc.title} {doc.short_title}"))
    summary = (doc.preamble or doc.body or (doc.articles[0].text if doc.articles else ""))[:SUMMARY_CHARS]
    out = [Record(id=doc.doc_id, kind="document", text=summary, title_tokens=title_tokens,
                  payload=json.dumps(doc.to_dict(), ensure_ascii=False), **base)]
    for i, art in enumerate(doc.articles):
        text = art.text
        out.append(Record(
            id=f"{doc.doc_id}#{art.key}", kind="article", article_no=art.number, article_sub=art.sub,
            article=art.label, path=" / ".join(art.path), text=text, ordinal=i,
            title_tokens=title_tokens, path_tokens=" ".join(words(" ".join(art.path))),
            text_tokens=" ".join(words(text)), chars=" ".join(chars(text)), **base))
    if not doc.articles and doc.body.strip():
        out.append(Record(
            id=f"{doc.doc_id}#body", kind="article", article_no=None, text=doc.body,
            title_tokens=title_tokens, text_tokens=" ".join(words(doc.body)),
            chars=" ".join(chars(doc.body)), **base))
    return out
