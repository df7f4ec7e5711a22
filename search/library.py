"""The library: documents in, articles out. Everything above the engines goes through here —
ingest with version chains, citation-aware search, article lookup as of a date."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import re
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any

from legalkb.ingest.errors import IngestError
from legalkb.ingest.lawrefbook import CIVIL_CODE_PARTS, merge_civil_code
from legalkb.ingest.loader import SUFFIXES, content_hash, load_file
from legalkb.ingest.metadata import STATED_REPEAL, TAKES_EFFECT, book_title, parse_date, short_title
from legalkb.ingest.model import CURRENT, NATIONAL_LEVELS, NOT_YET, REPEALED, Article, LegalDocument
from legalkb.ingest.numerals import article_key
from legalkb.ingest.status import StatusRegistry, assign_chain
from legalkb.search.analysis import chars
from legalkb.search.answered import FILE_NAME as ANSWERED_FILE
from legalkb.search.answered import AnsweredStore
from legalkb.search.backend import (
    BackendError,
    EngineHit,
    EngineResult,
    FieldQuery,
    Filters,
    Record,
    SearchBackend,
)
from legalkb.search.citations import find_citations
from legalkb.search.cited_by import CitingArticle, citing_articles
from legalkb.search.config import Config
from legalkb.search.highlight import highlight
from legalkb.search.places import Gazetteer, Place, gazetteer_from
from legalkb.search.qa_memory import QAMemory, default_memory
from legalkb.search.query import build_query
from legalkb.search.records import document_records
from legalkb.search.rerank import DEPTH, question_vector, rerank_hits

# A named place's own rules join the ranking only when their best first-stage match is at least
# this share of the best overall match (see Library._with_local).
LOCAL_MIN_RATIO = 0.8
STATED_REPEAL_LIMIT = 10_000   # closing articles that repeal something: ~600 in the national corpus
STORED_LIMIT = 1_000_000       # every stored document (~3,500 in the full corpus): a listing without payloads
# The source file in a stored LegalDocument's JSON, read without parsing 48 MB of payloads.
_SOURCE_PATH = re.compile(r'"source_path":\s*"((?:[^"\\]|\\.)*)"')
SKIP_NAMES = {"_index.md", "README.md", "readme.md", "SUMMARY.md"}


@dataclass
class Failure:
    path: str
    reason: str
    message: str


@dataclass
class IngestReport:
    files: int = 0
    documents: int = 0
    unchanged: int = 0
    articles: int = 0
    cases: int = 0
    cases_linked: int = 0
    bytes: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    # Laws marked 已废止 because another law says 「《…》同时废止」 (the source listed them in force).
    repealed_by_text: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"files": self.files, "documents": self.documents, "unchanged": self.unchanged,
                "articles": self.articles, "cases": self.cases, "cases_linked": self.cases_linked, "bytes": self.bytes, "seconds": round(self.seconds, 2),
                "failures": [f.__dict__ for f in self.failures], "repealed_by_text": self.repealed_by_text}


@dataclass
class Hit:
    doc_id: str
    title: str
    short_title: str
    article_no: int | None
    article: str
    level: str
    status: str
    effective: str | None
    score: float
    text: str
    highlight: str
    id: str = ""
    path: str = ""
    region: str = ""
    issuer: str = ""
    match: str = "text"   # 'citation' for exact citation hits

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class SearchResponse:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    citations: list[dict] = field(default_factory=list)
    took_ms: float = 0.0
    # Regions named in the question whose local rules were interleaved with the national ranking.
    local_regions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"query": self.query, "total": self.total, "hits": [h.to_dict() for h in self.hits],
                "facets": self.facets, "citations": self.citations, "took_ms": round(self.took_ms, 2),
                "local_regions": self.local_regions}


CASE_FOLDERS = {"案例", "cases"}
CASE_ONLY_SUFFIXES = {".yaml", ".yml"}


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files under the given paths that a reader accepts, in a stable order. Hidden folders are
    skipped below the given folder only, so '../shared/…' still works."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in SUFFIXES | CASE_ONLY_SUFFIXES
                and f.name not in SKIP_NAMES
                and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            out.append(p)
    return out


def is_case_file(path: Path) -> bool:
    """Cases (典型案例, judgments, the bureau's own YAML cases) have their own model and index;
    they are recognised by where they live (a 案例/ or cases/ folder) or by being YAML."""
    return path.suffix.lower() in CASE_ONLY_SUFFIXES or bool(CASE_FOLDERS & set(path.parent.parts))


def _is_civil_code_part(p: Path) -> bool:
    return p.parent.name == "民法典" and p.stem in CIVIL_CODE_PARTS and p.suffix == ".md"


PARALLEL_MIN_DOCS = 200
DOC_CACHE_SIZE = 32
CITED_BY_CACHE = 16


def _records_for(docs: Sequence[LegalDocument]) -> Iterable[list[Record]]:
    """Records of each document, in order. Tokenising the national corpus is most of the cost of
    an ingest, so large batches are spread over the machine's cores (processes: jieba holds the
    GIL); small ones stay in-process, where starting workers would cost more than it saves."""
    workers = min(os.cpu_count() or 1, 4)
    if len(docs) < PARALLEL_MIN_DOCS or workers < 2:
        yield from (document_records(d) for d in docs)
        return
    ctx = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        yield from pool.map(document_records, docs, chunksize=16)


class Library:
    def __init__(self, backend: SearchBackend, registry: StatusRegistry | None = None,
                 today: Callable[[], dt.date] = dt.date.today, encoder: Any = None,
                 vector_cache: Any = None, rerank: bool | None = None,
                 answered: AnsweredStore | None = None) -> None:
        self.backend = backend
        # The deployment's own answered questions (search/answered.py), consulted with the
        # shipped memory; None: the shipped memory only.
        self.answered = answered
        # The second stage (search/rerank.py) costs ~30 ms a question on two cores; a server that
        # needs raw throughput more than ranking quality can turn it off (LEGALKB_RERANK=0).
        self.rerank = rerank if rerank is not None else os.environ.get("LEGALKB_RERANK", "1") != "0"
        # Hybrid search (search/embeddings.py): an encoder when LEGALKB_EMBED_MODEL is set.
        self.encoder = encoder
        self.vector_cache = vector_cache
        self.registry = registry or StatusRegistry.load()
        self._today = today
        # Derived from the stored documents, built on first use and dropped on every write.
        self._documents: list[Record] | None = None
        self._aliases: dict[str, str] | None = None
        self._titles: dict[str, list[str]] = {}
        self._gazetteer: Gazetteer | None = None
        self._doc_cache: OrderedDict[str, LegalDocument] = OrderedDict()
        self._doc_lock = threading.Lock()
        self._cited_by: OrderedDict[tuple[str, dt.date | None], dict[str, list[CitingArticle]]] = OrderedDict()

    @classmethod
    def open(cls, home: str | Path | None = None, backend: str | None = None,
             config: Config | None = None) -> Library:
        cfg = config or Config.from_env(home=home, backend=backend)
        from legalkb.search.embeddings import VectorCache, configured_encoder

        encoder = configured_encoder()
        cache = VectorCache(cfg.home / "vectors.sqlite3") if encoder is not None else None
        answered = AnsweredStore(cfg.home / ANSWERED_FILE)
        if cfg.backend == "embedded":
            from legalkb.search.embedded import EmbeddedBackend

            return cls(EmbeddedBackend(cfg.index_dir), encoder=encoder, vector_cache=cache, answered=answered)
        if cfg.backend in ("elasticsearch", "es"):
            from legalkb.search.elastic import ElasticBackend

            return cls(ElasticBackend(cfg), encoder=encoder, vector_cache=cache, answered=answered)
        raise BackendError(f"未知的检索引擎 {cfg.backend!r}（可选 embedded / elasticsearch）")

    def close(self) -> None:
        self.backend.close()
        if self.vector_cache is not None:
            self.vector_cache.close()

    # -- ingest ----------------------------------------------------------------------------
    def load(self, paths: Sequence[Path], report: IngestReport,
             progress: Callable[[Path], None] | None = None) -> list[LegalDocument]:
        """Read files into documents; failures are recorded in the report, never raised."""
        docs: list[LegalDocument] = []
        civil_parts: list[LegalDocument] = []
        for path in paths:
            report.files += 1
            try:
                report.bytes += path.stat().st_size
                doc = load_file(path)
                (civil_parts if _is_civil_code_part(path) else docs).append(doc)
            except IngestError as exc:
                report.failures.append(Failure(str(path), exc.reason, exc.message))
            except FileNotFoundError:
                report.failures.append(Failure(str(path), "not_found", "文件不存在"))
            except OSError as exc:
                report.failures.append(Failure(str(path), "os_error", f"无法读取文件：{exc.strerror or exc}"))
            except Exception as exc:  # a parser bug must not kill a 3,000-file batch
                report.failures.append(Failure(str(path), "error", f"{exc.__class__.__name__}: {exc}"))
            if progress:
                progress(path)
        if civil_parts:
            merged = merge_civil_code(civil_parts)
            # A hash of all eight parts' hashes (the joined string cut to 64 characters kept only
            # the first four, so an edit to a later part went unnoticed).
            merged.content_hash = content_hash("+".join(sorted(d.content_hash for d in civil_parts)))
            docs.append(merged)
        return docs

    def ingest_paths(self, paths: Sequence[str | Path],
                     progress: Callable[[Path], None] | None = None) -> IngestReport:
        """Ingest laws and cases. Laws first: cases link to the articles they cite."""
        t0 = time.perf_counter()
        report = IngestReport()
        files = expand_paths(Path(p) for p in paths)
        law_files = [f for f in files if not is_case_file(f)]
        case_paths = [f for f in files if is_case_file(f)]
        docs = self.load(law_files, report, progress)
        self.add_documents(docs, report)
        if case_paths:
            from legalkb.search.cases import ingest_cases

            cr = ingest_cases(self, case_paths)
            report.files += cr.files
            report.cases += cr.cases
            report.cases_linked += cr.linked
            report.failures.extend(Failure(f["path"], f["reason"], f["message"]) for f in cr.failures)
            if progress:
                for f in case_paths:
                    progress(f)
        report.seconds = time.perf_counter() - t0
        return report

    def add_documents(self, docs: Sequence[LegalDocument], report: IngestReport | None = None) -> None:
        """Index documents; recompute the version chains of every law they touch; skip documents
        whose content is unchanged. One refresh at the end: the batch becomes visible at once."""
        report = report or IngestReport()
        by_id: dict[str, LegalDocument] = {}
        for d in docs:
            by_id[d.doc_id] = d  # the same version twice in one batch: the later file wins
        existing = {r.doc_id: r for r in self.backend.get(list(by_id))} if by_id else {}
        new = {i: d for i, d in by_id.items()
               if not (i in existing and existing[i].content_hash == d.content_hash and d.content_hash)}
        report.unchanged += len(by_id) - len(new)
        if not new:
            return
        self._drop_renamed(new, set(by_id))
        keys = sorted({d.law_key for d in new.values()})
        stored = self._stored_documents(keys, exclude=set(new))
        groups: dict[str, list[LegalDocument]] = {}
        for d in [*stored, *new.values()]:
            groups.setdefault(d.law_key, []).append(d)
        before = {d.doc_id: (d.status, d.in_force_until, tuple(d.versions)) for d in stored}
        to_write: list[LegalDocument] = list(new.values())
        for group in groups.values():
            assign_chain(group, self.registry, self._today())
            for d in group:
                if d.doc_id in before and before[d.doc_id] != (d.status, d.in_force_until, tuple(d.versions)):
                    to_write.append(d)
        batch: list[Record] = []
        for d, recs in zip(to_write, _records_for(to_write), strict=True):
            batch.extend(recs)
            if d.doc_id in new:
                report.documents += 1
                report.articles += len(d.articles)
            if len(batch) >= 5000:
                self._embed(batch)
                self.backend.upsert(batch)
                batch = []
        if batch:
            self._embed(batch)
            self.backend.upsert(batch)
        self.backend.refresh()
        self._forget_documents()      # the repeal pass resolves titles: the new laws must be known
        report.repealed_by_text.extend(self._stated_repeals())
        self._forget_documents()

    def _stated_repeals(self) -> list[str]:
        """Repeals another law states (「本条例自2022年11月1日起施行。《个体工商户条例》同时废止」),
        applied to the newest version of the law it names: the repeal date the sentence states
        (else the repealing law's effective date) and the successor. Two cases: a law the source
        still lists in force (LawRefBook misses some two dozen: 个体工商户条例, 学位条例 …) becomes
        已废止 once that date has passed — these are returned, for the ingest report; a law the
        source marks repealed without a registry entry gets its date and successor (without them it
        would count as in force until today). One search over the whole index after every ingest,
        as either law may arrive first."""
        hits = self.backend.search(FieldQuery(tokens=["废止"], phrases=[chars("同时废止")]),
                                   Filters(kind="article"), limit=STATED_REPEAL_LIMIT).hits
        newest: dict[str, Record] = {}
        for d in self._document_records():   # metadata only: payloads are read for the few that change
            if d.law_key not in newest or (d.effective or dt.date.min) >= (newest[d.law_key].effective or dt.date.min):
                newest[d.law_key] = d
        today = self._today()
        changed: list[Record] = []
        marked: list[str] = []
        for h in hits:
            r = h.record
            stated = TAKES_EFFECT.search(r.text)
            day = (parse_date(stated.group("date")) if stated else None) or r.effective
            if day is None:
                continue
            for m in STATED_REPEAL.finditer(r.text):
                for title in re.findall(r"《([^《》]+)》", m.group(1)):
                    key = self.resolve_law(title)
                    rec = newest.get(key or "")
                    # Not the repealing law's own former version (that is the chain), not one with a
                    # successor already, not one (re-)enacted on or after the repeal.
                    if rec is None or key == r.law_key or (rec.effective or dt.date.min) >= day:
                        continue
                    listed_in_force = rec.status in (CURRENT, NOT_YET) and rec.in_force_until is None
                    if not listed_in_force and rec.status != REPEALED:
                        continue
                    doc = self._read_document(rec.doc_id)
                    if doc is None or doc.successor:
                        continue
                    doc.in_force_until, doc.successor = day, r.law_key
                    if listed_in_force and day <= today:
                        doc.status = REPEALED
                        marked.append(f"{doc.title}（{day.isoformat()} 起由{book_title(r.title)}废止）")
                    changed.extend(document_records(doc))
                    newest.pop(rec.law_key)      # once per law
        if changed:
            self.backend.upsert(changed)
            self.backend.refresh()
        return marked

    def _embed(self, records: list[Record]) -> None:
        """Vectors for article records when hybrid search is on (cached by text hash)."""
        if self.encoder is not None:
            from legalkb.search.embeddings import fill_vectors, stderr_progress

            fill_vectors(records, self.encoder, self.vector_cache, progress=stderr_progress())

    def _drop_renamed(self, new: dict[str, LegalDocument], batch: set[str]) -> None:
        """A file whose identity changed — a corrected title, a date read from its header — arrives
        under a new doc_id: the version stored under the old id came from the same file and is
        deleted (else the old title stays searchable, and the old id may pass for the version in
        force). Candidates keep the law or the version date of a new document (a title corrected, or
        a date corrected: not both at once), so that one uploaded file does not read every stored
        payload; the source file their payload names decides."""
        sources = {d.source_path for d in new.values() if d.source_path}
        if not sources:
            return
        keys = {d.law_key for d in new.values()}
        versions = {d.doc_id.rpartition("@")[2] for d in new.values()}
        candidates = [r.doc_id for r in self.backend.documents(Filters(kind="document"), limit=STORED_LIMIT)
                      if r.doc_id not in batch and (r.law_key in keys or r.doc_id.rpartition("@")[2] in versions)]
        stale = []
        for k in range(0, len(candidates), 500):
            for r in self.backend.get(candidates[k:k + 500]):
                m = _SOURCE_PATH.search(r.payload or "")
                if m and json.loads(f'"{m.group(1)}"') in sources:
                    stale.append(r.doc_id)
        if stale:
            self.delete(stale)

    def _stored_documents(self, law_keys: list[str], exclude: set[str]) -> list[LegalDocument]:
        out: list[LegalDocument] = []
        for i in range(0, len(law_keys), 500):
            recs = self.backend.documents(Filters(kind="document", law_keys=law_keys[i:i + 500]))
            ids = [r.doc_id for r in recs if r.doc_id not in exclude]
            for r in self.backend.get(ids):
                if r.payload:
                    out.append(LegalDocument.from_dict(json.loads(r.payload)))
        return out

    def delete(self, doc_ids: Sequence[str]) -> int:
        docs = [d for d in (self.get_document(i) for i in doc_ids) if d]
        n = self.backend.delete_documents(list(doc_ids))
        self.backend.refresh()
        keys = sorted({d.law_key for d in docs})
        rest = self._stored_documents(keys, exclude=set(doc_ids))
        if rest:  # the remaining versions' chain changed
            groups: dict[str, list[LegalDocument]] = {}
            for d in rest:
                groups.setdefault(d.law_key, []).append(d)
            recs = []
            for g in groups.values():
                for d in assign_chain(g, self.registry, self._today()):
                    recs.extend(document_records(d))
            self.backend.upsert(recs)
            self.backend.refresh()
        self._forget_documents()
        return n

    # -- lookup ----------------------------------------------------------------------------
    def _forget_documents(self) -> None:
        self._documents = self._aliases = self._gazetteer = None
        self._titles.clear()
        self._doc_cache.clear()
        self._cited_by.clear()

    def _document_records(self) -> list[Record]:
        """Every stored document's metadata record (no payload): one scan for the law aliases and
        the gazetteer."""
        if self._documents is None:
            self._documents = self.backend.documents(Filters(kind="document"), limit=1_000_000)
        return self._documents

    def aliases(self) -> dict[str, str]:
        """Every name a law goes by → law_key: full title, short title, title without
        中华人民共和国, and names from the status registry."""
        if self._aliases is None:
            out: dict[str, str] = {}
            for r in self._document_records():
                for name in (r.title, r.short_title, short_title(r.title)):
                    if name:
                        out.setdefault(name, r.law_key)
            for e in self.registry.entries:
                for name in (e.title, e.short_title):
                    out.setdefault(name, e.short_title)
            self._aliases = out
        return self._aliases

    def law_titles(self, level: str) -> list[str]:
        """The distinct titles of the stored laws of one level (法律, 行政法规 …), in force or not:
        what a title the corpus does not know is compared with. Cached like the aliases."""
        if level not in self._titles:
            self._titles[level] = sorted({r.title for r in self._document_records() if r.level == level and r.title})
        return self._titles[level]

    def gazetteer(self) -> Gazetteer:
        """Places the corpus has local rules for (regions, and the cities local titles start with)."""
        if self._gazetteer is None:
            self._gazetteer = gazetteer_from(d for d in self._document_records()
                                             if d.region and d.level not in NATIONAL_LEVELS)
        return self._gazetteer

    def resolve_law(self, name: str) -> str | None:
        # A title inside a title is written with 〈〉 in running text (《山东省实施〈中华人民共和国道路
        # 交通安全法〉办法》) and with 《》 in the corpus.
        name = name.strip().strip("《》").replace(" ", "").replace("〈", "《").replace("〉", "》")
        if not name:
            return None
        al = self.aliases()
        return al.get(name) or al.get(short_title(name))

    def versions(self, law: str) -> list[LegalDocument]:
        key = self.resolve_law(law) or law
        docs = self._stored_documents([key], exclude=set())
        return sorted(docs, key=lambda d: (d.effective or dt.date.min, d.version_date or dt.date.min))

    def _read_document(self, doc_id: str) -> LegalDocument | None:
        """The stored document, parsed afresh (the caller may change it)."""
        recs = self.backend.get([doc_id])
        return LegalDocument.from_dict(json.loads(recs[0].payload)) if recs and recs[0].payload else None

    def get_document(self, doc_id: str) -> LegalDocument | None:
        """The stored document. Parsed documents are kept in a small cache: a review or a case
        looks up many articles of the same few laws, and parsing the 民法典 costs ~10 ms a time.
        Callers must not modify the returned document."""
        with self._doc_lock:  # the API serves requests from a thread pool
            doc = self._doc_cache.get(doc_id)
            if doc is not None:
                self._doc_cache.move_to_end(doc_id)
                return doc
        doc = self._read_document(doc_id)
        if doc is None:
            return None
        with self._doc_lock:
            self._doc_cache[doc_id] = doc
            if len(self._doc_cache) > DOC_CACHE_SIZE:
                self._doc_cache.popitem(last=False)
        return doc

    def version_at(self, law: str, as_of: dt.date | None = None) -> Record | None:
        """The document record of the version of `law` in force on `as_of` (default: today).
        Falls back to the newest version when none is in force (e.g. a repealed law)."""
        key = self.resolve_law(law)
        if key is None:
            return None
        recs = self.backend.documents(Filters(kind="document", law_keys=[key]))
        if not recs:
            return None
        day = as_of or self._today()
        recs.sort(key=lambda r: (r.effective or dt.date.min))
        in_force = [r for r in recs if (r.effective or dt.date.min) <= day
                    and (r.in_force_until is None or day < r.in_force_until)]
        return in_force[-1] if in_force else (None if as_of else recs[-1])

    def article(self, law: str, number: int, sub: int = 0,
                as_of: dt.date | None = None) -> tuple[LegalDocument, Article] | None:
        rec = self.version_at(law, as_of)
        if rec is None:
            return None
        doc = self.get_document(rec.doc_id)
        art = doc.article(number, sub) if doc else None
        return (doc, art) if doc and art else None

    # -- search ----------------------------------------------------------------------------
    def search(self, text: str, *, top_k: int = 10, offset: int = 0, level: Sequence[str] = (),
               status: Sequence[str] = (), region: Sequence[str] = (), issuer: Sequence[str] = (),
               as_of: dt.date | None = None, all_versions: bool = False,
               facets: Sequence[str] = (), rerank: bool | None = None) -> SearchResponse:
        """Citation-aware search. Without `as_of`, `status` or `all_versions`, only versions in
        force today are searched — what an adviser means by 'the law'. `rerank` overrides the
        library's setting for one call: the reranker is trained on people's questions, so
        callers that search with statute wording (the review engine) skip it."""
        rerank = self.rerank if rerank is None else rerank
        t0 = time.perf_counter()
        if as_of is None and not status and not all_versions:
            as_of = self._today()
        filters = Filters(level=level, status=status, region=region, issuer=issuer, as_of=as_of)
        citations, rest = find_citations(text, self.resolve_law)
        exact: list[Hit] = []
        cited_info: list[dict] = []
        local_regions: list[str] = []
        for c in citations:
            rec = self.version_at(c.law_key, as_of)
            found = None
            if rec is not None:
                got = self.backend.get([f"{rec.doc_id}#{article_key(c.number, c.sub)}"])
                found = got[0] if got else None
            cited_info.append({"law": c.law_key, "article_no": c.number, "sub": c.sub,
                               "found": found is not None,
                               "doc_id": rec.doc_id if rec else None})
            if found is not None:
                exact.append(self._hit(found, 1000.0, [], match="citation"))
        query_text = rest if citations else text
        query = build_query(query_text)
        terms = list(query.tokens)
        need = top_k + offset
        if citations and not query.tokens:
            # A pure citation query: the cited articles are the answer, nothing else matches.
            res = EngineResult(total=0, hits=[])
        else:
            # First stage to DEPTH (total and facets come from it), then the second stage
            # (search/rerank.py): more candidates through the same backend, features, trees.
            depth = max(DEPTH, need + len(exact)) if rerank else need + len(exact)
            res = self.backend.search(query, filters, limit=depth if query.tokens else 0, facets=facets)
            first_top = res.hits[0].score if res.hits else 0.0
            qvec = question_vector(query_text, self.encoder) if query.tokens and rerank else None
            if query.tokens and rerank:
                res.hits = rerank_hits(self.backend, query_text, filters, res.hits, limit=need + len(exact),
                                       query=query, encoder=self.encoder, vector_cache=self.vector_cache,
                                       qa=self.memory(), vector=qvec)
            places = self.gazetteer().find(query_text) if query.tokens and not region else []
            if places:
                res.hits, local_regions = self._with_local(places, query_text, query, filters, res.hits,
                                                           first_top, depth, rerank, need + len(exact), qvec)
        # One ranked list — exact citation hits first, then engine hits not already among them —
        # paged as a whole, so page 2 never repeats page 1.
        engine_ids = {eh.id for eh in res.hits}
        exact_ids = {h.id for h in exact}
        ranked = exact + [eh for eh in res.hits if eh.id not in exact_ids]
        page = ranked[offset:offset + (max(top_k, len(exact)) if offset == 0 else top_k)]
        hits = [h if isinstance(h, Hit) else self._hit(h.record, h.score, terms) for h in page]
        # The second stage adds candidates the first stage did not match (answered questions,
        # neighbours, a place's local rules): never report fewer results than are listed.
        total = max(res.total + sum(1 for h in exact if h.id not in engine_ids), len(ranked))
        return SearchResponse(query=text, total=total, hits=hits, facets=res.facets,
                              citations=cited_info, took_ms=(time.perf_counter() - t0) * 1000,
                              local_regions=local_regions)

    def _with_local(self, places: list[Place], text: str, query: FieldQuery, filters: Filters,
                    hits: list[EngineHit], first_top: float, depth: int, rerank: bool,
                    limit: int, vector: Any = None) -> tuple[list[EngineHit], list[str]]:
        """A question naming a place: that place's own rules, searched on their own, alternate with
        the national ranking (local first) — when they match the question about as well as the
        best national article does (first-stage score ≥ LOCAL_MIN_RATIO of it). The reranker
        learned from national questions to put 法律 above 地方性法规, so without this
        '上海市电动自行车上牌' gets 民法典 first and 上海市非机动车安全管理条例 nowhere; the gate
        keeps '在浙江离婚财产怎么分割' on 民法典 when no 浙江 rule is about divorce."""
        regions = list(dict.fromkeys(p.region for p in places))
        local = Filters(**{**filters.__dict__, "region": regions})
        first = self.backend.search(query, local, limit=depth).hits
        if not first or first[0].score < LOCAL_MIN_RATIO * first_top:
            return hits, []
        ranked = (rerank_hits(self.backend, text, local, first, limit=limit, query=query, encoder=self.encoder,
                              vector_cache=self.vector_cache, qa=self.memory(), vector=vector)
                  if rerank else first[:limit])
        merged: dict[str, EngineHit] = {}
        for pair in zip_longest(ranked, hits):
            for h in pair:
                if h is not None and h.id not in merged:
                    merged[h.id] = h
        return list(merged.values())[:max(limit, len(hits))], regions

    def _hit(self, r: Record, score: float, terms: list[str], match: str = "text") -> Hit:
        return Hit(doc_id=r.doc_id, title=r.title, short_title=r.short_title, article_no=r.article_no,
                   article=r.article, level=r.level, status=r.status,
                   effective=r.effective.isoformat() if r.effective else None, score=round(score, 4),
                   text=r.text, highlight=highlight(r.text, terms), id=r.id, path=r.path,
                   region=r.region, issuer=r.issuer, match=match)

    def cited_by(self, law: str, as_of: dt.date | None = None) -> dict[str, list[CitingArticle]]:
        """Article key → articles of other laws, in force on `as_of` (default today), that cite it
        (search/cited_by.py). Kept for the last few laws until the next write."""
        key = self.resolve_law(law)
        if key is None:
            return {}
        day = as_of or self._today()
        with self._doc_lock:
            got = self._cited_by.get((key, day))
        if got is None:
            rec = self.version_at(key)
            names = [rec.title, rec.short_title] if rec else [key]
            got = citing_articles(self.backend, self.resolve_law, key, names, as_of=day)
            with self._doc_lock:
                self._cited_by[(key, day)] = got
                if len(self._cited_by) > CITED_BY_CACHE:
                    self._cited_by.popitem(last=False)
        return got

    def memory(self) -> QAMemory | None:
        """The answered-question memory search consults: shipped + this deployment's own."""
        return self.answered.memory() if self.answered is not None else default_memory()

    def resolve_citations(self, text: str) -> list[tuple[str, int, int]]:
        """(law_key, article_no, sub) of every article cited in `text` that exists in the index
        (the version in force today, else the newest: an answer may cite a repealed law)."""
        cites, _ = find_citations(text, self.resolve_law)
        return [(c.law_key, c.number, c.sub) for c in cites if self.article(c.law_key, c.number, c.sub)]

    def stats(self) -> dict:
        info = self.backend.info()
        res = self.backend.search(build_query(""), Filters(kind="document"), limit=0,
                                  facets=("level", "status"))
        info["by_level"] = res.facets.get("level", {})
        info["by_status"] = res.facets.get("status", {})
        info["hybrid"] = self.hybrid_status()
        return info

    def hybrid_status(self) -> dict | None:
        """Which embedding model searches by meaning and which learned artefacts fit it (None: off).
        A model without its own ranker is ranked by the BM25 ranker over the hybrid candidates, and
        one without its own query adapter searches with its raw vectors — worth knowing."""
        if self.encoder is None:
            return None
        from legalkb.search.adapter import adapter_for
        from legalkb.search.rerank import model_name, ranker_for

        ranker, _ = ranker_for(True, self.encoder.name)
        return {"model": self.encoder.name, "query_adapter": adapter_for(self.encoder) is not None,
                "ranker": ranker, "own_ranker": ranker == model_name(True, self.encoder.name)}
