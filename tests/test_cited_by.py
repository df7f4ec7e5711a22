"""Where an article is cited by other laws (search/cited_by.py): the library call, `legalkb show`,
the API endpoint and the document page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from legalkb.api.app import Settings, create_app
from legalkb.api.cli import main
from legalkb.search.library import Library
from tests.test_api_support import write_corpus

CITING = {
    "东临市行政执法条例(2024-01-01).md": """---
level: 地方性法规
region: 山东省
issuer: 东临市人民代表大会常务委员会
effective: 2024-01-01
---
# 东临市行政执法条例

<!-- INFO END -->

第一条 为了规范行政执法，根据《中华人民共和国行政处罚法》等法律，制定本条例。

第二条 本市的规范性文件不得设定行政处罚，依照《中华人民共和国行政处罚法》第十六条的规定执行。

第三条 行政处罚的种类依照行政处罚法第九条、第十六条的规定确定。

第四条 违反本条例第二条规定的，依照刑法第十六条追究责任。
""",
    # Repealed before today: its citation does not count for the version in force.
    "东临市旧执法规定(2019-01-01).md": """---
level: 地方性法规
region: 山东省
issuer: 东临市人民代表大会常务委员会
effective: 2019-01-01
---
# 东临市旧执法规定

<!-- INFO END -->

第一条 依照行政处罚法第十六条执行。

第二条 本规定自2019年1月1日起施行。
""",
}


def write_citing_corpus(folder: Path) -> Path:
    """The API test corpus plus laws citing 行政处罚法 articles, one of them repealed by another."""
    corpus = write_corpus(folder)
    for name, text in CITING.items():
        (corpus / name).write_text(text, "utf-8")
    # A later law repeals the old one (「…同时废止」), so only the 条例 is in force today.
    (corpus / "东临市执法监督条例(2023-06-01).md").write_text("""---
level: 地方性法规
region: 山东省
issuer: 东临市人民代表大会常务委员会
effective: 2023-06-01
---
# 东临市执法监督条例

<!-- INFO END -->

第一条 为了加强执法监督，制定本条例。

第二条 本条例自2023年6月1日起施行。《东临市旧执法规定》、《东临市临时执法办法》同时废止。
""", "utf-8")
    # Marked repealed by its source, with no date: the repealing article gives it one.
    (corpus / "东临市临时执法办法(2020-01-01).md").write_text("""---
level: 地方性法规
region: 山东省
issuer: 东临市人民代表大会常务委员会
effective: 2020-01-01
status: 已废止
---
# 东临市临时执法办法

<!-- INFO END -->

第一条 为了临时规范执法，制定本办法。
""", "utf-8")
    return corpus


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("cited")
    corpus = write_citing_corpus(root / "corpus")
    library = Library.open(home=root / "home", backend="embedded")
    assert not library.ingest_paths([corpus]).failures
    yield library
    library.close()


def test_articles_citing_an_article(lib: Library) -> None:
    by_article = lib.cited_by("行政处罚法")
    assert [(a.title, a.article) for a in by_article["16"]] == [("东临市行政执法条例", "第二条"),
                                                              ("东临市行政执法条例", "第三条")]
    assert [a.article for a in by_article["9"]] == ["第三条"]       # '第九条、第十六条' names both
    assert "1" not in by_article                                  # named without an article: not counted
    old = lib.versions("东临市旧执法规定")[-1]                        # and so not among the citing ones
    assert (old.status, old.in_force_until, old.successor) == ("已废止", dt.date(2023, 6, 1), "东临市执法监督条例")
    dated = lib.versions("东临市临时执法办法")[-1]
    assert (dated.status, dated.in_force_until, dated.successor) == ("已废止", dt.date(2023, 6, 1), "东临市执法监督条例")
    # 刑法第十六条 is another law's article (the test corpus has 刑法): not the 行政处罚法's.
    assert all(a.article != "第四条" for arts in by_article.values() for a in arts)
    assert lib.cited_by("不存在的法") == {}
    assert lib.cited_by("中华人民共和国行政处罚法") is by_article  # resolved, then cached


def test_show_lists_the_citing_articles(lib: Library, tmp_path: Path) -> None:
    home = str(lib.answered.path.parent)
    r = CliRunner().invoke(main, ["--home", home, "show", "行政处罚法", "16"])
    assert r.exit_code == 0, r.output
    assert "被其他法规引用（2 条，现行有效）" in r.output and "东临市行政执法条例 第二条" in r.output
    out = json.loads(CliRunner().invoke(main, ["--home", home, "show", "行政处罚法", "16", "--json"]).output)
    assert [c["article"] for c in out["cited_by"]] == ["第二条", "第三条"]


def test_api_and_document_page(lib: Library, tmp_path: Path) -> None:
    client = TestClient(create_app(library=lib, settings=Settings(home=tmp_path / "srv", auth="off")))
    body = client.get("/api/articles/行政处罚法/第十六条/cited-by").json()
    assert body["total"] == 2 and body["article"] == "第十六条"
    assert body["articles"][0]["id"] == "东临市行政执法条例@2024-01-01#2"
    assert client.get("/api/articles/行政处罚法/1/cited-by").json()["total"] == 0
    assert client.get("/api/articles/没有这部法/1/cited-by").status_code == 404
    page = client.get("/documents/行政处罚法@2021-01-22").text
    assert "被其他法规引用（2）" in page and "/documents/%E4%B8%9C" in page
    # An amended version's page does not claim today's citations.
    assert "被其他法规引用" not in client.get("/documents/行政处罚法@2017-09-01").text
