"""Unit tests of the review stages (parse, citations, resolve, amounts, crosswalk) without ../shared."""

from __future__ import annotations

import datetime as dt

import pytest

from legalkb.corpus.crosswalk import compute
from legalkb.ingest.model import REPEALED as DOC_REPEALED
from legalkb.ingest.status import RegistryEntry, StatusRegistry
from legalkb.review import resolve as resolve_module
from legalkb.review.amounts import ban_ranges, fine_ranges
from legalkb.review.citations import extract_citations
from legalkb.review.deadlines import time_limits
from legalkb.review.model import (
    FOUND,
    NONEXISTENT,
    NOT_FOUND,
    NOT_YET,
    RENUMBERED,
    REPEALED,
    NotADraftError,
    UnreadableDraftError,
)
from legalkb.review.parse import parse_draft, read_draft
from legalkb.review.resolve import resolve_citations
from legalkb.review.testing import FakeLibrary, make_law

HEAD = "青川区测试管理办法\n青政发〔2026〕1号\n青川区人民政府　2026年3月1日\n\n"


def draft(*articles: str, head: str = HEAD) -> str:
    from legalkb.ingest.numerals import int_to_cn

    return head + "\n\n".join(f"第{int_to_cn(i + 1)}条　{a}" for i, a in enumerate(articles))


# -- parse -------------------------------------------------------------------------------------

def test_parse_header_articles_and_spans() -> None:
    text = draft("为了规范管理，制定本办法。", "申请登记，应当提交下列材料：\n\n（一）身份证件；\n\n（二）照片。",
                 "本办法自2026年4月1日起施行，有效期至2031年3月31日。")
    d = parse_draft(text)
    assert (d.title, d.doc_number, d.issuer) == ("青川区测试管理办法", "青政发〔2026〕1号", "青川区人民政府")
    assert d.issued == dt.date(2026, 3, 1) and d.effective == dt.date(2026, 4, 1)
    assert d.expires == dt.date(2031, 3, 31) and d.has_validity_clause and d.validity_years == 5.0
    assert [a.number for a in d.articles] == [1, 2, 3]
    a2 = d.article(2)
    assert len(a2.clauses) == 3 and text[a2.clauses[2].start:a2.clauses[2].end] == "（二）照片。"
    assert text[d.validity_span[0]:d.validity_span[1]] == d.validity_text


def test_parse_validity_forms() -> None:
    d = parse_draft(draft("内容。", "本办法自2026年3月1日起施行，有效期三年。", head=HEAD.replace("办法", "办法（试行）", 1)))
    assert d.is_provisional and d.expires == dt.date(2029, 2, 28) and d.validity_years == 3
    d = parse_draft(draft("内容。", "本规定自印发之日起施行。"))
    assert d.effective == d.issued == dt.date(2026, 3, 1) and not d.has_validity_clause
    # A general statement about other documents' 有效期 is not this document's clause.
    d = parse_draft(draft("行政规范性文件有效期一般不超过5年。", "内容。", "本办法自2026年4月1日起施行。"))
    assert not d.has_validity_clause


def test_parse_two_issuers_and_chapters() -> None:
    text = "某办法\n青司发〔2026〕2号\n青川区司法局　青川区财政局　2026年1月15日\n\n第一章　总则\n\n第一条　内容。\n\n第二章　附则\n\n第二条　本办法自2026年2月1日起施行。"
    d = parse_draft(text)
    assert d.issuers == ["青川区司法局", "青川区财政局"]
    assert d.article(2).path == ["第二章　附则"]


def test_not_a_draft_and_empty(tmp_path) -> None:
    with pytest.raises(NotADraftError, match="条款结构"):
        parse_draft("会议通知\n请各单位于明天上午九点参加会议。")
    empty = tmp_path / "e.txt"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableDraftError, match="空"):
        read_draft(empty)
    with pytest.raises(UnreadableDraftError, match="不存在"):
        read_draft(tmp_path / "missing.txt")


def test_scanned_pdf_is_refused(tmp_path) -> None:
    pdf = tmp_path / "scan.pdf"
    # A valid one-page PDF with no text layer.
    pdf.write_bytes(b"%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 300]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF")
    with pytest.raises(UnreadableDraftError, match="无法读取送审稿"):
        read_draft(pdf)


# -- citations ---------------------------------------------------------------------------------

def test_citation_forms() -> None:
    text = draft(
        "依照《中华人民共和国立法法》第八十条、第八十二条的规定制定本办法。",
        "依照《城市道路管理条例》第二十七条第（六）项、第四十二条的规定处罚。",
        "根据《中华人民共和国行政复议法》（2023年修订）第二十条第一款规定。",
        "依照《某某法》第十条的规定；本法第十一条另有规定的除外。",
        "按照国办发〔2018〕37号文件要求，取得《大型犬只饲养许可证》。",
        "违反本办法第一条规定的，依照《治安管理处罚法》第二百五十三条之一处理。",
    )
    cs = extract_citations(parse_draft(text))
    got = [(c.draft_article, c.law, c.article, c.sub, c.paragraph, c.item, c.kind) for c in cs]
    assert (1, "中华人民共和国立法法", 80, 0, 0, 0, "law") in got
    assert (1, "中华人民共和国立法法", 82, 0, 0, 0, "law") in got
    assert (2, "城市道路管理条例", 27, 0, 0, 6, "law") in got and (2, "城市道路管理条例", 42, 0, 0, 0, "law") in got
    assert (3, "中华人民共和国行政复议法", 20, 0, 1, 0, "law") in got
    assert (4, "某某法", 11, 0, 0, 0, "back_ref") in got
    assert any(c.kind == "doc_number" and c.raw == "国办发〔2018〕37号" for c in cs)
    assert not any("许可证" in c.law for c in cs), "certificate names are not law"
    assert (6, "治安管理处罚法", 253, 1, 0, 0, "law") in got
    first = next(c for c in cs if c.article == 80)
    assert first.raw == "《中华人民共和国立法法》第八十条" and first.referral
    assert text[first.start:first.end] == first.raw


# -- resolve -----------------------------------------------------------------------------------

def _library() -> FakeLibrary:
    old = make_law("中华人民共和国行政复议法", {
        6: "有下列情形之一的，公民、法人或者其他组织可以依照本法申请行政复议：对行政机关作出的警告、罚款不服的。",
        9: "公民、法人或者其他组织认为具体行政行为侵犯其合法权益的，可以自知道该具体行政行为之日起六十日内提出行政复议申请。",
        40: "旧法才有的条文。"},
        effective=dt.date(2018, 1, 1), in_force_until=dt.date(2024, 1, 1))
    new = make_law("中华人民共和国行政复议法", {
        6: "国家建立专业化、职业化行政复议人员队伍。",
        9: "对在行政复议工作中做出显著成绩的单位和个人，按照国家有关规定给予表彰和奖励。",
        11: "有下列情形之一的，公民、法人或者其他组织可以依照本法申请行政复议：对行政机关作出的行政处罚决定不服。",
        20: "公民、法人或者其他组织认为行政行为侵犯其合法权益的，可以自知道或者应当知道该行政行为之日起六十日内提出行政复议申请。"},
        effective=dt.date(2024, 1, 1))
    mediation = make_law("中华人民共和国人民调解法", {i: f"第{i}条内容。" for i in range(1, 36)})
    noise_old = make_law("中华人民共和国环境噪声污染防治法", {58: "旧噪声法罚则。"}, status=DOC_REPEALED,
                         effective=dt.date(2018, 12, 29))
    future = make_law("中华人民共和国未来法", {1: "内容。"}, effective=dt.date(2030, 1, 1))
    # A law the corpus has no text of, but whose replacement says so in its closing article.
    snacks = make_law("山东省食品小作坊小餐饮和食品摊点管理条例", {55: (
        "本条例自2017年6月1日起施行。1997年4月4日山东省第八届人民代表大会常务委员会第二十七次会议通过的"
        "《山东省食品摊贩和城乡集市贸易食品卫生管理条例》同时废止。")}, level="地方性法规", effective=dt.date(2017, 6, 1))
    reg = StatusRegistry([RegistryEntry("中华人民共和国侵权责任法", "侵权责任法", dt.date(2021, 1, 1), "民法典",
                                       "民法典第一千二百六十条")])
    return FakeLibrary([old, new, mediation, noise_old, future, snacks], reg)


def _resolve(*articles: str) -> list:
    d = parse_draft(draft(*articles))
    return resolve_citations(extract_citations(d), _library(), dt.date(2026, 4, 1), d)


def test_resolve_found_and_nonexistent() -> None:
    r = _resolve("依照《中华人民共和国人民调解法》第六条的规定。", "依照《中华人民共和国人民调解法》第三十八条的规定。")
    assert r[0].resolution == FOUND and r[0].text == "第6条内容。"
    assert r[1].resolution == NONEXISTENT and "共35条" in r[1].note


def test_resolve_repealed_from_registry_and_from_source() -> None:
    r = _resolve("依照《中华人民共和国侵权责任法》第七十八条的规定承担责任。",
                 "依照《中华人民共和国环境噪声污染防治法》第五十八条的规定处罚。")
    assert r[0].resolution == REPEALED and r[0].successor == "民法典"
    # Not in the registry: the repeal date and successor come from review/rules/successors.yaml.
    assert r[1].resolution == REPEALED and r[1].successor == "噪声污染防治法"


def test_resolve_repealed_law_known_only_from_its_replacements_closing_article() -> None:
    r = _resolve("根据《山东省食品摊贩和城乡集市贸易食品卫生管理条例》，制定本规定。")
    assert r[0].resolution == REPEALED and r[0].successor == "山东省食品小作坊小餐饮和食品摊点管理条例"
    assert "2017-06-01" in r[0].note and "第五十五条" in r[0].note


def test_resolve_renumbered_by_content() -> None:
    r = _resolve("当事人不服的，可以依照《中华人民共和国行政复议法》第九条的规定，自知道该行政行为之日起六十日内申请行政复议。",
                 "可以依照《中华人民共和国行政复议法》第二十条的规定，自知道该行政行为之日起六十日内申请行政复议。",
                 "依照《中华人民共和国行政复议法》第四十条的规定。")
    assert r[0].resolution == RENUMBERED and r[0].current_article == 20
    assert r[1].resolution == FOUND, "the current number must not be flagged"
    assert r[2].resolution in (RENUMBERED, NONEXISTENT)


def test_resolve_unknown_law_is_unverified_not_valid() -> None:
    r = _resolve("依照《青川区不存在条例》第三条的规定。", "按照国办发〔2018〕37号要求执行。")
    assert r[0].resolution == NOT_FOUND and r[0].status == "未核实"
    assert r[1].resolution == NOT_FOUND and r[1].citation.kind == "doc_number"


def test_resolve_misnamed_national_law_only_against_a_whole_statute_book(monkeypatch) -> None:
    # A title that adds or drops a few characters of a national law the corpus has is a misnaming
    # (人民调解管理法 for 人民调解法) — but only a corpus carrying the statute book can say so.
    cites = ["依照《中华人民共和国人民调解管理法》第六条的规定。", "依照《中华人民共和国调解法》的规定。",
             "依照《中华人民共和国民间纠纷调解法》的规定。"]
    r = _resolve(*cites)
    assert [x.resolution for x in r] == [NOT_FOUND] * 3, "six laws are no statute book"
    monkeypatch.setattr(resolve_module, "STATUTE_BOOK_MIN", 3)
    r = _resolve(*cites)
    assert r[0].resolution == NONEXISTENT and "《人民调解法》" in r[0].note and r[0].status == "无此法律"
    assert r[1].resolution == NOT_FOUND, "'调解法' drops 人民 — too short a name to claim a misnaming"
    # A name that swaps words may be a law newer than the corpus: still only 未核实.
    assert r[2].resolution == NOT_FOUND


def test_resolve_a_penalty_article_cited_for_the_duty_it_punishes_is_not_moved() -> None:
    # The clause describes 第二十四条's promise and cites 第四十四条, which punishes breaking it: no renumbering.
    promise = "对已实施区域评估并在负面清单外的企业投资项目，可以按照国家和省有关规定实行承诺制，企业书面承诺符合标准和条件。"
    arts = {i: f"第{i}条关于其他事项的规定。" for i in range(1, 50)}
    arts[24] = promise
    for penalty, expected in (("申请人无正当理由不按照本规定第二十四条规定履行有关承诺的，按照法律、法规规定予以处罚。", FOUND),
                              ("申请人无正当理由不履行有关义务的，按照法律、法规规定予以处罚。", RENUMBERED)):
        law = make_law("浙江省测试改革规定", {**arts, 44: penalty}, level="地方性法规")
        d = parse_draft(draft("对已实施区域评估并在负面清单外的企业投资项目实行承诺制；企业书面承诺符合标准和条件后不履行承诺的，"
                              "依照《浙江省测试改革规定》第四十四条的规定处理。"))
        r = resolve_citations(extract_citations(d), FakeLibrary([law]), dt.date(2026, 4, 1), d)
        assert r[0].resolution == expected, (penalty, r[0].note)


def test_resolve_a_short_old_article_paraphrased_beside_a_long_current_one() -> None:
    # The clause shares as many bigrams with the long current 第十八条 (职业培训机构) as with the short old
    # one (实用技术的培训), but covers a far larger share of the old: it is the old number.
    old = make_law("中华人民共和国测试教育法", {
        18: "县级人民政府应当适应农村经济、科学技术、教育统筹发展的需要，举办多种形式的职业教育，开展实用技术的培训。",
        **{i: f"旧法第{i}条其他内容。" for i in range(1, 18)}}, effective=dt.date(1996, 9, 1), in_force_until=dt.date(2022, 5, 1))
    new = make_law("中华人民共和国测试教育法", {
        18: ("残疾人职业教育除由残疾人教育机构实施外，各级各类职业学校和职业培训机构及其他教育机构应当按照国家有关规定接纳残疾学生，"
             "并加强无障碍环境建设，为残疾学生学习、生活提供必要的帮助和便利。\n国家采取措施，支持残疾人教育机构、职业学校、职业培训机构"
             "及其他教育机构开展或者联合开展残疾人职业教育。\n从事残疾人职业教育的特殊教育教师按照规定享受特殊教育津贴。"),
        22: "县级人民政府可以根据县域经济社会发展的需要，设立职业教育中心学校，开展多种形式的职业教育，实施实用技术培训。",
        **{i: f"新法第{i}条其他内容。" for i in range(1, 18)}}, effective=dt.date(2022, 5, 1))
    d = parse_draft(draft("依照《中华人民共和国测试教育法》第十八条的规定，县人民政府组织县职业教育中心、职业培训机构对返乡入乡人员"
                          "开展创业培训和实用技术培训。"))
    r = resolve_citations(extract_citations(d), FakeLibrary([old, new]), dt.date(2026, 4, 1), d)
    assert r[0].resolution == RENUMBERED and r[0].current_article == 22, r[0].note


def test_resolve_not_yet_in_force() -> None:
    assert _resolve("依照《中华人民共和国未来法》第一条的规定。")[0].resolution == NOT_YET


# -- amounts, crosswalk -------------------------------------------------------------------------

@pytest.mark.parametrize("text,labels", [
    ("对个人可以处二百元以上一千元以下的罚款", ["200元–1,000元"]),
    ("可以处以2万元以下的罚款", ["20,000元以下"]),
    ("处以采购金额千分之五以上千分之十以下的罚款", ["0.5%–1%"]),
    ("对就餐人员处二百元罚款", ["200元"]),
    ("处违法所得一倍以上五倍以下罚款", ["1倍–5倍"]),
    ("每件补贴五百元至一千元", []),  # not a fine
    # 生猪屠宰管理条例第三十七条 drops the second 元.
    ("并处5万元以上10万以下的罚款", ["50,000元–100,000元"]),
    ("种植1万株以下的，处罚款", []),
])
def test_fine_ranges(text: str, labels: list[str]) -> None:
    assert [r.label() for r in fine_ranges(text)] == labels


@pytest.mark.parametrize("text,labels", [
    ("列入不良行为记录名单，在一至三年内禁止参加政府采购活动", ["1年–3年"]),
    ("在三年至五年内禁止其参加本区政府采购活动", ["3年–5年"]),
    ("被吊销许可证的，三年内不得再次申请", ["3年"]),
    ("处三年以上七年以下有期徒刑", []),          # a prison term, not a ban
    ("本办法有效期五年", []),                     # a validity period
])
def test_ban_ranges(text: str, labels: list[str]) -> None:
    assert [r.label() for r in ban_ranges(text)] == labels


@pytest.mark.parametrize("text,limits", [
    ("应当在知道或者应知其权益受到损害之日起三个工作日内，以书面形式向采购人提出质疑", [("质疑", 3.0, "工作日")]),
    ("可以自收到决定书之日起三十日内申请行政复议", [("复议", 30.0, "日")]),   # 复议, not any 申请
    ("可以在答复期满后十五个工作日内向同级政府采购监督管理部门投诉", [("投诉", 15.0, "工作日")]),
    ("对决定不服的，可以在六个月内提起行政诉讼", [("诉讼", 180.0, "日")]),
    ("采购人应当在收到书面质疑后七个工作日内作出答复", []),                   # the administration's limit
    ("申请人应当在五个工作日内补正材料", []),                                 # no remedy or application
])
def test_time_limits(text: str, limits: list[tuple[str, float, str]]) -> None:
    assert [(x.action, x.value, x.unit) for x in time_limits(text)] == limits


def test_crosswalk_compute_follows_moved_articles() -> None:
    old = make_law("某法", {1: "甲条文内容关于适用范围的规定。", 2: "乙条文内容关于罚款的规定。", 3: "丙条文关于施行日期。"})
    new = make_law("某法", {1: "甲条文内容关于适用范围的规定。", 2: "全新的关于表彰奖励的规定内容。",
                            3: "乙条文内容关于罚款的规定。", 4: "丙条文关于施行日期。"}, effective=dt.date(2024, 1, 1))
    rows = {r.old: r.new for r in compute(old, new)}
    assert rows == {1: 1, 2: 3, 3: 4}


def test_gather_evidence_in_parallel_equals_one_at_a_time() -> None:
    from legalkb.review.evidence import Retriever, gather_evidence

    law = make_law("城市市容和环境卫生管理条例", {
        11: "大型户外广告的设置必须征得城市人民政府市容环境卫生行政主管部门同意后，按照有关规定办理审批手续。",
        14: "任何单位和个人都不得在街道两侧和公共场地堆放物料，搭建建筑物、构筑物或者其他设施。"}, level="行政法规")
    d = parse_draft(draft("设置大型户外广告的，应当征得区城市管理局同意。",
                          "任何单位和个人不得在街道两侧堆放物料。",
                          "经营者应当在店内经营，不得占道经营。"))
    lib = FakeLibrary([law])
    one = gather_evidence(d, Retriever(lib, dt.date(2026, 4, 1)), workers=1)
    two = gather_evidence(d, Retriever(lib, dt.date(2026, 4, 1)), workers=2)
    assert one == two and len(one) == 3 and one[0].hits and one[0].hits[0].title == "城市市容和环境卫生管理条例"


def test_own_regulations_are_the_provinces_not_another_citys() -> None:
    from legalkb.review.evidence import Retriever

    prov = make_law("浙江省城市绿化管理条例", {20: "占用城市绿地的，应当经城市绿化行政主管部门同意。"},
                    level="地方性法规", region="浙江省")
    city = make_law("杭州市城市绿化管理条例", {31: "占用城市绿地的，应当报市人民政府批准。"},
                    level="地方性法规", region="浙江省")
    r = Retriever(FakeLibrary([prov, city]), dt.date(2026, 4, 1), region="浙江省")
    assert [h.title for h in r.own_regulations("占用城市绿地的应当批准")] == ["浙江省城市绿化管理条例"]
    assert Retriever(FakeLibrary([prov, city]), dt.date(2026, 4, 1)).own_regulations("占用城市绿地") == []


def test_resolve_a_paragraph_only_the_older_version_has_moved_with_its_article() -> None:
    old = make_law("中华人民共和国测试普及法", {
        24: ["各级人民政府应当将科普场馆建设纳入规划。", "以政府财政投资建设的科普场馆，应当配备必要的专职人员，常年向公众开放。"],
        25: "第25条内容。"}, effective=dt.date(2002, 6, 29))
    arts: dict[int, str | list[str]] = {n: f"新法第{n}条的内容，关于其他事项{n}。" for n in range(1, 47)}
    arts[24] = "自然科学和社会科学类社会团体应当组织开展科普活动。"
    arts[46] = ["各级人民政府应当对科普场馆建设给予支持。", "政府投资建设的科普场馆，应当配备必要的专职人员，常年向公众开放。"]
    new = make_law("中华人民共和国测试普及法", arts, effective=dt.date(2024, 12, 25))
    d = parse_draft(draft("依照《中华人民共和国测试普及法》第二十四条第二款的规定，政府投资建设的科普基地应当常年向公众开放。",
                          "依照《中华人民共和国测试普及法》第二十四条第三款的规定执行。"))
    r = resolve_citations(extract_citations(d), FakeLibrary([old, new]), dt.date(2026, 4, 1), d)
    assert r[0].resolution == RENUMBERED and r[0].current_article == 46 and "第二款" in r[0].note
    # A 款 no version has stays nonexistent.
    assert r[1].resolution == NONEXISTENT and "没有第三款" in r[1].note


def test_resolve_a_clause_on_when_a_rule_applies_cites_the_old_non_retroactivity_article() -> None:
    fill = {n: f"第{n}条规定的其他事项，编号{n}。" for n in range(1, 106)}
    old = make_law("中华人民共和国测试立法法", {**{n: t for n, t in fill.items() if n <= 105},
                                      93: "法律、行政法规、地方性法规、规章不溯及既往，但为了更好地保护公民、法人和其他组织的权利和利益而作的特别规定除外。"},
                   effective=dt.date(2015, 3, 15))
    new = make_law("中华人民共和国测试立法法", {**fill, 93: "设区的市的人民政府可以根据法律、行政法规制定规章。",
                                      104: "法律、行政法规、地方性法规、规章不溯及既往，但为了更好地保护公民、法人和其他组织的权利和利益而作的特别规定除外。"},
                   effective=dt.date(2023, 3, 15))
    d = parse_draft(draft("依照《中华人民共和国测试立法法》第九十三条的规定，本办法提高后的补助标准适用于2025年1月1日以后发放的年度补助。",
                          "依照《中华人民共和国测试立法法》第九十三条的规定，区人民政府制定本办法。"))
    r = resolve_citations(extract_citations(d), FakeLibrary([old, new]), dt.date(2026, 4, 1), d)
    assert r[0].resolution == RENUMBERED and r[0].current_article == 104
    assert r[1].resolution == FOUND, "a clause on the current article's matter keeps its number"


def test_resolve_an_old_number_whose_old_article_said_something_else_is_nonexistent() -> None:
    # 2016: 98 articles, 第七十二条 an information platform; 2022: 66 articles, the platform moved to 第五十一条.
    def topic(n: int) -> str:
        return "".join(chr(0x4E00 + 97 * n + k) for k in range(6))   # distinct words for each article
    platform = "本市建立安全生产信息网络平台，及时提供安全生产法律法规等信息服务。"
    old_arts = {n: f"关于{topic(n)}的规定。" for n in range(1, 99)}
    old_arts[72] = platform
    kept = [n for n in range(1, 99) if n != 72][:65]
    new_arts = {i: old_arts[n] for i, n in enumerate(kept[:50], start=1)}
    new_arts[51] = platform
    new_arts.update({i: old_arts[n] for i, n in enumerate(kept[50:], start=52)})
    old = make_law("测试安全生产条例", old_arts, effective=dt.date(2016, 11, 25))
    new = make_law("测试安全生产条例", new_arts, effective=dt.date(2022, 5, 25))
    d = parse_draft(draft("生产经营单位未在有限空间出入口设置明显的安全警示标志的，由区应急管理局依照《测试安全生产条例》第七十二条的规定处理。",
                          "依照《测试安全生产条例》第七十二条的规定，建立信息网络平台，及时提供法律法规等信息服务。"))
    r = resolve_citations(extract_citations(d), FakeLibrary([old, new]), dt.date(2026, 4, 1), d)
    assert r[0].resolution == NONEXISTENT and "六十六" in r[0].note and "其他内容" in r[0].note
    # The clause paraphrases the old article: the number moved with it.
    assert r[1].resolution == RENUMBERED and r[1].current_article == 51
