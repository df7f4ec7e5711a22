"""Train the second-stage ranker (search/rerank_bm25.json.gz; with --hybrid, rerank_hybrid.json.gz for
the test model m3e-small or rerank_hybrid-<family>.json.gz for another embedding model) on STARD.

    LEGALKB_HOME=/tmp/lkb-ir python scripts/train_rerank.py ../shared/eval/stard/train.jsonl
    LEGALKB_HOME=/tmp/lkb-vec LEGALKB_EMBED_MODEL=/path/m3e-small \
        python scripts/train_rerank.py ../shared/eval/stard/train.jsonl --hybrid

Needs lightgbm (dev only: serving evaluates the dumped trees in numpy). Reports k-fold
cross-validated metrics — every question scored by a model that never saw it — and then trains
the shipped model on all questions. Keep the model small (few, shallow trees): it ships in the
repo, and the held-out STARD split is judged by questions nobody tuned on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np

from legalkb.search.backend import Filters
from legalkb.search.evaluate import _mean, fold_of, load_questions, norm_title, score_ranking
from legalkb.search.folds import HELD_OUT_FOLD
from legalkb.search.library import Library
from legalkb.search.query import build_query
from legalkb.search.rerank import (
    DEPTH,
    FEATURES,
    candidates,
    featurize,
    model_from_lightgbm,
    model_name,
)

PARAMS = dict(objective="lambdarank", learning_rate=0.05, num_leaves=15, min_data_in_leaf=20,
              bagging_fraction=0.8, bagging_freq=1, feature_fraction=0.8, lambda_l2=1.0,
              lambdarank_truncation_level=20, num_threads=1, seed=7, verbose=-1)
ROUNDS = 300


def _key(rec) -> tuple[str, int, int]:
    tail = rec.id.rsplit("#", 1)[-1]
    sub = int(tail.split("之", 1)[1]) if "之" in tail and tail.split("之", 1)[1].isdigit() else 0
    return norm_title(rec.title), rec.article_no if rec.article_no is not None else -1, sub


def collect(lib: Library, path: Path, hybrid: bool, depth: int, folds: int) -> list[dict]:
    encoder = None
    if hybrid:
        from legalkb.search.embeddings import configured_encoder, query_text

        encoder = configured_encoder()
        if encoder is None:
            sys.exit("--hybrid needs LEGALKB_EMBED_MODEL")
    filters = Filters(as_of=dt.date.today())
    out = []
    for i, q in enumerate(load_questions(path)):
        fq = build_query(q.question)
        vec = encoder.encode([query_text(q.question)])[0] if encoder else None
        # Out-of-fold answered-question evidence: the memory never holds the question's own fold.
        token = HELD_OUT_FOLD.set((fold_of(q.id, folds), folds))
        try:
            cands, qa_top = candidates(lib.backend, q.question, filters, query=fq, vector=vec, depth=depth,
                                       encoder=encoder)
        finally:
            HELD_OUT_FOLD.reset(token)
        featurize(q.question, cands, fq.tokens, qa_top=qa_top)
        gold = set(q.gold)
        out.append({"id": q.id, "gold": q.gold,
                    "keys": [_key(c.record) for c in cands], "ids": [c.record.id for c in cands],
                    "x": np.asarray([c.features for c in cands], dtype=np.float64).reshape(-1, len(FEATURES)),
                    "y": np.asarray([1 if _key(c.record) in gold else 0 for c in cands]),
                    "rrf": np.asarray([c.rrf if hybrid else c.bm25 for c in cands])})
        if i % 200 == 0:
            print(f"  features {i}", file=sys.stderr)
    return out


def metrics(rows: list[dict], scores: list[np.ndarray]) -> dict[str, float]:
    per = []
    for r, s in zip(rows, scores, strict=True):
        order = np.argsort(-s, kind="stable")
        per.append(score_ranking([r["keys"][i] for i in order[:100]], r["gold"], 100))
    return _mean(per)


def fit(rows: list[dict]):
    import lightgbm as lgb

    rows = [r for r in rows if len(r["y"])]
    x = np.vstack([r["x"] for r in rows])
    y = np.concatenate([r["y"] for r in rows])
    data = lgb.Dataset(x, y, group=[len(r["y"]) for r in rows])
    return lgb.train(PARAMS, data, num_boost_round=ROUNDS)


def main() -> None:
    global ROUNDS
    ap = argparse.ArgumentParser()
    ap.add_argument("file", type=Path)
    ap.add_argument("--hybrid", action="store_true")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--depth", type=int, default=DEPTH)
    ap.add_argument("--cache", type=Path, help="feature cache (.pkl) to reuse between runs")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--leaves", type=int, default=int(PARAMS["num_leaves"]))
    ap.add_argument("--rounds", type=int, default=0, help=f"boosting rounds (default {ROUNDS})")
    args = ap.parse_args()
    PARAMS["num_leaves"] = args.leaves
    ROUNDS = args.rounds or ROUNDS
    t0 = time.time()
    import pickle

    encoder_name = ""
    if args.hybrid:
        from legalkb.search.embeddings import configured_encoder

        encoder_name = getattr(configured_encoder(), "name", "")
    if args.cache and args.cache.exists():
        cached = pickle.loads(args.cache.read_bytes())
        # The ranker is named after the model whose dense scores are in the rows, not after the one
        # configured now: a cache built with another model (or an old cache that does not say which)
        # must not be written out under this model's name.
        built_with = cached.get("encoder") if isinstance(cached, dict) else None
        rows = cached["rows"] if isinstance(cached, dict) else cached
        if built_with != encoder_name and not args.no_write:
            sys.exit(f"{args.cache} was built with model {built_with or '(unknown)'}, "
                     f"not {encoder_name or '(none)'}: rebuild it or use --no-write")
    else:
        lib = Library.open()
        rows = collect(lib, args.file, args.hybrid, args.depth, args.folds)
        lib.close()
        if args.cache:
            args.cache.write_bytes(pickle.dumps({"encoder": encoder_name, "rows": rows}))
    print(f"features: {len(rows)} questions, {sum(len(r['y']) for r in rows)} candidates, "
          f"{time.time() - t0:.0f}s", file=sys.stderr)
    print("first stage:", json.dumps(metrics(rows, [r["rrf"] for r in rows])))
    cv_scores: list[np.ndarray] = [np.zeros(0)] * len(rows)
    fold_trees = []
    for f in range(args.folds):
        train = [r for r in rows if fold_of(r["id"], args.folds) != f]
        model = fit(train)
        fold_trees.append(model_from_lightgbm(model.dump_model(), FEATURES)["trees"])
        for i, r in enumerate(rows):
            if fold_of(r["id"], args.folds) == f:
                cv_scores[i] = model.predict(r["x"]) if len(r["y"]) else np.zeros(0)
    cv = metrics(rows, cv_scores)
    fold_m = [metrics([r for r in rows if fold_of(r["id"], args.folds) == f],
                      [s for r, s in zip(rows, cv_scores, strict=True) if fold_of(r["id"], args.folds) == f])
              for f in range(args.folds)]
    print(f"{args.folds}-fold CV:", json.dumps(cv))
    print("  hit@10 by fold:", [m["hit@10"] for m in fold_m], " mrr@10:", [m["mrr@10"] for m in fold_m])
    if args.no_write:
        return
    model = fit(rows)
    spec = model_from_lightgbm(model.dump_model(), FEATURES)
    # The fold models ship too: `legalkb eval stard --folds 5` scores each training question with
    # the model that did not see it, so the command reproduces the cross-validated numbers.
    spec["folds"] = fold_trees
    spec["trained"] = {"file": args.file.name, "questions": len(rows), "params": PARAMS, "rounds": ROUNDS, "cv": cv}
    out = Path(__file__).resolve().parents[1] / "search" / model_name(args.hybrid, encoder_name)
    spec["trained"]["embedding_model"] = encoder_name
    # gzip: five fold models + the full one are ~0.5 MB as JSON, ~0.1 MB compressed.
    out.write_bytes(gzip.compress(json.dumps(spec, ensure_ascii=False, separators=(",", ":")).encode(), 9, mtime=0))
    imp = sorted(zip(FEATURES, model.feature_importance("gain"), strict=True), key=lambda t: -t[1])
    print("wrote", out, f"{out.stat().st_size // 1024} KB; top features:",
          ", ".join(f"{n} {g:.0f}" for n, g in imp[:10]))


if __name__ == "__main__":
    main()
