"""Second-stage ranking, engine-independent: candidates come only through the SearchBackend
protocol (`search` for BM25, `vector_search` for dense), so both engines rank the same way.

    retrieve(backend, text, filters, limit=10)   (Library.search calls rerank_hits)
      1. BM25 candidates (query analysis in search/query.py), depth 150
      2. dense candidates when an encoder is configured (search/embeddings.py, adapted question
         vector: search/adapter.py), depth 150
      3. answers of similar answered questions (search/qa_memory.py)
      4. the best laws searched again on their own; ±1 neighbours of the strongest candidates
      5. features per candidate (scores, ranks, reciprocal-rank fusion, level, law-level evidence,
         law-title overlap, query coverage, answered-question votes, article neighbourhood)
      6. a gradient-boosted ranker (search/rerank_{bm25,hybrid}.json.gz, trained by
         scripts/train_rerank.py with k-fold cross-validation on STARD); without one: RRF order.

The model files are LightGBM dumps reduced to arrays and evaluated here in numpy, so serving
needs neither lightgbm nor scipy.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from legalkb.search.adapter import adapt
from legalkb.search.analysis import normalize
from legalkb.search.backend import EngineHit, FieldQuery, Filters, Record, SearchBackend
from legalkb.search.data import family_file, packaged_bytes
from legalkb.search.folds import HELD_OUT_FOLD, HELD_OUT_QUESTION, for_current_fold
from legalkb.search.query import analyze, build_query

DEPTH = 150
RRF_K = 60
# Law-title prediction: the laws that gather the most first-stage evidence are searched again on
# their own, so that their other relevant articles (ranked below DEPTH corpus-wide, behind
# similar wording in other laws) become candidates.
LAW_EXPAND = 3
LAW_EXPAND_DEPTH = 100
# The same laws searched by meaning too (hybrid only): within one law the dense ranking is far
# better than corpus-wide, where similar wording in thousands of other articles crowds it out.
LAW_EXPAND_DENSE = 100
# Answered questions (search/qa_memory.py): neighbours consulted, and how many of the nearest
# bring their answers in as candidates even when no first-stage list found them.
QA_K = 30
QA_INJECT = 30
# Article neighbourhood: questions often need consecutive articles (名誉权 1024–1028); the
# neighbours (±1) of the strongest first-stage candidates join the pool.
NEIGHBOUR_OF = 20
LEVELS = ("法律", "行政法规", "司法解释", "地方性法规", "部门规章", "案例", "宪法")
FEATURES = (
    "bm25", "bm25_rel", "bm25_logrank", "dense", "dense_rel", "dense_logrank", "rrf",
    *(f"level_{x}" for x in LEVELS),
    "law_n_bm25", "law_n_dense", "law_max_bm25_rel", "law_max_dense_rel", "law_rrf_sum",
    "title_cover", "title_tokens", "text_cover", "phrase_cover", "text_len", "article_no",
    "is_interpretation", "neighbour_rrf", "law_rank", "own_rel", "own_logrank", "own_dense", "own_dense_logrank",
    "own_rrf", "law_share", "law_expand_rank",
    "qa_max", "qa_sum", "qa_logrank", "qa_law_max", "qa_top", "qad_max", "qad_sum", "qad_law_max",
)


@dataclass
class Candidate:
    record: Record
    bm25: float = 0.0
    bm25_rank: int = 0        # 1-based; 0 = not retrieved by BM25
    dense: float = 0.0
    dense_rank: int = 0
    own: float = 0.0          # score/rank within its own law's search (LAW_EXPAND), 0 = not run
    own_rank: int = 0
    own_dense: float = 0.0    # the same for the law's dense search (hybrid only)
    own_dense_rank: int = 0
    law_share: float = 0.0    # the law's share of first-stage + answered-question evidence
    law_expand_rank: int = 0  # 1-based position of the law among the expanded ones, 0 = not expanded
    qa_max: float = 0.0       # best similarity of an answered question citing this article
    qa_sum: float = 0.0
    qa_rank: int = 0          # rank of that neighbour (1-based; 0 = none)
    qad_max: float = 0.0      # the same from dense neighbours (hybrid only)
    qad_sum: float = 0.0
    features: list[float] = field(default_factory=list)
    score: float = 0.0

    @property
    def rrf(self) -> float:
        return sum(1.0 / (RRF_K + r) for r in (self.bm25_rank, self.dense_rank) if r)


_NOT_ALNUM = re.compile(r"[\W_]+")   # \w is isalnum() or '_' in CPython's re


@lru_cache(maxsize=65536)
def _bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the letters and digits (cached: the same articles recur across
    queries, and this is the hottest part of featurising)."""
    t = _NOT_ALNUM.sub("", _normalized(text))
    return frozenset(t[i:i + 2] for i in range(len(t) - 1))


# Full-width ASCII (ＡＢＣ１２３) and the ideographic space folded to half-width: what NFKC does to
# statute text in practice, at a fraction of its cost (NFKC was a quarter of featurising time,
# because Chinese punctuation is never NFKC-normal so its fast path never applied).
_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@lru_cache(maxsize=65536)
def _normalized(text: str) -> str:
    """Cached: the same article texts recur across queries (bigrams and phrase cover both use it)."""
    return text.translate(_HALFWIDTH).lower()


_LEVEL_ONE_HOT = {x: tuple(1.0 if x == y else 0.0 for y in LEVELS) for x in LEVELS}
_NO_LEVEL = (0.0,) * len(LEVELS)


def featurize(text: str, cands: Sequence[Candidate], tokens: Sequence[str], depth: int = DEPTH,
              qa_top: float = 0.0) -> None:
    """Fill `features` on every candidate (order = FEATURES). `qa_top`: similarity of the nearest
    answered question (how much to trust the qa_* features)."""
    if not cands:
        return
    max_bm = max((c.bm25 for c in cands), default=0.0) or 1.0
    max_dn = max((c.dense for c in cands), default=0.0) or 1.0
    by_law: dict[str, list[Candidate]] = {}
    for c in cands:
        by_law.setdefault(c.record.law_key, []).append(c)
    law_rrf = {k: sum(c.rrf for c in v) for k, v in by_law.items()}
    # Per-law evidence once per law, not once per candidate (民法典 alone brings ~200 candidates).
    law_stats = {k: (float(sum(1 for x in v if x.bm25_rank)), float(sum(1 for x in v if x.dense_rank)),
                     max(x.bm25 for x in v) / max_bm, max(x.dense for x in v) / max_dn)
                 for k, v in by_law.items()}
    law_order = {k: i for i, k in enumerate(sorted(law_rrf, key=lambda k: -law_rrf[k]))}
    pos = {(c.record.law_key, c.record.article_no): c for c in cands}
    qgrams = _bigrams(text)
    content = [t for t in dict.fromkeys(tokens) if len(t) > 1]
    phrases = [p for p in (normalize(x) for x in _clauses(text)) if len(p) >= 4]
    title_cache: dict[str, tuple[float, float]] = {}
    qa_law: dict[str, float] = {}
    qad_law: dict[str, float] = {}
    for c in cands:
        qa_law[c.record.law_key] = max(qa_law.get(c.record.law_key, 0.0), c.qa_max)
        qad_law[c.record.law_key] = max(qad_law.get(c.record.law_key, 0.0), c.qad_max)
    for c in cands:
        r = c.record
        if r.law_key not in title_cache:
            tg = _bigrams(r.title)
            title_cache[r.law_key] = (len(qgrams & tg) / max(len(qgrams), 1),
                                      float(sum(1 for t in content if t in r.title)))
        tcov, ttok = title_cache[r.law_key]
        body = _normalized(r.text)
        agrams = _bigrams(r.text)
        neighbours = [pos.get((r.law_key, r.article_no + d)) for d in (-1, 1)] if r.article_no is not None else []
        c.features = [
            c.bm25, c.bm25 / max_bm, math.log(c.bm25_rank or depth * 2),
            c.dense, c.dense / max_dn, math.log(c.dense_rank or depth * 2), c.rrf,
            *_LEVEL_ONE_HOT.get(r.level, _NO_LEVEL),
            *law_stats[r.law_key], law_rrf[r.law_key],
            tcov, ttok, len(qgrams & agrams) / max(len(qgrams), 1),
            max((_longest_common(p, body) / len(p) for p in phrases), default=0.0),
            math.log(len(r.text) + 1), math.log((r.article_no or 0) + 1),
            1.0 if ("解释" in r.title) or ("规定" in r.title and r.level == "司法解释") else 0.0,
            max((n.rrf for n in neighbours if n is not None), default=0.0),
            float(law_order[r.law_key]),
            c.own, math.log(c.own_rank or depth * 2),
            c.own_dense, math.log(c.own_dense_rank or depth * 2),
            sum(1.0 / (RRF_K + k) for k in (c.own_rank, c.own_dense_rank) if k),
            c.law_share, float(c.law_expand_rank or LAW_EXPAND + 1),
            c.qa_max, c.qa_sum, math.log(c.qa_rank or QA_K * 2), qa_law[r.law_key], qa_top,
            c.qad_max, c.qad_sum, qad_law[r.law_key],
        ]


def _clauses(text: str) -> list[str]:
    return re.split(r"[\s，。；、,.;:：？?！!（）()“”\"《》]+", text)


def _longest_common(a: str, b: str) -> int:
    """Longest substring of `a` found in `b` (a is a short clause: quadratic is fine)."""
    best = 0
    n = len(a)
    for i in range(n):
        j = i + best + 1
        while j <= n and a[i:j] in b:
            best = j - i
            j += 1
    return best


class TreeModel:
    """A LightGBM model reduced to arrays. All trees are concatenated into one node table, so
    `predict` walks every candidate through every tree at once, one tree level per step."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.features: list[str] = spec["features"]
        self.trees = _Forest(spec["trees"])
        self.folds = [_Forest(t) for t in spec.get("folds", [])]
        self.trained: dict[str, Any] = spec.get("trained", {})

    def predict(self, x: np.ndarray) -> np.ndarray:
        return for_current_fold(self.trees, self.folds).predict(x)


class _Forest:
    def __init__(self, trees: list[dict[str, list]]) -> None:
        feat: list[int] = []
        thr: list[float] = []
        dl: list[bool] = []
        left: list[int] = []
        right: list[int] = []
        leaves: list[float] = []
        roots: list[int] = []
        self.constant = 0.0
        for t in trees:
            if "feature" not in t:   # a single-leaf tree
                self.constant += float(t["leaf"][0])
                continue
            io, lo = len(feat), len(leaves)

            def shift(child: int, io: int = io, lo: int = lo) -> int:
                return child + io if child >= 0 else ~(~child + lo)

            roots.append(io)
            feat += t["feature"]
            thr += t["threshold"]
            dl += t["default_left"]
            left += [shift(c) for c in t["left"]]
            right += [shift(c) for c in t["right"]]
            leaves += t["leaf"]
        self.feature = np.asarray(feat, dtype=np.int64)
        self.threshold = np.asarray(thr, dtype=np.float64)
        self.default_left = np.asarray(dl, dtype=bool)
        self.left = np.asarray(left, dtype=np.int64)
        self.right = np.asarray(right, dtype=np.int64)
        self.leaf = np.asarray(leaves, dtype=np.float64)
        self.roots = np.asarray(roots, dtype=np.int64)

    def predict(self, x: np.ndarray) -> np.ndarray:
        n = len(x)
        if not len(self.roots) or not n:
            return np.full(n, self.constant)
        node = np.tile(self.roots, (n, 1))            # (candidates, trees); < 0 = ~leaf index
        row = np.repeat(np.arange(n), len(self.roots)).reshape(n, -1)
        while True:
            inner = node >= 0
            if not inner.any():
                break
            idx = node[inner]
            vals = x[row[inner], self.feature[idx]]
            go_left = np.where(np.isnan(vals), self.default_left[idx], vals <= self.threshold[idx])
            node[inner] = np.where(go_left, self.left[idx], self.right[idx])
        return self.leaf[~node].sum(axis=1) + self.constant


def model_from_lightgbm(dump: dict[str, Any], features: Sequence[str]) -> dict[str, Any]:
    """LightGBM `dump_model()` → the compact spec TreeModel reads (numeric splits only)."""
    return {"features": list(features), "trees": [_flatten(t["tree_structure"]) for t in dump["tree_info"]]}


def _flatten(root: dict[str, Any]) -> dict[str, list]:
    if "leaf_value" in root:
        return {"leaf": [root["leaf_value"]]}
    t: dict[str, list] = {"feature": [], "threshold": [], "default_left": [], "left": [], "right": [], "leaf": []}

    def walk(n: dict[str, Any]) -> int:
        if "leaf_value" in n:
            t["leaf"].append(round(float(n["leaf_value"]), 7))
            return ~(len(t["leaf"]) - 1)
        i = len(t["feature"])
        t["feature"].append(int(n["split_feature"]))
        t["threshold"].append(float(n["threshold"]))
        t["default_left"].append(bool(n["default_left"]))
        t["left"].append(0)
        t["right"].append(0)
        t["left"][i] = walk(n["left_child"])
        t["right"][i] = walk(n["right_child"])
        return i

    walk(root)
    return t


@lru_cache(maxsize=4)
def load_model(name: str) -> TreeModel | None:
    raw = packaged_bytes(name)
    if raw is None:
        return None
    spec = json.loads(gzip.decompress(raw) if name.endswith(".gz") else raw)
    if spec.get("features") != list(FEATURES):
        return None   # trained for another feature set: RRF order is safer than wrong inputs
    return TreeModel(spec)


def model_name(hybrid: bool, encoder_name: str = "") -> str:
    """The shipped ranker for a mode: BM25, or hybrid for the embedding model in use — the dense
    features' scale is the model's own, so each model family has its file
    (rerank_hybrid-bge-small-zh-v1.5.json.gz); the unsuffixed file is the test model's."""
    return family_file("rerank_hybrid.json.gz", encoder_name) if hybrid else "rerank_bm25.json.gz"


def ranker_for(hybrid: bool, encoder_name: str = "") -> tuple[str, TreeModel | None]:
    """The shipped ranker a search uses and its file: the embedding model family's own, else (no
    file for this model) the BM25 ranker over the hybrid candidates. Measured on STARD with bge
    vectors and no adapter (5-fold, hit@10 / Recall@100): bge's own ranker 0.783 / 0.884, the BM25
    ranker 0.772 / 0.867, m3e's hybrid ranker 0.737 / 0.853, plain RRF 0.601 / 0.722 — a ranker
    trained on another model's dense scores is worse than one that ignores them."""
    name = model_name(hybrid, encoder_name)
    m = load_model(name)
    if m is None and hybrid:
        name = model_name(False)
        m = load_model(name)
    return name, m


def candidates(backend: SearchBackend, text: str, filters: Filters, *, query: FieldQuery | None = None,
               vector: Sequence[float] | None = None, depth: int = DEPTH,
               bm25_hits: Sequence[EngineHit] | None = None, law_expand: int = LAW_EXPAND,
               qa: Any = True, encoder: Any = None, vector_cache: Any = None) -> tuple[list[Candidate], float]:
    """BM25 hits (given, or searched to `depth`) + dense hits + the best laws searched on their
    own + the answers of the nearest answered questions, merged by record id. Also returns the
    similarity of the nearest answered question (0 without a memory)."""
    q = query or build_query(text)
    pool: dict[str, Candidate] = {}
    # Articles are searched with the adapted question vector (search/adapter.py); answered
    # questions are compared with the raw one (question to question).
    svec = adapt(vector, encoder)
    if bm25_hits is None:
        bm25_hits = backend.search(q, filters, limit=depth).hits if q.tokens else []
    for i, h in enumerate(bm25_hits, 1):
        pool[h.id] = Candidate(record=h.record, bm25=h.score, bm25_rank=i)
    if svec is not None:
        for i, h in enumerate(backend.vector_search(svec, filters, limit=depth), 1):
            c = pool.setdefault(h.id, Candidate(record=h.record))
            c.dense, c.dense_rank = h.score, i
    qa_top = _add_answered(backend, text, filters, pool, qa, vector, encoder, vector_cache)
    mass: dict[str, float] = {}      # law → first-stage + answered-question evidence
    expanded: list[str] = []
    if law_expand and q.tokens and pool:
        for c in pool.values():
            # An answered question citing the law counts like a first-page hit (1/(60+1)).
            mass[c.record.law_key] = (mass.get(c.record.law_key, 0.0) + c.rrf
                                      + max(c.qa_max, c.qad_max) / (RRF_K + 1))
        expanded = sorted(mass, key=lambda k: -mass[k])[:law_expand]
        for law in expanded:
            f = Filters(**{**filters.__dict__, "law_keys": [law]})
            hits = backend.search(q, f, limit=LAW_EXPAND_DEPTH).hits
            top = hits[0].score if hits else 1.0
            for i, h in enumerate(hits, 1):
                c = pool.setdefault(h.id, Candidate(record=h.record))
                c.own, c.own_rank = h.score / (top or 1.0), i
            if svec is not None and LAW_EXPAND_DENSE:
                for i, h in enumerate(backend.vector_search(svec, f, limit=LAW_EXPAND_DENSE), 1):
                    c = pool.setdefault(h.id, Candidate(record=h.record))
                    c.own_dense, c.own_dense_rank = h.score, i
    _add_neighbours(backend, pool)
    total = sum(mass.values()) or 1.0
    order = {law: i for i, law in enumerate(expanded, 1)}
    for c in pool.values():
        c.law_share = mass.get(c.record.law_key, 0.0) / total
        c.law_expand_rank = order.get(c.record.law_key, 0)
    return list(pool.values()), qa_top


def _add_neighbours(backend: SearchBackend, pool: dict[str, Candidate]) -> None:
    from legalkb.ingest.numerals import article_key

    strongest = sorted(pool.values(), key=lambda c: -(c.rrf + max(c.qa_max, c.qad_max) / (RRF_K + 1)))[:NEIGHBOUR_OF]
    ids = []
    for c in strongest:
        r = c.record
        if r.article_no is None or r.article_sub:
            continue
        for n in (r.article_no - 1, r.article_no + 1):
            rid = f"{r.doc_id}#{article_key(n)}"
            if n > 0 and rid not in pool:
                ids.append(rid)
    for rec in backend.get(list(dict.fromkeys(ids))):
        pool.setdefault(rec.id, Candidate(record=rec))


def _refs(neigh: Sequence[tuple[float, Any]]) -> dict[tuple[str, int, int], tuple[float, float, int]]:
    best: dict[tuple[str, int, int], tuple[float, float, int]] = {}   # ref → (max, sum, rank)
    for rank_, (sim, e) in enumerate(neigh, 1):
        for ref in e.refs:
            m, s, r = best.get(ref, (0.0, 0.0, 0))
            best[ref] = (max(m, sim), s + sim, r or rank_)
    return best


def _add_answered(backend: SearchBackend, text: str, filters: Filters, pool: dict[str, Candidate],
                  qa: Any, vector: Sequence[float] | None = None, encoder: Any = None,
                  vector_cache: Any = None) -> float:
    """Mark candidates cited by similar answered questions; fetch the nearest ones' answers."""
    if qa is True:
        from legalkb.search.qa_memory import default_memory

        qa = default_memory()
    if not qa:
        return 0.0
    from legalkb.ingest.numerals import article_key

    held = HELD_OUT_FOLD.get()
    skip: tuple[str, ...] = ()
    if (own := HELD_OUT_QUESTION.get()) is not None:
        held, skip = None, qa.same_question(*own)
    neigh = qa.neighbours(text, k=QA_K, exclude=skip, exclude_fold=held)
    dense = (qa.dense_neighbours(vector, encoder, k=QA_K, cache=vector_cache, exclude=skip, exclude_fold=held)
             if vector is not None and encoder is not None else [])
    if not neigh and not dense:
        return 0.0
    best = _refs(neigh)
    best_d = _refs(dense)
    by_key = {(c.record.law_key, c.record.article_no, c.record.article_sub): c for c in pool.values()}
    wanted = {ref for table in (best, best_d) for ref, (_, _, r) in table.items()
              if r <= QA_INJECT and ref not in by_key}
    if wanted:
        docs = backend.documents(Filters(**{**filters.__dict__, "kind": "document",
                                            "law_keys": sorted({w[0] for w in wanted})}))
        ids = [f"{d.doc_id}#{article_key(no, sub)}" for d in docs for (law, no, sub) in wanted if law == d.law_key]
        for rec in backend.get(ids):
            c = pool.setdefault(rec.id, Candidate(record=rec))
            by_key[(rec.law_key, rec.article_no, rec.article_sub)] = c
    for ref, (m, s, r) in best.items():
        c = by_key.get(ref)
        if c is not None:
            c.qa_max, c.qa_sum, c.qa_rank = m, s, r
    for ref, (m, s, _r) in best_d.items():
        c = by_key.get(ref)
        if c is not None:
            c.qad_max, c.qad_sum = m, s
    return neigh[0][0] if neigh else 0.0


def rank(text: str, cands: list[Candidate], *, hybrid: bool, tokens: Sequence[str] | None = None,
         model: TreeModel | None | bool = True, qa_top: float = 0.0, encoder_name: str = "") -> list[Candidate]:
    """Order candidates: the trained model when one fits, else reciprocal-rank fusion."""
    if not cands:
        return []
    toks = list(tokens) if tokens is not None else analyze(text).tokens
    featurize(text, cands, toks, qa_top=qa_top)
    m = ranker_for(hybrid, encoder_name)[1] if model is True else (model or None)
    if m is not None:
        scores = m.predict(np.asarray([c.features for c in cands], dtype=np.float64))
        for c, s in zip(cands, scores, strict=True):
            c.score = float(s)
    else:
        for c in cands:
            c.score = c.rrf if hybrid else c.bm25
    return sorted(cands, key=lambda c: -c.score)


def question_vector(text: str, encoder: Any) -> Any:
    """The question's raw vector (adapted per search in `candidates`), None without an encoder."""
    if encoder is None:
        return None
    from legalkb.search.embeddings import query_text

    return encoder.encode([query_text(text)])[0]


def rerank_hits(backend: SearchBackend, text: str, filters: Filters, bm25_hits: Sequence[EngineHit], *,
                limit: int, query: FieldQuery | None = None, encoder: Any = None,
                model: TreeModel | None | bool = True, vector_cache: Any = None, qa: Any = True,
                vector: Any = None) -> list[EngineHit]:
    """Re-rank a first-stage BM25 result (fetched to DEPTH by the caller, who also wants its total
    and facets), adding dense candidates when an encoder is configured. `qa`: the answered-question
    memory (True: the shipped one). `vector`: the question's vector when the caller has it already
    (a question naming a place is re-ranked twice)."""
    if vector is None and encoder is not None:
        vector = question_vector(text, encoder)
    q = query or build_query(text)
    cands, qa_top = candidates(backend, text, filters, query=q, vector=vector, bm25_hits=bm25_hits,
                               encoder=encoder, vector_cache=vector_cache, qa=qa)
    ranked = rank(text, cands, hybrid=vector is not None, tokens=q.tokens, model=model, qa_top=qa_top,
                  encoder_name=getattr(encoder, "name", ""))
    return [EngineHit(id=c.record.id, score=c.score, record=c.record) for c in ranked[:limit]]


def retrieve(backend: SearchBackend, text: str, filters: Filters, *, limit: int = 10,
             query: FieldQuery | None = None, encoder: Any = None, depth: int = DEPTH,
             model: TreeModel | None | bool = True) -> list[EngineHit]:
    """Ranked article hits for a question: what Library.search shows after citations."""
    q = query or build_query(text)
    first = backend.search(q, filters, limit=max(depth, limit)).hits if q.tokens else []
    return rerank_hits(backend, text, filters, first, limit=limit, query=q, encoder=encoder, model=model)
