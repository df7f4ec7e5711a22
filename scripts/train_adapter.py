"""Train the dense query adapter (search/query_adapter.npz) on STARD.

    LEGALKB_HOME=/tmp/lkb-full LEGALKB_EMBED_MODEL=/path/m3e-small \
        python scripts/train_adapter.py ../shared/eval/stard/train.jsonl

Fits W (question vector → gold article vector, ridge towards the identity: W = (XᵀX + λI)⁻¹(XᵀY + λI))
on all questions and on each 5-fold training split, keeps W − I at rank 32 (float16), and reports
the cross-validated dense-only Recall@10/100 (each question searched corpus-wide through
`vector_search` with the fold model that never saw it) next to the raw question vector's. Gold
article vectors come from the vector cache (the same text and model the index was built with).
Retrain the hybrid reranker afterwards (`scripts/train_rerank.py --hybrid`): its dense features
change with the adapter.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np

from legalkb.ingest.numerals import article_key
from legalkb.search import adapter as adapter_mod
from legalkb.search.backend import Filters
from legalkb.search.embeddings import configured_encoder, fill_vectors, query_text
from legalkb.search.evaluate import fold_of, load_questions
from legalkb.search.library import Library

LAMBDA = 1.0
RANK = 32


def fit(x: np.ndarray, y: np.ndarray, lam: float, rank: int) -> tuple[np.ndarray, np.ndarray]:
    d = x.shape[1]
    w = np.linalg.solve(x.T @ x + lam * np.eye(d), x.T @ y + lam * np.eye(d))
    u, s, vt = np.linalg.svd(w - np.eye(d))
    return (u[:, :rank] * s[:rank]).astype(np.float32), vt[:rank].astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", type=Path)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--lam", type=float, default=LAMBDA)
    ap.add_argument("--rank", type=int, default=RANK)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    encoder = configured_encoder()
    if encoder is None:
        sys.exit("needs LEGALKB_EMBED_MODEL")
    lib = Library.open()
    today = dt.date.today()
    questions = load_questions(args.file)
    q_vecs = encoder.encode([query_text(q.question) for q in questions]).astype(np.float32)
    gold_ids: list[list[str]] = []
    for q in questions:
        ids = []
        for title, no, sub in q.gold:
            key = lib.resolve_law(title)
            rec = lib.version_at(key, today) if key else None
            if rec is not None:
                ids.append(f"{rec.doc_id}#{article_key(no, sub)}")
        gold_ids.append(ids)
    records = {r.id: r for r in lib.backend.get(sorted({i for ids in gold_ids for i in ids}))}
    fill_vectors(list(records.values()), encoder, lib.vector_cache)
    gold_vecs = [[np.asarray(records[i].vector, dtype=np.float32) for i in ids if i in records]
                 for ids in gold_ids]
    print(f"{len(questions)} questions, {sum(map(len, gold_vecs))} gold articles with vectors", file=sys.stderr)

    def split(keep: list[int]) -> tuple[np.ndarray, np.ndarray]:
        x = np.vstack([q_vecs[i] for i in keep for _ in gold_vecs[i]])
        y = np.vstack([g for i in keep for g in gold_vecs[i]])
        return x, y

    folds = [fold_of(q.id, args.folds) for q in questions]
    fold_models = [fit(*split([i for i, f in enumerate(folds) if f != k]), args.lam, args.rank)
                   for k in range(args.folds)]
    full = fit(*split(list(range(len(questions)))), args.lam, args.rank)

    def recall(vec: np.ndarray, q: int) -> tuple[float, float]:
        hits = [h.id for h in lib.backend.vector_search(vec, Filters(as_of=today), limit=100)]
        gold = set(gold_ids[q])
        if not gold:
            return float("nan"), float("nan")
        return (len(gold & set(hits[:10])) / len(gold), len(gold & set(hits)) / len(gold))

    raw, adapted = [], []
    for i, v in enumerate(q_vecs):
        u, w = fold_models[folds[i]]
        a = v + (v @ u) @ w
        raw.append(recall(v, i))
        adapted.append(recall(a / np.linalg.norm(a), i))
    for name, rows in (("raw question vector", raw), (f"adapted ({args.folds}-fold CV)", adapted)):
        r = np.nanmean(np.asarray(rows), axis=0)
        print(f"dense only, {name}: Recall@10 {r[0]:.3f}  Recall@100 {r[1]:.3f}")
    if args.no_write:
        return
    out = Path(adapter_mod.__file__).with_name(adapter_mod.ADAPTER_FILE)
    adapter_mod.save(out, encoder.name, full, fold_models)
    print(f"wrote {out} ({out.stat().st_size // 1024} KB) for model {encoder.name}")


if __name__ == "__main__":
    main()
