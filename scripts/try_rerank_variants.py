"""Ranking-side variants tried for issue 7 (eighth round), on a feature cache of train_rerank.py:

    LEGALKB_HOME=/tmp/lkb-bge LEGALKB_EMBED_MODEL=$BGE python scripts/train_rerank.py \
        ../shared/eval/stard/train.jsonl --hybrid --cache /tmp/feat_hyb.pkl --no-write
    python scripts/try_rerank_variants.py /tmp/feat_hyb.pkl

Prints 5-fold cross-validated metrics for: the shipped parameters; answered-question priors as extra
features (how often an article, and its law, is a gold answer of the training questions); rank
ensembles of differently trained rankers; both. With `--stage2 HOME` (the index the cache was built
from; ninth round) also a second ranker that reorders everything below the first ranker's top 10, with
structural features relative to its top 5: same law, same chapter, article distance, and whether one
article cites the other by number. Dev only (needs lightgbm); nothing here ships.

The priors are computed the way the memory is: a question never sees its own fold. For the fold
model of fold f, a training question of fold g gets counts over the training folds other than g —
counting its own fold would let near-duplicate questions (STARD repeats some) leak their shared
answer into the feature during training, which a held-out question cannot see (measured: R@100 fell
to 0.79 when training rows counted their own fold).
"""

from __future__ import annotations

import argparse
import collections
import json
import pickle
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_rerank import PARAMS, ROUNDS, metrics  # noqa: E402

from legalkb.search.evaluate import fold_of  # noqa: E402

Counts = tuple[collections.Counter, collections.Counter]


def counts(rows: list[dict]) -> Counts:
    art: collections.Counter = collections.Counter()
    law: collections.Counter = collections.Counter()
    for r in rows:
        gold = set(r["gold"])
        art.update(gold)
        law.update({g[0] for g in gold})
    return art, law


def with_priors(r: dict, c: Counts) -> np.ndarray:
    art, law = c
    return np.hstack([r["x"], np.column_stack([np.log1p([art[k] for k in r["keys"]]),
                                               np.log1p([law[k[0]] for k in r["keys"]])])])


def ranks(s: np.ndarray) -> np.ndarray:
    return -np.argsort(np.argsort(-s)).astype(float)


def where_missed(rows: list[dict], cv: list[np.ndarray]) -> str:
    """Gold articles outside the top 100: how many are not candidates at all, how deep the rest rank."""
    outside, below = 0, []
    for r, s in zip(rows, cv, strict=True):
        keys = [r["keys"][i] for i in np.argsort(-s, kind="stable")] if len(s) else []
        for g in dict.fromkeys(r["gold"]):
            if g not in keys[:100]:
                if g in keys:
                    below.append(keys.index(g) + 1)
                else:
                    outside += 1
    b = np.asarray(below)
    return (f"gold outside the top 100: {outside} not in the pool, {len(b)} in it (median rank "
            f"{np.median(b):.0f}; {int(((b > 100) & (b <= 130)).sum())} at ranks 101–130)")


def run(rows: list[dict], folds: int, params: list[dict], priors: bool, explain: bool = False,
        out: list | None = None) -> dict[str, float]:
    import lightgbm as lgb

    cv: list[np.ndarray] = [np.zeros(0)] * len(rows)
    for f in range(folds):
        train = [r for r in rows if fold_of(r["id"], folds) != f and len(r["y"])]
        per = {g: counts([t for t in train if fold_of(t["id"], folds) != g]) for g in range(folds) if g != f}
        x = np.vstack([with_priors(r, per[fold_of(r["id"], folds)]) if priors else r["x"] for r in train])
        y = np.concatenate([r["y"] for r in train])
        models = [lgb.train(p, lgb.Dataset(x, y, group=[len(r["y"]) for r in train]), num_boost_round=ROUNDS)
                  for p in params]
        held = counts(train)
        for i, r in enumerate(rows):
            if fold_of(r["id"], folds) == f and len(r["y"]):
                xi = with_priors(r, held) if priors else r["x"]
                scores = [m.predict(xi) for m in models]
                cv[i] = scores[0] if len(scores) == 1 else sum(ranks(s) for s in scores)
    if explain:
        print("  " + where_missed(rows, cv), flush=True)
    if out is not None:
        out[:] = cv
    return metrics(rows, cv)


TOP, KEEP = 5, 10


def structure(r: dict, s: np.ndarray, info: dict[str, tuple]) -> np.ndarray:
    """Per candidate: first-stage score and log rank, and how it sits beside the first stage's top 5
    (same law, same chapter, same chapter as the top 1, log article distance, cites / cited by number)."""
    order = np.argsort(-s, kind="stable")
    rank = np.empty(len(s))
    rank[order] = np.arange(1, len(s) + 1)
    top = [(r["ids"][i], info.get(r["ids"][i])) for i in order[:TOP]]
    feats = []
    for i, cid in enumerate(r["ids"]):
        c = info.get(cid)
        law = chapter = chapter1 = cites = cited = 0
        dmin = 1000
        for j, (tid, t) in enumerate(top):
            if c is None or t is None or t[0] != c[0] or tid == cid:
                continue
            law += 1
            if c[1] and t[1] == c[1]:
                chapter += 1
                chapter1 = chapter1 or int(j == 0)
            if c[2] is not None and t[2] is not None:
                dmin = min(dmin, abs(c[2] - t[2]))
            cited = cited or int(bool(c[3]) and c[3] in t[4])
            cites = cites or int(bool(t[3]) and t[3] in c[4])
        feats.append([s[i], np.log(rank[i]), law, chapter, chapter1, np.log1p(dmin), cites, cited])
    return np.hstack([r["x"], np.asarray(feats).reshape(-1, 8)])


def signal(rows: list[dict], cv: list[np.ndarray], x2: list) -> str:
    """How often gold below rank 100 (in the pool) shares a chapter with, or sits within ten articles of,
    a top-5 article — against the non-gold at ranks 101–200."""
    gold, other = [], []
    for r, s, x in zip(rows, cv, x2, strict=True):
        if x is None:
            continue
        rank = -ranks(s) + 1
        for i in np.flatnonzero(rank > 100):
            row = (x[i, -5] > 0, x[i, -3] <= np.log1p(10))
            if r["y"][i]:
                gold.append(row)
            elif rank[i] <= 200:
                other.append(row)
    g, o = np.asarray(gold), np.asarray(other)
    return (f"same chapter as a top-5 article: gold below rank 100 {g[:, 0].mean():.0%}, non-gold at 101–200 "
            f"{o[:, 0].mean():.0%}; within ten articles: {g[:, 1].mean():.0%} vs {o[:, 1].mean():.0%}")


def stage2(rows: list[dict], cv: list[np.ndarray], home: str, folds: int, truncation: int) -> dict[str, float]:
    import lightgbm as lgb

    from legalkb.search.library import Library

    lib = Library.open(home)
    ids = sorted({i for r in rows for i in r["ids"]})
    info = {rec.id: (rec.law_key, rec.path, rec.article_no, rec.article, rec.text)
            for k in range(0, len(ids), 2000) for rec in lib.backend.get(ids[k:k + 2000])}
    lib.close()
    x2 = [structure(r, s, info) if len(s) else None for r, s in zip(rows, cv, strict=True)]
    print("  " + signal(rows, cv, x2), flush=True)
    params = dict(PARAMS, lambdarank_truncation_level=truncation)
    final: list[np.ndarray] = [np.zeros(0)] * len(rows)
    for f in range(folds):
        xs, ys, groups = [], [], []
        for r, x, s in zip(rows, x2, cv, strict=True):
            if x is None or fold_of(r["id"], folds) == f:
                continue
            below = ranks(s) < -KEEP + 1    # ranks() is minus the 0-based rank
            if below.any():
                xs.append(x[below])
                ys.append(r["y"][below])
                groups.append(int(below.sum()))
        model = lgb.train(params, lgb.Dataset(np.vstack(xs), np.concatenate(ys), group=groups), num_boost_round=ROUNDS)
        for i, (r, x, s) in enumerate(zip(rows, x2, cv, strict=True)):
            if x is not None and fold_of(r["id"], folds) == f:
                rk = -ranks(s) + 1
                final[i] = np.where(rk <= KEEP, 1e6 - rk, model.predict(x))
    return metrics(rows, final)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cache", type=Path)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--stage2", metavar="HOME", help="also try the structural second stage (needs the index)")
    args = ap.parse_args()
    cached = pickle.loads(args.cache.read_bytes())
    rows = cached["rows"] if isinstance(cached, dict) else cached
    second = dict(PARAMS, seed=11, feature_fraction=0.6)
    deeper = dict(PARAMS, lambdarank_truncation_level=100)
    for name, params, priors in (("shipped parameters", [PARAMS], False),
                                 ("+ answered-question priors", [PARAMS], True),
                                 ("rank ensemble: shipped + second seed", [PARAMS, second], False),
                                 ("rank ensemble: truncation 100 + second seed", [deeper, second], False),
                                 ("priors + rank ensemble (shipped + second seed)", [PARAMS, second], True)):
        cv: list[np.ndarray] = []
        got = run(rows, args.folds, params, priors, explain=name == "shipped parameters", out=cv)
        print(f"{name}: {json.dumps(got)}", flush=True)
        if args.stage2 and name == "shipped parameters":
            for truncation in (100, 30):
                got = stage2(rows, cv, args.stage2, args.folds, truncation)
                print(f"+ structural second stage below rank {KEEP} (truncation {truncation}): {json.dumps(got)}",
                      flush=True)


if __name__ == "__main__":
    main()
