from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from legalkb.api.cli import main

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "corpus" / "demo"
LAWS = [str(p) for p in sorted(DEMO.glob("*.*"))]  # the demo laws and notice, not the cases


@pytest.fixture
def run(tmp_path: Path):
    runner = CliRunner()

    def _run(*args: str):
        return runner.invoke(main, ["--home", str(tmp_path / "home"), *args], catch_exceptions=False)

    return _run


def test_ingest_search_show_stats(run) -> None:
    res = run("ingest", "-q", *LAWS)
    assert res.exit_code == 0, res.output
    assert "失败 0 个" in res.output
    out = run("search", "携带犬只出户未束犬链", "--json")
    data = json.loads(out.output)
    assert set(data) == {"query", "total", "local_regions", "hits"}
    top = data["hits"][0]
    assert set(top) == {"doc_id", "title", "short_title", "article_no", "article", "level", "status",
                        "effective", "score", "text", "highlight"}
    assert (top["short_title"], top["article"], top["article_no"]) == ("东临市养犬管理条例", "第十一条", 11)
    assert top["status"] == "现行有效" and "<em>" in top["highlight"]
    cited = json.loads(run("search", "东临市养犬管理条例第7条", "--json").output)["hits"][0]
    assert cited["article"] == "第七条"
    old = json.loads(run("search", "养犬登记", "--as-of", "2020-01-01", "--json").output)["hits"]
    assert old and all(h["doc_id"] == "东临市养犬管理条例@2019-05-01" for h in old)
    shown = run("show", "东临市养犬管理条例", "7")
    assert "第七条" in shown.output and "已修改" in shown.output
    stats = json.loads(run("stats", "--json").output)
    assert stats["documents"] == 3 and stats["by_status"]["已修改"] == 1


def test_batch_queries(run, tmp_path: Path) -> None:
    run("ingest", "-q", *LAWS)
    qfile = tmp_path / "q.jsonl"
    qfile.write_text('{"id": "a", "question": "遛狗不拴绳罚多少钱 束犬链"}\n\n{"id": 2, "question": "养犬登记是否收取费用"}\n')
    res = run("search", "--queries", str(qfile), "--top-k", "3", "--json")
    lines = [json.loads(x) for x in res.output.strip().splitlines()]
    assert [x["id"] for x in lines] == ["a", 2] and all(len(x["hits"]) <= 3 for x in lines)
    assert lines[1]["hits"][0]["article"] == "第五条"


def test_errors_are_clear(run, tmp_path: Path) -> None:
    run("ingest", "-q", *LAWS)
    res = run("show", "不存在的法")
    assert res.exit_code == 1 and "没有找到" in res.output and "Traceback" not in res.output
    res = run("show", "东临市养犬管理条例", "99")
    assert res.exit_code == 1 and "没有第九十九条" in res.output
    empty = tmp_path / "e.txt"
    empty.write_text("")
    res = run("ingest", str(empty))
    assert res.exit_code == 2 and "empty" in res.output
    res = run("search", "x", "--as-of", "2020-13-01")
    assert res.exit_code == 2 and "YYYY-MM-DD" in res.output


@pytest.mark.slow
def test_full_corpus_acceptance(full_library) -> None:
    """The issue's acceptance query on the national corpus."""
    res = full_library.search("其他规范性文件不得设定行政处罚", top_k=5)
    assert (res.hits[0].short_title, res.hits[0].article) == ("行政处罚法", "第十六条")
    assert full_library.search("民法典1165条").hits[0].article == "第一千一百六十五条"
    assert full_library.search("《中华人民共和国行政处罚法》第16条").hits[0].id == "行政处罚法@2021-01-22#16"
    assert full_library.search("刑法第二百五十三条之一").hits[0].article == "第二百五十三条之一"
    stats = full_library.stats()
    assert stats["documents"] == 3412 and stats["articles"] > 145_000  # + 52 典型案例 indexed as cases
    lifa = full_library.versions("立法法")
    assert [v.status for v in lifa] == ["已修改", "现行有效"]
