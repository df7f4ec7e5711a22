"""Benchmark: Elasticsearch next to the embedded engine, on the full LawRefBook corpus.

    bash scripts/elasticsearch.sh start
    python bench/bench_es.py [--shared ../shared] [--es-url http://127.0.0.1:9200] [--queries 600]

The corpus is parsed once (not timed). Then, with the very same records:
  * bulk write: embedded upsert+commit vs ES — the rebuild path (new index, no refreshes, alias
    switch at the end) and the incremental `legalkb ingest` path (upsert into the live alias, with
    the per-document lookup of old records), each on a fresh index;
  * query latency over ≥ 500 queries (STARD train questions + citation lookups), through the
    Library (what a user waits for) and straight at the engine (FieldQuery → hits), plus how far
    the two engines agree on the top 10.

Prints a Markdown table with an ES column and the ES/embedded ratio. Not a test: nothing here fails
on a slow machine. The index it creates (prefix legalkb-bench-<random>) is deleted at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def pct(values: Sequence[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def latencies(fn: Callable[[str], object], queries: Sequence[str]) -> list[float]:
    out = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--es-url", default=os.environ.get("LEGALKB_ES_URLS", "http://127.0.0.1:9200"),
                    help="node URL(s), comma-separated (default $LEGALKB_ES_URLS or http://127.0.0.1:9200)")
    ap.add_argument("--queries", type=int, default=600, help="timed queries per engine (≥ 500)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help="keep the benchmark index afterwards")
    args = ap.parse_args()
    corpus = args.shared / "corpus" / "lawrefbook"
    stard = args.shared / "eval" / "stard" / "train.jsonl"
    if not corpus.is_dir() or not stard.is_file():
        print(f"needs the LawRefBook corpus at {corpus} and STARD at {stard}", file=sys.stderr)
        return 2

    from legalkb.search import library as library_mod
    from legalkb.search.backend import Filters, Record
    from legalkb.search.config import Config
    from legalkb.search.elastic import ElasticBackend, wait_for_node
    from legalkb.search.embedded import EmbeddedBackend
    from legalkb.search.library import IngestReport, Library, expand_paths
    from legalkb.search.query import build_query
    from legalkb.search.records import document_records

    urls = [u.strip() for u in args.es_url.split(",") if u.strip()]
    if not wait_for_node(urls, timeout=5):
        print(f"no Elasticsearch node answers at {args.es_url}: start one with "
              "`bash scripts/elasticsearch.sh start`", file=sys.stderr)
        return 2

    # -- parse once --------------------------------------------------------------------------
    tmp = Path(tempfile.mkdtemp(prefix="legalkb-bench-es-"))
    files = expand_paths([corpus])
    is_case = getattr(library_mod, "is_case_file", lambda p: False)  # cases have their own ingest
    law_files = [f for f in files if not is_case(f)]
    report = IngestReport()
    emb = Library(EmbeddedBackend(tmp / "index"))
    t0 = time.perf_counter()
    docs = emb.load(law_files, report)
    parse_s = time.perf_counter() - t0
    # The embedded library's full add (version chains, statuses, records, write): it also fills in
    # each document's status and in_force_until, so the records below are exactly what ingest writes.
    emb_add_s = timed(lambda: emb.add_documents(docs, report))
    # The same law version filed twice (e.g. in two folders): the later file wins, as in ingest.
    unique = list({d.doc_id: d for d in docs}.values())
    t0 = time.perf_counter()
    records: list[Record] = [r for d in unique for r in document_records(d)]
    records_s = time.perf_counter() - t0
    n_articles = sum(1 for r in records if r.kind == "article")
    print(f"parsed {len(law_files)} files → {len(unique)} documents, {n_articles} articles, "
          f"{len(records)} records (parse {parse_s:.1f} s, records {records_s:.1f} s)", file=sys.stderr)

    def batches(recs: list[Record], size: int = 5000) -> list[list[Record]]:
        # Library.add_documents hands the engine ~5,000 records per upsert, whole documents each.
        out: list[list[Record]] = [[]]
        for r in recs:
            if len(out[-1]) >= size and r.doc_id != out[-1][-1].doc_id:
                out.append([])
            out[-1].append(r)
        return out

    # -- bulk write, same records into fresh indexes -----------------------------------------
    fresh = EmbeddedBackend(tmp / "bulk")
    emb_bulk_s = timed(lambda: ([fresh.upsert(b) for b in batches(records)], fresh.refresh()))
    fresh.close()
    print(f"embedded bulk {emb_bulk_s:.1f} s", file=sys.stderr)

    cfg = dataclasses.replace(Config.from_env(home=tmp, backend="elasticsearch"), es_urls=urls,
                              es_index=f"legalkb-bench-{uuid.uuid4().hex[:8]}")
    es_backend = ElasticBackend(cfg)
    try:
        staging = es_backend.begin_rebuild()
        t0 = time.perf_counter()
        for b in batches(records):
            staging._write_batch(b, {}, replace=False)
        es_bulk_s = time.perf_counter() - t0
        es_commit_s = timed(staging.commit_rebuild)
        print(f"ES rebuild bulk {es_bulk_s:.1f} s + switch {es_commit_s:.1f} s", file=sys.stderr)

        incr = ElasticBackend(dataclasses.replace(cfg, es_index=cfg.es_index + "-incr"))
        try:
            es_incr_s = timed(lambda: ([incr.upsert(b) for b in batches(records)], incr.refresh()))
            assert incr.count() == len(records), (incr.count(), len(records))
            print(f"ES upsert path {es_incr_s:.1f} s", file=sys.stderr)
        finally:
            if not args.keep:
                incr.drop()
            incr.close()
        assert es_backend.count() == len(records), (es_backend.count(), len(records))

        # -- queries -------------------------------------------------------------------------
        es_lib = Library(es_backend)
        rng = random.Random(args.seed)
        questions = [json.loads(x)["question"] for x in stard.read_text("utf-8").splitlines() if x.strip()]
        rng.shuffle(questions)
        n_cite = args.queries // 3
        arts = [r for r in records if r.kind == "article" and r.level == "法律" and r.article_no]
        cites = [f"{r.short_title}第{r.article_no}条" for r in rng.sample(arts, n_cite)]
        queries = questions[: args.queries - n_cite] + cites
        rng.shuffle(queries)
        for q in queries[:50]:  # warm-up: alias tables, caches, the JVM's JIT
            emb.search(q)
            es_lib.search(q)
        emb_lat = latencies(lambda q: emb.search(q, top_k=10), queries)
        es_lat = latencies(lambda q: es_lib.search(q, top_k=10), queries)

        filters = Filters(as_of=dt.date.today())
        prepared = [build_query(q) for q in queries]
        emb_raw = latencies(lambda i: emb.backend.search(prepared[int(i)], filters, limit=10),
                            [str(i) for i in range(len(prepared))])
        es_raw = latencies(lambda i: es_backend.search(prepared[int(i)], filters, limit=10),
                           [str(i) for i in range(len(prepared))])

        # Agreement: the same query on both engines, top 10 through the Library.
        top1 = 0
        overlap: list[float] = []
        differ: list[str] = []
        for q in queries:
            a = [h.id for h in emb.search(q, top_k=10).hits]
            b = [h.id for h in es_lib.search(q, top_k=10).hits]
            top1 += bool(a and b and a[0] == b[0])
            if a and b and a[0] != b[0] and len(differ) < 5:
                differ.append(f"  {q[:40]}: embedded {a[:3]} / ES {b[:3]}")
            if a or b:
                overlap.append(len(set(a) & set(b)) / max(len(a), len(b)))
        info = es_backend.info()
        if differ:
            print("queries whose top hit differs between the engines:", *differ, sep="\n", file=sys.stderr)
    finally:
        if not args.keep:
            es_backend.drop()
        es_backend.close()

    def ms(v: list[float]) -> str:
        return f"{pct(v, 50):.1f} / {pct(v, 95):.1f} / {pct(v, 99):.1f}"

    def ratio(a: float, b: float) -> str:
        return f"{b / a:.2f}×" if a else ""

    rows = [
        ("records written (articles)", f"{len(records)} ({n_articles})", f"{len(records)} ({n_articles})", "", ""),
        ("bulk write, rebuild path: s", f"{emb_bulk_s:.1f}", f"{es_bulk_s:.1f} + {es_commit_s:.1f} switch",
         ratio(emb_bulk_s, es_bulk_s), ""),
        ("bulk write, rebuild path: articles/s", f"{n_articles / emb_bulk_s:,.0f}", f"{n_articles / es_bulk_s:,.0f}",
         ratio(n_articles / es_bulk_s, n_articles / emb_bulk_s), "ES ≥ 3,000"),
        ("bulk write, ingest path (upsert): articles/s", f"{n_articles / emb_bulk_s:,.0f}",
         f"{n_articles / es_incr_s:,.0f}", ratio(n_articles / es_incr_s, n_articles / emb_bulk_s), ""),
        (f"Library.search p50 / p95 / p99 ms ({len(queries)} q)", ms(emb_lat), ms(es_lat),
         ratio(pct(emb_lat, 50), pct(es_lat, 50)), "ES p50 ≤ 30 ms"),
        ("engine search p50 / p95 / p99 ms", ms(emb_raw), ms(es_raw), ratio(pct(emb_raw, 50), pct(es_raw, 50)), ""),
        ("mean Library.search ms", f"{statistics.mean(emb_lat):.1f}", f"{statistics.mean(es_lat):.1f}",
         ratio(statistics.mean(emb_lat), statistics.mean(es_lat)), ""),
        ("top-1 same / top-10 overlap", "", f"{top1 / len(queries):.0%} / {statistics.mean(overlap):.0%}", "", ""),
    ]
    print(f"\nElasticsearch {info['es_version']} at {','.join(urls)}; {os.cpu_count()} cores; "
          f"parse {parse_s:.1f} s (not timed below); embedded full add_documents {emb_add_s:.1f} s\n")
    print("| measure | embedded | elasticsearch | ES ÷ embedded (time) | target |\n|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
