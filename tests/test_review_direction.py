"""Mechanisms added after the third blind set: local-only supply arrangements and mandatory
government-commissioned trading platforms (fair competition), credit-penalty sanctions without a
legal basis, the direction of payment for fee rules (who pays whom), and procedural safeguards of
enforcement that limit or restate statutory procedure.

Positive clauses and near misses are in our own wording (other trades and places than the blind
set); the superior provision used for the safeguard test has the wording of 行政强制法第四十三条.
"""

from __future__ import annotations

import pytest

from legalkb.review.testing import FakeLibrary, categories, make_law, review_clauses

COERCION = make_law("中华人民共和国行政强制法", {43: [
    "行政机关不得在夜间或者法定节假日实施行政强制执行。但是，情况紧急的除外。",
    "行政机关不得对居民生活采取停止供水、供电、供热、供燃气等方式迫使当事人履行相关行政决定。"]})
LIB = FakeLibrary([COERCION])
def review(*articles: str):
    return review_clauses(LIB, *articles)


cats = categories


CASES = [
    # Local-only supply (公平竞争审查条例第九条第（一）项).
    ("fair_competition",
     "全县机关和学校食堂使用的大米、食用油，一律从县内粮油加工企业采购。",
     "县外企业生产的大米、食用油进入本县销售的，与本县产品执行相同的抽检标准。"),
    ("fair_competition",
     "建材市场开办者不得允许县外搅拌站生产的预拌砂浆进场销售。",
     "任何单位不得限制县外搅拌站生产的合格预拌砂浆进入本县市场。"),
    ("fair_competition",
     "县外预制件厂生产的井盖不得进入本县市政工程使用。",
     "来自疫区的活禽不得进入本县交易市场。"),
    # Mandatory government-commissioned trading platform (第八条第（三）项).
    ("fair_competition",
     "景区周边餐饮经营者应当统一接入县商务局委托开发的点餐系统，堂食订单和餐费支付均通过该系统办理。",
     "景区周边餐饮经营者可以自愿接入县商务局委托开发的点餐系统，也可以自主选择其他点餐服务。"),
    ("fair_competition",
     "出租车经营者应当接入县交通运输局委托运营的约车平台，乘客叫车和车费结算统一通过该平台进行。",
     "出租车经营者应当接入县交通运输局建设的监管平台，实时报送车辆定位信息。"),
    # Credit-penalty sanctions without a legal basis.
    ("rights_restriction",
     "养殖户违反禁养区规定的，列入全县畜禽养殖失信名单，两年内不得申请各类农业补贴。",
     "养殖户以虚报存栏数量等方式骗取补贴的，取消其当年补贴资格并追回已发放资金。"),
    ("rights_restriction",
     "对拒不配合垃圾分类检查的商户，暂停其享受门前三包奖补政策，并取消其年度评优资格。",
     "享受门前三包奖补的商户不再符合奖补条件的，停止发放奖补资金。"),
    ("rights_restriction",
     "经营户三次以上被投诉仍不整改的，纳入市场经营负面名单，并取消其参加文明商户评选的资格。",
     "依法被列入严重违法失信名单的经营户，按照国家有关规定实施信用约束。"),
    # Fees: money the public pays to the organ, not money paid out or an operator's own price.
    ("fee_creation",
     "申请延期整改的企业，应当向县应急管理局缴纳整改保证金三万元。",
     "对参加农业保险的种植户，县财政按照其实际缴纳保险费的百分之四十给予保费补贴。"),
    ("fee_creation",
     "进入夜市摆摊的经营户应当向街道综合服务中心缴纳管理费每月三百元。",
     "家庭农场经营者通过县农产品电商平台销售产品的，货款收取由经营者与买方自行约定。"),
    # Enforcement: a safeguard that limits or restates the statutory procedure creates nothing;
    # loosening it (可以在夜间实施) does.
    ("compulsory_measure",
     "为保证工期，强制清除违法占道设施可以在夜间和节假日进行。",
     "除情况紧急外，县城市管理局不得在夜间或者法定节假日强制清除违法占道设施。"),
    ("compulsory_measure",
     "执法人员发现摊贩拒不离开的，可以扣押其三轮车和货物。",
     "实施强制清除时，执法人员应当通知当事人到场，对清除的物品当场清点、登记造册，并全程录音录像。"),
]


@pytest.mark.parametrize(("category", "positive", "near_miss"), CASES)
def test_direction_positive_and_near_miss(category: str, positive: str, near_miss: str) -> None:
    assert category in cats(review(positive)), positive
    assert not cats(review(near_miss)), near_miss


def test_subsidy_clause_with_a_deposit_paid_to_the_organ_is_still_a_fee() -> None:
    # Paying into the organ's account in the same segment wins over the grant wording.
    rep = review("申请补贴的企业应当先向县财政专户缴纳履约保证金，验收合格后给予补贴。")
    assert "fee_creation" in cats(rep)


def test_safeguard_sentence_that_also_grants_the_measure_is_flagged() -> None:
    rep = review("实施强制清除时，执法人员可以扣押占道物品，并应当登记造册。")
    assert "compulsory_measure" in cats(rep)
