"""Query analysis: user text → FieldQuery. Kept apart from the engines so that improvements to
understanding questions apply to both.

What the STARD evaluation taught (docs/retrieval.md has the numbers):
- Matching query words against law *titles* per article hurts questions: every article of
  '碳排放权交易管理暂行条例' outranks 民法典 for '是否存在贞操权' because a title is short and
  '权' matches it. Titles are used by the reranker as a law-level signal instead.
- Single characters ('权', '物', '人') are weak evidence; they keep a small weight.
- Laypeople say 老板, 工资, 房东; statutes say 用人单位, 劳动报酬, 出租人 (search/thesaurus.txt).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from legalkb.search.analysis import chars, normalize, words, words_precise
from legalkb.search.backend import FieldQuery
from legalkb.search.thesaurus import expansions

# Words that carry no legal meaning in a question. BM25's IDF already discounts common words;
# these are the ones that are frequent in questions but not in statutes.
QUESTION_NOISE = frozenset([
    "怎么办", "怎么", "怎样", "如何", "吗", "呢", "吧", "啊", "么", "什么", "哪些", "哪个", "是否", "可以",
    "能否", "能不能", "可不可以", "请问", "我", "我们", "你", "他", "她", "应该", "需要", "有没有", "有",
    "没有", "的", "了", "是", "在", "要", "会", "想", "问", "一下", "呀", "还是", "多少", "为什么",
    "什么样", "我该", "我家", "这种", "这个", "这样", "那么", "那些", "这是", "何种", "有何", "可否",
    "是不是", "还要", "还有", "现在", "一些", "很多", "明明", "随便", "起来", "出来", "回来", "就是",
    "而且", "另外", "一直", "希望", "该", "呢", "吗", "哪", "谁", "能", "还", "又", "都", "也", "就",
    "被", "把", "给", "让", "对", "和", "与", "及", "或", "中", "后", "前", "时", "里", "上", "下",
    "自己", "他们", "她们", "对方", "之后", "之前", "情况", "问题", "规定", "法律", "相关", "哪里",
    "多久", "多长时间", "什么时候",
])

TITLE_BOOST = 0.0          # see the module doc: titles are a law-level feature, not a per-article one
SINGLE_CHAR_WEIGHT = 1.0  # down-weighting single characters measured no gain (docs/retrieval.md)
EXPANSION_WEIGHT = 0.5
_CLAUSES = re.compile(r"[\s，。；、,.;:：？?！!（）()“”\"《》]+")


@dataclass
class QueryAnalysis:
    text: str
    tokens: list[str]                      # content tokens (search mode), noise removed
    weights: dict[str, float]
    expansions: dict[str, list[str]] = field(default_factory=dict)  # everyday word → added tokens
    phrases: list[list[str]] = field(default_factory=list)


def analyze(text: str, *, thesaurus: bool = True) -> QueryAnalysis:
    norm = normalize(text)
    tokens = [t for t in words(norm) if t not in QUESTION_NOISE]
    weights: dict[str, float] = {t: SINGLE_CHAR_WEIGHT for t in tokens if len(t) == 1}
    exp: dict[str, list[str]] = {}
    if thesaurus:
        precise = words_precise(norm)
        exp = expansions(norm, [*precise, *tokens])
        present = set(tokens)
        for added in exp.values():
            for t in added:
                if t not in present and t not in QUESTION_NOISE and len(t) > 1:
                    tokens.append(t)
                    present.add(t)
                    weights[t] = EXPANSION_WEIGHT
    # The user's own wording, clause by clause, earns a bonus where a text contains it verbatim:
    # '不得设定行政处罚' should rank the article that says exactly that above ones that merely
    # share the words.
    phrases = [chars(p) for p in _CLAUSES.split(text) if len(chars(p)) >= 4][:4]
    return QueryAnalysis(text=text, tokens=tokens, weights=weights, expansions=exp, phrases=phrases)


def build_query(text: str, *, thesaurus: bool = True, title_boost: float = TITLE_BOOST) -> FieldQuery:
    a = analyze(text, thesaurus=thesaurus)
    return FieldQuery(tokens=a.tokens, weights=a.weights, should_phrases=a.phrases, title_boost=title_boost)
