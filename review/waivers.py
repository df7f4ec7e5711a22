"""Licences a draft demands for a case the superior text itself exempts: '使用总质量四千五百千克及以下普通货运
车辆…从事…普通货运经营的，应当…申请办理道路运输经营许可证', where 道路运输条例第二十四条 says such vans
'无需…申请取得道路运输经营许可证及车辆营运证', or a 毛竹采伐许可证 where 森林法第五十六条 says 竹林 outside nature
reserves '不需要申请采伐许可证'. The licence exists, so the licensing rule (B03) finds a superior text that
provides it; what the draft sets is the licence the law took away for this case (licensing_creation).

Like approvals.py: the clause holding the demand is searched among laws, administrative regulations, 部门规章
and the province's own regulations in force on the review date; a segment counts only when it waives the
same licence (most of the licence name's bigrams) for a case described like the draft's (the words before
the demand and before the waiver share content bigrams, and the threshold runs the same way: 以下 / 以上).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from legalkb.review.superior import clauses, content_bigrams

WAIVER_LEVELS = ("法律", "行政法规", "部门规章")
# The case the draft and the waiver describe must share this many content bigrams (竹林 + 采伐 for the
# bamboo; the van's 总质量 … 普通货运 share a dozen).
CASE_MIN_SHARED = 2
# The licence names must share this share of the draft's licence-name bigrams (采伐许可证 in 毛竹采伐许可证).
LICENCE_MATCH = 0.6
_LICENCE = r"(?P<licence>[\u4e00-\u9fa5]{2,14}?(?:许可证|营运证|经营证|执照|准许证))"
# The draft's demand: a duty to apply for the licence (not a statement that it is 依法 required).
_DEMAND = re.compile(r"(?<![不无免毋])(?:应当|须|必须|需要?)[^。；，]{0,24}?(?:申请|办理|申领|取得|领取)(?:办理|取得|核发)?[^。；，]{0,6}?" + _LICENCE)
_WAIVE = re.compile(r"(?:无需|无须|不需要|不需|不必|免予|免于)[^。；，]{0,16}?(?:申请|办理|取得|领取)?(?:取得|办理)?"
                    r"[^。；，]{0,6}?" + _LICENCE)
_LAWFUL = re.compile(r"依法|依照[^。；，]{0,30}(法|条例)")
# Words of any trade: '从事蚕种生产、经营的' and '种子生产经营者…' share them and nothing else.
_ANY_TRADE = frozenset({"生产", "产经", "经营", "营的", "营者", "从事", "单位", "个人", "销售", "使用", "活动", "业务"})
_DIRECTION = re.compile(r"以下|以上|不超过|超过")


@dataclass
class WaivedLicence:
    title: str
    article: str
    status: str
    text: str
    start: int          # the draft's demand, offsets within the sentence
    end: int
    licence: str        # as the draft names it
    waiver: str         # the superior segment that waives it


def find_waived_licence(sentence: str, retriever: Any, levels: tuple[str, ...] = WAIVER_LEVELS
                        ) -> WaivedLicence | None:
    if retriever is None:
        return None
    for offset, clause in clauses(sentence, "；;。"):
        m = _DEMAND.search(clause)
        found = _waived(clause, m, offset, retriever, levels) if m and not _LAWFUL.search(clause[:m.end()]) else None
        if found is not None:
            return found
    return None


def _waived(clause: str, m: re.Match[str], offset: int, retriever: Any, levels: tuple[str, ...]
            ) -> WaivedLicence | None:
    case = content_bigrams(clause[:m.start()]) - _ANY_TRADE
    licence = content_bigrams(m.group("licence"))
    if len(case) < CASE_MIN_SHARED or not licence:
        return None
    query = clause[:m.end()]
    for h in retriever.superior_provisions(query, levels):
        for seg in re.split(r"[\n。；]", h.text):
            w = _WAIVE.search(seg)
            if w is None:
                continue
            theirs = content_bigrams(w.group("licence"))
            if len(licence & theirs) < LICENCE_MATCH * len(licence) and len(licence & theirs) < LICENCE_MATCH * len(theirs):
                continue
            waived_case = seg[:w.start()]
            if len(case & content_bigrams(waived_case)) < CASE_MIN_SHARED:
                continue
            # '4500千克以上…应当申请' restates the licence the waiver leaves in place.
            if set(_DIRECTION.findall(waived_case)) != set(_DIRECTION.findall(clause[:m.start()])):
                continue
            return WaivedLicence(h.title, h.article, h.status, h.text, offset + m.start(), offset + m.end(),
                                 m.group("licence"), seg.strip())
    return None
