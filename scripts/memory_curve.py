"""How retrieval grows with answered questions: STARD metrics when the answered-question memory holds
a share of the other training questions (hash-chosen, never the question being scored), the learned
ranker and query adapter being the 5-fold models that never saw the question.

    LEGALKB_HOME=/tmp/lkb-bge LEGALKB_EMBED_MODEL=/path/bge-small-zh-v1.5 \
        python scripts/memory_curve.py ../shared/eval/stard/train.jsonl --shares 0 0.25 0.5 0.75 1

Share 1 is `legalkb eval stard FILE --folds 5 --memory others`. Prints a table (docs/retrieval.md).
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from pathlib import Path

from legalkb.search.evaluate import evaluate_stard
from legalkb.search.library import Library
from legalkb.search.qa_memory import QAMemory, default_memory


def subset(memory: QAMemory, share: float) -> QAMemory:
    keep = [e for e in memory.entries if zlib.crc32(f"m{e.id}".encode()) % 1000 < share * 1000]
    return QAMemory(keep)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", type=Path)
    ap.add_argument("--shares", type=float, nargs="+", default=[0, 0.25, 0.5, 0.75, 1])
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    full = default_memory()
    if full is None:
        sys.exit("no shipped memory (search/qa_stard.jsonl.gz)")
    lib = Library.open()
    rows = []
    try:
        for share in args.shares:
            mem = full if share >= 1 else subset(full, share)
            lib.memory = lambda mem=mem: mem       # this run's memory instead of shipped + local
            t0 = time.time()
            res = evaluate_stard(lib, args.file, folds=args.folds, memory="others")
            rows.append((share, len(mem.entries), res, time.time() - t0))
            print(f"  share {share}: {len(mem.entries)} answered questions, {time.time() - t0:.0f}s", file=sys.stderr)
    finally:
        lib.close()
    keys = ("hit@1", "hit@10", "recall@10", "recall@100", "mrr@10")
    print("| share of the other questions | memory | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 2) + "|")
    for share, n, res, _ in rows:
        print(f"| {share:g} | {n} | " + " | ".join(f"{res[k]:.4f}" for k in keys) + " |")


if __name__ == "__main__":
    main()
