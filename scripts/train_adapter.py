"""Train the dense query adapter on STARD, for the embedding model in LEGALKB_EMBED_MODEL.

    LEGALKB_HOME=/tmp/lkb-full LEGALKB_EMBED_MODEL=/path/m3e-small \
        python scripts/train_adapter.py ../shared/eval/stard/train.jsonl

Writes search/query_adapter.npz for the test model m3e-small, search/query_adapter-<family>.npz
for another (query_adapter-bge-small-zh-v1.5.npz).

The method is `legalkb.search.adapter.fit` (a softmax over every in-force article vector; see
that module). Reports the cross-validated dense-only Recall@10/100 — each question searched
corpus-wide through `vector_search` with the fold model that never saw it — next to the raw
question vector's, then writes one model per fold and one on all questions. Needs the embedded
engine (it reads the whole vector matrix). Retrain the hybrid reranker afterwards
(`scripts/train_rerank.py --hybrid`): its dense features change with the adapter.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np

from legalkb.search import adapter as adapter_mod
from legalkb.search.adapter import EPOCHS, RANK, QueryAdapter, fit
from legalkb.search.backend import Filters
from legalkb.search.data import family_file
from legalkb.search.embeddings import configured_encoder, query_text
from legalkb.search.evaluate import fold_of, gold_record_ids, load_questions
from legalkb.search.folds import HELD_OUT_FOLD
from legalkb.search.library import Library


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", type=Path)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--rank", type=int, default=RANK)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    encoder = configured_encoder()
    if encoder is None:
        sys.exit("needs LEGALKB_EMBED_MODEL")
    lib = Library.open()
    if not hasattr(lib.backend, "vector_matrix"):
        sys.exit("train_adapter.py needs the embedded engine (it trains against the whole vector matrix)")
    today = dt.date.today()
    questions = load_questions(args.file)
    q_vecs = encoder.encode([query_text(q.question) for q in questions]).astype(np.float32)
    gold_ids = [gold_record_ids(lib, q, today) for q in questions]
    corpus_ids, corpus = lib.backend.vector_matrix(Filters(as_of=today))
    row_of = {rid: i for i, rid in enumerate(corpus_ids)}
    gold_rows = [[row_of[i] for i in ids if i in row_of] for ids in gold_ids]
    print(f"{len(questions)} questions, {sum(map(len, gold_rows))} gold articles with vectors, "
          f"{len(corpus_ids)} in-force article vectors", file=sys.stderr)

    folds = [fold_of(q.id, args.folds) for q in questions]

    def train(keep: set[int]) -> tuple[np.ndarray, np.ndarray]:
        return fit(q_vecs, [g if i in keep else [] for i, g in enumerate(gold_rows)], corpus,
                   rank=args.rank, epochs=args.epochs)

    fold_models = [train({i for i, f in enumerate(folds) if f != k}) for k in range(args.folds)]
    full = train(set(range(len(questions))))

    def recall(vec: np.ndarray, q: int) -> tuple[float, float]:
        hits = [h.id for h in lib.backend.vector_search(vec, Filters(as_of=today), limit=100)]
        gold = set(gold_ids[q])
        if not gold:
            return float("nan"), float("nan")
        return (len(gold & set(hits[:10])) / len(gold), len(gold & set(hits)) / len(gold))

    # Evaluated through the serving code: each question with the fold model that never saw it.
    trained = QueryAdapter(encoder.name, full, fold_models)
    raw, adapted = [], []
    for i, v in enumerate(q_vecs):
        raw.append(recall(v, i))
        token = HELD_OUT_FOLD.set((folds[i], args.folds))
        try:
            adapted.append(recall(trained.apply(v), i))
        finally:
            HELD_OUT_FOLD.reset(token)
    for name, rows in (("raw question vector", raw), (f"adapted ({args.folds}-fold CV)", adapted)):
        r = np.nanmean(np.asarray(rows), axis=0)
        print(f"dense only, {name}: Recall@10 {r[0]:.3f}  Recall@100 {r[1]:.3f}")
    if args.no_write:
        return
    out = Path(adapter_mod.__file__).with_name(family_file(adapter_mod.ADAPTER_FILE, encoder.name))
    adapter_mod.save(out, encoder.name, full, fold_models)
    print(f"wrote {out} ({out.stat().st_size // 1024} KB) for model {encoder.name}")


if __name__ == "__main__":
    main()
