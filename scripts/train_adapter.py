"""Train the dense query adapter on STARD, for the embedding model in LEGALKB_EMBED_MODEL.

    LEGALKB_HOME=/tmp/lkb-full LEGALKB_EMBED_MODEL=/path/m3e-small \
        python scripts/train_adapter.py ../shared/eval/stard/train.jsonl [--lora 8]

Writes search/query_adapter.npz for the test model m3e-small, search/query_adapter-<family>.npz
for another (query_adapter-bge-small-zh-v1.5.npz).

The method is `legalkb.search.adapter.fit` (a softmax over every in-force article vector; see
that module). With `--lora R` the query tower itself is fine-tuned too (`fit_tuned`, needs jax
from the `train` extra): rank-R deltas on each layer's query, value and feed-forward matrices,
trained jointly with the linear map under the same loss, against the fixed article vectors — so
the index is not re-embedded (measured not better than the linear map; see LORA_EPOCHS). Reports the cross-validated dense-only Recall@10/100 — each question searched
corpus-wide through `vector_search` with the fold model that never saw it — next to the raw
question vector's, then writes one model per fold and one on all questions. Needs the embedded
engine (it reads the whole vector matrix). Retrain the hybrid reranker afterwards
(`scripts/train_rerank.py --hybrid`): its dense features change with the adapter.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from legalkb.ingest.numerals import article_key
from legalkb.search import adapter as adapter_mod
from legalkb.search.adapter import EPOCHS, RANK, QueryAdapter, fit
from legalkb.search.backend import Filters
from legalkb.search.data import family_file
from legalkb.search.embeddings import configured_encoder, query_text
from legalkb.search.evaluate import fold_of, load_questions
from legalkb.search.folds import HELD_OUT_FOLD
from legalkb.search.library import Library

LORA_TARGETS = ("attention.self.query", "attention.self.value", "intermediate.dense", "output.dense")
# Measured on STARD (m3e-small, 5-fold CV, dense only): Recall@10/100 0.573 / 0.834 against the
# linear map's 0.580 / 0.852, so the shipped adapters are linear; fold 0 alone had suggested a gain
# (0.588 / 0.861 vs 0.555 / 0.856) — folds differ by ±0.03. Settings chosen on fold 0.
LORA_EPOCHS = 6
LORA_LR = 5e-4
LORA_BATCH = 32


def fit_tuned(encoder: Any, texts: list[str], gold_rows: list[list[int]], corpus: np.ndarray, *, rank: int,
              epochs: int = LORA_EPOCHS, seed: int = 0) -> tuple[np.ndarray, np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """(u, v, lora): the linear map and low-rank deltas of the query tower, minimising the softmax
    cross-entropy of each question's gold rows over the whole corpus (temperature adapter_mod.TAU).
    Questions without gold are skipped. Dev-only: jax on CPU (~35 s an epoch for 1,000 questions)."""
    import math

    import jax
    import jax.numpy as jnp

    jax.config.update("jax_default_matmul_precision", "float32")
    if not hasattr(encoder, "w"):
        sys.exit("--lora needs the numpy encoder's weights (NumpyBertEncoder)")
    w = {k: jnp.asarray(v) for k, v in encoder.w.items()}
    heads, dim, eps, layers = encoder.heads, encoder.dim, encoder.eps, encoder.layers
    encs = encoder.tok.encode_batch(texts)
    width = max(len(e.ids) for e in encs)
    ids = np.zeros((len(texts), width), np.int32)
    mask = np.zeros((len(texts), width), np.float32)
    for i, e in enumerate(encs):
        ids[i, :len(e.ids)] = e.ids
        mask[i, :len(e.ids)] = 1.0
    lens = mask.sum(1)
    rng = np.random.default_rng(seed)
    # Trained jointly with the linear map, both from the identity.
    params = {"u": jnp.asarray(rng.normal(0.0, 0.01, (dim, adapter_mod.RANK)).astype(np.float32)),
              "v": jnp.zeros((adapter_mod.RANK, dim), jnp.float32)}
    for i in range(layers):
        for t in LORA_TARGETS:
            out_n, in_n = encoder.w[f"encoder.layer.{i}.{t}.weight"].shape
            # B = 0: training starts from the pretrained tower.
            params[f"encoder.layer.{i}.{t}:a"] = jnp.asarray(rng.normal(0, 1 / math.sqrt(in_n), (in_n, rank))
                                                              .astype(np.float32))
            params[f"encoder.layer.{i}.{t}:b"] = jnp.zeros((rank, out_n), jnp.float32)
    corpus_j = jnp.asarray(corpus)

    def ln(x, g, b):
        mu = x.mean(-1, keepdims=True)
        return (x - mu) / jnp.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + eps) * g + b

    def lin(p, x, name):
        y = x @ w[name + ".weight"].T + w[name + ".bias"]
        return y + (x @ p[name + ":a"]) @ p[name + ":b"] if name + ":a" in p else y

    def encode(p, ids_b, mask_b):
        n, length = ids_b.shape
        hd = dim // heads
        x = (w["embeddings.word_embeddings.weight"][ids_b] + w["embeddings.position_embeddings.weight"][:length][None]
             + w["embeddings.token_type_embeddings.weight"][0][None, None])
        x = ln(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = (1.0 - mask_b[:, None, None, :]) * -1e9
        for i in range(layers):
            pre = f"encoder.layer.{i}."

            def split(y):
                return y.reshape(n, length, heads, hd).transpose(0, 2, 1, 3)

            q = split(lin(p, x, pre + "attention.self.query")) / math.sqrt(hd)
            k = split(lin(p, x, pre + "attention.self.key"))
            v = split(lin(p, x, pre + "attention.self.value"))
            ctx = (jax.nn.softmax(q @ k.transpose(0, 1, 3, 2) + bias, -1) @ v).transpose(0, 2, 1, 3)
            x = ln(x + lin(p, ctx.reshape(n, length, dim), pre + "attention.output.dense"),
                   w[pre + "attention.output.LayerNorm.weight"], w[pre + "attention.output.LayerNorm.bias"])
            h = jax.nn.gelu(lin(p, x, pre + "intermediate.dense"), approximate=False)
            x = ln(x + lin(p, h, pre + "output.dense"), w[pre + "output.LayerNorm.weight"],
                   w[pre + "output.LayerNorm.bias"])
        m = mask_b[:, :, None]
        z = (x * m).sum(1) / jnp.maximum(m.sum(1), 1.0)
        z = z / jnp.linalg.norm(z, axis=1, keepdims=True)
        return z + (z @ p["u"]) @ p["v"]

    def loss(p, ids_b, mask_b, target):
        y = encode(p, ids_b, mask_b)
        y = y / jnp.linalg.norm(y, axis=1, keepdims=True)
        logp = jax.nn.log_softmax(y @ corpus_j.T / adapter_mod.TAU, -1)
        decay = sum((x ** 2).sum() for x in jax.tree_util.tree_leaves(p))
        return -(logp * target).sum(1).mean() + adapter_mod.WEIGHT_DECAY * decay

    step_grad = jax.jit(jax.value_and_grad(loss))

    @jax.jit
    def adam(p, g, m1, m2, t, lr):
        m1 = jax.tree_util.tree_map(lambda a, b: 0.9 * a + 0.1 * b, m1, g)
        m2 = jax.tree_util.tree_map(lambda a, b: 0.999 * a + 0.001 * b * b, m2, g)
        p = jax.tree_util.tree_map(lambda x, a, b: x - lr * (a / (1 - 0.9 ** t)) / (jnp.sqrt(b / (1 - 0.999 ** t)) + 1e-8),
                                   p, m1, m2)
        return p, m1, m2

    order = np.asarray([i for i, g in enumerate(gold_rows) if g])
    steps = epochs * -(-len(order) // LORA_BATCH)
    m1 = jax.tree_util.tree_map(jnp.zeros_like, params)
    m2 = jax.tree_util.tree_map(jnp.zeros_like, params)
    t = 0
    for ep in range(epochs):
        t0 = time.time()
        rng.shuffle(order)
        # Two padded widths (short questions are most of them): two compiled shapes, little padding.
        short = order[lens[order] <= 32]
        long_ = order[lens[order] > 32]
        batches = [b for part in (short, long_) for b in np.array_split(part, max(1, -(-len(part) // LORA_BATCH)))
                   if len(b)]
        rng.shuffle(batches)
        total = 0.0
        for b in batches:
            width_b = 32 if lens[b].max() <= 32 else width
            target = np.zeros((len(b), corpus.shape[0]), np.float32)
            for k, i in enumerate(b):
                target[k, gold_rows[i]] = 1.0 / len(gold_rows[i])
            t += 1
            value, g = step_grad(params, jnp.asarray(ids[b, :width_b]), jnp.asarray(mask[b, :width_b]),
                                 jnp.asarray(target))
            params, m1, m2 = adam(params, g, m1, m2, t, LORA_LR * (1.0 - t / (steps + 1)))
            total += float(value) * len(b)
        print(f"  epoch {ep + 1}/{epochs}: loss {total / len(order):.3f} ({time.time() - t0:.0f} s)", file=sys.stderr)
    lora = {f"encoder.layer.{i}.{t}": (np.asarray(params[f"encoder.layer.{i}.{t}:a"]),
                                       np.asarray(params[f"encoder.layer.{i}.{t}:b"]))
            for i in range(layers) for t in LORA_TARGETS}
    return np.asarray(params["u"]), np.asarray(params["v"]), lora


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", type=Path)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--rank", type=int, default=RANK)
    ap.add_argument("--lora", type=int, default=0, metavar="R",
                    help="also fine-tune the query tower with rank-R deltas (needs jax; 0 = linear map only)")
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
    gold_ids: list[list[str]] = []
    for q in questions:
        ids = []
        for title, no, sub in q.gold:
            key = lib.resolve_law(title)
            rec = lib.version_at(key, today) if key else None
            if rec is not None:
                ids.append(f"{rec.doc_id}#{article_key(no, sub)}")
        gold_ids.append(ids)
    corpus_ids, corpus = lib.backend.vector_matrix(Filters(as_of=today))
    row_of = {rid: i for i, rid in enumerate(corpus_ids)}
    gold_rows = [[row_of[i] for i in ids if i in row_of] for ids in gold_ids]
    print(f"{len(questions)} questions, {sum(map(len, gold_rows))} gold articles with vectors, "
          f"{len(corpus_ids)} in-force article vectors", file=sys.stderr)

    folds = [fold_of(q.id, args.folds) for q in questions]

    texts = [query_text(q.question) for q in questions]

    def train(keep: set[int]) -> tuple[np.ndarray, np.ndarray, dict]:
        rows = [g if i in keep else [] for i, g in enumerate(gold_rows)]
        if args.lora:
            return fit_tuned(encoder, texts, rows, corpus, rank=args.lora)
        return (*fit(q_vecs, rows, corpus, rank=args.rank, epochs=args.epochs), {})

    trained_all = [train({i for i, f in enumerate(folds) if f != k}) for k in range(args.folds)]
    fold_models = [(u, v) for u, v, _ in trained_all]
    fold_lora = [lo for _, _, lo in trained_all]
    *full, full_lora = train(set(range(len(questions))))
    full = tuple(full)

    def recall(vec: np.ndarray, q: int) -> tuple[float, float]:
        hits = [h.id for h in lib.backend.vector_search(vec, Filters(as_of=today), limit=100)]
        gold = set(gold_ids[q])
        if not gold:
            return float("nan"), float("nan")
        return (len(gold & set(hits[:10])) / len(gold), len(gold & set(hits)) / len(gold))

    # Evaluated through the serving code: each question with the fold model that never saw it.
    trained = QueryAdapter(encoder.name, full, fold_models, full_lora, fold_lora)
    raw, adapted = [], []
    for i, v in enumerate(q_vecs):
        raw.append(recall(v, i))
        token = HELD_OUT_FOLD.set((folds[i], args.folds))
        try:
            adapted.append(recall(trained.search_vector(questions[i].question, v, encoder), i))
        finally:
            HELD_OUT_FOLD.reset(token)
    for name, rows in (("raw question vector", raw), (f"adapted ({args.folds}-fold CV)", adapted)):
        r = np.nanmean(np.asarray(rows), axis=0)
        print(f"dense only, {name}: Recall@10 {r[0]:.3f}  Recall@100 {r[1]:.3f}")
    if args.no_write:
        return
    out = Path(adapter_mod.__file__).with_name(family_file(adapter_mod.ADAPTER_FILE, encoder.name))
    adapter_mod.save(out, encoder.name, full, fold_models, full_lora, fold_lora)
    print(f"wrote {out} ({out.stat().st_size // 1024} KB) for model {encoder.name}")


if __name__ == "__main__":
    main()
