"""Cases in the library: linking as of the judgment date, repealed laws via the registry,
search by cited article / topic / 案由 / court / year / region, the CLI, and card export.

Runs on a small real library (a few LawRefBook laws + the 52 典型案例 + the demo local cases) built
in a temporary home with the embedded engine. Needs ../shared; skips without it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from legalkb.api.cases_cli import cases as cases_group
from legalkb.ingest.cases import load_case
from legalkb.ingest.model import REPEALED
from legalkb.search.cases import (
    VERSION_MISSING,
    case_card,
    cases_citing,
    cases_for_article,
    get_case,
    ingest_cases,
    link_case,
    quote_matches,
    search_cases,
)

REPO = Path(__file__).resolve().parents[1]
LAWS = REPO.parent / "shared" / "corpus" / "lawrefbook"
CASES_DIR = LAWS / "案例"
DEMO = REPO / "corpus" / "demo" / "cases"
pytestmark = [pytest.mark.shared,
              pytest.mark.skipif(not CASES_DIR.is_dir(), reason="../shared/corpus/lawrefbook 不存在（共享语料未挂载）")]

LAW_FILES = [
    "民法典", "行政法/行政处罚法(2021-01-22).md", "行政法/食品安全法(2021-04-29).md",
    "经济法/反垄断法(2007-08-30).md", "经济法/反垄断法(2022-06-24).md", "社会法/劳动法(2018-12-29).md",
    "民法商法/消费者权益保护法(2013-10-25).md",
    "司法解释/最高人民法院关于审理食品安全民事纠纷案件适用法律若干问题的解释（一）(2020-12-08).md",
]
# Checked by reading the case texts: the typical cases that apply 食品安全法第一百四十八条 (in the
# reasoning or in the printed interpretation provisions) and 劳动法第四十四条.
FOOD_148 = {"吴某与某电子商务有限公司买卖合同纠纷案", "李某与某购物广场买卖合同纠纷案",
            "郑某与某儿童食品公司网络购物合同纠纷案", "江某诉某信息技术有限公司网络购物合同纠纷一案",
            "魏某诉某科技有限公司网络购物合同纠纷一案"}
LABOUR_44 = {"加班费的仲裁时效应当如何认定", "劳动者与用人单位订立放弃加班费协议，能否主张加班费",
             "用人单位未按规章制度履行加班审批手续，能否认定劳动者加班事实"}
SUN = "孙银山诉南京欧尚超市有限公司江宁店买卖合同纠纷案"

OLD_LAW_JUDGMENT = """浙江省杭州市西湖区人民法院
民事判决书
（2019）浙0106民初4521号
原告：杭州某建材有限公司。
被告：陈某。
原告杭州某建材有限公司与被告陈某买卖合同纠纷一案，本院于2019年4月2日立案后，依法进行了审理。
经审理查明，双方为规避税收签订了虚假的买卖合同。
本院认为，双方恶意串通，损害国家利益，依照《中华人民共和国合同法》第五十二条第（二）项、第五十八条的规定，判决如下：
一、原、被告签订的买卖合同无效。
审判员 林某
二〇一九年八月十六日
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from legalkb.search.library import Library

    home = tmp_path_factory.mktemp("cases_home")
    lib = Library.open(home=home, backend="embedded")
    try:
        report = lib.ingest_paths([LAWS / f for f in LAW_FILES])
        assert not report.failures
        extra = home / "extra"
        extra.mkdir()
        (extra / "old_law.txt").write_text(OLD_LAW_JUDGMENT, encoding="utf-8")
        rep = ingest_cases(lib, [CASES_DIR, DEMO, extra])
        assert rep.cases == 55 and not rep.failures
    finally:
        lib.close()
    return home


@pytest.fixture()
def lib(home: Path):
    from legalkb.search.library import Library

    library = Library.open(home=home, backend="embedded")
    yield library
    library.close()


def _titles(cases) -> set[str]:
    return {c.title for c in cases}


def test_cases_citing_food_safety_148(lib) -> None:
    assert _titles(cases_citing(lib, "食品安全法", 148)) == FOOD_148
    assert _titles(cases_citing(lib, "中华人民共和国食品安全法", 148)) == FOOD_148


def test_cases_citing_labour_law_44_and_civil_code(lib) -> None:
    assert _titles(cases_citing(lib, "劳动法", 44)) == LABOUR_44
    assert _titles(cases_citing(lib, "民法典", 1217)) == {"无偿搭乘亲友出事故 依法减轻赔偿责任"}
    assert _titles(cases_citing(lib, "民法典", 944)) == {"东临市某物业服务有限公司诉王某物业服务合同纠纷案"}


def test_article_view_lists_citing_cases(lib) -> None:
    assert _titles(cases_for_article(lib, "食品安全法@2021-04-29#148")) == FOOD_148
    assert cases_for_article(lib, "食品安全法@2021-04-29#96") == []  # 孙银山 cited the 2009 §96


def test_repealed_law_maps_to_successor_via_registry(lib) -> None:
    case = get_case(lib, "(2019)浙0106民初4521号")
    assert case is not None and case.date == dt.date(2019, 8, 16)
    c52 = next(c for c in case.cites if c.number == 52)
    assert (c52.law_key, c52.status, c52.successor, c52.article_id) == ("合同法", REPEALED, "民法典", "")
    assert "2021-01-01" in c52.note
    assert c52.detail == "第（二）项"
    assert _titles(cases_citing(lib, "合同法", 52)) == {case.title}
    assert _titles(cases_citing(lib, "中华人民共和国合同法", 58)) == {case.title}


def test_linking_as_of_the_judgment_date(lib) -> None:
    sun = get_case(lib, "（2012）江宁开民初字第646号")
    assert sun is not None and sun.title == SUN
    by_no = {(c.law_key, c.number): c for c in sun.cites}
    # 2012: the 2009 食品安全法 applied; the corpus has only the 2021 text, where §96 is another rule.
    assert by_no[("食品安全法", 96)].status == VERSION_MISSING and not by_no[("食品安全法", 96)].article_id
    # The quoted text of 消费者权益保护法第二条 is the same in the 2013 version: linked.
    assert by_no[("消费者权益保护法", 2)].article_id == "消费者权益保护法@2013-10-25#2"
    wu = next(c for c in get_case(lib, "（2016）最高法民再98号").cites if c.number == 17)
    assert wu.article_id == "反垄断法@2007-08-30#17"  # the version in force in 2016, not the 2022 one


def test_relative_paths_with_dotdot(lib, monkeypatch: pytest.MonkeyPatch) -> None:
    from legalkb.search.cases import case_files

    monkeypatch.chdir(REPO)
    assert len(case_files([Path("../shared/corpus/lawrefbook/案例")])) == 52


def test_relinking_a_loaded_case_is_stable(lib) -> None:
    case = load_case(CASES_DIR / "消费购物" / f"{SUN}.md")
    first = [(c.article_id, c.status) for c in link_case(lib, case).cites]
    assert first == [(c.article_id, c.status) for c in link_case(lib, case).cites]


def test_quote_matching() -> None:
    art = "消费者为生活消费需要购买、使用商品或者接受服务，其权益受本法保护；本法未作规定的，受其他有关法律、法规保护。"
    assert quote_matches("消费者为生活消费需要购买、使用商品……受其他有关法律、法规保护。", art)
    assert not quote_matches("食品安全工作实行预防为主、风险管理、全程控制、社会共治。", art)


def test_search_by_topic_and_filters(lib) -> None:
    hits = search_cases(lib, "十倍赔偿 过期食品", top_k=5)
    assert SUN in [h.title for h in hits[:3]]
    assert {h.title for h in search_cases(lib, cause="买卖合同", top_k=50)} >= {SUN, "吴某与某电子商务有限公司买卖合同纠纷案"}
    assert all("买卖合同" in h.cause for h in search_cases(lib, cause="买卖合同", top_k=50))
    assert [h.title for h in search_cases(lib, court="南京")] == [SUN]
    assert [h.case_number for h in search_cases(lib, year=2016)] == ["（2016）最高法民再98号"]
    assert {h.title for h in search_cases(lib, region="山东省", top_k=50)} >= {
        "东临市某物业服务有限公司诉王某物业服务合同纠纷案", "李某诉东临市青川区市场监督管理局行政处罚案"}
    both = search_cases(lib, cites=["食品安全法第148条", "食品安全法第53条"])
    assert [h.title for h in both] == ["吴某与某电子商务有限公司买卖合同纠纷案"]
    with pytest.raises(ValueError):
        search_cases(lib, cites=["民法典"])


def test_all_versions_matches_by_number(lib) -> None:
    assert search_cases(lib, cites=["食品安全法第96条"]) == []
    assert [h.title for h in search_cases(lib, cites=["食品安全法第96条"], all_versions=True)] == [SUN]


def _root() -> click.Group:
    """A stand-in for the main `legalkb` group: it passes --home down via ctx.obj."""
    @click.group()
    @click.option("--home")
    @click.pass_context
    def root(ctx: click.Context, home: str | None) -> None:
        ctx.obj = {"home": home, "backend": "embedded"}

    root.add_command(cases_group)
    return root


def test_cli_search_cites(home: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(_root(), ["--home", str(home), "cases", "search", "--cites", "食品安全法第148条",
                                  "--top-k", "20", "--json"])
    assert res.exit_code == 0, res.output
    assert {h["title"] for h in json.loads(res.output)["hits"]} == FOOD_148
    res = runner.invoke(cases_group, ["--home", str(home), "search", "--cites", "民法典第一千二百一十七条"])
    assert res.exit_code == 0 and "无偿搭乘" in res.output
    res = runner.invoke(cases_group, ["--home", str(home), "search", "--cites", "合同法第五十二条", "--json"])
    assert [h["case_number"] for h in json.loads(res.output)["hits"]] == ["（2019）浙0106民初4521号"]
    res = runner.invoke(cases_group, ["--home", str(home), "search", "--cites", "不是法条"])
    assert res.exit_code == 1 and "无法识别的法条" in res.output


def test_cli_show_and_ingest_failures(home: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cases_group, ["--home", str(home), "show", "（2012）江宁开民初字第646号"])
    assert res.exit_code == 0 and "版本未收录" in res.output and "江苏省南京市江宁区人民法院（基层）" in res.output
    res = runner.invoke(cases_group, ["--home", str(home), "show", "不存在的案例"])
    assert res.exit_code == 1
    (tmp_path / "empty.txt").write_bytes(b"")
    res = runner.invoke(cases_group, ["--home", str(tmp_path / "h"), "ingest", str(tmp_path), "--json"])
    assert res.exit_code == 0
    assert json.loads(res.output)["failures"][0]["reason"] == "empty"


def test_card_content(lib) -> None:
    card = case_card(lib, get_case(lib, "（2022）鲁0000行初56号"))
    assert card.summary.startswith("李某在青川区经营") and card.issues.startswith("李某的违法行为")
    assert card.points.startswith("行政机关对初次违法") and card.result.startswith("撤销被告")
    [art] = card.articles
    assert art.current_id == "行政处罚法@2021-01-22#33" and "初次违法且危害后果轻微" in art.current_text


def test_card_export_docx_and_html(home: Path, tmp_path: Path) -> None:
    import docx

    runner = CliRunner()
    out = tmp_path / "pack.docx"
    res = runner.invoke(cases_group, ["--home", str(home), "card", "（2012）江宁开民初字第646号",
                                      "（2019）浙0106民初4521号", SUN, "-o", str(out),
                                      "--title", "食品与合同专题"])
    assert res.exit_code == 0, res.output
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    for needed in ("食品与合同专题", "案情简介", "争议焦点", "裁判结果", "法条链接", "释法要点",
                   "消费者为生活消费需要购买", "已废止", "由民法典取代", "案例所引原文：违反本法规定，造成人身"):
        assert needed in text, needed
    html = tmp_path / "card.html"
    res = runner.invoke(cases_group, ["--home", str(home), "card", "(2022)鲁0000行初56号", "-o", str(html)])
    assert res.exit_code == 0, res.output
    page = html.read_text("utf-8")
    assert "<h3>法条链接</h3>" in page and "初次违法且危害后果轻微" in page and "&lt;" not in page[:100]
    res = runner.invoke(cases_group, ["--home", str(home), "card", "(2022)鲁0000行初56号", "-o", str(tmp_path / "x.pdf")])
    assert res.exit_code != 0 and ".docx" in res.output
