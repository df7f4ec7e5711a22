"""`legalkb model fetch`: an exported BERT ONNX graph becomes a folder the numpy encoder reads."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="needs the semantic extra: pip install -e '.[semantic]'")
pytest.importorskip("tokenizers", reason="needs the semantic extra: pip install -e '.[semantic]'")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from legalkb.search import model_fetch as mf  # noqa: E402

HIDDEN, INNER, VOCAB, LAYERS = 8, 16, 30, 2


def _tokenizer_json() -> bytes:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, **{c: 4 + i for i, c in enumerate("老板拖欠工资怎么办用人单位支付劳动报酬")}}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(handle_chinese_chars=True)   # one token per 汉字, as in BERT
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return tok.to_str().encode()


def _bert_onnx(rng: np.random.Generator, drop: str = "") -> tuple[bytes, dict[str, np.ndarray]]:
    """A graph shaped like an exported BERT: named biases/LayerNorms, anonymous MatMul matrices
    (in × out) whose output is added to the bias that names them."""
    named: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": rng.normal(size=(VOCAB, HIDDEN)),
        "embeddings.position_embeddings.weight": rng.normal(size=(16, HIDDEN)),
        "embeddings.token_type_embeddings.weight": rng.normal(size=(2, HIDDEN)),
        "embeddings.LayerNorm.weight": np.ones(HIDDEN), "embeddings.LayerNorm.bias": np.zeros(HIDDEN)}
    linear: dict[str, np.ndarray] = {}
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        for n, (a, b) in {"attention.self.query": (HIDDEN, HIDDEN), "attention.self.key": (HIDDEN, HIDDEN),
                          "attention.self.value": (HIDDEN, HIDDEN), "attention.output.dense": (HIDDEN, HIDDEN),
                          "intermediate.dense": (HIDDEN, INNER), "output.dense": (INNER, HIDDEN)}.items():
            if p + n == drop:
                continue
            linear[p + n] = rng.normal(scale=0.3, size=(a, b))            # ONNX layout: in × out
            named[p + n + ".bias"] = rng.normal(scale=0.1, size=b)
        for n in ("attention.output.LayerNorm", "output.LayerNorm"):
            named[p + n + ".weight"] = np.ones(HIDDEN)
            named[p + n + ".bias"] = np.zeros(HIDDEN)
    inits, nodes = [], []
    for k, v in named.items():
        inits.append(numpy_helper.from_array(v.astype(np.float32), k))
    for j, (k, v) in enumerate(linear.items()):
        inits.append(numpy_helper.from_array(v.astype(np.float32), f"onnx::MatMul_{100 + j}"))
        nodes.append(helper.make_node("MatMul", [f"x{j}", f"onnx::MatMul_{100 + j}"], [f"m{j}"]))
        nodes.append(helper.make_node("Add", [k + ".bias", f"m{j}"], [f"y{j}"]))
    graph = helper.make_graph(nodes, "bert", [helper.make_tensor_value_info("x0", TensorProto.FLOAT, None)],
                              [helper.make_tensor_value_info("y0", TensorProto.FLOAT, None)], inits)
    weights = {k: v.astype(np.float32) for k, v in named.items()} | {
        k + ".weight": v.T.astype(np.float32) for k, v in linear.items()}
    return helper.make_model(graph).SerializeToString(), weights


def test_onnx_matrices_are_named_by_their_bias_and_transposed() -> None:
    raw, expected = _bert_onnx(np.random.default_rng(0))
    got = mf.onnx_bert_weights(raw)
    assert set(got) == set(expected)
    for k, v in expected.items():
        assert np.allclose(got[k], v), k
    cfg = mf.bert_config(got, heads=2)
    assert (cfg["hidden_size"], cfg["num_hidden_layers"], cfg["intermediate_size"], cfg["vocab_size"]) == \
        (HIDDEN, LAYERS, INNER, VOCAB)


def test_an_incomplete_bert_is_refused() -> None:
    raw, _ = _bert_onnx(np.random.default_rng(0), drop="encoder.layer.1.output.dense")
    with pytest.raises(mf.ModelFetchError, match="不是完整的 BERT"):
        mf.bert_config(mf.onnx_bert_weights(raw), heads=2)
    with pytest.raises(mf.ModelFetchError, match="整除"):
        mf.bert_config(mf.onnx_bert_weights(_bert_onnx(np.random.default_rng(0))[0]), heads=3)


def _jar(tmp_path: Path) -> tuple[Path, str]:
    raw, _ = _bert_onnx(np.random.default_rng(1))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("tiny.onnx", raw)
        z.writestr("tiny-tokenizer.json", _tokenizer_json())
    jar = tmp_path / "tiny.jar"
    jar.write_bytes(buf.getvalue())
    return jar, hashlib.sha256(buf.getvalue()).hexdigest()


def test_fetch_from_a_local_jar_gives_a_working_cls_encoder(tmp_path: Path, monkeypatch) -> None:
    from legalkb.search import embeddings as emb

    jar, digest = _jar(tmp_path)
    src = mf.ModelSource(name="tiny-zh", group="x", artifact="tiny", version="1", sha256=digest, onnx="tiny.onnx",
                         tokenizer="tiny-tokenizer.json", heads=2, pooling="cls", licence="test")
    monkeypatch.setitem(mf.MODELS, "tiny-zh", src)
    folder = mf.fetch_model("tiny-zh", tmp_path / "models", jar=jar)
    assert folder == tmp_path / "models" / "tiny-zh"
    assert json.loads((folder / "1_Pooling" / "config.json").read_text())["pooling_mode_cls_token"] is True
    enc = emb.NumpyBertEncoder(folder)
    texts = ["老板拖欠工资", "用人单位支付劳动报酬"]
    v = enc.encode(texts)
    assert enc.cls_pooling and v.shape == (2, HIDDEN)
    # [CLS] pooling, not the mean: the same folder read as mean-pooled gives other vectors.
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_mean_tokens": True}))
    assert not np.allclose(emb.NumpyBertEncoder(folder).encode(texts), v, atol=1e-3)
    again = mf.fetch_model("tiny-zh", tmp_path / "models", jar=jar)     # a second fetch replaces it
    assert emb.pooling_mode(again) == "cls" and np.allclose(emb.NumpyBertEncoder(again).encode(texts), v)
    # The default loader reads it with the numpy encoder even where sentence-transformers is installed:
    # without modules.json that would build mean pooling.
    monkeypatch.setattr(emb, "SentenceTransformerEncoder", lambda path: pytest.fail("sentence-transformers used"))
    assert isinstance(emb.load_encoder(again), emb.NumpyBertEncoder)


def test_a_wrong_or_corrupt_jar_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    jar, _ = _jar(tmp_path)
    with pytest.raises(mf.ModelFetchError, match="SHA-256"):
        mf.fetch_model("bge-small-zh-v1.5", tmp_path / "m", jar=jar)
    with pytest.raises(mf.ModelFetchError, match="未知模型"):
        mf.fetch_model("no-such-model", tmp_path / "m", jar=jar)
    assert not (tmp_path / "m" / "bge-small-zh-v1.5").exists()


def test_cli_model_fetch_reports_the_folder(tmp_path: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from legalkb.api.cli import main

    jar, digest = _jar(tmp_path)
    monkeypatch.setitem(mf.MODELS, "tiny-zh", mf.ModelSource(
        name="tiny-zh", group="x", artifact="tiny", version="1", sha256=digest, onnx="tiny.onnx",
        tokenizer="tiny-tokenizer.json", heads=2, pooling="cls", licence="test"))
    res = CliRunner().invoke(main, ["model", "fetch", "tiny-zh", "--dest", str(tmp_path / "d"), "--jar", str(jar)])
    assert res.exit_code == 0 and "LEGALKB_EMBED_MODEL=" in res.output
    bad = CliRunner().invoke(main, ["model", "fetch", "bge-small-zh-v1.5", "--dest", str(tmp_path / "d"),
                                    "--jar", str(jar)])
    assert bad.exit_code == 1 and "SHA-256" in bad.output


def test_model_embed_adds_vectors_to_an_index_ingested_without_a_model(tmp_path: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from legalkb.api.cli import main
    from legalkb.search import embeddings as emb
    from legalkb.search.backend import Filters
    from legalkb.search.library import Library

    jar, digest = _jar(tmp_path)
    monkeypatch.setitem(mf.MODELS, "tiny-zh", mf.ModelSource(
        name="tiny-zh", group="x", artifact="tiny", version="1", sha256=digest, onnx="tiny.onnx",
        tokenizer="tiny-tokenizer.json", heads=2, pooling="cls", licence="test"))
    folder = mf.fetch_model("tiny-zh", tmp_path / "models", jar=jar)
    home = tmp_path / "home"
    demo = Path(__file__).resolve().parents[1] / "corpus" / "demo"
    monkeypatch.delenv(emb.ENV_MODEL, raising=False)
    assert CliRunner().invoke(main, ["--home", str(home), "ingest", "-q", str(demo)]).exit_code == 0
    refused = CliRunner().invoke(main, ["--home", str(home), "model", "embed"])
    assert refused.exit_code == 1 and "LEGALKB_EMBED_MODEL" in refused.output
    monkeypatch.setenv(emb.ENV_MODEL, str(folder))
    res = CliRunner().invoke(main, ["--home", str(home), "model", "embed"])
    assert res.exit_code == 0 and "新计算向量" in res.output, res.output
    lib = Library.open(home=home)
    try:
        hits = lib.backend.vector_search(lib.encoder.encode(["养犬"])[0], Filters(), limit=3)
        assert hits and all(h.record.kind == "article" for h in hits)
    finally:
        lib.close()
    again = CliRunner().invoke(main, ["--home", str(home), "model", "embed"])
    assert "新计算向量 0 条" in again.output                                   # all from the cache
    # `stats` says the model is on, and that this one has no adapter or ranker of its own.
    st = CliRunner().invoke(main, ["--home", str(home), "stats"]).output
    assert "混合检索：已开启" in st and "查询适配器 无" in st and "暂用关键词排序模型" in st
    monkeypatch.delenv(emb.ENV_MODEL)
    assert "混合检索：未开启" in CliRunner().invoke(main, ["--home", str(home), "stats"]).output
