"""Query latency of the retrieval stages, p50/p99, on an existing index.

    LEGALKB_HOME=/tmp/lkb-ir python bench/bench_retrieval.py ../shared/eval/stard/train.jsonl
    LEGALKB_HOME=/tmp/lkb-vec LEGALKB_EMBED_MODEL=/path/m3e-small python bench/bench_retrieval.py FILE --hybrid

Stages timed per question (top 10, versions in force today):
  bm25      backend.search with the analysed query (what `Library.search` did before reranking)
  rerank    + candidates to depth 200, law expansion, features, tree model
  hybrid    + query embedding and vector_search (with --hybrid)
The first query of each stage is excluded (model load, vector matrix load).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from pathlib import Path

from legalkb.search.backend import Filters
from legalkb.search.evaluate import load_questions
from legalkb.search.library import Library
from legalkb.search.query import build_query
from legalkb.search.rerank import retrieve


def pct(vals: list[float], p: float) -> float:
    s = sorted(vals)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", type=Path, help="STARD-style JSONL (question field)")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--hybrid", action="store_true")
    args = ap.parse_args()
    questions = [q.question for q in load_questions(args.file)][: args.n]
    lib = Library.open()
    filters = Filters(as_of=dt.date.today())
    stages = {
        "bm25": lambda q: lib.backend.search(build_query(q), filters, limit=10),
        "rerank": lambda q: retrieve(lib.backend, q, filters, limit=10),
    }
    if args.hybrid:
        from legalkb.search.embeddings import configured_encoder

        enc = configured_encoder()
        if enc is None:
            raise SystemExit("--hybrid needs LEGALKB_EMBED_MODEL")
        stages["hybrid"] = lambda q: retrieve(lib.backend, q, filters, limit=10, encoder=enc)
    out = {}
    for name, fn in stages.items():
        fn(questions[0])
        times = []
        for q in questions[1:]:
            t0 = time.perf_counter()
            fn(q)
            times.append((time.perf_counter() - t0) * 1000)
        out[name] = {"p50_ms": round(pct(times, 50), 1), "p99_ms": round(pct(times, 99), 1),
                     "mean_ms": round(statistics.mean(times), 1), "queries": len(times)}
    lib.close()
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
