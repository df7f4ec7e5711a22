"""Query analysis: user text → FieldQuery. Kept apart from the engines so that improvements to
understanding questions apply to both."""

from __future__ import annotations

import re

from legalkb.search.analysis import chars, words
from legalkb.search.backend import FieldQuery

# Words that carry no legal meaning in a question. Kept short on purpose: BM25's IDF already
# discounts common words; these are the ones that are frequent in questions but not in statutes.
QUESTION_NOISE = frozenset(["怎么办", "怎么", "怎样", "如何", "吗", "呢", "吧", "啊", "么", "什么", "哪些", "哪个", "是否", "可以", "能否", "能不能", "可不可以", "请问", "我", "我们", "你", "他", "她", "应该", "需要", "有没有", "有", "没有", "的", "了", "是", "在", "要", "会", "想", "问", "一下", "呀", "还是", "多少", "为什么"])


def build_query(text: str) -> FieldQuery:
    tokens = [t for t in words(text) if t not in QUESTION_NOISE]
    # The user's own wording, clause by clause, earns a bonus where a text contains it verbatim:
    # '不得设定行政处罚' should rank the article that says exactly that above ones that merely
    # share the words.
    phrases = [chars(p) for p in re.split(r"[\s，。；、,.;:：？?！!]+", text) if len(chars(p)) >= 4][:4]
    return FieldQuery(tokens=tokens, should_phrases=phrases)
