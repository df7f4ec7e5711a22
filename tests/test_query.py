"""Query analysis and thesaurus: small and fast, no shared data."""

from __future__ import annotations

from legalkb.search.analysis import words
from legalkb.search.query import EXPANSION_WEIGHT, QUESTION_NOISE, analyze, build_query
from legalkb.search.thesaurus import expansions, parse, table


def test_question_noise_is_dropped() -> None:
    q = build_query("请问我们公司可以怎么办？")
    assert not set(q.tokens) & QUESTION_NOISE
    assert "公司" in q.tokens


def test_everyday_words_map_to_statute_terms() -> None:
    a = analyze("老板拖欠工资怎么办")
    assert "用人单位" in a.tokens and "劳动报酬" in a.tokens
    assert a.weights["用人单位"] == EXPANSION_WEIGHT
    # The user's own words stay, at full weight.
    assert "老板" in a.tokens and a.weights.get("老板", 1.0) == 1.0
    assert "出租人" in analyze("房东不退押金").tokens


def test_short_keys_do_not_fire_inside_other_words() -> None:
    # '偷' → 盗窃 must not fire for '偷拍' (a privacy question, not theft).
    assert "盗窃" not in analyze("地铁上偷拍是否侵犯隐私权").tokens
    assert "盗窃" in analyze("邻居偷东西").tokens


def test_thesaurus_can_be_disabled() -> None:
    assert "用人单位" not in analyze("老板拖欠工资", thesaurus=False).tokens


def test_titles_are_not_matched_per_article_by_default() -> None:
    # Matching titles per article let every article of a law whose title shares a word win.
    assert build_query("是否存在贞操权").title_boost == 0.0


def test_phrases_are_the_users_clauses() -> None:
    q = build_query("其他规范性文件不得设定行政处罚")
    assert list(q.should_phrases[0]) == list("其他规范性文件不得设定行政处罚")


def test_thesaurus_file_parses_and_targets_are_tokenisable() -> None:
    t = table()
    assert len(t) > 100
    assert t["房东"] == ("出租人",)
    for key, terms in t.items():
        assert terms and key not in terms
        for term in terms:
            assert words(term), term


def test_parse_merges_duplicates_and_skips_comments() -> None:
    t = parse(["# comment", "", "甲\t乙 丙", "甲\t丁 乙", "无目标\t"])
    assert t == {"甲": ("乙", "丙", "丁")}


def test_expansions_with_a_custom_table() -> None:
    out = expansions("被狗咬了", ["被", "狗", "咬", "了"], {"被狗咬": ("饲养动物",), "猫": ("动物",)})
    assert list(out) == ["被狗咬"] and out["被狗咬"]
