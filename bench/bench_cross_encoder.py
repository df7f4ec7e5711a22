"""What a cross-encoder reranker would cost per question on this machine (issue 7's open lever).

    LEGALKB_HOME=/tmp/lkb-ir python bench/bench_cross_encoder.py ../shared/eval/stard/train.jsonl \
        --model ~/.cache/legalkb/models/bge-small-zh-v1.5

A cross-encoder reads question and article together, one forward pass per pair, so its cost is that
of the encoder over `k` texts of question + article. This times exactly that with the shipped numpy
BERT (the same 4-layer, 512-wide network as bge-small-zh-v1.5, the smallest Chinese model this
project can obtain), on the real top-k BM25 articles of STARD questions, for k = 50 / 100 / 200
pairs, 192 tokens a pair. No relevance is measured: no Chinese cross-encoder is available offline
here, and the point is whether one could fit the latency budget at all (hybrid search: ~100 ms p50).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from pathlib import Path

from legalkb.search.backend import Filters
from legalkb.search.embeddings import NumpyBertEncoder
from legalkb.search.evaluate import load_questions
from legalkb.search.library import Library
from legalkb.search.query import build_query

PAIR_TOKENS = 192


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", type=Path, help="STARD-style JSONL (question field)")
    ap.add_argument("--model", type=Path, required=True, help="a BERT folder (config.json, tokenizer.json, weights)")
    ap.add_argument("--n", type=int, default=5, help="questions timed")
    ap.add_argument("--k", type=int, nargs="+", default=[50, 100, 200], help="pairs scored per question")
    args = ap.parse_args()
    encoder = NumpyBertEncoder(args.model, max_tokens=PAIR_TOKENS)
    lib = Library.open()
    filters = Filters(as_of=dt.date.today())
    questions = [q.question for q in load_questions(args.file)][: args.n]
    depth = max(args.k)
    pairs = []
    for q in questions:
        hits = lib.backend.search(build_query(q), filters, limit=depth).hits
        pairs.append([q + "。" + h.record.text for h in hits])
    lib.close()
    encoder.encode(pairs[0][:4])   # weights loaded, first-call costs paid
    print(f"model {args.model.name}, {PAIR_TOKENS} tokens a pair, {len(questions)} questions, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'default')}")
    print("| pairs per question | mean s | max s |")
    print("| --- | --- | --- |")
    for k in args.k:
        times = []
        for texts in pairs:
            t0 = time.perf_counter()
            encoder.encode(texts[:k])
            times.append(time.perf_counter() - t0)
        print(f"| {k} | {statistics.mean(times):.2f} | {max(times):.2f} |")


if __name__ == "__main__":
    main()
