"""Answered questions as evidence: a new question that resembles one whose answer is known
(STARD's training questions, each with the articles that answer it) points at those articles.

Laypeople ask about the same articles again and again in different words ('夫妻一方经营个体工商户
所欠债务谁偿还' / '经营者的个人财产与个体工商户财产混同…' → 民法典第五十六条), and
the nearest answered questions bridge vocabulary that neither BM25 nor a small embedding model
bridges. The memory is search/qa_stard.jsonl.gz, built by scripts/train_qa.py from the STARD
training file (MIT licence); a deployment can add its own answered questions in the same format.

Similarity is TF-IDF over character bigrams (no tokenizer dependence, robust to jieba's cuts).
While the STARD evaluator scores a training question, the memory leaves out that question's fold
(search/folds.py), so no question is ever answered by itself.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from legalkb.search.analysis import normalize
from legalkb.search.data import packaged_bytes

MEMORY_FILE = "qa_stard.jsonl.gz"


@dataclass(frozen=True)
class Answered:
    id: str
    question: str
    refs: tuple[tuple[str, int, int], ...]   # (law_key, article_no, sub)


def _grams(text: str) -> list[str]:
    t = "".join(ch for ch in normalize(text) if ch.isalnum())
    return [t[i:i + 2] for i in range(len(t) - 1)] or ([t] if t else [])


def _embed(texts: list[str], encoder: Any, cache: Any, known: dict[str, np.ndarray]) -> np.ndarray:
    """Vectors for `texts`: those `known` (handed over by the memory this one replaces), then those
    in the vector cache, then the encoder for the rest (written to the cache)."""
    from legalkb.search.embeddings import text_hash

    got = {t: known[t] for t in texts if t in known}
    rest = [i for i, t in enumerate(texts) if t not in got]
    if rest and cache is not None:
        hashes = {i: text_hash("qa:" + texts[i]) for i in rest}
        hit = cache.get(encoder.name, list(hashes.values()))
        got.update({texts[i]: hit[h] for i, h in hashes.items() if h in hit})
        rest = [i for i in rest if texts[i] not in got]
    if rest:
        vecs = encoder.encode([texts[i] for i in rest])
        if cache is not None:
            cache.put(encoder.name, [(text_hash("qa:" + texts[i]), vecs[j]) for j, i in enumerate(rest)])
        got.update((texts[i], vecs[j]) for j, i in enumerate(rest))
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.asarray(np.vstack([got[t] for t in texts]), dtype=np.float32)


class QAMemory:
    def __init__(self, entries: Sequence[Answered], reuse: QAMemory | None = None) -> None:
        """`reuse`: the memory this one replaces — the questions it has embedded are not embedded
        (or read from the vector cache) again when one new answer is recorded."""
        self.entries = list(entries)
        self._vectors: dict[str, np.ndarray] = {}
        # Taken now, not by reference: a chain of replaced memories must not be kept alive.
        self._handed: dict[str, dict[str, np.ndarray]] = reuse.handover() if reuse is not None else {}
        self._texts: list[str] | None = None
        df: dict[str, int] = {}
        grams = [set(_grams(e.question)) for e in self.entries]
        for g in grams:
            for x in g:
                df[x] = df.get(x, 0) + 1
        n = max(len(self.entries), 1)
        self.idf = {x: math.log((n + 1) / (c + 0.5)) for x, c in df.items()}
        self.default_idf = math.log(n + 1)
        self.index: dict[str, list[tuple[int, float]]] = {}
        self.norms: list[float] = []
        for i, g in enumerate(grams):
            w = {x: self.idf[x] for x in g}
            self.norms.append(math.sqrt(sum(v * v for v in w.values())) or 1.0)
            for x, v in w.items():
                self.index.setdefault(x, []).append((i, v))

    def neighbours(self, text: str, k: int = 10, exclude: Iterable[str] = (),
                   exclude_fold: tuple[int, int] | None = None) -> list[tuple[float, Answered]]:
        """The k most similar answered questions (cosine, best first)."""
        from legalkb.search.evaluate import fold_of

        q = {x: self.idf.get(x, self.default_idf) for x in set(_grams(text))}
        qn = math.sqrt(sum(v * v for v in q.values())) or 1.0
        scores: dict[int, float] = {}
        for x, qv in q.items():
            for i, v in self.index.get(x, ()):
                scores[i] = scores.get(i, 0.0) + qv * v
        skip = set(exclude)
        out = []
        for i, cos in sorted(((i, s / (qn * self.norms[i])) for i, s in scores.items()), key=lambda t: -t[1]):
            e = self.entries[i]
            if e.id in skip or (exclude_fold and fold_of(e.id, exclude_fold[1]) == exclude_fold[0]):
                continue
            out.append((cos, e))
            if len(out) >= k:
                break
        return out


    def vectors(self, encoder: Any, cache: Any = None) -> np.ndarray:
        """The memory questions embedded by `encoder` (once per process; through the vector cache
        when one is given — the first embedding of 1,234 questions takes ~16 s on one core)."""
        from legalkb.search.embeddings import query_text

        if encoder.name not in self._vectors:
            # Embedded as questions (with the model's query prefix, as the incoming question is):
            # bge-style models compare two questions best when both carry it.
            texts = [query_text(e.question) for e in self.entries]
            self._vectors[encoder.name] = _embed(texts, encoder, cache, self._handed.pop(encoder.name, {}))
        return self._vectors[encoder.name]

    def handover(self) -> dict[str, dict[str, np.ndarray]]:
        """Model name → {question text as embedded → vector}: what this memory has embedded (or was
        handed and has not used yet), for the memory that replaces it."""
        from legalkb.search.embeddings import query_text

        out = dict(self._handed)
        for model, mat in self._vectors.items():
            out[model] = {query_text(e.question): mat[i] for i, e in enumerate(self.entries)}
        return out

    def same_question(self, qid: str, text: str) -> tuple[str, ...]:
        """Ids of the entries that are this question: its id, or the same words."""
        if self._texts is None:
            self._texts = ["".join(normalize(e.question).split()) for e in self.entries]
        norm = "".join(normalize(text).split())
        return tuple(e.id for e, t in zip(self.entries, self._texts, strict=True) if e.id == qid or t == norm)

    def dense_neighbours(self, vector: Sequence[float], encoder: Any, k: int = 10, cache: Any = None,
                         exclude: Iterable[str] = (),
                         exclude_fold: tuple[int, int] | None = None) -> list[tuple[float, Answered]]:
        """The k answered questions nearest to a query vector (cosine), best first."""
        from legalkb.search.evaluate import fold_of

        mat = self.vectors(encoder, cache)
        if not len(mat):
            return []
        v = np.asarray(vector, dtype=np.float32)
        sims = mat @ (v / max(float(np.linalg.norm(v)), 1e-12))
        skip = set(exclude)
        out = []
        for i in np.argsort(-sims):
            e = self.entries[int(i)]
            if e.id in skip or (exclude_fold and fold_of(e.id, exclude_fold[1]) == exclude_fold[0]):
                continue
            out.append((float(sims[i]), e))
            if len(out) >= k:
                break
        return out


def parse(lines: Iterable[str]) -> list[Answered]:
    out = []
    for line in lines:
        if line.strip():
            row = json.loads(line)
            out.append(Answered(str(row["id"]), row["q"], tuple((r[0], int(r[1]), int(r[2])) for r in row["refs"])))
    return out


@lru_cache(maxsize=1)
def default_memory() -> QAMemory | None:
    raw = packaged_bytes(MEMORY_FILE)
    if raw is None:
        return None
    return QAMemory(parse(gzip.decompress(raw).decode("utf-8").splitlines()))
