"""A deployment's own answered questions (search/answered.py): the store, its effect on ranking,
the `legalkb answered` commands, and the held-out-question hook the evaluator uses."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from legalkb.api.cli import main
from legalkb.search.answered import AnsweredError, AnsweredStore
from legalkb.search.embeddings import query_text
from legalkb.search.folds import HELD_OUT_QUESTION
from legalkb.search.library import Library
from legalkb.search.qa_memory import default_memory

DEMO = Path(__file__).resolve().parents[1] / "corpus" / "demo"
QUESTION = "家里的狗没去派出所登记会怎样"
PARAPHRASE = "狗没有登记要罚款吗"
ANSWER = "东临市养犬管理条例第十条"
ANSWER_ID = "东临市养犬管理条例@2023-03-01#10"


@pytest.fixture
def demo(tmp_path: Path):
    lib = Library.open(home=tmp_path / "home", backend="embedded")
    report = lib.ingest_paths([DEMO])
    assert not report.failures
    yield lib
    lib.close()


def _rank(lib: Library, question: str, record_id: str) -> int | None:
    ids = [h.id for h in lib.search(question, top_k=10).hits]
    return ids.index(record_id) if record_id in ids else None


# -- ranking -------------------------------------------------------------------------------------
def test_an_answer_lifts_its_article_for_the_question_and_similar_ones(demo: Library) -> None:
    before = {q: _rank(demo, q, ANSWER_ID) for q in (QUESTION, PARAPHRASE)}
    assert before[QUESTION] is None or before[QUESTION] > 0, "test needs an article the ranker does not already put first"
    refs = demo.resolve_citations(ANSWER)
    assert refs == [("东临市养犬管理条例", 10, 0)]
    entry = demo.answered.add(QUESTION, refs, [ANSWER], by="alice")
    after = {q: _rank(demo, q, ANSWER_ID) for q in (QUESTION, PARAPHRASE)}
    assert after[QUESTION] == 0
    assert after[PARAPHRASE] is not None
    assert before[PARAPHRASE] is None or after[PARAPHRASE] < before[PARAPHRASE]
    demo.answered.remove(entry.id)
    assert {q: _rank(demo, q, ANSWER_ID) for q in (QUESTION, PARAPHRASE)} == before


def test_memory_is_the_shipped_one_until_something_is_recorded(demo: Library) -> None:
    shipped = default_memory()
    assert demo.memory() is shipped
    demo.answered.add(QUESTION, demo.resolve_citations(ANSWER))
    mem = demo.memory()
    assert mem is not shipped
    assert len(mem.entries) == len(shipped.entries) + 1
    assert mem.entries[-1].refs == (("东临市养犬管理条例", 10, 0),)
    assert demo.memory() is mem          # rebuilt only when the file changes


class _HashEncoder:
    """A deterministic stand-in model (a vector per text) that counts the texts it embeds."""

    name = "hash-test-model"
    dim = 16

    def __init__(self) -> None:
        self.embedded = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        import zlib

        self.embedded += len(texts)
        return np.vstack([np.random.default_rng(zlib.crc32(t.encode())).normal(size=self.dim)
                          for t in texts]).astype(np.float32) if texts else np.zeros((0, self.dim))


def test_a_new_answer_embeds_one_question_not_the_whole_memory(tmp_path: Path) -> None:
    store = AnsweredStore(tmp_path / "answered.jsonl")
    store.add(QUESTION, [("东临市养犬管理条例", 10, 0)])
    enc = _HashEncoder()
    first = store.memory().vectors(enc)
    assert enc.embedded == len(first) == len(default_memory().entries) + 1
    store.add(PARAPHRASE, [("东临市养犬管理条例", 10, 0)])
    mem = store.memory()
    second = mem.vectors(enc)
    assert enc.embedded == len(first) + 1            # only the new question
    assert np.array_equal(second[:-1], first)        # the handed-over rows are the same questions'
    assert np.array_equal(second[-1], enc.encode([query_text(PARAPHRASE)])[0])


def test_resolve_citations_only_returns_articles_that_exist(demo: Library) -> None:
    assert demo.resolve_citations("《东临市养犬管理条例》第10条") == [("东临市养犬管理条例", 10, 0)]
    assert demo.resolve_citations("东临市养犬管理条例第九十九条") == []
    assert demo.resolve_citations("不存在条例第一条") == []


# -- the store -------------------------------------------------------------------------------------
def test_store_add_dedupe_remove_and_bad_input(tmp_path: Path) -> None:
    store = AnsweredStore(tmp_path / "answered.jsonl")
    assert store.entries() == []
    a = store.add("  狗没登记  怎么办 ", [("养犬条例", 10, 0)], ["养犬条例第十条"], by="alice")
    assert (a.id, a.question, a.by) == ("local-1", "狗没登记 怎么办", "alice")
    assert store.add("狗没登记 怎么办", [("养犬条例", 10, 0)]) == a       # same question and articles
    b = store.add("狗没登记 怎么办", [("养犬条例", 10, 0), ("养犬条例", 5, 0)])
    assert b.id == "local-2"
    with pytest.raises(AnsweredError, match="问题为空"):
        store.add("  ", [("养犬条例", 10, 0)])
    with pytest.raises(AnsweredError, match="没有可识别的条文"):
        store.add("问题", [])
    with pytest.raises(AnsweredError, match="过长"):
        store.add("问" * 501, [("养犬条例", 10, 0)])
    assert store.remove("local-1") == a
    with pytest.raises(AnsweredError, match="local-1"):
        store.remove("local-1")
    assert [e.id for e in store.entries()] == ["local-2"]
    c = store.add("另一个问题", [("养犬条例", 9, 0)])
    assert c.id == "local-3"
    # Not even the newest id comes back after its removal: a stale 撤销 link must not reach a new answer.
    store.remove("local-3")
    assert store.add("另一个问题", [("养犬条例", 9, 0)]).id == "local-4"
    assert store.refs_for(" 狗没登记   怎么办") == {("养犬条例", 10, 0), ("养犬条例", 5, 0)}
    # A damaged line (a hand edit) is skipped; the others still count.
    with (tmp_path / "answered.jsonl").open("a", encoding="utf-8") as f:
        f.write("{not json\n")
    assert [e.id for e in store.entries()] == ["local-2", "local-4"]


def test_import_reports_bad_lines_and_adds_the_rest(tmp_path: Path) -> None:
    store = AnsweredStore(tmp_path / "answered.jsonl")
    known = {"养犬条例第十条": [("养犬条例", 10, 0)], "中华人民共和国养犬条例第五条": [("养犬条例", 5, 0)]}
    lines = [json.dumps({"question": "狗没登记怎么办", "gold": ["养犬条例第十条", "中华人民共和国养犬条例第五条"]},
                        ensure_ascii=False),
             "not json",
             json.dumps({"question": "另一个", "gold": ["民法典第一条"]}, ensure_ascii=False),
             json.dumps({"q": "第三个", "cites": "养犬条例第十条"}, ensure_ascii=False),
             json.dumps({"question": "", "gold": ["养犬条例第十条"]}, ensure_ascii=False),
             ""]
    rep = store.import_lines(lines, lambda c: known.get(c, []))
    assert [e.question for e in rep.added] == ["狗没登记怎么办", "第三个"]
    assert rep.added[0].refs == (("养犬条例", 10, 0), ("养犬条例", 5, 0))
    assert [e.split("：")[0] for e in rep.errors] == ["第 2 行", "第 3 行", "第 5 行"]
    assert "民法典第一条" in rep.errors[1]
    again = store.import_lines(lines, lambda c: known.get(c, []))
    assert not again.added and len(again.existing) == 2 and len(store.entries()) == 2


# -- the evaluator's hook ----------------------------------------------------------------------------
def test_held_out_question_leaves_out_only_that_question() -> None:
    from legalkb.search.rerank import _add_answered

    mem = default_memory()
    first = mem.entries[0]
    assert mem.same_question(first.id, "随便什么") == (first.id,)
    assert mem.same_question("nope", first.question + " ") == (first.id,)

    class Backend:      # _add_answered fetches the answers it injects; nothing to fetch here
        def documents(self, *a, **k):
            return []

        def get(self, ids):
            return []

    from legalkb.search.backend import Filters

    top_with = _add_answered(Backend(), first.question, Filters(), {}, mem)
    token = HELD_OUT_QUESTION.set((first.id, first.question))
    try:
        top_without = _add_answered(Backend(), first.question, Filters(), {}, mem)
    finally:
        HELD_OUT_QUESTION.reset(token)
    assert top_with == pytest.approx(1.0)           # the question finds itself…
    assert 0 < top_without < 1.0                     # …unless it is held out; its neighbours remain


# -- the command line ---------------------------------------------------------------------------------
def test_cli_add_list_import_remove(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    run = CliRunner().invoke
    assert run(main, ["--home", home, "ingest", "-q", str(DEMO)]).exit_code == 0
    r = run(main, ["--home", home, "answered", "add", QUESTION, ANSWER, "--by", "alice"])
    assert r.exit_code == 0, r.output
    assert "local-1" in r.output
    r = run(main, ["--home", home, "answered", "add", "问题", "不存在条例第一条"])
    assert r.exit_code == 1 and "找不到条文：不存在条例第一条" in r.output
    # GBK file (a Windows export) with one bad line.
    src = tmp_path / "answers.jsonl"
    src.write_bytes(("\n".join([json.dumps({"question": "狗叫扰民怎么办", "gold": ["东临市养犬管理条例第九条"]},
                                           ensure_ascii=False), "坏行"]) + "\n").encode("gbk"))
    r = run(main, ["--home", home, "answered", "import", str(src)])
    assert r.exit_code == 0, r.output
    assert "导入 1 条，已有 0 条，跳过 1 行" in r.output and "第 2 行" in r.output
    r = run(main, ["--home", home, "answered", "list", "--json"])
    rows = json.loads(r.output)
    assert [(x["id"], x["q"], x["refs"]) for x in rows] == [
        ("local-1", QUESTION, [["东临市养犬管理条例", 10, 0]]),
        ("local-2", "狗叫扰民怎么办", [["东临市养犬管理条例", 9, 0]])]
    assert run(main, ["--home", home, "answered", "remove", "local-1"]).exit_code == 0
    r = run(main, ["--home", home, "answered", "remove", "local-1"])
    assert r.exit_code == 1 and "没有编号为 local-1" in r.output
    assert "local-2" in run(main, ["--home", home, "answered", "list"]).output
