"""Mechanisms added after the fourth blind set: fines re-pricing a provincial 地方性法规 (the
superior-penalty lookup extended to the draft's province), fines for breaching an obligation the
draft itself invents (penalty_creation, not penalty_range), certificate-style approvals (领取《…》后
方可, 现场核验合格后方可), coercion of property or persons answering arrears (锁车, 起尸), cross-field
punishment lists without 失信 wording, and a market reserved to one provider (统一由…，其他…不得).

All clauses are in our own wording (water supply, homestays, schools, cemeteries — not the blind
set's trades). The provincial regulation below is a test fixture in the shape of a 山东 条例.
"""

from __future__ import annotations

import pytest

from legalkb.review.superior import certificates_of, province_of
from legalkb.review.testing import FakeLibrary, categories, make_law, review_clauses

PROVINCIAL = make_law("山东省城乡供水测试条例", {
    40: "违反本条例规定，擅自在公共供水管道上私接水管取水的，由县级以上人民政府供水主管部门责令改正，处二千元以上一万元以下罚款。",
    41: "违反本条例规定，未取得卫生许可证从事二次供水运营的，由县级以上人民政府卫生健康主管部门责令停止运营，处五千元以上二万元以下罚款。",
}, level="地方性法规")
CITY = make_law("东港市排水测试条例", {
    30: "违反本条例规定，向雨水管网倾倒餐厨废弃油脂的，由城市排水主管部门责令改正，处五百元以上二千元以下罚款。",
}, level="地方性法规")
LIB = FakeLibrary([PROVINCIAL, CITY])
def review(*articles: str):
    return review_clauses(LIB, *articles)


cats = categories


def test_fine_outside_a_provincial_regulation_range_is_penalty_range_with_its_text() -> None:
    rep = review("擅自在公共供水管道上私接水管取水的，由县水务局责令改正，处五百元以上一千元以下罚款。")
    got = [f for f in rep.findings if f.article == 1]
    assert {f.category for f in got} == {"penalty_range"}
    assert any(b.title.startswith("山东省城乡供水测试条例") and "二千元以上一万元以下" in b.text
               for f in got for b in f.basis)


def test_fine_inside_the_provincial_range_is_not_re_labelled() -> None:
    # Same conduct, amounts inside 二千元以上一万元以下: no range finding (the uncited fine stays a
    # creation finding for the citation to be added).
    rep = review("擅自在公共供水管道上私接水管取水的，由县水务局责令改正，处三千元以上八千元以下罚款。")
    assert "penalty_range" not in cats(rep)


def test_a_city_regulation_is_not_used_as_the_range() -> None:
    # 东港市 may not be the draft's city: its range is not applied.
    rep = review("向雨水管网倾倒餐厨废弃油脂的，由县住房和城乡建设局责令改正，处五千元以上一万元以下罚款。")
    assert cats(rep) == {"penalty_creation"}


def test_fine_for_a_certificate_the_draft_invents_is_a_creation() -> None:
    rep = review("未取得《二次供水运营登记卡》从事二次供水运营的，由县水务局责令停止运营，处三万元以上五万元以下罚款。")
    assert cats(rep) == {"penalty_creation"}


def test_fine_for_the_statutory_certificate_is_compared_with_its_range() -> None:
    rep = review("未取得卫生许可证从事二次供水运营的，由县卫生健康局责令停止运营，处三万元以上五万元以下罚款。")
    assert cats(rep) == {"penalty_range"}


def test_province_and_certificates() -> None:
    assert province_of("根据《河北省城乡规划条例》，制定本办法") == "河北省"
    assert province_of("为节省成本，制定本办法") == "山东省"
    assert certificates_of("未取得《民宿经营备案牌》擅自接待住客") == ["民宿经营备案牌"]
    assert certificates_of("未取得卫生许可证从事二次供水运营") == ["卫生许可证"]
    assert certificates_of("依照《中华人民共和国水法》处理") == []


CASES = [
    # Certificate-style approvals.
    ("licensing_creation",
     "民宿经营者依法办理营业执照后，还应当经县文化和旅游局实地查验合格并领取《民宿经营备案牌》后，方可接待住客。",
     "民宿经营者依法取得营业执照后，可以自主开展经营活动。"),
    ("licensing_creation",
     "校外托管机构应当经县教育和体育局现场核查合格后，方可招收学生。",
     "停业整顿的校外托管机构整改完毕，经县教育和体育局现场核查合格后方可恢复营业。"),
    # Coercion of property or persons answering arrears or disobedience; not a fee.
    ("compulsory_measure",
     "对逾期未缴纳占道停车费的车辆，县城市管理局可以加装锁止装置，待其补缴后解锁。",
     "用户申请报停燃气的，燃气企业可以应用户的书面申请为其表阀加装锁具。"),
    ("compulsory_measure",
     "在规划墓地以外埋葬骨灰，逾期不迁移的，由乡镇人民政府组织起尸迁葬，所需费用由当事人承担。",
     "公益性公墓的墓穴维护费用由村集体经济组织承担。"),
    # Cross-field punishment lists without 失信 / 联合惩戒 words.
    ("rights_restriction",
     "受到两次以上行政处罚的校外培训机构，三年内不得申请县级教育专项扶持资金，其举办者不得被推荐为县级优秀教育工作者候选人。",
     "以虚报学员人数等方式骗取县级教育专项扶持资金的，由县教育和体育局追回已拨付的资金。"),
    ("rights_restriction",
     "在供水工程施工中偷工减料的企业，由县水务局记入行业不良行为名单，二年内不得参与本县水利工程投标。",
     "依照《中华人民共和国政府采购法》的规定，被列入不良行为记录名单的供应商，在规定期限内不得参加政府采购活动。"),
    # A market reserved to one provider.
    ("fair_competition",
     "全县中小学校学生校服统一由县职业中专实训工厂生产供应，其他企业不得向学校销售校服。",
     "全县中小学校学生校服的款式由县教育和体育局统一公布，学校可以自主选择符合标准的生产企业。"),
    ("fair_competition",
     "城区公墓的墓碑刻字和安葬服务统一由县公墓管理所承办，其他经营者不得在公墓内承揽。",
     "城区公墓的日常管理统一由县公墓管理所负责，县民政局对其服务质量进行监督。"),
]


@pytest.mark.parametrize(("category", "positive", "near_miss"), CASES)
def test_fourth_round_positive_and_near_miss(category: str, positive: str, near_miss: str) -> None:
    got = cats(review(positive))
    assert category in got, positive
    if category == "compulsory_measure":
        assert "fee_creation" not in got, positive  # the coercive verb wins over the fee word
    assert not cats(review(near_miss)), near_miss
