"""Shares of consent a draft lowers: '公房产权单位与公房承租人签订更新协议的比例达到百分之八十以上的，协议即对全体
公房承租人生效' where 上海市城市更新条例第三十二条 makes the agreement bind only at 百分之九十五; '经…三分之二以上的
业主同意' where the superior text asks 四分之三. Those who did not agree are bound on less agreement than the law
requires (rights_restriction). A higher share binds no one who did not agree, and is not reported.

Like deadlines.py: the sentence holding the share is searched among laws, administrative regulations, 部门规章 and
the province's own regulations in force on the review date; a superior sentence counts when it describes the same
matter (most of the draft sentence's content bigrams, shares and numbers left out) and itself sets a share of
consent. Reported only when every such sentence asks more than the draft (a draft may follow one rule where
another, for another case, also matches); the closest one is quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from legalkb.review.amounts import parse_number
from legalkb.review.superior import CONDUCT_MATCH, content_bigrams

THRESHOLD_LEVELS = ("法律", "行政法规", "部门规章")
_SHARE = (r"(?:百分之(?P<pct>[零〇一二两三四五六七八九十百点]+)|(?P<num>\d+(?:\.\d+)?)\s*[%％]"
          r"|(?P<den>[一二三四五六七八九十]+)分之(?P<nom>[一二三四五六七八九十]+)|(?P<half>过半数|半数))")
_SHARE_RE = re.compile(_SHARE)
_CONSENT = r"(?:同意|签约|签订|签署|赞成)"
# 'N 以上的业主同意' (the share before the consent) and '签约比例达到 N 以上' (after it), within one clause.
_BEFORE = re.compile(rf"{_SHARE}(?:以上|及以上)?[^。；;，,]{{0,24}}?{_CONSENT}")
_AFTER = re.compile(rf"{_CONSENT}[^。；;，,]{{0,16}}?比例[^。；;，,]{{0,8}}?{_SHARE}")


@dataclass(frozen=True)
class Share:
    value: float     # 0–1
    start: int       # the phrase from share to consent (or consent to share), offsets in its text
    end: int
    label: str       # as written: '百分之八十'


@dataclass
class LoweredShare:
    title: str
    article: str
    status: str
    text: str
    start: int       # the draft's phrase, offsets within the sentence
    end: int
    draft: str       # '百分之八十'
    superior: str    # '百分之九十五'


def _value(m: re.Match[str]) -> float | None:
    try:
        if m.group("pct"):
            return parse_number(m.group("pct")) / 100
        if m.group("num"):
            return float(m.group("num")) / 100
        if m.group("den"):
            return parse_number(m.group("nom")) / parse_number(m.group("den"))
    except (ValueError, ZeroDivisionError):
        return None
    return 0.5   # 过半数 / 半数以上


def consent_shares(text: str) -> list[Share]:
    """The shares of consent `text` sets, in order."""
    out: list[Share] = []
    for rx in (_BEFORE, _AFTER):
        for m in rx.finditer(text):
            v = _value(m)
            if v is not None and 0 < v <= 1 and not any(s.start <= m.start() < s.end for s in out):
                label = _SHARE_RE.search(m.group(0))
                out.append(Share(v, m.start(), m.end(), label.group(0) if label else m.group(0)))
    return sorted(out, key=lambda s: s.start)


def _query(sentence: str) -> str:
    return _SHARE_RE.sub(" ", sentence)


def find_lowered_share(sentence: str, retriever: Any, levels: tuple[str, ...] = THRESHOLD_LEVELS
                       ) -> LoweredShare | None:
    """The superior sentence whose share of consent for the same matter is higher than the sentence's."""
    if retriever is None:
        return None
    mine = consent_shares(sentence)
    if not mine:
        return None
    query = _query(sentence)
    cb = content_bigrams(query)
    if len(cb) < 6:
        return None
    lowest = min(mine, key=lambda s: s.value)
    found: list[tuple[float, Any, Share]] = []
    for h in retriever.superior_provisions(query, levels):
        for seg in re.split(r"[\n。]", h.text):
            theirs = consent_shares(seg)
            share = len(cb & content_bigrams(_query(seg))) / len(cb) if theirs else 0.0
            if share >= CONDUCT_MATCH:
                found.append((share, h, min(theirs, key=lambda s: s.value)))
    if not found or any(sup.value <= lowest.value + 1e-9 for _share, _h, sup in found):
        return None
    _share, h, sup = max(found, key=lambda f: f[0])
    return LoweredShare(h.title, h.article, h.status, h.text, lowest.start, lowest.end, lowest.label, sup.label)
