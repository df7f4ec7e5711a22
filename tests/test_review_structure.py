"""Structural checks added after the second blind set: who acts and on whom (third parties given
sanctions, 街道 / 居委会 given enforcement powers), designation through lists, approvals gated on a
third party, fine ranges per party and as shares of a base amount, start dates before 施行.

Each mechanism has a positive clause and a near miss, in wording of our own; the superior
provisions are built with the wording of the real texts (LawRefBook, current versions).
"""

from __future__ import annotations

import pytest

from legalkb.review.amounts import fine_ranges
from legalkb.review.pipeline import review_text
from legalkb.review.superior import actor_ranges
from legalkb.review.testing import FakeLibrary, categories, draft_text, make_law, review_clauses

GAS = make_law("城镇燃气管理条例", {49: [
    "违反本条例规定，燃气用户及相关单位和个人有下列行为之一的，由燃气管理部门责令限期改正；逾期不改正的，"
    "对单位可以处10万元以下罚款，对个人可以处1000元以下罚款；造成损失的，依法承担赔偿责任；构成犯罪的，依法追究刑事责任：",
    "(一)擅自操作公用燃气阀门的；", "(二)将燃气管道作为负重支架或者接地引线的；"]}, level="行政法规")
QUALITY = make_law("建设工程质量管理条例", {55: "违反本条例规定，建设单位将建设工程肢解发包的，责令改正，处工程合同价款0.5%以上1%以下的罚款；"
                                          "对全部或者部分使用国有资金的项目，并可以暂停项目执行或者暂停资金拨付。"},
                   level="行政法规")
ESTATE = make_law("物业管理条例", {60: "违反本条例的规定，挪用专项维修资金的，由县级以上地方人民政府房地产行政主管部门追回挪用的专项维修资金，"
                                   "给予警告，没收违法所得，可以并处挪用数额2倍以下的罚款；构成犯罪的，依法追究直接负责的主管人员和其他直接责任人员的刑事责任。"},
                  level="行政法规")
SOLID = make_law("中华人民共和国固体废物污染环境防治法", {111: [
    "违反本法规定，有下列行为之一，由县级以上地方人民政府环境卫生主管部门责令改正，处以罚款，没收违法所得：",
    "（一）随意倾倒、抛撒、堆放或者焚烧生活垃圾的；", "（七）在运输过程中沿途丢弃、遗撒生活垃圾的。",
    "单位有前款第一项、第七项行为之一，处五万元以上五十万元以下的罚款；个人有前款第一项、第五项、第七项行为之一，处一百元以上五百元以下的罚款。"]})
PLAN = make_law("中华人民共和国城乡规划法", {65: "在乡、村庄规划区内未依法取得乡村建设规划许可证或者未按照乡村建设规划许可证的规定进行建设的，"
                                           "由乡、镇人民政府责令停止建设、限期改正；逾期不改正的，可以拆除。"})
CITY = make_law("城市市容和环境卫生管理条例", {11: [
    "在城市中设置户外广告、标语牌、画廊、橱窗等，应当内容健康、外型美观，并定期维修、油饰或者拆除。",
    "大型户外广告的设置必须征得城市人民政府市容环境卫生行政主管部门同意后，按照有关规定办理审批手续。"]}, level="行政法规")
LIB = FakeLibrary([GAS, QUALITY, ESTATE, SOLID, PLAN, CITY])
def review(*articles: str):
    return review_clauses(LIB, *articles, title="江口区测试规定", doc_number="江政发〔2026〕7号", issuer="江口区人民政府", tail="本规定自2026年4月1日起施行，有效期至2031年3月31日。")


cats = categories


def test_shares_and_multiples_of_a_base_amount_are_one_kind() -> None:
    assert [r.label() for r in fine_ranges("处服务合同金额百分之四十以上二倍以下的罚款")] == ["40%–2倍"]
    assert [(r.low, r.high) for r in fine_ranges("处工程造价百分之零点二以上百分之一以下的罚款")] == [(0.002, 0.01)]


def test_each_fine_range_belongs_to_the_party_named_before_it() -> None:
    got = actor_ranges("逾期不改正的，对单位可以处10万元以下罚款，对个人可以处1000元以下罚款")
    assert [(a, r.high) for a, r in got] == [("org", 100000.0), ("person", 1000.0)]


CASES = [
    # (category, positive clause, near-miss clause)
    # A private party given a sanction over the public, no 不得 / 限制 wording.
    ("rights_restriction",
     "住户拒不参加年度消防疏散演练的，物业服务企业可以停止为其提供车辆道闸通行服务。",
     "供热单位因管网抢修确需停止供热的，应当提前告知用户，并尽快恢复供热。"),
    ("rights_restriction",
     "商户连续两次未按要求清理门前积雪的，市场开办单位有权暂停其摊位使用，直至其书面保证履行清扫责任。",
     "物业服务企业发现业主违规搭建的，应当予以劝阻，并及时向区城市管理局报告。"),
    # Designation through a list a department or association keeps.
    ("fair_competition",
     "新建住宅小区配建的电动自行车充电设备，应当从区消防救援大队公布的推荐品牌目录中采购。",
     "区商务局定期公布家政服务企业信用名单，供居民自主选择家政服务时参考。"),
    ("fair_competition",
     "未列入区物流协会白名单的运输企业，不得承接本区农产品批发市场的配送业务。",
     "列入《国家危险废物名录》的废物，应当交由持有危险废物经营许可证的单位处置。"),
    # An approval or opinion gating an activity that a third party then performs.
    ("licensing_creation",
     "开设露天烧烤摊点的，应当取得区生态环境分局出具的《油烟排放审查意见》后，市场开办者方可为其分配摊位。",
     "区农业农村局应当会同区财政局审核项目资料，审核通过后方可拨付补助资金。"),
    # Enforcement powers given to 街道 / 居委会 without a superior article naming them.
    ("power_expansion",
     "社区居民委员会发现居民在公共绿地私搭乱建的，可以责令其限期拆除。",
     "街道办事处发现施工工地未采取降尘措施的，应当予以劝阻，并及时报告区住房和城乡建设局依法处理。"),
    ("power_expansion",
     "在运输过程中沿途丢弃生活垃圾的，由街道办事处依照《中华人民共和国固体废物污染环境防治法》第一百一十一条的规定责令改正。",
     "在村庄规划区内未取得乡村建设规划许可证进行建设的，由镇人民政府依照《中华人民共和国城乡规划法》第六十五条的规定责令停止建设、限期改正。"),
    # A start date earlier than 施行 (2026-04-01) from which the new rules apply to past conduct.
    ("retroactivity",
     "2025年6月1日以后发生的占道经营行为，依照本规定第三条的规定记入经营者信用档案。",
     "2026年4月1日以后发生的占道经营行为，依照本规定第三条的规定记入经营者信用档案。"),
    ("retroactivity",
     "自2025年10月1日起受到通报批评的经营户，补充记分，并计入本年度考核结果。",
     "2025年10月1日以后已经评定的星级商户，继续保留其星级和已经发放的奖励。"),
    ("retroactivity",
     "本规定施行前被责令改正的商户，按照本规定的规定扣分。",
     "本规定施行前已经作出的处理决定，按照原有规定执行。"),
]


@pytest.mark.parametrize("category,positive,near_miss", CASES)
def test_structure_positive_and_near_miss(category: str, positive: str, near_miss: str) -> None:
    assert category in cats(review(positive)), f"missed: {positive}"
    assert category not in cats(review(near_miss)), f"false flag: {near_miss}"


def test_individual_benefit_ending_on_moving_away_is_not_a_competition_matter() -> None:
    rep = review("领取高龄津贴的老年人户籍迁出本市的，自次月起停止发放津贴。")
    assert "fair_competition" not in cats(rep)
    rep = review("享受租金减免的企业应当承诺五年内不迁出本区。")
    assert "fair_competition" in cats(rep)


def test_individual_half_compared_with_the_individual_range() -> None:
    bad = review("擅自操作公用燃气阀门的，由区住房和城乡建设局责令限期改正；逾期不改正的，对单位处五万元以下罚款，对个人处二千元以上五千元以下罚款。")
    f = next(f for f in bad.findings if f.category == "penalty_range")
    assert f.quote.startswith("二千元以上五千元以下") and "1,000元" in f.message
    ok = review("擅自操作公用燃气阀门的，由区住房和城乡建设局责令限期改正；逾期不改正的，对单位处五万元以下罚款，对个人处五百元以下罚款。")
    assert "penalty_range" not in cats(ok)


@pytest.mark.parametrize("fine,flagged", [
    ("处工程合同价款百分之三以上百分之五以下的罚款", True),
    ("处工程合同价款百分之零点五以上百分之一以下的罚款", False),
])
def test_proportional_fine_found_by_retrieval(fine: str, flagged: bool) -> None:
    rep = review(f"建设单位将建设工程肢解发包的，由区住房和城乡建设局责令改正，{fine}。")
    assert ("penalty_range" in cats(rep)) is flagged


@pytest.mark.parametrize("fine,flagged", [
    ("并处挪用数额三倍以上四倍以下的罚款", True),
    ("并处挪用数额一倍以上二倍以下的罚款", False),
])
def test_multiple_fine_found_by_retrieval(fine: str, flagged: bool) -> None:
    rep = review(f"挪用专项维修资金的，由区住房和城乡建设局追回挪用的专项维修资金，给予警告，{fine}。")
    assert ("penalty_range" in cats(rep)) is flagged


def test_cited_approval_must_cover_the_object() -> None:
    bad = review("在店铺门楣设置招牌的，应当依照《城市市容和环境卫生管理条例》第十一条的规定，经区综合行政执法局同意后方可设置。")
    assert "licensing_creation" in cats(bad)
    ok = review("设置大型户外广告的，应当依照《城市市容和环境卫生管理条例》第十一条第二款的规定，经区综合行政执法局同意后方可设置。")
    assert "licensing_creation" not in cats(ok)


def test_issued_document_title_is_not_a_law_citation() -> None:
    rep = review("举办露天演出的，应当取得区文化和旅游局出具的《演出场地安全评估意见》后方可售票。")
    assert "licensing_creation" in cats(rep)
    assert not any(c.citation.law == "演出场地安全评估意见" for c in rep.citations)


def test_review_searches_skip_the_question_reranker() -> None:
    """The reranker is trained on people's questions and costs ~35 ms a search; the review engine
    searches with statute wording dozens of times per draft, so every one of its searches must
    ask for the first stage only (it kept a 6,000-character draft under 0.5 s)."""
    lib = FakeLibrary([GAS, QUALITY, ESTATE, SOLID, PLAN, CITY])
    review_text(draft_text("使用燃气的单位，应当每年委托本区指定的检测公司进行安全检测，检测费用由使用单位承担。",
                           "违反本办法规定的，由区城市管理局处五千元以上三万元以下罚款。"), lib)
    assert lib.searches > 0
    assert all(opts.get("rerank") is False for opts in lib.search_options)
