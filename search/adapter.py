"""A learned linear query adapter for dense search (hybrid mode only).

Why: m3e-small places a layperson's question and the article that answers it far apart ('老板不给
钱' vs '用人单位应当…支付劳动报酬'). A linear map of the question vector, W = I + U·V (rank 64),
trained on answered questions, moves questions towards the statute wording they are answered by.

How it is trained (`fit`, run by `scripts/train_adapter.py`): contrastively — for each training
question a softmax over *every* in-force article vector (temperature 0.02) should put its gold
articles first; Adam from the identity (V = 0), learning rate decaying to zero. The corpus is one
136k × 512 matrix, so a full softmax costs ~3 s an epoch on two cores and needs no negative
sampling. The first adapter was least squares (question → gold article vector, ridge towards the
identity): it pulls questions towards their answers but ignores the articles they must beat.
Dense-only Recall@100 on STARD (5-fold CV): raw 0.63, least squares 0.80, contrastive — see
docs/retrieval.md. Stored float16 with one model per fold, so `legalkb eval stard --folds 5`
stays cross-validated.

It belongs to one embedding model: the file records the encoder's fingerprint and is ignored for
any other model (a production model such as bge-small-zh needs its own, trained the same way).
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

import numpy as np

from legalkb.search.data import family_file, packaged_bytes
from legalkb.search.folds import for_current_fold

ADAPTER_FILE = "query_adapter.npz"

# Training settings (5-fold CV on STARD, scripts/train_adapter.py); rank 64 keeps the shipped file
# under 1 MB with six models in it.
RANK = 64
TAU = 0.02
EPOCHS = 15
LR = 2e-3
BATCH = 64
WEIGHT_DECAY = 1e-4


def fit(q_vecs: np.ndarray, gold_rows: list[list[int]], corpus: np.ndarray, *, rank: int = RANK,
        epochs: int = EPOCHS, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """U, V minimising the softmax cross-entropy of each question's gold rows of `corpus`
    (unit article vectors) under scores (q + qUV)·d / TAU. Questions without gold are skipped."""
    rng = np.random.default_rng(seed)
    d = q_vecs.shape[1]
    u = rng.normal(0.0, 0.01, (d, rank)).astype(np.float32)
    v = np.zeros((rank, d), dtype=np.float32)  # V = 0: training starts from the raw vector
    params = [u, v]
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    order = np.asarray([i for i, g in enumerate(gold_rows) if g])
    steps = epochs * -(-len(order) // BATCH)
    t = 0
    for _ in range(epochs):
        rng.shuffle(order)
        for start in range(0, len(order), BATCH):
            batch = order[start:start + BATCH]
            x = q_vecs[batch]
            h = x @ u
            logits = (x + h @ v) @ corpus.T / TAU
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            for k, i in enumerate(batch):  # d loss / d logits = softmax − target distribution
                p[k, gold_rows[i]] -= 1.0 / len(gold_rows[i])
            grad_y = (p @ corpus) / (TAU * len(batch))
            grads = [x.T @ (grad_y @ v.T) + WEIGHT_DECAY * u, h.T @ grad_y + WEIGHT_DECAY * v]
            t += 1
            lr = LR * (1.0 - t / steps)
            for j, (param, g) in enumerate(zip(params, grads, strict=True)):
                m1[j] = 0.9 * m1[j] + 0.1 * g
                m2[j] = 0.999 * m2[j] + 0.001 * g * g
                param -= lr * (m1[j] / (1 - 0.9 ** t)) / (np.sqrt(m2[j] / (1 - 0.999 ** t)) + 1e-8)
    return u, v


class QueryAdapter:
    def __init__(self, model: str, full: tuple[np.ndarray, np.ndarray],
                 folds: list[tuple[np.ndarray, np.ndarray]]) -> None:
        self.model = model
        self.full = full
        self.folds = folds

    def apply(self, vector: Any) -> np.ndarray:
        u, v = for_current_fold(self.full, self.folds)
        x = np.asarray(vector, dtype=np.float32)
        y = x + (x @ u) @ v
        return y / max(float(np.linalg.norm(y)), 1e-12)


def save(path: Any, model: str, full: tuple[np.ndarray, np.ndarray],
         folds: list[tuple[np.ndarray, np.ndarray]]) -> None:
    arrays: dict[str, np.ndarray] = {"model": np.asarray(model), "full_u": full[0].astype(np.float16),
                                     "full_v": full[1].astype(np.float16)}
    for i, (u, v) in enumerate(folds):
        arrays[f"fold{i}_u"] = u.astype(np.float16)
        arrays[f"fold{i}_v"] = v.astype(np.float16)
    np.savez_compressed(path, **arrays)


def _parse(raw: bytes) -> QueryAdapter:
    z = np.load(io.BytesIO(raw))
    pairs = []
    i = 0
    while f"fold{i}_u" in z:
        pairs.append((z[f"fold{i}_u"].astype(np.float32), z[f"fold{i}_v"].astype(np.float32)))
        i += 1
    return QueryAdapter(str(z["model"]), (z["full_u"].astype(np.float32), z["full_v"].astype(np.float32)), pairs)


@lru_cache(maxsize=8)
def _shipped(name: str = ADAPTER_FILE) -> QueryAdapter | None:
    raw = packaged_bytes(name)
    return _parse(raw) if raw is not None else None


def adapter_for(encoder: Any) -> QueryAdapter | None:
    """The shipped adapter when one was trained for this encoder's model (query_adapter.npz for the
    test model, query_adapter-<family>.npz for others), else None."""
    name = getattr(encoder, "name", None)
    a = _shipped(family_file(ADAPTER_FILE, name or ""))
    return a if a is not None and a.model == name else None


def adapt(vector: Any, encoder: Any) -> Any:
    """The vector to search articles with: adapted when an adapter fits the encoder."""
    a = adapter_for(encoder) if vector is not None and encoder is not None else None
    return a.apply(vector) if a is not None else vector
