"""Benchmark: full-corpus ingest into a fresh embedded index, then query latency.

    python bench/bench_search.py [--shared ../shared] [--queries 600]

Prints a Markdown table. Numbers are for the machine it runs on; the README quotes a run on the
project's 2-core box. Not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import tantivy

REPO = Path(__file__).resolve().parents[1]


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--queries", type=int, default=600, help="number of timed queries (≥ 500)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    corpus = args.shared / "corpus" / "lawrefbook"
    stard = args.shared / "eval" / "stard" / "train.jsonl"
    if not corpus.is_dir():
        print(f"needs the LawRefBook corpus at {corpus}", file=sys.stderr)
        return 2

    from legalkb.search.backend import Filters
    from legalkb.search.embedded import EmbeddedBackend
    from legalkb.search.library import Library, expand_paths
    from legalkb.search.query import build_query

    tmp = Path(tempfile.mkdtemp(prefix="legalkb-bench-"))
    lib = Library(EmbeddedBackend(tmp / "index"))
    files = expand_paths([corpus])
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    t0 = time.perf_counter()
    report = lib.ingest_paths([corpus])
    ingest_s = time.perf_counter() - t0
    ingest_rss = rss_mb()

    # Queries: STARD questions and citation lookups of real articles.
    rng = random.Random(args.seed)
    questions = [json.loads(x)["question"] for x in stard.read_text("utf-8").splitlines() if x.strip()]
    rng.shuffle(questions)
    n_cite = args.queries // 3
    arts = lib.backend.search(build_query(""), Filters(level=["法律"]), limit=5000).hits
    cites = [f"{h.record.short_title}第{h.record.article_no}条" for h in rng.sample(arts, n_cite)]
    queries = questions[: args.queries - n_cite] + cites
    for q in queries[:50]:  # warm-up: alias table, OS page cache, tokenizer dictionary
        lib.search(q)

    ours: list[float] = []
    for q in queries:
        t = time.perf_counter()
        lib.search(q, top_k=10)
        ours.append((time.perf_counter() - t) * 1000)
    # The same queries without the second stage (LEGALKB_RERANK=0): first-stage BM25 + citations.
    lib.rerank = False
    plain: list[float] = []
    for q in queries:
        t = time.perf_counter()
        lib.search(q, top_k=10)
        plain.append((time.perf_counter() - t) * 1000)

    # Raw tantivy: the same analysed queries straight into the searcher (no citation resolution,
    # no hit conversion or highlighting) — the floor our overhead is measured against.
    backend = lib.backend
    import datetime as dt

    filters = Filters(as_of=dt.date.today())
    prepared = [backend._query(build_query(q), filters) for q in queries]
    searcher = backend.index.searcher()
    raw: list[float] = []
    for tq in prepared:
        t = time.perf_counter()
        searcher.search(tq, limit=10, count=True)
        raw.append((time.perf_counter() - t) * 1000)
    assert isinstance(searcher, tantivy.Searcher)

    rows = [
        ("files", f"{report.files}", ""),
        ("documents / articles", f"{report.documents} / {report.articles}", ""),
        ("failures", f"{len(report.failures)}", "0"),
        ("ingest wall time", f"{ingest_s:.1f} s", "≤ 30 s"),
        ("files/s", f"{report.files / ingest_s:.0f}", ""),
        ("articles/s", f"{report.articles / ingest_s:.0f}", ""),
        ("MB/s", f"{size_mb / ingest_s:.2f} ({size_mb:.1f} MB)", ""),
        ("peak RSS after ingest", f"{ingest_rss:.0f} MB", "≤ 1024 MB"),
        (f"search, reranked (default) p50 / p95 / p99 ({len(queries)} queries)",
         f"{pct(ours, 50):.2f} / {pct(ours, 95):.2f} / {pct(ours, 99):.2f} ms", ""),
        ("search, first stage only (LEGALKB_RERANK=0) p50 / p95 / p99",
         f"{pct(plain, 50):.2f} / {pct(plain, 95):.2f} / {pct(plain, 99):.2f} ms", "p50 ≤ 10, p99 ≤ 50 ms"),
        ("raw tantivy p50 / p95 / p99",
         f"{pct(raw, 50):.2f} / {pct(raw, 95):.2f} / {pct(raw, 99):.2f} ms", ""),
        ("overhead, first stage (ours / raw, p50 and mean)",
         f"{pct(plain, 50) / pct(raw, 50):.2f}× / {statistics.mean(plain) / statistics.mean(raw):.2f}×", "≤ 1.5×"),
        ("peak RSS at end", f"{rss_mb():.0f} MB", "≤ 1024 MB"),
    ]
    print("| measure | value | target |\n|---|---|---|")
    for name, value, target in rows:
        print(f"| {name} | {value} | {target} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
