"""Case parsing: 案号, courts, citations, the three readers, and bad input. No library needed.

Tests marked `shared` read the 52 典型案例 in ../shared/corpus/lawrefbook/案例 and skip without it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from legalkb.ingest.cases import (
    SOURCE_JUDGMENT,
    SOURCE_LOCAL,
    court_level,
    extract_citations,
    find_case_numbers,
    find_courts,
    load_case,
    normalize_case_number,
    parse_citation,
    procedure_from_number,
    region_of,
    split_case_name,
)
from legalkb.ingest.errors import CorruptFileError, EmptyFileError, UnsupportedFormatError

REPO = Path(__file__).resolve().parents[1]
CASES_DIR = REPO.parent / "shared" / "corpus" / "lawrefbook" / "案例"
DEMO = REPO / "corpus" / "demo" / "cases"
DATA = Path(__file__).parent / "data" / "cases"
needs_shared = pytest.mark.skipif(not CASES_DIR.is_dir(), reason="../shared/corpus/lawrefbook/案例 不存在（共享语料未挂载）")

JUDGMENT_LINES = [
    "北京市朝阳区人民法院",
    "民 事 判 决 书",
    "（2019）京0105民初18230号",
    "原告：张三，男，1970年1月1日出生，汉族，住北京市朝阳区。",
    "委托诉讼代理人：李四，北京市某律师事务所律师。",
    "被告：北京某某商贸有限公司，住所地北京市朝阳区某路1号。",
    "法定代表人：王五，经理。",
    "原告张三与被告北京某某商贸有限公司买卖合同纠纷一案，本院于2019年3月1日立案后，依法适用简易程序，公开开庭进行了审理。",
    "张三向本院提出诉讼请求：1.确认双方签订的《设备买卖合同》无效；2.判令被告返还货款5万元。",
    "北京某某商贸有限公司辩称，合同合法有效，不同意原告的诉讼请求。",
    "经审理查明，2018年5月，双方签订《设备买卖合同》，约定被告向原告出售一台二手锅炉。该锅炉属于国家明令淘汰的产品。",
    "本院认为，本案争议焦点是双方签订的买卖合同是否有效。买卖国家明令淘汰产品的合同违反法律、行政法规的强制性规定。"
    "依照《中华人民共和国合同法》第五十二条第（五）项、第五十八条，《中华人民共和国民事诉讼法》第六十四条之规定，判决如下：",
    "一、原告张三与被告北京某某商贸有限公司签订的《设备买卖合同》无效；",
    "二、被告北京某某商贸有限公司于本判决生效之日起十日内返还原告张三货款50000元。",
    "如不服本判决，可以在判决书送达之日起十五日内，向本院递交上诉状，上诉于北京市第三中级人民法院。",
    "审　判　员　　赵六",
    "二〇一九年九月十日",
    "书　记　员　　孙七",
]


def write_judgment_docx(path: Path, lines: list[str] = JUDGMENT_LINES) -> Path:
    import docx

    d = docx.Document()
    for ln in lines:
        d.add_paragraph(ln)
    d.save(str(path))
    return path


# -- 案号 / courts ------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, norm, procedure", [
    ("(2021)鲁13行终123号", "（2021）鲁13行终123号", "二审"),
    ("（2007）朝民初字第18230号", "（2007）朝民初字第18230号", "一审"),
    ("〔2016〕最高法民再98号", "（2016）最高法民再98号", "再审"),
    ("（2020）京 0105 执 3 号", "（2020）京0105执3号", "执行"),
])
def test_case_number_normalised_with_procedure(raw: str, norm: str, procedure: str) -> None:
    assert normalize_case_number(raw) == norm
    assert procedure_from_number(norm) == procedure


def test_doc_numbers_are_not_case_numbers() -> None:
    text = "依据法释〔2020〕26号、国办发〔2018〕37号，作出（2012）江宁开民初字第646号民事判决"
    assert find_case_numbers(text) == ["（2012）江宁开民初字第646号"]


@pytest.mark.parametrize("court, level, region", [
    ("最高人民法院", "最高", "全国"),
    ("山东省高级人民法院", "高级", "山东省"),
    ("北京市第二中级人民法院", "中级", "北京市"),
    ("上海知识产权法院", "中级", "上海市"),
    ("江苏省南京市江宁区人民法院", "基层", "江苏省"),
    ("北京互联网法院", "基层", "北京市"),
    ("某某调解委员会", "", ""),
])
def test_court_level_and_region(court: str, level: str, region: str) -> None:
    assert court_level(court) == level
    assert region_of(court) == region


def test_courts_in_running_text() -> None:
    text = ("张某不服仲裁裁决，诉至人民法院。根据《最高人民法院关于审理劳动争议案件适用法律问题的解释（一）》，"
            "山东省济南市中级人民法院一审认为……赵某某不服，提起上诉。山东省高级人民法院二审认为……")
    assert find_courts(text) == ["山东省济南市中级人民法院", "山东省高级人民法院"]


def test_case_name_split() -> None:
    parties, cause = split_case_name("孙银山诉南京欧尚超市有限公司江宁店买卖合同纠纷案")
    assert parties == ["原告：孙银山", "被告：南京欧尚超市有限公司江宁店"]
    assert cause == "买卖合同纠纷"
    assert split_case_name("游戏“外挂脚本”被封号 玩家起诉游戏公司被驳回") == ([], "")


# -- citations --------------------------------------------------------------------------------
def _cites(text: str) -> list[tuple[str, int, int, str]]:
    return [(c.law.removeprefix("中华人民共和国"), c.number, c.sub, c.detail) for c in extract_citations(text)]


def test_citation_forms() -> None:
    text = ("依照《中华人民共和国消费者权益保护法》第四十九条、《民法典》第一千一百六十五条第一款，"
            "以及合同法第五十二条、刑法第二百五十三条之一和民法典第1217条的规定")
    assert _cites(text) == [
        ("消费者权益保护法", 49, 0, ""), ("民法典", 1165, 0, "第一款"), ("合同法", 52, 0, ""),
        ("刑法", 253, 1, ""), ("民法典", 1217, 0, ""),
    ]


def test_citation_alias_refer_and_lists() -> None:
    text = ("《中华人民共和国食品安全法》（以下简称《食品安全法》）第三条规定：“食品生产经营者应当依照法律从事生产经营活动。”"
            "该法第二十八条第（八）项规定，超过保质期的食品属于禁止生产经营的食品。《食品安全法》第九十六条第一款规定……"
            "根据《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第二百二十六条及第二百二十八条的规定")
    got = _cites(text)
    assert got[:3] == [("食品安全法", 3, 0, ""), ("食品安全法", 28, 0, "第（八）项"), ("食品安全法", 96, 0, "第一款")]
    assert [c[1] for c in got[3:]] == [226, 228]
    assert got[3][0] == "最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释"
    first = extract_citations(text)[0]
    assert first.quote.startswith("食品生产经营者应当依照法律")


def test_contracts_and_plain_numbers_are_not_citations() -> None:
    text = "双方签有《汽车销售合同》。该合同第七条约定：“……”。荆州市交通局根据《特许权协议》第七十七条的约定作出通知。"
    assert extract_citations(text) == []


def test_printed_provision_lines_belong_to_the_named_interpretation() -> None:
    text = "## 司法解释相关法条\n《最高人民法院关于审理食品安全民事纠纷案件适用法律若干问题的解释（一）》。\n第十二条 进口的食品不符合……"
    assert _cites(text) == [("最高人民法院关于审理食品安全民事纠纷案件适用法律若干问题的解释（一）", 12, 0, "")]


@pytest.mark.parametrize("text, expected", [
    ("民法典第1165条", ("民法典", 1165, 0)),
    ("《民法典》第一千一百六十五条", ("民法典", 1165, 0)),
    ("合同法 52", ("合同法", 52, 0)),
    ("刑法第二百五十三条之一", ("刑法", 253, 1)),
    ("民法典", None),
])
def test_parse_citation(text: str, expected: tuple[str, int, int] | None) -> None:
    assert parse_citation(text) == expected


# -- readers ----------------------------------------------------------------------------------
def test_judgment_docx(tmp_path: Path) -> None:
    case = load_case(write_judgment_docx(tmp_path / "判决书.docx"))
    assert case.source_kind == SOURCE_JUDGMENT
    assert case.case_number == "（2019）京0105民初18230号" == case.case_id
    assert (case.court, case.court_level, case.region) == ("北京市朝阳区人民法院", "基层", "北京市")
    assert case.doc_type == "民事判决书"
    assert case.procedure == "一审"
    assert case.date == dt.date(2019, 9, 10) and not case.date_estimated
    assert case.parties == ["原告：张三", "被告：北京某某商贸有限公司"]
    assert case.cause == "买卖合同纠纷"
    assert case.title == "张三诉北京某某商贸有限公司买卖合同纠纷案"
    assert case.facts.startswith("经审理查明") and "锅炉" in case.facts
    assert case.reasoning.startswith("本院认为") and case.issues == "双方签订的买卖合同是否有效"
    assert case.result.startswith("判决如下") and "返还原告张三货款" in case.result
    assert "上诉于" not in case.result
    assert _cites(case.full_text()) == [("合同法", 52, 0, "第（五）项"), ("合同法", 58, 0, ""), ("民事诉讼法", 64, 0, "")]
    assert case.warnings == []


def test_judgment_txt_in_gbk(tmp_path: Path) -> None:
    p = tmp_path / "判决书.txt"
    p.write_bytes("\n".join(JUDGMENT_LINES).encode("gb18030"))
    case = load_case(p)
    assert case.case_number == "（2019）京0105民初18230号" and len(case.cites) == 3


def test_no_case_number_and_unknown_court_warn_not_crash(tmp_path: Path) -> None:
    p = tmp_path / "无案号.txt"
    p.write_text("某某调解委员会\n调解意见\n申请人王某与被申请人李某因邻里纠纷申请调解。\n经调解，双方自愿达成如下协议：李某赔偿王某500元。\n",
                 encoding="utf-8")
    case = load_case(p)
    assert case.case_number == "" and case.court == "" and case.court_level == ""
    assert "未找到案号" in case.warnings and "未识别出审理法院" in case.warnings
    assert case.case_id  # still addressable (file name)


def test_unknown_court_level_warns(tmp_path: Path) -> None:
    lines = ["青川区综合调处中心法院", "民事判决书", "（2020）鲁0000民初1号", "原告：甲。", "被告：乙。",
             "本院认为，事实清楚。判决如下：驳回原告诉讼请求。", "审判员 某", "二〇二〇年一月二日"]
    case = load_case(write_judgment_docx(tmp_path / "x.docx", lines))
    assert case.case_number == "（2020）鲁0000民初1号"
    assert any("法院" in w for w in case.warnings)


def test_unreadable_files_raise_ingest_errors(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bad.docx").write_bytes(b"not a zip")
    (tmp_path / "bad.yaml").write_text("案号: [unclosed\n", encoding="utf-8")
    (tmp_path / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    (tmp_path / "x.xls").write_bytes(b"\x00")
    with pytest.raises(EmptyFileError):
        load_case(tmp_path / "empty.txt")
    with pytest.raises(CorruptFileError):
        load_case(tmp_path / "bad.docx")
    with pytest.raises(CorruptFileError):
        load_case(tmp_path / "bad.yaml")
    with pytest.raises(CorruptFileError):
        load_case(tmp_path / "list.yaml")
    with pytest.raises(UnsupportedFormatError):
        load_case(tmp_path / "x.xls")


def test_local_yaml_minimal_and_unknown_fields(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("标题: 某某案\n裁判日期: 明年\n备注: 无\n引用法条: [民法典第1165条, 不是法条]\n", encoding="utf-8")
    case = load_case(p)
    assert case.title == "某某案" and case.source_kind == SOURCE_LOCAL and case.date is None
    assert [(c.law, c.number) for c in case.cites] == [("民法典", 1165)]
    joined = "；".join(case.warnings)
    assert "未识别的字段：备注" in joined and "无法识别的裁判日期" in joined and "不是法条" in joined


def test_demo_local_cases() -> None:
    yaml_case = load_case(DEMO / "青川区物业服务合同纠纷案.yaml")
    assert yaml_case.case_number == "（2023）鲁0000民初1234号"
    assert (yaml_case.court_level, yaml_case.region, yaml_case.cause) == ("基层", "山东省", "物业服务合同纠纷")
    assert [(c.law.removeprefix("中华人民共和国"), c.number) for c in yaml_case.cites] == [("民法典", 944)]
    # editor line wraps inside sentences are joined; paragraph ends (。) are kept
    assert "为由，拒绝缴纳物业费" in yaml_case.facts and "，\n" not in yaml_case.facts
    md_case = load_case(DEMO / "青川区首违不罚行政处罚案.md")
    assert md_case.date == dt.date(2022, 9, 20) and md_case.issues.startswith("李某的违法行为")
    assert [(c.number, c.detail) for c in md_case.cites] == [(33, "第一款")]
    assert md_case.cites[0].quote.startswith("违法行为轻微并及时改正")


# -- the 52 典型案例 ------------------------------------------------------------------------------
@needs_shared
def test_all_typical_cases_parse() -> None:
    files = [f for f in CASES_DIR.rglob("*.md") if f.name != "_index.md"]
    assert len(files) == 52
    cases = [load_case(f) for f in files]
    assert len({c.case_id for c in cases}) == 52
    assert sum(1 for c in cases if c.cites) >= 39
    assert all(c.title for c in cases)


@needs_shared
def test_typical_case_sun_yinshan() -> None:
    case = load_case(CASES_DIR / "消费购物" / "孙银山诉南京欧尚超市有限公司江宁店买卖合同纠纷案.md")
    assert case.headline.startswith("消费者明知其所购买的食品不符合食品安全标准")
    assert case.case_number == "（2012）江宁开民初字第646号"
    assert (case.court, case.court_level, case.date) == ("江苏省南京市江宁区人民法院", "基层", dt.date(2012, 9, 10))
    assert case.keywords == ["民事", "买卖合同", "食品安全", "十倍赔偿"]
    assert case.cause == "买卖合同纠纷" and case.procedure == "一审"
    assert _cites(case.full_text()) == [("消费者权益保护法", 2, 0, ""), ("食品安全法", 3, 0, ""),
                                        ("食品安全法", 28, 0, "第（八）项"), ("食品安全法", 96, 0, "第一款")]


@needs_shared
def test_typical_case_retrial_by_supreme_court() -> None:
    case = load_case(CASES_DIR / "消费购物" / "吴小秦诉陕西广电网络传媒（集团）股份有限公司捆绑交易纠纷案.md")
    assert case.case_number == "（2016）最高法民再98号"
    assert (case.court_level, case.procedure, case.region) == ("最高", "再审", "全国")
    assert ("反垄断法", 17, 0, "第（五）项") in _cites(case.full_text())


@needs_shared
def test_typical_case_with_aliases_defined_elsewhere() -> None:
    case = load_case(CASES_DIR / "行政协议诉讼" / "中山市某房地产发展有限公司诉广东省中山市自然资源局要求解除行政协议案.md")
    assert ("最高人民法院关于审理行政协议案件若干问题的规定", 17, 0, "") in _cites(case.full_text())
    assert case.court == "广东省中山市中级人民法院"


@needs_shared
def test_typical_case_commentary_style() -> None:
    case = load_case(CASES_DIR / "民法典" / "无偿搭乘亲友出事故 依法减轻赔偿责任.md")
    assert case.court == "北京市通州区人民法院"  # from the author line '文/北京市通州区人民法院 …'
    assert _cites(case.full_text()) == [("民法典", 1217, 0, "")]
    assert case.parties == [] and case.facts.startswith("小凡与小胡系同乡")
