"""The embedded engine: tantivy on local disk. No server; the default on a laptop.

Layout under the index folder: tantivy's segment files plus `legalkb.json` (analyzer version).
Token fields use a whitespace analyser because tokens come pre-made from analysis.py.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import tantivy

from legalkb.search.analysis import ANALYZER_VERSION
from legalkb.search.backend import BackendError, EngineHit, EngineResult, FieldQuery, Filters, Record

KEYWORDS = ("id", "kind", "doc_id", "law_key", "level", "status", "region", "issuer", "category")
FACETABLE = ("level", "status", "region", "issuer", "category", "law_key", "kind")
_TOKEN_FIELDS = ("title_tokens", "path_tokens", "text_tokens", "chars")
_OPEN_END = 99991231
_STORED_SKIP = {"title_tokens", "path_tokens", "text_tokens", "chars", "payload", "vector"}
_RECORD_FIELDS = {f.name for f in fields(Record)}


def _ymd(d: dt.date | None, default: int) -> int:
    return d.year * 10000 + d.month * 100 + d.day if d else default


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    for name in KEYWORDS:
        sb.add_text_field(name, stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("title_tokens", tokenizer_name="ws", index_option="freq")
    sb.add_text_field("path_tokens", tokenizer_name="ws", index_option="freq")
    sb.add_text_field("text_tokens", tokenizer_name="ws", index_option="freq")
    sb.add_text_field("chars", tokenizer_name="ws", index_option="position")
    sb.add_text_field("cites", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("article_no", indexed=True, fast=True)
    sb.add_integer_field("effective", indexed=True, fast=True)
    sb.add_integer_field("in_force_until", indexed=True, fast=True)
    sb.add_bytes_field("stored", stored=True)
    sb.add_bytes_field("payload", stored=True)
    sb.add_bytes_field("vector", stored=True)
    return sb.build()


class EmbeddedBackend:
    """SearchBackend on tantivy. Thread-safe for concurrent searches; writes are serialised."""

    name = "embedded"

    def __init__(self, path: str | Path, *, writer_heap: int = 256_000_000) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        meta = self.path / "legalkb.json"
        if meta.exists():
            info = json.loads(meta.read_text())
            if info.get("analyzer") != ANALYZER_VERSION:
                raise BackendError(
                    f"索引 {self.path} 由分词器版本 {info.get('analyzer')} 建立，当前为 {ANALYZER_VERSION}："
                    "请删除该目录后重新导入（legalkb ingest）")
        else:
            meta.write_text(json.dumps({"analyzer": ANALYZER_VERSION, "engine": "tantivy"}))
        self.schema = _schema()
        try:
            self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        except ValueError as exc:
            raise BackendError(f"无法打开索引 {self.path}：{exc}") from exc
        self.index.register_tokenizer("ws", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
        self._writer: tantivy.IndexWriter | None = None
        self._writer_heap = writer_heap
        self._lock = threading.Lock()
        # (article ids, unit-length vectors, doc_id → matrix rows), built on first vector search.
        self._vectors: tuple[list[str], np.ndarray, dict[str, list[int]]] | None = None
        self._row_cache: dict[str, np.ndarray] = {}   # filters → allowed matrix rows

    # -- writing ---------------------------------------------------------------------------
    def _w(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self.index.writer(heap_size=self._writer_heap, num_threads=0)
            except ValueError as exc:  # another process holds the lock
                raise BackendError(f"索引 {self.path} 正被另一个进程写入：{exc}") from exc
        return self._writer

    def upsert(self, records: Iterable[Record]) -> int:
        n = 0
        with self._lock:
            w = self._w()
            seen: set[str] = set()
            for r in records:
                if r.doc_id not in seen:
                    w.delete_documents_by_term("doc_id", r.doc_id)
                    seen.add(r.doc_id)
                w.add_document(self._to_doc(r))
                n += 1
            self._forget_vectors()
        return n

    def delete_documents(self, doc_ids: Sequence[str]) -> int:
        with self._lock:
            w = self._w()
            n = 0
            for d in doc_ids:
                n += self.count(Filters(kind=None, doc_ids=[d]))
                w.delete_documents_by_term("doc_id", d)
            self._forget_vectors()
        return n

    def refresh(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.commit()
                self._writer.wait_merging_threads()
                self._writer = None
        self.index.reload()

    def clear(self) -> None:
        with self._lock:
            w = self._w()
            w.delete_all_documents()
            w.commit()
            w.wait_merging_threads()
            self._writer = None
            self._forget_vectors()
        self.index.reload()

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.rollback()
                self._writer = None

    def _to_doc(self, r: Record) -> tantivy.Document:
        doc = tantivy.Document()
        for name in KEYWORDS:
            value = getattr(r, name)
            if value:
                doc.add_text(name, value)
        for name in _TOKEN_FIELDS:
            value = getattr(r, name)
            if value:
                doc.add_text(name, value)
        for cited in r.cites:
            doc.add_text("cites", cited)
        doc.add_integer("article_no", r.article_no if r.article_no is not None else -1)
        doc.add_integer("effective", _ymd(r.effective, 0))
        doc.add_integer("in_force_until", _ymd(r.in_force_until, _OPEN_END))
        # vars() not dataclasses.asdict: asdict deep-copies every field and cost more than all of
        # tantivy's own indexing work on the national corpus.
        stored = {k: v for k, v in vars(r).items() if k not in _STORED_SKIP}
        doc.add_bytes("stored", orjson.dumps(stored))
        if r.payload:
            doc.add_bytes("payload", r.payload.encode())
        if r.vector is not None:
            doc.add_bytes("vector", np.asarray(r.vector, dtype=np.float32).tobytes())
        return doc

    # -- reading ---------------------------------------------------------------------------
    def _from_doc(self, doc: tantivy.Document, with_payload: bool = True) -> Record:
        stored = orjson.loads(doc.get_first("stored"))
        for k in ("effective", "in_force_until"):
            if stored.get(k):
                stored[k] = dt.date.fromisoformat(stored[k])
        rec = Record(**{k: v for k, v in stored.items() if k in _RECORD_FIELDS})
        if with_payload:
            payload = doc.get_first("payload")
            if payload:
                rec.payload = bytes(payload).decode()
        return rec

    def _filter_clauses(self, f: Filters) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        s = self.schema
        out: list[tuple[tantivy.Occur, tantivy.Query]] = []
        must = tantivy.Occur.Must

        for field, values in f.term_filters():
            out.append((must, tantivy.Query.term_set_query(s, field, values)))
        if f.as_of:
            d = _ymd(f.as_of, 0)
            out.append((must, tantivy.Query.range_query(s, "effective", tantivy.FieldType.Integer, 0, d)))
            out.append((must, tantivy.Query.range_query(s, "in_force_until", tantivy.FieldType.Integer, d + 1,
                                                        _OPEN_END, True, True)))
        if f.effective_from or f.effective_to:
            out.append((must, tantivy.Query.range_query(
                s, "effective", tantivy.FieldType.Integer, _ymd(f.effective_from, 0),
                _ymd(f.effective_to, _OPEN_END))))
        return out

    def _query(self, q: FieldQuery, f: Filters) -> tantivy.Query:
        s = self.schema
        clauses = self._filter_clauses(f)
        should: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for name, tok, boost in q.term_boosts():
            should.append((tantivy.Occur.Should, tantivy.Query.boost_query(
                tantivy.Query.term_query(s, name, tok, index_option="freq"), boost)))
        for phrase in q.phrases:
            if len(phrase) == 1:
                pq = tantivy.Query.term_query(s, "chars", phrase[0])
            else:
                pq = tantivy.Query.phrase_query(s, "chars", list(phrase))
            clauses.append((tantivy.Occur.Must, tantivy.Query.boost_query(pq, q.phrase_boost)))
        for phrase in q.should_phrases:
            if len(phrase) >= 2:
                should.append((tantivy.Occur.Should, tantivy.Query.boost_query(
                    tantivy.Query.phrase_query(s, "chars", list(phrase)), q.should_phrase_boost)))
        if should:
            clauses.append((tantivy.Occur.Must, tantivy.Query.boolean_query(should)))
            for key, boost in q.law_boosts.items():
                clauses.append((tantivy.Occur.Should, tantivy.Query.const_score_query(
                    tantivy.Query.term_query(s, "law_key", key), boost)))
        if not clauses:
            return tantivy.Query.all_query()
        if all(occ == tantivy.Occur.Must for occ, _ in clauses) and not should and not q.phrases:
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    def search(self, query: FieldQuery, filters: Filters, *, limit: int = 10, offset: int = 0,
               facets: Sequence[str] = ()) -> EngineResult:
        searcher = self.index.searcher()
        tq = self._query(query, filters)
        try:
            res = searcher.search(tq, limit=max(limit, 0) or 1, offset=offset, count=True)
        except ValueError as exc:
            raise BackendError(f"检索失败：{exc}") from exc
        hits = [] if limit <= 0 else [
            EngineHit(id=(rec := self._from_doc(searcher.doc(addr), with_payload=False)).id,
                      score=float(score), record=rec)
            for score, addr in res.hits
        ]
        out = EngineResult(total=res.count or 0, hits=hits)
        if facets:
            aggs = {name: {"terms": {"field": name, "size": 200}} for name in facets if name in FACETABLE}
            if aggs:
                raw = searcher.aggregate(tq, aggs)
                out.facets = {name: {b["key"]: b["doc_count"] for b in raw.get(name, {}).get("buckets", [])}
                              for name in aggs}
        return out

    def get(self, ids: Sequence[str]) -> list[Record]:
        if not ids:
            return []
        searcher = self.index.searcher()
        q = tantivy.Query.term_set_query(self.schema, "id", list(ids))
        res = searcher.search(q, limit=len(ids))
        found = {r.id: r for r in (self._from_doc(searcher.doc(a)) for _, a in res.hits)}
        return [found[i] for i in ids if i in found]

    def documents(self, filters: Filters, *, limit: int = 10_000) -> list[Record]:
        f = Filters(**{**filters.__dict__, "kind": "document"})
        searcher = self.index.searcher()
        q = self._query(FieldQuery(), f)
        # tantivy sizes its top-k heap by `limit`: ask for no more than exist.
        n = searcher.search(q, limit=1, count=True).count or 0
        if n == 0:
            return []
        res = searcher.search(q, limit=min(limit, n))
        return [self._from_doc(searcher.doc(a), with_payload=False) for _, a in res.hits]

    def count(self, filters: Filters | None = None) -> int:
        searcher = self.index.searcher()
        if filters is None:
            return searcher.num_docs
        return searcher.search(self._query(FieldQuery(), filters), limit=1, count=True).count or 0

    def payload(self, doc_id: str) -> str | None:
        """The stored LegalDocument JSON of a document record."""
        recs = self.get([doc_id])
        return recs[0].payload if recs else None

    # -- vectors ---------------------------------------------------------------------------
    def _forget_vectors(self) -> None:
        """Drop the vector matrix and what is derived from it (after any write)."""
        self._vectors = None
        self._row_cache.clear()

    def _vector_matrix(self) -> tuple[list[str], np.ndarray, dict[str, list[int]]]:
        if self._vectors is None:
            searcher = self.index.searcher()
            q = tantivy.Query.term_query(self.schema, "kind", "article")
            n = searcher.num_docs
            ids: list[str] = []
            rows: list[np.ndarray] = []
            by_doc: dict[str, list[int]] = {}
            for _, addr in searcher.search(q, limit=max(n, 1), count=False).hits:
                doc = searcher.doc(addr)
                vec = doc.get_first("vector")
                if vec:
                    rid = json.loads(doc.get_first("stored"))["id"]
                    by_doc.setdefault(rid.split("#", 1)[0], []).append(len(ids))
                    ids.append(rid)
                    rows.append(np.frombuffer(bytes(vec), dtype=np.float32))
            mat = np.vstack(rows) if rows else np.zeros((0, 1), dtype=np.float32)
            if len(mat):
                mat = mat / np.maximum(np.linalg.norm(mat, axis=1, keepdims=True), 1e-12)
            self._vectors = (ids, mat, by_doc)
        return self._vectors

    def vector_matrix(self, filters: Filters) -> tuple[list[str], np.ndarray]:
        """Ids and unit vectors of the stored articles passing document-level `filters`.

        Not part of the backend contract: `scripts/train_adapter.py` trains against every
        candidate at once (a softmax over the whole corpus), which no search API exposes."""
        ids, mat, _ = self._vector_matrix()
        rows = self._allowed_rows(filters)
        if rows is None:
            return ids, mat
        return [ids[i] for i in rows], mat[rows]

    def vector_search(self, vector: Sequence[float], filters: Filters, *, limit: int = 10) -> list[EngineHit]:
        ids, mat, _ = self._vector_matrix()
        if not ids or limit <= 0:
            return []
        v = np.asarray(vector, dtype=np.float32)
        v = v / max(float(np.linalg.norm(v)), 1e-12)
        rows = self._allowed_rows(filters)
        if rows is not None:
            # Document-level filters are applied before scoring, from a cached row set: the
            # reranker searches single laws by meaning, and post-filtering would walk the global
            # order through thousands of other laws' articles.
            sims = mat[rows] @ v if len(rows) * 4 < len(ids) else (mat @ v)[rows]
            top = _top(sims, limit)
            recs = {r.id: r for r in self.get([ids[rows[i]] for i in top])}
            return [EngineHit(id=ids[rows[i]], score=float(sims[i]), record=recs[ids[rows[i]]])
                    for i in top if ids[rows[i]] in recs]
        sims = mat @ v
        hits: list[EngineHit] = []
        # Article-level filters (cites): applied after similarity, in growing windows until
        # `limit` pass.
        window = limit * 4
        start = 0
        while len(hits) < limit and start < len(ids):
            end = min(start + window, len(ids))
            top = _top(sims, end)[start:]
            chunk = [ids[i] for i in top]
            allowed = self._allowed(chunk, filters)
            for i, rid in zip(top, chunk, strict=True):
                if rid in allowed and len(hits) < limit:
                    hits.append(EngineHit(id=rid, score=float(sims[i]), record=allowed[rid]))
            start = end
            window *= 2
        return hits

    def _allowed_rows(self, filters: Filters) -> np.ndarray | None:
        """Matrix rows passing `filters` when every filter is document-level (articles share their
        document's level, dates, region…), else None. Cached per filter until the next write."""
        if filters.cites or filters.kind != "article":
            return None
        key = repr(filters)
        rows = self._row_cache.get(key)
        if rows is None:
            doc_filter = Filters(**{**filters.__dict__, "kind": "document"})
            docs = self.documents(doc_filter, limit=max(self.count(doc_filter), 1))
            by_doc = self._vector_matrix()[2]
            rows = np.asarray(sorted(i for d in docs for i in by_doc.get(d.doc_id, ())), dtype=np.int64)
            if len(self._row_cache) >= 256:
                self._row_cache.clear()
            self._row_cache[key] = rows
        return rows

    def _allowed(self, ids: list[str], filters: Filters) -> dict[str, Record]:
        f = Filters(**{**filters.__dict__})
        searcher = self.index.searcher()
        clauses = self._filter_clauses(f)
        clauses.append((tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, "id", ids)))
        res = searcher.search(tantivy.Query.boolean_query(clauses), limit=len(ids))
        return {r.id: r for r in (self._from_doc(searcher.doc(a), with_payload=False) for _, a in res.hits)}

    def info(self) -> dict[str, Any]:
        searcher = self.index.searcher()
        return {
            "engine": self.name,
            "location": str(self.path),
            "records": searcher.num_docs,
            "documents": self.count(Filters(kind="document")),
            "articles": self.count(Filters(kind="article")),
            "analyzer": ANALYZER_VERSION,
            "segments": searcher.num_segments,
        }


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest scores, best first. Only those k are sorted (argpartition): a full
    argsort of 140k similarities cost more than the matrix product."""
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top], kind="stable")]
