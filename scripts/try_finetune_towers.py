"""Experiment (not shipped): fine-tune both towers of the embedding model on STARD, one fold.

    pip install jax==0.10.2        # dev only; the product never imports jax
    LEGALKB_HOME=/tmp/lkb-bge LEGALKB_EMBED_MODEL=/path/bge-small-zh-v1.5 \
        python scripts/try_finetune_towers.py ../shared/eval/stard/train.jsonl --fold 0 --epochs 2 --lr 2e-5

Why it exists: docs/retrieval.md names "a model trained on statute retrieval" as the lever left for
Recall@100. This trains the encoder layers of a BERT model (numpy weights of NumpyBertEncoder,
embeddings frozen) on the other folds' questions — in-batch negatives plus three hard negatives a
question from the raw model's top 30, temperature 0.02 — re-embeds the articles of every law that
holds a gold article plus all 法律 and 司法解释 (31,585 in force; the whole corpus would take an
hour a fold here), and prints dense-only Recall@10/100 of the held-out fold for the raw model, the
raw model with the shipped fold adapter, and the fine-tuned model, all over that same subset.
Seventh round, fold 0: 0.482 / 0.775, 0.585 / 0.840, 0.601 / 0.848 (2 epochs, lr 2e-5) — within
a point of the adapter, so it was not pursued.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import time
from pathlib import Path

import numpy as np

from legalkb.search.adapter import adapter_for
from legalkb.search.backend import Filters
from legalkb.search.embeddings import article_text, configured_encoder, query_text
from legalkb.search.evaluate import fold_of, gold_record_ids, load_questions
from legalkb.search.folds import HELD_OUT_FOLD
from legalkb.search.library import Library

TAU, BATCH, HARD = 0.02, 16, 3


def subset(lib: Library, questions: list) -> tuple[list[str], list[str], np.ndarray, list[list[str]]]:
    """(ids, texts, stored vectors, gold ids per question) of the gold laws and all 法律/司法解释 in force."""
    today = dt.date.today()
    ids, matrix = lib.backend.vector_matrix(Filters(as_of=today))
    gold = [gold_record_ids(lib, q, today) for q in questions]
    recs = lib.backend.get(ids)
    wanted = {x for g in gold for x in g}
    laws = {r.law_key for r in recs if r.id in wanted}
    keep = [i for i, r in enumerate(recs) if r.law_key in laws or r.level in ("法律", "司法解释")]
    return [ids[i] for i in keep], [article_text(recs[i]) for i in keep], matrix[keep], gold


def main() -> None:
    import jax
    import jax.numpy as jnp

    ap = argparse.ArgumentParser()
    ap.add_argument("file", type=Path)
    ap.add_argument("--fold", type=int, default=0)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=2e-5)
    args = ap.parse_args()
    jax.config.update("jax_default_matmul_precision", "float32")
    enc = configured_encoder()
    if enc is None or not hasattr(enc, "w"):
        sys.exit("needs LEGALKB_EMBED_MODEL and the numpy encoder (its weights are trained here)")
    lib = Library.open()
    questions = load_questions(args.file)
    ids, texts, matrix, gold_ids = subset(lib, questions)
    row = {x: i for i, x in enumerate(ids)}
    qtexts = [query_text(q.question) for q in questions]
    gold = [[row[g] for g in gs if g in row] for gs in gold_ids]
    folds = [fold_of(q.id, args.folds) for q in questions]
    train = [i for i, f in enumerate(folds) if f != args.fold and gold[i]]
    test = [i for i, f in enumerate(folds) if f == args.fold and gold[i]]
    print(f"fold {args.fold}: {len(train)} training, {len(test)} held-out questions, {len(ids)} articles",
          file=sys.stderr)

    weights = {k: jnp.asarray(v) for k, v in enc.w.items()}
    params = {k: v for k, v in weights.items() if k.startswith("encoder.layer.")}
    frozen = {k: v for k, v in weights.items() if k not in params}
    heads, dim, eps, layers = enc.heads, enc.dim, enc.eps, enc.layers
    cls = getattr(enc, "cls_pooling", False)

    def tok(batch: list[str], width: int) -> tuple[np.ndarray, np.ndarray]:
        encs = enc.tok.encode_batch(batch)
        ids_b = np.zeros((len(encs), width), np.int32)
        mask = np.zeros((len(encs), width), np.float32)
        for r, e in enumerate(encs):
            n = min(len(e.ids), width)
            ids_b[r, :n] = e.ids[:n]
            mask[r, :n] = 1.0
        return ids_b, mask

    def ln(x, g, b):
        mu = x.mean(-1, keepdims=True)
        return (x - mu) / jnp.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + eps) * g + b

    def encode(p, ids_b, mask_b):
        w = {**frozen, **p}
        n, length = ids_b.shape
        hd = dim // heads
        x = (w["embeddings.word_embeddings.weight"][ids_b] + w["embeddings.position_embeddings.weight"][:length][None]
             + w["embeddings.token_type_embeddings.weight"][0][None, None])
        x = ln(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = (1.0 - mask_b[:, None, None, :]) * -1e9
        for i in range(layers):
            pre = f"encoder.layer.{i}."

            def lin(v, name, w=w):
                return v @ w[name + ".weight"].T + w[name + ".bias"]

            def split(y, n=n, length=length, hd=hd):
                return y.reshape(n, length, heads, hd).transpose(0, 2, 1, 3)

            q = split(lin(x, pre + "attention.self.query")) / math.sqrt(hd)
            k = split(lin(x, pre + "attention.self.key"))
            v = split(lin(x, pre + "attention.self.value"))
            ctx = (jax.nn.softmax(q @ k.transpose(0, 1, 3, 2) + bias, -1) @ v).transpose(0, 2, 1, 3)
            x = ln(x + lin(ctx.reshape(n, length, dim), pre + "attention.output.dense"),
                   w[pre + "attention.output.LayerNorm.weight"], w[pre + "attention.output.LayerNorm.bias"])
            h = jax.nn.gelu(lin(x, pre + "intermediate.dense"), approximate=False)
            x = ln(x + lin(h, pre + "output.dense"), w[pre + "output.LayerNorm.weight"], w[pre + "output.LayerNorm.bias"])
        m = mask_b[:, :, None]
        z = x[:, 0] if cls else (x * m).sum(1) / jnp.maximum(m.sum(1), 1.0)
        return z / jnp.linalg.norm(z, axis=1, keepdims=True)

    def loss(p, qi, qm, di, dm, target):
        logp = jax.nn.log_softmax(encode(p, qi, qm) @ encode(p, di, dm).T / TAU, -1)
        return -(logp * target).sum(1).mean()

    step = jax.jit(jax.value_and_grad(loss))

    @jax.jit
    def adam(p, g, m1, m2, t, lr):
        m1 = jax.tree_util.tree_map(lambda a, b: 0.9 * a + 0.1 * b, m1, g)
        m2 = jax.tree_util.tree_map(lambda a, b: 0.999 * a + 0.001 * b * b, m2, g)
        p = jax.tree_util.tree_map(lambda x, a, b: x - lr * (a / (1 - 0.9 ** t)) / (jnp.sqrt(b / (1 - 0.999 ** t)) + 1e-8),
                                   p, m1, m2)
        return p, m1, m2

    raw_q = enc.encode(qtexts)
    hard = {}
    for i in train:
        s = matrix @ raw_q[i]
        top = np.argpartition(-s, 40)[:40]
        top = top[np.argsort(-s[top])]
        hard[i] = [j for j in top if j not in set(gold[i])][:30]
    rng = np.random.default_rng(args.fold)
    m1 = jax.tree_util.tree_map(jnp.zeros_like, params)
    m2 = jax.tree_util.tree_map(jnp.zeros_like, params)
    steps, t = args.epochs * (len(train) // BATCH), 0
    for ep in range(args.epochs):
        order = np.asarray(train)
        rng.shuffle(order)
        t0, total = time.time(), 0.0
        for s0 in range(0, len(order) - BATCH + 1, BATCH):
            b = order[s0:s0 + BATCH]
            docs = [int(rng.choice(gold[i])) for i in b]
            for i in b:
                docs += [int(x) for x in rng.choice(hard[i], HARD, replace=False)]
            target = np.zeros((BATCH, len(docs)), np.float32)
            for r, i in enumerate(b):
                hit = [c for c, d in enumerate(docs) if d in set(gold[i])]
                target[r, hit] = 1.0 / len(hit)
            qi, qm = tok([qtexts[i] for i in b], 48)
            di, dm = tok([texts[d] for d in docs], enc.max_tokens)
            t += 1
            value, g = step(params, qi, qm, di, dm, target)
            # Warm-up over ten steps, then linear decay to zero.
            params, m1, m2 = adam(params, g, m1, m2, t, args.lr * min(1.0, t / 10) * (1 - t / (steps + 1)))
            total += float(value)
        print(f"epoch {ep + 1}: loss {total / max(1, len(order) // BATCH):.3f} ({time.time() - t0:.0f} s)",
              file=sys.stderr)

    fwd = jax.jit(encode)

    def embed(batch_texts: list[str], width: int, bs: int = 128) -> np.ndarray:
        out = np.zeros((len(batch_texts), dim), np.float32)
        order = np.argsort([len(x) for x in batch_texts])
        for s0 in range(0, len(order), bs):
            idx = order[s0:s0 + bs]
            i, m = tok([batch_texts[j] for j in idx], width)
            if len(idx) < bs:   # one compiled shape
                i = np.pad(i, ((0, bs - len(idx)), (0, 0)))
                m = np.pad(m, ((0, bs - len(idx)), (0, 0)))
                m[len(idx):, 0] = 1.0
            out[idx] = np.asarray(fwd(params, i, m))[:len(idx)]
        return out

    tuned_docs = embed(texts, enc.max_tokens)
    tuned_q = embed(qtexts, 48)

    def recall(qv: np.ndarray, docs: np.ndarray) -> tuple[float, float]:
        r10, r100 = [], []
        for i in test:
            s = docs @ qv[i]
            top = np.argpartition(-s, 100)[:100]
            g = set(gold[i])
            r10.append(len(g & set(top[np.argsort(-s[top])][:10].tolist())) / len(g))
            r100.append(len(g & set(top.tolist())) / len(g))
        return float(np.mean(r10)), float(np.mean(r100))

    adapter = adapter_for(enc)
    token = HELD_OUT_FOLD.set((args.fold, args.folds))
    try:
        adapted = np.stack([adapter.apply(v) for v in raw_q]) if adapter else raw_q
    finally:
        HELD_OUT_FOLD.reset(token)
    adapted = adapted / np.linalg.norm(adapted, axis=1, keepdims=True)
    for name, qv, docs in (("raw", raw_q, matrix), ("raw + fold adapter", adapted, matrix),
                           ("fine-tuned", tuned_q, tuned_docs)):
        r10, r100 = recall(qv, docs)
        print(f"dense only, {name:<20} Recall@10 {r10:.3f}  Recall@100 {r100:.3f}")


if __name__ == "__main__":
    main()
