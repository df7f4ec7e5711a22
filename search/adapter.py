"""A learned linear query adapter for dense search (hybrid mode only).

Why: m3e-small places a layperson's question and the article that answers it far apart ('老板不给
钱' vs '用人单位应当…支付劳动报酬'). A linear map fitted on answered questions — question vector →
its gold articles' vectors, ridge-regularised towards the identity — moves questions towards the
statute wording they are answered by. On STARD (5-fold CV) it lifts dense-only Recall@100 from
0.63 to 0.80 (`scripts/train_adapter.py`). It is stored low-rank (W = I + U·V, rank 32, float16)
with one model per fold, so `legalkb eval stard --folds 5` stays cross-validated.

It belongs to one embedding model: the file records the encoder's fingerprint and is ignored for
any other model (a production model such as bge-small-zh needs its own, trained the same way).
"""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from legalkb.search.folds import for_current_fold

ADAPTER_FILE = "query_adapter.npz"


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


@lru_cache(maxsize=4)
def _shipped() -> QueryAdapter | None:
    try:
        raw = resources.files("legalkb.search").joinpath(ADAPTER_FILE).read_bytes()
    except FileNotFoundError:
        return None
    return _parse(raw)


def adapter_for(encoder: Any) -> QueryAdapter | None:
    """The shipped adapter when it was trained for this encoder's model, else None."""
    a = _shipped()
    return a if a is not None and a.model == getattr(encoder, "name", None) else None


def adapt(vector: Any, encoder: Any) -> Any:
    """The vector to search articles with: adapted when an adapter fits the encoder."""
    a = adapter_for(encoder) if vector is not None and encoder is not None else None
    return a.apply(vector) if a is not None else vector
